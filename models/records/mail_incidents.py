"""Records of what went wrong with e-mail: permanent failures and SMTP outages.

Like `RecordStore`, every write may run twice (activities are retried, attempts may overlap),
so each one is keyed or conditional and the database's constraints decide races:
- a failure is keyed by the outbox key of the e-mail that failed;
- at most one outage is open at a time (the unique `open_slot`), so concurrent failing sends
  extend the same outage instead of opening several;
- the "server is back" notice is taken under a lease, so of many workers that see the recovery
  one sends it, and a worker that died half-way is taken over after the lease.

Times come from the caller: the activity's scheduled time, which is server time, so simulated
days on the time-skipping server count as days here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from models.records.access import CoreAccess, snapshot
from models.records.tables import MailFailure, MailOutage, UTCDateTime

_MAX_ERROR_CHARS = 2000
OPEN = 1  # the value of `open_slot` while an outage lasts
# Why an e-mail did not (knowingly) arrive: the server refused it, or it was sent
# 1 + LOV_SMTP_UNCERTAIN_RESENDS times and never answered.
REFUSED = "refused"
UNCERTAIN = "uncertain"
# Each resend of an uncertain e-mail waits this many times longer than the one before.
UNCERTAIN_BACKOFF = 4


def uncertain_resend_delay(first: timedelta, sends: int) -> timedelta:
    """How long after its `sends`-th uncertain send an e-mail is sent again: long enough for a
    slow relay to have delivered it and for a stuck queue to be looked at, and growing, so a
    relay that never answers gets few copies."""
    return first * UNCERTAIN_BACKOFF ** max(0, sends - 1)


@dataclass(frozen=True, slots=True)
class MailFailureRecord:
    idempotency_key: str
    message_id: str | None
    kind: str
    org_nr: str | None
    workflow_id: str | None
    refused: list[str]
    error: str
    at: datetime
    notice_key: str | None
    reason: str = REFUSED

    @property
    def uncertain(self) -> bool:
        return self.reason == UNCERTAIN


@dataclass(frozen=True, slots=True)
class MailOutageRecord:
    id: int
    started_at: datetime
    last_failure_at: datetime
    failures: int
    last_error: str
    declared_at: datetime | None
    ended_at: datetime | None
    notice_claimed_at: datetime | None
    notified_at: datetime | None

    @property
    def duration(self) -> timedelta:
        """How long sends are known to have failed: first to last failure."""
        return self.last_failure_at - self.started_at


class MailIncidentStore(CoreAccess):
    # --- permanent failures ----------------------------------------------------------------

    async def record_failure(
        self,
        key: str,
        *,
        message_id: str | None,
        kind: str,
        org_nr: str | None,
        workflow_id: str | None,
        refused: Sequence[str],
        error: str,
        at: datetime,
        reason: str = REFUSED,
    ) -> MailFailureRecord:
        """Record that the e-mail under `key` was refused for good (or, with `reason`
        UNCERTAIN, given up on without knowing); a repeat returns the first."""
        values = {
            "reason": reason,
            "idempotency_key": key,
            "message_id": message_id,
            "kind": kind,
            "org_nr": org_nr,
            "workflow_id": workflow_id,
            "refused": list(refused),
            "error": error[:_MAX_ERROR_CHARS],
            "at": at,
        }
        try:
            async with self._transaction() as session:
                await session.execute(insert(MailFailure).values(**values))
        except IntegrityError:
            if await self.get_failure(key) is None:
                raise
        found = await self.get_failure(key)
        assert found is not None
        return found

    async def get_failure(self, key: str) -> MailFailureRecord | None:
        return await self._one(
            MailFailureRecord, select(MailFailure).where(MailFailure.idempotency_key == key)
        )

    async def set_failure_notice(self, key: str, notice_key: str) -> None:
        async with self._transaction() as session:
            await session.execute(
                update(MailFailure)
                .where(MailFailure.idempotency_key == key)
                .values(notice_key=notice_key)
            )

    async def list_failures(self) -> list[MailFailureRecord]:
        async with self._sessions() as session:
            rows = (await session.execute(select(MailFailure).order_by(MailFailure.id))).scalars()
            return [snapshot(MailFailureRecord, r) for r in rows]

    # --- outages ---------------------------------------------------------------------------

    async def note_send_failure(
        self, at: datetime, error: str, threshold: timedelta
    ) -> MailOutageRecord:
        """A send failed transiently at `at`: open an outage or extend the open one, and
        declare it once it has lasted `threshold`."""
        error = error[:_MAX_ERROR_CHARS]
        stamp = literal(at, UTCDateTime())
        # Single statements, no read-modify-write: concurrent failing sends on SQLite would
        # otherwise hit "database is locked" upgrading a read transaction to a write.
        extend = (
            update(MailOutage)
            .where(MailOutage.open_slot == OPEN)
            .values(
                failures=MailOutage.failures + 1,
                last_error=error,
                # Attempts finish out of order: keep the latest time.
                last_failure_at=case(
                    (MailOutage.last_failure_at < stamp, stamp),
                    else_=MailOutage.last_failure_at,
                ),
            )
        )
        declare = (
            update(MailOutage)
            .where(
                MailOutage.open_slot == OPEN,
                MailOutage.declared_at.is_(None),
                MailOutage.started_at <= literal(at - threshold, UTCDateTime()),
            )
            .values(declared_at=stamp)
        )
        for _ in range(3):
            async with self._transaction() as session:
                extended = (await session.execute(extend)).rowcount  # type: ignore[attr-defined]
                if extended:
                    await session.execute(declare)
            if not extended:
                try:
                    async with self._transaction() as session:
                        await session.execute(
                            insert(MailOutage).values(
                                open_slot=OPEN,
                                started_at=at,
                                last_failure_at=at,
                                failures=1,
                                last_error=error,
                                declared_at=at if threshold <= timedelta(0) else None,
                            )
                        )
                except IntegrityError:
                    continue  # another send opened it first: extend that one
            found = await self._first(select(MailOutage).where(MailOutage.open_slot == OPEN))
            if found is not None:
                return snapshot(MailOutageRecord, found)
        raise RuntimeError("mail_outages: could not open or extend the outage")

    async def outage_pending(self, connection: AsyncConnection | None = None) -> bool:
        """Whether a send's success has an outage to close or announce. Every successful send
        asks, and almost always the answer is no: one small read, in the caller's transaction
        if given."""
        pending = select(MailOutage.id).where(
            or_(
                MailOutage.open_slot == OPEN,
                MailOutage.declared_at.is_not(None) & MailOutage.notified_at.is_(None),
            )
        )
        return await self._first(pending.limit(1), connection) is not None

    async def note_send_success(self, at: datetime) -> list[MailOutageRecord]:
        """A send succeeded: close the open outage, if any. Returns the declared outages whose
        notice has not gone out yet (including ones closed earlier by a worker that died)."""
        if not await self.outage_pending():
            return []
        async with self._transaction() as session:
            await session.execute(
                update(MailOutage)
                .where(MailOutage.open_slot == OPEN)
                .values(open_slot=None, ended_at=at)
            )
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(MailOutage)
                    .where(
                        MailOutage.ended_at.is_not(None),
                        MailOutage.declared_at.is_not(None),
                        MailOutage.notified_at.is_(None),
                    )
                    .order_by(MailOutage.id)
                )
            ).scalars()
            return [snapshot(MailOutageRecord, r) for r in rows]

    async def claim_outage_notice(self, outage_id: int, at: datetime, lease: timedelta) -> bool:
        """Take the job of sending the notice for `outage_id`; False if another worker has it
        (within its lease) or it has been sent."""
        async with self._transaction() as session:
            result = await session.execute(
                update(MailOutage)
                .where(
                    MailOutage.id == outage_id,
                    MailOutage.notified_at.is_(None),
                    or_(
                        MailOutage.notice_claimed_at.is_(None),
                        MailOutage.notice_claimed_at <= at - lease,
                    ),
                )
                .values(notice_claimed_at=at)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def mark_outage_notified(self, outage_id: int, at: datetime) -> None:
        async with self._transaction() as session:
            await session.execute(
                update(MailOutage)
                .where(MailOutage.id == outage_id, MailOutage.notified_at.is_(None))
                .values(notified_at=at)
            )

    async def list_outages(self) -> list[MailOutageRecord]:
        async with self._sessions() as session:
            rows = (await session.execute(select(MailOutage).order_by(MailOutage.id))).scalars()
            return [snapshot(MailOutageRecord, r) for r in rows]
