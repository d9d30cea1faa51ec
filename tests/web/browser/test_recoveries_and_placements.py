"""Återkrav and Kundval in a real browser (headless Chromium) against `lov web` with a worker on
the Temporal dev server (tests/support/desk_process.py): axe-core finds no serious violation on
both lists, on a case's page and on a refused form; the administrator opens a case and
registers the provider's response, and the workflow holds it with the administrator as actor."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from temporalio.testing import WorkflowEnvironment

from models.messages.recovery import RecoveryState
from services import recoveries
from tests.support.browser import (
    assert_accessible,
    button,
    field,
    heading,
    open_link,
    screenshot,
    set_date,
    wait_for,
)
from tests.support.desk_process import ADMIN, Desk, log_in
from tests.support.placement_helpers import fresh_rotation_list
from tests.support.plans import PLAN_ID, local_today

pytestmark = pytest.mark.browser


def flash(driver: Any) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, "p.flash[role=status]")
    return str(found[0].text) if found else ""


async def test_administrator_opens_a_case_and_registers_the_response(
    page: Any, desk: Desk, dev_env: WorkflowEnvironment
) -> None:
    provider = desk.providers[1]
    case_id = f"{provider.org_nr.replace('-', '')}-{local_today().year}-001"
    log_in(page, desk, ADMIN)
    open_link(page, "Återkrav")
    wait_for(page, lambda d: heading(d) == "Återkrav", "the recoveries page")
    assert_accessible(page)

    # A refusal is next to its field, and as accessible as the page.
    Select(field(page, "Utförare")).select_by_visible_text(f"{provider.name} ({provider.org_nr})")
    button(page, "Starta återkrav").click()
    error = wait_for(page, lambda d: d.find_elements(By.ID, "open-lines-error"), "the refusal")
    assert error[0].text == "Skriv minst en rad"
    lines = field(page, "Rader")
    assert "open-lines-error" in (lines.get_attribute("aria-describedby") or "")
    assert_accessible(page)

    Select(field(page, "Utförare")).select_by_visible_text(f"{provider.name} ({provider.org_nr})")
    field(page, "Vad återkravet gäller (frivilligt)").send_keys("Granskning av utförd tid")
    field(page, "Rader").send_keys("2027-03; K-1042; 12,5; 10; 385,50")
    button(page, "Starta återkrav").click()
    wait_for(page, lambda d: f"Återkrav {case_id} startat" in flash(d), "the confirmation")

    def listed(driver: Any) -> bool:
        # The notice is recorded by the worker a moment after the start.
        if driver.find_elements(By.LINK_TEXT, case_id):
            return True
        driver.refresh()
        return False

    wait_for(page, listed, "the case in the list")
    screenshot(page, "recoveries")
    open_link(page, case_id)
    wait_for(page, lambda d: heading(d) == f"Återkrav {case_id}", "the case's page")
    assert (
        "963,75 kr"
        in page.find_element(By.CSS_SELECTOR, "section[aria-labelledby=lines-title]").text
    )
    assert_accessible(page)
    screenshot(page, "recovery")

    # The provider accepts (the default choice); the administrator registers it.
    assert field(page, "godtar återkravet").is_selected()
    button(page, "Registrera svaret").click()
    wait_for(page, lambda d: "Utförarens svar registrerat." in flash(d), "the confirmation")
    history = page.find_element(By.CSS_SELECTOR, "section[aria-labelledby=history-title]").text
    assert f"Utföraren godtar av {ADMIN.username}" in history, history
    assert not [
        b for b in page.find_elements(By.TAG_NAME, "button") if b.text == "Registrera svaret"
    ]
    assert_accessible(page)

    status = await recoveries.recovery_status(dev_env.client, case_id)
    assert status.status == RecoveryState.RESPONDED, status
    assert status.response is not None and status.response.actor == ADMIN.username


async def test_a_decision_registered_in_kundval(
    page: Any, desk: Desk, dev_env: WorkflowEnvironment
) -> None:
    # A list left by another test on a task queue nobody serves would only be reported as
    # unreachable; start from none.
    await fresh_rotation_list(dev_env.client, PLAN_ID)
    log_in(page, desk, ADMIN)
    open_link(page, "Kundval")
    wait_for(page, lambda d: heading(d) == "Kundval", "the kundval page")
    assert_accessible(page)
    screenshot(page, "placements")

    # A decision registered through the form leads to the placement's page, itself checked.
    today = local_today()
    field(page, "Kundens referens").send_keys("DNR-2031-0099")
    field(page, "Område").send_keys("Centrum")
    field(page, "Tjänst").send_keys("omvårdnad")
    field(page, "Beviljad tid, timmar per månad").send_keys("22,5")
    set_date(page, field(page, "Beslutsdatum"), today)
    set_date(page, field(page, "Önskat startdatum"), today + timedelta(days=3))
    button(page, "Registrera beslutet").click()
    wait_for(page, lambda d: heading(d) == "Placering för DNR-2031-0099", "the placement's page")
    assert "DNR" not in page.current_url  # the customer is in no address
    assert "väntar på kundens val" in page.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert_accessible(page)
    screenshot(page, "placement")
