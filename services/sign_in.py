"""Who a single sign-on login is in the desk: the rules that turn the identity provider's
(already validated) ID token claims into an `Account`, or refuse it.

- The role comes from one claim (LOV_OIDC_ROLES_CLAIM: a list of groups or roles, or one
  string; a dotted path reaches into an object, e.g. Keycloak's `realm_access.roles`), through
  the map LOV_OIDC_ROLE_MAP from claim values to desk roles. When several values map, the
  strongest role wins (ROLE_PRECEDENCE): a person is not made read-only by also being in an
  auditors' group. No mapped value: refused, nothing logged in.
- The account's username, the actor of every action as a local account's username is, is
  `preferred_username`, else `email`, else `sub`; its display name is `name`, else the
  username. They must be one line and fit the columns an actor is kept in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from models.domain.mailsafe import BREAKS_OR_CONTROLS
from models.records.tables.users import DISPLAY_NAME_LEN, USERNAME_LEN
from services.users import Account

# Strongest first.
ROLE_PRECEDENCE: Final = ("administrator", "manager", "case_officer", "auditor")
NO_ROLE: Final = (
    "Ditt konto i kommunens inloggning har ingen behörighet till LOV-uppföljningen. "
    "Du har inte loggats in. Be den som administrerar behörigheter att ge dig en roll."
)
NO_NAME: Final = (
    "Kommunens inloggning skickade inget användarnamn som går att använda. "
    "Du har inte loggats in. Kontakta den som administrerar inloggningen."
)


class SignInRefused(Exception):
    """The sign-on cannot become a desk login; the message is the page's text (Swedish)."""


def claim_values(claims: Mapping[str, Any], path: str) -> list[str]:
    """The claim's values as strings: a list's strings, or one string; nothing otherwise."""
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def role_of(values: list[str], role_map: Mapping[str, str]) -> str | None:
    mapped = {role_map[value] for value in values if value in role_map}
    return next((role for role in ROLE_PRECEDENCE if role in mapped), None)


def _one_line(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or len(text) > limit or BREAKS_OR_CONTROLS.search(text):
        return None
    return text


def account_from_claims(
    claims: Mapping[str, Any], roles_claim: str, role_map: Mapping[str, str]
) -> Account:
    """The desk account of a validated ID token's claims; SignInRefused when none."""
    role = role_of(claim_values(claims, roles_claim), role_map)
    if role is None:
        raise SignInRefused(NO_ROLE)
    username = next(
        (
            found
            for key in ("preferred_username", "email", "sub")
            if (found := _one_line(claims.get(key), USERNAME_LEN))
        ),
        None,
    )
    if username is None:
        raise SignInRefused(NO_NAME)
    display = _one_line(claims.get("name"), DISPLAY_NAME_LEN) or username
    return Account(username, display, role)
