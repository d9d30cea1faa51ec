"""Findings (brister) in the portal, against the dev server with a real worker, SQLite records
and SMTP: the provider's open finding on its start page with what is asked by when, its
response (kommunicering) and its åtgärdsplan with a document, each refused next to its field
when bad (HTTP 400, nothing sent or stored), registered by the same Updates as the desk's with
the provider's contact as the actor; another provider's finding is not found (404) by GET or
POST, and nothing is written to it."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from models.messages.finding import ActionPlanRequest, FindingState
from models.records.db import upgrade
from services import findings
from services.documents import DocumentStore
from tests.support.contract_cli import Lov
from tests.support.desk import add_accounts, csrf_of, desk_client, log_in, records
from tests.support.helpers import eventually, free_port, random_org_nr
from tests.support.listings import settings_for
from tests.support.plans import PROVIDER_EMAIL, local_today
from tests.support.portal import link_token, open_visit, portal_settings

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def _register(lov: Lov, org: str) -> str:
    settings = portal_settings(lov)
    found = await findings.register_finding(
        lov.client,
        settings,
        org,
        requirement="care-plans",
        severity="high",
        source="visit",
        what="Genomförandeplaner saknas för tre kunder",
        actor="administrator",
    )

    async def listed() -> None:
        rows = await findings.list_findings(settings, org_nr=org)
        assert [r.finding.finding_id for r in rows] == [found.finding_id]

    await eventually(listed, timeout=20)
    return found.finding_id


async def _post(
    client: httpx.AsyncClient, page: str, action: str, files: object = None, **fields: str
) -> httpx.Response:
    csrf = csrf_of((await client.get(page)).text)
    return await client.post(action, data={"csrf_token": csrf, **fields}, files=files)  # type: ignore[arg-type]


def _error(html: str, field: str) -> str:
    return html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]


async def test_the_provider_responds_and_sends_its_action_plan(finding_lov: Lov) -> None:
    lov = finding_lov
    org = random_org_nr()
    await lov.start(org)
    finding_id = await _register(lov, org)
    path = f"/portal/brister/{finding_id}"
    settings = portal_settings(lov)
    async with desk_client(settings) as client:
        await open_visit(client, link_token(settings, org, PROVIDER_EMAIL))
        start = (await client.get("/portal")).text
        assert f'href="{path}"' in start and "Ert yttrande" in start
        assert "väntar på ert yttrande" in start
        page = (await client.get(path)).text
        assert "Genomförandeplan inom två veckor" in page and '<label for="comment">' in page
        assert 'action="' + path + '/atgardsplan"' not in page  # no åtgärdsplan asked yet

        for comment, words in (("  ", "Skriv något här."), ("x" * 4001, "Högst 4000 tecken.")):
            refused = await _post(client, path, f"{path}/svar", comment=comment)
            assert refused.status_code == 400
            assert _error(refused.text, "comment") == words
        status = await findings.finding_status(lov.client, finding_id)
        assert status.status == FindingState.NOTICED

        answered = await _post(client, path, f"{path}/svar", comment="Vi rättar det i april.")
        assert (answered.status_code, answered.headers["location"]) == (303, path)
        assert "Tack! Vi har tagit emot ert yttrande" in (await client.get(path)).text
        status = await findings.finding_status(lov.client, finding_id)
        assert status.status == FindingState.RESPONDED
        assert status.kommunicering is not None
        assert status.kommunicering.response == "Vi rättar det i april."
        assert status.steps[-1].actor == PROVIDER_EMAIL

        due = local_today() + timedelta(days=30)
        await findings.request_action_plan(
            lov.client, finding_id, ActionPlanRequest(due=due, actor="administrator")
        )

        async def asked() -> None:
            html = (await client.get(path)).text
            assert 'action="' + path + '/atgardsplan"' in html

        await eventually(asked, timeout=20)
        documents = DocumentStore.from_settings(settings)
        empty = await _post(client, path, f"{path}/atgardsplan", summary=" ")
        assert empty.status_code == 400 and _error(empty.text, "summary") == "Skriv något här."
        wrong = await _post(
            client,
            path,
            f"{path}/atgardsplan",
            files={"documents": ("plan.pdf", b"just text, not a pdf", "application/pdf")},
            summary="Ny rutin",
        )
        assert wrong.status_code == 400
        assert "ingen PDF" in _error(wrong.text, "documents")
        assert not documents.root.exists() or not any(documents.root.rglob("*"))
        status = await findings.finding_status(lov.client, finding_id)
        assert status.status == FindingState.ACTION_PLAN_REQUESTED

        sent = await _post(
            client,
            path,
            f"{path}/atgardsplan",
            files={"documents": ("rutin.pdf", PDF, "application/pdf")},
            summary="Ny rutin för genomförandeplaner; ansvarig: enhetschefen.",
        )
        assert (sent.status_code, sent.headers["location"]) == (303, path), sent.text
        assert "Tack! Vi har tagit emot er åtgärdsplan" in (await client.get(path)).text
        status = await findings.finding_status(lov.client, finding_id)
        assert status.status == FindingState.ACTION_PLAN_SUBMITTED
        assert status.action_plan is not None
        assert status.action_plan.startswith("Ny rutin för genomförandeplaner")
        digest = hashlib.sha256(PDF).hexdigest()
        assert f"rutin.pdf (SHA-256 {digest})" in status.action_plan
        assert documents.path_of(digest).read_bytes() == PDF
        assert status.steps[-1].actor == PROVIDER_EMAIL

    # The desk shows the åtgärdsplan with its document, downloadable by its SHA-256.
    assert settings.database_url is not None
    await add_accounts(settings.database_url, "auditor")
    async with desk_client(settings) as desk:
        await log_in(desk, "auditor")
        desk_path = f"/findings/{finding_id}"

        async def shown() -> None:
            html = (await desk.get(desk_path)).text
            assert "Ny rutin för genomförandeplaner" in html
            assert f'href="{desk_path}/documents/{digest}"' in html

        await eventually(shown, timeout=20)
        download = await desk.get(f"{desk_path}/documents/{digest}")
        assert download.status_code == 200 and download.content == PDF
        assert "attachment" in download.headers["content-disposition"]
        other = hashlib.sha256(b"other").hexdigest()
        assert (await desk.get(f"{desk_path}/documents/{other}")).status_code == 404


async def test_another_provider_s_finding_is_not_found(finding_lov: Lov) -> None:
    lov = finding_lov
    mine, theirs = random_org_nr(), random_org_nr()
    await lov.start(mine)
    await lov.start(theirs)
    their_finding = await _register(lov, theirs)
    path = f"/portal/brister/{their_finding}"
    settings = portal_settings(lov)
    async with desk_client(settings) as client:
        await open_visit(client, link_token(settings, mine, PROVIDER_EMAIL))
        assert path not in (await client.get("/portal")).text
        page = await client.get(path)
        assert page.status_code == 404 and "Den bristen finns inte hos er" in page.text
        assert "Genomförandeplaner saknas" not in page.text
        for action, fields in (
            (f"{path}/svar", {"comment": "Inte vår"}),
            (f"{path}/atgardsplan", {"summary": "Inte vår"}),
        ):
            posted = await _post(client, "/portal", action, **fields)
            assert posted.status_code == 404, action
        for nonsense in ("/portal/brister/nonsense", "/portal/brister/5560360793-2027-001"):
            assert (await client.get(nonsense)).status_code == 404
    # Without a visit, the finding's page leads to the start page.
    async with desk_client(settings) as stranger:
        assert (await stranger.get(path)).status_code == 303
    status = await findings.finding_status(lov.client, their_finding)
    assert status.status == FindingState.NOTICED
    assert status.kommunicering is not None and status.kommunicering.response is None
    assert [s.step for s in status.steps] == ["noticed"]


async def test_a_danish_provider_reads_its_finding_in_danish_and_nothing_goes_without_temporal(
    tmp_path: Path,
) -> None:
    """Records only, Temporal unreachable: the finding reads in Danish, an empty response is
    refused next to its field, and a good one above the form, saying nothing was sent."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    cvr, at = "25313763", datetime(2027, 1, 4, tzinfo=UTC)
    finding_id = f"{cvr}-2027-001"
    async with records(url) as store:
        await store.upsert_provider(cvr, "Hjemmepleje Midt ApS", "post@midt.example", at)
        await store.record_contract(f"contract-{cvr}", cvr, "herning", date(2026, 1, 1), at)
        await store.upsert_finding(
            finding_id,
            workflow_id=f"finding-{finding_id}",
            org_nr=cvr,
            plan_id="herning",
            year=2027,
            status="noticed",
            requirement="documentation",
            severity="high",
            source="visit",
            what="Dokumentationen mangler for tre borgere",
            round=0,
            at=at,
            response_due=date(2027, 1, 25),
        )
        await store.record_finding_step("n1", finding_id, "noticed", "noticed", "anna", at, {})
    settings = settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": f"127.0.0.1:{free_port()}"}
    )
    path = f"/portal/brister/{finding_id}"
    async with desk_client(settings) as client:
        await open_visit(client, link_token(settings, cvr, "post@midt.example"))
        start = (await client.get("/portal")).text
        assert "Mangler, som kommunen har fundet" in start and "25. januar 2027" in start
        assert "afventer jeres udtalelse" in start
        page = await client.get(path)
        assert page.status_code == 200 and 'lang="da"' in page.text
        assert "Udtal jer (partshøring)" in page.text and "Brist" not in page.text
        bare = await _post(client, path, f"{path}/svar", comment=" ")
        assert bare.status_code == 400 and _error(bare.text, "comment") == "Skriv noget her."
        down = await _post(client, path, f"{path}/svar", comment="Vi er uenige.")
        assert down.status_code == 503
        assert "Det var ikke muligt at indsende lige nu, og intet er gemt" in down.text
