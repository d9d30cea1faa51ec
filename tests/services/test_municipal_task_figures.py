"""The municipality's own duties in the compliance report (issue 19 point 4): per plan and role
the tasks due in the year done on time, done late, not done and escalated; per provider the
tasks done at it (a tillsynsbesök). In the JSON, the CSV, the text and the HTML
(services.reports, models.domain.municipal_figures, `lov report compliance`); the rest of the
report as it was. Records only (no Temporal): fast."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from models.domain.compliance import Matrix, matrix_csv, matrix_json
from models.runtime.settings import Settings
from services.reports import compliance
from starter.report import matrix_html, matrix_text
from tests.support.compliance_records import (
    AS_OF,
    NORRSKOG,
    PLANS_DIR,
    SOLROS,
    YEAR,
    seed_compliance_year,
)
from tests.support.db_fixtures import open_store

AT = datetime(2027, 6, 1, 9, tzinfo=UTC)
OWNER = "kvalitetsuppfoljare"
# (plan, task id, duty, owner, org nr, due, state, escalated)
TASKS = [
    ("nordanstig", "tillsynsbesok-2027-a", "tillsynsbesok", OWNER, NORRSKOG[0],
     date(2027, 5, 31), "done-late", True),
    ("nordanstig", "tillsynsbesok-2027-b", "tillsynsbesok", OWNER, "556999-0000",
     date(2027, 5, 31), "done-on-time", False),
    # Cancelled below (its provider's contract ended before it was due): not counted at all.
    ("nordanstig", "tillsynsbesok-2027-c", "tillsynsbesok", OWNER, NORRSKOG[0],
     date(2027, 5, 31), "open", False),
    ("nordanstig", "kundundersokning-2027", "kundundersokning", OWNER, None,
     date(2027, 11, 30), "open", False),
    ("nordanstig", "kundundersokning-2026", "kundundersokning", OWNER, None,
     date(2026, 11, 30), "escalated", True),  # another year: not counted
    ("herning", "policy-approval-2027", "policy-approval", "committee", None,
     date(2027, 3, 1), "escalated", True),
]  # fmt: skip


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('municipal') / 'records.db'}"

    async def build() -> Matrix:
        await seed_compliance_year(url)
        async with open_store(url) as store:
            for plan, task, duty, owner, org_nr, due, state, escalated in TASKS:
                await store.upsert_municipal_task(
                    plan,
                    task,
                    AT,
                    duty=duty,
                    owner=owner,
                    scope="provider" if org_nr else "municipality",
                    org_nr=org_nr,
                    period=str(due.year),
                    due=due,
                    state=state,
                    escalated=escalated,
                    late=state == "done-late" if state.startswith("done") else None,
                )
            cancel = ("nordanstig", "tillsynsbesok-2027-c", AT)
            assert await store.cancel_municipal_task(*cancel)
            assert not await store.cancel_municipal_task(*cancel)  # a repeat is a no-op
            assert not await store.cancel_municipal_task("nordanstig", "tillsynsbesok-2027-b", AT)
            states = {r.task_id: r.state for r in await store.list_municipal_tasks("nordanstig")}
            assert states["tillsynsbesok-2027-c"] == "cancelled"
            assert states["tillsynsbesok-2027-b"] == "done-on-time"  # a done task stays done
        return await compliance(Settings(database_url=url, plans_dir=PLANS_DIR), YEAR, AS_OF)

    return asyncio.run(build())


def test_per_role_and_per_provider_in_the_json(matrix: Matrix) -> None:
    document = json.loads(matrix_json(matrix))
    roles = {(r["plan"], r["role"]): r for r in document["municipal_tasks"]}
    assert roles[("nordanstig", OWNER)] == {
        "plan": "nordanstig",
        "role": OWNER,
        "title": "Kvalitetsuppföljare/utredare",
        "done_on_time": 1,
        "done_late": 1,
        "not_done": 1,
        "escalated": 1,
    }
    assert roles[("herning", "committee")]["not_done"] == 1
    [norrskog] = [p for p in document["providers"] if p["org_nr"] == NORRSKOG[0]]
    assert norrskog["municipal_tasks"] == {
        "done_on_time": 0,
        "done_late": 1,
        "not_done": 0,
        "escalated": 1,
    }
    [solros] = [p for p in document["providers"] if p["org_nr"] == SOLROS[0]]
    assert solros["municipal_tasks"]["done_late"] == 0
    # The obligation figures are still there, first.
    assert list(document)[:4] == ["year", "as_of", "language", "columns"]


def test_csv_columns_after_the_findings(matrix: Matrix) -> None:
    rows = list(csv.reader(io.StringIO(matrix_csv(matrix))))
    header = rows[0]
    assert header[-4:] == [
        "Kommunens uppgifter hos utföraren, utförda i tid",
        "Kommunens uppgifter hos utföraren, utförda sent",
        "Kommunens uppgifter hos utföraren, ej utförda",
        "Kommunens uppgifter hos utföraren, eskalerade",
    ]
    assert header[-5] == "Öppna brister, läge"
    [norrskog] = [r for r in rows[1:] if r[0] == NORRSKOG[0]]
    assert norrskog[-4:] == ["0", "1", "0", "1"]


def test_text_and_html(matrix: Matrix) -> None:
    text = matrix_text(matrix)
    assert (
        "    Kommunens uppgifter hos utföraren: utförda i tid 0, utförda sent 1, ej utförda 0, "
        "eskalerade 1"
    ) in text
    assert text.splitlines()[-3:][0] == "Kommunens egna uppgifter 2027"
    assert (
        "  Kvalitetsuppföljare/utredare (nordanstig): utförda i tid 1, utförda sent 1, "
        "ej utförda 1, eskalerade 1"
    ) in text
    page = matrix_html(matrix, AT)
    assert "<h2>Kommunens egna uppgifter</h2>" in page
    assert f'<tr data-org-nr="{NORRSKOG[0]}"><th scope="row">{NORRSKOG[1]}</th>' in page
