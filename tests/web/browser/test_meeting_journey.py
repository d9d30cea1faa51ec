"""Booking a follow-up meeting in a real browser (headless Chromium) against `lov web` as its own
process with a worker on the dev server (tests/support/desk_process.py, whose plan has one
meeting window a year): the administrator goes from the menu's "Möten" to a meeting to book,
is told next to the field what is missing, books it, and gets the calendar file. axe-core checks
the meetings list and the meeting page, the refused form included."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By
from temporalio.testing import WorkflowEnvironment

from services import meetings
from tests.support.browser import assert_accessible, button, field, replaced, screenshot, wait_for
from tests.support.desk_process import ADMIN, Desk, log_in
from tests.support.plans import local_today

pytestmark = pytest.mark.browser
ZONE = ZoneInfo("Europe/Stockholm")


def heading(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "h1").text)


def follow(driver: Any, link: Any, what: str) -> None:
    """Click `link` as a user does and wait for the page behind it."""
    old_page = driver.find_element(By.TAG_NAME, "html")
    link.click()
    wait_for(driver, replaced(old_page), what)
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete", what)


def to_book(driver: Any) -> Any:
    return driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=to-book]")


async def test_administrator_books_a_meeting(
    page: Any, desk: Desk, dev_env: WorkflowEnvironment
) -> None:
    provider = desk.providers[1]
    wid = f"meeting-{provider.org_nr.replace('-', '')}-{desk.year}-H1"
    log_in(page, desk, ADMIN)
    follow(page, page.find_element(By.LINK_TEXT, "Möten"), "the meetings page")
    assert heading(page) == "Möten"

    def listed(driver: Any) -> bool:
        # The contracts open their meetings a moment after their duties: look again until then.
        if provider.name in to_book(driver).text:
            return True
        driver.refresh()
        return False

    wait_for(page, listed, f"{provider.name}'s meeting among those to book", timeout=30)
    assert_accessible(page)
    screenshot(page, "meetings")

    follow(page, to_book(page).find_element(By.LINK_TEXT, provider.name), "the meeting page")
    assert heading(page) == f"Uppföljningsmöte {desk.year}-H1"
    assert "/meetings/" in page.current_url and provider.org_nr not in page.current_url
    assert_accessible(page)

    # Sent without a time: told so next to the field, and nothing booked.
    field(page, "Plats").send_keys("Stadshuset, rum 3")
    follow(page, button(page, "Boka"), "the refused form")
    error = page.find_element(By.ID, "book-at-error")
    assert error.text == "Måste fyllas i"
    # Read out with the field: its hint (the time zone) and the error.
    described = field(page, "Datum och tid").get_attribute("aria-describedby").split()
    assert described == ["book-at-hint", "book-at-error"]
    assert field(page, "Plats").get_attribute("value") == "Stadshuset, rum 3"
    assert_accessible(page)
    assert (await meetings.meeting_status(dev_env.client, wid)).status == "unscheduled"

    day = local_today() + timedelta(days=1)
    when = datetime(day.year, day.month, day.day, 10, tzinfo=ZONE)
    page.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        field(page, "Datum och tid"),
        when.strftime("%Y-%m-%dT%H:%M"),
    )
    if str(when.year) != desk.year:  # tomorrow lies outside this year's window
        field(page, "Skäl (frivilligt)").send_keys("Årsskiftet")
    follow(page, button(page, "Boka"), "the booked meeting")

    assert page.find_elements(By.CSS_SELECTOR, "p.flash[role=status]"), "a confirmation"
    facts = page.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert "bokat" in facts and "Stadshuset, rum 3" in facts and "kl. 10.00" in facts, facts
    calendar = page.find_element(By.PARTIAL_LINK_TEXT, "Hämta mötet till kalendern")
    assert calendar.get_attribute("href").endswith("/kalender.ics")
    assert "Flytta mötet" in page.page_source and "Boka mötet" not in page.page_source
    assert_accessible(page)
    screenshot(page, "meeting")

    # The workflow booked it, at the local time, with the logged-in user as the actor.
    status = await meetings.meeting_status(dev_env.client, wid)
    assert status.status == "scheduled" and status.meeting is not None
    assert status.meeting.starts_at == when and status.meeting.actor == ADMIN.username
