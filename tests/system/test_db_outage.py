"""The records database (PostgreSQL) goes away on the time-skipping server, at the worst moment:
right after the SMTP server has taken a reminder and before the outbox row is marked sent. For
hours every activity that touches the database fails and is retried; then the database comes
back. Every e-mail is delivered once, every outcome recorded once, nothing half-written."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from datetime import date, time
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.support.harness import local, lovflow_stack
from tests.support.mail_faults import FaultyMail
from tests.support.tcp_proxy import TcpProxy


async def test_database_outage_after_smtp_accepted_sends_once_and_records_once(
    postgres_url: str, tmp_path: Path
) -> None:
    url = make_url(postgres_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    through_proxy = url.set(host=proxy.host, port=proxy.port).render_as_string(False)

    loop = asyncio.get_running_loop()
    cut_at: list[str] = []

    def cut_database(message: EmailMessage) -> None:
        # Runs in the SMTP server's thread after the whole message has arrived and before it
        # answers "250 OK": the database is gone before the worker learns the mail is out.
        if not cut_at and message["X-Lov-Kind"] == "reminder":
            asyncio.run_coroutine_threadsafe(proxy.cut(), loop).result(timeout=10)
            cut_at.append(str(message["Message-ID"]))

    mail = FaultyMail(on_data=cut_database)
    async with lovflow_stack(tmp_path, mail=mail, database_url=through_proxy) as stack:
        await stack.sleep_until(local(date(2031, 1, 1)))
        await stack.start_contract(date(2030, 1, 1))
        # The T1 reminder goes out Friday 21 March 09:00; the database is down until 15:00.
        await stack.sleep_until(local(date(2031, 3, 21), time(8, 0)))
        await stack.sleep_until(local(date(2031, 3, 21), time(15, 0)))
        assert cut_at, "no reminder was sent while the database was up"
        await proxy.start()
        await stack.sleep_until(local(date(2031, 3, 22), time(12, 0)))

        # Delivered exactly once, the interrupted reminder included.
        deliveries = mail.deliveries()
        assert deliveries[cut_at[0]] == 1, deliveries
        assert set(deliveries.values()) == {1}, deliveries
        outbox = await stack.store.list_notifications()
        assert {e.message_id for e in outbox} == set(deliveries)
        assert {e.status for e in outbox} == {"sent"}
        interrupted = next(e for e in outbox if e.message_id == cut_at[0])
        # Claimed once: the retry found "accepted by the SMTP server" in the heartbeat details
        # and only recorded it.
        assert interrupted.attempts == 1, interrupted

        # Recorded exactly once and without gaps: each workflow numbers its audit events, so a
        # lost or doubled write would show as a missing or repeated number.
        numbers: dict[str, list[int]] = defaultdict(list)
        for event in await stack.store.list_audit():
            wid, _, n = event.idempotency_key.rpartition(":event:")
            if n.isdigit():
                numbers[wid].append(int(n))
        assert numbers
        for wid, seen in numbers.items():
            assert sorted(seen) == list(range(1, len(seen) + 1)), (wid, seen)
        occurrences = Counter(o.workflow_id for o in await stack.store.list_occurrences())
        assert set(occurrences.values()) == {1}
    await proxy.cut()
