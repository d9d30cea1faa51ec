"""Payload encryption: AES-256-GCM on every payload lovflow hands to Temporal.

Temporal's database keeps workflow inputs, results, update arguments, activity inputs and
results, memos and (with `DefaultFailureConverterWithEncodedAttributes`) failure messages. They
carry provider names, e-mail addresses and report fields, so with keys configured each payload is
replaced by an encrypted one:

    metadata: {"encoding": "binary/encrypted", "encryption-key-id": "<key id>"}
    data:     12-byte random nonce || AES-GCM(ciphertext || 16-byte tag)

The plaintext is the whole original payload (metadata and data, serialized protobuf), so nothing
of it, not even its encoding, is readable. The key id is authenticated as associated data: a
payload whose key id was edited does not decrypt.

Rotation: a new key is added under a new id and made active; payloads are encrypted with the
active key, and every configured key still decrypts what was written with it (histories live for
years, so an old key is removed only when no retained history still uses it).

Search attributes and workflow ids are not payloads and stay readable: they carry no personal
data (models.runtime.search_attributes; ids are built from org numbers and generated numbers only).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

# cryptography is imported where a key is used: every CLI command imports this module (through
# the settings), and only a deployment with LOV_CODEC_KEYS needs AES-GCM (docs/PERFORMANCE.md,
# CLI start-up).
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12  # 96 bits, as NIST SP 800-38D recommends for GCM
KEY_BYTES = 32  # AES-256
_KEY_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _quote(key_id: str | None) -> str:
    """A key id as messages show it: short, since a mistyped setting may be anything (even a
    key pasted in the wrong place)."""
    text = repr(key_id)
    return text if len(text) <= 24 else text[:24] + "…"


class CodecError(ValueError):
    """A key setting that cannot be used, or a payload that cannot be decrypted.

    Messages name the key id and what is wrong, never key material."""


def parse_key(key_id: str, encoded: str) -> bytes:
    """A base64 (standard or URL-safe) 32-byte key → its bytes, or CodecError naming the id."""
    if not _KEY_ID_RE.match(key_id):
        raise CodecError(
            f"LOV_CODEC_KEYS: nyckel-id {_quote(key_id)} är ogiltigt (key id: letters, digits, "
            ". _ -; at most 64 characters)"
        )
    text = encoded.strip()
    try:
        raw = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise CodecError(
            f"LOV_CODEC_KEYS[{key_id}]: inte base64 (not base64); skapa en nyckel med "
            "`lov codec-server --new-key`"
        ) from None
    if len(raw) != KEY_BYTES:
        raise CodecError(
            f"LOV_CODEC_KEYS[{key_id}]: nyckeln ska vara {KEY_BYTES} byte (AES-256), "
            f"är {len(raw)} byte (wrong key length)"
        )
    return raw


def new_key() -> str:
    """A fresh random key, base64, for LOV_CODEC_KEYS."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return base64.b64encode(AESGCM.generate_key(bit_length=KEY_BYTES * 8)).decode()


def codec_from_keys(
    encoded: Mapping[str, str], active_key_id: str | None
) -> EncryptionCodec | None:
    """The codec for LOV_CODEC_KEYS (id → base64 key) and LOV_CODEC_ACTIVE_KEY, None when no
    keys are set (plain payloads); CodecError naming the setting when they cannot be used."""
    # Empty counts as unset: compose passes `LOV_CODEC_ACTIVE_KEY=` when .env leaves it out.
    active = active_key_id or None
    if not encoded:
        if active:
            raise CodecError(
                "LOV_CODEC_ACTIVE_KEY är satt men LOV_CODEC_KEYS är tom (no keys configured)"
            )
        return None
    keys = {key_id: parse_key(key_id, value) for key_id, value in encoded.items()}
    if active is None:
        if len(keys) > 1:
            raise CodecError(
                "LOV_CODEC_ACTIVE_KEY: krävs när LOV_CODEC_KEYS har flera nycklar "
                "(which key encrypts new payloads?)"
            )
        active = next(iter(keys))
    return EncryptionCodec(keys, active)


class UnknownKeyError(CodecError):
    """A payload encrypted with a key this process does not have: LOV_CODEC_KEYS lacks it."""


class EncryptionCodec(PayloadCodec):
    """Encrypts with the active key; decrypts with whichever configured key the payload names.

    Payloads that are not encrypted pass through `decode` unchanged, so histories written before
    encryption was switched on still replay and still show in the CLI."""

    def __init__(self, keys: Mapping[str, bytes], active_key_id: str) -> None:
        if not keys:
            raise CodecError("LOV_CODEC_KEYS: inga nycklar (no keys)")
        if active_key_id not in keys:
            raise CodecError(
                f"LOV_CODEC_ACTIVE_KEY: {_quote(active_key_id)} finns inte i LOV_CODEC_KEYS "
                f"(known ids: {', '.join(sorted(keys))})"
            )
        for key_id, key in keys.items():
            if len(key) != KEY_BYTES:
                raise CodecError(f"LOV_CODEC_KEYS[{key_id}]: nyckeln ska vara {KEY_BYTES} byte")
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._ciphers: dict[str, AESGCM] = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._active = active_key_id

    @property
    def active_key_id(self) -> str:
        return self._active

    @property
    def key_ids(self) -> list[str]:
        return sorted(self._ciphers)

    def encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        key_id = self._active.encode()
        sealed = self._ciphers[self._active].encrypt(nonce, payload.SerializeToString(), key_id)
        return Payload(metadata={"encoding": ENCODING, KEY_ID: key_id}, data=nonce + sealed)

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        raw_id = payload.metadata.get(KEY_ID)
        key_id = raw_id.decode("utf-8", "replace") if raw_id is not None else None
        cipher = self._ciphers.get(key_id) if key_id is not None else None
        if cipher is None or raw_id is None:
            raise UnknownKeyError(
                f"LOV_CODEC_KEYS: okänd krypteringsnyckel {_quote(key_id)} (unknown encryption "
                f"key id); kända: {', '.join(self.key_ids)}. Lägg till nyckeln i LOV_CODEC_KEYS."
            )
        from cryptography.exceptions import InvalidTag

        data = payload.data
        if len(data) < NONCE_BYTES + 16:
            raise CodecError(f"krypterad payload med nyckel {key_id!r} är för kort (truncated)")
        try:
            plain = cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], raw_id)
        except InvalidTag:
            raise CodecError(
                f"krypterad payload med nyckel {key_id!r} kan inte dekrypteras: ändrad eller "
                "fel nyckel (authentication failed)"
            ) from None
        decoded = Payload()
        decoded.ParseFromString(plain)
        return decoded

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]
