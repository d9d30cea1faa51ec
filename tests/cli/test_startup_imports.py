"""A read command imports only what it uses (issue 20, docs/PERFORMANCE.md §5): `lov due` and
`lov provider` read the records and print, so they start without the Temporal SDK, Alembic,
pydantic-settings, the plan schema, the workflows and the activities. Checked by module name
(`python -X importtime`), not by timing: the gain cannot come back unnoticed on a busy machine."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from models.records.db import upgrade
from models.runtime.settings import PROJECT_ROOT

# Each was measured on these commands' start-up before it was cut (docs/PERFORMANCE.md §5).
NOT_ON_RECORDS_READS = (
    "temporalio",
    "alembic",
    "pydantic_settings",
    "models.runtime.settings",
    "models.plans.schema",
    "models.domain.calendar",
    "workflows",
    "activities",
    "rich",
)
_IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", re.MULTILINE)


def _imported(home: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOV_")}
    env |= {"PYTHONPATH": str(PROJECT_ROOT), "LOV_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "starter", *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done, set(_IMPORTED.findall(done.stderr))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{home / 'var' / 'lovflow.db'}"))
    return home


@pytest.mark.parametrize(
    ("args", "code", "out"),
    [
        (("due", "--month", "2027-03"), 0, "Inget förfaller 2027-03-01–2027-03-31"),
        (("provider", "list"), 0, "Inga utförare hittades"),
        # No such provider: exit 2, found out from the records all the same.
        (("provider", "show", "556036-0793"), 2, "ingen utförare 556036-0793"),
    ],
)
def test_a_records_read_imports_neither_temporal_nor_the_settings_machinery(
    home: Path, args: tuple[str, ...], code: int, out: str
) -> None:
    done, modules = _imported(home, *args)

    assert done.returncode == code, done.stderr[-2000:]
    assert out in done.stdout + done.stderr
    # It did read the records: the check below is not passed by a command that did nothing.
    assert "sqlalchemy" in modules and "services.record_reads" in modules
    loaded = sorted(
        m for m in modules if any(m == n or m.startswith(f"{n}.") for n in NOT_ON_RECORDS_READS)
    )
    assert loaded == [], f"`lov {' '.join(args)}` imported {loaded}"
