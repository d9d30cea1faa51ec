"""An administrator assesses an application and approves it, in a real browser (headless
Chromium): from the menu to the list of applications, on to the application's page, every
skallkrav assessed in one form, then the approval with the contract's start. axe-core checks
the list and the application page (before and after) for serious WCAG 2.1 A/AA violations.

The desk runs in this test's event loop (tests.support.desk.desk_server) on the worker and
records of `application_cli` (the shipped Sundsvall plan), so the approval's new provider stays
out of the session desk the other journeys count; the browser is driven from a thread, since
Selenium blocks and the desk and the worker must keep running meanwhile.
"""

from __future__ import annotations

import asyncio
import os
from datetime import date, timedelta
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from temporalio.client import WorkflowExecutionStatus

from models.messages.application import ApplicationState
from models.runtime.settings import get_settings
from services import applications as apps
from tests.support.application_cli import SKALLKRAV, ApplicationCli
from tests.support.browser import assert_accessible, button, field, replaced, screenshot, wait_for
from tests.support.cli_args import PROVIDER_NAME
from tests.support.desk import PASSWORD, add_accounts, desk_server
from tests.support.helpers import random_org_nr
from tests.support.plans import local_today

pytestmark = pytest.mark.browser
# `make screenshots` asks for the pages by LOV_SCREENSHOTS, which the worker fixture clears with
# every other LOV_* variable: read before it runs.
SCREENSHOTS = os.environ.get("LOV_SCREENSHOTS")


def heading(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "h1").text)


def follow(driver: Any, text: str) -> None:
    """Click the link reading `text`, as a user does, and wait for the new page."""
    old_page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.LINK_TEXT, text).click()
    wait_for(driver, replaced(old_page), f"the page behind {text!r}")


def submit(driver: Any, text: str) -> None:
    old_page = driver.find_element(By.TAG_NAME, "html")
    button(driver, text).click()
    wait_for(driver, replaced(old_page), f"the answer to {text!r}")


def flash(driver: Any) -> str:
    return " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, "p.flash[role=status]"))


def section(driver: Any, name: str) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, f"section[aria-labelledby={name}]").text)


def assess_and_approve(driver: Any, url: str, start: date) -> None:
    driver.get(f"{url}/login")
    field(driver, "Användarnamn").send_keys("administrator")
    field(driver, "Lösenord").send_keys(PASSWORD)
    submit(driver, "Logga in")
    assert heading(driver) == "Att göra"

    follow(driver, "Ansökningar")
    assert heading(driver) == "Ansökningar"
    listed = driver.find_element(By.ID, "applications").text
    assert PROVIDER_NAME in listed and "under prövning" in listed, listed
    assert_accessible(driver)
    screenshot(driver, "applications")

    follow(driver, PROVIDER_NAME)
    assert heading(driver) == PROVIDER_NAME
    legends = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "fieldset.skallkrav legend")]
    assert len(legends) == len(SKALLKRAV) and "Godkänd för F-skatt" in legends, legends
    assert_accessible(driver)
    screenshot(driver, "application")

    # Every skallkrav met, in one form, one with a note.
    for key in SKALLKRAV:
        driver.find_element(By.CSS_SELECTOR, f"input[name='verdict-{key}'][value=met]").click()
    driver.find_element(By.ID, "note-f-skatt").send_keys("Registreringsbevis från Skatteverket")
    submit(driver, "Spara bedömningarna")
    assert "Alla skallkrav är bedömda." in flash(driver), flash(driver)
    checklist = section(driver, "skallkrav")
    assert checklist.count("Nu: uppfyllt, av administrator") == len(SKALLKRAV), checklist
    assert "Registreringsbevis från Skatteverket" in checklist

    # The approval, with the contract's start (set as the date field's value, whatever the
    # browser's locale shows).
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        field(driver, "Avtalet börjar"),
        start.isoformat(),
    )
    field(driver, "Kommentar (frivillig)").send_keys("Alla skallkrav uppfyllda.")
    submit(driver, "Godkänn ansökan")
    assert "Ansökan är godkänd." in flash(driver), flash(driver)
    decision = section(driver, "decision")
    assert "godkänd" in decision and "av administrator" in decision, decision
    assert "Alla skallkrav uppfyllda." in decision
    # Nothing more to do on it: no form but the logout.
    forms = driver.find_elements(By.CSS_SELECTOR, "main form")
    assert forms == [], [f.get_attribute("action") for f in forms]
    assert_accessible(driver)


async def test_an_administrator_assesses_an_application_and_approves_it(
    page: Any, application_cli: ApplicationCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    if SCREENSHOTS is not None:
        monkeypatch.setenv("LOV_SCREENSHOTS", SCREENSHOTS)
    org = random_org_nr()
    submitted = await application_cli.submit(org)
    assert submitted.exit_code == 0, submitted.stderr
    url = f"sqlite+aiosqlite:///{application_cli.tmp / 'records.db'}"
    await add_accounts(url, "administrator")
    settings = get_settings().model_copy(
        update={"var_dir": application_cli.tmp / "desk-var", "database_url": url}
    )
    start = local_today() + timedelta(days=30)
    async with desk_server(settings) as address:
        await asyncio.to_thread(assess_and_approve, page, address, start)

    # The workflow took the decision, from the administrator logged in, and started the contract.
    status = await apps.status(application_cli.client, org)
    assert status.state == ApplicationState.APPROVED and status.decision is not None
    assert (status.decision.actor, status.decision.contract_start) == ("administrator", start)
    assert all(a.outcome == "met" and a.actor == "administrator" for a in status.checklist)
    contract = status.decision.contract_workflow_id
    assert contract is not None
    described = await application_cli.client.get_workflow_handle(contract).describe()
    assert described.status == WorkflowExecutionStatus.RUNNING
