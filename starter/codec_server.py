"""`lov codec-server`: Temporal's codec-server protocol over HTTP, so that the Web UI (or
`temporal workflow show --codec-endpoint`) can show decrypted payloads to someone allowed to.

Protocol (Temporal's codec server, as the Web UI speaks it): `POST /encode` and `POST /decode`
with `{"payloads": [...]}`, the protobuf JSON form of `temporal.api.common.v1.Payloads`; the
answer has the same form. Nothing else answers: other paths 404, other methods 405 (a proxy that
publishes it under a prefix strips the prefix). Every request needs
`Authorization: Bearer <LOV_CODEC_SERVER_TOKEN>`, and the server does not start without a token:
whoever can call `/decode` reads names and e-mail addresses. The browser calls it directly, so
CORS allows the configured Web UI origins only, and a request from any other origin is refused.

The standard library's HTTP server is enough for an administrator's Web UI: a few requests per
page, each a few kilobytes, decrypted in microseconds.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated

import typer
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from models.runtime.codec import CodecError, EncryptionCodec, new_key
from models.runtime.settings import Settings, get_settings
from models.runtime.temporal import TemporalSetupError, codec
from starter.errors import fail_bad_input

log = logging.getLogger("lovflow.codec_server")

# A Web UI page decodes one history's payloads; far below this. Larger bodies are refused
# before they are read.
MAX_BODY_BYTES = 16 * 1024 * 1024
ALLOWED_HEADERS = "Content-Type, X-Namespace, Authorization"
OPERATIONS = ("/encode", "/decode")


class _Handler(BaseHTTPRequestHandler):
    server_version = "lovflow-codec"
    # Set per server by make_server.
    codec: EncryptionCodec
    origins: frozenset[str]
    token: bytes

    def _cors(self) -> None:
        origin = self.headers.get("Origin")
        if origin and origin in self.origins:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Allow-Credentials", "true")
            self.send_header("Vary", "Origin")

    def _reply(self, status: HTTPStatus, body: str, content_type: str = "application/json") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self._cors()
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._reply(status, json.dumps({"error": message}, ensure_ascii=False))

    def _path(self) -> str:
        # The Web UI adds query parameters (preserveStorageRefs); they change nothing here.
        return self.path.split("?", 1)[0]

    def _known_path(self) -> bool:
        if self._path() in OPERATIONS:
            return True
        self._error(HTTPStatus.NOT_FOUND, "use POST /encode or POST /decode")
        return False

    def _origin_allowed(self) -> bool:
        # Browsers send Origin on cross-origin calls; a page the CORS list does not name gets
        # nothing, not even a decrypted answer it could not read.
        origin = self.headers.get("Origin")
        if origin is None or origin in self.origins:
            return True
        self._error(HTTPStatus.FORBIDDEN, "origin not allowed")
        return False

    def _wrong_method(self) -> None:
        if self._known_path():
            self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
            self._cors()
            self.send_header("Allow", "POST, OPTIONS")
            self.send_header("Content-Length", "0")
            self.end_headers()

    do_GET = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_TRACE = do_CONNECT = _wrong_method  # noqa: N815

    def do_OPTIONS(self) -> None:  # noqa: N802 - http.server's naming
        if not self._known_path():
            return
        origin = self.headers.get("Origin")
        if origin not in self.origins:
            self._error(HTTPStatus.FORBIDDEN, "origin not allowed")
            return
        self.send_response(HTTPStatus.NO_CONTENT)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", ALLOWED_HEADERS)
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802
        if not self._known_path() or not self._origin_allowed():
            return
        convert: Callable[[Payload], Payload] = (
            self.codec.encrypt if self._path() == "/encode" else self.codec.decrypt
        )
        if not self._authorized():
            self._error(HTTPStatus.UNAUTHORIZED, "missing or wrong Authorization bearer token")
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body missing or too large")
            return
        try:
            payloads = json_format.Parse(
                self.rfile.read(length), Payloads(), ignore_unknown_fields=True
            )
        except (json_format.ParseError, UnicodeDecodeError) as exc:
            self._error(HTTPStatus.BAD_REQUEST, f"not a Payloads JSON object: {exc}")
            return
        try:
            converted = Payloads(payloads=[convert(p) for p in payloads.payloads])
        except CodecError as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        self._reply(HTTPStatus.OK, json_format.MessageToJson(converted))

    def _authorized(self) -> bool:
        scheme, _, given = self.headers.get("Authorization", "").partition(" ")
        return scheme == "Bearer" and hmac.compare_digest(given.strip().encode(), self.token)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        # Method, path and status only: the bodies are what the codec protects.
        log.info("%s %s", self.address_string(), format % args)


def make_server(settings: Settings, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP codec server for `settings`' keys (not started). Raises TemporalSetupError when
    no or unusable keys or no token are configured."""
    payload_codec = codec(settings)
    if payload_codec is None:
        raise TemporalSetupError(
            "LOV_CODEC_KEYS: inga nycklar; en codec-server behövs bara när payloads krypteras "
            "(no keys configured)"
        )
    token = settings.codec_server_token.get_secret_value() if settings.codec_server_token else ""
    if not token.strip():
        raise TemporalSetupError(
            "LOV_CODEC_SERVER_TOKEN: saknas; utan token dekrypterar codec-servern för vem som "
            "helst (no token: it would decrypt for anyone)"
        )
    handler = type(
        "CodecHandler",
        (_Handler,),
        {
            "codec": payload_codec,
            "origins": frozenset(settings.codec_server_cors_origins),
            "token": token.strip().encode(),
        },
    )
    return ThreadingHTTPServer((host, port), handler)


@contextmanager
def running(settings: Settings, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """A codec server in a background thread for the block; yields its base URL."""
    server = make_server(settings, host, port)
    thread = threading.Thread(target=server.serve_forever, name="codec-server", daemon=True)
    thread.start()
    try:
        bound_host, bound_port = server.server_address[:2]
        yield f"http://{bound_host!s}:{bound_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def codec_server(
    host: Annotated[
        str | None,
        typer.Option("--host", help="Adress att lyssna på. (Listen address.)", show_default=False),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", help="Port. (Default LOV_CODEC_SERVER_PORT.)", show_default=False),
    ] = None,
    create_key: Annotated[
        bool,
        typer.Option(
            "--new-key", help="Skriv ut en ny slumpad nyckel och avsluta. (Print a new key.)"
        ),
    ] = False,
) -> None:
    """Codec-server för Temporals Web UI: dekrypterar payloads för den som har nyckeln.
    (Codec server for the Web UI: POST /encode and /decode.)

    Nycklarna läses från LOV_CODEC_KEYS och LOV_CODEC_ACTIVE_KEY och skrivs aldrig ut.
    """
    if create_key:
        typer.echo(new_key())
        return
    settings = get_settings()
    bind_host = host or settings.codec_server_host
    bind_port = settings.codec_server_port if port is None else port
    try:
        server = make_server(settings, bind_host, bind_port)
    except TemporalSetupError as exc:
        fail_bad_input(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    typer.echo(
        f"Codec-server lyssnar på http://{bind_host}:{server.server_address[1]} "
        f"(Web UI: {', '.join(settings.codec_server_cors_origins)}); Ctrl-C avslutar."
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
