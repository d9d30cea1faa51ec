"""The applications pages and the administrator's actions on an application, against the dev
server with a real worker (the shipped Sundsvall plan and its skallkrav), SQLite records and
SMTP: the list and the whole checklist are shown; a refusal is shown next to its field, and
nothing is assessed, recorded or sent; success redirects with a message and the workflow, the
records and the applicant's e-mail show the change, with the logged-in user as the actor; an
auditor and a manager get 403 from the server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest_asyncio
from temporalio.client import WorkflowExecutionStatus

from models.domain.date_text import format_date
from models.messages.application import ApplicationState, ApplicationStatus
from models.plans.loader import load_plan
from models.runtime.settings import PROJECT_ROOT, get_settings
from services import applications as apps
from tests.support.application_cli import EMAIL, PLAN, SKALLKRAV, ApplicationCli
from tests.support.desk import add_accounts, desk_client, log_in, records, token
from tests.support.helpers import eventually, free_port, random_cvr, random_org_nr
from tests.support.listings import AT, NEWEST_FIRST, seed_records, settings_for
from tests.support.plans import local_today
from web.render import sv_date

TITLES = {k.key: k.title for k in PLAN.skallkrav}


@dataclass
class Application:
    cli: ApplicationCli
    client: httpx.AsyncClient
    url: str  # the records database
    wid: str
    path: str

    async def status(self) -> ApplicationStatus:
        return await apps.status(self.cli.client, self.wid)

    async def post(self, action: str, data: dict[str, str]) -> httpx.Response:
        csrf = await token(self.client, self.path)
        return await self.client.post(f"{self.path}/{action}", data={"csrf_token": csrf, **data})

    async def assessments_recorded(self) -> int:
        async with records(self.url) as store:
            return len(await store.list_assessments(self.wid))

    async def unchanged(self) -> None:
        """Nothing assessed, asked, decided, recorded or sent."""
        status = await self.status()
        assert status.state == ApplicationState.RECEIVED, status.state
        assert [a.key for a in status.unassessed] == SKALLKRAV
        assert status.completions == [] and status.decision is None
        assert await self.assessments_recorded() == 0
        assert self.cli.smtp.messages == []


@pytest_asyncio.fixture
async def received(application_cli: ApplicationCli) -> AsyncIterator[Application]:
    """An application submitted (by the CLI), and the desk logged in as the administrator on
    the same Temporal and records."""
    org = random_org_nr()
    result = await application_cli.submit(org)
    assert result.exit_code == 0, result.stderr
    wid = f"application-{org.replace('-', '')}-1"
    url = f"sqlite+aiosqlite:///{application_cli.tmp / 'records.db'}"
    settings = get_settings().model_copy(
        update={"var_dir": application_cli.tmp / "desk-var", "database_url": url}
    )
    await add_accounts(url, "administrator", "auditor", "manager")
    await application_cli.smtp.wait_for(2)  # the acknowledgement and the checklist
    async with desk_client(settings) as client:
        await log_in(client, "administrator")
        application_cli.smtp.clear()
        yield Application(application_cli, client, url, wid, f"/applications/{wid}")


def field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{re.escape(field)}-error">([^<]*)</p>', html)
    assert found, f"no error next to {field}"
    return found.group(1)


def form_error(html: str) -> str:
    found = re.search(r'<p class="form-error" role="alert">([^<]*)</p>', html)
    assert found, "no error above the form"
    return found.group(1)


async def test_the_list_and_the_page_show_the_application_and_its_whole_checklist(
    received: Application,
) -> None:
    client = received.client
    listing = await client.get("/applications")
    assert listing.status_code == 200
    assert f'href="{received.path}">Omsorg i Norr AB</a>' in listing.text
    assert 'aria-current="page">Ansökningar</a>' in listing.text  # the menu
    status = await received.status()
    assert status.decision_due is not None
    assert sv_date(status.decision_due) in listing.text and "under prövning" in listing.text
    # Decided ones only when asked for; a state that does not exist is refused at its field.
    approved = await client.get("/applications", params={"state": "approved"})
    assert "Omsorg i Norr AB" not in approved.text and "Inga ansökningar att visa." in approved.text
    everything = await client.get("/applications", params={"state": "all", "plan": "sundsvall"})
    assert f'href="{received.path}"' in everything.text
    bad = await client.get("/applications", params={"state": "beviljad"})
    assert bad.status_code == 400 and field_error(bad.text, "state")

    page = await client.get(received.path)
    assert page.status_code == 200
    for key, title in TITLES.items():
        assert f"<legend>{title}</legend>" in page.text
        assert f'name="verdict-{key}"' in page.text and f'id="note-{key}"' in page.text
    assert page.text.count("Nu: ej bedömt") == len(SKALLKRAV)
    assert "Begär komplettering" in page.text and "Godkänn ansökan" in page.text
    # The start page links the application to this page.
    start = await client.get("/")
    assert f'href="{received.path}">Omsorg i Norr AB</a>' in start.text


async def test_several_skallkrav_are_assessed_at_once_by_the_logged_in_user(
    received: Application,
) -> None:
    response = await received.post(
        "assess",
        {
            "request_id": "desk-assess-1",
            "verdict-f-skatt": "met",
            "note-f-skatt": "Registreringsbevis 2027-01-10",
            "verdict-insurance": "not_met",
            "note-insurance": "Försäkringsbrev saknas",
            "verdict-registration": "",
        },
    )
    assert (response.status_code, response.headers["location"]) == (303, received.path)
    page = (await received.client.get(received.path)).text
    left = len(SKALLKRAV) - 2
    assert f"Bedömningarna är sparade. {left} skallkrav återstår att bedöma." in page
    status = await received.status()
    checked = {a.key: (a.outcome, a.note, a.actor) for a in status.checklist if a.outcome}
    assert checked == {
        "f-skatt": ("met", "Registreringsbevis 2027-01-10", "administrator"),
        "insurance": ("not_met", "Försäkringsbrev saknas", "administrator"),
    }
    assert await received.assessments_recorded() == 2
    assert "<strong>ej uppfyllt</strong>, av administrator" in page
    # The komplettering form suggests what is not met.
    assert ">Försäkringar</textarea>" in page
    # The same form again (same request id) assesses nothing twice.
    again = await received.post(
        "assess",
        {
            "request_id": "desk-assess-1",
            "verdict-f-skatt": "met",
            "note-f-skatt": "Registreringsbevis 2027-01-10",
            "verdict-insurance": "not_met",
            "note-insurance": "Försäkringsbrev saknas",
        },
    )
    assert again.status_code == 303
    assert await received.assessments_recorded() == 2


async def test_refused_assessments_assess_record_and_send_nothing(received: Application) -> None:
    cases = [
        # Nothing chosen: said above the form.
        ({"note-f-skatt": ""}, None, "Välj uppfyllt eller ej uppfyllt för minst ett skallkrav."),
        # One "not met" without a note among several: none is assessed (the service checks
        # them all first); the message is next to that skallkrav's note.
        (
            {"verdict-f-skatt": "met", "verdict-insurance": "not_met", "note-insurance": " "},
            "note-insurance",
            "Skriv varför kravet inte är uppfyllt (Försäkringar)",
        ),
        # Only one, refused by the workflow's validator.
        ({"verdict-ivo-permit": "not_met"}, "note-ivo-permit", None),
        # A note typed for a skallkrav left without a verdict is not silently dropped.
        (
            {"verdict-f-skatt": "met", "note-insurance": "Brev kommer"},
            "note-insurance",
            None,
        ),
        ({"verdict-f-skatt": "kanske"}, "verdict-f-skatt", "Välj uppfyllt eller ej uppfyllt"),
        # Not a skallkrav of the plan (a hand-made post): the workflow refuses it.
        ({"verdict-no-such-thing": "met"}, None, None),
    ]
    for data, field, message in cases:
        response = await received.post("assess", data)
        assert response.status_code == 400, (data, response.text)
        shown = form_error(response.text) if field is None else field_error(response.text, field)
        if message is not None:
            assert shown == message, data
        if "note-insurance" in data and data["note-insurance"].strip():
            assert f">{data['note-insurance']}</textarea>" in response.text  # kept as typed
    await received.unchanged()


async def test_komplettering_refusals_then_a_request_and_its_registration(
    received: Application,
) -> None:
    today = local_today()
    cases = [
        (
            {"items": " \n ", "due": "", "note": ""},
            "completion-items",
            "Skriv vad som saknas, en sak per rad",
        ),
        (
            {"items": "Försäkringsbrev", "due": today.isoformat()},
            "completion-due",
            "Måste vara efter i dag",
        ),
        (
            {"items": "Försäkringsbrev", "due": (today + timedelta(days=200)).isoformat()},
            "completion-due",
            "Högst 90 dagar från i dag",
        ),
        (
            {"items": "Försäkringsbrev", "due": "31/12"},
            "completion-due",
            "Skriv datumet som ÅÅÅÅ-MM-DD",
        ),
    ]
    for data, field, message in cases:
        response = await received.post("completion", data)
        assert response.status_code == 400, (data, response.text)
        assert field_error(response.text, field) == message, data
    await received.unchanged()

    due = today + timedelta(days=14)
    response = await received.post(
        "completion",
        {"items": "Försäkringsbrev\n\nIntyg från Skatteverket", "due": due.isoformat(), "note": ""},
    )
    assert response.status_code == 303, response.text
    status = await received.status()
    assert status.state == ApplicationState.COMPLETION_REQUESTED
    pending = status.open_completion
    assert pending is not None and pending.items == ["Försäkringsbrev", "Intyg från Skatteverket"]
    assert pending.requested_by == "administrator"
    await received.cli.smtp.wait_for(1)
    assert received.cli.smtp.messages[0]["To"] == EMAIL
    page = (await received.client.get(received.path)).text
    assert "Komplettering begärd, senast" in page and "Registrera kompletteringen" in page
    received.cli.smtp.clear()

    # What came in: a note is needed (the desk takes no files).
    empty = await received.post("complete", {"note": ""})
    assert empty.status_code == 400
    assert field_error(empty.text, "complete-note") == "Skriv vad som kom in"
    assert (await received.status()).state == ApplicationState.COMPLETION_REQUESTED
    assert received.cli.smtp.messages == []
    done = await received.post("complete", {"note": "Försäkringsbrev och intyg per post"})
    assert done.status_code == 303, done.text
    status = await received.status()
    assert status.state == ApplicationState.RECEIVED and status.open_completion is None
    assert (
        "Kompletteringen är registrerad. Beslut senast"
        in (await received.client.get(received.path)).text
    )


async def test_decision_refusals_then_approval_starts_the_contract(received: Application) -> None:
    start = local_today() + timedelta(days=30)
    not_assessed = await received.post("approve", {"contract_start": start.isoformat()})
    assert not_assessed.status_code == 400
    message = form_error(not_assessed.text)
    # Named by their titles, not the plan's keys.
    assert message.startswith("Alla skallkrav är inte bedömda än; kvar: Godkänd för F-skatt, ")
    assert "f-skatt" not in message
    no_date = await received.post("approve", {"contract_start": ""})
    assert no_date.status_code == 400
    assert field_error(no_date.text, "approve-start") == "Ange ett datum"
    no_reason = await received.post("reject", {"reason": "  "})
    assert no_reason.status_code == 400
    assert field_error(no_reason.text, "reject-reason") == "Skriv skälet till avslaget"
    await received.unchanged()

    # Every skallkrav met, in one form; then approved.
    verdicts = {f"verdict-{k}": "met" for k in SKALLKRAV}
    assessed = await received.post("assess", verdicts)
    assert assessed.status_code == 303, assessed.text
    assert "Alla skallkrav är bedömda." in (await received.client.get(received.path)).text
    past = await received.post(
        "approve", {"contract_start": (local_today() - timedelta(days=1)).isoformat()}
    )
    assert past.status_code == 400
    assert field_error(past.text, "approve-start") == "Får inte vara tidigare än i dag"
    assert (await received.status()).state == ApplicationState.RECEIVED

    approved = await received.post(
        "approve", {"contract_start": start.isoformat(), "reason": "Alla skallkrav uppfyllda"}
    )
    assert approved.status_code == 303, approved.text
    page = (await received.client.get(received.path)).text
    assert f"Ansökan är godkänd. Avtalet börjar {sv_date(start)}." in page
    status = await received.status()
    assert status.state == ApplicationState.APPROVED and status.decision is not None
    assert status.decision.actor == "administrator"
    assert status.decision.contract_start == start
    contract = status.decision.contract_workflow_id
    assert contract is not None
    described = await received.cli.client.get_workflow_handle(contract).describe()
    assert described.status == WorkflowExecutionStatus.RUNNING
    # The decision is shown; nothing more to decide.
    assert "Godkänn ansökan</button>" not in page and "Spara bedömningarna" not in page

    async def decided_mail() -> None:
        kinds = [str(m["X-Lov-Kind"]) for m in received.cli.smtp.messages]
        assert "application-approved" in kinds, kinds

    await eventually(decided_mail, timeout=20)
    # Rejecting it now: refused, in Swedish, with the application's state.
    late = await received.post("reject", {"reason": "Ångrat"})
    assert late.status_code == 400
    assert form_error(late.text) == "Ansökan är redan godkänd"


async def test_an_auditor_and_a_manager_get_403_and_change_nothing(received: Application) -> None:
    actions = {
        "assess": {"verdict-f-skatt": "met"},
        "completion": {"items": "Försäkringsbrev"},
        "complete": {"note": "Kom in"},
        "approve": {"contract_start": (local_today() + timedelta(days=30)).isoformat()},
        "reject": {"reason": "Nej"},
    }
    for role in ("auditor", "manager"):
        await received.client.post("/logout", data={"csrf_token": await token(received.client)})
        await log_in(received.client, role)
        page = await received.client.get(received.path)
        assert page.status_code == 200
        # Shown, not offered: the checklist as a table, no action form.
        assert "Skallkraven och deras bedömning" in page.text
        assert f'action="{received.path}/' not in page.text
        for action, data in actions.items():
            response = await received.post(action, data)
            assert response.status_code == 403, (role, action)
            assert "Inte tillåtet" in response.text
    await received.unchanged()


async def test_an_unknown_or_personal_address_is_not_found(received: Application) -> None:
    client = received.client
    # A personnummer-shaped id is never looked up (it must not stand in an address) …
    assert (await client.get("/applications/application-6408233234-1")).status_code == 404
    # … nor is anything that is not an application id, or one the records do not know.
    assert (await client.get("/applications/5560360793")).status_code == 404
    assert (await client.get("/applications/application-5560360793-99")).status_code == 404
    csrf = await token(client, received.path)
    posted = await client.post(
        "/applications/application-5560360793-99/reject", data={"csrf_token": csrf, "reason": "x"}
    )
    assert posted.status_code == 404


async def test_a_danish_plans_application_is_shown_and_confirmed_in_danish(
    received: Application,
) -> None:
    cvr = random_cvr()
    submitted = await received.cli.submit(cvr, "--plan", "herning")
    assert submitted.exit_code == 0, submitted.stderr
    path = f"/applications/application-{cvr}-1"
    herning = load_plan("herning", PROJECT_ROOT / "plans")

    async def listed() -> None:
        page = await received.client.get("/applications")
        assert f'href="{path}"' in page.text

    await eventually(listed, timeout=20)
    page = await received.client.get(path)
    assert page.status_code == 200
    assert '<div lang="da">' in page.text
    assert "<dt>CVR-nummer</dt>" in page.text and "Vurdér mindstekravene" in page.text
    assert "Godkend ansøgningen</button>" in page.text and "Godkänn" not in page.text
    first = herning.skallkrav[0]
    assert f"<legend>{first.title}</legend>" in page.text
    status = await apps.status(received.cli.client, f"application-{cvr}-1")
    assert status.decision_due is not None
    # Dates the Danish way: "1. februar 2027".
    assert format_date(status.decision_due, "da") in page.text
    csrf = await token(received.client, path)
    response = await received.client.post(
        f"{path}/assess",
        data={"csrf_token": csrf, f"verdict-{first.key}": "met"},
    )
    assert response.status_code == 303, response.text
    again = await received.client.get(path)
    left = len(herning.skallkrav) - 1
    assert f"Vurderingerne er gemt. {left} mindstekrav mangler at blive vurderet." in again.text
    assert "<strong>opfyldt</strong>, af administrator" in again.text


async def test_without_temporal_the_list_and_the_page_are_read_from_the_records(
    tmp_path: Path,
) -> None:
    """The list and its filters come from the records (Temporal is not running here); so does
    the application's page when its workflow cannot answer: read-only, saying why, and an
    action sent anyway changes nothing and says so."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "administrator")
    wid = "application-5560360793-2"
    async with records(url) as store:
        await store.upsert_application(
            wid,
            "556036-0793",
            "received",
            AT + timedelta(days=500),  # later than the seeded row, so it replaces it
            submitted_at=AT,
            data={
                "provider_name": "Omsorg i Norr AB",
                "email": "ansokan@omsorg.example",
                "plan_id": "sundsvall",
                "decision_due": "2027-03-08",
                "service_types": ["omvårdnad"],
                "areas": ["Centrum"],
            },
        )
        for n, (outcome, note) in enumerate([("not_met", "Saknas"), ("met", "Styrkt")]):
            await store.record_assessment(
                f"{wid}:assessment:{n}", wid, "556036-0793", "insurance", outcome, note, "bo", AT
            )
    settings = settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": f"127.0.0.1:{free_port()}"}
    )

    def linked(html: str) -> list[str]:
        return re.findall(r'<a href="/applications/(application-[^"]+)">', html)

    async with desk_client(settings) as client:
        await log_in(client, "administrator")
        # By default the undecided ones only.
        assert linked((await client.get("/applications")).text) == [wid]
        everything = await client.get("/applications", params={"state": "all"})
        assert linked(everything.text) == NEWEST_FIRST
        assert "avslagen" in everything.text and "godkänd" in everything.text
        danish = await client.get("/applications", params={"state": "all", "plan": "herning"})
        assert linked(danish.text) == ["application-5590010004-1"]
        approved = await client.get("/applications", params={"state": "approved"})
        assert linked(approved.text) == ["application-5590010004-1"]
        bad = await client.get("/applications", params={"plan": "uppsala"})
        assert bad.status_code == 400 and field_error(bad.text, "plan")
        assert linked(bad.text) == []

        page = await client.get(f"/applications/{wid}")
        assert page.status_code == 200
        assert "Temporal svarar inte just nu: ansökan visas som registret har den" in page.text
        # The plan's whole checklist, each with its latest assessment.
        for title in TITLES.values():
            assert f"<td>{title}</td>" in page.text
        assert "<td>uppfyllt</td>\n        <td>Styrkt</td>" in page.text
        assert page.text.count("<td>ej bedömt</td>") == len(SKALLKRAV) - 1
        assert "8 mars 2027" in page.text  # the decision date
        assert f'action="/applications/{wid}/' not in page.text  # nothing to act on here
        csrf = await token(client, f"/applications/{wid}")
        sent = await client.post(
            f"/applications/{wid}/reject", data={"csrf_token": csrf, "reason": "Ej komplett"}
        )
        assert sent.status_code == 503
        assert "Temporal svarar inte just nu, så inget har ändrats." in sent.text
    async with records(url) as store:
        row = await store.get_application(wid)
        assert row is not None and (row.status, row.decision) == ("received", None)


async def test_a_decided_application_whose_history_is_gone_is_read_from_the_records(
    received: Application,
) -> None:
    """After the namespace's retention a closed workflow's history is deleted; the records
    keep the application, and its page shows it from them."""
    org = random_org_nr()
    wid = f"application-{org.replace('-', '')}-1"
    async with records(received.url) as store:
        await store.upsert_application(
            wid,
            org,
            "rejected",
            AT,
            submitted_at=AT,
            decided_at=AT + timedelta(days=20),
            decision="rejected",
            reason="Försäkringsbrev saknades",
            data={
                "provider_name": "Gammal Omsorg AB",
                "email": "a@gammal.example",
                "plan_id": "sundsvall",
            },
        )
    page = await received.client.get(f"/applications/{wid}")
    assert page.status_code == 200
    assert "Ansökan är avslutad och visas som registret har den." in page.text
    decision = page.text[page.text.index('id="decision"') :]
    assert "<dd>avslagen</dd>" in decision and "Försäkringsbrev saknades" in decision
    assert sv_date((AT + timedelta(days=20)).date()) in decision
    assert f'action="/applications/{wid}/' not in page.text
