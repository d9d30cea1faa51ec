"""A simulated day without an SMTP server, on the time-skipping server: sends back off and
retry, everything is delivered once the server is back (each Message-ID once), the outage is
recorded, and the administrator is told once."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from models.records.db import make_engine, make_session_factory
from models.records.mail_incidents import MailIncidentStore
from models.runtime.settings import get_settings
from tests.support.cli_runner import run_lov
from tests.support.harness import local, lovflow_stack

ADMIN = "lov-admin@sundsvall.example"


async def test_a_day_without_smtp_delivers_everything_once_and_reports_the_outage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2031, 1, 1)))
        await stack.start_contract(date(2030, 1, 1))
        await stack.sleep_until(local(date(2031, 3, 20), time(12, 0)))
        before = len(stack.mail.messages)

        # Down from Thursday noon to Saturday 09:30: the T1 reminder of Friday 09:00 fails for
        # 24.5 hours.
        stack.mail.stop()
        await stack.sleep_until(local(date(2031, 3, 22), time(9, 30)))
        assert len(stack.mail.messages) == before
        # Meanwhile the reminder shows `retrying`, not `failed` (which means refused for good),
        # and why.
        waiting = [e for e in await stack.store.list_notifications() if not e.sent]
        assert waiting and {e.status for e in waiting} == {"retrying"}, waiting
        assert all(e.last_error and "Connect" in e.last_error for e in waiting), waiting
        stack.mail.start()
        await stack.sleep_until(local(date(2031, 3, 22), time(12, 0)))

        # Everything the outbox holds went out, each Message-ID exactly once.
        outbox = await stack.store.list_notifications()
        assert outbox and {e.status for e in outbox} == {"sent"}, [
            (e.idempotency_key, e.status) for e in outbox if e.status != "sent"
        ]
        delivered = Counter(str(m["Message-ID"]) for m in stack.mail.messages)
        assert set(delivered.values()) == {1}, delivered
        assert set(delivered) == {e.message_id for e in outbox}

        # The reminder that fell due during the outage was retried with backoff capped at 15
        # minutes: about 100 attempts in 24.5 hours (not one every two seconds, and not so few
        # that the first attempt after the server came back is hours late), then sent.
        reminder = next(
            e
            for e in outbox
            if e.obligation == "self-inspection" and e.period == "2031-T1" and e.kind == "reminder"
        )
        assert reminder.sent_at is not None
        assert 95 <= reminder.attempts <= 120, reminder.attempts

        # One outage, longer than the threshold (4 h), closed, and reported once.
        store = MailIncidentStore(
            make_session_factory(make_engine(stack.settings.resolved_database_url))
        )
        outages = await store.list_outages()
        assert len(outages) == 1, outages
        outage = outages[0]
        assert outage.declared_at is not None and outage.ended_at is not None
        assert outage.notified_at is not None
        # Mail flowed again within one backoff interval of the restart at 09:30.
        assert outage.ended_at <= local(date(2031, 3, 22), time(9, 46))
        assert timedelta(hours=24) <= outage.duration < timedelta(hours=25)
        notices = [m for m in stack.mail.messages if m["X-Lov-Kind"] == "mail-outage-over"]
        assert len(notices) == 1 and notices[0]["To"] == ADMIN
        body = notices[0].get_content()
        assert "Inget utskick har gått förlorat" in body and "21 mars 2031" in body

        monkeypatch.setenv("LOV_DATABASE_URL", stack.settings.resolved_database_url)
        get_settings.cache_clear()
        try:
            listed = await run_lov(None, "mail", "outages", "--json")
        finally:
            get_settings.cache_clear()
        assert listed.exit_code == 0, listed.stderr
        [row] = json.loads(listed.stdout)
        assert row["declared"] and row["administrator_told"] and row["ended_at"]
