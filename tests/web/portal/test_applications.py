"""An applicant's komplettering in the portal, against the dev server with a real worker (the
shipped Sundsvall plan), SQLite records and SMTP: the completion request carries the applicant's
personal link; the page shows what is asked by when; an empty answer or a file of the wrong type
is refused next to its field with nothing sent or kept; another applicant's application is not
found (404) by GET or POST; the answer is the same `complete` Update as the desk's, with the
applicant's contact as the actor, the receipt goes out, and the administrator downloads the
document from the application's page in the desk."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from models.messages.application import ApplicationState
from models.records.db import upgrade
from models.runtime.settings import Settings, get_settings
from services import applications as apps
from tests.support.application_cli import EMAIL, ApplicationCli
from tests.support.desk import add_accounts, csrf_of, desk_client, log_in, records
from tests.support.helpers import free_port, random_org_nr
from tests.support.listings import settings_for
from tests.support.portal import link_token, open_visit

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _settings(cli: ApplicationCli) -> Settings:
    url = f"sqlite+aiosqlite:///{cli.tmp / 'records.db'}"
    return get_settings().model_copy(update={"var_dir": cli.tmp / "var", "database_url": url})


async def _submitted(cli: ApplicationCli) -> tuple[str, str]:
    org = random_org_nr()
    result = await cli.submit(org)
    assert result.exit_code == 0, result.stderr
    return org, f"application-{org.replace('-', '')}-1"


async def _send(
    client: httpx.AsyncClient,
    path: str,
    data: dict[str, str],
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
) -> httpx.Response:
    page = await client.get(path)
    return await client.post(
        path, data={"csrf_token": csrf_of(page.text), **data}, files=files or None
    )


def _error(html: str, field: str) -> str:
    return html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]


async def test_the_applicant_sends_its_komplettering_in_the_portal(
    application_cli: ApplicationCli,
) -> None:
    cli = application_cli
    _, wid = await _submitted(cli)
    other_org, other_wid = await _submitted(cli)
    await cli.smtp.wait_for(4)  # each: the acknowledgement and the administrator's notice
    cli.smtp.clear()
    asked = await cli.cli(
        "request-completion", wid, "--item", "Försäkringsbrev", "--actor", "handlaggare"
    )
    assert asked.exit_code == 0, asked.stderr
    (request,) = await cli.smtp.wait_for(1)
    assert request["X-Lov-Kind"] == "application-completion-request"
    assert [a.strip() for a in str(request["To"]).split(",")] == [EMAIL]
    body = request.get_content()
    assert "Skicka kompletteringen i kommunens utförarportal" in body
    found = re.search(r"http://\S+/portal/(\S+)", body)
    assert found is not None, body
    cli.smtp.clear()
    settings = _settings(cli)
    path = f"/portal/ansokan/{wid}"

    # Another applicant's visit: not found by GET or POST, nothing sent.
    async with desk_client(settings) as other:
        await open_visit(other, link_token(settings, other_org, EMAIL))
        assert wid not in (await other.get("/portal")).text
        page = await other.get(path)
        assert page.status_code == 404 and "Den ansökan finns inte hos er" in page.text
        csrf = csrf_of((await other.get("/portal")).text)
        posted = await other.post(path, data={"csrf_token": csrf, "note": "Här är det."})
        assert posted.status_code == 404
        assert (await other.get(f"/portal/ansokan/{other_wid}")).status_code == 200
    assert (await apps.status(cli.client, wid)).state == ApplicationState.COMPLETION_REQUESTED

    async with desk_client(settings) as client:
        await open_visit(client, found.group(1))  # the link from the e-mail
        start = (await client.get("/portal")).text
        assert f'href="{path}"' in start and "Försäkringsbrev" in start
        page = await client.get(path)
        assert page.status_code == 200 and "Försäkringsbrev" in page.text

        # Refused next to the field, nothing sent or kept.
        empty = await _send(client, path, {"note": "  "})
        assert empty.status_code == 400
        assert "Skriv ett meddelande eller bifoga minst ett dokument" in _error(empty.text, "note")
        fake = [("documents", ("brev.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"))]
        wrong = await _send(client, path, {"note": "Brevet"}, fake)
        assert wrong.status_code == 400 and _error(wrong.text, "documents")
        status = await apps.status(cli.client, wid)
        assert status.state == ApplicationState.COMPLETION_REQUESTED
        assert not list((cli.tmp / "var" / "documents").rglob("*"))
        assert cli.smtp.messages == []

        files = [("documents", ("forsakringsbrev.pdf", PDF, "application/pdf"))]
        done = await _send(client, path, {"note": "Försäkringsbrevet bifogas."}, files)
        assert (done.status_code, done.headers["location"]) == (303, path)
        assert "Tack! Vi har tagit emot er komplettering" in (await client.get(path)).text

    status = await apps.status(cli.client, wid)
    assert status.state == ApplicationState.RECEIVED
    last = status.completions[-1]
    assert last.completed_at is not None and last.completion_note == "Försäkringsbrevet bifogas."
    assert [d.filename for d in last.documents] == ["forsakringsbrev.pdf"]
    assert any(f"completed ({EMAIL})" in note for note in status.history)
    (receipt,) = await cli.smtp.wait_for(1)
    assert receipt["X-Lov-Kind"] == "application-completed"

    # The administrator sees the komplettering's document in the desk and downloads it.
    digest = hashlib.sha256(PDF).hexdigest()
    assert last.documents[0].sha256 == digest
    assert settings.database_url is not None
    await add_accounts(settings.database_url, "administrator")
    async with desk_client(settings) as desk:
        await log_in(desk, "administrator")
        page = (await desk.get(f"/applications/{wid}")).text
        href = f"/applications/{wid}/documents/{digest}"
        assert f'href="{href}"' in page and "forsakringsbrev.pdf" in page
        got = await desk.get(href)
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert "attachment" in got.headers["content-disposition"]
        missing = await desk.get(f"/applications/{other_wid}/documents/{digest}")
        assert missing.status_code == 404


async def test_a_danish_applicant_reads_in_danish_and_nothing_goes_without_temporal(
    tmp_path: Path,
) -> None:
    """Records only, Temporal unreachable: an applicant under a Danish plan (no contract yet)
    reads its start page and supplering in Danish; an empty answer is refused next to the
    field, a good one above the form saying nothing was saved, and no document is kept."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    cvr, at = "25313763", datetime(2027, 1, 4, tzinfo=UTC)
    wid = f"application-{cvr}-1"
    asked = {
        "items": ["Forsikringsbevis"],
        "due": (date.today() + timedelta(days=10)).isoformat(),
        "note": "",
        "requested_by": "mette",
        "requested_at": at.isoformat(),
    }
    async with records(url) as store:
        await store.upsert_provider(cvr, "Hjemmepleje Midt ApS", "post@midt.example", at)
        await store.upsert_application(
            wid,
            cvr,
            "completion_requested",
            at,
            submitted_at=at,
            data={"plan_id": "herning", "completions": [asked]},
        )
    settings = settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": f"127.0.0.1:{free_port()}"}
    )
    path = f"/portal/ansokan/{wid}"
    async with desk_client(settings) as client:
        await open_visit(client, link_token(settings, cvr, "post@midt.example"))
        start = (await client.get("/portal")).text
        assert 'lang="da"' in start and "Jeres ansøgning skal suppleres" in start
        assert f'href="{path}"' in start and "Forsikringsbevis" in start
        page = await client.get(path)
        assert page.status_code == 200 and "Ansøgning nr 1" in page.text
        empty = await _send(client, path, {"note": ""})
        assert empty.status_code == 400
        assert "Skriv en besked, eller vedhæft" in _error(empty.text, "note")
        files = [("documents", ("bevis.pdf", PDF, "application/pdf"))]
        down = await _send(client, path, {"note": "Beviset er vedhæftet."}, files)
        assert down.status_code == 503
        assert "Det var ikke muligt at indsende lige nu, og intet er gemt" in down.text
    documents = tmp_path / "var" / "documents"
    assert not documents.exists() or not [p for p in documents.rglob("*") if p.is_file()]
