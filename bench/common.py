"""Small helpers shared by the benchmark sections."""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import make_url

from models.domain.orgnr import normalize_org_nr

T = TypeVar("T")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_DSN = os.environ.get(
    "LOV_BENCH_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def org_nrs(count: int, seed: int = 8) -> list[str]:
    """`count` distinct valid org nrs, the same ones for the same seed."""
    rng = random.Random(seed)
    found: dict[str, None] = {}
    while len(found) < count:
        # Third digit 2-9: a company's number (0/1 would be a sole trader's personnummer).
        base = f"55{rng.randrange(2, 10)}{rng.randrange(10**6):06d}"
        digits = base + str(_luhn_digit(base))
        found[normalize_org_nr(f"{digits[:6]}-{digits[6:]}")] = None
    return list(found)


def _luhn_digit(nine: str) -> int:
    total = 0
    for i, ch in enumerate(nine):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


async def timed(fn: Callable[[], Awaitable[T]], repeat: int = 3) -> tuple[float, T]:
    """Median wall seconds of `repeat` calls, and the last result."""
    times: list[float] = []
    result: Any = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = await fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


@dataclass(frozen=True)
class Finished:
    wall: float  # seconds from the start to the exit
    code: int
    out: bytes  # empty when not kept
    err: bytes


def lov_args(*args: str) -> list[str]:
    """`lov ARGS` as an administrator runs it, in a fresh interpreter."""
    return [sys.executable, "-m", "starter", *args]


async def run_process(
    args: Sequence[str], env: dict[str, str], keep_output: bool = True
) -> Finished:
    """One fresh process in the project folder with no input: its wall time, exit code, output
    (unless `keep_output` is off: a run timed for its start-up need not fill a pipe) and errors."""
    t0 = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        *args,
        cwd=PROJECT_ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE if keep_output else asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    return Finished(time.perf_counter() - t0, proc.returncode or 0, out or b"", err)


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str | None]:
    """A fresh PostgreSQL database for the run, dropped afterwards; None if none is reachable."""
    import asyncpg

    name = f"lovflow_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError):
        yield None
        return
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = make_url(POSTGRES_ADMIN_DSN).set(drivername="postgresql+asyncpg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
