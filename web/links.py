"""Addresses of the desk's pages. A provider is named by services.provider_refs (never by a
personnummer); a duty by its provider, obligation key and period."""

from __future__ import annotations

from urllib.parse import quote

from models.domain.provider_id import is_personal
from services.provider_refs import address_ref
from services.providers import list_providers
from web.desk import Desk


def provider_href(desk: Desk, org_nr: str) -> str | None:
    ref = address_ref(org_nr, desk.ids)
    return None if ref is None else f"/providers/{ref}"


def duty_href(desk: Desk, org_nr: str, obligation: str, period: str) -> str | None:
    base = provider_href(desk, org_nr)
    if base is None:
        return None
    return f"{base}/duties/{quote(obligation, safe='')}/{quote(period, safe='')}"


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
