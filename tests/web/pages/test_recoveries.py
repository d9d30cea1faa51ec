"""Återkrav in the desk: the list (open and closed) and a case's page from the records; opening
a case and each step of it (response, decision, settlement, payment) through the forms, against
the dev server with a real worker, SQLite records and SMTP. Every refusal is shown next to its
field (or above the form), changes nothing and sends nothing; the logged-in user is the actor;
the decision is the administrator's or a manager's, every other action the administrator's."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi.routing import APIRoute
from temporalio.service import RPCError, RPCStatusCode

from models.domain.money import format_sek
from models.ids import recovery_workflow_id
from models.messages.recovery import RecoveryState
from models.runtime.settings import PROJECT_ROOT, Settings
from services import recoveries
from tests.support.contract_cli import Lov
from tests.support.desk import add_accounts, desk_client, log_in, records, token
from tests.support.desk_forms import desk_as, desk_settings, field_error, form_error, send
from tests.support.helpers import eventually, free_port, random_org_nr
from tests.support.listings import AT, NORR, VAST, seed_records, settings_for
from tests.support.plans import local_today
from web.pages import recoveries as page

PLANS = PROJECT_ROOT / "plans"
LINES = "2027-03; K-1042; 12,5; 10; 385,50\n2027-03; K-2077; 20,25; 19; 412,40\n"
CLAIMED = "1\u00a0479,25 kr"  # the desk writes thousands with a non-breaking space
ADJUSTED = "2027-03; K-1042; 12,5; 11; 385,50"  # a line as a decision adjusts it


@dataclass
class CaseDesk:
    lov: Lov
    settings: Settings
    org: str

    @property
    def digits(self) -> str:
        return self.org.replace("-", "")

    def first_case(self) -> str:
        return f"{self.digits}-{local_today().year}-001"


@pytest_asyncio.fixture
async def case_desk(records_lov: Lov) -> AsyncIterator[CaseDesk]:
    """A provider with a contract, and the desk's accounts, on the worker's Temporal and
    records; the welcome e-mail already taken."""
    lov = records_lov
    org = random_org_nr()
    await lov.start(org)
    settings = desk_settings(lov)
    assert settings.database_url is not None
    await add_accounts(settings.database_url, "administrator", "manager")
    lov.smtp.clear()
    yield CaseDesk(lov, settings, org)


async def open_case(
    client: httpx.AsyncClient, desk: CaseDesk, started: str = "Återkrav {case} startat"
) -> str:
    """A case opened through the form (`started`: the message then); its id once the records
    hold it."""
    response = await send(
        client,
        "/recoveries",
        {"provider": desk.digits, "subject": "Granskning mars 2027", "lines": LINES},
        on="/recoveries",
    )
    assert (response.status_code, response.headers["location"]) == (303, "/recoveries")
    case_id = desk.first_case()
    # The flash, shown once on the next page.
    assert started.format(case=case_id) in (await client.get("/recoveries")).text

    async def listed() -> None:
        html = (await client.get("/recoveries")).text
        assert f'<a href="/recoveries/{case_id}">{case_id}</a>' in html, html

    await eventually(listed, timeout=20)
    return case_id


async def not_started(desk: CaseDesk) -> None:
    handle = desk.lov.client.get_workflow_handle(recovery_workflow_id(desk.first_case()))
    with pytest.raises(RPCError) as err:
        await handle.describe()
    assert err.value.status == RPCStatusCode.NOT_FOUND


async def test_opening_a_case_refuses_bad_input_and_starts_nothing(case_desk: CaseDesk) -> None:
    desk, lov = case_desk, case_desk.lov
    async with desk_as(desk.settings, "administrator") as client:
        form = (await client.get("/recoveries")).text
        assert f'<option value="{desk.digits}">Omsorg i Norr AB ({desk.org})</option>' in form
        unknown = random_org_nr().replace("-", "")
        cases = [
            ({"provider": "", "lines": LINES}, "open-provider", "Välj en utförare"),
            ({"provider": unknown, "lines": LINES}, "open-provider", "Välj en utförare"),
            ({"provider": desk.digits, "lines": " \n"}, "open-lines", "Skriv minst en rad"),
            (
                {"provider": desk.digits, "lines": "2027-03; K-1042; tolv; 10; 385,50"},
                "open-lines",
                "Rad 1, kolumnen fakturerade timmar: inte ett tal: &#39;tolv&#39;",
            ),
            (
                {"provider": desk.digits, "lines": LINES + "2027-03; 19121212-1212; 2; 1; 300"},
                "open-lines",
                "Rad 3, kolumnen kundreferens: ser ut som ett personnummer",
            ),
            (
                {"provider": desk.digits, "lines": "2027-03; K-1042; 12,5; 10"},
                "open-lines",
                "Rad 1: 4 kolumner, väntade 5",
            ),
            (
                {"provider": desk.digits, "lines": "2027-3; K-1042; 12,5; 10; 385,50"},
                "open-lines",
                "Rad 1, kolumnen period: ska vara ÅÅÅÅ-MM",
            ),
        ]
        for data, field, message in cases:
            response = await send(client, "/recoveries", data, on="/recoveries")
            assert response.status_code == 400, (data, response.text)
            shown = field_error(response.text, field)
            assert shown.startswith(message), (data, shown)
            assert "(not a number)" not in shown  # the English gloss is left out
            if data["lines"].strip():
                assert data["lines"].strip().splitlines()[0] in response.text  # kept
    assert lov.smtp.messages == []
    async with records(str(desk.settings.database_url)) as store:
        assert await store.list_recoveries(desk.org) == []
    await not_started(desk)


async def test_a_case_from_notice_to_payment(case_desk: CaseDesk) -> None:
    desk, lov = case_desk, case_desk.lov
    async with (
        desk_as(desk.settings, "administrator") as admin,
        desk_as(desk.settings, "manager") as manager,
    ):
        case_id = await open_case(admin, desk)
        # The provider's notice, with its portal link, and the administrator's copy without it.
        notice, copy = await lov.smtp.wait_for(2)
        assert notice["X-Lov-Kind"] == copy["X-Lov-Kind"] == "recovery-notice"
        lov.smtp.clear()
        path = f"/recoveries/{case_id}"
        html = (await admin.get(path)).text
        for text in ("K-1042", "963,75 kr", CLAIMED, "Underrättelse skickad av administrator"):
            assert text in html, text
        assert "underrättad, väntar på svar" in html

        async def state() -> RecoveryState:
            return (await recoveries.recovery_status(lov.client, case_id)).status

        # Refused: a decision before the response (kommunicering), a dispute without comment.
        early = await send(admin, f"{path}/decide", {"outcome": "confirm"}, on=path)
        assert early.status_code == 400
        assert form_error(early.text).startswith("Utföraren får svara till och med ")
        bare = await send(admin, f"{path}/respond", {"outcome": "dispute"}, on=path)
        assert bare.status_code == 400
        assert field_error(bare.text, "respond-comment") == "Får inte vara tomt"
        assert await state() == RecoveryState.NOTICED

        accepted = await send(admin, f"{path}/respond", {"outcome": "accept"}, on=path)
        assert (accepted.status_code, accepted.headers["location"]) == (303, path)
        assert await state() == RecoveryState.RESPONDED
        assert "Utförarens svar registrerat." in (await admin.get(path)).text

        # The manager decides; every bad decision is refused next to its field.
        bad = [
            ({"outcome": "adjust", "amount": "", "reason": "x"}, "decide-amount", "Ange det nya"),
            ({"outcome": "adjust", "amount": "tusen", "reason": "x"}, "decide-amount", "Inte ett"),
            ({"outcome": "adjust", "amount": "5000", "reason": "x"}, "decide-amount", "5 000,00"),
            ({"outcome": "adjust", "amount": "0", "reason": "x"}, "decide-amount", "Måste vara"),
            ({"outcome": "adjust", "amount": "100", "reason": ""}, "decide-reason", "Får inte"),
            ({"outcome": "withdraw", "reason": ""}, "decide-reason", "Får inte vara tomt"),
            ({"outcome": "confirm", "amount": "10"}, "decide-amount", "Anges bara när"),
            ({"outcome": "confirm", "lines": ADJUSTED}, "decide-lines", "Anges bara när"),
            (
                {"outcome": "adjust", "amount": "100", "lines": ADJUSTED, "reason": "x"},
                "decide-amount",
                "Ange antingen ett nytt belopp eller justerade rader",
            ),
            (
                {"outcome": "adjust", "lines": "2027-03; K-1042; x; 1; 1", "reason": "x"},
                "decide-lines",
                "Rad 1, kolumnen fakturerade timmar: inte ett tal",
            ),
        ]
        for data, field, start in bad:
            response = await send(manager, f"{path}/decide", data, on=path)
            assert response.status_code == 400, (data, response.text)
            assert field_error(response.text, field).startswith(start), data
        assert await state() == RecoveryState.RESPONDED
        assert lov.smtp.messages == []

        decided = await send(
            manager,
            f"{path}/decide",
            {"outcome": "adjust", "amount": "1200,50", "reason": "Delvis styrkt"},
            on=path,
        )
        assert decided.status_code == 303
        status = await recoveries.recovery_status(lov.client, case_id)
        assert status.status == RecoveryState.DECIDED and status.amount == Decimal("1200.50")
        assert status.decision is not None and status.decision.actor == "manager"
        (decision,) = await lov.smtp.wait_for(1)
        assert decision["X-Lov-Kind"] == "recovery-decision"
        lov.smtp.clear()
        # Settling is the administrator's: the manager is refused by the server.
        refused = await send(manager, f"{path}/settle", {"method": "set_off"}, on=path)
        assert refused.status_code == 403

        for data, start in [
            ({"method": "invoice", "invoice_number": ""}, "Får inte vara tomt"),
            ({"method": "set_off", "invoice_number": "F-1"}, "Anges bara vid faktura"),
        ]:
            response = await send(admin, f"{path}/settle", data, on=path)
            assert response.status_code == 400, data
            assert field_error(response.text, "settle-invoice-number") == start
        settled = await send(
            admin, f"{path}/settle", {"method": "invoice", "invoice_number": "F-2027-118"}, on=path
        )
        assert settled.status_code == 303
        assert await state() == RecoveryState.INVOICED
        html = (await admin.get(path)).text
        assert (
            f"Reglering registrerad: faktura F-2027-118, {format_sek(Decimal('1200.50'))}" in html
        )
        await lov.smtp.wait_for(1)

        paid = await send(admin, f"{path}/paid", {"note": "Inbetalt"}, on=path)
        assert paid.status_code == 303
        assert await state() == RecoveryState.PAID
        html = (await admin.get(path)).text
        decided_sum = format_sek(Decimal("1200.50"))
        for text in (
            "Utföraren godtar av administrator",
            f"Beslut: ändrat av manager (belopp {decided_sum}; skäl: Delvis styrkt)",
            "Fakturerat av administrator",
            "Betalt, ärendet avslutat av administrator",
            "Inga åtgärder: återkravet är betalt, avslutat.",
        ):
            assert text in html, text
        # Sent again (another tab): the case has closed, and the page says so.
        again = await send(admin, f"{path}/paid", {"note": ""}, on="/recoveries")
        assert again.status_code == 400
        assert "redan betalt, avslutat" in form_error(again.text)
        listing = (await admin.get("/recoveries")).text
        closed = listing.split('<h2 id="closed-cases">', 1)[1]
        assert case_id in closed


async def _seed_case(url: str, org_nr: str, case_id: str) -> None:
    """One noticed case of `org_nr` (a line whose reference looks like a personnummer)."""
    async with records(url) as store:
        await store.upsert_recovery(
            case_id,
            org_nr,
            "noticed",
            Decimal("963.75"),
            AT,
            workflow_id=recovery_workflow_id(case_id),
            year=2027,
            claimed_amount=Decimal("963.75"),
            response_due=date(2027, 1, 22),
        )
        line = {
            "period": "2027-03",
            "customer_ref": "19121212-1212",
            "hours_billed": Decimal("12.5"),
            "hours_approved": Decimal("10"),
            "hourly_rate": Decimal("385.50"),
            "amount": Decimal("963.75"),
        }
        await store.record_recovery_lines(case_id, 0, [line])
        await store.record_recovery_step(
            f"k1-{case_id}",
            case_id,
            "noticed",
            "noticed",
            "anna",
            AT,
            {"amount": "963,75 kr", "response_due": "2027-01-22"},
        )


@pytest_asyncio.fixture
async def seeded(tmp_path: Path) -> Settings:
    """Records with one case and every role's account; Temporal at an address where nothing
    listens."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "administrator", "manager", "auditor", "case_officer")
    await _seed_case(url, NORR, "5560360793-2027-001")
    return settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": f"127.0.0.1:{free_port()}"}
    )


async def test_the_pages_read_the_records_while_temporal_is_down(seeded: Settings) -> None:
    async with desk_client(seeded) as client:
        await log_in(client, "auditor")
        start = (await client.get("/")).text
        assert 'href="/recoveries/5560360793-2027-001"' in start  # Att göra links here
        listing = (await client.get("/recoveries")).text
        assert 'aria-current="page">Återkrav</a>' in listing
        open_part = listing.split('<h2 id="open-cases">', 1)[1].split("</section>", 1)[0]
        assert "5560360793-2027-001" in open_part and "963,75 kr" in open_part
        assert "22 januari 2027" in open_part  # the response deadline
        assert "Starta ett återkrav" not in listing  # the auditor is offered no action
        case = await client.get("/recoveries/5560360793-2027-001")
        assert case.status_code == 200
        assert "(dold)" in case.text and "19121212" not in case.text
        assert (
            "Underrättelse skickad av anna (belopp 963,75 kr; svar senast 22 januari 2027)"
            in case.text
        )
        assert "<form" not in case.text.split("</header>", 1)[1]  # no action for the auditor
        assert (await client.get("/recoveries/5560360793-2027-002")).status_code == 404
        assert (await client.get("/recoveries/nonsense")).status_code == 404


async def test_an_action_without_temporal_changes_nothing_and_says_so(seeded: Settings) -> None:
    async with desk_client(seeded) as client:
        await log_in(client, "administrator")
        path = "/recoveries/5560360793-2027-001"
        lost = await client.post(
            f"{path}/respond",
            data={
                "csrf_token": await token(client, path),
                "outcome": "accept",
                "request_id": "desk-lost-2",
            },
        )
        assert lost.status_code == 503
        assert "Temporal svarar inte just nu, så inget har ändrats" in lost.text
        assert 'name="request_id" value="desk-lost-2"' in lost.text


async def test_a_danish_desk_shows_a_herning_case_in_danish(seeded: Settings) -> None:
    """Herning's desk and a Herning provider's case: its history and a refusal in Danish."""
    assert seeded.database_url is not None
    case_id = "5590010004-2027-001"
    await _seed_case(seeded.database_url, VAST, case_id)
    danish = seeded.model_copy(update={"default_plan": "herning"})
    path = f"/recoveries/{case_id}"
    async with desk_as(danish, "administrator") as client:
        html = (await client.get(path)).text
        refused = await send(client, f"{path}/decide", {"outcome": "", "reason": ""}, on=path)
    assert "Underretning sendt af anna (beløb 963,75 kr; svar senest 22. januar 2027)" in html
    assert "(skjult)" in html and "19121212" not in html
    assert refused.status_code == 400
    assert field_error(refused.text, "decide-outcome") == "Vælg fasthold, ændr eller tilbagekald"
    for swedish in ("Underrättelse", " av anna", "(dold)", "Välj"):
        assert swedish not in html + refused.text, swedish


async def test_a_danish_desk_says_what_was_done_in_danish(
    case_desk: CaseDesk, tmp_path: Path
) -> None:
    """A desk whose default plan is Herning, on the worker: the message after opening a case
    and the workflow's refusal of a decision during the partshøring, in Danish."""
    plans = tmp_path / "desk-plans"
    plans.mkdir()
    for plan in (*case_desk.settings.plans_dir.glob("*.toml"), PLANS / "herning.toml"):
        shutil.copy(plan, plans)
    danish = case_desk.settings.model_copy(update={"plans_dir": plans, "default_plan": "herning"})
    async with desk_as(danish, "administrator") as admin:
        case_id = await open_case(admin, case_desk, "Tilbagebetalingskrav {case} oprettet")
        path = f"/recoveries/{case_id}"
        early = await send(admin, f"{path}/decide", {"outcome": "confirm"}, on=path)
    assert early.status_code == 400
    assert form_error(early.text).startswith("Leverandøren kan svare til og med ")


def _posts() -> list[str]:
    return sorted(
        r.path
        for r in page.router.routes
        if isinstance(r, APIRoute) and "POST" in (r.methods or ())
    )


@pytest.mark.parametrize("role", ["auditor", "manager", "case_officer"])
async def test_who_may_not_act_gets_403_on_every_action(seeded: Settings, role: str) -> None:
    posts = _posts()
    assert len(posts) == 5
    decide = "/recoveries/{ref}/decide"
    async with desk_client(seeded) as client:
        await log_in(client, role.replace("_", "-"))
        csrf = await token(client, "/recoveries")
        for path in posts:
            if role == "manager" and path == decide:
                continue  # the manager's decision (the happy path above)
            response = await client.post(
                path.format(ref="5560360793-2027-001"),
                data={
                    "csrf_token": csrf,
                    "provider": "5560360793",
                    "lines": LINES,
                    "outcome": "accept",
                    "method": "set_off",
                    "reason": "x",
                },
            )
            assert response.status_code == 403, (role, path)
            assert "Din roll får inte göra detta" in response.text
    async with records(str(seeded.database_url)) as store:
        (case,) = await store.list_recoveries()
        assert case.status == "noticed"


def test_the_next_deadline_is_the_response_while_noticed_then_the_payment() -> None:
    from models.records.recoveries import RecoveryRecord
    from services.recoveries import CaseRow

    def row(status: str, payment_due: date | None) -> page.Linked:
        case = RecoveryRecord(
            "x", "w", NORR, 2027, status, None, None, None, date(2027, 1, 22), None, None, None,
            None, payment_due, None, {}, AT, AT,
        )  # fmt: skip
        return page.Linked(CaseRow(case, ""), "/recoveries/x", None)

    assert row("noticed", None).deadline == date(2027, 1, 22)
    assert row("responded", None).deadline is None
    assert row("invoiced", date(2027, 3, 1)).deadline == date(2027, 3, 1)
