"""Section 6: the web desk at municipal scale (issue 17: p95 under 200 ms).

The records of `providers` × `years` of the Sundsvall plan are seeded as the reporting section
seeds them (bench.reporting.seed_rows), ending in the current year so that the start page's
windows (late, due this week and month) hold what they would hold in real use. The desk runs
in-process (create_app behind httpx's ASGI transport, with its lifespan, as the route tests
run it: the application, the queries and the rendering; no network), logged in as an auditor,
and each page is fetched `samples` times after a warm-up: the start page, one provider's page
and the compliance matrix of this year. The same on SQLite and on a scratch PostgreSQL
database, dropped afterwards. Asserts nothing about timings.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from bench.common import PROJECT_ROOT, percentile, postgres_database
from bench.reporting import seed, seed_rows
from models.domain.orgnr import org_digits
from models.records.db import make_engine, make_session_factory, upgrade
from models.records.store import RecordStore
from models.records.tables import Provider
from models.runtime.settings import Settings
from services import users

USER, PASSWORD = "bench-revisor", "ett-långt-bänklösenord"
BASE_URL = "https://desk.bench"
ZONE = ZoneInfo("Europe/Stockholm")
GOAL_P95_MS = 200.0
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def pages(org_nr: str) -> dict[str, str]:
    """The pages measured, by name: what an administrator opens most."""
    return {
        "start": "/",
        "provider": f"/providers/{org_digits(org_nr)}",
        "compliance": "/reports",
    }


@asynccontextmanager
async def logged_in(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The desk on `settings`, in this process, with a session of the bench's auditor."""
    from web.app import create_app  # the web stack only where this section runs

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            login = await client.get("/login")
            found = _CSRF.search(login.text)
            assert found, "the login page has no CSRF token"
            done = await client.post(
                "/login",
                data={"username": USER, "password": PASSWORD, "csrf_token": found.group(1)},
            )
            if done.status_code != 303:
                raise RuntimeError(f"bench: logging in failed ({done.status_code})")
            yield client


async def measure_pages(
    client: httpx.AsyncClient, paths: dict[str, str], samples: int, warmup: int = 2
) -> dict[str, Any]:
    """p50/p95 (ms, nearest rank) of each page fetched `samples` times in turn, after
    `warmup` fetches each; the pages are interleaved so a burst of load hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in paths}
    # CPU time of this process per fetch as well: on a shared machine the wall time carries
    # other people's load, the CPU time much less (the desk's own work, database driver
    # included; SQLite runs in this process, PostgreSQL's server does not).
    cpu: dict[str, list[float]] = {name: [] for name in paths}
    sizes: dict[str, int] = {}
    for n in range(warmup + samples):
        for name, path in paths.items():
            t0, c0 = time.perf_counter(), time.process_time()
            response = await client.get(path)
            took = (time.perf_counter() - t0) * 1000
            used = (time.process_time() - c0) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"bench: {path} answered {response.status_code}")
            sizes[name] = len(response.content)
            if n >= warmup:
                times[name].append(took)
                cpu[name].append(used)
    return {
        name: {
            "path": paths[name],
            "p50_ms": round(percentile(t, 50), 1),
            "p95_ms": round(percentile(t, 95), 1),
            "max_ms": round(max(t), 1),
            "cpu_p50_ms": round(percentile(cpu[name], 50), 1),
            "cpu_p95_ms": round(percentile(cpu[name], 95), 1),
            "samples": len(t),
            "bytes": sizes[name],
            "meets_goal": percentile(t, 95) < GOAL_P95_MS,
        }
        for name, t in times.items()
    }


async def measure_database(
    url: str, providers: int, years: int, samples: int, workdir: Path
) -> dict[str, Any]:
    # The seeded years end with this one: the start page's windows see them as a desk would.
    last_year = datetime.now(ZONE).year
    rows = seed_rows(providers, years, last_year - years + 1)
    await upgrade(url)
    seed_seconds = await seed(url, rows)
    engine = make_engine(url)
    try:
        await users.add_user(
            RecordStore(make_session_factory(engine)), USER, "auditor", "Bänk", PASSWORD
        )
    finally:
        await engine.dispose()
    settings = Settings(database_url=url, plans_dir=PROJECT_ROOT / "plans", var_dir=workdir / "var")
    org_nr = rows[Provider][len(rows[Provider]) // 2]["org_nr"]
    async with logged_in(settings) as client:
        measured = await measure_pages(client, pages(org_nr), samples)
    return {
        "providers": providers,
        "years": years,
        "rows": {str(getattr(t, "__tablename__", t)): len(r) for t, r in rows.items()},
        "seed_seconds": round(seed_seconds, 2),
        "pages": measured,
    }


async def run(providers: int, years: int, samples: int, workdir: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"goal_p95_ms": GOAL_P95_MS}
    sqlite_path = workdir / "web.db"
    sqlite_path.unlink(missing_ok=True)
    result["sqlite"] = await _kept(
        measure_database(
            f"sqlite+aiosqlite:///{sqlite_path}", providers, years, samples, workdir / "sqlite"
        )
    )
    sqlite_path.unlink(missing_ok=True)
    async with postgres_database() as pg_url:
        if pg_url is None:
            result["postgresql"] = {"skipped": "PostgreSQL not reachable on 127.0.0.1:5432"}
        else:
            result["postgresql"] = await _kept(
                measure_database(pg_url, providers, years, samples, workdir / "postgresql")
            )
    return result


async def _kept(measuring: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """One database's figures, or its error: a failure on one must not lose the other's."""
    try:
        return await measuring
    except Exception as err:
        logging.exception("bench: web section failed on one database")
        return {"error": f"{type(err).__name__}: {err}"}
