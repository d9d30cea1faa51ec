"""Återkrav in the portal, against the dev server with a real worker, SQLite records and SMTP:
the provider's open case on its start page, a bad answer refused next to its field (HTTP 400,
nothing sent), an answer registered by the same `respond` Update as the desk's with the
provider's contact as the actor, and another provider's case not found (404) by GET or POST."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx

from models.messages.recovery import RecoveryState
from models.records.db import upgrade
from services import recoveries
from tests.support.contract_cli import Lov
from tests.support.desk import csrf_of, desk_client, records
from tests.support.helpers import eventually, free_port, random_org_nr
from tests.support.listings import settings_for
from tests.support.plans import PROVIDER_EMAIL
from tests.support.portal import link_token, open_recovery_case, open_visit, portal_settings


async def _status(lov: Lov, case_id: str) -> RecoveryState:
    return (await recoveries.recovery_status(lov.client, case_id)).status


async def _answer(client: httpx.AsyncClient, path: str, **fields: str) -> httpx.Response:
    page = await client.get(path)
    return await client.post(path, data={"csrf_token": csrf_of(page.text), **fields})


async def test_the_provider_answers_its_recovery_case_in_the_portal(portal_lov: Lov) -> None:
    lov = portal_lov
    org = random_org_nr()
    await lov.start(org)
    case_id = await open_recovery_case(lov, org)
    path = f"/portal/aterkrav/{case_id}"
    settings = portal_settings(lov)
    async with desk_client(settings) as client:
        await open_visit(client, link_token(settings, org, PROVIDER_EMAIL))
        start = (await client.get("/portal")).text
        assert f'href="{path}"' in start and "underrättad, väntar på svar" in start
        assert "1\u00a0479,25 kr" in start or "1 479,25 kr" in start
        page = await client.get(path)
        assert page.status_code == 200
        assert "K-1042" in page.text and '<label for="outcome-accept">' in page.text

        # Refused next to the field, nothing sent.
        cases = [
            ({}, "outcome", "Välj om ni godtar"),
            ({"outcome": "maybe"}, "outcome", "Välj om ni godtar"),
            ({"outcome": "dispute", "comment": "  "}, "comment", "Skriv vad ni invänder mot"),
            ({"outcome": "dispute", "comment": "x" * 4001}, "comment", "högst 4000 tecken"),
        ]
        for data, field, words in cases:
            response = await _answer(client, path, **data)
            assert response.status_code == 400, (data, response.text)
            error = response.text.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
            assert words in error, (data, error)
        assert await _status(lov, case_id) == RecoveryState.NOTICED

        disputed = await _answer(
            client, path, outcome="dispute", comment="Timmarna i januari är godkända."
        )
        assert (disputed.status_code, disputed.headers["location"]) == (303, path)
        assert "Tack! Vi har tagit emot ert svar" in (await client.get(path)).text
        status = await recoveries.recovery_status(lov.client, case_id)
        assert status.status == RecoveryState.RESPONDED
        assert status.response is not None
        assert (status.response.outcome, status.response.actor) == ("disputed", PROVIDER_EMAIL)
        assert status.response.comment == "Timmarna i januari är godkända."

        # Once answered: no form any more, and a second answer is refused above the form.
        async def answered() -> None:
            html = (await client.get(path)).text
            assert "svar registrerat, väntar på beslut" in html and 'name="outcome"' not in html

        await eventually(answered, timeout=20)
        again = await client.post(
            path,
            data={"csrf_token": csrf_of((await client.get(path)).text), "outcome": "accept"},
        )
        assert again.status_code == 400
        assert "Ert svar kan inte tas emot längre" in again.text


async def test_another_provider_s_case_is_not_found(portal_lov: Lov) -> None:
    lov = portal_lov
    mine, theirs = random_org_nr(), random_org_nr()
    await lov.start(mine)
    await lov.start(theirs)
    their_case = await open_recovery_case(lov, theirs)
    path = f"/portal/aterkrav/{their_case}"
    settings = portal_settings(lov)
    async with desk_client(settings) as client:
        await open_visit(client, link_token(settings, mine, PROVIDER_EMAIL))
        assert path not in (await client.get("/portal")).text
        page = await client.get(path)
        assert page.status_code == 404 and "Det återkravet finns inte hos er" in page.text
        assert their_case not in page.text
        csrf = csrf_of((await client.get("/portal")).text)
        posted = await client.post(path, data={"csrf_token": csrf, "outcome": "accept"})
        assert posted.status_code == 404
        for nonsense in ("/portal/aterkrav/nonsense", "/portal/aterkrav/5560360793-2027-001"):
            assert (await client.get(nonsense)).status_code == 404
    # Without a visit, the case page leads to the start page.
    async with desk_client(settings) as stranger:
        assert (await stranger.get(path)).status_code == 303
    assert await _status(lov, their_case) == RecoveryState.NOTICED


async def test_a_danish_provider_answers_in_danish_and_nothing_goes_without_temporal(
    tmp_path: Path,
) -> None:
    """Records only, Temporal unreachable: the case reads in Danish, a bad answer is refused
    next to its field, and a good one is refused above the form, saying nothing was sent."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    cvr, at = "25313763", datetime(2027, 1, 4, tzinfo=UTC)
    case_id = f"{cvr}-2027-001"
    async with records(url) as store:
        await store.upsert_provider(cvr, "Hjemmepleje Midt ApS", "post@midt.example", at)
        await store.record_contract(f"contract-{cvr}", cvr, "herning", date(2026, 1, 1), at)
        await store.upsert_recovery(
            case_id,
            cvr,
            "noticed",
            Decimal("1479.25"),
            at,
            workflow_id=f"recovery-{case_id}",
            year=2027,
            claimed_amount=Decimal("1479.25"),
            response_due=date(2027, 1, 25),
        )
    settings = settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": f"127.0.0.1:{free_port()}"}
    )
    path = f"/portal/aterkrav/{case_id}"
    async with desk_client(settings) as client:
        await open_visit(client, link_token(settings, cvr, "post@midt.example"))
        start = (await client.get("/portal")).text
        assert "Tilbagebetalingskrav" in start and "1.479,25 kr" in start.replace("\u00a0", " ")
        assert "varslet, afventer jeres svar" in start and "25. januar 2027" in start
        page = await client.get(path)
        assert page.status_code == 200 and 'lang="da"' in page.text
        assert "Vi accepterer kravet" in page.text and "Återkrav" not in page.text
        bare = await _answer(client, path, outcome="dispute")
        assert bare.status_code == 400
        assert "Skriv, hvad I gør indsigelse mod" in bare.text.split('id="comment-error">')[1]
        down = await _answer(client, path, outcome="accept")
        assert down.status_code == 503
        assert "Det var ikke muligt at indsende lige nu, og intet er gemt" in down.text
