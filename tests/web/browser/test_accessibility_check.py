"""The browser harness itself (tests/support/browser.py), before any desk page exists: Chromium
under Selenium renders a page served over HTTP, and the axe-core check fails on real WCAG
violations and passes a clean page — so a passing desk page means something."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.support.browser import (
    BLOCKING_IMPACTS,
    assert_accessible,
    axe_violations,
    button,
    field,
)

pytestmark = pytest.mark.browser

CLEAN = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Leverantörer</title></head>
<body><header><p>LOV-desken</p></header><main>
<h1>Leverantörer</h1>
<img src="/logo.svg" alt="Kommunens logotyp" width="10" height="10">
<form method="get" action="/sok">
  <label for="q">Sök leverantör</label> <input id="q" name="q" type="search">
  <button type="submit">Sök</button>
</form>
</main></body></html>"""

# The same page with the two commonest faults: an image without a text alternative and a field
# without a label (both "critical" in axe-core).
FAULTY = (
    CLEAN.replace(' alt="Kommunens logotyp"', "")
    .replace('<label for="q">Sök leverantör</label> ', "")
    .replace("<title>Leverantörer</title>", "<title>Fel</title>")
)

LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10"/></svg>'
)


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body, kind = {
            "/clean": (CLEAN.encode(), "text/html; charset=utf-8"),
            "/faulty": (FAULTY.encode(), "text/html; charset=utf-8"),
            "/logo.svg": (LOGO, "image/svg+xml"),
        }.get(self.path, (b"", ""))
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", kind or "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def static_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_browser_renders_a_served_page(page: Any, static_site: str) -> None:
    page.get(f"{static_site}/clean")
    assert page.title == "Leverantörer"
    assert page.find_element(By.TAG_NAME, "h1").text == "Leverantörer"
    # The image was fetched and decoded: a real page load, not just markup.
    logo = page.find_element(By.CSS_SELECTOR, "img")
    assert page.execute_script("return arguments[0].naturalWidth", logo) == 10
    # Fields and buttons are found as a user finds them: by label and by text.
    assert field(page, "Sök leverantör").get_attribute("id") == "q"
    assert button(page, "Sök").get_attribute("type") == "submit"
    with pytest.raises(AssertionError, match="no field labelled 'Lösenord'"):
        field(page, "Lösenord")


def test_axe_passes_a_clean_page(page: Any, static_site: str) -> None:
    page.get(f"{static_site}/clean")
    assert [v["id"] for v in axe_violations(page)] == []
    assert_accessible(page)


def test_axe_finds_an_image_without_alt_and_a_field_without_label(
    page: Any, static_site: str
) -> None:
    page.get(f"{static_site}/faulty")
    found = {v["id"]: v for v in axe_violations(page)}
    assert {"image-alt", "label"} <= set(found), sorted(found)
    assert found["image-alt"]["impact"] in BLOCKING_IMPACTS
    assert [n["target"] for n in found["image-alt"]["nodes"]] == [["img"]]
    assert [n["target"] for n in found["label"]["nodes"]] == [["#q"]]

    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert "image-alt" in message and "label" in message, message
    assert f"{static_site}/faulty" in message and "#q" in message, message
