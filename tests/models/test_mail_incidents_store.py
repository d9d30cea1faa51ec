"""The outage and failure records under concurrency, on SQLite and PostgreSQL: many sends
failing at once make one outage, and of many workers seeing the recovery one sends the notice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from models.records.db import make_engine, make_session_factory, upgrade
from models.records.mail_incidents import MailIncidentStore

T0 = datetime(2031, 3, 21, 8, 0, tzinfo=UTC)
THRESHOLD = timedelta(hours=4)


async def test_one_outage_declared_after_the_threshold_and_reported_once(
    database_url: str,
) -> None:
    await upgrade(database_url)
    engine = make_engine(database_url)
    store = MailIncidentStore(make_session_factory(engine))
    try:
        # Twenty sends fail at once, then again every hour for five hours.
        await asyncio.gather(
            *(store.note_send_failure(T0, f"refused {n}", THRESHOLD) for n in range(20))
        )
        [outage] = await store.list_outages()
        assert outage.failures == 20 and outage.declared_at is None
        for hour in range(1, 6):
            latest = await store.note_send_failure(T0 + timedelta(hours=hour), "down", THRESHOLD)
        assert latest.declared_at == T0 + timedelta(hours=4)
        assert latest.duration == timedelta(hours=5)

        # Mail flows again; several workers notice at once, one gets to send the notice.
        back = T0 + timedelta(hours=6)
        seen = await asyncio.gather(*(store.note_send_success(back) for _ in range(5)))
        assert all([o.id for o in found] == [outage.id] for found in seen)
        claims = await asyncio.gather(
            *(store.claim_outage_notice(outage.id, back, timedelta(minutes=5)) for _ in range(5))
        )
        assert claims.count(True) == 1
        # A claimant that died is taken over after the lease, not before.
        later = back + timedelta(minutes=1)
        assert not await store.claim_outage_notice(outage.id, later, timedelta(minutes=5))
        after_lease = back + timedelta(minutes=6)
        assert await store.claim_outage_notice(outage.id, after_lease, timedelta(minutes=5))
        await store.mark_outage_notified(outage.id, after_lease)
        assert await store.note_send_success(after_lease) == []

        # A short blip is not an outage worth a notice.
        await store.note_send_failure(back + timedelta(hours=1), "blip", THRESHOLD)
        assert await store.note_send_success(back + timedelta(hours=1, minutes=2)) == []
        outages = await store.list_outages()
        assert len(outages) == 2 and outages[1].declared_at is None
        assert outages[1].ended_at is not None
    finally:
        await engine.dispose()
