"""The portal's application layer on a real SQLite records database: who a link admits (and
when it admits nobody: expired, tampered, revoked by a contact change), that a provider reaches
only its own duties, and the limits on link requests."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from models.domain import portal_token
from models.domain.provider_id import ProviderIds, parse_key
from models.records.db import upgrade
from models.records.store import RecordStore
from models.runtime.settings import Settings
from services import portal
from services.errors import ActionError
from services.portal import PortalRefused, TooManyRequests
from tests.support.db_fixtures import open_store
from tests.support.desk import PROVIDER_KEY, SOLE_TRADER, add_sole_trader

SECRET = "portal-test-secret-" + "x" * 30
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
A, B = "556036-0793", "556405-7813"
A_MAIL, B_MAIL = "kontakt@norr.example", "info@soder.example"
DUE = date(2027, 3, 20)


@dataclass
class Portal:
    store: RecordStore
    settings: Settings
    ids: ProviderIds
    url: str


async def _provider(store: RecordStore, org: str, name: str, email: str, period: str) -> None:
    digits = org.replace("-", "")
    await store.upsert_provider(org, name, email, NOW)
    await store.record_contract(f"contract-{digits}", org, "sundsvall", date(2026, 1, 1), NOW)
    await store.upsert_occurrence(
        f"obligation-{digits}-annual-report-{period}",
        org,
        "annual-report",
        period,
        DUE,
        DUE,
        "lov-admin",
        "open",
        False,
        0,
        NOW,
    )


@pytest_asyncio.fixture
async def records(tmp_path: Path) -> AsyncIterator[Portal]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    settings = Settings(var_dir=tmp_path / "var", database_url=url, portal_link_days=30)
    async with open_store(url) as store:
        await _provider(store, A, "Omsorg i Norr AB", A_MAIL, "2027")
        # B has a period A has not: a duty only B owes.
        await _provider(store, B, "Söder Omsorg AB", B_MAIL, "2026")
        yield Portal(store, settings, ProviderIds(parse_key(PROVIDER_KEY)), url)


def _token(link: str | None) -> str:
    assert link is not None
    return link.rsplit("/", 1)[1]


async def test_a_link_admits_its_provider(records: Portal) -> None:
    link = portal.link_for(records.settings, records.ids, SECRET, A, A_MAIL, NOW)
    assert link is not None and link.startswith("http://127.0.0.1:8080/portal/")
    who = await portal.admit(records.store, records.ids, SECRET, _token(link), NOW + timedelta(1))
    assert (who.org_nr, who.email, who.plan_id) == (A, A_MAIL, "sundsvall")


async def test_an_expired_link_is_refused(records: Portal) -> None:
    token = _token(portal.link_for(records.settings, records.ids, SECRET, A, A_MAIL, NOW))
    later = NOW + timedelta(days=30)
    with pytest.raises(PortalRefused) as refused:
        await portal.admit(records.store, records.ids, SECRET, token, later)
    assert refused.value.reason == "expired"


async def test_a_tampered_link_is_refused(records: Portal) -> None:
    token = _token(portal.link_for(records.settings, records.ids, SECRET, A, A_MAIL, NOW))
    with pytest.raises(PortalRefused) as refused:
        await portal.admit(records.store, records.ids, SECRET, token[:-4] + "AAAA", NOW)
    assert refused.value.reason == "invalid"


async def test_a_contact_change_revokes_the_links_sent_before(records: Portal) -> None:
    token = _token(portal.link_for(records.settings, records.ids, SECRET, A, A_MAIL, NOW))
    await records.store.upsert_provider(A, "Omsorg i Norr AB", "ny@norr.example", NOW)
    with pytest.raises(PortalRefused) as refused:
        await portal.admit(records.store, records.ids, SECRET, token, NOW)
    assert refused.value.reason == "revoked"
    # A link to the new address works.
    fresh = portal.link_for(records.settings, records.ids, SECRET, A, "ny@norr.example", NOW)
    assert (await portal.admit(records.store, records.ids, SECRET, _token(fresh), NOW)).org_nr == A


async def test_a_token_for_an_unknown_provider_is_refused(records: Portal) -> None:
    token = portal_token.issue(SECRET, "5565946245", A_MAIL, NOW, timedelta(days=1))
    with pytest.raises(PortalRefused):
        await portal.admit(records.store, records.ids, SECRET, token, NOW)


async def test_a_provider_reaches_only_its_own_duties(records: Portal) -> None:
    token = _token(portal.link_for(records.settings, records.ids, SECRET, A, A_MAIL, NOW))
    a = await portal.admit(records.store, records.ids, SECRET, token, NOW)
    listed = await portal.duties(records.store, a, {"annual-report": "Årlig redovisning"})
    assert [(d.obligation, d.period, d.title) for d in listed] == [
        ("annual-report", "2027", "Årlig redovisning")
    ]
    # B's duty (period 2026) is not found for A, whatever the page's address says.
    with pytest.raises(ActionError):
        await portal.duty(records.store, a, "annual-report", "2026", records.settings.plans_dir)
    own = await portal.duty(records.store, a, "annual-report", "2027", records.settings.plans_dir)
    assert own.facts.org_nr == A and own.answerable
    assert own.needs is not None and own.needs.fields  # what the plan asks for


async def test_a_sole_trader_is_named_by_its_key_not_its_personnummer(records: Portal) -> None:
    await add_sole_trader(records.url, DUE)
    link = portal.link_for(
        records.settings, records.ids, SECRET, SOLE_TRADER, "eva@example.org", NOW
    )
    token = _token(link)
    payload = base64.urlsafe_b64decode(token.split(".")[0] + "==").decode()
    assert SOLE_TRADER.replace("-", "")[:6] not in payload
    who = await portal.admit(records.store, records.ids, SECRET, token, NOW)
    assert who.org_nr == SOLE_TRADER
    # Without the provider-id key no address can name a sole trader: no link.
    assert (
        portal.link_for(records.settings, ProviderIds(None), SECRET, SOLE_TRADER, "e@x.se", NOW)
        is None
    )


async def test_link_requests_find_the_contact_and_are_limited(records: Portal) -> None:
    store = records.store
    assert await portal.link_requested(store, "KONTAKT@norr.example ", "192.0.2.1", NOW) == [A]
    assert await portal.link_requested(store, "okand@example.org", "192.0.2.1", NOW) == []
    assert await portal.link_requested(store, "inte en adress", "192.0.2.1", NOW) == []
    # A third request for the same address in the window is still answered; a fourth is not.
    await portal.link_requested(store, A_MAIL, "192.0.2.2", NOW)
    await portal.link_requested(store, A_MAIL, "192.0.2.3", NOW)
    with pytest.raises(TooManyRequests):
        await portal.link_requested(store, A_MAIL, "192.0.2.4", NOW)
    # After the window it is answered again.
    later = NOW + portal.LINK_WINDOW + timedelta(seconds=1)
    assert await portal.link_requested(store, A_MAIL, "192.0.2.4", later) == [A]


async def test_link_requests_are_limited_per_client(records: Portal) -> None:
    for n in range(portal.MAX_LINKS_PER_CLIENT):
        await portal.link_requested(records.store, f"x{n}@example.org", "198.51.100.7", NOW)
    with pytest.raises(TooManyRequests):
        await portal.link_requested(records.store, B_MAIL, "198.51.100.7", NOW)
    # Another client is not affected.
    assert await portal.link_requested(records.store, B_MAIL, "198.51.100.8", NOW) == [B]
