"""Payload encryption (models.runtime.codec): round trip, key rotation, tampering, unknown keys, the
settings that build it, and the codec server over real HTTP."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.contrib.pydantic import pydantic_data_converter

from models.messages.common import Provider
from models.runtime.codec import ENCODING, KEY_ID, CodecError, EncryptionCodec, new_key, parse_key
from models.runtime.settings import PROJECT_ROOT, Settings
from models.runtime.temporal import TemporalSetupError, codec, data_converter
from starter.codec_server import running
from starter.ports import port_in_use
from tests.support.cli_runner import cli_env, run_lov_process
from tests.support.helpers import eventually, free_port

KEY_A = base64.b64decode(new_key())
KEY_B = base64.b64decode(new_key())
SECRET = Provider(org_nr="556036-0793", name="Omsorg i Norr AB", email="hemlig@omsorg.example")


def plain_payload() -> Payload:
    return pydantic_data_converter.payload_converter.to_payloads([SECRET])[0]


def settings_with(keys: dict[str, bytes], active: str | None = None, **extra: Any) -> Settings:
    return Settings(
        codec_keys={k: SecretStr(base64.b64encode(v).decode()) for k, v in keys.items()},
        codec_active_key=active,
        **extra,
    )


# --- the codec ----------------------------------------------------------------------------------


async def test_round_trip_hides_everything_and_restores_the_payload() -> None:
    c = EncryptionCodec({"k1": KEY_A}, "k1")
    original = plain_payload()
    [sealed] = await c.encode([original])
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID] == b"k1"
    assert set(sealed.metadata) == {"encoding", KEY_ID}  # json/plain is inside, not outside
    assert b"hemlig@omsorg.example" not in sealed.SerializeToString()
    assert b"Omsorg i Norr" not in sealed.SerializeToString()
    [restored] = await c.decode([sealed])
    assert restored == original
    # A fresh nonce each time: the same value never gives the same ciphertext.
    [again] = await c.encode([original])
    assert again.data != sealed.data and again.data[:12] != sealed.data[:12]


async def test_whole_data_converter_round_trip() -> None:
    converter = data_converter(settings_with({"k1": KEY_A}))
    assert converter.payload_codec is not None
    payloads = await converter.encode([SECRET])
    assert payloads[0].metadata["encoding"] == ENCODING
    [back] = await converter.decode(payloads, [Provider])
    assert back == SECRET


async def test_rotation_old_key_decrypts_active_key_encrypts() -> None:
    old = EncryptionCodec({"2026": KEY_A}, "2026")
    [written_before] = await old.encode([plain_payload()])

    rotated = EncryptionCodec({"2026": KEY_A, "2027": KEY_B}, "2027")
    [written_after] = await rotated.encode([plain_payload()])
    assert written_after.metadata[KEY_ID] == b"2027"
    assert await rotated.decode([written_before, written_after]) == [plain_payload()] * 2
    # The old key alone cannot read what the new key wrote.
    with pytest.raises(CodecError, match="2027"):
        await old.decode([written_after])


async def test_tampered_ciphertext_or_key_id_fails() -> None:
    c = EncryptionCodec({"k1": KEY_A, "k2": KEY_B}, "k1")
    [sealed] = await c.encode([plain_payload()])
    flipped = bytearray(sealed.data)
    flipped[20] ^= 0x01
    tampered = Payload(metadata=dict(sealed.metadata), data=bytes(flipped))
    with pytest.raises(CodecError, match="authentication failed"):
        await c.decode([tampered])
    # The key id is authenticated too: relabelling the payload does not make it decrypt.
    relabelled = Payload(metadata={**sealed.metadata, KEY_ID: b"k2"}, data=sealed.data)
    with pytest.raises(CodecError, match="authentication failed"):
        await c.decode([relabelled])
    truncated = Payload(metadata=dict(sealed.metadata), data=sealed.data[:10])
    with pytest.raises(CodecError, match="truncated"):
        await c.decode([truncated])


async def test_unknown_key_id_is_a_clear_error() -> None:
    [sealed] = await EncryptionCodec({"gammal": KEY_A}, "gammal").encode([plain_payload()])
    with pytest.raises(CodecError) as err:
        await EncryptionCodec({"ny": KEY_B}, "ny").decode([sealed])
    message = str(err.value)
    assert "'gammal'" in message and "LOV_CODEC_KEYS" in message and "ny" in message


async def test_plain_payloads_pass_through_decode() -> None:
    """Histories written before encryption was switched on still decode."""
    c = EncryptionCodec({"k1": KEY_A}, "k1")
    assert await c.decode([plain_payload()]) == [plain_payload()]


# --- settings -----------------------------------------------------------------------------------


def test_no_keys_means_the_plain_pydantic_converter() -> None:
    assert codec(Settings()) is None
    assert data_converter(Settings()) is pydantic_data_converter


def test_one_key_is_active_without_naming_it_several_need_a_name() -> None:
    only = codec(settings_with({"k1": KEY_A}))
    assert only is not None and only.active_key_id == "k1"
    with pytest.raises(TemporalSetupError, match="LOV_CODEC_ACTIVE_KEY"):
        codec(settings_with({"k1": KEY_A, "k2": KEY_B}))
    with pytest.raises(TemporalSetupError, match="'k3'"):
        codec(settings_with({"k1": KEY_A, "k2": KEY_B}, active="k3"))
    with pytest.raises(TemporalSetupError, match="LOV_CODEC_KEYS"):
        codec(Settings(codec_active_key="k1"))


@pytest.mark.parametrize(
    ("key_id", "value", "expected"),
    [
        ("k1", "not base64!!", "not base64"),
        ("k1", base64.b64encode(b"x" * 16).decode(), "16 byte"),
        ("bad id", new_key(), "key id"),
    ],
    # Named by what is wrong: a fresh key in the id would differ between test processes.
    ids=["not-base64", "short-key", "bad-key-id"],
)
def test_bad_keys_are_refused_without_echoing_them(key_id: str, value: str, expected: str) -> None:
    with pytest.raises(CodecError, match=expected) as err:
        parse_key(key_id, value)
    assert value not in str(err.value)


def test_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    key = new_key()
    monkeypatch.setenv("LOV_CODEC_KEYS", json.dumps({"2027-01": key}))
    monkeypatch.setenv("LOV_CONFIG", "/nonexistent/lov.toml")
    settings = Settings()
    assert settings.codec_keys["2027-01"].get_secret_value() == key
    assert key not in repr(settings) and key not in str(settings.redacted())
    built = codec(settings)
    assert built is not None and built.key_ids == ["2027-01"]


# --- the codec server ---------------------------------------------------------------------------

UI = "http://127.0.0.1:8233"
TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def served(keys: dict[str, bytes], **extra: Any) -> Settings:
    """Settings a codec server starts with: keys and a token."""
    return settings_with(keys, codec_server_token=SecretStr(TOKEN), **extra)


def request(
    url: str, method: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes, Any]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as err:
        return err.code, err.read(), err.headers


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any, Any]:
    status, data, reply_headers = request(
        url, "POST", body, {"Content-Type": "application/json", **(headers or {})}
    )
    return status, json.loads(data), reply_headers


def payloads_json(*payloads: Payload) -> bytes:
    return json_format.MessageToJson(Payloads(payloads=list(payloads))).encode()


def from_json(body: Any) -> list[Payload]:
    return list(json_format.ParseDict(body, Payloads()).payloads)


def test_codec_server_decodes_and_encodes_over_http() -> None:
    sealed = EncryptionCodec({"k1": KEY_A}, "k1").encrypt(plain_payload())
    with running(served({"k1": KEY_A})) as base:
        status, body, headers = post(
            f"{base}/decode", payloads_json(sealed), {"Origin": UI, **AUTH}
        )
        assert status == 200, body
        assert from_json(body) == [plain_payload()]
        assert headers["Access-Control-Allow-Origin"] == UI
        # The Web UI adds query parameters.
        status, body, _ = post(
            f"{base}/encode?preserveStorageRefs=true", payloads_json(plain_payload()), AUTH
        )
        assert status == 200
        [encoded] = from_json(body)
        assert encoded.metadata["encoding"] == ENCODING
        assert EncryptionCodec({"k1": KEY_A}, "k1").decrypt(encoded) == plain_payload()
        # Wrong input: a clear 400, never a crash.
        status, body, _ = post(f"{base}/decode", b"{not json", AUTH)
        assert status == 400 and "Payloads" in body["error"]
        other = EncryptionCodec({"x": KEY_B}, "x").encrypt(plain_payload())
        status, body, _ = post(f"{base}/decode", payloads_json(other), AUTH)
        assert status == 400 and "'x'" in body["error"]


def test_codec_server_answers_only_its_two_paths_and_post() -> None:
    sealed = payloads_json(EncryptionCodec({"k1": KEY_A}, "k1").encrypt(plain_payload()))
    with running(served({"k1": KEY_A})) as base:
        # The same request to the real path works (so the refusals below are about the path).
        assert post(f"{base}/decode", sealed, AUTH)[0] == 200
        for path in ("/nothing", "/", "/default/decode", "/decode/x", "/decodex", "/api/decode"):
            for method in ("POST", "GET", "PUT", "DELETE", "OPTIONS"):
                status, _, _ = request(
                    f"{base}{path}",
                    method,
                    sealed if method in ("POST", "PUT") else None,
                    {"Origin": UI, "Access-Control-Request-Method": "POST", **AUTH},
                )
                assert status == 404, (method, path, status)
        for method in ("GET", "HEAD", "PUT", "PATCH", "DELETE"):
            for path in ("/decode", "/encode"):
                status, data, headers = request(f"{base}{path}", method, None, AUTH)
                assert status == 405, (method, path, status)
                assert headers["Allow"] == "POST, OPTIONS"
                assert b"Omsorg" not in data


def test_codec_server_cors_only_for_the_web_ui() -> None:
    sealed = EncryptionCodec({"k1": KEY_A}, "k1").encrypt(plain_payload())
    with running(served({"k1": KEY_A})) as base:
        for origin, allowed in ((UI, True), ("http://evil.example", False)):
            status, _, headers = request(
                f"{base}/decode",
                "OPTIONS",
                headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            )
            if allowed:
                assert status == 204
                assert headers["Access-Control-Allow-Origin"] == UI
                assert "X-Namespace" in headers["Access-Control-Allow-Headers"]
            else:
                assert status == 403
                assert headers["Access-Control-Allow-Origin"] is None
            # Not even with the token does another origin get an answer.
            status, body, headers = post(
                f"{base}/decode", payloads_json(sealed), {"Origin": origin, **AUTH}
            )
            if allowed:
                assert status == 200 and headers["Access-Control-Allow-Origin"] == UI
            else:
                assert status == 403 and "Omsorg" not in json.dumps(body)
                assert headers["Access-Control-Allow-Origin"] is None


def test_codec_server_token() -> None:
    sealed = EncryptionCodec({"k1": KEY_A}, "k1").encrypt(plain_payload())
    with running(served({"k1": KEY_A})) as base:
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": TOKEN},  # no scheme
            {"Authorization": f"Basic {TOKEN}"},
            {"Authorization": "Bearer "},
        ):
            for operation in ("decode", "encode"):
                status, body, _ = post(f"{base}/{operation}", payloads_json(sealed), headers)
                assert status == 401, (headers, operation)
                assert "Omsorg" not in json.dumps(body)
        status, body, _ = post(f"{base}/decode", payloads_json(sealed), AUTH)
        assert status == 200 and from_json(body) == [plain_payload()]


def test_codec_server_refuses_to_start_without_keys_or_token() -> None:
    with pytest.raises(TemporalSetupError, match="LOV_CODEC_KEYS"), running(Settings()):
        pass
    for token in (None, SecretStr(""), SecretStr("  ")):
        keyed = settings_with({"k1": KEY_A}, codec_server_token=token)
        with pytest.raises(TemporalSetupError, match="LOV_CODEC_SERVER_TOKEN"), running(keyed):
            pass


# --- the command and `lov serve` ----------------------------------------------------------------


async def test_codec_server_command_refuses_to_start_without_a_token(tmp_path: Path) -> None:
    port = free_port()
    keyed = cli_env(
        tmp_path,
        LOV_CODEC_KEYS=json.dumps({"k1": base64.b64encode(KEY_A).decode()}),
        LOV_CODEC_SERVER_PORT=str(port),
    )
    refused = await run_lov_process(keyed, "codec-server")
    assert refused.exit_code == 2, refused
    assert refused.error_line().startswith("fel: LOV_CODEC_SERVER_TOKEN:")
    assert not port_in_use(port), "nothing listens"
    # With a token the same command serves (and is stopped here).
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter",
        "codec-server",
        cwd=PROJECT_ROOT,
        env=keyed | {"LOV_CODEC_SERVER_TOKEN": TOKEN},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await eventually(_listening(port), timeout=30)
        sealed = EncryptionCodec({"k1": KEY_A}, "k1").encrypt(plain_payload())
        url = f"http://127.0.0.1:{port}/decode"
        assert (await asyncio.to_thread(post, url, payloads_json(sealed)))[0] == 401
        status, body, _ = await asyncio.to_thread(post, url, payloads_json(sealed), AUTH)
        assert status == 200 and from_json(body) == [plain_payload()]
    finally:
        process.terminate()
        await process.wait()


def _listening(port: int) -> Callable[[], Awaitable[None]]:
    async def check() -> None:
        assert port_in_use(port)

    return check


def test_codec_server_command_needs_keys_and_makes_new_ones(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from starter.cli import app

    env = {"LOV_CONFIG": str(tmp_path / "none.toml")}
    refused = CliRunner().invoke(app, ["codec-server"], env=env)
    assert refused.exit_code == 2
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("fel: LOV_CODEC_KEYS:"), line
    made = CliRunner().invoke(app, ["codec-server", "--new-key"], env=env)
    assert made.exit_code == 0
    assert len(parse_key("ny", made.stdout.strip())) == 32


def test_serve_runs_its_codec_server_with_a_private_token(tmp_path: Path) -> None:
    from starter.private_files import TOKEN_FILE
    from starter.serve import embedded_codec_server

    plain = Settings(var_dir=tmp_path)
    with embedded_codec_server(plain, tmp_path) as access:
        assert access is None
    assert not (tmp_path / TOKEN_FILE).exists()

    port = free_port()
    keyed = settings_with({"k1": KEY_A}, codec_server_port=port)
    sealed = payloads_json(EncryptionCodec({"k1": KEY_A}, "k1").encrypt(plain_payload()))
    with embedded_codec_server(keyed, tmp_path) as access:
        assert access is not None
        url, token = access
        assert url == f"http://127.0.0.1:{port}"
        token_file = tmp_path / TOKEN_FILE
        assert token_file.read_text().strip() == token and len(token) >= 32
        assert token_file.stat().st_mode & 0o777 == 0o600
        assert post(f"{url}/decode", sealed)[0] == 401
        status, body, _ = post(f"{url}/decode", sealed, {"Authorization": f"Bearer {token}"})
        assert status == 200 and from_json(body) == [plain_payload()]
    # The same token on the next start: a signed-in browser keeps working.
    with embedded_codec_server(keyed, tmp_path) as again:
        assert again is not None and again[1] == token
    # A configured token wins, and no file is needed for it.
    configured = keyed.model_copy(update={"codec_server_token": SecretStr(TOKEN)})
    with embedded_codec_server(configured, tmp_path) as access:
        assert access is not None and access[1] == TOKEN
        assert post(f"{access[0]}/decode", sealed, AUTH)[0] == 200
