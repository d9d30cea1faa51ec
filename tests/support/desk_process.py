"""The web desk as an administrator runs it, for the browser tests (`desk`, one per session):
`python -m starter web` as a real process on a fresh LOV_HOME, with its records database
migrated by `lov db upgrade`, accounts made by `lov user add`, and a worker process
(`python worker.py`) on the session's Temporal dev server that has started a few providers'
contracts and received one submission — every step a real command, as in production.
"""

from __future__ import annotations

import asyncio
import dataclasses
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from models.messages.obligation import ObligationState
from services import contracts, obligations
from tests.support.browser import button, field, wait_for
from tests.support.cli_runner import Result, cli_env, run_lov_process
from tests.support.finding_cli import FINDINGS_TOML
from tests.support.helpers import ReceivedMail, eventually, free_port, random_org_nr
from tests.support.plans import (
    MEETINGS_PLAN,
    MUNICIPAL_PLAN,
    PLAN_ID,
    PROVIDER_EMAIL,
    due_soon,
    local_today,
    plan_toml,
)
from tests.support.serve import PROJECT_ROOT
from tests.support.worker_process import STARTED_LINE


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    role: str
    name: str


ADMIN = Account("anna", "Korrekt-Häst-Batteri-9", "administrator", "Anna Administratör")
AUDITOR = Account("rolf", "Revision-Pärm-Stämpel-4", "auditor", "Rolf Revisor")

# The providers the desk shows: (name, submits its annual report before the tests start).
PROVIDERS = (
    ("Omsorg i Norr AB", True),
    ("Hemtjänst Söder AB", False),
    ("Vårdbolaget Väst AB", False),
)


class Process:
    """One long-running `python …` of the desk; output to a file so no full pipe can block it."""

    def __init__(self, log: Path, args: list[str], env: dict[str, str]) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, *args],
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def check_running(self, what: str) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"{what} exited with {self.process.returncode}:\n{self.text()}")

    def stop(self, timeout: float = 20.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@dataclass
class Provider:
    org_nr: str
    name: str
    submitted: bool


@dataclass
class Desk:
    url: str
    env: dict[str, str]
    home: Path
    due: date
    providers: list[Provider]
    web: Process
    worker: Process
    accounts: dict[str, Account] = dataclasses.field(default_factory=dict)

    @property
    def year(self) -> str:
        return str(self.due.year)

    @property
    def submitted(self) -> Provider:
        return next(p for p in self.providers if p.submitted)

    async def lov(self, *args: str) -> Result:
        """`python -m starter ARGS…` against the desk's home, as an administrator types it."""
        return await run_lov_process(self.env, *args)


def log_in(driver: Any, desk: Desk, account: Account) -> None:
    """Log in through the login page as a user does (label, password, button)."""
    driver.get(f"{desk.url}/login")
    field(driver, "Användarnamn").send_keys(account.username)
    field(driver, "Lösenord").send_keys(account.password)
    button(driver, "Logga in").click()
    wait_for(
        driver,
        lambda d: d.current_url.rstrip("/") == desk.url,
        f"{account.username} came to the start page after logging in",
    )


async def _must(env: dict[str, str], *args: str, stdin_text: str | None = None) -> Result:
    if stdin_text is None:
        result = await run_lov_process(env, *args)
    else:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "starter",
            *args,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(stdin_text.encode()), timeout=60)
        assert proc.returncode is not None
        result = Result(proc.returncode, out.decode(), err.decode())
    assert result.exit_code == 0, f"lov {' '.join(args)}: {result.stderr}{result.stdout}"
    return result


async def _wait_for_line(process: Process, line: str, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while line not in process.text():
        process.check_running(what)
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not started after {timeout}s:\n{process.text()}")
        await asyncio.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer (a redirect to the login page, 401 …) means it listens
    except OSError:
        return False


async def _wait_for_http(process: Process, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(_answers, url):
        process.check_running("lov web")
        if time.monotonic() > deadline:
            pytest.fail(f"lov web not answering at {url} after {timeout}s:\n{process.text()}")
        await asyncio.sleep(0.2)


async def _seed(desk: Desk, dev_env: WorkflowEnvironment, start: date) -> None:
    """Start each provider's contract (in parallel, as separate commands), wait until its
    duties are open, and submit the annual report of the one that submits."""

    async def start_one(provider: Provider, n: int) -> None:
        email = PROVIDER_EMAIL.replace("kontakt@", f"kontakt{n}@")
        await _must(
            desk.env,
            "contract",
            "start",
            provider.org_nr,
            "--name",
            provider.name,
            "--email",
            email,
            "--start",
            start.isoformat(),
        )

        async def opened() -> None:
            try:
                status = await contracts.contract_status(dev_env.client, provider.org_nr)
            except Exception as exc:  # not started or not answering yet
                raise AssertionError(str(exc)) from exc
            items = [i for s in status.obligations.values() for i in s.open]
            assert len(items) == 2 and all(i.changed_at is not None for i in items), status

        await eventually(opened, timeout=30)

    await asyncio.gather(*(start_one(p, n) for n, p in enumerate(desk.providers)))

    document = desk.home / "avvikelser.pdf"
    document.write_bytes(b"%PDF-1.4 analys av avvikelser\n")
    submitter = desk.submitted
    await _must(
        desk.env,
        "contract",
        "submit",
        submitter.org_nr,
        "annual-report",
        desk.year,
        "--field",
        "customers=12",
        "--field",
        "permit_current=true",
        "--document",
        f"deviation-analysis={document}",
        "--actor",
        "Omsorg i Norr AB",
    )

    async def submitted() -> None:
        status = await obligations.obligation_status(
            dev_env.client, submitter.org_nr, "annual-report", desk.year
        )
        assert status.status == ObligationState.SUBMITTED, status

    await eventually(submitted, timeout=20)


@pytest_asyncio.fixture(scope="session")
async def desk(
    dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Desk]:
    """`lov web` on a fresh LOV_HOME with a worker, three providers, one submission and the
    accounts ADMIN and AUDITOR; one for the whole session (starting it all takes seconds)."""
    home = tmp_path_factory.mktemp("desk-home")
    plans = home / "plans"
    plans.mkdir()
    due = due_soon(local_today())
    # With a meeting window, so each contract owes a meeting to book (the meetings journey).
    plan = plan_toml(PLAN_ID, due) + MEETINGS_PLAN
    # With findings (brister), so the findings pages have requirements to cite.
    plan += FINDINGS_TOML
    # With a municipal duty, so "Kommunens uppgifter" has a task (the worker starts its workflow).
    plan += MUNICIPAL_PLAN
    (plans / f"{PLAN_ID}.toml").write_text(plan, encoding="utf-8")
    smtp = ReceivedMail()
    smtp.start()
    port = free_port()
    env = cli_env(
        home,
        LOV_HOME=str(home),
        LOV_PLANS_DIR=str(plans),
        LOV_DEFAULT_PLAN=PLAN_ID,
        LOV_TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
        LOV_TEMPORAL_TASK_QUEUE=f"desk-{uuid.uuid4().hex[:8]}",
        LOV_SMTP_HOST=smtp.host,
        LOV_SMTP_PORT=str(smtp.port),
    )
    processes: list[Process] = []
    try:
        await _must(env, "db", "upgrade")
        worker = Process(home / "worker.log", ["worker.py"], env)
        processes.append(worker)
        await _wait_for_line(worker, STARTED_LINE, "worker")
        # Production's defaults (Secure cookie and all): Chromium counts 127.0.0.1 as secure.
        web = Process(home / "web.log", ["-m", "starter", "web", "--port", str(port)], env)
        processes.append(web)
        providers = [Provider(random_org_nr(), name, sub) for name, sub in PROVIDERS]
        desk = Desk(
            url=f"http://127.0.0.1:{port}",
            env=env,
            home=home,
            due=due,
            providers=providers,
            web=web,
            worker=worker,
        )
        for account in (ADMIN, AUDITOR):
            await _must(
                env,
                "user",
                "add",
                account.username,
                "--role",
                account.role,
                "--name",
                account.name,
                "--password-stdin",
                stdin_text=account.password + "\n",
            )
            desk.accounts[account.role] = account
        await asyncio.gather(
            _seed(desk, dev_env, local_today() - timedelta(days=30)),
            _wait_for_http(web, f"{desk.url}/"),
        )
        yield desk
    finally:
        for process in reversed(processes):
            process.stop()
        smtp.stop()
