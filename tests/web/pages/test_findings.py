"""Findings (brister) in the desk, against the dev server with a real worker, SQLite records
and SMTP: a finding registered through the list's form, an åtgärdsplan asked for within the
plan's limits, the verification, a sanction decided by a manager, and closing. Every refusal is
shown next to its field (or above the form), changes nothing and sends nothing; the auditor is
refused by the server (403) on every action; the pages read the records while Temporal is down.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio
from fastapi.routing import APIRoute

from models.messages.finding import FindingState
from models.runtime.settings import Settings
from services import findings
from services.documents import DocumentStore
from tests.support.contract_cli import Lov
from tests.support.desk import add_accounts, desk_client, log_in, records, token
from tests.support.desk_forms import desk_as, desk_settings, field_error, form_error, send
from tests.support.helpers import eventually, free_port, random_org_nr
from tests.support.listings import AT, NORR, VAST, danish_settings_for, seed_records, settings_for
from tests.support.plans import local_today
from web.pages import findings as page

TITLE = "Genomförandeplan inom två veckor"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class FindingDesk:
    lov: Lov
    settings: Settings
    org: str

    @property
    def digits(self) -> str:
        return self.org.replace("-", "")

    def first(self) -> str:
        return f"{self.digits}-{local_today().year}-001"


@pytest_asyncio.fixture
async def finding_desk(finding_lov: Lov) -> AsyncIterator[FindingDesk]:
    lov = finding_lov
    org = random_org_nr()
    await lov.start(org)
    settings = desk_settings(lov)
    assert settings.database_url is not None
    await add_accounts(settings.database_url, "administrator", "manager", "auditor")
    lov.smtp.clear()
    yield FindingDesk(lov, settings, org)


def _kinds(desk: FindingDesk) -> list[str]:
    return [str(m["X-Lov-Kind"]) for m in desk.lov.smtp.messages]


async def _state(desk: FindingDesk, finding_id: str) -> FindingState:
    return (await findings.finding_status(desk.lov.client, finding_id)).status


async def test_a_finding_from_registration_to_sanction_and_close(
    finding_desk: FindingDesk,
) -> None:
    desk, lov = finding_desk, finding_desk.lov
    async with (
        desk_as(desk.settings, "administrator") as admin,
        desk_as(desk.settings, "manager") as manager,
        desk_as(desk.settings, "auditor") as auditor,
    ):
        listing = (await admin.get("/findings")).text
        assert f'<option value="{desk.digits}">' in listing and TITLE in listing
        good = {
            "provider": desk.digits,
            "requirement": "care-plans",
            "severity": "high",
            "source": "visit",
            "what": "Genomförandeplaner saknas för tre kunder",
            "evidence": "Tillsynsbesök 3 mars, anteckningar",
        }
        bad = [
            ({"provider": ""}, "register-provider", "Välj en utförare"),
            ({"requirement": ""}, "register-requirement", "Välj vilket krav"),
            ({"requirement": "x"}, "register-requirement", "Inte ett krav i utförarens plan"),
            ({"severity": "svår"}, "register-severity", "Välj ett av alternativen"),
            ({"what": "  "}, "register-what", "Får inte vara tomt"),
        ]
        for change, field, start in bad:
            response = await send(admin, "/findings", {**good, **change}, on="/findings")
            assert response.status_code == 400, (change, response.text)
            assert field_error(response.text, field).startswith(start), change
        assert _kinds(desk) == []
        async with records(str(desk.settings.database_url)) as store:
            assert await store.list_findings(desk.org) == []

        registered = await send(admin, "/findings", good, on="/findings")
        assert registered.status_code == 303, registered.text
        finding_id = desk.first()
        path = f"/findings/{finding_id}"
        assert registered.headers["location"] == "/findings"
        assert f"Brist {finding_id} registrerad" in (await admin.get("/findings")).text

        async def shown() -> None:
            html = (await admin.get(path)).text
            for text in (TITLE, "Avtalet punkt 5.2", good["what"], good["evidence"], "hög"):
                assert text in html, text
            assert "Underrättelse skickad av administrator" in html

        await eventually(shown, timeout=20)
        await eventually(lambda: _has(desk, "finding-notice"), timeout=20)
        start = (await admin.get("/")).text
        assert f'href="{path}"' in start.split('id="findings"', 1)[1]
        provider = (await admin.get(f"/providers/{desk.digits}")).text
        assert f'href="{path}"' in provider
        lov.smtp.clear()

        # An åtgärdsplan due outside the plan's 14–60 days is refused next to the date.
        today = local_today()
        early = (today + timedelta(days=3)).isoformat()
        refused = await send(admin, f"{path}/action-plan", {"due": early}, on=path)
        assert refused.status_code == 400
        assert field_error(refused.text, "request-due").startswith("Planen tillåter")
        assert await _state(desk, finding_id) == FindingState.NOTICED
        due = (today + timedelta(days=30)).isoformat()
        asked = await send(admin, f"{path}/action-plan", {"due": due, "note": "Senast"}, on=path)
        assert asked.status_code == 303, asked.text
        assert await _state(desk, finding_id) == FindingState.ACTION_PLAN_REQUESTED

        # The åtgärdsplan comes by letter: the administrator registers it with its document.
        # A refusal (no text, a document that is no PDF) is shown next to its field, and
        # nothing is stored or sent.
        # The notice's kommunicering is still unanswered, so a response may come too.
        async def plan_offered() -> None:
            html = (await admin.get(path)).text
            assert f'action="{path}/plan"' in html and f'action="{path}/respond"' in html

        await eventually(plan_offered, timeout=20)
        documents = DocumentStore.from_settings(desk.settings)
        for data, files, field, start in [
            ({"summary": " "}, None, "plan-summary", "Får inte vara tomt"),
            (
                {"summary": "Planer skrivs i april"},
                {"documents": ("plan.pdf", b"just text, not a pdf", "application/pdf")},
                "plan-documents",
                "",
            ),
        ]:
            csrf = await token(admin, path)
            refused = await admin.post(
                f"{path}/plan",
                data={"csrf_token": csrf, **data},
                files=files,  # type: ignore[arg-type]
            )
            assert refused.status_code == 400, (data, refused.text)
            assert field_error(refused.text, field).startswith(start), refused.text
        assert not documents.root.exists() or not any(documents.root.rglob("*"))
        assert await _state(desk, finding_id) == FindingState.ACTION_PLAN_REQUESTED
        csrf = await token(admin, path)
        planned = await admin.post(
            f"{path}/plan",
            data={"csrf_token": csrf, "summary": "Planer skrivs i april"},
            files={"documents": ("rutin.pdf", PDF, "application/pdf")},
        )
        assert (planned.status_code, planned.headers["location"]) == (303, path), planned.text
        status = await findings.finding_status(lov.client, finding_id)
        assert status.status == FindingState.ACTION_PLAN_SUBMITTED
        digest = hashlib.sha256(PDF).hexdigest()
        assert (
            status.action_plan
            == f"Planer skrivs i april\n\nDokument:\n- rutin.pdf (SHA-256 {digest})"
        )
        assert status.steps[-1].actor == "administrator"
        assert documents.path_of(digest).read_bytes() == PDF
        assert "Åtgärdsplanen är registrerad" in (await admin.get(path)).text

        async def plan_shown() -> None:
            assert f"/documents/{digest}" in (await admin.get(path)).text

        await eventually(plan_shown, timeout=20)
        html = (await admin.get(path)).text
        assert 'action="' + path + '/verify"' in html
        missing = await send(admin, f"{path}/verify", {"outcome": "not_remedied"}, on=path)
        assert missing.status_code == 400
        assert field_error(missing.text, "verify-note") == "Får inte vara tomt"
        not_yet = await send(
            admin, f"{path}/verify", {"outcome": "not_remedied", "note": "Två saknas"}, on=path
        )
        assert not_yet.status_code == 303
        assert await _state(desk, finding_id) == FindingState.NOT_REMEDIED
        await eventually(lambda: _has(desk, "finding-verified"), timeout=20)
        lov.smtp.clear()

        # The manager decides; each refusal next to its field, nothing decided or sent.
        for data, field, start in [
            ({"kind": "", "reason": "x"}, "decide-kind", "Välj en sanktion"),
            ({"kind": "vite", "amount": "0", "reason": "x"}, "decide-amount", "Måste vara"),
            ({"kind": "vite", "amount": "tio", "reason": "x"}, "decide-amount", "Inte ett tal"),
            ({"kind": "pafpekande", "amount": "10", "reason": "x"}, "decide-amount", "Den"),
            ({"kind": "vite", "reason": ""}, "decide-reason", "Får inte vara tomt"),
        ]:
            response = await send(manager, f"{path}/decide", data, on=path)
            assert response.status_code == 400, (data, response.text)
            assert field_error(response.text, field).startswith(start), (data, response.text)
        # Before the provider has had its say (kommunicering): refused above the form.
        early_decision = await send(
            manager, f"{path}/decide", {"kind": "vite", "reason": "Inte åtgärdat"}, on=path
        )
        assert early_decision.status_code == 400
        assert form_error(early_decision.text).startswith("Utföraren får yttra sig till och med")
        status = await findings.finding_status(lov.client, finding_id)
        assert status.decisions == [] and status.status == FindingState.NOT_REMEDIED
        assert _kinds(desk) == []

        # The provider's response comes by e-mail: the administrator registers it.
        async def respond_offered() -> None:
            html = (await admin.get(path)).text
            assert f'action="{path}/respond"' in html and f'action="{path}/plan"' not in html

        await eventually(respond_offered, timeout=20)
        empty = await send(admin, f"{path}/respond", {"comment": "  "}, on=path)
        assert empty.status_code == 400
        assert field_error(empty.text, "respond-comment") == "Får inte vara tomt"
        status = await findings.finding_status(lov.client, finding_id)
        assert [s.step for s in status.steps].count("response") == 0
        responded = await send(
            admin, f"{path}/respond", {"comment": "Vi behöver två veckor till"}, on=path
        )
        assert responded.status_code == 303, responded.text
        status = await findings.finding_status(lov.client, finding_id)
        assert status.steps[-1].step == "response"
        assert status.steps[-1].actor == "administrator"
        assert "Utförarens svar är registrerat" in (await admin.get(path)).text

        async def response_shown() -> None:
            html = (await admin.get(path)).text
            assert "Vi behöver två veckor till" in html
            assert f'action="{path}/respond"' not in html

        await eventually(response_shown, timeout=20)
        decided = await send(
            manager,
            f"{path}/decide",
            {"kind": "vite", "amount": "2500", "reason": "Inte åtgärdat i tid"},
            on=path,
        )
        assert decided.status_code == 303, decided.text
        status = await findings.finding_status(lov.client, finding_id)
        (decision,) = status.decisions
        assert (decision.kind, decision.amount, decision.actor) == (
            "vite",
            Decimal("2500"),
            "manager",
        )

        async def decision_shown() -> None:
            html = (await auditor.get(path)).text
            assert "Inte åtgärdat i tid" in html and "2\u00a0500,00 kr" in html
            assert "<form" not in html.split("</header>", 1)[1]  # the auditor only reads

        await eventually(decision_shown, timeout=20)

        # The auditor is refused by the server on every action, and nothing changes.
        csrf = await token(auditor, path)
        for route in _posts():
            response = await auditor.post(
                route.format(ref=finding_id),
                data={"csrf_token": csrf, "reason": "x", "kind": "pafpekande", **good},
            )
            assert response.status_code == 403, route
        # The manager decides, but does not close.
        closing = await send(manager, f"{path}/close", {"reason": "x"}, on=path)
        assert closing.status_code == 403
        assert await _state(desk, finding_id) == FindingState.NOT_REMEDIED

        closed = await send(admin, f"{path}/close", {"reason": "Åtgärdat efter vite"}, on=path)
        assert closed.status_code == 303
        assert await _state(desk, finding_id) == FindingState.CLOSED

        async def listed_closed() -> None:
            html = (await admin.get("/findings?state=closed")).text
            assert f'href="{path}"' in html

        await eventually(listed_closed, timeout=20)
        bad_filter = await admin.get("/findings?state=nonsense")
        assert bad_filter.status_code == 400
        assert field_error(bad_filter.text, "filter-state") == "Välj ett läge i listan."


async def _has(desk: FindingDesk, kind: str) -> None:
    assert kind in _kinds(desk), _kinds(desk)


def _posts() -> list[str]:
    return sorted(
        r.path
        for r in page.router.routes
        if isinstance(r, APIRoute) and "POST" in (r.methods or ())
    )


@pytest_asyncio.fixture
async def seeded(tmp_path: Path) -> Settings:
    """Records with one finding with its notice step, every role's account; Temporal at an
    address where nothing listens."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "administrator", "manager", "auditor", "case_officer")
    finding_id = "5560360793-2027-001"
    async with records(url) as store:
        await store.upsert_finding(
            finding_id,
            workflow_id=f"finding-{finding_id}",
            org_nr=NORR,
            plan_id="sundsvall",
            year=2027,
            status="noticed",
            requirement="care-plans",
            severity="medium",
            source="visit",
            what="Genomförandeplaner saknas",
            round=0,
            at=AT,
            response_due=date(2027, 1, 22),
        )
        await store.record_finding_step(
            "f1", finding_id, "noticed", "noticed", "anna", AT, {"what": "Genomförandeplaner"}
        )
    return settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": f"127.0.0.1:{free_port()}"}
    )


async def test_the_pages_read_the_records_while_temporal_is_down(seeded: Settings) -> None:
    # A vite the plan hands to invoicing (`collect = "invoice"`): its reference is shown.
    async with records(str(seeded.database_url)) as store:
        await store.record_finding_decision(
            "d1",
            "5560360793-2027-001",
            NORR,
            "vite",
            "Vite",
            Decimal("10000"),
            "Inte åtgärdat",
            "chef",
            AT,
            {"collect": "invoice", "invoice_reference": "5560360793-2027-001-B1"},
        )
    async with desk_client(seeded) as client:
        await log_in(client, "auditor")
        path = "/findings/5560360793-2027-001"
        start = (await client.get("/")).text
        assert f'href="{path}"' in start and "22 januari 2027" in start
        listing = (await client.get("/findings")).text
        assert 'aria-current="page">Brister</a>' in listing
        assert f'href="{path}"' in listing and "Registrera en brist" not in listing
        found = await client.get(path)
        assert found.status_code == 200
        assert "Genomförandeplaner saknas" in found.text
        assert "Underrättelse skickad av anna" in found.text
        assert ">Fakturareferens</th>" in found.text
        assert "<td>5560360793-2027-001-B1</td>" in found.text
        assert "<form" not in found.text.split("</header>", 1)[1]
        assert (await client.get("/findings/5560360793-2027-002")).status_code == 404
        assert (await client.get("/findings/nonsense")).status_code == 404
    async with desk_client(seeded) as client:
        await log_in(client, "administrator")
        # A response (kommunicering) is awaited: the form to register one is offered.
        offered = (await client.get(path)).text
        assert f'action="{path}/respond"' in offered and f'action="{path}/plan"' not in offered
        lost = await client.post(
            f"{path}/close",
            data={"csrf_token": await token(client, path), "reason": "x", "request_id": "f-2"},
        )
        assert lost.status_code == 503
        assert "Temporal svarar inte just nu, så inget har ändrats" in lost.text


@pytest.mark.parametrize("role", ["auditor", "case_officer"])
async def test_who_may_not_act_gets_403_on_every_action(seeded: Settings, role: str) -> None:
    posts = _posts()
    assert len(posts) == 7
    async with desk_client(seeded) as client:
        await log_in(client, role.replace("_", "-"))
        csrf = await token(client, "/findings")
        for path in posts:
            response = await client.post(
                path.format(ref="5560360793-2027-001"),
                data={"csrf_token": csrf, "provider": "5560360793", "reason": "x"},
            )
            assert response.status_code == 403, (role, path)
    async with records(str(seeded.database_url)) as store:
        (found,) = await store.list_findings()
        assert found.status == "noticed"


async def test_a_review_accepts_with_findings(finding_desk: FindingDesk) -> None:
    desk, lov = finding_desk, finding_desk.lov
    submitted = await lov.cli(*lov.submit_args(desk.org))
    assert submitted.exit_code == 0, submitted.stderr
    path = f"/providers/{desk.digits}/duties/annual-report/{lov.year}"
    async with desk_as(desk.settings, "administrator") as admin:
        html = (await admin.get(path)).text
        assert '<label for="accept-findings">' in html and f"care-plans ({TITLE})" in html
        for typed, start in [
            ("Genomförandeplaner saknas", "Rad 1: skriv kravet, ett kolon"),
            ("care-plans: Saknas\nokänt: Något", "Rad 2: inte ett krav i utförarens plan"),
        ]:
            refused = await send(
                admin, f"{path}/review", {"outcome": "accept", "findings": typed}, on=path
            )
            assert refused.status_code == 400, refused.text
            assert field_error(refused.text, "accept-findings").startswith(start), refused.text
        assert (await lov.item(desk.org, "annual-report")).status == "submitted"
        async with records(str(desk.settings.database_url)) as store:
            assert await store.list_findings(desk.org) == []

        accepted = await send(
            admin,
            f"{path}/review",
            {"outcome": "accept", "findings": "care-plans: Genomförandeplaner saknas\n"},
            on=path,
        )
        assert accepted.status_code == 303, accepted.text
        assert f"Brister registrerade: {desk.first()}." in (await admin.get(path)).text
        assert (await lov.item(desk.org, "annual-report")).status == "accepted"
        status = await findings.finding_status(lov.client, desk.first())
        assert (status.source, status.what) == ("review", "Genomförandeplaner saknas")


async def test_a_danish_desk_shows_a_herning_finding_in_danish(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "auditor")
    finding_id = "5590010004-2027-001"
    async with records(url) as store:
        await store.upsert_finding(
            finding_id,
            workflow_id=f"finding-{finding_id}",
            org_nr=VAST,
            plan_id="herning",
            year=2027,
            status="action_plan_requested",
            requirement="documentation",
            severity="high",
            source="visit",
            what="Dokumentationen mangler",
            round=1,
            at=AT,
            action_plan_due=date(2027, 2, 26),
        )
    settings = danish_settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": f"127.0.0.1:{free_port()}"}
    )
    async with desk_client(settings) as client:
        await log_in(client, "auditor")
        start = (await client.get("/")).text
        assert "Åbne mangler" in start and "26. februar 2027" in start
        found = (await client.get(f"/findings/{finding_id}")).text
        for words in ("Mangel 5590010004-2027-001", "Samarbejdsprocedure", "høj", "tilsynsbesøg"):
            assert words in found, words
        assert "handlingsplan anmodet" in found and "Brist" not in found


async def test_a_danish_desk_refuses_a_finding_in_danish(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "administrator")
    settings = danish_settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": f"127.0.0.1:{free_port()}"}
    )
    async with desk_client(settings) as client:
        await log_in(client, "administrator")
        listed = (await client.get("/findings")).text
        # The provider chosen, the requirement not: refused by the page before Temporal.
        option = listed.split(f"({VAST})", 1)[0].rsplit('<option value="', 1)[1].split('"')[0]
        data = {"provider": option, "requirement": "", "severity": "high", "what": "x"}
        refused = await send(client, "/findings", data, on="/findings")
        assert refused.status_code == 400
        said = field_error(refused.text, "register-requirement")
        assert said == "Vælg, hvilket krav manglen gælder"
