"""The portal's pages against the dev server with a real worker, SQLite records and SMTP: a
provider opens its personal link, sees its duties and what each needs, is refused bad input next
to the field (HTTP 400, nothing submitted), submits with the same Update as the CLI (its contact
as the actor) and gets the receipt; links that do not work, a contact change, and the page that
sends a new link."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from models.records.db import upgrade
from models.runtime.settings import Settings
from tests.support.contract_cli import Lov
from tests.support.desk import add_accounts, csrf_of, desk_client, log_in, records
from tests.support.helpers import eventually, free_port, random_org_nr
from tests.support.listings import settings_for
from tests.support.plans import PROVIDER_EMAIL
from tests.support.portal import link_token, open_visit, portal_settings


@dataclass
class Visit:
    lov: Lov
    settings: Settings
    client: httpx.AsyncClient
    org: str
    path: str  # the annual report's page in the portal


@pytest_asyncio.fixture
async def visit(portal_lov: Lov) -> AsyncIterator[Visit]:
    """A provider with a started contract, its visit opened by its personal link."""
    org = random_org_nr()
    await portal_lov.start(org)
    settings = portal_settings(portal_lov)
    async with desk_client(settings) as client:
        await open_visit(client, link_token(settings, org, PROVIDER_EMAIL))
        path = f"/portal/skyldigheter/annual-report/{portal_lov.year}"
        yield Visit(portal_lov, settings, client, org, path)


def _mail(org: str, kind: str) -> Callable[[EmailMessage], bool]:
    digits = org.replace("-", "")

    def match(m: EmailMessage) -> bool:
        return m["X-Lov-Kind"] == kind and str(m["X-Lov-Org-Nr"]).replace("-", "") == digits

    return match


async def test_the_link_opens_a_visit_that_lists_the_duties(visit: Visit) -> None:
    cookie = next(c for c in visit.client.cookies.jar if c.name == "lov_portal")
    assert cookie.path == "/portal" and cookie.secure
    start = await visit.client.get("/portal")
    assert start.status_code == 200
    html = start.text
    assert "Omsorg i Norr AB" in html and "Årlig redovisning" in html and "Årsredovisning" in html
    assert f'href="{visit.path}"' in html
    # A provider's page, not the desk's: no desk menu, no link to the desk.
    assert "Huvudmeny" not in html and 'href="/providers' not in html
    assert 'lang="sv"' in html and "<h1>" in html


async def test_the_duty_page_says_what_is_needed(visit: Visit) -> None:
    page = await visit.client.get(visit.path)
    assert page.status_code == 200
    html = page.text
    for text in ("Antal kunder", "heltal, 0 eller mer", "Tillståndet från IVO är aktuellt"):
        assert text in html
    assert "Analys av avvikelser" in html  # the (optional) document is listed
    assert '<label for="field-customers">' in html
    assert 'name="permit_current" value="ja"' in html


async def _post(visit: Visit, **fields: str) -> httpx.Response:
    page = await visit.client.get(visit.path)
    return await visit.client.post(visit.path, data={"csrf_token": csrf_of(page.text), **fields})


async def test_bad_input_is_refused_next_to_the_field_and_nothing_is_submitted(
    visit: Visit,
) -> None:
    cases = [
        ({"customers": "tolv", "permit_current": "ja"}, "customers", "ska vara ett heltal"),
        ({"customers": "-3", "permit_current": "ja"}, "customers", "minst 0"),
        ({"customers": "12"}, "permit_current", "saknas men krävs"),
        (
            {"customers": "12", "permit_current": "ja", "current_care_plans": "13"},
            "current_care_plans",
            "får inte vara större än",
        ),
        (
            {"customers": "12", "permit_current": "ja", "staff_education": "120"},
            "staff_education",
            "mellan 0 och 100",
        ),
    ]
    for fields, field, words in cases:
        response = await _post(visit, **fields)
        assert response.status_code == 400, (fields, response.text)
        assert f'id="field-{field}-error">' in response.text, (fields, response.text)
        error = response.text.split(f'id="field-{field}-error">', 1)[1].split("</p>", 1)[0]
        assert words in error, (fields, error)
        # What was typed is kept.
        if "customers" in fields:
            assert f'value="{fields["customers"]}"' in response.text
    item = await visit.lov.item(visit.org, "annual-report")
    assert item.status in ("upcoming", "open") and not item.submissions


async def test_a_submission_is_the_cli_s_submit_with_the_contact_as_actor(visit: Visit) -> None:
    lov = visit.lov
    response = await _post(visit, customers="12", permit_current="ja", staff_education="87,5")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == visit.path
    page = (await visit.client.get(visit.path)).text
    assert "Tack! Vi har tagit emot" in page
    item = await lov.item(visit.org, "annual-report")
    assert item.status == "submitted"
    assert item.submissions[-1].actor == PROVIDER_EMAIL
    assert item.submissions[-1].fields == {
        "customers": 12,
        "permit_current": True,
        "staff_education": 87.5,
    }

    async def receipt() -> tuple[EmailMessage, list[str]]:
        return lov.smtp.take(_mail(visit.org, "receipt"))

    message, rcpt = await eventually(receipt, timeout=20)
    assert PROVIDER_EMAIL in rcpt
    assert "Antal kunder: 12" in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]

    # The desk shows it like any other, with the provider contact as the actor.
    assert visit.settings.database_url is not None
    await add_accounts(visit.settings.database_url, "administrator")
    async with desk_client(visit.settings) as desk:
        await log_in(desk, "administrator")
        duty = f"/providers/{visit.org.replace('-', '')}/duties/annual-report/{lov.year}"

        async def shown() -> None:
            html = (await desk.get(duty)).text
            assert "inlämnad, väntar på granskning" in html and PROVIDER_EMAIL in html, html

        await eventually(shown, timeout=20)

    # The portal shows the submission, and no form any more (it waits for review).
    async def listed() -> None:
        html = (await visit.client.get(visit.path)).text
        assert "Inlämnad av kontakt@omsorg.example" in html and 'name="customers"' not in html

    await eventually(listed, timeout=20)


async def test_a_duty_the_provider_does_not_have_is_not_found(visit: Visit) -> None:
    response = await visit.client.get("/portal/skyldigheter/annual-report/1999")
    assert response.status_code == 404
    assert "Den skyldigheten finns inte hos er" in response.text
    posted = await _post(visit)  # get the token from the real page
    assert posted.status_code == 400
    page = await visit.client.get(visit.path)
    refused = await visit.client.post(
        "/portal/skyldigheter/annual-report/1999",
        data={"csrf_token": csrf_of(page.text), "customers": "1", "permit_current": "ja"},
    )
    assert refused.status_code == 404


async def test_another_provider_s_visit_reaches_only_its_own_duty(visit: Visit) -> None:
    other = random_org_nr()
    await visit.lov.start(other)
    async with desk_client(visit.settings) as b:
        await open_visit(b, link_token(visit.settings, other, PROVIDER_EMAIL))
        page = await b.get(visit.path)
        response = await b.post(
            visit.path,
            data={"csrf_token": csrf_of(page.text), "customers": "3", "permit_current": "nej"},
        )
        assert response.status_code == 303
    assert (await visit.lov.item(other, "annual-report")).status == "submitted"
    assert (await visit.lov.item(visit.org, "annual-report")).status != "submitted"


async def test_links_that_do_not_work_open_no_visit(portal_lov: Lov) -> None:
    org = random_org_nr()
    await portal_lov.start(org)
    settings = portal_settings(portal_lov)
    good = link_token(settings, org, PROVIDER_EMAIL)
    expired = link_token(settings, org, PROVIDER_EMAIL, datetime.now(UTC) - timedelta(days=31))
    other_address = link_token(settings, org, "someone@else.example")
    async with desk_client(settings) as client:
        page = await client.get(f"/portal/{good}")  # a good link's page, for a CSRF token
        for token in (good[:-3] + "abc", expired, other_address, "nonsense"):
            response = await client.get(f"/portal/{token}")
            assert response.status_code == 403
            assert "Länken fungerar inte" in response.text
            assert "lov_portal" not in response.headers.get("set-cookie", "")
            # The same refusal when the button's form is posted with the token.
            posted = await client.post(
                "/portal/oppna", data={"csrf_token": csrf_of(page.text), "token": token}
            )
            assert posted.status_code == 403 and "Länken fungerar inte" in posted.text
            assert "lov_portal" not in posted.headers.get("set-cookie", "")
        assert "lov_portal" not in client.cookies
        # Without a visit, the duty pages lead to the start page, which offers a new link.
        duty = await client.get(f"/portal/skyldigheter/annual-report/{portal_lov.year}")
        assert duty.status_code == 303 and duty.headers["location"] == "/portal"
        assert "Ny länk till utförarportalen" in (await client.get("/portal")).text


async def test_opening_the_link_alone_opens_no_visit(portal_lov: Lov) -> None:
    """A GET of the link (a mail scanner, a link preview, a page elsewhere) changes nothing:
    only the button's POST, with the session's CSRF token, opens the visit."""
    org = random_org_nr()
    await portal_lov.start(org)
    settings = portal_settings(portal_lov)
    token = link_token(settings, org, PROVIDER_EMAIL)
    async with desk_client(settings) as client:
        for _ in range(2):
            page = await client.get(f"/portal/{token}")
            assert page.status_code == 200
            assert "lov_portal" not in page.headers.get("set-cookie", "")
            assert "Fortsätt till portalen" in page.text
            assert 'action="/portal/oppna"' in page.text and f'value="{token}"' in page.text
            # No provider data before the button is pressed.
            assert "Omsorg i Norr AB" not in page.text and "Logga ut" not in page.text
        assert "lov_portal" not in client.cookies
        start = await client.get("/portal")
        assert (
            "Ny länk till utförarportalen" in start.text and "Årlig redovisning" not in start.text
        )
        # A cross-site form (no CSRF token of this session) is refused before the token is read.
        forged = await client.post("/portal/oppna", data={"token": token})
        assert forged.status_code == 403 and "lov_portal" not in client.cookies
        opened = await client.post(
            "/portal/oppna", data={"csrf_token": csrf_of(page.text), "token": token}
        )
        assert opened.status_code == 303 and opened.headers["location"] == "/portal"
        assert "Årlig redovisning" in (await client.get("/portal")).text


async def test_a_contact_change_ends_the_visit(visit: Visit) -> None:
    assert visit.settings.database_url is not None
    async with records(visit.settings.database_url) as store:
        provider = await store.get_provider(visit.org)
        assert provider is not None
        await store.upsert_provider(
            visit.org, provider.name, "ny@omsorg.example", datetime.now(UTC)
        )
    page = await visit.client.get("/portal")
    assert "Ert besök har avslutats" in page.text
    assert (await visit.client.get(visit.path)).status_code == 303


async def test_a_new_link_goes_only_to_the_registered_contact(visit: Visit) -> None:
    lov = visit.lov
    async with desk_client(visit.settings) as client:
        form = await client.get("/portal/ny-lank")
        assert form.status_code == 200 and '<label for="email">' in form.text
        answers = []
        for email in ("okand@example.org", PROVIDER_EMAIL.upper()):
            page = await client.get("/portal/ny-lank")
            response = await client.post(
                "/portal/ny-lank", data={"csrf_token": csrf_of(page.text), "email": email}
            )
            assert response.status_code == 200
            answers.append(response.text.split('<p class="flash" role="status">', 1)[1][:200])
        # The same answer whatever was entered.
        assert answers[0] == answers[1] and "Om adressen är registrerad" in answers[0]

    async def sent() -> tuple[EmailMessage, list[str]]:
        return lov.smtp.take(_mail(visit.org, "portal-link"))

    message, rcpt = await eventually(sent, timeout=10)
    assert rcpt == [PROVIDER_EMAIL]
    body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    link = next(line for line in body.splitlines() if "/portal/" in line)
    async with desk_client(visit.settings) as client:
        await open_visit(client, link.rsplit("/", 1)[1])
        assert "Årlig redovisning" in (await client.get("/portal")).text
    # Nothing went to the unknown address.
    assert not [m for m in lov.smtp.messages if "okand@example.org" in str(m["To"])]


async def test_a_danish_plan_s_provider_reads_the_portal_in_danish(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    cvr, at, due = "25313763", datetime(2027, 1, 4, tzinfo=UTC), date(2027, 9, 30)
    async with records(url) as store:
        await store.upsert_provider(cvr, "Hjemmepleje Midt ApS", "post@midt.example", at)
        await store.record_contract(f"contract-{cvr}", cvr, "herning", date(2026, 1, 1), at)
        await store.upsert_occurrence(
            f"obligation-{cvr}-staff-education-2027",
            cvr,
            "staff-education",
            "2027",
            due,
            due,
            "visitation",
            "open",
            False,
            0,
            at,
        )
    settings = settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})
    async with desk_client(settings) as client:
        token = link_token(settings, cvr, "post@midt.example")
        opening = (await client.get(f"/portal/{token}")).text
        assert 'lang="da"' in opening and "Fortsæt til portalen" in opening
        await open_visit(client, token)
        start = (await client.get("/portal")).text
        assert 'lang="da"' in start and "Skal indsendes af Hjemmepleje Midt ApS" in start
        assert "Medarbejdernes uddannelsesbaggrund" in start and "30. september 2027" in start
        duty = await client.get("/portal/skyldigheter/staff-education/2027")
        assert duty.status_code == 200
        assert "Det skal indsendes" in duty.text and "Antal medarbejdere" in duty.text
        assert "Indsend" in duty.text and "Lämna in" not in duty.text


PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


async def _upload(
    client: httpx.AsyncClient, path: str, content: bytes, name: str = "avvikelser.pdf"
) -> httpx.Response:
    page = await client.get(path)
    return await client.post(
        path,
        data={"csrf_token": csrf_of(page.text), "customers": "12", "permit_current": "ja"},
        files={"doc-deviation-analysis": (name, content, "application/pdf")},
    )


def _stored(settings: Settings) -> list[Path]:
    root = settings.var_dir / "documents"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def test_a_document_is_uploaded_with_the_answer(visit: Visit) -> None:
    response = await _upload(visit.client, visit.path, PDF)
    assert response.status_code == 303, response.text
    digest = hashlib.sha256(PDF).hexdigest()
    (document,) = (await visit.lov.item(visit.org, "annual-report")).submissions[-1].documents
    assert (document.key, document.filename, document.sha256, document.size) == (
        "deviation-analysis",
        "avvikelser.pdf",
        digest,
        len(PDF),
    )
    # Kept by its content, where the desk can find it by the recorded digest.
    assert _stored(visit.settings) == [visit.settings.var_dir / "documents" / digest[:2] / digest]

    async def receipt() -> tuple[EmailMessage, list[str]]:
        return visit.lov.smtp.take(_mail(visit.org, "receipt"))

    message, _ = await eventually(receipt, timeout=20)
    assert "avvikelser.pdf" in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]

    # The administrator downloads it from the duty's page in the desk.
    assert visit.settings.database_url is not None
    await add_accounts(visit.settings.database_url, "administrator")
    duty = f"/providers/{visit.org.replace('-', '')}/duties/annual-report/{visit.lov.year}"
    download = f"{duty}/documents/{digest}"
    async with desk_client(visit.settings) as desk:
        assert (await desk.get(download)).headers["location"] == "/login"  # not logged in
        await log_in(desk, "administrator")

        async def linked() -> None:
            assert f'href="{download}"' in (await desk.get(duty)).text

        await eventually(linked, timeout=20)
        got = await desk.get(download)
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["content-disposition"] == 'attachment; filename="avvikelser.pdf"'
        # Only a document of this duty, by this path: another digest or duty is not found.
        other = hashlib.sha256(b"other").hexdigest()
        assert (await desk.get(f"{duty}/documents/{other}")).status_code == 404
        elsewhere = duty.replace("annual-report", "annual-accounts")
        assert (await desk.get(f"{elsewhere}/documents/{digest}")).status_code == 404
        assert (await desk.get(f"{duty}/documents/..%2F..%2Fetc")).status_code == 404


async def test_a_wrong_or_too_large_upload_is_refused_and_nothing_written(visit: Visit) -> None:
    small = visit.settings.model_copy(update={"portal_upload_mb": 1})
    async with desk_client(small) as client:
        await open_visit(client, link_token(small, visit.org, PROVIDER_EMAIL))
        cases = [
            (b"MZ\x90\0 a program named like a report", "ingen PDF"),
            (PDF + b"0" * (1024 * 1024), "för stor: högst 1 MB"),
        ]
        for content, words in cases:
            response = await _upload(client, visit.path, content)
            assert response.status_code == 400, response.text
            error = response.text.split('id="doc-deviation-analysis-error">', 1)[1]
            assert words in error.split("</p>", 1)[0]
            assert 'value="12"' in response.text  # the fields typed are kept
        # A document stored for a submission the plan refuses is removed again.
        page = await client.get(visit.path)
        refused = await client.post(
            visit.path,
            data={"csrf_token": csrf_of(page.text), "customers": "tolv", "permit_current": "ja"},
            files={"doc-deviation-analysis": ("a.pdf", PDF, "application/pdf")},
        )
        assert refused.status_code == 400 and 'id="field-customers-error"' in refused.text
    assert _stored(visit.settings) == []
    item = await visit.lov.item(visit.org, "annual-report")
    assert item.status in ("upcoming", "open") and not item.submissions


async def test_a_new_link_asked_for_while_temporal_is_down_gets_the_same_answer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    org, at = "556036-0793", datetime(2027, 1, 4, tzinfo=UTC)
    async with records(url) as store:
        await store.upsert_provider(org, "Omsorg Norr AB", PROVIDER_EMAIL, at)
        await store.record_contract("contract-5560360793", org, "sundsvall", date(2026, 1, 1), at)
    # Nothing listens there: the workflow that would send the link cannot be started.
    down = f"127.0.0.1:{free_port()}"
    settings = settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": down}
    )
    async with desk_client(settings) as client:
        page = await client.get("/portal/ny-lank")
        response = await client.post(
            "/portal/ny-lank", data={"csrf_token": csrf_of(page.text), "email": PROVIDER_EMAIL}
        )
    assert response.status_code == 200 and "Om adressen är registrerad" in response.text
    assert "a new link could not be sent" in caplog.text and "cannot connect" in caplog.text
