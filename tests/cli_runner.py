"""Running `lov` from tests: in-process (typer's CliRunner, in a thread because each command
runs its own event loop) or as a separate `python -m starter` process."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from typer.testing import CliRunner

from models.settings import PROJECT_ROOT
from starter.cli import app


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def error_line(self) -> str:
        """The single stderr line of a refusal (fails if there is more than one)."""
        lines = self.stderr.strip().splitlines()
        assert len(lines) == 1, f"expected one line on stderr, got {self.stderr!r}"
        return lines[0]


async def run_lov(env: Mapping[str, str] | None, *args: str) -> Result:
    """`lov ARGS…` in-process; an exception other than an exit is re-raised, not hidden."""

    def invoke() -> Result:
        result = CliRunner().invoke(app, list(args), env=dict(env or {}))
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    return await asyncio.to_thread(invoke)


async def run_lov_process(env: Mapping[str, str], *args: str, timeout: float = 60) -> Result:
    """`python -m starter ARGS…` as its own process, exactly as an administrator runs it."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter",
        *args,
        cwd=PROJECT_ROOT,
        env=dict(env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=timeout)
    assert proc.returncode is not None
    return Result(proc.returncode, out.decode(), err.decode())
