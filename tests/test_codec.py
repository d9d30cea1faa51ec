"""Payload encryption (models.codec): round trip, key rotation, tampering, unknown keys, the
settings that build it, and the codec server over real HTTP."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.contrib.pydantic import pydantic_data_converter

from models.codec import ENCODING, KEY_ID, CodecError, EncryptionCodec, new_key, parse_key
from models.messages import Provider
from models.settings import Settings
from models.temporal import TemporalSetupError, codec, data_converter
from starter.codec_server import running
from tests.helpers import free_port

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


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any, Any]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read()), err.headers


def payloads_json(*payloads: Payload) -> bytes:
    return json_format.MessageToJson(Payloads(payloads=list(payloads))).encode()


def from_json(body: Any) -> list[Payload]:
    return list(json_format.ParseDict(body, Payloads()).payloads)


def test_codec_server_decodes_and_encodes_over_http() -> None:
    settings = settings_with({"k1": KEY_A})
    sealed = EncryptionCodec({"k1": KEY_A}, "k1").encrypt(plain_payload())
    with running(settings) as base:
        status, body, headers = post(f"{base}/decode", payloads_json(sealed), {"Origin": UI})
        assert status == 200, body
        assert from_json(body) == [plain_payload()]
        assert headers["Access-Control-Allow-Origin"] == UI
        # Any prefix: only the last part of the path counts (protocol).
        status, body, _ = post(f"{base}/default/encode", payloads_json(plain_payload()))
        assert status == 200
        [encoded] = from_json(body)
        assert encoded.metadata["encoding"] == ENCODING
        assert EncryptionCodec({"k1": KEY_A}, "k1").decrypt(encoded) == plain_payload()
        # Wrong input: a clear 400, never a crash.
        status, body, _ = post(f"{base}/decode", b"{not json")
        assert status == 400 and "Payloads" in body["error"]
        status, body, _ = post(f"{base}/nothing", payloads_json(sealed))
        assert status == 404
        other = EncryptionCodec({"x": KEY_B}, "x").encrypt(plain_payload())
        status, body, _ = post(f"{base}/decode", payloads_json(other))
        assert status == 400 and "'x'" in body["error"]


def test_codec_server_cors_only_for_the_web_ui() -> None:
    with running(settings_with({"k1": KEY_A})) as base:
        for origin, allowed in ((UI, True), ("http://evil.example", False)):
            request = urllib.request.Request(
                f"{base}/decode",
                method="OPTIONS",
                headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status, headers = response.status, response.headers
            except urllib.error.HTTPError as err:
                status, headers = err.code, err.headers
            if allowed:
                assert status == 204
                assert headers["Access-Control-Allow-Origin"] == UI
                assert "X-Namespace" in headers["Access-Control-Allow-Headers"]
            else:
                assert status == 403
                assert headers["Access-Control-Allow-Origin"] is None


def test_codec_server_token() -> None:
    settings = settings_with({"k1": KEY_A}, codec_server_token=SecretStr("s3cret-token"))
    sealed = EncryptionCodec({"k1": KEY_A}, "k1").encrypt(plain_payload())
    with running(settings) as base:
        status, body, _ = post(f"{base}/decode", payloads_json(sealed))
        assert status == 401
        status, body, _ = post(
            f"{base}/decode", payloads_json(sealed), {"Authorization": "Bearer wrong"}
        )
        assert status == 401
        status, body, _ = post(
            f"{base}/decode", payloads_json(sealed), {"Authorization": "Bearer s3cret-token"}
        )
        assert status == 200 and from_json(body) == [plain_payload()]


def test_codec_server_refuses_to_start_without_keys() -> None:
    with pytest.raises(TemporalSetupError, match="LOV_CODEC_KEYS"), running(Settings()):
        pass


# --- the command and `lov serve` ----------------------------------------------------------------


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


def test_serve_points_the_embedded_web_ui_at_its_codec_server(tmp_path: Path) -> None:
    from starter.serve import dev_server_command, embedded_codec_server

    plain = Settings(var_dir=tmp_path)
    assert "--ui-codec-endpoint" not in dev_server_command(plain, tmp_path)
    with embedded_codec_server(plain) as url:
        assert url is None

    port = free_port()
    keyed = settings_with({"k1": KEY_A}, codec_server_port=port, embedded_ui_port=18233)
    command = dev_server_command(keyed, tmp_path)
    endpoint = command[command.index("--ui-codec-endpoint") + 1]
    assert endpoint == f"http://127.0.0.1:{port}"
    sealed = EncryptionCodec({"k1": KEY_A}, "k1").encrypt(plain_payload())
    with embedded_codec_server(keyed) as url:
        assert url == endpoint
        origin = "http://127.0.0.1:18233"  # the embedded UI's own port is allowed
        status, body, headers = post(f"{url}/decode", payloads_json(sealed), {"Origin": origin})
        assert status == 200 and from_json(body) == [plain_payload()]
        assert headers["Access-Control-Allow-Origin"] == origin
