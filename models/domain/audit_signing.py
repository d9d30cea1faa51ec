"""Ed25519 seals for audit exports: who may vouch for an export, and checking that they did.

A SHA-256 chain shows that lines were not changed *after* the chain was computed, but anyone can
recompute it over an edited file. So the exporting installation signs the seal line (whose hash
covers every line before it) with a private key only it holds; a verifier needs only the public
key, looked up by the key id the export carries. Keys are rotated by adding a new id: old public
keys stay in `LOV_AUDIT_PUBLIC_KEYS` so that exports sealed years ago still verify.

Keys are 32 raw bytes in base64, as `lov audit keygen` prints them. Messages name the setting
and the key id, never key material.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from models.runtime.settings import Settings

KEY_BYTES = 32
KEY_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Domain separation: a signature over an audit seal cannot be replayed as any other signature.
_CONTEXT = b"lovflow-audit seal v2\n"


class SigningKeyError(ValueError):
    """A signing or public key setting that cannot be used; the message names the setting."""


@dataclass(frozen=True)
class Signer:
    key_id: str
    key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.key.public_key()

    def sign(self, seal_hash: str) -> str:
        return base64.b64encode(self.key.sign(_CONTEXT + seal_hash.encode("ascii"))).decode()

    def __repr__(self) -> str:  # never the key
        return f"Signer(key_id={self.key_id!r})"


def signature_holds(public: Ed25519PublicKey, seal_hash: str, signature: str) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
        public.verify(raw, _CONTEXT + seal_hash.encode("ascii"))
    except (binascii.Error, ValueError, InvalidSignature, UnicodeEncodeError):
        return False
    return True


def _raw(encoded: str, setting: str, key_id: str) -> bytes:
    try:
        raw = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise SigningKeyError(
            f"{setting}: nyckeln för {key_id!r} är inte 32 byte i base64 "
            "(not a 32-byte base64 key; make one with `lov audit keygen`)"
        )
    return raw


def check_key_id(key_id: str, setting: str) -> str:
    if not KEY_ID_RE.match(key_id):
        raise SigningKeyError(
            f"{setting}: nyckel-id {key_id!r} är ogiltigt (key id: letters, digits, . _ -; "
            "at most 64 characters)"
        )
    return key_id


def new_key_pair() -> tuple[str, str]:
    """(private, public), each 32 raw bytes in base64."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(private).decode(), base64.b64encode(public).decode()


def public_key_text(public: Ed25519PublicKey) -> str:
    return base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def signer(settings: Settings) -> Signer | None:
    """The configured signing key, or None when none is set (exports are then not sealed)."""
    secret = settings.audit_signing_key
    key_id = settings.audit_signing_key_id or None
    if secret is None or not secret.get_secret_value().strip():
        if key_id:
            raise SigningKeyError(
                "LOV_AUDIT_SIGNING_KEY: saknas men LOV_AUDIT_SIGNING_KEY_ID är satt (no key)"
            )
        return None
    if key_id is None:
        raise SigningKeyError(
            "LOV_AUDIT_SIGNING_KEY_ID: krävs med LOV_AUDIT_SIGNING_KEY "
            "(which id does the key have?)"
        )
    check_key_id(key_id, "LOV_AUDIT_SIGNING_KEY_ID")
    raw = _raw(secret.get_secret_value(), "LOV_AUDIT_SIGNING_KEY", key_id)
    return Signer(key_id, Ed25519PrivateKey.from_private_bytes(raw))


def public_keys(settings: Settings) -> dict[str, Ed25519PublicKey]:
    """Every public key an export may be sealed with: `LOV_AUDIT_PUBLIC_KEYS` (old and current
    keys by id) and the public half of the configured signing key."""
    keys: dict[str, Ed25519PublicKey] = {}
    for key_id, encoded in settings.audit_public_keys.items():
        check_key_id(key_id, "LOV_AUDIT_PUBLIC_KEYS")
        raw = _raw(encoded, "LOV_AUDIT_PUBLIC_KEYS", key_id)
        keys[key_id] = Ed25519PublicKey.from_public_bytes(raw)
    own = signer(settings)
    if own is not None:
        listed = keys.get(own.key_id)
        if listed is not None and public_key_text(listed) != public_key_text(own.public_key):
            raise SigningKeyError(
                f"LOV_AUDIT_PUBLIC_KEYS: {own.key_id!r} är inte den publika nyckeln till "
                "LOV_AUDIT_SIGNING_KEY (the listed public key does not match the signing key)"
            )
        keys[own.key_id] = own.public_key
    return keys


def known(keys: Mapping[str, Ed25519PublicKey]) -> str:
    return ", ".join(sorted(keys)) or "inga (none)"
