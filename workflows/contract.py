"""Contract workflow: one per provider contract (`contract-<orgnr>`), running for years.

Each run covers one follow-up year: it loads the plan through an activity (so a revised plan file
applies from the next year on, and the version each year used is recorded), opens one obligation
workflow per occurrence, and continues as new when the next year is prepared. History therefore
stays bounded however long the contract runs; what must survive (item statuses, plan versions, a
pending termination) is carried in the continue-as-new input.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities.opening import OpeningActivities
    from activities.plans import PlanActivities
    from activities.records import RecordActivities
    from models.domain.calendar import CalendarRules, MeetingWindow, Occurrence
    from models.ids import meeting_workflow_id, obligation_workflow_id, search_value
    from models.messages.common import DeadlineRequest, Provider, Termination
    from models.messages.contract import (
        ChangeContactRequest,
        ContactChange,
        ContractInput,
        ContractRecord,
        ContractStateRecord,
        ContractStatus,
        ContractYearRecord,
        LoadYearRequest,
        OpenObligations,
        RequestDutyRequest,
        TerminateRequest,
        YearPlan,
    )
    from models.messages.meeting import MeetingInput
    from models.messages.obligation import (
        CloseRequest,
        ItemStatus,
        ObligationInput,
        ObligationState,
        ObligationSummary,
    )
    from models.plans.schema import PROVIDER_ROLE
    from models.runtime import search_attributes as sa
    from workflows.action_keys import UNIQUE_KEYS_PATCH
    from workflows.common import (
        FollowedPlan,
        call,
        end_of_day,
        local_today,
    )
    from workflows.mail import mail_request, provider_under
    from workflows.meeting import MeetingWorkflow
    from workflows.obligation import OBLIGATION_CHANGED_SIGNAL, ObligationWorkflow
    from workflows.office_hours import HeldMail
    from workflows.records import record_audit
    from workflows.validation import require, require_text, require_valid

# Finished items older than this many years are folded into per-obligation counts, so the state
# carried across continue-as-new does not grow with the contract's age.
KEEP_DONE_YEARS = 2
# workflow.patched() ids: contracts whose history predates the follow-up meetings replay as before.
MEETINGS_PATCH = "open-meetings"
CLOSE_MEETINGS_PATCH = "close-meetings"
# UNIQUE_KEYS_PATCH: a contact change takes the revision in its audit key when it starts, so
# two changes in flight together no longer both write under the later revision (the second
# audit event was lost to the first's key).
# workflow.patched() id: a termination keeps every duty whose period began on or before the end
# date (it reports on contract time), not only those due by then (issue 16: ending on 30 June
# cancelled T2, the annual report and the årsredovisning while the notice said they were owed).
COVERED_PERIODS_PATCH = "termination-keeps-covered-periods"
# workflow.patched() id: duties of the registration year whose deadline had already passed are
# kept as "not requested" for the administrator to request (issue 16: a provider onboarded in
# December had nothing said of the year's past duties).
NOT_REQUESTED_PATCH = "not-requested-duties"
# workflow.patched() id: "contract-started" names who started the contract (ContractInput.actor)
# instead of "system".
START_ACTOR_PATCH = "contract-start-actor"
# workflow.patched() id: a contract started directly mails the provider a welcome with the
# year's duties and their dates, once they are opened (issue 16). Asked only for such a first
# run, so contracts from an approved application and older histories replay as before.
WELCOME_PATCH = "welcome-mail"


def item_key(obligation: str, period: str) -> str:
    return f"{obligation}/{period}"


@workflow.defn
class ContractWorkflow:
    @workflow.init
    def __init__(self, inp: ContractInput) -> None:
        self._in = inp
        self._provider = inp.provider
        self._items: dict[str, ItemStatus] = dict(inp.items)
        self._done_before: dict[str, int] = dict(inp.done_before)
        self._plan_versions: dict[int, str] = dict(inp.plan_versions)
        self._termination: Termination | None = inp.termination
        self._not_requested: dict[str, Occurrence] = dict(inp.not_requested)
        self._year = inp.year or inp.contract_start.year
        self._plan: YearPlan | None = None
        # What this run opened (for the welcome mail); not carried across continue-as-new.
        self._opened: list[Occurrence] = []
        self._opened_meetings: list[MeetingWindow] = []
        self._revision = 0
        self._ended = False
        # The provider hears of the administrator's actions in office hours (issue 16).
        self._held_mail = HeldMail()

    @workflow.run
    async def run(self, inp: ContractInput) -> ContractStatus:
        if inp.year is None:
            await call(
                RecordActivities.record_contract,
                ContractRecord(
                    workflow_id=self._wid,
                    provider=inp.provider,
                    plan_id=inp.plan_id,
                    contract_start=inp.contract_start,
                    at=workflow.now(),
                ),
            )
            # Asked only when the input names someone: histories from before carry no actor and
            # replay exactly as they ran.
            starter = (
                inp.actor
                if inp.actor is not None and workflow.patched(START_ACTOR_PATCH)
                else "system"
            )
            await self._audit("contract-started", starter, {"plan": inp.plan_id})
        self._upsert_search_attributes()
        plan = await self._prepare_year()
        if inp.year is None and inp.welcome and workflow.patched(WELCOME_PATCH):
            await self._welcome(plan)
        # Sleep until the next year is due to be prepared or the contract ends.
        while True:
            revision = self._revision
            end_at = self._end_at(plan.time_zone)
            target = plan.next_year_at if end_at is None else min(plan.next_year_at, end_at)
            delay = target - workflow.now()
            if delay <= timedelta(0):
                break
            try:
                await workflow.wait_condition(self._changed_since(revision), timeout=delay)
            except TimeoutError:
                break
        end_at = self._end_at(plan.time_zone)
        if end_at is not None and workflow.now() >= end_at:
            return await self._finish()
        await self._held_mail.settled()
        workflow.continue_as_new(self._next_input(self._year + 1))

    async def _prepare_year(self) -> YearPlan:
        inp = self._in
        plan = await call(
            PlanActivities.load_year,
            LoadYearRequest(
                plan_id=inp.plan_id,
                contract_start=inp.contract_start,
                # The first run lets the plan's time zone decide which year it is.
                year=inp.year,
                at=workflow.now(),
                end_date=self._termination.end_date if self._termination else None,
            ),
        )
        self._plan = plan
        self._year = plan.year
        self._plan_versions[self._year] = plan.plan_version
        await call(
            RecordActivities.record_contract_year,
            ContractYearRecord(
                workflow_id=self._wid,
                year=self._year,
                plan_id=plan.plan_id,
                plan_version=f"{plan.plan_version} ({plan.plan_digest})",
                at=workflow.now(),
            ),
        )
        now = workflow.now()
        owed = [
            occ
            for occ in plan.occurrences
            if item_key(occ.obligation, occ.period) not in self._items
            and self._owed_after_termination(plan, occ.obligation, occ.period, occ.due)
        ]
        # A contract registered late is not chased for deadlines that passed before it existed
        # here; they are listed as not requested, for the administrator to request.
        due = [occ for occ in owed if occ.schedule.deadline > now]
        past = [occ for occ in owed if occ.schedule.deadline <= now]
        if past and workflow.patched(NOT_REQUESTED_PATCH):
            for occ in past:
                self._not_requested.setdefault(item_key(occ.obligation, occ.period), occ)
        meetings = [w for w in plan.meetings if w.deadline > now and self._meeting_owed(w)]
        # A YearPlan recorded before the meetings existed has none, so that history replays
        # unchanged; the patch marker guards the new step for workers still on the old code.
        if meetings and not workflow.patched(MEETINGS_PATCH):
            meetings = []
        self._opened, self._opened_meetings = due, meetings
        if due or meetings:
            await call(
                OpeningActivities.open_obligations,
                OpenObligations(
                    obligations=[self._obligation_input(plan, occ) for occ in due],
                    meetings=[self._meeting_input(plan, w) for w in meetings],
                ),
            )
        return plan

    def _meeting_input(self, plan: YearPlan, window: MeetingWindow) -> MeetingInput:
        return MeetingInput(
            org_nr=self._provider.org_nr,
            provider_name=self._provider.name,
            contract_workflow_id=self._wid,
            plan_id=plan.plan_id,
            plan_version=plan.plan_version,
            language=plan.language,
            window=window,
            roles=plan.roles,
            administrator_role=plan.administrator_role,
            search_attributes=self._in.search_attributes,
            provider_ref=self._in.provider_ref,
        )

    def _meeting_owed(self, window: MeetingWindow) -> bool:
        """A meeting is owed unless the contract ends before its window opens."""
        t = self._termination
        return t is None or window.start <= t.end_date

    def _obligation_input(self, plan: YearPlan, occ: Occurrence) -> ObligationInput:
        org_nr = self._provider.org_nr
        wid = obligation_workflow_id(org_nr, occ.obligation, occ.period, self._in.provider_ref)
        self._items[item_key(occ.obligation, occ.period)] = ItemStatus(
            workflow_id=wid,
            obligation=occ.obligation,
            period=occ.period,
            due=occ.due,
            status=ObligationState.UPCOMING,
        )
        return ObligationInput(
            org_nr=org_nr,
            provider_name=self._provider.name,
            contract_workflow_id=self._wid,
            plan_id=plan.plan_id,
            plan_version=plan.plan_version,
            language=plan.language,
            occurrence=occ,
            obligation=plan.obligations[occ.obligation],
            rules=plan.rules[occ.obligation],
            roles=plan.roles,
            administrator_role=plan.administrator_role,
            search_attributes=self._in.search_attributes,
            provider_ref=self._in.provider_ref,
        )

    # --- termination --------------------------------------------------------------------------

    def _owed_after_termination(
        self, plan: YearPlan, obligation: str, period: str, due: date
    ) -> bool:
        t = self._termination
        if t is None or due <= t.end_date:
            return True
        # Not in the plan: a meeting's action item, which ends with the contract.
        ob = plan.obligations.get(obligation)
        if ob is None:
            return False
        if ob.after_termination == "keep":
            return True
        start = self._period_start(plan, obligation, period)
        if start is not None and start > t.end_date:
            return False  # entirely after the contract: cancelled
        return workflow.patched(COVERED_PERIODS_PATCH)

    @staticmethod
    def _period_start(plan: YearPlan, obligation: str, period: str) -> date | None:
        """When the duty's period began; None for an item of an earlier year than `plan`,
        whose period began before any end date the contract can still be given."""
        for occ in plan.occurrences:
            if occ.obligation == obligation and occ.period == period:
                return occ.period_start
        return None

    def _still_owed(
        self, plan: YearPlan, end_date: date, covered: bool
    ) -> list[str] | list[dict[str, str]]:
        """The termination notice's list: title and period of each duty still to be submitted.

        Patched runs hand the mail activity the title, key and period of each (as the welcome
        does), so the text names the period as the other e-mails do ("för räkenskapsåret
        2026" for an årsredovisning). Only the activity's input changes, never a command."""
        if not covered:  # as before the patch: keys of the items due by the end date
            return [
                f"{i.obligation} {i.period}"
                for i in self._items.values()
                if not i.status.terminal and i.due <= end_date
            ]
        return [
            {
                "title": self._title(plan, i.obligation),
                "obligation": i.obligation,
                "period": i.period,
            }
            for i in sorted(self._items.values(), key=lambda i: (i.due, i.obligation))
            if not i.status.terminal
            and self._owed_after_termination(plan, i.obligation, i.period, i.due)
        ]

    async def _welcome(self, plan: YearPlan) -> None:
        """The provider's first word from the follow-up: what is due this year, by when and to
        whom (the text is worded by the mail activity, templates/<language>/welcome.txt)."""
        admin = plan.roles[plan.administrator_role]

        def duty(occ: Occurrence) -> dict[str, str]:
            recipient = plan.roles.get(occ.recipient)
            return {
                "title": occ.title,
                "obligation": occ.obligation,
                "period": occ.period,
                "due": occ.due.isoformat(),
                "recipient_title": recipient.title if recipient else admin.title,
                "recipient_email": recipient.email if recipient else admin.email,
            }

        ladder = next(iter(plan.rules.values())).escalation if plan.rules else ()
        by_due = sorted(self._opened, key=lambda o: (o.due, o.title))
        past = sorted(self._not_requested.values(), key=lambda o: (o.due, o.title))
        await self._mail_provider(
            plan,
            "welcome",
            "welcome",
            [PROVIDER_ROLE],
            {
                "contract_start": self._in.contract_start.isoformat(),
                "year": str(plan.year),
                "duties": [duty(o) for o in by_due],
                "not_requested": [duty(o) for o in past],
                "meetings": [
                    {"period": w.period, "start": w.start.isoformat(), "end": w.due.isoformat()}
                    for w in self._opened_meetings
                ],
                "admin_title": admin.title,
                "admin_email": admin.email,
                # The plan's ladder (the same for every duty of a plan).
                "escalation_steps": [s.title for s in ladder],
            },
        )

    async def _mail_provider(
        self,
        plan: YearPlan,
        key: str,
        template: str,
        roles: list[str],
        context: dict[str, Any],
        kind: str | None = None,
        held: bool = True,
    ) -> None:
        """An e-mail about this contract, in the plan's language, naming the provider.
        `held`: it follows the administrator's action, so outside office hours it waits for
        them (workflows/office_hours.py); False for a reply to the provider's own action."""
        request = mail_request(
            key,
            template,
            roles,
            to=provider_under(plan, self._provider.org_nr),
            time_zone=plan.time_zone,
            context={"provider_name": self._provider.name, "org_nr": self._provider.org_nr}
            | context,
            kind=kind,
        )
        await self._held_mail.send(request, self._calendar(plan), hold=held)

    @staticmethod
    def _calendar(plan: YearPlan) -> CalendarRules | None:
        """The plan's calendar and office hours: from the year's plan, or (a year loaded
        before it carried one) from any of its duties, which share them."""
        return plan.calendar or next(iter(plan.rules.values()), None)

    @staticmethod
    def _title(plan: YearPlan, obligation: str) -> str:
        ob = plan.obligations.get(obligation)
        return ob.title if ob is not None else obligation

    def _end_at(self, time_zone: str) -> datetime | None:
        t = self._termination
        return end_of_day(t.end_date, time_zone) if t else None

    async def _finish(self) -> ContractStatus:
        self._ended = True
        await self._record_state()
        await self._audit("contract-ended", "system", {})
        self._upsert_search_attributes()
        await self._held_mail.settled()
        return self.status()

    @workflow.update
    async def terminate(self, request: TerminateRequest) -> ContractStatus:
        plan = self._plan
        assert plan is not None
        # Asked once, before the first await, so that the notice and the closing agree.
        covered = workflow.patched(COVERED_PERIODS_PATCH)
        self._termination = Termination(
            end_date=request.end_date,
            kind=request.kind,
            reason=request.reason,
            actor=request.actor,
            requested_at=workflow.now(),
        )
        self._revision += 1
        self._upsert_search_attributes()
        await self._record_state()
        await self._mail_provider(
            plan,
            "termination",
            f"termination-{request.kind}",
            [PROVIDER_ROLE, plan.administrator_role],
            {
                "end_date": request.end_date.isoformat(),
                "reason": request.reason,
                "by": request.by,
                "admin_title": plan.roles[plan.administrator_role].title,
                "admin_email": plan.roles[plan.administrator_role].email,
                "still_owed": self._still_owed(plan, request.end_date, covered),
            },
            kind="notice",
            # The confirmation of the provider's own uppsägning answers its action: at once.
            held=request.by != "utforare",
        )
        await self._audit(
            "contract-terminated",
            request.actor,
            {
                "kind": request.kind,
                "end_date": request.end_date.isoformat(),
                "reason": request.reason,
            },
        )
        closing = [
            i
            for i in self._items.values()
            if not i.status.terminal
            and not self._owed_after_termination(plan, i.obligation, i.period, i.due)
        ]
        reason = f"avtalet upphör {request.end_date.isoformat()}"
        for item in closing:
            if not await _close(item.workflow_id, ObligationWorkflow.close, reason):
                workflow.logger.info("obligation %s already closed", item.workflow_id)
        meetings = [w for w in plan.meetings if not self._meeting_owed(w)]
        if meetings and workflow.patched(CLOSE_MEETINGS_PATCH):
            for window in meetings:
                wid = meeting_workflow_id(
                    self._provider.org_nr, window.period, self._in.provider_ref
                )
                if not await _close(wid, MeetingWorkflow.close, reason):
                    # Never opened (a late contract) or already held.
                    workflow.logger.info("meeting %s not open", window.period)
        return self.status()

    @terminate.validator
    def _validate_terminate(self, request: TerminateRequest) -> None:
        require_valid(request)
        require_text(request.reason, "reason")
        require(
            request.kind == "uppsagning" or request.by == "kommun",
            "by: a hävning is always the municipality's (kommun)",
        )
        require(self._plan is not None, "contract: not ready yet, try again in a moment")
        require(self._termination is None, "contract: already terminated")
        assert self._plan is not None
        require(
            request.end_date >= self._in.contract_start,
            "end_date: must not be before the contract start",
        )
        require(
            request.end_date >= local_today(self._plan.time_zone),
            "end_date: must not be in the past",
        )

    @workflow.update
    async def change_contact(self, request: ChangeContactRequest) -> ContractStatus:
        unique = workflow.patched(UNIQUE_KEYS_PATCH)
        self._provider = Provider(
            org_nr=self._provider.org_nr,
            name=request.name or self._provider.name,
            email=request.email,
        )
        changed = self._provider
        self._revision += 1
        # Revisions only count up and old runs only ever used one already reached, so the
        # reserved one cannot repeat an old "contact-changed:RUN:REVISION" key either.
        revision = self._revision if unique else None
        await call(
            RecordActivities.record_contact,
            ContactChange(
                org_nr=self._provider.org_nr,
                name=self._provider.name,
                email=self._provider.email,
                at=workflow.now(),
            ),
        )
        # Patched: the name this change set (another change may have set its own since).
        name = changed.name if unique else self._provider.name
        await self._audit("contact-changed", request.actor, {"name": name}, revision)
        return self.status()

    @change_contact.validator
    def _validate_change_contact(self, request: ChangeContactRequest) -> None:
        require_valid(request)
        email = request.email.strip()
        require(
            "@" in email and " " not in email and not email.startswith("@") and "." in email,
            f"email: {request.email!r} is not an e-mail address",
        )
        require(request.name is None or bool(request.name.strip()), "name: must not be empty")
        require(not self._ended, "contract: has ended")

    @workflow.update
    async def request_duty(self, request: RequestDutyRequest) -> ContractStatus:
        plan = self._plan
        assert plan is not None
        # Taken out before the first await: a second request for the same duty is refused.
        occ = self._not_requested.pop(item_key(request.obligation, request.period), None)
        if occ is None:  # two requests validated in one activation: the second finds it gone
            raise ApplicationError(
                f"period: {request.obligation} {request.period} already requested",
                non_retryable=True,
            )
        self._revision += 1
        revision = self._revision
        schedule = await call(
            PlanActivities.date_deadline,
            DeadlineRequest(rules=plan.rules[request.obligation], due=request.due),
        )
        requested = occ.model_copy(
            update={"nominal_due": request.due, "due": schedule.due, "schedule": schedule}
        )
        await call(
            OpeningActivities.open_obligations,
            OpenObligations(obligations=[self._obligation_input(plan, requested)]),
        )
        await self._audit(
            "duty-requested",
            request.actor,
            {
                "obligation": request.obligation,
                "period": request.period,
                "due": schedule.due.isoformat(),
            },
            revision,
        )
        return self.status()

    @request_duty.validator
    def _validate_request_duty(self, request: RequestDutyRequest) -> None:
        require_valid(request)
        require(not self._ended, "contract: has ended")
        require(self._plan is not None, "contract: not ready yet, try again in a moment")
        assert self._plan is not None
        key = item_key(request.obligation, request.period)
        require(
            key in self._not_requested,
            f"period: {request.obligation} {request.period} is not a duty awaiting a request"
            + (
                f" (not requested: {', '.join(sorted(self._not_requested))})"
                if self._not_requested
                else ""
            ),
        )
        require(
            request.obligation in self._plan.rules,
            f"obligation: {request.obligation} is no longer in the plan",
        )
        require(
            request.due >= local_today(self._plan.time_zone),
            "due: must not be in the past",
        )

    @workflow.signal(name=OBLIGATION_CHANGED_SIGNAL)
    def obligation_changed(self, item: ItemStatus) -> None:
        self._items[item_key(item.obligation, item.period)] = item

    def followed_plan(self) -> FollowedPlan:
        """workflows.common.FollowsPlan: where a record refused for good is reported."""
        return self._in.plan_id, None

    @workflow.query
    def status(self) -> ContractStatus:
        summary: dict[str, ObligationSummary] = {}
        keys = sorted({i.obligation for i in self._items.values()} | set(self._done_before))
        for key in keys:
            items = sorted(
                (i for i in self._items.values() if i.obligation == key), key=lambda i: i.due
            )
            summary[key] = ObligationSummary(
                open=[i for i in items if not i.status.terminal and not i.overdue],
                overdue=[i for i in items if not i.status.terminal and i.overdue],
                done=[i for i in items if i.status.terminal],
                done_earlier=self._done_before.get(key, 0),
            )
        return ContractStatus(
            workflow_id=self._wid,
            provider=self._provider,
            plan_id=self._in.plan_id,
            contract_start=self._in.contract_start,
            year=self._year,
            state=self._state,
            termination=self._termination,
            plan_versions=dict(self._plan_versions),
            obligations=summary,
            time_zone=self._plan.time_zone if self._plan else "Europe/Stockholm",
            not_requested=sorted(self._not_requested.values(), key=lambda o: o.due),
            mail_held=self._held_mail.status(),
        )

    # --- helpers ------------------------------------------------------------------------------

    def _changed_since(self, revision: int) -> Callable[[], bool]:
        """A wait condition: an update or signal has changed the state since `revision`."""
        return lambda: self._revision != revision

    @property
    def _wid(self) -> str:
        return workflow.info().workflow_id

    @property
    def _state(self) -> Any:
        if self._termination is None:
            return "active"
        return "terminated" if self._ended else "terminating"

    def _next_input(self, year: int) -> ContractInput:
        done_before = dict(self._done_before)
        items: dict[str, ItemStatus] = {}
        for key, item in self._items.items():
            if item.status.terminal and item.due.year < year - KEEP_DONE_YEARS:
                done_before[item.obligation] = done_before.get(item.obligation, 0) + 1
            else:
                items[key] = item
        return ContractInput(
            provider=self._provider,
            contract_start=self._in.contract_start,
            plan_id=self._in.plan_id,
            search_attributes=self._in.search_attributes,
            year=year,
            items=items,
            done_before=done_before,
            plan_versions={y: v for y, v in self._plan_versions.items() if y >= year - 10},
            termination=self._termination,
            provider_ref=self._in.provider_ref,
            not_requested=self._not_requested,
        )

    def _upsert_search_attributes(self) -> None:
        if self._in.search_attributes:
            workflow.upsert_search_attributes(
                [
                    sa.KIND.value_set("contract"),
                    sa.ORG_NR.value_set(search_value(self._provider.org_nr, self._in.provider_ref)),
                    sa.STATUS.value_set(self._state),
                ]
            )

    async def _record_state(self) -> None:
        await call(
            RecordActivities.record_contract_state,
            ContractStateRecord(
                workflow_id=self._wid,
                org_nr=self._provider.org_nr,
                state=self._state,
                at=workflow.now(),
                termination=self._termination,
            ),
        )

    async def _audit(
        self, event: str, actor: str, details: dict[str, Any], revision: int | None = None
    ) -> None:
        """`revision`: the one the action took when it started; otherwise the current one."""
        revision = self._revision if revision is None else revision
        await record_audit(
            f"{event}:{workflow.info().run_id}:{revision}",
            workflow.now(),
            self._provider.org_nr,
            event,
            actor,
            details,
        )


async def _close(workflow_id: str, signal: Any, reason: str) -> bool:
    """Tell an obligation or a meeting that the contract no longer owes it; False when it is
    not running (already done, or never opened)."""
    try:
        await workflow.get_external_workflow_handle(workflow_id).signal(
            signal, CloseRequest(reason=reason)
        )
    except FailureError:
        return False
    return True
