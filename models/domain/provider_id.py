"""How a provider is named in engine metadata (workflow ids, search attributes).

A company's organisationsnummer is public and names it there as it always has
(`contract-5560360793`). A sole trader's (enskild firma) org nr *is* the owner's personnummer
(third digit 0 or 1: the birth month; samordningsnummer add 60 to the day, which leaves the
month alone), and Temporal's ids and search attributes are stored and shown in plain text. So
such a provider is named by an opaque key instead: `ef-` + the first 16 hex digits of
HMAC-SHA256(normalised org nr) under a secret key (LOV_PROVIDER_ID_KEY). A plain hash would not
do: there are only a few million valid personnummer, so anyone could hash them all. The org nr
itself stays in encrypted payloads and the records database. docs/IDENTIFIERS.md has the why,
and what key loss and rotation mean.

The CLI and the activities compute the key here, from the org nr typed or carried; workflow code
never sees the secret, only the key it was started with (ContractInput.provider_ref and the like).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from models.domain.orgnr import org_digits
from models.runtime.secret_file import create_once

if TYPE_CHECKING:
    from models.runtime.settings import Settings

SETTING = "LOV_PROVIDER_ID_KEY"
# Where `lov serve` keeps a generated key when none is configured (read by every `lov` command
# and worker with the same LOV_VAR_DIR).
KEY_FILE = "provider-id.key"
REF_PREFIX = "ef-"
_REF_HEX = 16  # 64 bits: no collision among a municipality's providers, short enough to type
KEY_BYTES = 32


class ProviderIdError(ValueError):
    """The key is missing or unusable; the message names LOV_PROVIDER_ID_KEY, never its value."""


def is_personal(org_nr: str) -> bool:
    """True when the org nr has a personnummer's shape (a sole trader's): month digits 01–12,
    i.e. third digit below 2. Legal persons' numbers have 20 or more there."""
    digits = org_digits(org_nr)
    return len(digits) == 10 and digits[2] in "01"


def is_ref(text: str) -> bool:
    """Whether `text` is an opaque provider key (`ef-` and 16 lower-case hex digits)."""
    rest = text.removeprefix(REF_PREFIX)
    return (
        text.startswith(REF_PREFIX)
        and len(rest) == _REF_HEX
        and all(c in "0123456789abcdef" for c in rest)
    )


def parse_key(encoded: str) -> bytes:
    """Base64 (standard or URL-safe) of 32 random bytes → the bytes; ProviderIdError otherwise."""
    try:
        raw = base64.b64decode(encoded.strip().replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise ProviderIdError(f"{SETTING}: inte base64 (not base64)") from None
    if len(raw) != KEY_BYTES:
        raise ProviderIdError(
            f"{SETTING}: nyckeln ska vara {KEY_BYTES} byte, är {len(raw)} byte (wrong key length)"
        )
    return raw


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def key_file(settings: Settings) -> Path:
    return settings.var_dir / KEY_FILE


def load_key(settings: Settings) -> bytes | None:
    """The configured key, else the one `lov serve` generated under var/, else None."""
    if settings.provider_id_key is not None and settings.provider_id_key.get_secret_value():
        return parse_key(settings.provider_id_key.get_secret_value())
    path = key_file(settings)
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ProviderIdError(f"{SETTING}: kan inte läsa {path} (cannot read): {exc}") from None
    try:
        return parse_key(text)
    except ProviderIdError as err:
        raise ProviderIdError(f"{err} ({path})") from None


def ensure_key_file(settings: Settings) -> Path | None:
    """For `lov serve`: generate the key once under var/ (mode 0600) when none is configured.
    Returns the file when it is the key in use, None when the setting is. Never prints it."""
    if settings.provider_id_key is not None and settings.provider_id_key.get_secret_value():
        return None
    path = key_file(settings)
    create_once(path, new_key)
    load_key(settings)  # refuse a damaged file now rather than at the first enskild firma
    return path


@dataclass(frozen=True)
class ProviderIds:
    """Computes a provider's key for ids and search attributes; holds the secret (not printed:
    the dataclass repr leaves it out)."""

    key: bytes | None = None

    def __repr__(self) -> str:
        return f"ProviderIds(key={'set' if self.key else 'unset'})"

    @classmethod
    def from_settings(cls, settings: Settings) -> ProviderIds:
        return cls(load_key(settings))

    def ref(self, org_nr: str) -> str | None:
        """The opaque key for a personnummer-shaped org nr, None for a company (whose ids use
        the org nr digits, unchanged). ProviderIdError when the secret is not configured."""
        if not is_personal(org_nr):
            return None
        if self.key is None:
            raise ProviderIdError(
                f"{SETTING}: krävs för enskild firma (personnummer som organisationsnummer); "
                "sätt en hemlig nyckel, se docs/IDENTIFIERS.md (key not configured)"
            )
        mac = hmac.new(self.key, org_digits(org_nr).encode(), hashlib.sha256)
        return REF_PREFIX + mac.hexdigest()[:_REF_HEX]


def address_ref(org_nr: str, ids: ProviderIds) -> str | None:
    """The provider's name in addresses (the desk's pages, the portal's links): a company by its
    org nr's digits, a sole trader by its opaque key; None for a sole trader when no key is
    configured (then nothing can name it without its personnummer)."""
    if not is_personal(org_nr):
        return org_digits(org_nr)
    try:
        return ids.ref(org_nr)
    except ProviderIdError:
        return None
