"""Section 5: CLI start-up, against the floor of importing Temporal's client.

Each read command runs as an administrator runs it, `python -m starter …` in a fresh process
against a dev server with a worker (the live section's stack) and one running contract. The
floor is `python -c "import temporalio.client"`: every command needs that client, so no command
can start faster. Issue 20's goal is at most 1.3 × the floor for a read command. The same
commands are timed twice: each run by itself (LOV_RESIDENT=0), and handed to a resident CLI
process (`lov resident`, started by `lov serve`), under `resident`.

The runs are interleaved (floor, each command, floor, …) so that a change in the machine's
load during the section falls on all of them alike; the figures are the median wall time and
the median CPU time (user + system, steadier when other work shares the machine). A
command that does not exist yet (`lov provider --help` fails) is reported as not available,
not as an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import statistics
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from bench.common import lov_args, org_nrs, run_process
from bench.live import PLAN_ID, TimedMailbox, _opened, live_stack, plan_toml

FLOOR_CODE = "import temporalio.client"
GOAL_RATIO = 1.3


@dataclass(frozen=True)
class Command:
    name: str  # as reported: `lov …` with placeholders
    args: tuple[str, ...]  # after `python -m starter`
    group: str  # checked with `lov <group> --help` before timing


def commands(org_nr: str, month: str) -> tuple[Command, ...]:
    return (
        Command("lov provider show ORGNR", ("provider", "show", org_nr), "provider"),
        Command("lov due --month YYYY-MM", ("due", "--month", month), "due"),
        Command("lov contract status ORGNR", ("contract", "status", org_nr), "contract"),
    )


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process
    code: int
    stderr: str  # its end


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _run(args: list[str], env: dict[str, str]) -> Run:
    """One fresh process. Its CPU time is read from the children's usage, which grows only when
    a child is reaped: the servers and the worker run on until the section ends."""
    cpu0 = _children_cpu()
    done = await run_process(args, env, keep_output=False)
    return Run(
        done.wall, _children_cpu() - cpu0, done.code, done.err.decode(errors="replace")[-300:]
    )


async def time_commands(
    env: dict[str, str], cmds: tuple[Command, ...], repeat: int
) -> dict[str, Any]:
    """The floor and each available command, `repeat` interleaved rounds; medians and ratios,
    of wall time (what an administrator waits) and of CPU time (steadier on a shared machine)."""
    available: list[Command] = []
    figures: dict[str, Any] = {}
    for cmd in cmds:
        if (await _run(lov_args(cmd.group, "--help"), env)).code == 0:
            available.append(cmd)
        else:
            # The ratio says so in the summary table too.
            figures[cmd.name] = {"available": False, "ratio_to_floor": "not available yet"}
    floor: list[Run] = []
    runs: dict[str, list[Run]] = {cmd.name: [] for cmd in available}
    for _ in range(repeat):
        floor.append(await _run([sys.executable, "-c", FLOOR_CODE], env))
        for cmd in available:
            runs[cmd.name].append(await _run(lov_args(*cmd.args), env))
    floor_wall = statistics.median(r.wall for r in floor)
    floor_cpu = statistics.median(r.cpu for r in floor)
    for cmd in available:
        wall = statistics.median(r.wall for r in runs[cmd.name])
        cpu = statistics.median(r.cpu for r in runs[cmd.name])
        figures[cmd.name] = {
            "available": True,
            "seconds": round(wall, 3),
            "ratio_to_floor": round(wall / floor_wall, 2),
            "cpu_seconds": round(cpu, 3),
            "cpu_ratio_to_floor": round(cpu / floor_cpu, 2) if floor_cpu else None,
            "runs": [round(r.wall, 3) for r in runs[cmd.name]],
        }
        failed = [r for r in runs[cmd.name] if r.code != 0]
        if failed:
            last = failed[-1]
            figures[cmd.name]["error"] = f"exit {last.code}: {' '.join(last.stderr.split())}"
    return {
        "floor_command": f'python -c "{FLOOR_CODE}"',
        "floor_seconds": round(floor_wall, 3),
        "floor_cpu_seconds": round(floor_cpu, 3),
        "floor_runs": [round(r.wall, 3) for r in floor],
        "repeat": repeat,
        "goal_ratio": GOAL_RATIO,
        "commands": figures,
    }


async def run(repeat: int, workdir: Path) -> dict[str, Any]:
    today = date.today()
    # One annual duty due within a week, in this year (the contract prepares the next year only
    # on 31 December): the contract has an open item to show, `lov due` a month to list.
    due = max(today, min(today + timedelta(days=7), date(today.year, 12, 30)))
    (workdir / "plans").mkdir(parents=True, exist_ok=True)
    (workdir / "plans" / f"{PLAN_ID}.toml").write_text(
        plan_toml(due, clock(8), 1), encoding="utf-8"
    )
    org = org_nrs(1, seed=11)[0]
    with TimedMailbox() as mailbox:
        async with live_stack(workdir, mailbox) as stack:
            assert stack.settings.temporal_address is not None
            env = {
                **os.environ,
                "LOV_CONFIG": str(workdir / "none.toml"),
                "LOV_TEMPORAL_ADDRESS": stack.settings.temporal_address,
                "LOV_TEMPORAL_TASK_QUEUE": stack.settings.temporal_task_queue,
                "LOV_DATABASE_URL": stack.settings.resolved_database_url,
                "LOV_PLANS_DIR": str(stack.settings.plans_dir),
                "LOV_DEFAULT_PLAN": PLAN_ID,
                "LOV_VAR_DIR": str(workdir),
            }
            # Started as an administrator starts it: through the CLI, whose commands and options
            # are a stable interface (the application layer's functions move).
            started = await _run(
                lov_args(
                    "contract",
                    "start",
                    org,
                    "--name",
                    "Omsorg Bench AB",
                    "--email",
                    "kontakt@omsorg.example",
                    "--start",
                    (today - timedelta(days=1)).isoformat(),
                    "--plan",
                    PLAN_ID,
                ),
                env,
            )
            if started.code != 0:
                raise RuntimeError(f"lov contract start failed: {started.stderr}")
            deadline = time.monotonic() + 60
            while await _opened(stack.settings.resolved_database_url) < 1:
                if time.monotonic() > deadline:
                    raise RuntimeError("the contract's obligation did not open within 60 s")
                await asyncio.sleep(0.5)
            timed = commands(org, f"{due:%Y-%m}")
            # Each command in its own process, then handed to a resident CLI process
            # (`lov resident`, which `lov serve` starts): the same commands, the same floor.
            figures = await time_commands({**env, "LOV_RESIDENT": "0"}, timed, repeat)
            async with resident_cli(env):
                figures["resident"] = await time_commands(env, timed, repeat)
            return figures


@contextlib.asynccontextmanager
async def resident_cli(env: dict[str, str]) -> AsyncIterator[None]:
    """`lov resident` on the environment's var dir, until the block ends."""
    process = await asyncio.create_subprocess_exec(
        *lov_args("resident"),
        env={**env, "LOV_RESIDENT": "0"},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    ready = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    if b"redo" not in ready:
        raise RuntimeError(f"lov resident did not start: {ready!r}")
    try:
        yield
    finally:
        process.terminate()
        await process.wait()
