"""The mail activity: render, write to the outbox, send once.

The outbox row is keyed by the request's idempotency key and gets a stable Message-ID, so a
retried activity re-sends at most the same message with the same Message-ID; a row already
marked sent is never sent again.

The one window left is between the SMTP server accepting the message and the outbox row being
marked sent. Two things keep it narrow:
- as soon as the server has accepted the message, the activity records that in its heartbeat
  details (`activities/heartbeat.py`), which Temporal keeps for the next attempt; when marking
  the row fails (the database is down), the retry finds the note and only marks the row, it
  does not send again;
- only if the worker process dies in the milliseconds between the server's "250 OK" and that
  heartbeat reaching Temporal is the message sent a second time, with the same Message-ID
  (docs/RELIABILITY.md).

Permanent failures are recorded and reported to the administrator, and the activity completes,
so the workflow carries on (activities/mail_incidents.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncConnection
from temporalio import activity

from activities.heartbeat import is_done, mark_done
from activities.mail_incidents import MailIncidents
from activities.rendering import Renderer
from activities.smtp import (
    PermanentMailError,
    SmtpRelay,
    accepted_step,
    build_message,
    deliver,
    message_id_for,
)
from models.mail_incidents import MailIncidentStore
from models.mailsafe import check_email
from models.messages import DataErrorReport, MailRequest, MailResult
from models.plan import PROVIDER_ROLE
from models.settings import Settings
from models.store import OutboxEntry, RecordStore

__all__ = ["PERMANENT_FAILURE", "MailActivities", "message_id_for"]

PERMANENT_FAILURE = "PermanentMailFailure"


def _now() -> datetime:
    """Server time of this attempt: real time on a real server, simulated time in tests (the
    clock, when the method is called directly rather than as an activity)."""
    if not activity.in_activity():
        return datetime.now(UTC)
    return activity.info().current_attempt_scheduled_time


def _is_retry() -> bool:
    return activity.in_activity() and activity.info().attempt > 1


class MailActivities:
    def __init__(
        self,
        settings: Settings,
        store: RecordStore,
        renderer: Renderer,
        incidents: MailIncidentStore | None = None,
    ) -> None:
        self._settings = settings
        self._store = store
        self._renderer = renderer
        incidents = incidents or MailIncidentStore(store.sessions)
        # One relay (and its kept connections) for this worker's e-mails and notices.
        self._relay = SmtpRelay(settings)
        self._incidents = MailIncidents(settings, store, incidents, renderer, self._relay)

    async def _recipients(self, request: MailRequest, connection: AsyncConnection) -> list[str]:
        found: list[str] = []
        for role in request.to_roles:
            if role == PROVIDER_ROLE:
                # Read at send time so a changed contact address applies to every later e-mail.
                address = await self._store.provider_email(request.org_nr, connection)
                if not address:
                    raise PermanentMailError(
                        f"no e-mail address on record for provider {request.org_nr}"
                    )
            else:
                address = request.roles[role].email
            try:
                # Checked again here, not only at the model boundary: the records database may
                # have been written by other means, and one bad address must not add a header
                # or a recipient (models.mailsafe).
                check_email(address)
            except ValueError as err:
                raise PermanentMailError(
                    f"recipient for role {role} of {request.org_nr} refused: {err}"
                ) from None
            if address not in found:
                found.append(address)
        return found

    @activity.defn
    async def send_mail(self, request: MailRequest) -> MailResult:
        now = _now()
        accepted = is_done(accepted_step(request.key))
        if accepted:
            # A previous attempt's message was accepted but not recorded: record, never resend.
            await self._store.mark_sent(request.key, request.at)
        # Only a retry can find a failure recorded by an earlier attempt.
        failure = await self._incidents.failure_of(request.key) if _is_retry() else None
        if failure is not None:
            # Refused by an earlier attempt, which then failed (e.g. telling the administrator):
            # finish that, do not knock on the server again.
            known = await self._store.get_outbox(request.key)
            await self._incidents.report_failure(request, failure, known.subject if known else "")
            if known is not None and known.sent:  # refused for some recipients only
                return self._result(known, already_sent=True)
            return self._undelivered(known, failure.error)
        if accepted:
            return self._result(await self._outbox(request.key), already_sent=True)

        entry: OutboxEntry | None = None
        try:
            # Recipients, the text and the outbox row in one transaction (models/access.py):
            # this runs for every e-mail. A permanent failure in here writes nothing.
            async with self._store.unit() as tx:
                recipients = await self._recipients(request, tx)
                subject, body = self._renderer.render(
                    request.language, request.template, request.context, request.time_zone
                )
                entry = await self._store.claim_outbox(
                    request.key,
                    message_id_for(request.key, self._settings.mail_domain),
                    request.kind,
                    request.org_nr,
                    request.workflow_id,
                    request.obligation,
                    request.period,
                    recipients,
                    subject,
                    body,
                    request.at,
                    [a.model_dump() for a in request.attachments],
                    connection=tx,
                )
            if entry.sent:
                return self._result(entry, already_sent=True)
            message = build_message(
                self._settings,
                entry,
                request.at,
                {
                    "X-Lov-Kind": request.kind,
                    "X-Lov-Org-Nr": request.org_nr,
                    "X-Lov-Workflow": request.workflow_id,
                    "X-Lov-Obligation": request.obligation,
                    "X-Lov-Period": request.period,
                },
            )
            refused = await self._send(request.key, message, list(entry.recipients), now)
        except PermanentMailError as err:
            await self._incidents.record_failure(
                request,
                err,
                message_id=entry.message_id if entry else None,
                subject=entry.subject if entry else "",
                at=now,
            )
            return self._undelivered(entry, err.error)

        mark_done(accepted_step(request.key))
        async with self._store.unit() as tx:
            await self._store.mark_sent(request.key, request.at, tx)
            outage_pending = await self._incidents.outage_pending(tx)
        if outage_pending:
            await self._incidents.send_succeeded(request, now)
        if refused:
            # Out to the others; the refused addresses are reported like a refused e-mail.
            error = "; ".join(f"{rcpt}: {reply}" for rcpt, reply in refused.items())
            partial = PermanentMailError(error, list(refused))
            await self._incidents.record_failure(
                request, partial, message_id=entry.message_id, subject=entry.subject, at=now
            )
        return self._result(entry, already_sent=False)

    @activity.defn
    async def report_data_error(self, report: DataErrorReport) -> None:
        """A record refused for good (activities/data_errors.py): tell the administrator."""
        await self._incidents.report_data_error(report)

    async def _send(
        self, key: str, message: EmailMessage, recipients: list[str], now: datetime
    ) -> dict[str, str]:
        try:
            return await deliver(self._relay, message, recipients)
        except PermanentMailError:
            raise
        except Exception as err:
            # Transient: the activity's retry policy backs off and tries again.
            error = f"{type(err).__name__}: {err}"
            await self._incidents.send_failed(now, error)
            await self._store.mark_failed(key, error)
            raise

    async def _outbox(self, key: str) -> OutboxEntry:
        entry = await self._store.get_outbox(key)
        assert entry is not None, f"no outbox entry under {key}"
        return entry

    @staticmethod
    def _result(entry: OutboxEntry, *, already_sent: bool) -> MailResult:
        return MailResult(
            message_id=entry.message_id,
            recipients=list(entry.recipients),
            already_sent=already_sent,
        )

    @staticmethod
    def _undelivered(entry: OutboxEntry | None, error: str) -> MailResult:
        return MailResult(
            message_id=entry.message_id if entry else "",
            recipients=[],
            already_sent=False,
            delivered=False,
            failure=error,
        )
