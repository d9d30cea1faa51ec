"""`lov web` as an administrator runs it: the desk on the given port over the configured records
database; no records database is one line naming the setting, exit 2."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx

from models.records.db import upgrade
from models.runtime.settings import PROJECT_ROOT
from tests.support.cli_runner import cli_env, run_lov_process
from tests.support.helpers import eventually, free_port


async def test_lov_web_serves_the_login_page(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    port = free_port()
    env = cli_env(tmp_path, LOV_DATABASE_URL=url, LOV_VAR_DIR=str(tmp_path / "var"))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter",
        "web",
        "--port",
        str(port),
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:

        async def answers() -> httpx.Response:
            async with httpx.AsyncClient() as client:
                try:
                    return await client.get(f"http://127.0.0.1:{port}/login")
                except httpx.TransportError as err:
                    raise AssertionError(str(err)) from err

        page = await eventually(answers, timeout=30)
        assert page.status_code == 200 and "<h1>Logga in</h1>" in page.text
        # The session cookie is Secure by default (a TLS proxy in front).
        assert "secure" in page.headers["set-cookie"].lower()
        # The session secret was generated once, for the owner's eyes only.
        assert (tmp_path / "var" / "web-secret.key").stat().st_mode & 0o077 == 0
    finally:
        process.terminate()
        out, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    assert f"lov web: http://127.0.0.1:{port}" in out.decode()


async def test_lov_web_without_records_names_the_setting(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'none' / 'records.db'}"
    result = await run_lov_process(cli_env(tmp_path, LOV_DATABASE_URL=url), "web")
    assert result.exit_code == 2
    assert "LOV_DATABASE_URL" in result.error_line()
