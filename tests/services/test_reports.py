"""The compliance matrix from a records database shared by three plans (services.reports).

An obligation key belongs to its plan: Sundsvall and Nordanstig both have "self-inspection",
with different titles and dates. Columns show the plan's due date, an item sent back for
komplettering is awaiting completion, a terminated contract is marked, and figures are written
as the plan's readers write them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from models.domain.compliance import Cell, Column, Matrix
from models.records.store import RecordStore
from models.runtime.settings import Settings
from services.reports import ComplianceCache, compliance, plan_infos
from tests.support.compliance_records import (
    AS_OF,
    HYGGE,
    NORRSKOG,
    PLANS_DIR,
    SOLROS,
    TALLEN,
    YEAR,
    hand_in_annual_accounts,
    seed_compliance_year,
    set_annual_accounts,
)
from tests.support.db_fixtures import open_store


@pytest.fixture
async def settings(tmp_path: Path) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_compliance_year(url)
    return Settings(database_url=url, plans_dir=PLANS_DIR)


def column(matrix: Matrix, obligation: str, period: str) -> Column:
    """The one column of `obligation` and `period` (whatever its key's form)."""
    found = [c for c in matrix.columns if c.obligation == obligation and c.period == period]
    assert len(found) == 1, found
    return found[0]


def cell(matrix: Matrix, org_nr: str, obligation: str, period: str) -> Cell:
    col = column(matrix, obligation, period)
    [row] = [r for r in matrix.rows if r.org_nr == org_nr]
    return row.cells[col.key]


async def test_titles_are_looked_up_in_the_plan_of_each_contract(settings: Settings) -> None:
    matrix = await compliance(settings, YEAR, AS_OF)
    sundsvall = column(matrix, "self-inspection", "2027-T1")
    nordanstig = column(matrix, "self-inspection", "2027")
    # Before: the first plan naming the key (Nordanstig) gave both their title.
    assert sundsvall.title == "Egenkontroll – kvalitet och delaktighet i genomförandeplanen"
    assert nordanstig.title == "Egenkontroll inför tillsynsbesök"


async def test_a_column_shows_the_plans_due_date_not_one_providers_deadline(
    settings: Settings,
) -> None:
    matrix = await compliance(settings, YEAR, AS_OF)
    # Solros's komplettering deadline (10 May) and extension (20 August) are its own; the plan
    # says 20 April, and 31 July, a Saturday, which the Swedish calendar moves to 2 August.
    assert column(matrix, "self-inspection", "2027-T1").due == date(2027, 4, 20)
    assert column(matrix, "annual-accounts", "2027").due == date(2027, 8, 2)


async def test_an_item_sent_back_for_completion_is_awaiting_it(settings: Settings) -> None:
    matrix = await compliance(settings, YEAR, AS_OF)
    waiting = cell(matrix, SOLROS[0], "self-inspection", "2027-T1")
    # Handed in on time, then sent back: not "i tid" while the komplettering is missing, and
    # 22 days past its deadline (10 May) on 1 June.
    assert (waiting.state, waiting.days) == ("awaiting_completion", 22)
    assert waiting.label() == "inväntar komplettering 22 d"
    late = cell(matrix, NORRSKOG[0], "self-inspection", "2027")
    assert (late.state, late.days) == ("late", 2)


async def test_a_terminated_contract_is_marked(settings: Settings) -> None:
    matrix = await compliance(settings, YEAR, AS_OF)
    rows = {r.org_nr: r for r in matrix.rows}
    assert rows[TALLEN[0]].contract_status == "terminated"
    assert rows[TALLEN[0]].contract_note == "avtalet har upphört 2027-05-31 (uppsägning)"
    assert rows[SOLROS[0]].contract_note is None
    data = matrix.as_dict()
    by_org = {r["org_nr"]: r for r in data["providers"]}
    assert by_org[TALLEN[0]]["contract_status"] == "terminated"


async def test_figures_are_written_in_swedish(settings: Settings) -> None:
    matrix = await compliance(settings, YEAR, AS_OF)
    [solros] = [r for r in matrix.rows if r.org_nr == SOLROS[0]]
    assert solros.stats["Andel aktuella genomförandeplaner"] == "85,4 %"
    assert solros.stats["Beviljade timmar (kundval, nu)"] == "1 234,50"
    assert solros.stats["Andel aktuella genomförandeplaner (kundval, nu)"] == "100,0 %"


async def test_a_danish_plans_report_is_in_danish(settings: Settings) -> None:
    matrix = await compliance(settings, YEAR, AS_OF, "herning")
    assert [r.org_nr for r in matrix.rows] == [HYGGE[0]]
    assert matrix.language == "da"
    [hygge] = matrix.rows
    assert hygge.stats["Andel aktuelle handleplaner"] == "85,4 %"
    assert hygge.stats["Bevilgede timer (frit valg, nu)"] == "1.234,50"
    waiting = cell(matrix, HYGGE[0], "aggregated-report-response", "2027")
    assert waiting.label("da") == "afventer supplering 12 d"
    assert column(matrix, "aggregated-report-response", "2027").title == (
        "Bemærkninger til den samlede opgørelse"
    )


# --- the desk's cache of matrices (ComplianceCache) --------------------------------------------


class Clock:
    """The cache's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


CLOCK = Clock()


@pytest.fixture
async def kept(settings: Settings) -> AsyncIterator[tuple[ComplianceCache, RecordStore]]:
    """A cache on the test's clock, and the store a desk would give it."""
    assert settings.database_url is not None
    async with open_store(settings.database_url) as store:
        yield ComplianceCache(max_age=30.0, clock=CLOCK), store


async def test_a_kept_matrix_is_shown_while_nothing_changes(
    kept: tuple[ComplianceCache, RecordStore], settings: Settings
) -> None:
    cache, store = kept
    plans = plan_infos(settings)
    first = await cache.matrix(store, YEAR, AS_OF, plans)
    assert await cache.matrix(store, YEAR, AS_OF, plans) is first
    # The same figures as made afresh; another query is another matrix.
    assert first.as_dict() == (await compliance(settings, YEAR, AS_OF)).as_dict()
    assert (await cache.matrix(store, YEAR, AS_OF, plans, "herning")).language == "da"


async def test_a_new_submission_shows_at_once(
    kept: tuple[ComplianceCache, RecordStore], settings: Settings
) -> None:
    cache, store = kept
    plans = plan_infos(settings)
    before = await cache.matrix(store, YEAR, AS_OF, plans)
    assert cell(before, SOLROS[0], "annual-accounts", "2027").state == "not_due"
    assert settings.database_url is not None
    await hand_in_annual_accounts(settings.database_url)
    after = await cache.matrix(store, YEAR, AS_OF, plans)
    assert after is not before
    assert after.as_dict() == (await compliance(settings, YEAR, AS_OF)).as_dict()
    assert cell(after, SOLROS[0], "annual-accounts", "2027").state == "on_time"


async def test_a_change_the_stamp_cannot_see_shows_within_the_age_limit(
    kept: tuple[ComplianceCache, RecordStore], settings: Settings
) -> None:
    cache, store = kept
    plans = plan_infos(settings)
    before = await cache.matrix(store, YEAR, AS_OF, plans)
    # A state written with an old workflow time and no audit event: no mark moves.
    await set_annual_accounts(store, "waived")
    assert await cache.matrix(store, YEAR, AS_OF, plans) is before
    CLOCK.now += 30.0
    after = await cache.matrix(store, YEAR, AS_OF, plans)
    assert cell(after, SOLROS[0], "annual-accounts", "2027").state == "waived"
