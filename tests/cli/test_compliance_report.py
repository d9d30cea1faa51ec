"""`lov report compliance` for a seeded year: three providers' real obligation workflows on the
time-skipping server, read back through the CLI as JSON and as HTML, checked cell by cell."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.messages.common import Provider
from models.messages.obligation import ExtendRequest, SubmitRequest, WaiveRequest
from models.runtime.settings import get_settings
from services import obligations
from starter.cli import app
from tests.support.cli_runner import run_lov, run_lov_on_records
from tests.support.compliance_records import (
    AS_OF as SEEDED_AS_OF,
)
from tests.support.compliance_records import (
    HYGGE,
    PLANS_DIR,
    SOLROS,
    TALLEN,
    YEAR,
    seed_compliance_year,
)
from tests.support.harness import STOCKHOLM, Stack, local, lovflow_stack
from tests.support.plans import QUARTERLY_PLAN

ALFA = Provider(org_nr="556677-1233", name="Alfa Omsorg AB", email="alfa@omsorg.example")
BETA = Provider(org_nr="559012-1231", name="Beta Hemtjänst AB", email="beta@hemtjanst.example")
CESAM = Provider(org_nr="556123-1233", name="Cesam Vård AB", email="cesam@vard.example")
AS_OF = "2031-11-01"
CARE_PLANS_FIELD = """[[obligations.fields]]
key = "current_care_plans"
title = "Aktuella genomförandeplaner"
"""
# Column keys name the plan: an obligation key means something only within its plan.
Q = [f"quarterly:quarterly-report:2031-Q{n}" for n in range(1, 5)]
STATES = ("on_time", "late", "awaiting_completion", "missing", "waived", "not_due")

# The seeded year, as the report must show it on 1 November 2031 (row by row, Q1..Q4).
EXPECTED: dict[str, list[tuple[str, int]]] = {
    ALFA.org_nr: [("on_time", 0), ("late", 5), ("waived", 0), ("not_due", 0)],
    # Q1 never delivered: 200 days past 15 April. Q3's extension makes 20 October on time.
    BETA.org_nr: [("missing", 200), ("on_time", 0), ("on_time", 0), ("not_due", 0)],
    # Delivered on the due date itself is on time; Q2 and Q3 missing since 15 July, 15 October.
    CESAM.org_nr: [("on_time", 0), ("missing", 109), ("missing", 17), ("not_due", 0)],
}


def when(month: int, day: int) -> datetime:
    return local(date(2031, month, day), time(10, 0))


def report(customers: int, current: int) -> SubmitRequest:
    fields = {"customers": customers, "current_care_plans": current}
    return SubmitRequest(fields=fields, actor="anna.admin")


async def seed_year(stack: Stack) -> None:
    await stack.sleep_until(local(date(2031, 1, 1), time(0, 0)))
    for provider in (ALFA, BETA, CESAM):
        await stack.start_contract(date(2030, 1, 1), plan="quarterly", provider=provider)

    async def submit(p: Provider, period: str, request: SubmitRequest) -> None:
        await obligations.submit(stack.client, p.org_nr, "quarterly-report", period, request)

    await stack.sleep_until(when(4, 10))
    await submit(ALFA, "2031-Q1", report(30, 30))
    await stack.sleep_until(when(4, 15))
    await submit(CESAM, "2031-Q1", report(12, 9))
    await stack.sleep_until(when(7, 1))
    await submit(BETA, "2031-Q2", report(18, 18))
    await stack.sleep_until(when(7, 20))
    await submit(ALFA, "2031-Q2", report(40, 38))
    await stack.sleep_until(when(8, 1))
    await obligations.waive(
        stack.client,
        ALFA.org_nr,
        "quarterly-report",
        "2031-Q3",
        WaiveRequest(reason="Verksamheten pausad", actor="anna.admin"),
    )
    extension = ExtendRequest(new_due=date(2031, 10, 31), reason="Ny chef", actor="anna.admin")
    await obligations.extend(stack.client, BETA.org_nr, "quarterly-report", "2031-Q3", extension)
    await stack.sleep_until(when(10, 20))
    await submit(BETA, "2031-Q3", report(20, 15))
    await stack.sleep_until(when(11, 1))
    # Kundval: Alfa has two current placements, one with its genomförandeplan in place.
    for n, current in ((1, True), (2, False)):
        await stack.store.upsert_placement(
            f"placement-test-{n}",
            customer_ref=f"DNR-2031-000{n}",
            area="Centrum",
            service_type="omvårdnad",
            granted_hours=Decimal("10.25"),
            decision_date=date(2031, 9, 1),
            status="active",
            org_nr=ALFA.org_nr,
            pending_org_nr=None,
            provider_start=date(2031, 9, 15),
            care_plan_due=date(2031, 9, 29),
            care_plan_done_on=date(2031, 9, 20) if current else None,
            care_plan_current=current,
            end_date=None,
            at=datetime(2031, 11, 1, 9, tzinfo=STOCKHOLM),
        )


class MatrixParser(HTMLParser):
    """Collects the matrix rows (cell states and days, then totals), the legend and what the
    page would load from elsewhere (nothing, for a self-contained report)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[tuple[str, str, str]]] = {}
        self.legend: list[str] = []
        self.external: list[str] = []
        self.stats: list[list[str]] = []
        self._row: str | None = None
        self._cell: list[str] | None = None
        self._cell_attrs: dict[str, str | None] = {}
        self._in_legend = False
        self._in_stats = False
        self._stats_row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("link", "script", "img") and (a.get("href") or a.get("src")):
            self.external.append(tag)
        if tag == "tr" and a.get("data-org-nr"):
            self._row = a["data-org-nr"]
            self.rows[self._row] = []
        if tag == "td" and self._row is not None:
            self._cell, self._cell_attrs = [], a
        if tag == "ul" and "legend" in (a.get("class") or ""):
            self._in_legend = True
        if tag == "li" and self._in_legend:
            self._cell = []
        if tag == "table" and a.get("class") == "stats":
            self._in_stats = True
        if tag == "tr" and self._in_stats:
            self._stats_row = []
        if tag in ("td", "th") and self._stats_row is not None:
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self._cell or []).strip()
        if tag == "td" and self._row is not None and self._cell is not None:
            state = self._cell_attrs.get("data-state") or "total"
            self.rows[self._row].append((state, self._cell_attrs.get("data-days") or "", text))
            self._cell = None
        elif tag == "tr":
            self._row = None
            if self._stats_row:
                self.stats.append(self._stats_row)
            self._stats_row = None
        elif tag == "li" and self._in_legend:
            self.legend.append(text)
            self._cell = None
        elif tag == "ul":
            self._in_legend = False
        elif tag == "table":
            self._in_stats = False
        elif tag in ("td", "th") and self._stats_row is not None:
            self._stats_row.append(text)
            self._cell = None


async def lov(*args: str) -> str:
    result = await run_lov(None, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def quarterly_plans(tmp_path: Path) -> Path:
    plans = tmp_path / "plans"
    plans.mkdir()
    plan = QUARTERLY_PLAN + CARE_PLANS_FIELD
    (plans / "quarterly.toml").write_text(plan, encoding="utf-8")
    return plans


async def test_compliance_matrix_cell_by_cell_as_json_and_html(
    tmp_path: Path, quarterly_plans: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    async with lovflow_stack(tmp_path, plans_dir=quarterly_plans) as stack:
        await seed_year(stack)
        monkeypatch.setenv("LOV_DATABASE_URL", stack.settings.resolved_database_url)
        monkeypatch.setenv("LOV_PLANS_DIR", str(quarterly_plans))
        get_settings.cache_clear()
        try:
            data = json.loads(
                await lov("report", "compliance", "--year", "2031", "--as-of", AS_OF, "--json")
            )
            page = tmp_path / "rapport.html"
            await lov(
                "report", "compliance", "--year", "2031", "--as-of", AS_OF, "--html", str(page)
            )
        finally:
            get_settings.cache_clear()

    assert [c["key"] for c in data["columns"]] == Q
    assert [c["due"] for c in data["columns"]] == [
        "2031-04-15",
        "2031-07-15",
        "2031-10-15",
        "2031-12-15",
    ]
    assert data["columns"][0]["title"] == "Kvartalsrapport"
    rows = {r["org_nr"]: r for r in data["providers"]}
    assert [r["name"] for r in data["providers"]] == [ALFA.name, BETA.name, CESAM.name]
    for org_nr, expected in EXPECTED.items():
        cells = rows[org_nr]["cells"]
        assert [(cells[k]["state"], cells[k]["days"]) for k in Q] == expected, org_nr
        states = [s for s, _ in expected]
        assert rows[org_nr]["totals"] == {s: states.count(s) for s in STATES}
    assert data["column_totals"][Q[0]] == {
        "on_time": 2,
        "late": 0,
        "awaiting_completion": 0,
        "missing": 1,
        "waived": 0,
        "not_due": 0,
    }
    assert data["column_totals"][Q[3]]["not_due"] == 3
    # Seed 003 §2.2: the provider's own figures and the kundval records.
    assert rows[ALFA.org_nr]["stats"] == {
        "Antal kunder": 40,
        "Andel aktuella genomförandeplaner": "95,0 %",
        "Antal biståndsbeslut (kundval, nu)": 2,
        "Beviljade timmar (kundval, nu)": "20,50",
        "Andel aktuella genomförandeplaner (kundval, nu)": "50,0 %",
    }
    # The latest report of the year counts: Beta's Q3, Cesam's only one.
    assert rows[BETA.org_nr]["stats"] == {
        "Antal kunder": 20,
        "Andel aktuella genomförandeplaner": "75,0 %",
    }
    assert rows[CESAM.org_nr]["stats"] == {
        "Antal kunder": 12,
        "Andel aktuella genomförandeplaner": "75,0 %",
    }

    parsed = MatrixParser()
    parsed.feed(page.read_text(encoding="utf-8"))
    assert parsed.external == []  # one self-contained file
    assert parsed.legend == [
        "i tid",
        "sen",
        "inväntar komplettering",
        "saknas",
        "eftergiven",
        "ej förfallen",
    ]
    for org_nr, expected in EXPECTED.items():
        cells = parsed.rows[org_nr]
        assert [(s, int(d)) for s, d, _ in cells[:4]] == expected, org_nr
        states = [s for s, _ in expected]
        # Then the totals per provider, in the legend's order.
        assert [int(t) for _, _, t in cells[4:]] == [states.count(s) for s in STATES]
    assert [t for _, _, t in parsed.rows[BETA.org_nr][:4]] == [
        "saknas 200 d",
        "i tid",
        "i tid",
        "ej förfallen",
    ]
    assert parsed.rows[ALFA.org_nr][1][2] == "sen 5 d"
    assert [ALFA.name, "Andel aktuella genomförandeplaner (kundval, nu)", "50,0 %"] in (
        parsed.stats
    )


def test_compliance_report_refuses_a_missing_year_and_a_bad_folder(tmp_path: Path) -> None:
    missing = CliRunner().invoke(app, ["report", "compliance"])
    assert missing.exit_code == 2 and "--year" in missing.output
    folder = CliRunner().invoke(
        app, ["report", "compliance", "--year", "2031", "--html", str(tmp_path / "no" / "r.html")]
    )
    assert folder.exit_code == 2 and "--html" in folder.output
    assert not (tmp_path / "no").exists()


def test_compliance_report_prints_one_format_at_a_time(tmp_path: Path) -> None:
    both = CliRunner().invoke(app, ["report", "compliance", "--year", "2027", "--json", "--csv"])
    assert both.exit_code == 2 and "--json/--csv/--html" in both.output
    page = tmp_path / "r.html"
    html_too = CliRunner().invoke(
        app, ["report", "compliance", "--year", "2027", "--csv", "--html", str(page)]
    )
    assert html_too.exit_code == 2 and not page.exists()


async def test_a_report_over_three_plans_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sundsvall, Nordanstig and Herning in one records database (tests/support): each column
    under its own plan's title and date, the awaiting komplettering and the ended contract
    shown, and `--plan herning` a Danish report."""
    import json

    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_compliance_year(url)
    monkeypatch.setenv("LOV_PLANS_DIR", str(PLANS_DIR))
    year, as_of = str(YEAR), SEEDED_AS_OF.isoformat()
    page = tmp_path / "rapport.html"
    shown = await run_lov_on_records(
        url, monkeypatch, "report", "compliance", "--year", year, "--as-of", as_of
    )
    written = await run_lov_on_records(
        url,
        monkeypatch,
        "report",
        "compliance",
        "--year",
        year,
        "--as-of",
        as_of,
        "--html",
        str(page),
    )
    danish = await run_lov_on_records(
        url, monkeypatch, "report", "compliance", "--year", year, "--as-of", as_of,
        "--plan", "herning", "--json",
    )  # fmt: skip
    unknown = await run_lov_on_records(
        url, monkeypatch, "report", "compliance", "--year", year, "--plan", "no-such-plan"
    )
    for result in (shown, written, danish):
        assert result.exit_code == 0, result.stderr
    text = shown.stdout
    assert "[sundsvall:self-inspection:2027-T1] Egenkontroll – kvalitet och delaktighet" in text
    assert "[nordanstig:self-inspection:2027] Egenkontroll inför tillsynsbesök" in text
    assert "Egenkontroll – kvalitet och delaktighet i genomförandeplanen, förfaller 2027-04-20" in (
        text
    )
    assert "inväntar komplettering 22 d" in text
    assert f"{TALLEN[1]}" in text and "avtalet har upphört 2027-05-31 (uppsägning)" in text
    assert "Andel aktuella genomförandeplaner: 85,4 %" in text

    parsed = MatrixParser()
    parsed.feed(page.read_text(encoding="utf-8"))
    assert ("awaiting_completion", "22", "inväntar komplettering 22 d") in parsed.rows[SOLROS[0]]
    assert 'data-contract="terminated"' in page.read_text(encoding="utf-8")

    data = json.loads(danish.stdout)
    assert data["language"] == "da"
    assert [r["org_nr"] for r in data["providers"]] == [HYGGE[0]]
    assert [c["title"] for c in data["columns"]] == ["Bemærkninger til den samlede opgørelse"]
    assert data["providers"][0]["stats"]["Bevilgede timer (frit valg, nu)"] == "1.234,50"
    assert unknown.exit_code == 2 and "--plan" in unknown.stderr
