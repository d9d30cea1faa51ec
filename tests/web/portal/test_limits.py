"""The portal's bound on a request's size (web/portal/limits.py): a body larger than the
documents a duty may take is refused with 413 before the form is read, whether it says its
length or not; the desk's own pages are not affected."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest_asyncio

from models.records.db import upgrade
from models.runtime.settings import Settings
from tests.support.desk import csrf_of, desk_client
from tests.support.listings import settings_for
from web.portal.limits import MARGIN, MAX_DOCUMENTS

MB = 1024 * 1024


@pytest_asyncio.fixture
async def settings(tmp_path: Path) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    return settings_for(url).model_copy(update={"var_dir": tmp_path / "var", "portal_upload_mb": 1})


@pytest_asyncio.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with desk_client(settings) as desk:
        yield desk


async def test_a_body_over_the_bound_is_refused_by_its_length(client: httpx.AsyncClient) -> None:
    page = await client.get("/portal/ny-lank")
    csrf = csrf_of(page.text)
    bound = MAX_DOCUMENTS * MB + MARGIN
    big = await client.post(
        "/portal/ny-lank",
        data={"csrf_token": csrf, "email": "a@b.example"},
        files={"doc-x": ("x.pdf", b"%PDF-" + b"0" * bound, "application/pdf")},
    )
    assert big.status_code == 413 and "för stort" in big.text
    # Within the bound the page answers as usual.
    ok = await client.post("/portal/ny-lank", data={"csrf_token": csrf, "email": "a@b.example"})
    assert ok.status_code == 200


async def test_a_body_without_a_length_is_cut_off_at_the_bound(
    client: httpx.AsyncClient,
) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        # One file part that never ends: the parser keeps reading until the bound stops it.
        yield (
            b'--x\r\nContent-Disposition: form-data; name="doc-x"; filename="a.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n%PDF-"
        )
        for _ in range(MAX_DOCUMENTS + 5):
            sent += MB
            yield b"0" * MB

    response = await client.post(
        "/portal/skyldigheter/annual-report/2027",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 413 and "för stort" in response.text
    assert sent <= MAX_DOCUMENTS * MB + MARGIN + 2 * MB  # stopped reading near the bound


async def test_the_desk_is_not_bounded_by_the_portal_s_limit(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    response = await client.post(
        "/login",
        data={"csrf_token": csrf_of(page.text), "username": "x", "password": "y"},
        files={"extra": ("big.bin", b"0" * (MAX_DOCUMENTS * MB + MARGIN + MB), "text/plain")},
    )
    assert response.status_code == 401  # read and refused as a login, not as too large
