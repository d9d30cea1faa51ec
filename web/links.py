"""Addresses of the desk's pages. A provider is named by services.provider_refs (never by a
personnummer); a duty by its provider, obligation key and period; an application by its id."""

from __future__ import annotations

import re
from urllib.parse import quote

from models.domain.provider_id import is_personal, is_ref
from services.provider_refs import address_ref
from services.providers import list_providers
from web.desk import Desk

# models.ids's shape of an application id (its check of the org nr aside: any stored id whose
# part is not a personnummer may be linked, and the page finds it in the records or not).
_APPLICATION_ID = re.compile(r"application-(ef-[0-9a-f]{16}|[0-9]{8}|[0-9]{10})-[1-9][0-9]{0,3}")


def provider_href(desk: Desk, org_nr: str) -> str | None:
    ref = address_ref(org_nr, desk.ids)
    return None if ref is None else f"/providers/{ref}"


def duty_href(desk: Desk, org_nr: str, obligation: str, period: str) -> str | None:
    base = provider_href(desk, org_nr)
    if base is None:
        return None
    return f"{base}/duties/{quote(obligation, safe='')}/{quote(period, safe='')}"


def meeting_href(desk: Desk, org_nr: str, period: str) -> str | None:
    """A meeting by its provider's name in addresses and its period (2027-H1)."""
    ref = address_ref(org_nr, desk.ids)
    return None if ref is None else f"/meetings/{ref}/{quote(period, safe='')}"


def application_id_in_address(application_id: str) -> bool:
    """Whether an application id may stand in an address: `application-<part>-<n>` names a
    company by its org nr's digits and a sole trader by its opaque key, so it holds no
    personal data, unless it was made with a sole trader's digits (no key configured)."""
    found = _APPLICATION_ID.fullmatch(application_id)
    if found is None:
        return False
    return is_ref(found.group(1)) or not is_personal(found.group(1))


def application_href(application_id: str) -> str | None:
    if not application_id_in_address(application_id):
        return None
    return f"/applications/{quote(application_id, safe='')}"


async def provider_options(desk: Desk) -> list[tuple[str, str]]:
    """Providers with an active contract, for a form's choice: (address ref, label). A sole
    trader's org nr is a personnummer, so its label is the name only."""
    found = []
    for row in await list_providers(desk.store, None, "active", None):
        ref = address_ref(row.org_nr, desk.ids)
        if ref is not None:
            shown = row.name if is_personal(row.org_nr) else f"{row.name} ({row.org_nr})"
            found.append((ref, shown))
    return found
