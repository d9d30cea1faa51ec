"""Audit signing keys for tests: a fresh Ed25519 key pair under an id, as `lov audit keygen`
makes one."""

from __future__ import annotations

from pydantic import SecretStr

from models.domain.audit_signing import Signer, new_key_pair, signer
from models.runtime.settings import Settings


def make_signer(key_id: str) -> tuple[Signer, str]:
    """A fresh signing key under `key_id`, and its public key in base64."""
    private, public = new_key_pair()
    made = signer(Settings(audit_signing_key=SecretStr(private), audit_signing_key_id=key_id))
    assert made is not None
    return made, public
