"""A relay that receives each message but answers "250" only after LOV_SMTP_TIMEOUT_SECONDS
(a slow content scan), on the time-skipping server with a real aiosmtpd server: each e-mail is
sent at most 1 + LOV_SMTP_UNCERTAIN_RESENDS times, with the same Message-ID and spaced out, then
recorded as uncertain and reported to the administrator once; the workflow carries on."""

from __future__ import annotations

import asyncio
import json
from datetime import date, time, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from models.records.db import make_engine, make_session_factory
from models.records.mail_incidents import MailIncidentStore
from tests.support.cli_runner import run_lov_on_records
from tests.support.harness import local, lovflow_stack
from tests.support.mail_faults import FaultyMail

ADMIN = "lov-admin@sundsvall.example"
TIMEOUT = 0.5  # LOV_SMTP_TIMEOUT_SECONDS in this test
RESENDS = 2


async def _scan_slowly(message: EmailMessage) -> None:
    # Only reminders: the rest of the plan's mail (and the notice) go through as usual.
    if message["X-Lov-Kind"] == "reminder":
        await asyncio.sleep(TIMEOUT * 3)


async def test_a_relay_that_answers_too_late_gets_each_email_a_bounded_number_of_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mail = FaultyMail(on_data=_scan_slowly)
    async with lovflow_stack(
        tmp_path,
        mail=mail,
        smtp_timeout_seconds=TIMEOUT,
        smtp_uncertain_resends=RESENDS,
    ) as stack:
        await stack.sleep_until(local(date(2031, 1, 1)))
        await stack.start_contract(date(2030, 1, 1))
        # The T1 self-inspection reminder goes out on Friday 21 March 09:00; resends after 30
        # minutes and then 2 hours; the day leaves room for many more if they were not bounded.
        await stack.sleep_until(local(date(2031, 3, 22), time(12, 0)))

        outbox = await stack.store.list_notifications()
        reminders = [e for e in outbox if e.kind == "reminder"]
        assert reminders, [(e.kind, e.status) for e in outbox]
        received = mail.deliveries()
        for entry in reminders:
            # Received 1 + RESENDS times, each time with the same Message-ID (not 8 and more).
            assert received[entry.message_id] == 1 + RESENDS, (entry.message_id, received)
            assert entry.status == "uncertain" and entry.uncertain_sends == 1 + RESENDS
            assert entry.sent_at is None and "Timeout" in (entry.last_error or "")
            # Spaced out: the last send at least 30 minutes + 2 hours after the first. (The
            # time-skipping server applies each retry delay one attempt late; the activity
            # holds back a resend that comes early, so the spacing holds there too.)
            assert entry.uncertain_at is not None
            since_first = entry.uncertain_at - local(date(2031, 3, 21), time(9, 0))
            assert timedelta(hours=2.5) <= since_first < timedelta(hours=4), since_first

        # Recorded once each as uncertain, and the administrator told once each.
        store = MailIncidentStore(
            make_session_factory(make_engine(stack.settings.resolved_database_url))
        )
        failures = {f.idempotency_key: f for f in await store.list_failures()}
        assert set(failures) == {e.idempotency_key for e in reminders}
        assert all(f.reason == "uncertain" and f.refused == [] for f in failures.values())
        notices = [m for m in mail.messages if m["X-Lov-Kind"] == "mail-uncertain"]
        assert len(notices) == len(reminders)
        assert len({str(m["Message-ID"]) for m in notices}) == len(notices)
        notice = notices[0]
        assert notice["To"] == ADMIN
        assert str(notice["Subject"]).startswith("Osäkert om e-post kom fram")
        body = notice.get_content()
        assert "skickats 3 gånger" in body and "Det skickas inte igen automatiskt" in body
        assert any(e.message_id in body for e in reminders)
        # The notice row is `sent`; the reminders' rows stay `uncertain`, never `failed`.
        by_key = {e.idempotency_key: e for e in await stack.store.list_notifications()}
        for failure in failures.values():
            assert failure.notice_key is not None
            assert by_key[failure.notice_key].status == "sent"

        # The workflow went on: the next reminder is still to come, nothing failed.
        for entry in reminders:
            assert entry.workflow_id is not None
            assert await stack.running(entry.workflow_id)

        records = stack.settings.resolved_database_url
        listed = await run_lov_on_records(records, monkeypatch, "mail", "failures", "--json")
        text = await run_lov_on_records(records, monkeypatch, "mail", "failures")
        assert listed.exit_code == 0, listed.stderr
        rows = json.loads(listed.stdout)
        assert {r["reason"] for r in rows} == {"uncertain"} and all(
            r["administrator_told"] for r in rows
        )
        assert "osäkert om det kom fram" in text.stdout
