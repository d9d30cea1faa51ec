"""Kundval in the desk: the lists in turn and the placements (with the customer's choice
deadline), registering a decision and a placement's actions through the forms, against the dev
server with a real worker, SQLite records and SMTP. Every refusal is shown next to its field,
changes nothing and sends nothing; the case officer is the actor; the customer appears only by
the pseudonymous reference, never in an address; a manager or an auditor gets 403, and the case
officer may act here and only here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio
from fastapi import APIRouter
from fastapi.routing import APIRoute

from models.ids import is_placement_id
from models.messages.placement import PlacementState
from models.runtime.settings import Settings
from services import placements
from tests.support.cli_runner import run_lov
from tests.support.contract_cli import Lov
from tests.support.desk import add_accounts, desk_client, log_in, records, token
from tests.support.desk_forms import desk_as, desk_settings, field_error, send
from tests.support.helpers import free_port, random_org_nr
from tests.support.listings import AT, NORR, seed_records, settings_for
from tests.support.placement_helpers import fresh_rotation_list
from tests.support.plans import PLAN_ID, local_today
from web.pages import duties, recoveries
from web.pages import placements as page

PERSONNUMMER = "19121212-1212"


@dataclass
class Kundval:
    lov: Lov
    settings: Settings
    org: str

    def decision(self, **changes: str) -> dict[str, str]:
        today = local_today()
        return {
            "customer_ref": "DNR-2031-0042",
            "area": "Centrum",
            "service_type": "omvårdnad",
            "hours": "22,5",
            "decision_date": today.isoformat(),
            "start": (today + timedelta(days=3)).isoformat(),
        } | changes


@pytest_asyncio.fixture
async def kundval(records_lov: Lov) -> AsyncIterator[Kundval]:
    """A provider with a contract on the (fresh) list of Centrum / omvårdnad, and a case
    officer's account, on the worker's Temporal and records."""
    lov = records_lov
    await fresh_rotation_list(lov.client, PLAN_ID)
    org = random_org_nr()
    await lov.start(org)
    added = await run_lov(
        lov.env, "placement", "provider", "add", org, "--area", "Centrum", "--service", "omvårdnad"
    )
    assert added.exit_code == 0, added.stderr
    settings = desk_settings(lov)
    assert settings.database_url is not None
    await add_accounts(settings.database_url, "case_officer")
    lov.smtp.clear()
    yield Kundval(lov, settings, org)


async def test_registering_a_decision_refuses_bad_input_and_starts_nothing(
    kundval: Kundval,
) -> None:
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    cases = [
        ({"customer_ref": PERSONNUMMER}, "start-customer", "Ser ut som ett personnummer"),
        ({"customer_ref": ""}, "start-customer", "1–40 tecken"),
        ({"area": ""}, "start-area", "Ange området"),
        ({"service_type": ""}, "start-service", "Ange tjänsten"),
        ({"hours": ""}, "start-hours", "Ange beviljad tid"),
        ({"hours": "tjugo"}, "start-hours", "Inte ett tal, fick &#39;tjugo&#39;"),
        ({"hours": "800"}, "start-hours", "0–744 timmar per månad"),
        ({"decision_date": "20/2"}, "start-decision-date", "Skriv datumet som ÅÅÅÅ-MM-DD"),
        ({"start": yesterday}, "start-start", "Får inte vara före beslutsdatum"),
    ]
    async with desk_as(kundval.settings, "case-officer") as client:
        for changes, field, message in cases:
            response = await send(
                client, "/placements", kundval.decision(**changes), on="/placements"
            )
            assert response.status_code == 400, (changes, response.text)
            assert field_error(response.text, field).startswith(message), changes
            # A personnummer typed by mistake is not shown again, not even in the form.
            assert "19121212" not in response.text
    assert kundval.lov.smtp.messages == []
    async with records(str(kundval.settings.database_url)) as store:
        assert await store.list_placements() == []


async def test_a_decision_the_customers_choice_and_the_end(kundval: Kundval) -> None:
    lov = kundval.lov
    async with desk_as(kundval.settings, "case-officer") as client:
        started = await send(client, "/placements", kundval.decision(), on="/placements")
        assert started.status_code == 303
        path = started.headers["location"]
        placement_id = path.removeprefix("/placements/")
        assert is_placement_id(placement_id), path  # no customer in the address
        html = (await client.get(path)).text
        assert "Beslutet är registrerat" in html and "DNR-2031-0042" in html
        assert "väntar på kundens val" in html and "Val senast" in html
        listing = (await client.get("/placements")).text
        waiting = listing.split('<h2 id="group-awaiting_choice">', 1)[1].split("</section>")[0]
        assert f'<a href="/placements/{placement_id}">DNR-2031-0042</a>' in waiting
        status = await placements.status(lov.client, placement_id)
        assert status.choice_due is not None
        assert f'datetime="{status.choice_due.isoformat()}"' in waiting  # the choice deadline
        turns = listing.split('<h2 id="lists-title">', 1)[1].split("</section>")[0]
        assert "Centrum" in turns and "Omsorg i Norr AB" in turns

        other = random_org_nr()
        for data, message in [
            ({"provider": ""}, "Välj en utförare"),
            ({"provider": other}, f"{other} är inte godkänd för Centrum / omvårdnad"),
        ]:
            refused = await send(client, f"{path}/choose", data, on=path)
            assert refused.status_code == 400, data
            assert field_error(refused.text, "choose-provider") == message
        assert (await placements.status(lov.client, placement_id)).state == (
            PlacementState.AWAITING_CHOICE
        )
        assert lov.smtp.messages == []

        chosen = await send(client, f"{path}/choose", {"provider": kundval.org}, on=path)
        assert (chosen.status_code, chosen.headers["location"]) == (303, path)
        status = await placements.status(lov.client, placement_id)
        assert (status.state, status.provider, status.via) == (
            PlacementState.ACTIVE,
            kundval.org,
            "choice",
        )
        await lov.smtp.wait_for(1)  # the provider is told of its new customer
        html = (await client.get(path)).text
        assert "Kundens val registrerat: Omsorg i Norr AB" in html
        assert "Utförare tilldelad av case-officer" in html
        lov.smtp.clear()

        tomorrow = (local_today() + timedelta(days=1)).isoformat()
        yesterday = (local_today() - timedelta(days=1)).isoformat()
        refusals = [
            ("plan-done", {"done_on": tomorrow}, "plan-done-date", "Får inte vara efter i dag"),
            ("end", {"reason": ""}, "end-reason", "Skriv varför placeringen avslutas"),
            ("end", {"end_date": yesterday, "reason": "x"}, "end-date", "Får inte vara före i dag"),
            ("switch", {"provider": kundval.org}, "switch-provider", "är redan kundens utförare"),
        ]
        for action, data, field, message in refusals:
            refused = await send(client, f"{path}/{action}", data, on=path)
            assert refused.status_code == 400, (action, data)
            assert message in field_error(refused.text, field), (action, data)
        after = await placements.status(lov.client, placement_id)
        assert (after.end_date, after.pending_switch) == (None, None)
        assert lov.smtp.messages == []

        ended = await send(client, f"{path}/end", {"reason": "Beslutet upphör"}, on=path)
        assert ended.status_code == 303
        assert (await placements.status(lov.client, placement_id)).end_date == local_today()
        html = (await client.get(path)).text
        assert "Placeringen avslutas, sista dag" in html
        assert "Placeringen avslutas av case-officer" in html


@pytest_asyncio.fixture
async def seeded(tmp_path: Path) -> Settings:
    """Records with a placement whose stored reference looks like a personnummer, and every
    role's account; Temporal at an address where nothing listens."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "administrator", "manager", "auditor", "case_officer")
    async with records(url) as store:
        await store.upsert_placement(
            "placement-0123456789ab",
            customer_ref=PERSONNUMMER,
            area="Centrum",
            service_type="omvårdnad",
            granted_hours=Decimal("22.50"),
            decision_date=date(2027, 1, 4),
            status="active",
            org_nr=NORR,
            pending_org_nr=None,
            provider_start=date(2027, 1, 11),
            care_plan_due=date(2027, 1, 25),
            care_plan_done_on=None,
            care_plan_current=False,
            end_date=None,
            at=AT,
        )
    return settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": f"127.0.0.1:{free_port()}"}
    )


async def test_the_list_reads_the_records_while_temporal_is_down(seeded: Settings) -> None:
    async with desk_client(seeded) as client:
        await log_in(client, "manager")
        listing = await client.get("/placements")
        assert listing.status_code == 200
        html = listing.text
        assert 'aria-current="page">Kundval</a>' in html
        assert "Temporal inte svarar" in html
        active = html.split('<h2 id="group-active">', 1)[1].split("</section>", 1)[0]
        assert "(dold)" in active and "Omsorg i Norr AB" in active and "25 januari 2027" in active
        assert "19121212" not in html
        assert "Registrera ett biståndsbeslut" not in html  # a manager is offered no action
        lost = await client.get("/placements/placement-0123456789ab")
        assert lost.status_code == 503
        assert (await client.get(f"/placements/{PERSONNUMMER}")).status_code == 404


def _posts(router: APIRouter) -> list[str]:
    routes = router.routes
    return sorted(r.path for r in routes if isinstance(r, APIRoute) and "POST" in (r.methods or ()))


@pytest.mark.parametrize("role", ["auditor", "manager"])
async def test_who_may_not_act_gets_403_on_every_action(seeded: Settings, role: str) -> None:
    posts = _posts(page.router)
    assert len(posts) == 7
    async with desk_client(seeded) as client:
        await log_in(client, role)
        csrf = await token(client, "/placements")
        for path in posts:
            response = await client.post(
                path.format(ref="placement-0123456789ab"),
                data={"csrf_token": csrf, "customer_ref": "DNR-1", "provider": NORR, "reason": "x"},
            )
            assert response.status_code == 403, (role, path)
            assert "Din roll får inte göra detta" in response.text


async def test_the_case_officer_acts_in_kundval_only(seeded: Settings) -> None:
    others = _posts(duties.router) + _posts(recoveries.router)
    assert len(others) == 8
    async with desk_client(seeded) as client:
        await log_in(client, "case-officer")
        listing = (await client.get("/placements")).text
        assert "Registrera ett biståndsbeslut" in listing  # offered here …
        assert "Starta ett återkrav" not in (await client.get("/recoveries")).text  # … not there
        csrf = await token(client, "/placements")
        for path in others:
            concrete = path.format(
                ref="5560360793-2027-001", obligation="annual-report", period="2027"
            )
            response = await client.post(
                concrete, data={"csrf_token": csrf, "outcome": "accept", "reason": "x"}
            )
            assert response.status_code == 403, path
    async with records(str(seeded.database_url)) as store:
        (placement,) = await store.list_placements()
        assert placement.status == "active"


async def test_a_customer_who_declines_gets_the_provider_next_in_turn(kundval: Kundval) -> None:
    lov = kundval.lov
    async with desk_as(kundval.settings, "case-officer") as client:
        started = await send(
            client, "/placements", kundval.decision(customer_ref="DNR-2031-0077"), on="/placements"
        )
        path = started.headers["location"]
        html = (await client.get(path)).text
        assert "Kunden avstår från att välja: näst på tur i turordningslistan" in html
        placed = await send(client, f"{path}/choose", {"provider": "rotation"}, on=path)
        assert placed.status_code == 303
        status = await placements.status(lov.client, path.removeprefix("/placements/"))
        assert (status.provider, status.via) == (kundval.org, "rotation")
        assert "turordningslistan" in (await client.get(path)).text
        listing = (await client.get("/placements")).text
        turns = listing.split('<h2 id="lists-title">', 1)[1].split("</section>")[0]
        assert "<td>1</td>" in turns  # one customer given by the list so far


async def test_the_lists_changed_by_hand(kundval: Kundval) -> None:
    lov = kundval.lov
    ref = kundval.org.replace("-", "")

    def turns(html: str) -> str:
        return html.split('<h2 id="lists-title">', 1)[1].split("</section>")[0]

    async with desk_as(kundval.settings, "case-officer") as client:
        form = (await client.get("/placements")).text
        assert f'<option value="{ref}">Omsorg i Norr AB ({kundval.org})</option>' in form
        refusals = [
            ("add", {"org_nr": ""}, "list-add-org", "Välj en utförare"),
            ("add", {"org_nr": ref, "area": ""}, "list-add-area", "Ange området"),
            (
                "add",
                {"org_nr": ref, "area": "Centrum", "service_type": "omvårdnad"},
                "list-add-org",
                f"{kundval.org} står redan på listan för Centrum / omvårdnad",
            ),
            ("remove", {"org_nr": ref, "area": "Östra"}, "list-remove-service", "Ange både"),
            (
                "remove",
                {"org_nr": ref, "area": "Östra", "service_type": "omvårdnad"},
                "list-remove-org",
                f"{kundval.org} står inte på listan för Östra / omvårdnad",
            ),
        ]
        for action, data, field, message in refusals:
            data = {"area": "", "service_type": ""} | data
            refused = await send(client, f"/placements/lists/{action}", data, on="/placements")
            assert refused.status_code == 400, (action, data, refused.text)
            assert field_error(refused.text, field).startswith(message), (action, data)
        status = await placements.rotation_status(lov.client, PLAN_ID)
        assert [(q.area, q.providers) for q in status.lists] == [("Centrum", (kundval.org,))]

        added = await send(
            client,
            "/placements/lists/add",
            {"org_nr": ref, "area": "Östra", "service_type": "omvårdnad"},
            on="/placements",
        )
        assert (added.status_code, added.headers["location"]) == (303, "/placements")
        html = (await client.get("/placements")).text
        assert "Utföraren står nu sist på listan." in html and "Östra" in turns(html)
        removed = await send(
            client,
            "/placements/lists/remove",
            {"org_nr": ref, "area": "Östra", "service_type": "omvårdnad", "reason": "Flyttar"},
            on="/placements",
        )
        assert removed.status_code == 303
        status = await placements.rotation_status(lov.client, PLAN_ID)
        on_lists = {q.area: q.providers for q in status.lists}
        assert on_lists == {"Centrum": (kundval.org,), "Östra": ()}
