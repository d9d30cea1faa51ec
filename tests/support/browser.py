"""A real browser for the tests: Debian's headless Chromium driven by Selenium (`browser`, one
for the whole session; `page`, the same browser with a clean slate for one test), and axe-core
run inside the page (`assert_accessible`).

Everything runs offline: the driver and the browser are the distribution's (/usr/bin), passed to
Selenium explicitly so Selenium Manager never looks for (or downloads) one, and axe-core is
vendored in tests/support/vendor/. Tests that use the browser carry the `browser` marker
(`pytest -m "not browser"` skips them); `page` refuses a test without it, so the marker cannot
be forgotten.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

VENDOR = Path(__file__).resolve().parent / "vendor"
AXE_SCRIPT = VENDOR / "axe.min.js"
# The vendored release (tests/support/vendor/README.md); checked against the file's header.
AXE_VERSION = "4.14.1"

CHROMIUM = Path(os.environ.get("LOV_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("LOV_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"))

# Flags that work in this machine's containers (no sandbox, no GPU) and keep Chromium from
# reaching the network on its own (updates, sync, field trials, QUIC probes).
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--lang=sv-SE",
    "--hide-scrollbars",
    "--window-size=1280,900",
)

# WCAG 2.1 level A and AA: what the law asks of public bodies' services (issue 17).
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

PAGE_LOAD_TIMEOUT_S = 30
WAIT_S = 15

# Screenshots of the main pages for the README: written only when LOV_SCREENSHOTS=1
# (`make screenshots`), never on an ordinary run.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _require_browser() -> None:
    """Skip (visibly) where Chromium is missing, unless LOV_REQUIRE_BROWSER=1 (set by .ci/run,
    which installs it) turns that into a failure."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip)")
    if missing:
        reason = f"webbläsaren saknas (browser missing): {', '.join(missing)}"
        if os.environ.get("LOV_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def start_chromium(user_data_dir: Path) -> Any:
    """A headless Chromium under chromedriver, with its own fresh profile directory."""
    # Selenium Manager is only consulted when a path is missing; offline, it could not help.
    os.environ.setdefault("SE_OFFLINE", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    # Accept-Language as a Swedish user's browser sends it.
    options.add_experimental_option("prefs", {"intl.accept_languages": "sv-SE,sv"})
    # On Linux, Chromium takes its UI locale (how a date field shows its format, for one) from
    # the environment, not from --lang: a Swedish user's browser.
    swedish = os.environ | {"LANGUAGE": "sv", "LANG": "sv_SE.UTF-8"}
    service = Service(executable_path=str(CHROMEDRIVER), log_output=os.devnull, env=swedish)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT_S)
    driver.set_script_timeout(PAGE_LOAD_TIMEOUT_S)
    return driver


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for the whole session (starting one takes about a second)."""
    _require_browser()
    profile = tmp_path_factory.mktemp("chromium-profile")
    driver = start_chromium(profile)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Any:
    """The session's browser for one test, on a blank page with no cookies: no test sees
    another's login. Only for tests marked `browser`."""
    if request.node.get_closest_marker("browser") is None:
        pytest.fail("a test that uses the browser must be marked @pytest.mark.browser")
    browser.get("about:blank")
    # WebDriver's delete_all_cookies only reaches the current page's site; this clears all.
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    browser.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": "*", "storageTypes": "all"})
    return browser


# --- axe-core -----------------------------------------------------------------------------------


@cache
def axe_source() -> str:
    source = AXE_SCRIPT.read_text(encoding="utf-8")
    assert source.startswith(f"/*! axe v{AXE_VERSION}"), "tests/support/vendor/README.md"
    return source


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page the driver shows, every impact.

    The script is injected through WebDriver (not a <script> tag), so the page's Content
    Security Policy, which allows no inline script, does not stop it.
    """
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(axe_source())
    result: dict[str, Any] = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        window.axe
            .run(document, {
                runOnly: {type: "tag", values: arguments[0]},
                resultTypes: ["violations"],
            })
            .then((r) => done({violations: r.violations}))
            .catch((e) => done({error: String(e)}));
        """,
        list(WCAG_TAGS),
    )
    assert "error" not in result, f"axe-core failed: {result.get('error')}"
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node.get("target", []))) for node in v.get("nodes", [])]
        lines.append(f"- {v['id']} ({v.get('impact')}): {v.get('help')} → {', '.join(targets)}")
    return "\n".join(lines)


def assert_accessible(driver: Any) -> None:
    """Fail, listing rule, help and elements, if axe-core finds a serious or critical WCAG 2.1
    A/AA violation on the current page (minor and moderate ones are not failures)."""
    blocking = [v for v in axe_violations(driver) if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        pytest.fail(
            f"axe-core: {len(blocking)} allvarliga brister (serious/critical WCAG 2.1 A/AA) på "
            f"{driver.current_url}:\n{describe_violations(blocking)}",
            pytrace=False,
        )


# --- finding things as a user does: by the visible label or text --------------------------------


def field(driver: Any, label: str) -> Any:
    """The form control whose <label> reads `label` (a field found so is also one a screen
    reader can name)."""
    from selenium.webdriver.common.by import By

    for element in driver.find_elements(By.TAG_NAME, "label"):
        if element.text.strip().rstrip("*").strip() == label:
            target = element.get_attribute("for")
            if target:
                return driver.find_element(By.ID, target)
            return element.find_element(By.CSS_SELECTOR, "input, select, textarea")
    labels = [e.text for e in driver.find_elements(By.TAG_NAME, "label")]
    raise AssertionError(f"no field labelled {label!r} on {driver.current_url}; labels: {labels}")


def button(driver: Any, text: str) -> Any:
    """The button (or submit input) reading `text`."""
    from selenium.webdriver.common.by import By

    for element in driver.find_elements(
        By.CSS_SELECTOR, "button, input[type=submit], input[type=button]"
    ):
        shown = element.text or element.get_attribute("value") or ""
        if shown.strip() == text:
            return element
    raise AssertionError(f"no button {text!r} on {driver.current_url}")


def wait_for(driver: Any, condition: Any, message: str, timeout: float = WAIT_S) -> Any:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # htmx swaps parts of a page: an element read while it is being replaced is stale, which
    # means "not yet", not a failure.
    wait = WebDriverWait(driver, timeout, ignored_exceptions=[StaleElementReferenceException])
    return wait.until(condition, message)


def replaced(element: Any) -> Any:
    """A wait condition: `element`'s page has been replaced by the next one. Selenium's
    `staleness_of` fails outright when Chromium answers "unhandled inspector error" while the
    old document is being torn down (seen on a loaded machine); that only means "not yet"."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def gone(_driver: Any) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException:
            return False  # mid-navigation: look again
        return False

    return gone


def screenshot(driver: Any, name: str) -> Path | None:
    """docs/screenshots/`name`.png of the whole page when LOV_SCREENSHOTS=1, else nothing."""
    if os.environ.get("LOV_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width, height = driver.get_window_size()["width"], driver.get_window_size()["height"]
    full = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, max(height, min(int(full) + 120, 4000)))
    path = SCREENSHOTS / f"{name}.png"
    try:
        driver.save_screenshot(str(path))
    finally:
        driver.set_window_size(width, height)
    return path


def heading(driver: Any) -> str:
    """The page's <h1>, as a user reads where they are."""
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.TAG_NAME, "h1").text)


def open_link(driver: Any, text: str) -> None:
    """Follow the link reading `text`, as a user clicks it, and wait for the new page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions

    old_page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.LINK_TEXT, text).click()
    wait_for(driver, expected_conditions.staleness_of(old_page), f"the page behind {text!r}")
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete", text)


def set_date(driver: Any, element: Any, value: date) -> None:
    """A date input's value, independent of how the browser's locale shows dates."""
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        element,
        value.isoformat(),
    )
