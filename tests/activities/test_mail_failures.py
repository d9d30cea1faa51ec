"""Permanent mail failures on the time-skipping server: a recipient the SMTP server refuses
(550) is recorded once, reported to the administrator once, never retried, and the obligation
workflow carries on with its escalation ladder."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from models.ids import obligation_workflow_id
from models.records.db import make_engine, make_session_factory
from models.records.mail_incidents import MailIncidentStore
from tests.support.cli_runner import run_lov_on_records
from tests.support.harness import PROVIDER, Stack, local, lovflow_stack
from tests.support.mail_faults import FaultyMail

ADMIN = "lov-admin@sundsvall.example"
T1 = obligation_workflow_id(PROVIDER.org_nr, "self-inspection", "2031-T1")


def incidents(stack: Stack) -> MailIncidentStore:
    url = stack.settings.resolved_database_url
    return MailIncidentStore(make_session_factory(make_engine(url)))


def headers(stack: Stack, name: str) -> list[str]:
    return [str(m[name]) for m in stack.mail.messages]


async def test_refused_recipient_is_recorded_reported_once_and_the_workflow_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mail = FaultyMail(refuse={PROVIDER.email})
    async with lovflow_stack(tmp_path, mail=mail) as stack:
        await stack.sleep_until(local(date(2031, 1, 1)))
        await stack.start_contract(date(2030, 1, 1))
        # T1 self-inspection: reminders 21 March, 7 and 18 April; due 21 April; the ladder
        # (to the administrator and management) from 22 April on.
        await stack.sleep_until(local(date(2031, 4, 24)))

        failures = await incidents(stack).list_failures()
        outbox = {e.idempotency_key: e for e in await stack.store.list_notifications()}
        refused = [f for f in failures if f.refused == [PROVIDER.email]]
        t1 = [f.idempotency_key for f in refused if f.workflow_id == T1]
        # The three reminders, and the ladder's first step (a påpekande to the provider):
        # the workflow went on past the refusals.
        assert sum(":reminder:" in k for k in t1) == 3, t1
        assert any(":escalation:" in k for k in t1), t1
        for failure in refused:
            assert "550" in failure.error
            entry = outbox[failure.idempotency_key]
            # Refused for everyone: failed. Refused for the provider only (a påpekande with a
            # copy to the administrator): out to the others, so sent, and not sent again.
            assert entry.status == ("failed" if entry.recipients == [PROVIDER.email] else "sent")
            assert failure.notice_key == f"{failure.idempotency_key}:undeliverable"
            assert outbox[failure.notice_key].status == "sent"
            assert outbox[failure.notice_key].recipients == [ADMIN]

        # Not retried: the server saw each refused e-mail's recipient once.
        assert mail.rcpt_attempts[PROVIDER.email] == len(refused)
        # Nothing ever reached the refused address; each failure told the administrator once.
        assert all(PROVIDER.email not in to for _, to in mail.envelopes)
        notices = Counter(
            str(m["Message-ID"])
            for m in stack.mail.messages
            if m["X-Lov-Kind"] == "mail-undeliverable"
        )
        assert len(notices) == len(refused) and set(notices.values()) == {1}
        notice = next(m for m in stack.mail.messages if m["X-Lov-Kind"] == "mail-undeliverable")
        assert notice["To"] == ADMIN
        assert str(notice["Subject"]).startswith("E-post kunde inte levereras")
        body = notice.get_content()
        assert PROVIDER.email in body and "skickas inte igen automatiskt" in body

        # Not failed, not stuck: still running, waiting for the submission.
        assert await stack.running(T1)

        # `lov mail failures` shows what was recorded.
        records = stack.settings.resolved_database_url
        listed = await run_lov_on_records(records, monkeypatch, "mail", "failures", "--json")
        text = await run_lov_on_records(records, monkeypatch, "mail", "failures")
        assert listed.exit_code == 0, listed.stderr
        rows = json.loads(listed.stdout)
        assert {r["key"] for r in rows} == {f.idempotency_key for f in failures}
        assert all(r["administrator_told"] and r["refused"] == [PROVIDER.email] for r in rows)
        assert text.exit_code == 0 and "administratören underrättad" in text.stdout
