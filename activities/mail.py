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

An e-mail with the provider's personal portal link (activities/portal_links.py) goes to the
provider's address only: whoever holds the link can act as the provider in the portal. When the
request names staff too (the administrator on an overdue notice, the duty's recipient on late
notices, managers on a ladder step), they get a copy of their own without the link, under the
outbox key `<key>:staff-copy` (models.messages.mail.staff_copy_key) and so its own Message-ID;
each of the two is claimed, sent and recorded as above, so a retry sends neither twice. The
workflows are unchanged: they still ask for one e-mail.

A send whose outcome is unknown (the relay got the whole message and then timed out or dropped
the connection: `UncertainDelivery`) is not resent at once, as a failure before the data is:
the row is marked `uncertain`, and the activity fails with a retry delay that grows with each
such send (30 minutes, 2 hours, … by default). After 1 + LOV_SMTP_UNCERTAIN_RESENDS sends, all
with the same Message-ID, it is recorded as uncertain, the administrator is told it may not
have arrived, and the activity completes. A relay that delivers every message but answers too
late thus hands the recipient at most that many copies, which mail clients that de-duplicate
by Message-ID show as one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncConnection
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.heartbeat import is_done, mark_done
from activities.mail_incidents import MailIncidents
from activities.portal_links import PortalLinks
from activities.rendering import Renderer
from activities.smtp import (
    PermanentMailError,
    SmtpRelay,
    UncertainDelivery,
    accepted_step,
    build_message,
    deliver,
    message_id_for,
)
from activities.stored_links import mail_context
from models.domain.mailsafe import check_email
from models.messages.common import DataErrorReport
from models.messages.mail import MailRequest, MailResult, staff_copy_key
from models.plans.loader import PlanError, load_plan
from models.plans.schema import PROVIDER_ROLE, Plan
from models.records.mail_incidents import UNCERTAIN, MailIncidentStore, uncertain_resend_delay
from models.records.store import OutboxEntry, RecordStore
from models.runtime.settings import Settings

__all__ = ["PERMANENT_FAILURE", "UNCERTAIN_DELIVERY", "MailActivities", "message_id_for"]

PERMANENT_FAILURE = "PermanentMailFailure"
# The error type of an attempt that waits to resend an e-mail of unknown outcome.
UNCERTAIN_DELIVERY = "UncertainMailDelivery"


def uncertain_step(key: str, n: int) -> str:
    """The progress step "the `n`-th send of the e-mail under `key` had an unknown outcome":
    counts uncertain sends in the heartbeat details too, in case the database missed one."""
    return f"smtp-uncertain:{key}:{n}"


def _now() -> datetime:
    """Server time of this attempt: real time on a real server, simulated time in tests (the
    clock, when the method is called directly rather than as an activity)."""
    if not activity.in_activity():
        return datetime.now(UTC)
    return activity.info().current_attempt_scheduled_time


def _is_retry() -> bool:
    return activity.in_activity() and activity.info().attempt > 1


def _to_raise(errors: list[Exception]) -> Exception:
    """Of the errors of an e-mail's two copies, the one to fail the attempt with: one that is
    retried after the usual backoff before one that asks for a later retry (a resend of
    unknown outcome waiting its turn), so the other copy is not held back by it."""
    return min(errors, key=_retry_delay)


def _retry_delay(err: Exception) -> timedelta:
    delay = err.next_retry_delay if isinstance(err, ApplicationError) else None
    return delay or timedelta(0)


def _combined(results: list[MailResult]) -> MailResult:
    """One answer for an e-mail sent as the provider's message and the staff's copy: the
    provider's Message-ID, everyone it reached, delivered if either went out."""
    first = results[0]
    delivered = any(r.delivered for r in results)
    failures = [r.failure for r in results if r.failure]
    return MailResult(
        message_id=first.message_id,
        recipients=[a for r in results for a in r.recipients],
        already_sent=all(r.already_sent for r in results),
        delivered=delivered,
        failure="; ".join(failures) or None,
        uncertain=not delivered and any(r.uncertain for r in results),
    )


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
        self._plans: dict[str, Plan] = {}
        self._portal = PortalLinks(settings)
        # org nr → plan id of its contract, read once per provider and worker: the e-mail path
        # stays at its two transactions (docs/PERFORMANCE.md, 11).
        self._plan_ids: dict[str, str] = {}

    async def _plan_of(self, org_nr: str) -> Plan | None:
        """The plan of the provider's contract, for the plan's titles and calendar in the text
        (keys become titles). None for an applicant without a contract, or a plan that cannot
        be read: the text then says what the workflow passed, in words."""
        plan_id = self._plan_ids.get(org_nr)
        if plan_id is None:
            contracts = await self._store.contracts_of(org_nr)
            if not contracts:
                return None  # not cached: an applicant may get a contract later
            plan_id = self._plan_ids[org_nr] = contracts[-1].plan_id
        if plan_id not in self._plans:
            try:
                self._plans[plan_id] = load_plan(plan_id, self._settings.plans_dir)
            except (PlanError, OSError):
                return None
        return self._plans[plan_id]

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
                # or a recipient (models.domain.mailsafe).
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
        copies = await self._copies(request)
        if copies is None:
            whole = await self._send_one(request)
            assert whole is not None  # only a staff copy can be left without recipients
            return whole
        # The provider's message with its link, then the staff's without it; each under its own
        # outbox row, so a retry sends neither again once it went out. A copy that fails does
        # not hold the other back: the activity fails (is retried) after both were tried.
        results: list[MailResult] = []
        errors: list[Exception] = []
        for part, staff_copy in ((copies[0], False), (copies[1], True)):
            try:
                result = await self._send_one(part, staff_copy=staff_copy)
            except Exception as err:  # noqa: BLE001 - raised below, once the other was tried
                errors.append(err)
                continue
            if result is not None:
                results.append(result)
        if errors:
            raise _to_raise(errors)
        return _combined(results)

    async def _copies(self, request: MailRequest) -> tuple[MailRequest, MailRequest] | None:
        """The provider's and the staff's request, when an e-mail with the provider's portal
        link names staff too (an overdue notice with the administrator, the duty's recipient on
        late notices, a ladder step to the managers, an återkrav notice): the link lets whoever
        holds it act as the provider in the portal, so it goes to the provider's address only.
        None: one message, as the request says (also when its text shows no link, e.g. a care
        plan's escalation)."""
        if not self._portal.wanted(request):
            return None
        if not self._renderer.shows(request.language, request.template, "portal_link"):
            return None
        staff_roles = [r for r in request.to_roles if r != PROVIDER_ROLE]
        if not staff_roles:
            return None
        if _is_retry() and not await self._split_after_earlier_attempt(request, staff_roles):
            return None
        provider = request.model_copy(update={"to_roles": [PROVIDER_ROLE]})
        staff = request.model_copy(
            update={
                "key": staff_copy_key(request.key),
                "to_roles": staff_roles,
                "context": {**request.context, "staff_copy": True},
            }
        )
        return provider, staff

    async def _split_after_earlier_attempt(
        self, request: MailRequest, staff_roles: list[str]
    ) -> bool:
        """Whether a retried e-mail is still sent as two messages. An attempt of the code before
        the split may have claimed it as one, staff included: sent (or refused for good) so, it
        is finished as it was, never followed by a copy; not sent yet, the staff are taken off
        its row (its Message-ID and text stay) and get their copy."""
        earlier = await self._store.get_outbox(request.key)
        if earlier is None:
            return True
        contact = await self._store.provider_email(request.org_nr)
        staff = {request.roles[r].email for r in staff_roles if r in request.roles} - {contact}
        if not staff & set(earlier.recipients):
            return True  # claimed by this code: the provider's only
        if earlier.status in ("sent", "failed") or is_done(accepted_step(request.key)):
            return False
        remaining = [a for a in earlier.recipients if a not in staff]
        if not remaining:
            return False
        return await self._store.readdress_unsent(request.key, remaining)

    async def _send_one(
        self, request: MailRequest, *, staff_copy: bool = False
    ) -> MailResult | None:
        """The e-mail under `request.key`. `staff_copy`: the staff's copy of an e-mail with the
        provider's portal link: without the link, and never to the provider's address (None
        when that leaves nobody)."""
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
            return self._undelivered(known, failure.error, uncertain=failure.uncertain)
        if accepted:
            return self._result(await self._outbox(request.key), already_sent=True)

        entry: OutboxEntry | None = None
        plan = await self._plan_of(request.org_nr)
        try:
            # Recipients, the text and the outbox row in one transaction (models/records/access.py):
            # this runs for every e-mail. A permanent failure in here writes nothing.
            async with self._store.unit() as tx:
                recipients = await self._recipients(request, tx)
                # A meeting link saved before links were checked is left out, not mailed.
                context = mail_context(request.context, request.workflow_id)
                if staff_copy:
                    # Never to the provider's address (the provider's message has the link);
                    # the text says the provider got a link of its own, when it did.
                    contact = await self._store.provider_email(request.org_nr, tx)
                    recipients = [a for a in recipients if a != contact]
                    if not recipients:
                        return None
                    sent = bool(contact) and self._portal.link(request.org_nr, contact or "")
                    context = {**context, "provider_link_sent": bool(sent)}
                elif self._portal.wanted(request):
                    # Signed for the contact address this e-mail goes to (read just now).
                    contact = await self._store.provider_email(request.org_nr, tx)
                    link = self._portal.link(request.org_nr, contact or "")
                    context = {**context, "portal_link": link or ""}
                subject, body = self._renderer.render(
                    request.language,
                    request.template,
                    context,
                    request.time_zone,
                    plan=plan,
                    obligation=request.obligation,
                )
                entry = await self._store.claim_outbox(
                    request.key,
                    message_id_for(request.key, self._settings.mail_domain),
                    request.kind,
                    request.org_nr or None,  # the municipality's own tasks: no provider
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
            sends = await self._uncertain_so_far(request.key, entry, now)
            if sends > self._settings.smtp_uncertain_resends:
                # Given up by an earlier attempt that then failed: finish that, never resend.
                return await self._give_up(request, entry, sends, now)
            message = build_message(
                self._settings,
                entry,
                request.at,
                {
                    "X-Lov-Kind": request.kind,
                    "X-Lov-Org-Nr": request.org_nr or None,
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
        except UncertainDelivery as err:
            assert entry is not None  # only sending raises it
            return await self._uncertain(request, entry, str(err), now)

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
        except (PermanentMailError, UncertainDelivery):
            raise
        except Exception as err:
            # Transient: the activity's retry policy backs off and tries again.
            error = f"{type(err).__name__}: {err}"
            await self._incidents.send_failed(now, error)
            await self._store.mark_retrying(key, error)
            raise

    # --- unknown outcomes ------------------------------------------------------------------

    def _delay(self, sends: int) -> timedelta:
        first = timedelta(minutes=self._settings.smtp_uncertain_delay_minutes)
        return uncertain_resend_delay(first, sends)

    @staticmethod
    def _noted_uncertain(key: str) -> int:
        n = 0
        while is_done(uncertain_step(key, n + 1)):
            n += 1
        return n

    async def _uncertain_so_far(self, key: str, entry: OutboxEntry, now: datetime) -> int:
        """How many sends of the e-mail had an unknown outcome. Raises, without sending, if the
        latest is too recent: the retry after it may come early (a worker died, the database
        failed)."""
        sends = entry.uncertain_sends
        if self._noted_uncertain(key) > sends:
            # Sent with unknown outcome, but the database missed it: note it, wait from now.
            entry = await self._store.mark_uncertain(key, entry.last_error or "", now)
            sends = max(entry.uncertain_sends, self._noted_uncertain(key))
        if not sends or sends > self._settings.smtp_uncertain_resends:
            return sends
        assert entry.uncertain_at is not None  # set with every count
        due = entry.uncertain_at + self._delay(sends)
        if now < due:
            raise ApplicationError(
                f"mail {key}: outcome of the last send unknown; resent at {due.isoformat()}",
                type=UNCERTAIN_DELIVERY,
                next_retry_delay=due - now,
            )
        return sends

    async def _uncertain(
        self, request: MailRequest, entry: OutboxEntry, error: str, now: datetime
    ) -> MailResult:
        """The relay may or may not have the message: resend later, or give up and tell."""
        sends = max(entry.uncertain_sends, self._noted_uncertain(request.key)) + 1
        mark_done(uncertain_step(request.key, sends))
        entry = await self._store.mark_uncertain(request.key, error, now)
        sends = max(sends, entry.uncertain_sends)
        if sends <= self._settings.smtp_uncertain_resends:
            delay = self._delay(sends)
            raise ApplicationError(
                f"mail {request.key}: no answer after the message was sent ({error}); "
                f"resent with the same Message-ID in {delay}",
                type=UNCERTAIN_DELIVERY,
                next_retry_delay=delay,
            )
        return await self._give_up(request, entry, sends, now)

    async def _give_up(
        self, request: MailRequest, entry: OutboxEntry, sends: int, now: datetime
    ) -> MailResult:
        """Sent as often as allowed, never answered: record it and tell the administrator
        that it may not have arrived; the row stays `uncertain`."""
        error = f"no answer after {sends} sends; the last: {entry.last_error or '?'}"
        await self._incidents.record_failure(
            request,
            PermanentMailError(error),
            message_id=entry.message_id,
            subject=entry.subject,
            at=now,
            reason=UNCERTAIN,
        )
        return self._undelivered(entry, error, uncertain=True)

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
    def _undelivered(
        entry: OutboxEntry | None, error: str, *, uncertain: bool = False
    ) -> MailResult:
        return MailResult(
            message_id=entry.message_id if entry else "",
            recipients=[],
            already_sent=False,
            delivered=False,
            failure=error,
            uncertain=uncertain,
        )
