"""Kundval in the portal: the provider follows the link in its new-assignment e-mail, finds the
placement whose genomförandeplan it owes on its start page (addressed by the placement's id,
never the customer), a bad date is refused next to the field with nothing sent, another
provider's placement is not found (404) by GET or POST, and the report is the same
`care_plan_done` Update as the desk's with the provider's contact as the actor. Against the dev
server with a real worker, SQLite records and SMTP; the Danish page without Temporal."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx

from models.ids import is_placement_id
from models.messages.placement import ChooseRequest, PlacementInput
from models.records.db import upgrade
from services import placements as pa
from tests.support.cli_runner import run_lov
from tests.support.contract_cli import Lov
from tests.support.desk import csrf_of, desk_client, records
from tests.support.helpers import eventually, free_port, random_org_nr
from tests.support.listings import settings_for
from tests.support.placement_helpers import fresh_rotation_list
from tests.support.plans import PLAN_ID, PROVIDER_EMAIL, local_today
from tests.support.portal import link_token, open_visit, portal_settings

CUSTOMER = "DNR-2031-0042"


async def _send(client: httpx.AsyncClient, path: str, **fields: str) -> httpx.Response:
    page = await client.get(path)
    return await client.post(path, data={"csrf_token": csrf_of(page.text), **fields})


def _error(html: str, field: str) -> str:
    return html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]


async def _placement(lov: Lov, org: str) -> str:
    """A placement begun today, chosen by the customer for `org`; its id once the records show
    the genomförandeplan owed."""
    settings = portal_settings(lov)
    today = local_today()
    wid = await pa.start(
        lov.client,
        settings.temporal_task_queue,
        PlacementInput(
            customer_ref=CUSTOMER,
            area="Centrum",
            service_type="omvårdnad",
            granted_hours=Decimal("22.50"),
            decision_date=today,
            start=today,
            plan_id=PLAN_ID,
            actor="handlaggare",
            search_attributes=False,
        ),
    )

    async def ready() -> None:
        assert (await pa.status(lov.client, wid)).registered

    await eventually(ready, timeout=20)
    await pa.choose(lov.client, wid, ChooseRequest(provider=org, actor="handlaggare"))

    async def recorded() -> None:
        rows = await pa.list_placements(settings, org_nr=org)
        dues = [r.placement.care_plan_due for r in rows if r.placement.placement_id == wid]
        assert len(dues) == 1 and dues[0] is not None

    await eventually(recorded, timeout=20)
    return wid


async def test_the_provider_reports_its_care_plan_in_the_portal(portal_lov: Lov) -> None:
    lov = portal_lov
    await fresh_rotation_list(lov.client, PLAN_ID)
    mine, theirs = random_org_nr(), random_org_nr()
    await lov.start(mine)
    await lov.start(theirs)
    added = await run_lov(
        lov.env, "placement", "provider", "add", mine, "--area", "Centrum", "--service", "omvårdnad"
    )
    assert added.exit_code == 0, added.stderr
    lov.smtp.clear()
    wid = await _placement(lov, mine)
    path = f"/portal/uppdrag/{wid}"
    settings = portal_settings(lov)
    today = local_today()

    # The new-assignment e-mail carries the provider's personal link, and says to report there.
    (new,) = [m for m in await lov.smtp.wait_for(1) if m["X-Lov-Kind"] == "placement-new"]
    body = new.get_content()
    assert "Meddela i kommunens utförarportal när den är klar" in body
    found = re.search(r"http://\S+/portal/(\S+)", body)
    assert found is not None, body

    # Another provider's visit: not on its start page, not found by GET or POST, nothing sent.
    async with desk_client(settings) as other:
        await open_visit(other, link_token(settings, theirs, PROVIDER_EMAIL))
        assert wid not in (await other.get("/portal")).text
        page = await other.get(path)
        assert page.status_code == 404 and "Det uppdraget finns inte hos er" in page.text
        assert CUSTOMER not in page.text
        csrf = csrf_of((await other.get("/portal")).text)
        posted = await other.post(path, data={"csrf_token": csrf, "done_on": today.isoformat()})
        assert posted.status_code == 404
        assert (await other.get("/portal/uppdrag/nonsense")).status_code == 404
    untouched = (await pa.status(lov.client, wid)).care_plan
    assert untouched is not None and untouched.done_on is None

    async with desk_client(settings) as client:
        await open_visit(client, found.group(1))  # the link from the e-mail
        start = (await client.get("/portal")).text
        assert f'<a href="{path}">Uppdrag {CUSTOMER}</a>' in start
        assert is_placement_id(wid) and CUSTOMER not in path  # no customer in the address
        page = await client.get(path)
        assert page.status_code == 200 and "Meddela att genomförandeplanen är klar" in page.text

        # A bad date: refused next to the field, nothing sent.
        yesterday = (today - timedelta(days=1)).isoformat()
        tomorrow = (today + timedelta(days=1)).isoformat()
        cases = [
            ("", "Ange datumet då planen upprättades"),
            ("17/3", "Skriv datumet som ÅÅÅÅ-MM-DD"),
            (tomorrow, "Datumet får inte vara efter i dag"),
            (yesterday, "Datumet får inte vara före uppdragets start"),
        ]
        for typed, words in cases:
            refused = await _send(client, path, done_on=typed)
            assert refused.status_code == 400, (typed, refused.text)
            assert words in _error(refused.text, "done_on"), typed
        status = await pa.status(lov.client, wid)
        assert status.care_plan is not None and status.care_plan.done_on is None

        done = await _send(client, path, done_on=today.isoformat())
        assert (done.status_code, done.headers["location"]) == (303, path)
        assert (
            "Tack! Kommunen har registrerat att genomförandeplanen" in (await client.get(path)).text
        )
        status = await pa.status(lov.client, wid)
        assert status.care_plan is not None and status.care_plan.done_on == today
        assert any(f"care_plan_done ({PROVIDER_EMAIL})" in n for n in status.history)

        async def shown_done() -> None:
            html = (await client.get(path)).text
            assert "genomförandeplanen registrerad" in html and 'name="done_on"' not in html
            assert path not in (await client.get("/portal")).text

        await eventually(shown_done, timeout=20)
        # A second report is refused above the form (the records may still lag: either way).
        again = await client.post(
            path,
            data={"csrf_token": csrf_of((await client.get(path)).text), "done_on": yesterday},
        )
        assert again.status_code == 400
        assert "redan registrerad" in again.text


async def test_a_danish_provider_reports_in_danish_and_nothing_goes_without_temporal(
    tmp_path: Path,
) -> None:
    """Records only, Temporal unreachable: the placement reads in Danish, a bad date is refused
    next to its field, a good one above the form saying nothing was saved; another provider's
    placement is not found."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    cvr, other, at = "25313763", "12345674", datetime(2027, 1, 4, tzinfo=UTC)
    start = date.today() - timedelta(days=3)
    mine, theirs = "placement-0123456789ab", "placement-ba9876543210"
    async with records(url) as store:
        for number, name, email in [
            (cvr, "Hjemmepleje Midt ApS", "post@midt.example"),
            (other, "Pleje Nord ApS", "post@nord.example"),
        ]:
            await store.upsert_provider(number, name, email, at)
            await store.record_contract(
                f"contract-{number}", number, "herning", date(2026, 1, 1), at
            )
        for placement_id, org in [(mine, cvr), (theirs, other)]:
            await store.upsert_placement(
                placement_id,
                customer_ref="BR-1042",
                area="Midt",
                service_type="personlig-pleje",
                granted_hours=Decimal("10.00"),
                decision_date=start,
                status="active",
                org_nr=org,
                pending_org_nr=None,
                provider_start=start,
                care_plan_due=start + timedelta(days=1),
                care_plan_done_on=None,
                care_plan_current=False,
                end_date=None,
                at=at,
            )
    settings = settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": f"127.0.0.1:{free_port()}"}
    )
    path = f"/portal/uppdrag/{mine}"
    async with desk_client(settings) as client:
        await open_visit(client, link_token(settings, cvr, "post@midt.example"))
        start_page = (await client.get("/portal")).text
        assert "Døgnrytmeplaner, der skal udarbejdes" in start_page
        assert f'href="{path}"' in start_page and theirs not in start_page
        assert "forsinket" in start_page
        page = await client.get(path)
        assert page.status_code == 200 and 'lang="da"' in page.text
        assert "Giv besked om, at døgnrytmeplanen er klar" in page.text
        bad = await _send(client, path, done_on="i går")
        assert bad.status_code == 400
        assert "Skriv datoen som ÅÅÅÅ-MM-DD" in _error(bad.text, "done_on")
        down = await _send(client, path, done_on=start.isoformat())
        assert down.status_code == 503
        assert "Det var ikke muligt at indsende lige nu, og intet er gemt" in down.text
        assert (await client.get(f"/portal/uppdrag/{theirs}")).status_code == 404
    async with records(url) as store:
        row = await store.get_placement(mine)
        assert row is not None and row.care_plan_done_on is None
