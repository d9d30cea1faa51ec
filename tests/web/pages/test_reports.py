"""Rapporter on real SQLite records: the compliance matrix shows the service's figures and
serves the CLI's own CSV and JSON; a plan's calendar shows `lov plan show`'s dates; the
auditor's timeline shows the audit trail in words and local time, and its export is the sealed
file of `lov audit --json`, verified by the project's own verification. Bad query input is shown
next to its field (400); an auditor may read and export everything here."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from models.domain.audit import verify_export
from models.domain.audit_signing import new_key_pair, public_keys
from models.plans.loader import load_plan
from models.runtime.settings import Settings
from services.plans import default_contract_start, rows
from services.reports import compliance
from tests.support.audit_records import ORG, seed_audit_trail
from tests.support.cli_runner import run_lov_on_records
from tests.support.compliance_records import (
    AS_OF,
    HYGGE,
    PLANS_DIR,
    SOLROS,
    TALLEN,
    YEAR,
    hand_in_annual_accounts,
    seed_compliance_year,
)
from tests.support.desk import add_accounts, desk_client, log_in, records
from tests.support.helpers import free_port
from tests.support.listings import AT, VAST, seed_records, settings_for

KEY_ID = "2027-01"
QUERY = {"year": str(YEAR), "as_of": AS_OF.isoformat()}


@pytest_asyncio.fixture
async def compliance_desk(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_compliance_year(url)
    await add_accounts(url, "auditor")
    settings = Settings(database_url=url, plans_dir=PLANS_DIR, var_dir=tmp_path / "var")
    async with desk_client(settings) as client:
        await log_in(client, "auditor")
        yield client, settings


@pytest_asyncio.fixture
async def audit_desk(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    """The README walkthrough's audit trail, and an installation that seals its exports."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_audit_trail(url)
    await add_accounts(url, "auditor")
    private, public = new_key_pair()
    settings = Settings(
        database_url=url,
        plans_dir=PLANS_DIR,
        var_dir=tmp_path / "var",
        audit_signing_key=SecretStr(private),
        audit_signing_key_id=KEY_ID,
        audit_public_keys={KEY_ID: public},
        # No Temporal listens here: an export checked against the histories cannot be made.
        temporal_address=f"127.0.0.1:{free_port()}",
    )
    async with desk_client(settings) as client:
        await log_in(client, "auditor")
        yield client, settings


# --- the compliance matrix ----------------------------------------------------------------------


def _cells(html: str) -> dict[tuple[str, str], str]:
    """(org nr, column key) → the cell's text, read from the page's matrix."""
    found: dict[tuple[str, str], str] = {}
    for row in re.finditer(r'<tr data-org-nr="([^"]+)">(.*?)</tr>', html, re.S):
        for cell in re.finditer(r'data-column="([^"]+)">([^<]*)</td>', row.group(2)):
            found[(row.group(1), cell.group(1))] = cell.group(2)
    return found


async def test_the_matrix_shows_the_services_figures(
    compliance_desk: tuple[httpx.AsyncClient, Settings],
) -> None:
    client, settings = compliance_desk
    page = await client.get("/reports", params=QUERY)
    assert page.status_code == 200
    matrix = await compliance(settings, YEAR, AS_OF)
    expected = {
        (r.org_nr, key): cell.label(matrix.language)
        for r in matrix.rows
        for key, cell in r.cells.items()
    }
    assert expected and _cells(page.text) == expected
    # Among them the komplettering not yet in, and the ended contract marked.
    assert _cells(page.text)[(SOLROS[0], "sundsvall:self-inspection:2027-T1")] == (
        "inväntar komplettering 22 d"
    )
    assert "avtalet har upphört 2027-05-31 (uppsägning)" in page.text
    # Swedish dates and numbers: the as-of date in words, 1 234,50 hours as the plan writes it.
    assert "Läge per 1 juni 2027" in page.text
    assert "85,4 %" in page.text and "1 234,50" in page.text
    assert '<a href="/reports" aria-current="page">Rapporter</a>' in page.text
    # Each provider leads to its timeline for the year.
    assert f'href="/reports/timeline/{SOLROS[0].replace("-", "")}?year={YEAR}"' in page.text


async def test_the_page_shows_a_new_submission_at_once(
    compliance_desk: tuple[httpx.AsyncClient, Settings],
) -> None:
    """The desk keeps the matrix it has shown (services.reports.ComplianceCache); a submission
    recorded after a view is on the very next one."""
    client, settings = compliance_desk
    cell = (SOLROS[0], "sundsvall:annual-accounts:2027")
    assert _cells((await client.get("/reports", params=QUERY)).text)[cell] == "ej förfallen"
    assert settings.database_url is not None
    await hand_in_annual_accounts(settings.database_url)
    assert _cells((await client.get("/reports", params=QUERY)).text)[cell] == "i tid"


async def test_a_danish_desk_words_the_matrix_in_danish(tmp_path: Path) -> None:
    """Herning's desk shows the year of every plan's providers with its own words."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_compliance_year(url)
    await add_accounts(url, "auditor")
    settings = Settings(
        database_url=url, plans_dir=PLANS_DIR, var_dir=tmp_path / "var", default_plan="herning"
    )
    async with desk_client(settings) as client:
        await log_in(client, "auditor")
        html = (await client.get("/reports", params=QUERY)).text
    cells = _cells(html)
    assert cells[(SOLROS[0], "sundsvall:self-inspection:2027-T1")] == "afventer supplering 22 d"
    assert cells[(SOLROS[0], "sundsvall:annual-accounts:2027")] == "ikke forfaldet"
    assert '<th scope="col" class="total">til tiden</th>' in html
    for swedish in ("inväntar", "ej förfallen", ">i tid<"):
        assert swedish not in html, swedish


async def test_one_plan_only(compliance_desk: tuple[httpx.AsyncClient, Settings]) -> None:
    client, _ = compliance_desk
    page = await client.get("/reports", params={**QUERY, "plan": "herning"})
    assert page.status_code == 200
    assert {org for org, _ in _cells(page.text)} == {HYGGE[0]}
    assert TALLEN[1] not in page.text


@pytest.mark.parametrize("fmt", ["csv", "json"])
async def test_the_downloads_are_the_clis_files(
    compliance_desk: tuple[httpx.AsyncClient, Settings],
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    client, settings = compliance_desk
    monkeypatch.setenv("LOV_PLANS_DIR", str(PLANS_DIR))
    assert settings.database_url is not None
    for plan in ([], ["--plan", "sundsvall"]):
        cli = await run_lov_on_records(
            settings.database_url,
            monkeypatch,
            "report",
            "compliance",
            "--year",
            str(YEAR),
            "--as-of",
            AS_OF.isoformat(),
            *plan,
            f"--{fmt}",
        )
        assert cli.exit_code == 0, cli.stderr
        params = {**QUERY, **({"plan": plan[1]} if plan else {})}
        got = await client.get(f"/reports/compliance.{fmt}", params=params)
        assert got.status_code == 200
        disposition = got.headers["content-disposition"]
        assert disposition.startswith("attachment;") and f'.{fmt}"' in disposition
        assert got.text == cli.stdout
    if fmt == "json":
        assert json.loads(got.text)["providers"][0]["org_nr"] == SOLROS[0]
    else:
        assert got.headers["content-type"].startswith("text/csv")
        header = got.text.splitlines()[0]
        assert header.startswith("Organisationsnummer,Utförare,Plan,Avtal,")
        # The page links the same files.
        page = (await client.get("/reports", params=QUERY)).text
        assert f'href="/reports/compliance.csv?year={YEAR}&amp;as_of={AS_OF}"' in page


@pytest.mark.parametrize(
    ("path", "params", "field", "message"),
    [
        ("/reports", {"plan": "ingen-sådan"}, "plan", "okänd plan"),
        ("/reports", {"plan": "../plans/sundsvall"}, "plan", "okänd plan"),
        ("/reports", {"year": "tjugotjugosju"}, "year", "inte ett år"),
        ("/reports", {"year": "1899"}, "year", "orimligt år"),
        ("/reports", {"as_of": "1 juni"}, "as_of", "inte ett datum"),
        ("/reports/compliance.csv", {"plan": "ingen-sådan"}, "plan", "okänd plan"),
        ("/reports/compliance.json", {"year": "1899"}, "year", "orimligt år"),
    ],
)
async def test_bad_query_input_is_shown_next_to_its_field(
    compliance_desk: tuple[httpx.AsyncClient, Settings],
    path: str,
    params: dict[str, str],
    field: str,
    message: str,
) -> None:
    client, _ = compliance_desk
    got = await client.get(path, params=params)
    assert got.status_code == 400
    assert "content-disposition" not in got.headers
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', got.text)
    assert error and message in error.group(1).lower()
    assert f'aria-describedby="{field}-error"' in got.text
    assert '<table class="matrix">' not in got.text


# --- the plan's calendar ------------------------------------------------------------------------


async def test_the_plans_calendar_is_lov_plan_show(
    compliance_desk: tuple[httpx.AsyncClient, Settings],
) -> None:
    client, _ = compliance_desk
    page = await client.get("/reports/calendar", params={"plan": "sundsvall", "year": "2027"})
    assert page.status_code == 200
    expected = rows(load_plan("sundsvall", PLANS_DIR), 2027, default_contract_start(2027))
    shown = re.findall(
        r'<tr data-obligation="([^"]+)" data-period="([^"]+)">\s*<td><time datetime="([^"]+)">',
        page.text,
    )
    assert shown == [(r["obligation"], r["period"], r["due"]) for r in expected]
    # A date moved off a weekend says from where and why: 31 July 2027 is a Saturday.
    assert "flyttad från 31 juli 2027 (lördag, söndag)" in page.text
    assert "2 augusti 2027" in page.text


@pytest.mark.parametrize(
    ("params", "field"),
    [({"plan": "ingen-sådan", "year": "2027"}, "plan"), ({"year": "3000"}, "year")],
)
async def test_the_calendar_refuses_bad_input_next_to_its_field(
    compliance_desk: tuple[httpx.AsyncClient, Settings], params: dict[str, str], field: str
) -> None:
    client, _ = compliance_desk
    got = await client.get("/reports/calendar", params=params)
    assert got.status_code == 400
    assert f'<p class="field-error" id="{field}-error">' in got.text
    assert 'class="calendar"' not in got.text


# --- the auditor's timeline and its sealed export -------------------------------------------------

TIMELINE = f"/reports/timeline/{ORG.replace('-', '')}"


async def test_the_timeline_in_words_local_time_and_actors(
    audit_desk: tuple[httpx.AsyncClient, Settings],
) -> None:
    client, _ = audit_desk
    page = await client.get(TIMELINE, params={"year": "2027"})
    assert page.status_code == 200
    text = page.text
    # Human event names, not stored types; local time with its offset; who did it.
    assert "Komplettering begärd" in text and "completion_requested" not in text
    assert "Återkrav: betalt" in text and "Avtalet började gälla" in text
    assert '<time datetime="2027-12-01T09:00:00+01:00">1 december 2027 kl. 09.00 (+01:00)' in text
    assert '<time datetime="2027-04-12T10:00:00+02:00">12 april 2027 kl. 10.00 (+02:00)' in text
    assert "<td>Bo</td>" in text and "<td>Dora</td>" in text
    # A duty by its title in the plan, never its key.
    assert "<td>Årlig redovisning – avvikelser, klagomål, personal och tillstånd 2027</td>" in text
    assert "annual-report" not in text
    assert "belopp: 963,75 kr" in text
    # The follow-up year: the application (2026) and the 2028 report are not in it.
    assert "Ansökan godkänd" not in text and "2028-03-02" not in text
    everything = (await client.get(TIMELINE)).text
    assert "Ansökan godkänd" in everything


async def test_a_danish_desk_shows_a_herning_providers_timeline_in_danish(
    tmp_path: Path,
) -> None:
    """Herning's desk, a Herning provider's trail: the events, their details, who and when
    in Danish."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "auditor")
    wid = "obligation-5590010004-documentation-2027"
    async with records(url) as store:
        for n, (event, actor, details) in enumerate(
            [
                ("completion-requested", "Mette", {"new_due": "2027-05-20", "note": "Bilag"}),
                ("escalation-2", "system", {"level": 2}),
            ]
        ):
            await store.record_audit(f"{wid}:event:{n}", AT, VAST, wid, event, actor, details)
    settings = settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "default_plan": "herning"}
    )
    async with desk_client(settings) as client:
        await log_in(client, "auditor")
        text = (await client.get("/reports/timeline/5590010004")).text
    assert "<td>Supplering anmodet</td>" in text and "<td>Eskalering, niveau 2</td>" in text
    assert "ny forfaldsdato" in text and "notat" in text and "niveau" in text
    assert "1. januar 2027 kl. 01.00 (+01:00)" in text
    assert "<td>lovflow (automatisk)</td>" in text and "<td>Mette</td>" in text
    for swedish in ("Komplettering", "nivå", "anteckning", "automatiskt", 'lang="sv"'):
        assert swedish not in text, swedish


async def test_the_provider_page_links_the_timeline(
    audit_desk: tuple[httpx.AsyncClient, Settings],
) -> None:
    client, _ = audit_desk
    page = await client.get(f"/providers/{ORG.replace('-', '')}")
    assert f'href="{TIMELINE}"' in page.text
    assert (await client.get("/reports/timeline/5569999999")).status_code == 404


def _content(lines: str) -> list[dict[str, Any]]:
    """The export's lines without what differs between two runs: the time it was made and the
    hashes and signature that cover it."""
    out = []
    for line in lines.splitlines():
        found = json.loads(line)
        for key in ("generated_at", "hash", "prev", "head", "signature"):
            found.pop(key, None)
        out.append(found)
    return out


async def test_an_auditor_exports_the_sealed_file_of_lov_audit(
    audit_desk: tuple[httpx.AsyncClient, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, settings = audit_desk
    got = await client.get(f"{TIMELINE}/export", params={"year": "2027", "records_only": "1"})
    assert got.status_code == 200
    disposition = got.headers["content-disposition"]
    assert disposition == 'attachment; filename="revision-5560360793-2027.jsonl"'
    # Sealed with the installation's key, and intact, by the project's own verification.
    verified = verify_export(got.text, public_keys(settings))
    assert verified.sealed and verified.key_id == KEY_ID
    assert verified.org_nr == ORG and verified.entries == 6
    # The same file as `lov audit ORG --year 2027 --json --records-only`, made a moment apart.
    assert settings.audit_signing_key is not None and settings.database_url is not None
    monkeypatch.setenv("LOV_AUDIT_SIGNING_KEY", settings.audit_signing_key.get_secret_value())
    monkeypatch.setenv("LOV_AUDIT_SIGNING_KEY_ID", KEY_ID)
    cli = await run_lov_on_records(
        settings.database_url, monkeypatch, "audit", ORG, "--year", "2027", "--json",
        "--records-only",
    )  # fmt: skip
    assert cli.exit_code == 0, cli.stderr
    assert _content(got.text) == _content(cli.stdout)
    # An edited line is caught.
    tampered = got.text.replace("Dora", "Doris", 1)
    with pytest.raises(ValueError, match="line"):
        verify_export(tampered, public_keys(settings))


async def test_an_export_checked_against_temporal_needs_temporal(
    audit_desk: tuple[httpx.AsyncClient, Settings],
) -> None:
    """Without --records-only the export is checked against the histories, like `lov audit
    --json`: with no Temporal to ask, it says so and serves nothing half-checked."""
    client, _ = audit_desk
    got = await client.get(f"{TIMELINE}/export", params={"year": "2027"})
    assert got.status_code == 503
    assert "Temporal kunde inte nås" in got.text
    assert "content-disposition" not in got.headers


async def test_a_bad_year_on_the_timeline_and_its_export(
    audit_desk: tuple[httpx.AsyncClient, Settings],
) -> None:
    client, _ = audit_desk
    for path in (TIMELINE, f"{TIMELINE}/export"):
        got = await client.get(path, params={"year": "20x7"})
        assert got.status_code == 400
        assert '<p class="field-error" id="year-error">' in got.text
        assert "content-disposition" not in got.headers


async def test_the_matrix_is_shown_a_page_of_providers_at_a_time(
    compliance_desk: tuple[httpx.AsyncClient, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Providers in pages (a thousand in one table is no page to read); every provider is on
    one page exactly, and the downloads hold them all."""
    client, settings = compliance_desk
    monkeypatch.setattr("web.pages.reports.PAGE_ROWS", 3)
    first = (await client.get("/reports", params=QUERY)).text
    assert "Visar utförare 1–3 av 4." in first and "Föregående" not in first
    more = re.search(r'<a href="([^"]+)">Nästa 3</a>', first)
    assert more
    second = (await client.get(more.group(1).replace("&amp;", "&"))).text
    assert "Visar utförare 4–4 av 4." in second and "Nästa 3" not in second
    shown = [{org for org, _ in _cells(page)} for page in (first, second)]
    matrix = await compliance(settings, YEAR, AS_OF)
    assert shown[0] | shown[1] == {r.org_nr for r in matrix.rows}
    assert not shown[0] & shown[1]
    # A page past the end is the last one; no page number is the first.
    assert (
        "Visar utförare 4–4 av 4."
        in (await client.get("/reports", params={**QUERY, "page": "9"})).text
    )
    assert (
        "Visar utförare 1–3" in (await client.get("/reports", params={**QUERY, "page": "x"})).text
    )
    csv_text = (await client.get("/reports/compliance.csv", params=QUERY)).text
    assert len(csv_text.splitlines()) == 1 + 4
