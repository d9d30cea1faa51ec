"""Kommunens uppgifter in a real browser (headless Chromium) against `lov web` with a worker on
the Temporal dev server (tests/support/desk_process.py, whose plan has one municipal duty that
the worker's MunicipalDutiesWorkflow lists): the administrator opens the list and the task,
registers it as done through its form, a refusal first; axe-core finds no serious violation on
the list and on the task's page with the refusal."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By

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
from tests.support.plans import local_today

pytestmark = pytest.mark.browser


def test_administrator_registers_a_task_as_done(page: Any, desk: Desk) -> None:
    title = f"Årlig kundundersökning {local_today().year}"
    log_in(page, desk, ADMIN)
    open_link(page, "Kommunens uppgifter")
    wait_for(page, lambda d: heading(d) == "Kommunens uppgifter", "the tasks page")

    def listed(driver: Any) -> bool:
        # The worker's workflow writes its tasks to the records a moment after it starts.
        if driver.find_elements(By.LINK_TEXT, title):
            return True
        driver.refresh()
        return False

    wait_for(page, listed, "the task in the list")
    assert_accessible(page)
    screenshot(page, "tasks")

    open_link(page, title)
    wait_for(page, lambda d: heading(d) == title, "the task's page")
    assert "Kvalitetsuppföljare" in page.find_element(By.CSS_SELECTOR, "dl.facts").text
    screenshot(page, "task")  # with the form to register it

    # Refused next to its field (no date), nothing registered.
    button(page, "Registrera").click()
    error = wait_for(page, lambda d: d.find_elements(By.ID, "t-done-on-error"), "the refusal")
    assert error[0].text == "Ange ett datum"
    assert field(page, "Datum då den utfördes").get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    set_date(page, field(page, "Datum då den utfördes"), local_today())
    field(page, "Resultat").send_keys("212 svar; alla kunder har en genomförandeplan")
    button(page, "Registrera").click()

    def done(driver: Any) -> bool:
        # The Update returns at once; the page reads the records the workflow writes.
        if "utförd i tid" in driver.find_element(By.ID, "task-state").text:
            return True
        driver.refresh()
        return False

    wait_for(page, done, "the task registered as done")
    assert "212 svar" in page.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert_accessible(page)
