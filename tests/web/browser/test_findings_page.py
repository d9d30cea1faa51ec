"""Findings in a real browser (headless Chromium) against `lov web` with a worker on the
Temporal dev server (tests/support/desk_process.py): the administrator registers a finding
through the list's form, a refusal first; axe-core finds no serious violation on the list with
the refusal and on the finding's page."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.support.browser import (
    assert_accessible,
    button,
    field,
    heading,
    open_link,
    screenshot,
    wait_for,
)
from tests.support.desk_process import ADMIN, Desk, log_in
from tests.support.plans import local_today

pytestmark = pytest.mark.browser


def test_administrator_registers_a_finding(page: Any, desk: Desk) -> None:
    provider = desk.providers[2]
    finding_id = f"{provider.org_nr.replace('-', '')}-{local_today().year}-001"
    log_in(page, desk, ADMIN)
    open_link(page, "Brister")
    wait_for(page, lambda d: heading(d) == "Brister", "the findings page")

    # Refused next to its field (no requirement chosen), as accessible as the page.
    # The filters above have a "Utförare" of their own: the registration form's, by its id.
    chosen = Select(page.find_element(By.ID, "register-provider"))
    chosen.select_by_visible_text(f"{provider.name} ({provider.org_nr})")
    field(page, "Vad som har funnits").send_keys("Genomförandeplaner saknas för två kunder")
    button(page, "Registrera bristen").click()
    error = wait_for(
        page, lambda d: d.find_elements(By.ID, "register-requirement-error"), "the refusal"
    )
    assert error[0].text == "Välj vilket krav bristen gäller"
    assert_accessible(page)

    Select(field(page, "Krav")).select_by_visible_text("Genomförandeplan inom två veckor")
    button(page, "Registrera bristen").click()
    flash = f"Brist {finding_id} registrerad"
    wait_for(page, lambda d: flash in d.page_source, "the confirmation")

    def listed(driver: Any) -> bool:
        # The notice is recorded by the worker a moment after the start.
        if driver.find_elements(By.LINK_TEXT, finding_id):
            return True
        driver.refresh()
        return False

    wait_for(page, listed, "the finding in the list")
    open_link(page, finding_id)
    wait_for(page, lambda d: heading(d) == f"Brist {finding_id}", "the finding's page")
    assert "Underrättelse skickad" in page.page_source
    assert "Avtalet punkt 5.2" in page.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert_accessible(page)
    screenshot(page, "finding")
