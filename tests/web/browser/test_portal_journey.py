"""The provider's journey in a real browser (headless Chromium): the reminder arrives in the SMTP
sink, the provider follows its personal link and presses its button, reads what the duty needs,
is refused a wrong value next to the field, fills in the fields, uploads a PDF and submits, then
disputes its återkrav with a comment (refused without one first), reports the genomförandeplan of
its new kundval customer (a date after today refused next to the field first); the receipt
arrives, and the
administrator's desk shows the submission, with the document's SHA-256 and the provider's
contact as the actor. axe-core checks each portal page on the way (no serious or critical WCAG
2.1 A/AA violation).

The desk runs in this test's event loop (uvicorn) with the worker, so every browser step runs in
a thread: a blocking WebDriver call must not stop the server that answers it."""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from temporalio.testing import WorkflowEnvironment

from models.messages.placement import ChooseRequest, PlacementInput, RotationEntry
from services import placements, recoveries
from tests.support.browser import (
    assert_accessible,
    button,
    field,
    replaced,
    screenshot,
    set_date,
    wait_for,
)
from tests.support.cli_runner import cli_worker
from tests.support.contract_cli import Lov
from tests.support.desk import add_accounts, desk_client, desk_server, log_in
from tests.support.helpers import ReceivedMail, eventually, free_port, random_org_nr
from tests.support.placement_helpers import fresh_rotation_list
from tests.support.plans import PLAN_ID, PROVIDER_EMAIL, ZONE
from tests.support.portal import open_recovery_case, portal_settings, write_plan
from tests.support.worker_process import PLAN_ID as REMINDED_PLAN
from tests.support.worker_process import reminder_plan

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def heading(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "h1").text)


def follow_the_link(driver: Any, link: str) -> None:
    """The link opens a page with one button (a GET opens no visit); the button does."""
    driver.get(link)
    assert heading(driver) == "Utförarportalen"
    assert_accessible(driver)
    old = driver.find_element(By.TAG_NAME, "html")
    button(driver, "Fortsätt till portalen").click()
    wait_for(driver, replaced(old), "the visit to open")
    wait_for(driver, lambda d: d.current_url.endswith("/portal"), "the portal's start page")
    assert heading(driver) == "Att lämna för Omsorg i Norr AB"
    assert "/portal/" not in driver.current_url.split("/portal", 1)[1]  # no token any more
    assert_accessible(driver)
    screenshot(driver, "portal-start")


def answer(driver: Any, year: str, pdf: Path) -> None:
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.LINK_TEXT, "Årlig redovisning").click()
    wait_for(driver, replaced(old), "the duty's page")
    assert heading(driver) == f"Årlig redovisning {year}"
    assert "heltal, 0 eller mer" in driver.page_source
    assert_accessible(driver)
    # A wrong value first: refused next to its field, what was typed kept.
    field(driver, "Antal kunder (krävs)").send_keys("tolv")
    field(driver, "Ja").click()
    old = driver.find_element(By.TAG_NAME, "html")
    button(driver, "Skicka in").click()
    wait_for(driver, replaced(old), "the refusal")
    error = driver.find_element(By.ID, "field-customers-error").text
    assert "ska vara ett heltal" in error
    assert field(driver, "Antal kunder (krävs)").get_attribute("aria-invalid") == "true"
    assert_accessible(driver)
    screenshot(driver, "portal-duty")
    customers = field(driver, "Antal kunder (krävs)")
    customers.clear()
    customers.send_keys("12")
    field(driver, "Ja").click()
    field(driver, "Andel undersköterskor (%) (frivillig)").send_keys("87,5")
    field(driver, "Analys av avvikelser (krävs)").send_keys(str(pdf))
    old = driver.find_element(By.TAG_NAME, "html")
    button(driver, "Skicka in").click()
    wait_for(driver, replaced(old), "the answer")
    flash = driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert flash.startswith("Tack! Vi har tagit emot")
    assert "Inlämnad av kontakt@omsorg.example" in driver.page_source
    assert "Analys av avvikelser: avvikelser.pdf" in driver.page_source
    assert_accessible(driver)


def answer_the_recovery(driver: Any, case_id: str) -> None:
    """From the start page: the open återkrav, disputed; without a comment first (refused next
    to the field), then with one."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.LINK_TEXT, "Alla skyldigheter").click()
    wait_for(driver, replaced(old), "the start page")
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.LINK_TEXT, f"Återkrav {case_id}").click()
    wait_for(driver, replaced(old), "the case's page")
    assert heading(driver) == f"Återkrav {case_id}"
    assert "K-1042" in driver.page_source
    assert_accessible(driver)
    field(driver, "Vi invänder mot återkravet").click()
    old = driver.find_element(By.TAG_NAME, "html")
    button(driver, "Skicka svaret").click()
    wait_for(driver, replaced(old), "the refusal")
    assert "Skriv vad ni invänder mot" in driver.find_element(By.ID, "comment-error").text
    assert field(driver, "Kommentar").get_attribute("aria-invalid") == "true"
    assert_accessible(driver)
    field(driver, "Kommentar").send_keys("Timmarna i januari är godkända av biståndshandläggaren.")
    old = driver.find_element(By.TAG_NAME, "html")
    button(driver, "Skicka svaret").click()
    wait_for(driver, replaced(old), "the answer")
    flash = driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert flash.startswith("Tack! Vi har tagit emot ert svar")
    assert_accessible(driver)


def report_the_care_plan(driver: Any, customer: str, today: date) -> None:
    """From the start page: the placement whose genomförandeplan is owed; a day after today
    first (refused next to the field), then today."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.LINK_TEXT, "Alla skyldigheter").click()
    wait_for(driver, replaced(old), "the start page")
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.LINK_TEXT, f"Uppdrag {customer}").click()
    wait_for(driver, replaced(old), "the placement's page")
    assert heading(driver) == f"Uppdrag {customer}"
    assert "/portal/uppdrag/placement-" in driver.current_url and customer not in driver.current_url
    assert_accessible(driver)
    set_date(driver, field(driver, "Datum då planen upprättades"), today + timedelta(days=1))
    old = driver.find_element(By.TAG_NAME, "html")
    button(driver, "Meddela kommunen").click()
    wait_for(driver, replaced(old), "the refusal")
    assert "inte vara efter i dag" in driver.find_element(By.ID, "done_on-error").text
    assert field(driver, "Datum då planen upprättades").get_attribute("aria-invalid") == "true"
    assert_accessible(driver)
    set_date(driver, field(driver, "Datum då planen upprättades"), today)
    old = driver.find_element(By.TAG_NAME, "html")
    button(driver, "Meddela kommunen").click()
    wait_for(driver, replaced(old), "the report")
    flash = driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert flash.startswith("Tack! Kommunen har registrerat att genomförandeplanen")
    assert_accessible(driver)


async def placed(lov: Lov, org: str, customer: str, today: date) -> str:
    """A placement begun today, chosen by the customer for `org`, once the records show its
    genomförandeplan owed."""
    await fresh_rotation_list(lov.client, PLAN_ID)
    settings = portal_settings(lov)
    queue = settings.temporal_task_queue
    entry = RotationEntry(org_nr=org, area="Centrum", service_type="omvårdnad", actor="anna")
    await placements.add_provider(lov.client, queue, PLAN_ID, entry, search_attributes=False)
    decision = PlacementInput(
        customer_ref=customer,
        area="Centrum",
        service_type="omvårdnad",
        granted_hours=Decimal("22.50"),
        decision_date=today,
        start=today,
        plan_id=PLAN_ID,
        actor="handlaggare",
        search_attributes=False,
    )
    wid = await placements.start(lov.client, queue, decision)

    async def registered() -> None:
        assert (await placements.status(lov.client, wid)).registered

    await eventually(registered, timeout=20)
    await placements.choose(lov.client, wid, ChooseRequest(provider=org, actor="handlaggare"))

    async def recorded() -> None:
        rows = await placements.list_placements(settings, org_nr=org)
        assert [r.placement.care_plan_due is not None for r in rows] == [True]

    await eventually(recorded, timeout=20)
    return wid


def log_out(driver: Any) -> None:
    """Logging out ends the visit: the page to ask for a new link, which is accessible too."""
    old = driver.find_element(By.TAG_NAME, "html")
    button(driver, "Logga ut").click()
    wait_for(driver, replaced(old), "the page after logging out")
    assert heading(driver) == "Ny länk till utförarportalen"
    assert "Ni är utloggad." in driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert field(driver, "E-postadress").get_attribute("type") == "email"
    assert_accessible(driver)
    driver.get(driver.current_url.replace("/ny-lank", ""))
    assert heading(driver) == "Ny länk till utförarportalen"  # no visit any more


def _of(org: str, kind: str) -> Any:
    digits = org.replace("-", "")

    def match(m: EmailMessage) -> bool:
        return m["X-Lov-Kind"] == kind and str(m["X-Lov-Org-Nr"]).replace("-", "") == digits

    return match


async def test_a_provider_answers_its_reminder_in_the_portal(
    page: Any,
    dev_env: WorkflowEnvironment,
    smtp_server: ReceivedMail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reminder_plan(datetime.now(ZONE))  # skip near midnight before starting anything
    # cli_worker clears every LOV_* variable; `make screenshots` sets this one.
    shots = os.environ.get("LOV_SCREENSHOTS")
    port = free_port()
    # The worker's settings are read when it starts: its links lead to this test's portal.
    monkeypatch.setenv("LOV_PORTAL_URL", f"http://127.0.0.1:{port}/portal")
    plans_dir = write_plan(tmp_path, "")
    async with cli_worker(
        dev_env.client,
        smtp_server,
        tmp_path,
        monkeypatch,
        name="portal-journey",
        default_plan=PLAN_ID,
        plans_dir=plans_dir,
    ) as env:
        url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
        monkeypatch.setenv("LOV_DATABASE_URL", url)
        if shots:
            monkeypatch.setenv("LOV_SCREENSHOTS", shots)
        # The plan is read when the contract starts: the reminder is timed from now.
        now = datetime.now(ZONE)
        due, text = reminder_plan(now)
        # The plan of tests.support.worker_process (a required document), under this id.
        write_plan(tmp_path, text.replace(REMINDED_PLAN, PLAN_ID, 1))
        pdf = tmp_path / "avvikelser.pdf"
        pdf.write_bytes(PDF)
        lov = Lov(dev_env.client, smtp_server, env, tmp_path, due, now.date() - timedelta(1))
        org = random_org_nr()
        await lov.start(org)
        case_id = await open_recovery_case(lov, org)
        today = datetime.now(ZONE).date()
        placement_id = await placed(lov, org, "DNR-2031-0042", today)

        async def reminder() -> tuple[EmailMessage, list[str]]:
            return smtp_server.take(_of(org, "reminder"))

        message, rcpt = await eventually(reminder, timeout=60)
        assert rcpt == [PROVIDER_EMAIL]
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        link = next(x for x in body.get_content().splitlines() if "/portal/" in x).strip()
        assert link.startswith(f"http://127.0.0.1:{port}/portal/")

        settings = portal_settings(lov)
        async with desk_server(settings, port):
            await asyncio.to_thread(follow_the_link, page, link)
            await asyncio.to_thread(answer, page, str(due.year), pdf)
            await asyncio.to_thread(answer_the_recovery, page, case_id)
            await asyncio.to_thread(report_the_care_plan, page, "DNR-2031-0042", today)
            await asyncio.to_thread(log_out, page)

        async def receipt() -> tuple[EmailMessage, list[str]]:
            return smtp_server.take(_of(org, "receipt"))

        receipt_mail, to = await eventually(receipt, timeout=30)
        assert PROVIDER_EMAIL in to and "Mottagningsbekräftelse" in str(receipt_mail["Subject"])

        # The administrator's desk shows the submission, by the provider's contact.
        assert settings.database_url is not None
        await add_accounts(settings.database_url, "administrator")
        async with desk_client(settings) as desk:
            await log_in(desk, "administrator")
            duty = f"/providers/{org.replace('-', '')}/duties/annual-report/{due.year}"

            async def shown() -> None:
                html = (await desk.get(duty)).text
                assert "inlämnad, väntar på granskning" in html, html
                assert f"Inlämnad av {PROVIDER_EMAIL}" in html and "87,50" in html
                assert hashlib.sha256(PDF).hexdigest() in html and "avvikelser.pdf" in html

            await eventually(shown, timeout=20)
        status = await recoveries.recovery_status(dev_env.client, case_id)
        assert status.response is not None
        assert (status.response.outcome, status.response.actor) == ("disputed", PROVIDER_EMAIL)
        placement = await placements.status(dev_env.client, placement_id)
        assert placement.care_plan is not None and placement.care_plan.done_on == today
        assert any(f"care_plan_done ({PROVIDER_EMAIL})" in n for n in placement.history)
