"""Signed portal tokens: the personal link in a provider's e-mail, and the provider's visit.

A token is itsdangerous' signed, URL-safe JSON of three things:
- the provider, by its name in addresses (services.provider_refs: a company's org nr digits, a
  sole trader's opaque key), so a link in a mail client, a proxy log or a browser's history
  holds no personnummer;
- the contact generation: an HMAC of the provider's registered contact address under the
  secret. When the contact changes, the generation the records give differs from the token's,
  so every link sent to the old address stops working; no table of issued links is needed, and
  the address itself cannot be read back from the token;
- the expiry, checked against the caller's clock (so the tests can be on any day).

Links and visits are signed under different salts, so neither can stand in for the other. The
secret is the web desk's (models.runtime.web_secret); a salt derives a key of its own from it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

from itsdangerous import BadSignature, URLSafeSerializer

from models.domain.provider_id import ProviderIds, address_ref

Purpose = Literal["lov-portal-link", "lov-portal-visit"]
LINK: Final[Purpose] = "lov-portal-link"
VISIT: Final[Purpose] = "lov-portal-visit"
# A token longer than this is not read at all (it is in a URL or a cookie).
MAX_TOKEN = 600


class TokenRefused(Exception):
    """The token cannot be used: `reason` is "invalid" (tampered, malformed, another purpose's)
    or "expired"."""

    def __init__(self, reason: Literal["invalid", "expired"]) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Grant:
    """What a valid token says: which provider, for which contact, until when."""

    provider_ref: str
    contact: str
    expires: datetime


def contact_generation(secret: str, email: str) -> str:
    """The contact generation of an address (case and surrounding space do not count)."""
    message = b"lov-portal-contact\0" + email.strip().lower().encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:24]


def issue(
    secret: str,
    provider_ref: str,
    email: str,
    now: datetime,
    lifetime: timedelta,
    purpose: Purpose = LINK,
) -> str:
    payload = {
        "p": provider_ref,
        "c": contact_generation(secret, email),
        "e": int((now + lifetime).timestamp()),
    }
    return URLSafeSerializer(secret, salt=purpose).dumps(payload)


def read(secret: str, token: str, now: datetime, purpose: Purpose = LINK) -> Grant:
    """The grant of a genuine, unexpired token of `purpose`; TokenRefused otherwise."""
    if not token or len(token) > MAX_TOKEN:
        raise TokenRefused("invalid")
    try:
        data = URLSafeSerializer(secret, salt=purpose).loads(token)
    except BadSignature:
        raise TokenRefused("invalid") from None
    if not isinstance(data, dict):
        raise TokenRefused("invalid")
    ref, contact, expires = data.get("p"), data.get("c"), data.get("e")
    if not (isinstance(ref, str) and isinstance(contact, str) and isinstance(expires, int)):
        raise TokenRefused("invalid")
    until = datetime.fromtimestamp(expires, UTC)
    if now >= until:
        raise TokenRefused("expired")
    return Grant(ref, contact, until)


def same_contact(secret: str, grant: Grant, email: str | None) -> bool:
    """Whether the grant was issued for the provider's current contact address."""
    if not email:
        return False
    return hmac.compare_digest(grant.contact, contact_generation(secret, email))


def link(base: str, token: str) -> str:
    return f"{base.rstrip('/')}/{token}"


def link_for(
    base: str,
    lifetime: timedelta,
    ids: ProviderIds,
    secret: str,
    org_nr: str,
    email: str,
    now: datetime,
) -> str | None:
    """The personal portal link for the provider's contact `email` under the portal address
    `base`, valid for `lifetime`; None for a sole trader when no provider-id key is configured
    (no address can name it)."""
    ref = address_ref(org_nr, ids)
    if ref is None:
        return None
    return link(base, issue(secret, ref, email, now, lifetime))
