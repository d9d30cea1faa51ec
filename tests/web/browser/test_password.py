"""The forced password change in a real browser (headless Chromium): an account with a one-time
password logs in, lands on "Byt lösenord" whatever it asks for, sees a refusal next to its field,
and reaches the start page once it has chosen a password. axe-core checks the page, refusal
included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from selenium.webdriver.common.by import By

from models.runtime.settings import Settings
from services import users
from tests.support.browser import assert_accessible, button, field, wait_for
from tests.support.desk import PASSWORD, records
from tests.support.desk_thread import desk_thread
from tests.support.helpers import free_port
from tests.support.listings import seed_records, settings_for

pytestmark = pytest.mark.browser
NEW = "mitt-eget-långa-lösen"


@pytest_asyncio.fixture
async def settings(tmp_path: Path) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    async with records(url) as store:
        await users.add_user(store, "ny", "administrator", "Ny Person", PASSWORD, one_time=True)
    return settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})


def heading(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "h1").text)


def submit(driver: Any, text: str, expected_heading: str) -> None:
    old = driver.find_element(By.TAG_NAME, "html")
    button(driver, text).click()
    wait_for(driver, lambda d: old != d.find_element(By.TAG_NAME, "html"), "the next page")
    wait_for(driver, lambda d: heading(d) == expected_heading, expected_heading)


def test_a_one_time_password_must_be_changed_first(page: Any, settings: Settings) -> None:
    with desk_thread(settings, free_port()) as desk:
        page.get(f"{desk}/login")
        field(page, "Användarnamn").send_keys("ny")
        field(page, "Lösenord").send_keys(PASSWORD)
        submit(page, "Logga in", "Byt lösenord")
        page.get(f"{desk}/providers")
        wait_for(page, lambda d: heading(d) == "Byt lösenord", "still the password page")
        assert_accessible(page)
        field(page, "Nytt lösenord (minst 12 tecken)").send_keys(NEW)
        field(page, "Skriv det nya lösenordet igen").send_keys(NEW + "x")
        submit(page, "Spara lösenordet", "Byt lösenord")
        error = page.find_element(By.ID, "repeated-error")
        assert "inte lika" in error.text
        assert page.find_element(By.ID, "repeated").get_attribute("aria-describedby") == (
            "repeated-error"
        )
        assert_accessible(page)
        field(page, "Nytt lösenord (minst 12 tecken)").send_keys(NEW)
        field(page, "Skriv det nya lösenordet igen").send_keys(NEW)
        submit(page, "Spara lösenordet", "Att göra")
        assert "Ditt nya lösenord är sparat." in page.find_element(By.TAG_NAME, "main").text
        page.get(f"{desk}/providers")
        wait_for(page, lambda d: heading(d) == "Utförare", "the providers page")
