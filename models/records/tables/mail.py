"""ORM tables: the e-mail outbox, e-mail refused for good, and mail server outages."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.records.tables import columns as col
from models.records.tables.base import Base, in_values

# pending: claimed, not sent yet; sent; failed: refused for good (mail_failures); retrying: a
# transient failure (no connection, a 4xx), tried again with backoff; uncertain: the relay got
# the whole message but never answered, resent later at most LOV_SMTP_UNCERTAIN_RESENDS times
# (revision 0008).
OUTBOX_STATUSES: Final = ("pending", "sent", "failed", "retrying", "uncertain")


class Notification(col.Keyed, Base):
    """The e-mail outbox: one row per message, claimed before sending so retries resend the
    same Message-ID instead of a second e-mail."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(in_values("status", OUTBOX_STATUSES), name="status"),
        Index(None, "status"),
    )

    message_id: Mapped[col.Id] = mapped_column(unique=True)
    kind: Mapped[col.Key]
    org_nr: Mapped[col.OrgNr | None] = mapped_column(index=True)
    workflow_id: Mapped[col.Id | None]
    obligation: Mapped[col.Key | None]
    period: Mapped[col.Period | None]
    recipients: Mapped[list[str]]
    subject: Mapped[str] = mapped_column(String(998))  # RFC 5322 line limit
    body: Mapped[col.FreeText]
    status: Mapped[col.Status]
    attempts: Mapped[int]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[col.FreeText | None]
    # [{filename, content_type, content}] (e.g. a meeting's .ics), so a retry resends the same
    # file; NULL for plain text e-mails (revision 0004).
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Sends whose outcome is unknown (status `uncertain`), and when the latest was made: the
    # next resend waits for the backoff from then (revision 0008).
    uncertain_sends: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    uncertain_at: Mapped[datetime | None]


class MailFailure(col.Keyed, Base):
    """An e-mail the mail server refused for good (a 5xx reply, an unknown recipient, no
    address on record): recorded once per outbox key and reported to the administrator,
    instead of being retried forever (revision 0006)."""

    __tablename__ = "mail_failures"

    message_id: Mapped[col.Id | None]
    kind: Mapped[col.Key]
    org_nr: Mapped[col.OrgNr | None] = mapped_column(index=True)
    workflow_id: Mapped[col.Id | None]
    # The recipients the server refused; others on the same e-mail may have received it.
    refused: Mapped[list[str]]
    error: Mapped[col.FreeText]
    at: Mapped[datetime]
    # Outbox key of the notice to the administrator, once it has been sent.
    notice_key: Mapped[col.Id | None]
    # "refused" (the server said no) or "uncertain" (sent, resent, never answered: it may have
    # arrived) (revision 0008).
    reason: Mapped[col.Status] = mapped_column(default="refused", server_default="refused")


class MailOutage(Base):
    """A stretch of time in which every send failed transiently (server down, 4xx replies).

    `open_slot` is 1 while the outage lasts and NULL afterwards: its unique constraint lets only
    one outage be open at a time, even when many activities fail at once (NULLs never clash, on
    SQLite and PostgreSQL alike). `declared_at` is set once the outage has lasted longer than
    the threshold; only declared outages are reported to the administrator (revision 0006).
    """

    __tablename__ = "mail_outages"

    id: Mapped[col.RowId]
    open_slot: Mapped[int | None] = mapped_column(Integer, unique=True)
    started_at: Mapped[datetime]
    last_failure_at: Mapped[datetime]
    failures: Mapped[int]
    last_error: Mapped[col.FreeText]
    declared_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # Lease of the worker sending the "server is back" notice, and when it went out.
    notice_claimed_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]
