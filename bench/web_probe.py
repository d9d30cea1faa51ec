"""`python -m bench.web_probe DB [--samples N]`: the desk's pages at full size, cheaply.

The web section (bench/web.py) seeds a fresh database per run and measures both databases; on
a shared machine its quick mode is what one runs, and at 5 providers it shows nothing of a
municipality's size. This probe seeds one SQLite database of 1,000 providers × 10 years once
(kept at DB, so two commits can be measured in turn on the same records: run it from each
checkout with the same DB) and prints the median and largest wall and CPU time per fetch of
each page of section 6, and of the compliance matrix's second page, after two warm-ups.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import datetime
from pathlib import Path

from bench.common import PROJECT_ROOT
from bench.reporting import seed, seed_rows
from bench.web import PASSWORD, USER, ZONE, logged_in, pages
from models.records.db import make_engine, make_session_factory, upgrade
from models.records.store import RecordStore
from models.records.tables import Provider
from models.runtime.settings import Settings
from services import users

PROVIDERS, YEARS = 1000, 10


async def probe(db: Path, samples: int) -> None:
    url = f"sqlite+aiosqlite:///{db}"
    rows = seed_rows(PROVIDERS, YEARS, datetime.now(ZONE).year - YEARS + 1)
    if not db.exists():
        await upgrade(url)
        await seed(url, rows)
        engine = make_engine(url)
        try:
            store = RecordStore(make_session_factory(engine))
            await users.add_user(store, USER, "auditor", "Bänk", PASSWORD)
        finally:
            await engine.dispose()
    org_nr = rows[Provider][len(rows[Provider]) // 2]["org_nr"]
    settings = Settings(
        database_url=url, plans_dir=PROJECT_ROOT / "plans", var_dir=db.parent / "var"
    )
    paths = {**pages(org_nr), "compliance, page 2": "/reports?page=2"}
    async with logged_in(settings) as client:
        for _ in range(2):
            for path in paths.values():
                await client.get(path)
        for name, path in paths.items():
            wall: list[float] = []
            cpu: list[float] = []
            for _ in range(samples):
                t0, c0 = time.perf_counter(), time.process_time()
                response = await client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"bench: {path} answered {response.status_code}")
                wall.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            wall.sort()
            cpu.sort()
            print(
                f"{name:20} wall p50 {wall[len(wall) // 2]:7.1f} max {wall[-1]:7.1f} ms   "
                f"CPU p50 {cpu[len(cpu) // 2]:7.1f} max {cpu[-1]:7.1f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.web_probe")
    parser.add_argument("db", type=Path, help="the SQLite file (seeded when missing)")
    parser.add_argument("--samples", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(probe(args.db, args.samples))


if __name__ == "__main__":
    main()
