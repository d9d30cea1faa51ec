"""The resident CLI process (starter/resident.py, starter/resident_server.py): `lov` hands a
command to it over var/run/cli.sock and gets the same output and exit code as when it runs
the command itself, with the caller's environment; with no resident process, or a dead one's
socket, `lov` runs the command itself."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from starter.resident import socket_path, wanted
from tests.support.cli_runner import Result, run_lov_process

PROJECT_ROOT = Path(__file__).resolve().parents[2]
READY = "lov resident: redo (ready)"


def _base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("LOV_")}
    env.update(LOV_HOME=str(tmp_path), LOV_VAR_DIR=str(tmp_path / "var"))
    return env


class Resident:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "starter", "resident"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log.open("wb"),
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.strip() == READY, (line, log.read_text())

    def served(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if "→" in line]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = _base_env(tmp_path)
    created = subprocess.run(
        [sys.executable, "-m", "starter", "db", "upgrade"],
        cwd=PROJECT_ROOT,
        env={**env, "LOV_RESIDENT": "0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    return env


@pytest.fixture
def resident(env: dict[str, str], tmp_path: Path) -> Iterator[Resident]:
    process = Resident(env, tmp_path / "resident.log")
    try:
        yield process
    finally:
        if process.process.poll() is None:
            process.stop()


async def both_ways(env: dict[str, str], *args: str) -> tuple[Result, Result]:
    handed = await run_lov_process(env, *args)
    itself = await run_lov_process({**env, "LOV_RESIDENT": "0"}, *args)
    return handed, itself


async def test_a_command_runs_in_the_resident_with_the_same_output_and_exit_code(
    env: dict[str, str], resident: Resident
) -> None:
    assert socket_path(Path(env["LOV_VAR_DIR"])).stat().st_mode & 0o777 == 0o600
    handed, itself = await both_ways(env, "due", "--month", "2027-01", "--json")
    assert handed == itself and handed.exit_code == 0 and handed.stdout.strip() == "[]"
    handed, itself = await both_ways(env, "due", "--month", "2027-13")
    assert handed == itself and handed.exit_code == 2 and "--month" in handed.stderr
    # Two commands went through the resident (the LOV_RESIDENT=0 runs did not), logged by
    # name and exit code only.
    assert resident.served() == ["lov resident: due → 0", "lov resident: due → 2"]


async def test_the_callers_environment_decides_not_the_residents(
    env: dict[str, str], resident: Resident, tmp_path: Path
) -> None:
    """A caller naming another (missing) database gets the error that names its setting: the
    command read the caller's settings, not the ones the resident was started with."""
    missing = f"sqlite+aiosqlite:///{tmp_path / 'saknas.db'}"
    other = {**env, "LOV_DATABASE_URL": missing}
    handed, itself = await both_ways(other, "due", "--month", "2027-01")
    assert handed == itself and handed.exit_code != 0
    assert "LOV_DATABASE_URL" in handed.stderr
    assert not (tmp_path / "saknas.db").exists()
    assert resident.served() == [f"lov resident: due → {handed.exit_code}"]


async def test_without_a_live_resident_lov_runs_the_command_itself(
    env: dict[str, str], resident: Resident
) -> None:
    path = socket_path(Path(env["LOV_VAR_DIR"]))
    resident.stop()
    assert not path.exists()  # removed on the way out
    # A socket file nobody listens on (a resident killed with SIGKILL leaves one).
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()
    handed, itself = await both_ways(env, "due", "--month", "2027-01")
    assert handed == itself and handed.exit_code == 0
    assert resident.served() == []


async def test_standard_input_is_the_callers(env: dict[str, str], resident: Resident) -> None:
    """The caller's stdin, stdout and stderr themselves are passed: the command reads what was
    given to `lov` (here a plan read from /dev/stdin, refused for its file name)."""
    plan = PROJECT_ROOT / "plans" / "sundsvall.toml"

    async def validate(extra: dict[str, str]) -> tuple[int | None, str]:
        with plan.open("rb") as stdin:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "starter",
                "plan",
                "validate",
                "/dev/stdin",
                cwd=PROJECT_ROOT,
                env={**env, **extra},
                stdin=stdin,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        return proc.returncode, err.decode()

    handed, itself = await validate({}), await validate({"LOV_RESIDENT": "0"})
    assert handed == itself
    assert handed[0] == 2 and "'sundsvall' must equal the file name 'stdin'" in handed[1]
    assert resident.served() == ["lov resident: plan → 2"]


def test_long_running_and_prompting_commands_are_not_handed_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOV_RESIDENT", raising=False)
    assert wanted(["contract", "status", "556000-0000"])
    assert wanted(["due", "--month", "2027-01"])
    for argv in (["serve"], ["web"], ["simulate", "x.toml"], ["user", "passwd", "a"], []):
        assert not wanted(argv), argv
    assert not wanted(["contract", "status", "--help"])
    monkeypatch.setenv("LOV_RESIDENT", "0")
    assert not wanted(["due"])
