"""Works live under `lov serve`: contract start → reminder in the mail sink when it falls due →
submit → receipt in the sink. Real processes throughout: `lov serve` (embedded dev server, worker,
SMTP sink, SQLite) and `lov contract …` run as separate commands, as an administrator would.

Deadlines are calendar days, so the plan written here puts today's due date's reminder at
`office_hours.send_at` = a few seconds from now (office hours spanning the whole day, no holiday
calendar): the worker's durable timer then fires in real time while the test waits.
"""

from __future__ import annotations

import asyncio
import email
import signal
import sys
import time as clock
import uuid
from datetime import date, datetime, time, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from models.messages.obligation import ObligationStatus
from tests.support.cli_runner import cli_env
from tests.support.helpers import free_port, random_org_nr
from tests.support.plans import ZONE, plan_toml
from tests.support.serve import PROJECT_ROOT, Service

pytestmark = pytest.mark.slow

PLAN_ID = "livekommun"
PROVIDER_EMAIL = "kontakt@live-omsorg.example"
# The reminder is timed this far after the plan is written: enough for `lov contract start` to
# open the obligation first (a reminder whose time has passed when it opens is skipped).
LEAD = timedelta(seconds=25)
REMINDER_WAIT_S = 150.0


def read_mail(directory: Path) -> list[EmailMessage]:
    messages = []
    for path in sorted(directory.glob("*.eml")):
        parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        messages.append(parsed)
    return messages


async def wait_for_kind(
    directory: Path, kind: str, timeout: float, obligation: str | None = "annual-report"
) -> EmailMessage:
    """The first e-mail of `kind` about `obligation` (None: about no obligation)."""
    deadline = clock.monotonic() + timeout
    while clock.monotonic() < deadline:
        for message in read_mail(directory):
            if message["X-Lov-Kind"] == kind and message["X-Lov-Obligation"] == obligation:
                return message
        await asyncio.sleep(0.5)
    found = [(m["X-Lov-Kind"], m["Subject"]) for m in read_mail(directory)]
    raise AssertionError(f"no {kind!r} e-mail in {directory} within {timeout}s; found {found}")


async def lov(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter",
        *args,
        cwd=PROJECT_ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def reminder_plan(now: datetime) -> tuple[date, str]:
    """(due date, plan text) with one reminder at `now + LEAD`, local time, today.

    Due today with offset 0; on 31 December (the plan prepares the next follow-up year that
    day) due tomorrow, in the next year, with offset 1 — the reminder is still today.
    """
    send_at = (now + LEAD).replace(microsecond=0)
    today = now.date()
    if send_at.date() != today or send_at.time() >= time(23, 59):
        pytest.skip(
            "nära midnatt (near midnight): a reminder at office_hours.send_at today cannot fall "
            "within the next minutes"
        )
    last_day = (today.month, today.day) == (12, 31)
    due = today + timedelta(days=1) if last_day else today
    text = plan_toml(
        PLAN_ID, due, send_at=send_at.time(), reminder_offsets_days=(1,) if last_day else (0,)
    )
    return due, text


async def test_contract_reminds_and_receipts_live_under_lov_serve(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    plans_dir = tmp_path / "plans"
    plans_dir.mkdir()
    env = cli_env(
        tmp_path,
        LOV_VAR_DIR=str(var_dir),
        LOV_PLANS_DIR=str(plans_dir),
        LOV_DEFAULT_PLAN=PLAN_ID,
        LOV_EMBEDDED_TEMPORAL_PORT=str(free_port()),
        LOV_EMBEDDED_UI_PORT=str(free_port()),
        LOV_WEB_PORT=str(free_port()),
        LOV_SMTP_PORT=str(free_port()),
        LOV_TEMPORAL_TASK_QUEUE=f"lovflow-live-{uuid.uuid4().hex[:8]}",
    )
    # Decide before starting anything whether today leaves room for a reminder.
    reminder_plan(datetime.now(ZONE))
    mail_dir = var_dir / "mail"
    org = random_org_nr()

    service = Service(var_dir, env, "serve")
    try:
        await service.wait_ready()
        # The plan is read when the contract starts: time the reminder from now.
        now = datetime.now(ZONE)
        due, text = reminder_plan(now)
        (plans_dir / f"{PLAN_ID}.toml").write_text(text, encoding="utf-8")
        start = (now.date() - timedelta(days=1)).isoformat()

        code, out, err = await lov(
            env,
            "contract",
            "start",
            org,
            "--name",
            "Live Omsorg AB",
            "--email",
            PROVIDER_EMAIL,
            "--start",
            start,
        )
        assert code == 0, err
        assert f"contract-{org.replace('-', '')}" in out
        # The welcome answers the start at once (issue 16); nothing else goes out before the
        # reminder is due.
        welcome = await wait_for_kind(mail_dir, "welcome", 30, obligation=None)
        assert welcome["X-Lov-Org-Nr"] == org
        assert [str(m["X-Lov-Kind"]) for m in read_mail(mail_dir)] == ["welcome"]

        reminder = await wait_for_kind(mail_dir, "reminder", REMINDER_WAIT_S)
        sent_at = datetime.now(ZONE)
        assert sent_at >= now + LEAD - timedelta(seconds=1), "not before office_hours.send_at"
        assert reminder["X-Lov-Org-Nr"] == org
        assert reminder["X-Lov-Obligation"] == "annual-report"
        assert reminder["X-Lov-Period"] == str(due.year)
        assert PROVIDER_EMAIL in str(reminder["To"])
        assert org not in str(reminder["Subject"]), "no identities in subjects"

        document = tmp_path / "avvikelser.pdf"
        document.write_bytes(b"%PDF-1.4 analys\n")
        code, out, err = await lov(
            env,
            "contract",
            "submit",
            org,
            "annual-report",
            str(due.year),
            "--field",
            "customers=31",
            "--field",
            "permit_current=true",
            "--document",
            f"deviation-analysis={document}",
            "--actor",
            "Live Admin",
        )
        assert code == 0, err
        assert out.startswith("Inlämnat") and PROVIDER_EMAIL in out

        receipt = await wait_for_kind(mail_dir, "receipt", 30)
        assert receipt["X-Lov-Org-Nr"] == org
        assert receipt["X-Lov-Period"] == str(due.year)

        code, out, err = await lov(
            env,
            "contract",
            "status",
            org,
            "--obligation",
            "annual-report",
            "--period",
            str(due.year),
            "--json",
        )
        assert code == 0, err
        item = ObligationStatus.model_validate_json(out)
        assert item.status.value == "submitted" and item.reminders_sent == 1
        assert item.submissions[0].actor == "Live Admin"
        # The plan's other duty (annual-accounts) fell due the same day: reminded, not submitted.
        sent = sorted(
            (str(m["X-Lov-Kind"]), str(m["X-Lov-Obligation"])) for m in read_mail(mail_dir)
        )
        assert sent == [
            ("receipt", "annual-report"),
            ("reminder", "annual-accounts"),
            ("reminder", "annual-report"),
            ("welcome", "None"),  # the contract's start (issue 16)
        ]

        assert await service.stop(signal.SIGINT) == 0, service.text()
    finally:
        service.kill()
