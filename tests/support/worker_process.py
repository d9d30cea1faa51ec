"""The worker image's command run as a subprocess with the compose worker's environment
(`WorkerProcess`, `worker_env`), and a plan whose reminder falls due in seconds."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.support.deployment import (
    PROJECT_ROOT,
    dockerfile_command,
    dockerfile_env,
    environment,
)
from tests.support.helpers import ReceivedMail, free_port
from tests.support.plans import plan_toml

PLAN_ID = "deploykommun"


PROVIDER_EMAIL = "kontakt@deploy-omsorg.example"


STARTED_LINE = "Worker startad (started)"


def worker_env(
    tmp_path: Path,
    *,
    temporal: str,
    database_url: str,
    smtp: ReceivedMail | None = None,
    **overrides: str,
) -> dict[str, str]:
    """The process environment of one compose worker container, pointed at local services.

    Starts from the image's ENV and the compose service's environment (as Docker merges them),
    checks that each address names the compose service it stands for, and rewrites it.
    """
    image_env = dockerfile_env()
    compose_env = environment("lovflow-worker")

    assert compose_env["LOV_TEMPORAL_ADDRESS"] == "temporal:7233"
    url = make_url(compose_env["LOV_DATABASE_URL"])
    assert (url.host, url.database) == ("postgresql", "lovflow")
    assert (compose_env["LOV_SMTP_HOST"], compose_env["LOV_SMTP_PORT"]) == ("mailpit", "1025")

    local = {
        "LOV_TEMPORAL_ADDRESS": temporal,
        "LOV_DATABASE_URL": database_url,
        "LOV_SMTP_HOST": smtp.host if smtp else "127.0.0.1",
        "LOV_SMTP_PORT": str(smtp.port if smtp else free_port()),
        # The image's paths, on this machine: WORKDIR /app is the checkout.
        "PYTHONPATH": str(PROJECT_ROOT),
        "LOV_CONFIG": str(tmp_path / "no-lov.toml"),
        "LOV_VAR_DIR": str(tmp_path / "var"),
        # Plans come from the ./plans bind mount; the tests bring a plan of their own.
        "LOV_PLANS_DIR": str(tmp_path / "plans"),
    }
    assert set(local) - {"LOV_SMTP_HOST", "LOV_SMTP_PORT"} <= set(image_env) | set(compose_env)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LOV_", "PYTHON"))}
    return base | image_env | compose_env | local | overrides


def image_command() -> list[str]:
    """The Dockerfile's command with this interpreter for `python` (the image's python3.11)."""
    command = dockerfile_command()
    assert command[0] == "python"
    return [sys.executable, *command[1:]]


class WorkerProcess:
    """One `python worker.py` as the image runs it; output to a file so no pipe can fill."""

    def __init__(self, tmp_path: Path, env: dict[str, str], name: str) -> None:
        self.output = tmp_path / f"{name}.log"
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                image_command(),
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    async def wait_started(self, timeout: float = 60.0) -> None:
        deadline = clock.monotonic() + timeout
        while STARTED_LINE not in self.text():
            if self.process.poll() is not None:
                pytest.fail(f"worker exited with {self.process.returncode}:\n{self.text()}")
            if clock.monotonic() > deadline:
                pytest.fail(f"worker not started after {timeout}s:\n{self.text()}")
            await asyncio.sleep(0.1)

    async def stop(self, timeout: float = 30.0) -> int:
        self.process.send_signal(signal.SIGTERM)
        deadline = clock.monotonic() + timeout
        while self.process.poll() is None:
            if clock.monotonic() > deadline:
                self.kill()
                pytest.fail(f"worker did not stop within {timeout}s:\n{self.text()}")
            await asyncio.sleep(0.1)
        return self.process.returncode

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


# Time between writing the plan and the reminders firing: enough to start every contract (and
# for each to open its obligations) first; a reminder whose time has passed when its obligation
# opens is skipped.
LEAD = timedelta(seconds=14)


def reminder_plan(now: datetime, lead: timedelta = LEAD) -> tuple[date, str]:
    """(due date, plan) with both duties reminded once, at `now + lead` local time, today."""
    send_at = (now + lead).replace(microsecond=0)
    today = now.date()
    if send_at.date() != today or send_at.time() >= time(23, 59):
        pytest.skip("nära midnatt (near midnight): no reminder can fall due today")
    last_day = (today.month, today.day) == (12, 31)  # the plan prepares next year that day
    due = today + timedelta(days=1) if last_day else today
    offsets = (1,) if last_day else (0,)
    return due, plan_toml(PLAN_ID, due, send_at=send_at.time(), reminder_offsets_days=offsets)
