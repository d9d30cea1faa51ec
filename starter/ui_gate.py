"""`lov serve`'s front for the embedded Web UI: read-only, and decoding only for who has the token.

The dev server's UI cannot be configured for either (`temporal server start-dev` has no flag
for the UI's `disableWriteActions`, and its codec settings are an endpoint only), so `lov serve`
runs it on an internal port and serves the configured UI port through this gate:

- `/api/v1/settings` reports write actions disabled (the UI then hides Reset, Terminate, Signal,
  Start Workflow, …) and the codec at `/codec` on the UI's own origin;
- every other request that could change something is refused with 405, by the same rule as the
  UI server's own `disableWriteActions` (GET, and POST of a workflow query, pass);
- `/codec/encode` and `/codec/decode` go to the codec server with the token from the browser's
  cookie, which `/lov/login` sets for whoever types the token (var/codec-token). Without it the
  UI shows the payloads encrypted, as Temporal's database holds them.
"""

from __future__ import annotations

import hmac
import http.client
import json
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger("lovflow.ui_gate")

SETTINGS_PATH = "/api/v1/settings"
CODEC_PATH = "/codec"
LOGIN_PATH = "/lov/login"
COOKIE = "lov_codec_token"
UPSTREAM_TIMEOUT_S = 60.0
MAX_LOGIN_BYTES = 4096
# The UI server's own disableWriteActions lets these POSTs through: queries read, never write.
_QUERY = re.compile(r"^/api/v1/namespaces/[^/]+/workflows/[^/]+/query/[^/]+$")
# Every switch the UI (2.54) knows for hiding an action; unknown ones are ignored by the UI.
WRITE_SWITCHES = (
    "DisableWriteActions",
    "WorkflowTerminateDisabled",
    "WorkflowCancelDisabled",
    "WorkflowSignalDisabled",
    "WorkflowUpdateDisabled",
    "WorkflowResetDisabled",
    "WorkflowPauseDisabled",
    "BatchActionsDisabled",
    "StartWorkflowDisabled",
    "ActivityCommandsDisabled",
)
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)

_LOGIN_PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>lovflow: avkodning</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Visa krypterade uppgifter</h1>
<p>{message}</p>
<form method="post" action="{path}">
<label>Token (filen var/codec-token): <input name="token" type="password" autofocus></label>
<button type="submit">Logga in</button>
</form></body></html>
"""


class _Gate(BaseHTTPRequestHandler):
    server_version = "lovflow-ui-gate"
    # Set per server by make_gate.
    upstream: tuple[str, int]
    codec_url: str | None
    token: bytes | None
    hosts: frozenset[str]

    # --- dispatch -------------------------------------------------------------------------------

    def _handle(self) -> None:
        # A page whose name resolves to 127.0.0.1 (DNS rebinding) reaches this port under its own
        # Host name; only the names the UI is opened with are served.
        if self.headers.get("Host", "") not in self.hosts:
            self._text(HTTPStatus.MISDIRECTED_REQUEST, "unknown Host")
            return
        path = urlsplit(self.path).path
        if path == LOGIN_PATH and self.codec_url:
            self._login()
        elif path.startswith(CODEC_PATH + "/") and self.codec_url:
            self._codec(path.removeprefix(CODEC_PATH))
        elif self.command in ("GET", "HEAD") or (self.command == "POST" and _QUERY.match(path)):
            self._forward(rewrite_settings=path == SETTINGS_PATH and self.command == "GET")
        else:
            self._text(HTTPStatus.METHOD_NOT_ALLOWED, "read-only Web UI: use `lov` for changes")

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle  # noqa: N815

    # --- replies --------------------------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes,
        headers: list[tuple[str, str]],
    ) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: HTTPStatus, message: str) -> None:
        self._send(status, message.encode(), [("Content-Type", "text/plain; charset=utf-8")])

    def _body(self, limit: int) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            return None
        if not 0 <= length <= limit:
            return None
        return self.rfile.read(length)

    # --- the UI server --------------------------------------------------------------------------

    def _forward(self, *, rewrite_settings: bool) -> None:
        body = self._body(16 * 1024 * 1024) if self.command == "POST" else b""
        if body is None:
            self._text(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body missing or too large")
            return
        headers = {
            name: value
            for name, value in self.headers.items()
            # Uncompressed on loopback, so that the settings can be read and rewritten.
            if name.lower() not in _HOP_BY_HOP and name.lower() != "accept-encoding"
        }
        connection = http.client.HTTPConnection(*self.upstream, timeout=UPSTREAM_TIMEOUT_S)
        try:
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
            status = response.status
            reply_headers = [
                (name, value)
                for name, value in response.getheaders()
                if name.lower() not in _HOP_BY_HOP
            ]
        except OSError as exc:
            self._text(HTTPStatus.BAD_GATEWAY, f"Temporal Web UI not reachable: {exc}")
            return
        finally:
            connection.close()
        if rewrite_settings and status == HTTPStatus.OK:
            data = json.dumps(self._settings(json.loads(data))).encode()
        self._send(status, data, reply_headers)

    def _settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        for switch in WRITE_SWITCHES:
            settings[switch] = True
        if self.codec_url:
            codec = settings.get("Codec") or {}
            # Same origin as the page: the cookie goes along, and no CORS is involved.
            codec["Endpoint"] = f"http://{self.headers['Host']}{CODEC_PATH}"
            codec["PassAccessToken"] = False
            codec["IncludeCredentials"] = False
            settings["Codec"] = codec
        return settings

    # --- the codec ------------------------------------------------------------------------------

    def _cookie_token(self) -> str:
        try:
            cookie = SimpleCookie(self.headers.get("Cookie", ""))
        except CookieError:
            return ""
        morsel = cookie.get(COOKIE)
        return morsel.value if morsel else ""

    def _codec(self, operation: str) -> None:
        if operation not in ("/encode", "/decode"):
            self._text(HTTPStatus.NOT_FOUND, "use POST /codec/encode or /codec/decode")
            return
        if self.command != "POST":
            self._text(HTTPStatus.METHOD_NOT_ALLOWED, "use POST")
            return
        body = self._body(16 * 1024 * 1024)
        if body is None:
            self._text(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body missing or too large")
            return
        assert self.codec_url is not None
        target = urlsplit(self.codec_url)
        connection = http.client.HTTPConnection(
            target.hostname or "127.0.0.1", target.port, timeout=UPSTREAM_TIMEOUT_S
        )
        # The codec server checks the token; the gate only carries it from the cookie.
        headers = {"Content-Type": "application/json"}
        if namespace := self.headers.get("X-Namespace"):
            headers["X-Namespace"] = namespace
        if token := self._cookie_token():
            headers["Authorization"] = f"Bearer {token}"
        try:
            connection.request("POST", operation, body=body, headers=headers)
            response = connection.getresponse()
            data, status = response.read(), response.status
        except OSError as exc:
            self._text(HTTPStatus.BAD_GATEWAY, f"codec server not reachable: {exc}")
            return
        finally:
            connection.close()
        self._send(status, data, [("Content-Type", "application/json")])

    def _login(self) -> None:
        if self.command == "GET":
            self._login_page(
                HTTPStatus.OK, "Ange token för att se krypterade uppgifter i klartext."
            )
            return
        if self.command != "POST":
            self._text(HTTPStatus.METHOD_NOT_ALLOWED, "use GET or POST")
            return
        body = self._body(MAX_LOGIN_BYTES)
        given = parse_qs((body or b"").decode("utf-8", "replace")).get("token", [""])[0].strip()
        assert self.token is not None
        if not hmac.compare_digest(given.encode(), self.token):
            self._login_page(HTTPStatus.UNAUTHORIZED, "token: fel värde, försök igen.")
            return
        # HttpOnly: no script reads it; SameSite=Strict: no other site's page sends it along.
        cookie = f"{COOKIE}={given}; Path={CODEC_PATH}; HttpOnly; SameSite=Strict"
        self._send(HTTPStatus.SEE_OTHER, b"", [("Location", "/"), ("Set-Cookie", cookie)])

    def _login_page(self, status: HTTPStatus, message: str) -> None:
        page = _LOGIN_PAGE.format(message=message, path=LOGIN_PATH).encode()
        self._send(status, page, [("Content-Type", "text/html; charset=utf-8")])

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)


def make_gate(
    port: int,
    upstream_port: int,
    codec_url: str | None = None,
    token: str | None = None,
) -> ThreadingHTTPServer:
    """The gate on 127.0.0.1:`port` for the UI server on 127.0.0.1:`upstream_port` (not started).
    With `codec_url` (and its `token`) the UI decodes through it."""
    if codec_url and not token:
        raise ValueError("a codec needs its token")
    handler: type[_Gate] = type(
        "UiGateHandler",
        (_Gate,),
        {
            "upstream": ("127.0.0.1", upstream_port),
            "codec_url": codec_url,
            "token": token.encode() if token else None,
        },
    )
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    bound = server.server_address[1]
    handler.hosts = frozenset({f"127.0.0.1:{bound}", f"localhost:{bound}"})
    return server


@contextmanager
def running(
    port: int,
    upstream_port: int,
    codec_url: str | None = None,
    token: str | None = None,
) -> Iterator[str]:
    """The gate in a background thread for the block; yields the UI's URL."""
    server = make_gate(port, upstream_port, codec_url, token)
    thread = threading.Thread(target=server.serve_forever, name="ui-gate", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
