"""The duty page and the administrator's actions on it, against the dev server with a real
worker, SQLite records and SMTP: what was submitted is shown; a refusal is shown next to its
field and changes nothing and sends nothing; success redirects with a message and the workflow
(and the provider's e-mail) show the change, with the logged-in user as the actor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest_asyncio

from models.runtime.settings import get_settings
from tests.support.contract_cli import Lov
from tests.support.desk import add_accounts, desk_client, log_in, records, token
from tests.support.desk_forms import field_error
from tests.support.helpers import eventually, free_port, random_org_nr
from tests.support.listings import AT, NORR, VAST, seed_records, settings_for
from tests.support.plans import local_today


@dataclass
class Duty:
    lov: Lov
    client: httpx.AsyncClient
    org: str
    path: str


@pytest_asyncio.fixture
async def submitted(records_lov: Lov) -> AsyncIterator[Duty]:
    """A contract whose annual report has been submitted (by the CLI), and the desk logged in
    as the administrator on the same Temporal and records."""
    lov = records_lov
    org = random_org_nr()
    await lov.start(org)
    result = await lov.cli(*lov.submit_args(org))
    assert result.exit_code == 0, result.stderr
    settings = get_settings().model_copy(update={"var_dir": lov.tmp / "desk-var"})
    assert settings.database_url is not None
    await add_accounts(settings.database_url, "administrator")
    path = f"/providers/{org.replace('-', '')}/duties/annual-report/{lov.year}"
    async with desk_client(settings) as client:
        await log_in(client, "administrator")

        async def recorded() -> None:
            page = await client.get(path)
            assert "inlämnad, väntar på granskning" in page.text, page.text

        await eventually(recorded, timeout=20)
        lov.smtp.clear()
        yield Duty(lov, client, org, path)


async def test_the_page_shows_the_submission(submitted: Duty) -> None:
    html = (await submitted.client.get(submitted.path)).text
    assert "avvikelser.pdf" in html and "SHA-256" in html
    assert "Godkänn" in html and "Begär komplettering" in html
    assert "Anna Admin" in html  # who submitted it


async def test_accepting_the_submission(submitted: Duty) -> None:
    lov, client = submitted.lov, submitted.client
    csrf = await token(client, submitted.path)
    response = await client.post(
        submitted.path + "/review", data={"csrf_token": csrf, "outcome": "accept", "note": ""}
    )
    assert response.status_code == 303
    assert "Godkänt:" in (await client.get(submitted.path)).text
    assert (await lov.item(submitted.org, "annual-report")).status == "accepted"
    await lov.smtp.wait_for(1)
    # Accepted twice: the workflow's refusal, shown above the form, nothing sent again.
    lov.smtp.clear()
    again = await client.post(
        submitted.path + "/review", data={"csrf_token": csrf, "outcome": "accept", "note": ""}
    )
    assert again.status_code == 400 and 'class="form-error"' in again.text
    # The workflow has ended with the acceptance: services.calls says in what state.
    assert "Skyldigheten är redan godkänd" in again.text
    assert lov.smtp.messages == []


async def test_a_refused_completion_request_changes_and_sends_nothing(submitted: Duty) -> None:
    lov, client = submitted.lov, submitted.client
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    cases = [
        ({"new_due": yesterday, "note": "Bilagan saknas"}, "completion-new-due"),
        ({"new_due": "", "note": "Bilagan saknas"}, "completion-new-due"),
        ({"new_due": "31/12", "note": "Bilagan saknas"}, "completion-new-due"),
        (
            {"new_due": (local_today() + timedelta(days=10)).isoformat(), "note": ""},
            "completion-note",
        ),
    ]
    for data, field in cases:
        csrf = await token(client, submitted.path)
        response = await client.post(
            submitted.path + "/review",
            data={"csrf_token": csrf, "outcome": "request-completion", **data},
        )
        assert response.status_code == 400, (data, response.text)
        assert f'<p class="field-error" id="{field}-error">' in response.text, data
        if data["note"]:
            assert f">{data['note']}</textarea>" in response.text  # what was typed is kept
        if data["new_due"] == yesterday:
            assert "Måste vara efter i dag" in response.text  # the validator's, in Swedish
    item = await lov.item(submitted.org, "annual-report")
    assert item.status == "submitted"
    assert lov.smtp.messages == []


async def test_a_completion_request_is_made_by_the_logged_in_user(submitted: Duty) -> None:
    lov, client = submitted.lov, submitted.client
    new_due = local_today() + timedelta(days=14)
    csrf = await token(client, submitted.path)
    response = await client.post(
        submitted.path + "/review",
        data={
            "csrf_token": csrf,
            "outcome": "request-completion",
            "new_due": new_due.isoformat(),
            "note": "Avvikelseanalysen saknar underskrift",
            "request_id": "desk-test-1",
        },
    )
    assert (response.status_code, response.headers["location"]) == (303, submitted.path)
    page = await client.get(submitted.path)
    assert "Komplettering begärd:" in page.text  # the flash message, once
    item = await lov.item(submitted.org, "annual-report")
    assert (item.status, item.due) == ("completion_requested", new_due)
    await lov.smtp.wait_for(1)

    async def reviewed_by_the_user() -> None:
        html = (await client.get(submitted.path)).text
        assert "komplettering begärd av administrator" in html, html

    await eventually(reviewed_by_the_user, timeout=20)
    # The same form sent again (same request id) does not ask twice.
    again = await client.post(
        submitted.path + "/review",
        data={
            "csrf_token": csrf,
            "outcome": "request-completion",
            "new_due": new_due.isoformat(),
            "note": "Avvikelseanalysen saknar underskrift",
            "request_id": "desk-test-1",
        },
    )
    assert again.status_code == 303


async def test_waive_and_extend_refuse_an_empty_reason(submitted: Duty) -> None:
    lov, client = submitted.lov, submitted.client
    # Open the item again for completion, so extend and waive apply.
    csrf = await token(client, submitted.path)
    new_due = (local_today() + timedelta(days=14)).isoformat()
    await client.post(
        submitted.path + "/review",
        data={"csrf_token": csrf, "outcome": "request-completion", "new_due": new_due, "note": "x"},
    )
    await lov.smtp.wait_for(1)
    lov.smtp.clear()
    for action, data, field in [
        ("waive", {"reason": ""}, "waive-reason"),
        ("extend", {"new_due": new_due, "reason": ""}, "extend-reason"),
        ("extend", {"new_due": "", "reason": "Sjukdom"}, "extend-new-due"),
    ]:
        csrf = await token(client, submitted.path)
        response = await client.post(
            f"{submitted.path}/{action}", data={"csrf_token": csrf, **data}
        )
        assert response.status_code == 400, (action, data)
        assert f'<p class="field-error" id="{field}-error">' in response.text, (action, data)
    item = await lov.item(submitted.org, "annual-report")
    assert item.status == "completion_requested"
    assert lov.smtp.messages == []
    csrf = await token(client, submitted.path)
    response = await client.post(
        submitted.path + "/waive", data={"csrf_token": csrf, "reason": "Ingen verksamhet"}
    )
    assert response.status_code == 303
    assert "Eftergiven:" in (await client.get(submitted.path)).text
    assert (await lov.item(submitted.org, "annual-report")).status == "waived"


async def test_a_lost_temporal_is_said_and_the_form_kept(tmp_path: Path) -> None:
    """Without Temporal: bad input is refused before any connection, and an action that cannot
    reach it says so (and that sending the same form again is safe), with nothing changed."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "administrator")
    year = local_today().year
    async with records(url) as store:
        await store.upsert_occurrence(
            f"obligation-5560360793-annual-report-{year}",
            NORR,
            "annual-report",
            str(year),
            local_today(),
            local_today(),
            "administrator",
            "open",
            False,
            0,
            AT,
        )
    settings = settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": f"127.0.0.1:{free_port()}"}
    )
    path = f"/providers/5560360793/duties/annual-report/{year}"
    async with desk_client(settings) as client:
        await log_in(client, "administrator")
        csrf = await token(client, path)
        bad = await client.post(
            path + "/extend", data={"csrf_token": csrf, "new_due": "imorgon", "reason": "Sjukdom"}
        )
        assert bad.status_code == 400
        assert "Skriv datumet som ÅÅÅÅ-MM-DD" in bad.text
        lost = await client.post(
            path + "/waive",
            data={"csrf_token": csrf, "reason": "Ingen verksamhet", "request_id": "desk-lost-1"},
        )
        assert lost.status_code == 503
        # Sent again, the form names the same request (Temporal runs it at most once).
        assert 'name="request_id" value="desk-lost-1"' in lost.text
        # Not even connected: nothing was sent, and the page says so.
        assert "Temporal svarar inte just nu, så inget har ändrats" in lost.text
        assert ">Ingen verksamhet</textarea>" in lost.text
    async with records(url) as store:
        (item,) = await store.list_occurrences(org_nr=NORR)
        assert item.status == "open"


@asynccontextmanager
async def _herning_desk(tmp_path: Path, default_plan: str) -> AsyncIterator[httpx.AsyncClient]:
    """The desk (default plan given, Temporal unreachable) logged in as the administrator, on
    records holding a late duty of Herning (a Danish plan): HERNING_DUTY."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "administrator")
    async with records(url) as store:
        await store.upsert_occurrence(
            "obligation-5590010004-documentation-2026",
            VAST,
            "documentation",
            "2026",
            date(2026, 12, 7),
            date(2026, 12, 7),
            "administrator",
            "open",
            True,
            1,
            AT,
        )
    settings = settings_for(url).model_copy(
        update={
            "var_dir": tmp_path / "var",
            "temporal_address": f"127.0.0.1:{free_port()}",
            "default_plan": default_plan,
        }
    )
    async with desk_client(settings) as client:
        await log_in(client, "administrator")
        yield client


HERNING_DUTY = "/providers/5590010004/duties/documentation/2026"


async def _herning_duty_page(tmp_path: Path, default_plan: str) -> str:
    """The page of a duty of Herning (a Danish plan) on a desk whose default plan is given."""
    async with _herning_desk(tmp_path, default_plan) as client:
        return (await client.get(HERNING_DUTY)).text


async def test_a_danish_desk_shows_a_duty_in_danish(tmp_path: Path) -> None:
    html = await _herning_duty_page(tmp_path, "herning")
    assert '<html lang="da">' in html
    # The plan's words are in the desk's language: nothing to mark.
    assert "<h1>" in html
    assert "<dt>Forfaldsdato</dt>" in html and "7. december 2026" in html
    assert "åben, <strong>for sent</strong> (eskaleringsniveau 1)" in html
    assert "Intet afleveret endnu." in html and "Forlæng fristen" in html and ">Frafald<" in html
    for swedish in ("Förfaller", "försenad", "Inget inlämnat", "Efterge", "Skäl"):
        assert swedish not in html, swedish


async def test_a_swedish_desk_marks_a_danish_plans_words(tmp_path: Path) -> None:
    html = await _herning_duty_page(tmp_path, "sundsvall")
    assert '<html lang="sv">' in html and "<dt>Förfaller</dt>" in html
    assert "7 december 2026" in html and "öppen, <strong>försenad</strong>" in html
    # The duty's title is Herning's own, in Danish, and marked so.
    assert '<h1 lang="da">' in html


async def test_a_danish_desk_words_a_refusal_in_danish(tmp_path: Path) -> None:
    """Herning's desk: a refused form and a lost Temporal are said in Danish."""
    async with _herning_desk(tmp_path, "herning") as client:
        csrf = await token(client, HERNING_DUTY)
        bad = await client.post(
            HERNING_DUTY + "/extend",
            data={"csrf_token": csrf, "new_due": "i morgen", "reason": "Sygdom"},
        )
        assert bad.status_code == 400
        assert field_error(bad.text, "extend-new-due") == "Skriv datoen som ÅÅÅÅ-MM-DD"
        lost = await client.post(
            HERNING_DUTY + "/waive", data={"csrf_token": csrf, "reason": "Ingen aktivitet"}
        )
        assert lost.status_code == 503
        assert "Temporal svarer ikke lige nu, så intet er ændret" in lost.text
        missing = await client.get(HERNING_DUTY.replace("2026", "2031"))
    assert missing.status_code == 404 and "ingen sådan pligt i registret" in missing.text
    for swedish in ("Skriv datumet", "Temporal svarar", 'lang="sv"', "skyldighet"):
        assert swedish not in bad.text + lost.text + missing.text, swedish
