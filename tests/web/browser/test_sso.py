"""Single sign-on end to end in a real browser (headless Chromium): the desk's login page sends
the user to a real OpenID provider (tests/support/oidc_provider.py), the user logs in on the
provider's form, and comes back logged in to the desk with the name and role the provider's
groups give; a person whose groups map to no role is refused and not logged in. axe-core checks
the desk's pages on the way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from selenium.webdriver.common.by import By

from models.runtime.oidc import CALLBACK_PATH
from models.runtime.settings import Settings
from tests.support.browser import assert_accessible, wait_for
from tests.support.desk_thread import desk_thread
from tests.support.helpers import free_port
from tests.support.listings import seed_records, settings_for
from tests.support.oidc_provider import ANNA, UNMAPPED, Person, oidc_provider

pytestmark = pytest.mark.browser


@pytest_asyncio.fixture
async def local_settings(tmp_path: Path) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    return settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})


def heading(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "h1").text)


def _log_in_through_the_provider(
    page: Any, local_settings: Settings, tmp_path: Path, person: Person
) -> None:
    port = free_port()
    desk_url = f"http://127.0.0.1:{port}"
    with oidc_provider(tmp_path / "oidc", [desk_url + CALLBACK_PATH]) as provider:
        settings = provider.desk_settings(local_settings, desk_url)
        with desk_thread(settings, port):
            page.get(f"{desk_url}/")
            wait_for(page, lambda d: heading(d) == "Logga in", "the desk's login page")
            assert_accessible(page)
            page.find_element(By.LINK_TEXT, "Logga in med kommunens inloggning").click()
            wait_for(page, lambda d: d.current_url.startswith(provider.issuer), "the provider")
            wait_for(page, lambda d: d.find_elements(By.ID, "login"), "the provider's form")
            page.find_element(By.ID, "login").send_keys(person.login)
            page.find_element(By.ID, "password").send_keys(person.password)
            page.find_element(By.ID, "sign-in").click()
            wait_for(page, lambda d: d.current_url.startswith(desk_url), "back at the desk")
            wait_for(
                page,
                lambda d: d.execute_script("return document.readyState") == "complete",
                "loaded",
            )
            _check(page, desk_url, person)


def _check(page: Any, desk_url: str, person: Person) -> None:
    if person is ANNA:
        assert page.current_url == f"{desk_url}/"
        assert heading(page) == "Att göra"
        assert f"{ANNA.name} (administratör)" in page.find_element(By.CLASS_NAME, "who").text
        assert_accessible(page)
    else:
        assert heading(page) == "Du har inte loggats in"
        assert "ingen behörighet" in page.find_element(By.ID, "sso-refused").text
        assert not page.find_elements(By.CLASS_NAME, "who")
        assert_accessible(page)
        # Nothing was logged in: the desk still asks for a login.
        page.get(f"{desk_url}/")
        wait_for(page, lambda d: heading(d) == "Logga in", "sent to log in")


def test_a_municipal_user_logs_in_through_single_sign_on(
    page: Any, local_settings: Settings, tmp_path: Path
) -> None:
    _log_in_through_the_provider(page, local_settings, tmp_path, ANNA)


def test_a_user_without_a_mapped_group_is_refused(
    page: Any, local_settings: Settings, tmp_path: Path
) -> None:
    _log_in_through_the_provider(page, local_settings, tmp_path, UNMAPPED)
