"""The e-mail outbox: one row per idempotency key, claimed before sending."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    func,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from models.records.access import insert_ignoring_duplicate, snapshot
from models.records.keyed import (
    _MAX_ERROR_CHARS,
    KeyedStore,
    RecordNotFound,
    _given,
    _org_nr,
)
from models.records.tables import (
    Notification,
    UTCDateTime,
)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One e-mail of the outbox. `attempts` counts the claims made while it was unsent."""

    idempotency_key: str
    message_id: str
    kind: str
    org_nr: str | None
    workflow_id: str | None
    obligation: str | None
    period: str | None
    recipients: list[str]
    subject: str
    body: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None
    attachments: list[dict[str, Any]] | None = None
    uncertain_sends: int = 0
    uncertain_at: datetime | None = None

    @property
    def sent(self) -> bool:
        return self.status == "sent"


class OutboxRecords(KeyedStore):
    async def claim_outbox(
        self,
        key: str,
        message_id: str,
        kind: str,
        org_nr: str | None,
        workflow_id: str | None,
        obligation: str | None,
        period: str | None,
        recipients: Sequence[str],
        subject: str,
        body: str,
        at: datetime,
        attachments: Sequence[Mapping[str, Any]] = (),
        connection: AsyncConnection | None = None,
    ) -> OutboxEntry:
        """Claim the e-mail under `key` before sending it.

        The first claim writes the row (pending, attempts 1). A later claim (an activity retry)
        returns the row as first written (same Message-ID, subject, body) so the resend is
        recognisably the same e-mail; it counts one more attempt unless the e-mail was already
        sent, in which case the caller must not send again.
        """
        values = {
            "idempotency_key": key,
            "message_id": message_id,
            "kind": kind,
            "org_nr": None if org_nr is None else _org_nr(org_nr),
            "workflow_id": workflow_id,
            "obligation": obligation,
            "period": period,
            "recipients": list(recipients),
            "subject": subject,
            "body": body,
            "status": "pending",
            "attempts": 1,
            "created_at": at,
            "attachments": [dict(a) for a in attachments] or None,
        }
        # One transaction: every e-mail is claimed once per attempt, so its round trips count
        # (docs/PERFORMANCE.md). The insert yields to an existing row under the key only; any
        # other constraint still fails loudly.
        async with self._within(connection) as tx:
            insert_once = insert_ignoring_duplicate(tx, Notification, "idempotency_key")
            if not (await tx.execute(insert_once.values(**values))).rowcount:
                bump = (
                    update(Notification)
                    .where(Notification.idempotency_key == key, Notification.status != "sent")
                    .values(attempts=Notification.attempts + 1)
                )
                await tx.execute(bump)
            query = select(Notification).where(Notification.idempotency_key == key)
            row = (await tx.execute(query)).first()
        assert row is not None  # written or found above; rows are never deleted
        return snapshot(OutboxEntry, row)

    async def get_outbox(self, key: str) -> OutboxEntry | None:
        return await self._one(
            OutboxEntry, select(Notification).where(Notification.idempotency_key == key)
        )

    async def mark_sent(
        self, key: str, at: datetime, connection: AsyncConnection | None = None
    ) -> None:
        """Mark the e-mail sent; a repeated call keeps the first `sent_at`."""
        statement = (
            update(Notification)
            .where(Notification.idempotency_key == key)
            .values(
                status="sent",
                sent_at=func.coalesce(Notification.sent_at, literal(at, UTCDateTime())),
            )
        )
        await self._update_outbox(key, statement, connection)

    async def readdress_unsent(self, key: str, recipients: Sequence[str]) -> bool:
        """Send the e-mail under `key`, not sent and not refused, to `recipients` instead (its
        Message-ID, subject and body stay). For a row claimed, before the provider's portal link
        was kept from staff, with staff among its recipients (activities/mail.py). Whether the
        row was changed."""
        statement = (
            update(Notification)
            .where(
                Notification.idempotency_key == key,
                Notification.status.in_(("pending", "retrying", "uncertain")),
            )
            .values(recipients=list(recipients))
        )
        async with self._within(None) as tx:
            return bool((await tx.execute(statement)).rowcount)

    async def mark_failed(self, key: str, error: str) -> None:
        """Record that the server refused the e-mail for good; an e-mail already sent stays
        sent."""
        await self._mark_unsent(key, "failed", error)

    async def mark_retrying(self, key: str, error: str) -> None:
        """Record a transient failure (no connection, a 4xx reply): it is tried again."""
        await self._mark_unsent(key, "retrying", error)

    async def _mark_unsent(self, key: str, status: str, error: str) -> None:
        statement = (
            update(Notification)
            .where(Notification.idempotency_key == key, Notification.status != "sent")
            .values(status=status, last_error=error[:_MAX_ERROR_CHARS])
        )
        await self._update_outbox(key, statement)

    async def mark_uncertain(self, key: str, error: str, at: datetime) -> OutboxEntry:
        """Record a send whose outcome is unknown (the relay got the message and never
        answered): one more uncertain send, made at `at`. Returns the row as it is now."""
        statement = (
            update(Notification)
            .where(Notification.idempotency_key == key, Notification.status != "sent")
            .values(
                status="uncertain",
                last_error=error[:_MAX_ERROR_CHARS],
                uncertain_sends=Notification.uncertain_sends + 1,
                uncertain_at=at,
            )
        )
        await self._update_outbox(key, statement)
        found = await self.get_outbox(key)
        assert found is not None  # _update_outbox raised otherwise
        return found

    async def _update_outbox(
        self, key: str, statement: Any, connection: AsyncConnection | None = None
    ) -> None:
        async with self._within(connection) as tx:
            if (await tx.execute(statement)).rowcount:
                return
            # Nothing updated: the row's state made the statement a no-op, or there is no row.
            query = select(Notification.id).where(Notification.idempotency_key == key)
            if await self._first(query, tx) is None:
                raise RecordNotFound(f"no outbox entry under key {key}")

    async def list_notifications(self, org_nr: str | None = None) -> list[OutboxEntry]:
        query = select(Notification).order_by(Notification.created_at, Notification.id)
        query = query.where(*_given((Notification.org_nr, org_nr)))
        return await self._snapshots(OutboxEntry, query)
