"""Rapporter in a real browser (headless Chromium): the compliance matrix, the plan's calendar
and a provider's timeline, as an auditor reaches them from the menu and the matrix, pass
axe-core (no serious or critical WCAG 2.1 A/AA violation). The desk runs under uvicorn in the
test's event loop; the browser is driven from a thread, so the server keeps answering."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from models.runtime.settings import Settings
from tests.support.browser import assert_accessible, button, field, screenshot, wait_for
from tests.support.compliance_records import AS_OF, PLANS_DIR, SOLROS, YEAR, seed_compliance_year
from tests.support.desk import PASSWORD, add_accounts, desk_server, records

pytestmark = pytest.mark.browser


async def _seed(url: str) -> None:
    await seed_compliance_year(url)
    await add_accounts(url, "auditor")
    org = SOLROS[0]
    wid = f"obligation-{org.replace('-', '')}-self-inspection-{YEAR}-T1"
    steps: list[tuple[datetime, str, str, dict[str, Any]]] = [
        (datetime(YEAR, 4, 1, 8, tzinfo=UTC), "opened", "system", {}),
        (datetime(YEAR, 4, 15, 9, tzinfo=UTC), "submitted", "Solros", {"late_days": 0}),
        (datetime(YEAR, 4, 20, 7, tzinfo=UTC), "completion_requested", "Anna", {
            "note": "Bilagan saknas", "new_due": f"{YEAR}-05-10"
        }),
    ]  # fmt: skip
    async with records(url) as store:
        for n, (at, event, actor, details) in enumerate(steps):
            period: dict[str, Any] = {"obligation": "self-inspection", "period": f"{YEAR}-T1"}
            await store.record_audit(f"b{n}", at, org, wid, event, actor, period | details)


def _walk(driver: Any, url: str) -> None:
    driver.get(f"{url}/login")
    field(driver, "Användarnamn").send_keys("auditor")
    field(driver, "Lösenord").send_keys(PASSWORD)
    button(driver, "Logga in").click()
    wait_for(driver, lambda d: d.current_url.rstrip("/") == url, "the start page")
    driver.find_element(By.LINK_TEXT, "Rapporter").click()
    wait_for(driver, lambda d: "/reports" in d.current_url, "the reports page")
    driver.get(f"{url}/reports?year={YEAR}&as_of={AS_OF.isoformat()}")
    assert driver.find_element(By.CSS_SELECTOR, "table.matrix")
    assert_accessible(driver)
    screenshot(driver, "reports")
    # A refused query: the message next to its field passes too.
    driver.get(f"{url}/reports?year=tjugo")
    assert driver.find_element(By.ID, "year-error")
    assert_accessible(driver)
    driver.get(f"{url}/reports/calendar?plan=sundsvall&year={YEAR}")
    assert driver.find_element(By.CSS_SELECTOR, "table.calendar")
    assert_accessible(driver)
    driver.get(f"{url}/reports?year={YEAR}&as_of={AS_OF.isoformat()}")
    driver.find_element(By.LINK_TEXT, SOLROS[1]).click()
    wait_for(driver, lambda d: "/reports/timeline/" in d.current_url, "the timeline")
    assert "Komplettering begärd" in driver.find_element(By.TAG_NAME, "main").text
    assert_accessible(driver)
    screenshot(driver, "timeline")


async def test_the_report_pages_pass_axe(page: Any, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await _seed(url)
    settings = Settings(database_url=url, plans_dir=PLANS_DIR, var_dir=tmp_path / "var")
    async with desk_server(settings) as address:
        await asyncio.to_thread(_walk, page, address)
