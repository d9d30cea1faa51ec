"""The desk's main journeys in a real browser (headless Chromium) against `lov web` running as its
own process with a worker on a Temporal dev server (tests/support/desk_process.py): an
administrator logs in, finds a provider, and asks for a completion of a submission; an auditor
can look but the server refuses every action; anyone reaches the accessibility statement from
the footer. axe-core checks every main page on the way (no serious or critical WCAG 2.1 A/AA
violation). `LOV_SCREENSHOTS=1` (make screenshots) also
saves the pages as docs/screenshots/*.png for the README.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from temporalio.testing import WorkflowEnvironment

from models.messages.obligation import ObligationState
from services import obligations
from tests.support.browser import (
    assert_accessible,
    button,
    field,
    replaced,
    screenshot,
    wait_for,
)
from tests.support.desk_process import ADMIN, AUDITOR, Desk, Provider, log_in

pytestmark = pytest.mark.browser


def heading(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "h1").text)


def listed_names(driver: Any) -> list[str]:
    """The names in the providers page's result table (its first column)."""
    return [
        row.find_element(By.TAG_NAME, "td").text
        for row in driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    ]


def open_link(driver: Any, text: str) -> None:
    """Follow the link reading `text`, as a user clicks it, and wait for the new page."""
    old_page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.LINK_TEXT, text).click()
    wait_for(driver, replaced(old_page), f"the page behind {text!r}")
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete", text)


def open_duty(driver: Any, desk: Desk, provider: Provider) -> None:
    """From the providers list to `provider`'s page, and on to its annual report."""
    driver.get(f"{desk.url}/providers")
    open_link(driver, provider.name)
    wait_for(driver, lambda d: heading(d) == provider.name, "the provider's page")
    open_link(driver, "Årlig redovisning")
    wait_for(driver, lambda d: heading(d) == f"Årlig redovisning {desk.year}", "the duty page")


def set_date(driver: Any, element: Any, value: date) -> None:
    """A date input's value, independent of how the browser's locale shows dates."""
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        element,
        value.isoformat(),
    )


def test_login_is_refused_with_a_wrong_password_and_the_page_says_so(page: Any, desk: Desk) -> None:
    page.get(f"{desk.url}/")
    # Not logged in: every page leads to the login page.
    wait_for(page, lambda d: d.current_url.startswith(f"{desk.url}/login"), "sent to log in")
    assert heading(page) == "Logga in"
    assert_accessible(page)
    screenshot(page, "login")

    field(page, "Användarnamn").send_keys(ADMIN.username)
    field(page, "Lösenord").send_keys("fel-lösenord")
    button(page, "Logga in").click()
    alert = wait_for(
        page,
        lambda d: d.find_elements(By.CSS_SELECTOR, "[role=alert]"),
        "an error message on the login page",
    )[0]
    assert alert.text.strip() != ""
    assert heading(page) == "Logga in"
    # The error state is as accessible as the page itself.
    assert_accessible(page)
    # Nothing of the desk is reachable.
    page.get(f"{desk.url}/providers")
    wait_for(page, lambda d: heading(d) == "Logga in", "still asked to log in")


def test_the_accessibility_statement_is_reached_from_the_footer_without_logging_in(
    page: Any, desk: Desk
) -> None:
    page.get(f"{desk.url}/login")
    open_link(page, "Tillgänglighetsredogörelse")
    wait_for(page, lambda d: heading(d) == "Tillgänglighetsredogörelse", "the statement")
    # Not sent to log in: the statement is for everyone.
    assert page.current_url == f"{desk.url}/tillganglighet"
    assert page.find_elements(By.CSS_SELECTOR, "a[href^='mailto:']")
    assert_accessible(page)


def focused(driver: Any) -> Any:
    return driver.switch_to.active_element


def test_logging_in_takes_only_the_keyboard_and_focus_is_always_visible(
    page: Any, desk: Desk
) -> None:
    from selenium.webdriver.common.keys import Keys

    page.get(f"{desk.url}/login")
    body = page.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    # First stop: the skip link, shown (moved on screen) when it has focus, with its ring.
    skip = focused(page)
    assert skip.text == "Hoppa till innehållet"
    assert skip.rect["x"] >= 0 and skip.is_displayed()
    assert skip.value_of_css_property("outline-style") != "none"

    # On to the username field (past the header's link), each stop with a visible ring.
    stops = []
    while focused(page).get_attribute("id") != "username":
        assert len(stops) < 5, f"the username field is not reached by Tab: {stops}"
        focused(page).send_keys(Keys.TAB)
        stops.append(focused(page).text or focused(page).get_attribute("id"))
        assert focused(page).value_of_css_property("outline-style") != "none", stops
    focused(page).send_keys(ADMIN.username, Keys.TAB)
    assert focused(page).get_attribute("id") == "password"
    focused(page).send_keys(ADMIN.password, Keys.ENTER)
    wait_for(page, lambda d: heading(d) == "Att göra", "the start page after Enter")

    # On the start page the same order: skip link, then straight past the header into <main>.
    page.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert focused(page).text == "Hoppa till innehållet"
    focused(page).send_keys(Keys.ENTER)
    assert focused(page).get_attribute("id") == "main"


def test_administrator_logs_in_and_sees_the_submission_awaiting_review(
    page: Any, desk: Desk
) -> None:
    log_in(page, desk, ADMIN)
    assert heading(page) == "Att göra"
    awaiting = page.find_element(By.CSS_SELECTOR, "section[aria-labelledby=awaiting]")
    assert desk.submitted.name in awaiting.text, awaiting.text
    assert ADMIN.name in page.find_element(By.TAG_NAME, "header").text
    assert_accessible(page)
    screenshot(page, "start")


def test_administrator_finds_a_provider_by_search_and_opens_its_page(page: Any, desk: Desk) -> None:
    log_in(page, desk, ADMIN)
    open_link(page, "Utförare")
    wait_for(page, lambda d: heading(d) == "Utförare", "the providers page")
    assert sorted(listed_names(page)) == sorted(p.name for p in desk.providers)
    assert_accessible(page)
    screenshot(page, "providers")

    wanted = desk.providers[1]
    # Typing is enough: htmx (allowed by the page's Content Security Policy) fetches the
    # narrowed list and swaps it in, without a button and without leaving the page.
    page.execute_script("window.notReloaded = true")
    field(page, "Sök på namn eller organisationsnummer").send_keys("söder")
    wait_for(
        page, lambda d: listed_names(d) == [wanted.name], f"the search shows only {wanted.name}"
    )
    assert page.execute_script("return window.notReloaded === true"), "the page was reloaded"
    assert page.find_element(By.CSS_SELECTOR, "#results caption").text == "1 utförare"
    # The search went by POST: what was typed (an org nr may be a personnummer) is in no address.
    assert page.current_url == f"{desk.url}/providers"

    open_link(page, wanted.name)
    wait_for(page, lambda d: heading(d) == wanted.name, "the provider's page")
    facts = page.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert wanted.org_nr in facts, facts
    duties = page.find_element(By.CSS_SELECTOR, "section[aria-labelledby=duties]").text
    assert "Årlig redovisning" in duties and "Årsredovisning" in duties, duties
    assert_accessible(page)
    screenshot(page, "provider")


async def test_administrator_requests_completion_with_a_new_date_and_a_note(
    page: Any, desk: Desk, dev_env: WorkflowEnvironment
) -> None:
    provider = desk.submitted
    log_in(page, desk, ADMIN)
    open_duty(page, desk, provider)
    submitted = page.find_element(By.CSS_SELECTOR, "section[aria-labelledby=submitted]").text
    assert "Antal kunder" in submitted and "12" in submitted, submitted
    assert "Analys av avvikelser" in submitted and "avvikelser.pdf" in submitted, submitted
    assert_accessible(page)
    screenshot(page, "duty")

    new_due = desk.due + timedelta(days=21)
    note = "Analysen av avvikelser saknar åtgärdsplanen för andra halvåret."
    set_date(page, field(page, "Ny förfallodag"), new_due)
    field(page, "Vad som saknas").send_keys(note)
    button(page, "Begär komplettering").click()

    wait_for(
        page,
        lambda d: d.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=reviews]"),
        "the review is shown on the duty page",
    )
    reviews = page.find_element(By.CSS_SELECTOR, "section[aria-labelledby=reviews]").text
    # The logged-in user is the actor of the decision.
    assert note in reviews and f"av {ADMIN.username}" in reviews, reviews
    assert page.find_elements(By.CSS_SELECTOR, "p.flash[role=status]"), "a confirmation"
    due_shown = page.find_element(By.CSS_SELECTOR, "dl.facts time").get_attribute("datetime")
    assert due_shown == new_due.isoformat()
    # Asking again is not offered: the submission is no longer awaiting review.
    assert not [b for b in page.find_elements(By.TAG_NAME, "button") if b.text == "Godkänn"]
    assert_accessible(page)

    # The workflow itself took the decision, from the administrator logged in.
    status = await obligations.obligation_status(
        dev_env.client, provider.org_nr, "annual-report", desk.year
    )
    assert status.status == ObligationState.COMPLETION_REQUESTED, status
    assert status.due == new_due, status


async def test_an_auditor_sees_the_duty_but_the_server_refuses_an_action_with_403(
    page: Any, desk: Desk, dev_env: WorkflowEnvironment
) -> None:
    provider = desk.providers[2]
    before = await obligations.obligation_status(
        dev_env.client, provider.org_nr, "annual-report", desk.year
    )
    # A duty an administrator could extend (the duty page offers it for these states).
    assert before.status in (ObligationState.UPCOMING, ObligationState.OPEN), before

    log_in(page, desk, AUDITOR)
    open_duty(page, desk, provider)
    # The page offers the auditor no action …
    assert not page.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=actions]")
    assert [f.get_attribute("action") for f in page.find_elements(By.TAG_NAME, "form")] == [
        f"{desk.url}/logout"
    ]
    assert_accessible(page)

    # … and the server refuses one sent anyway, with the auditor's own session and CSRF token
    # (taken from the logout form), as a hand-made form post would arrive.
    post = """
        const [url, fields, done] = arguments;
        const form = new FormData();
        const token = document.querySelector("form[action='/logout'] input[type=hidden]");
        form.append(token.name, token.value);
        for (const [k, v] of Object.entries(fields)) form.append(k, v);
        fetch(url, {method: "POST", body: form, credentials: "same-origin", redirect: "manual"})
            .then((r) => r.text().then((t) => done({status: r.status, text: t})))
            .catch((e) => done({status: -1, text: String(e)}));
    """
    # The same session and token are good for a harmless post (a search): the refusal below is
    # the auditor's role, not a broken token.
    search = page.execute_async_script(post, "/providers", {"search": provider.name})
    assert search["status"] == 200, search
    assert provider.name in search["text"]

    duty_path = page.execute_script("return location.pathname")
    new_due = (desk.due + timedelta(days=30)).isoformat()
    refused = page.execute_async_script(
        post,
        f"{duty_path}/extend",
        {"request_id": "a4c2d8e0-1b7f-4e55-9b1a-2f6f3c9d7e10", "new_due": new_due, "reason": "x"},
    )
    assert refused["status"] == 403, refused
    assert "Inte tillåtet" in refused["text"], refused["text"][:500]

    after = await obligations.obligation_status(
        dev_env.client, provider.org_nr, "annual-report", desk.year
    )
    assert (after.status, after.due) == (before.status, before.due), after
