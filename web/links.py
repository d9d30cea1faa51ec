"""Addresses of the desk's pages. A provider is named by services.provider_refs (never by a
personnummer); a duty by its provider, obligation key and period."""

from __future__ import annotations

from urllib.parse import quote

from services.provider_refs import address_ref
from web.desk import Desk


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
