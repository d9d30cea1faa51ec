"""services/portal_recoveries.py on SQLite records: a provider's open cases and one case are
its own only (another provider's case is "no such case", as a case that does not exist), and an
answer is refused, naming its field, before anything is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio

from models.records.db import upgrade
from models.records.store import RecordStore
from services import portal_recoveries
from services.errors import ActionError
from services.portal import PortalProvider
from tests.support.desk import records
from tests.support.helpers import random_org_nr

AT = datetime(2027, 3, 1, tzinfo=UTC)


def _provider(org: str) -> PortalProvider:
    return PortalProvider(org, org.replace("-", ""), "Omsorg AB", "kontakt@omsorg.example", None)


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[RecordStore]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    async with records(url) as found:
        yield found


async def _case(store: RecordStore, org: str, number: int, status: str) -> str:
    case_id = f"{org.replace('-', '')}-2027-{number:03d}"
    await store.upsert_recovery(
        case_id,
        org,
        status,
        Decimal("1479.25"),
        AT,
        workflow_id=f"recovery-{case_id}",
        year=2027,
        claimed_amount=Decimal("1479.25"),
        response_due=date(2027, 3, 15),
    )
    return case_id


async def test_a_provider_sees_its_own_open_cases_only(store: RecordStore) -> None:
    mine, theirs = random_org_nr(), random_org_nr()
    noticed = await _case(store, mine, 1, "noticed")
    await _case(store, mine, 2, "paid")
    their = await _case(store, theirs, 1, "noticed")
    me = _provider(mine)
    assert [c.recovery_id for c in await portal_recoveries.open_cases(store, me)] == [noticed]
    found = await portal_recoveries.case(store, me, noticed)
    assert found.case.recovery_id == noticed and found.answerable
    for other in (their, "nonsense", f"{mine.replace('-', '')}-2027-009"):
        with pytest.raises(ActionError) as err:
            await portal_recoveries.case(store, me, other)
        assert err.value.field == "case"


def test_an_answer_is_checked_before_it_is_sent() -> None:
    me = _provider(random_org_nr())
    for outcome, comment, field in [
        ("", "", "outcome"),
        ("godta", "", "outcome"),
        ("dispute", " \n ", "comment"),
        ("dispute", "x" * (portal_recoveries.MAX_COMMENT + 1), "comment"),
    ]:
        with pytest.raises(ActionError) as err:
            portal_recoveries.respond_request(me, outcome, comment)
        assert err.value.field == field, (outcome, comment)
    request = portal_recoveries.respond_request(me, "dispute", "  Fel timmar.  ")
    assert (request.outcome, request.comment, request.actor) == (
        "dispute",
        "Fel timmar.",
        "kontakt@omsorg.example",
    )
    assert portal_recoveries.respond_request(me, "accept", "").outcome == "accept"
