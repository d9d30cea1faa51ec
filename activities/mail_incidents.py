"""What the mail activity does when mail does not go through: record it and tell a person.

- A permanent failure is recorded in `mail_failures` and the plan's administrator gets one
  notice (`mail-undeliverable`), through the outbox like any e-mail, so a retry never sends it
  twice. The workflow is not failed: it carries on with its next step.
- So is an e-mail sent as often as allowed without an answer (reason `uncertain`), with a
  notice saying that it may or may not have arrived (`mail-uncertain`).
- Transient failures extend the open outage in `mail_outages`; once sends have failed for
  longer than `LOV_MAIL_OUTAGE_THRESHOLD_HOURS` the outage is declared, and the first send that
  succeeds afterwards closes it and tells the administrator once (`mail-outage-over`).

Bookkeeping of outages is best effort: if the database is down too, the send itself still
fails and is retried; a lost outage note never blocks or duplicates an e-mail.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection

from activities.heartbeat import is_done, mark_done
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
from models.domain.mailsafe import check_email
from models.domain.orgnr import OrgNrError, normalize_org_nr
from models.messages.common import DataErrorReport
from models.messages.mail import MailRequest
from models.plans.loader import list_plans, load_plan
from models.plans.schema import Plan, Role
from models.records.mail_incidents import (
    REFUSED,
    MailFailureRecord,
    MailIncidentStore,
    MailOutageRecord,
)
from models.records.store import RecordStore
from models.runtime.settings import Settings

log = logging.getLogger("lovflow.mail")


def _org_nr_or_empty(value: str | None) -> str:
    """An org nr fit for the outbox, else "": the refused record's own data may be the
    problem, and the notice about it must not be refused in turn."""
    try:
        return value if value and normalize_org_nr(value) == value else ""
    except OrgNrError:
        return ""


UNDELIVERABLE = "mail-undeliverable"
UNCERTAIN_NOTICE = "mail-uncertain"
DATA_ERROR_NOTICE = "record-refused"
OUTAGE_OVER = "mail-outage-over"
DEFAULT_ADMIN_ROLE = "lov-admin"
# A worker that claimed the outage notice and died is taken over after this long.
NOTICE_LEASE = timedelta(minutes=5)


class MailIncidents:
    def __init__(
        self,
        settings: Settings,
        store: RecordStore,
        incidents: MailIncidentStore,
        renderer: Renderer,
        relay: SmtpRelay,
    ) -> None:
        self._settings = settings
        self._relay = relay
        self._store = store
        self._incidents = incidents
        self._renderer = renderer

    # --- permanent failures ----------------------------------------------------------------

    async def failure_of(self, key: str) -> MailFailureRecord | None:
        return await self._incidents.get_failure(key)

    async def record_failure(
        self,
        request: MailRequest,
        err: PermanentMailError,
        *,
        message_id: str | None,
        subject: str,
        at: datetime,
        reason: str = REFUSED,
    ) -> MailFailureRecord:
        failure = await self._incidents.record_failure(
            request.key,
            message_id=message_id,
            kind=request.kind,
            org_nr=request.org_nr,
            workflow_id=request.workflow_id,
            refused=err.refused,
            error=err.error,
            at=at,
            reason=reason,
        )
        if message_id is not None and not failure.uncertain:
            # Keeps a row that went out to the other recipients `sent` (mark_failed never
            # touches a sent row). An uncertain one stays `uncertain`: it may have arrived.
            await self._store.mark_failed(request.key, f"permanent: {err.error}")
        await self.report_failure(request, failure, subject)
        return failure

    async def report_failure(
        self, request: MailRequest, failure: MailFailureRecord, subject: str
    ) -> None:
        """Tell the administrator once; a retry finds the notice sent and does nothing."""
        if failure.notice_key is not None:
            return
        admin = self.administrator(request)
        if admin is None:
            log.error("mail %s refused and no administrator to tell: %s", failure, failure.error)
            return
        known = await self._store.get_outbox(request.key)
        key = f"{request.key}:undeliverable"
        await self._send_notice(
            key,
            UNCERTAIN_NOTICE if failure.uncertain else UNDELIVERABLE,
            admin,
            request,
            {
                "subject": subject,
                "kind": request.kind,
                "org_nr": request.org_nr,
                "provider_name": request.context.get("provider_name", ""),
                "obligation": request.obligation or "",
                "period": request.period or "",
                "refused": failure.refused or [],
                "error": failure.error,
                "at": failure.at.isoformat(),
                "workflow_id": request.workflow_id,
                "message_id": failure.message_id or "",
                "to": ", ".join(known.recipients) if known else "",
                "sends": known.uncertain_sends if known else 0,
            },
            failure.at,
        )
        await self._incidents.set_failure_notice(request.key, key)

    # --- records the database refused ------------------------------------------------------

    async def report_data_error(self, report: DataErrorReport) -> None:
        """Tell the administrator of the failing workflow's plan (the configured default plan's
        when the report does not say), once per `report.key`, that a record was refused for
        good and the workflow went on without it."""
        log.error(
            "%s (%s): %s refused for good, not retried: %s",
            report.workflow_id,
            report.workflow_type,
            report.activity,
            report.error,
        )
        plan = self._plan_of_report(report)
        request = MailRequest(
            key=report.key,
            kind=DATA_ERROR_NOTICE,
            template=DATA_ERROR_NOTICE,
            language=plan.language,
            to_roles=[plan.administrator_role],
            roles=plan.roles,
            org_nr=_org_nr_or_empty(report.org_nr),
            workflow_id=report.workflow_id,
            at=report.at,
            time_zone=plan.time_zone,
        )
        admin = self.administrator(request)
        if admin is None:
            log.error("no administrator to tell about %s", report.key)
            return
        context: dict[str, object] = {
            "workflow_id": report.workflow_id,
            "workflow_type": report.workflow_type,
            "activity": report.activity,
            "org_nr": report.org_nr or "",
            "error": report.error,
            "at": report.at.isoformat(),
        }
        await self._send_notice(report.key, DATA_ERROR_NOTICE, admin, request, context, report.at)

    # --- outages ---------------------------------------------------------------------------

    @property
    def _threshold(self) -> timedelta:
        return timedelta(hours=self._settings.mail_outage_threshold_hours)

    async def send_failed(self, at: datetime, error: str) -> None:
        try:
            outage = await self._incidents.note_send_failure(at, error, self._threshold)
        except Exception:  # the database may be down too; the send is retried anyway
            log.warning("could not record the mail outage", exc_info=True)
            return
        if outage.declared_at == at:
            log.error("mail outage since %s: %s", outage.started_at.isoformat(), error)

    async def outage_pending(self, connection: AsyncConnection) -> bool:
        """Whether `send_succeeded` has anything to do (asked in the sender's transaction)."""
        try:
            return await self._incidents.outage_pending(connection)
        except Exception:
            log.warning("could not check for a mail outage to close", exc_info=True)
            return False

    async def send_succeeded(self, request: MailRequest, at: datetime) -> None:
        """Close the open outage and send each declared outage's notice once."""
        try:
            over = await self._incidents.note_send_success(at)
            for outage in over:
                if await self._incidents.claim_outage_notice(outage.id, at, NOTICE_LEASE):
                    await self._notify_outage_over(request, outage, at)
                    await self._incidents.mark_outage_notified(outage.id, at)
        except Exception:
            # The e-mail itself is sent and recorded; the notice goes with the next send.
            log.warning("could not report the end of a mail outage", exc_info=True)

    async def _notify_outage_over(
        self, request: MailRequest, outage: MailOutageRecord, at: datetime
    ) -> None:
        admin = self.administrator(request)
        if admin is None:
            log.error("mail outage %s over; no administrator to tell", outage.id)
            return
        ended = outage.ended_at or at
        await self._send_notice(
            f"mail-outage-{outage.id}:over",
            OUTAGE_OVER,
            admin,
            request,
            {
                "started_at": outage.started_at.isoformat(),
                "last_failure_at": outage.last_failure_at.isoformat(),
                "ended_at": ended.isoformat(),
                "hours": round((ended - outage.started_at).total_seconds() / 3600, 1),
                "failures": outage.failures,
                "last_error": outage.last_error,
            },
            at,
        )

    # --- helpers ---------------------------------------------------------------------------

    def _plan_of_roles(self, roles: Mapping[str, Role]) -> Plan | None:
        """The plan whose roles these are (same role names, same administrator address).

        Requests carry the plan's roles but not which of them is the administrator; the plan
        whose roles they are says so."""
        plans_dir = Path(self._settings.plans_dir)
        for plan_id in list_plans(plans_dir):
            try:
                plan = load_plan(plan_id, plans_dir)
            except Exception:  # noqa: BLE001 - a broken plan file must not hide the notice
                continue
            admin = plan.roles.get(plan.administrator_role)
            if admin is None or set(plan.roles) != set(roles):
                continue
            if roles[plan.administrator_role].email == admin.email:
                return plan
        return None

    def _plan_of_report(self, report: DataErrorReport) -> Plan:
        """The failing workflow's plan: by its id, else by its roles (as for refused e-mails),
        else the configured default plan."""
        plans_dir = Path(self._settings.plans_dir)
        if report.plan_id:
            try:
                return load_plan(report.plan_id, plans_dir)
            except Exception:  # noqa: BLE001 - renamed or broken since: try the roles
                log.warning("plan %s of %s not readable", report.plan_id, report.workflow_id)
        plan = self._plan_of_roles(report.roles) if report.roles else None
        return plan or load_plan(self._settings.default_plan, plans_dir)

    def _administrator(self, request: MailRequest) -> str | None:
        """The e-mail address of the administrator of the plan the request comes from.
        Without a matching plan file (renamed since), the usual role name is tried."""
        plan = self._plan_of_roles(request.roles)
        if plan is not None:
            return plan.roles[plan.administrator_role].email
        role = request.roles.get(DEFAULT_ADMIN_ROLE)
        return role.email if role else None

    def administrator(self, request: MailRequest) -> str | None:
        """The administrator's address, if it is one address (models.domain.mailsafe): a notice must
        not become a way to add a header or a recipient either."""
        address = self._administrator(request)
        if address is None:
            return None
        try:
            return check_email(address)
        except ValueError:
            log.error("the administrator's address in the plan is not an e-mail address")
            return None

    async def _send_notice(
        self,
        key: str,
        template: str,
        to: str,
        request: MailRequest,
        context: dict[str, object],
        at: datetime,
    ) -> None:
        if is_done(accepted_step(key)):
            # Accepted by an earlier attempt that could not record it (database down).
            await self._store.mark_sent(key, at)
            return
        language = request.language if self._renderer.has(request.language, template) else "sv"
        subject, body = self._renderer.render(language, template, context, request.time_zone)
        entry = await self._store.claim_outbox(
            key,
            message_id_for(key, self._settings.mail_domain),
            template,
            request.org_nr or None,  # a refused record may belong to no provider
            request.workflow_id,
            request.obligation,
            request.period,
            [to],
            subject,
            body,
            at,
        )
        if entry.sent or entry.status == "uncertain":
            return  # a notice of unknown outcome is not resent: it most likely arrived
        try:
            message = build_message(
                self._settings,
                entry,
                at,
                {
                    "X-Lov-Kind": template,
                    "X-Lov-Org-Nr": request.org_nr or None,
                    "X-Lov-Workflow": request.workflow_id,
                },
            )
            await deliver(self._relay, message, list(entry.recipients))
        except PermanentMailError as err:
            # The administrator's own address is refused: recorded, and nobody left to tell.
            await self._incidents.record_failure(
                key,
                message_id=entry.message_id,
                kind=template,
                org_nr=request.org_nr or None,
                workflow_id=request.workflow_id,
                refused=err.refused,
                error=err.error,
                at=at,
            )
            await self._store.mark_failed(key, f"permanent: {err.error}")
            log.error("notice %s to the administrator refused: %s", key, err.error)
            return
        except UncertainDelivery as err:
            # The relay has it and did not answer in time. Resending would repeat the whole
            # backoff inside the e-mail it reports on; one copy most likely arrived.
            await self._store.mark_uncertain(key, str(err), at)
            log.error("notice %s to the administrator: outcome unknown: %s", key, err)
            return
        mark_done(accepted_step(key))
        await self._store.mark_sent(key, at)
