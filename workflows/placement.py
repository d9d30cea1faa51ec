"""Placement workflow: one granted decision (biståndsbeslut), `placement-<generated id>`.

The customer chooses a provider among those approved for the area and service type (or declines,
and the rotation workflow assigns the provider next in turn; it does the same when the choice is
not made in time). The provider is told and the start confirmed; the genomförandeplan is then due
within the plan's days of the start, with reminders and the plan's escalation ladder. The
customer may switch at any time: the switch takes effect within the plan's window, both providers
are told, and the genomförandeplan clock restarts with the new provider. When a provider's
contract is terminated its customers are asked to choose again (the termination hook signals
`provider_terminated`), with the rotation list as the fallback.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities.placement import PlacementActivities
    from models.domain.calendar import DeadlineSchedule
    from models.ids import rotation_workflow_id, search_value
    from models.messages.placement import (
        Assignment,
        AssignRequest,
        CarePlan,
        CarePlanDoneRequest,
        ChooseRequest,
        EndRequest,
        LoadPlacementPlan,
        PendingSwitch,
        PlacementInput,
        PlacementPlan,
        PlacementReport,
        PlacementState,
        PlacementStatus,
        PlacementSummary,
        PlacementWrite,
        ProviderTerminated,
        SwitchRequest,
    )
    from models.plans.schema import PROVIDER_ROLE
    from models.runtime import search_attributes as sa
    from workflows.common import (
        FollowedPlan,
        call,
        end_of_day,
        local_today,
    )
    from workflows.mail import mail_request, provider_under
    from workflows.office_hours import HeldMail, wait_for_office_hours
    from workflows.records import add_note
    from workflows.timed_steps import (
        TimedAction,
        date_deadline,
        deadline_or_escalation,
        next_reminder,
        run_timed_steps,
    )
    from workflows.validation import require, require_org_nr, require_text, require_valid

# workflow.patched() id: an assignment takes its number (its key on the rotation list) when it
# starts, and nothing the run loop does waits on a deadline while a choice or switch is asking the
# list. Before it the choice deadline could fire during a customer's choice, ask under the same
# key, get the same provider and take it again (a switch from the provider to itself).
UNIQUE_ASSIGN_PATCH = "placement-unique-assign"
# workflow.patched() id: the assignment names the day the provider takes over, so the rotation
# list passes over providers whose contract has not started by then (issue 16).
ASSIGN_ON_PATCH = "assign-on-start-date"
# workflow.patched() id: the customer's choice deadline moves to a business day like every
# deadline (issue 16: it fell on a Sunday).
CHOICE_DUE_PATCH = "choice-due-business-day"
# workflow.patched() id: e-mails this workflow's own timers and hooks send (the rotation's
# assignment at the choice deadline, i.e. midnight; a re-choice request; no provider on the
# list) wait for the plan's next office-hours moment (workflows/office_hours.py; issue 16).
# Replies to a person's own action (a choice registered by the case officer) still go at once.
OFFICE_HOURS_PATCH = "mail-office-hours"
# workflow.patched() id: the placement's row in the records names its plan, so a placement
# awaiting a choice is listed under its plan (`lov placement list --plan`; issue 20).
RECORD_PLAN_PATCH = "placement-record-plan"

# Why the customer must choose again, shown to the case officer in the plan's language (mail,
# status, records). Only a state string and activity inputs: no command changes, replay-safe.
_RECHOICE_REASON = {
    "sv": "avtalet med {org_nr} upphör {end}",
    "da": "kontrakten med {org_nr} ophører {end}",
}


@workflow.defn
class PlacementWorkflow:
    @workflow.init
    def __init__(self, inp: PlacementInput) -> None:
        self._in = inp
        self._plan: PlacementPlan | None = None
        # E-mails a person's action causes reach the provider in office hours (issue 16).
        self._held_mail = HeldMail()
        self._registered = False
        self._state = PlacementState.AWAITING_CHOICE
        self._provider: Assignment | None = None
        self._provider_start: date | None = None
        self._choice_due: date | None = None
        self._rechoice_reason: str | None = None
        self._rechoice_notice = False  # a re-choice request still to be mailed
        self._date_choices = False  # patched: choice deadlines are moved to a business day
        self._choice_undated = False  # a new choice deadline still to be moved
        self._terminated: set[str] = set()
        self._pending: PendingSwitch | None = None
        self._pending_schedule: DeadlineSchedule | None = None
        self._assignments = 0
        self._busy = False  # an update is waiting for the rotation workflow
        # The genomförandeplan of the current provider: one "round" per provider start.
        self._care: CarePlan | None = None
        self._schedule: DeadlineSchedule | None = None
        self._round = 0
        self._round_opened_at = workflow.now()
        self._reminded: set[int] = set()
        self._end_date: date | None = None
        self._history: list[str] = []
        self._revision = 0

    # --- main loop ------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: PlacementInput) -> PlacementStatus:
        self._plan = await call(
            PlacementActivities.load_placement_plan, LoadPlacementPlan(plan_id=inp.plan_id)
        )
        self._date_choices = workflow.patched(CHOICE_DUE_PATCH)
        self._choice_due = self._today() + timedelta(days=self._p.choice_days)
        if self._date_choices:
            self._choice_due = await self._business_day(self._choice_due)
        await self._report("registered", inp.actor, {"choice_due": self._choice_due.isoformat()})
        self._registered = True
        await run_timed_steps(
            self,
            lambda: self._state is PlacementState.ENDED,
            # A choice or switch fell in the same moment and is asking the rotation list: plan
            # again once it has its answer (the deadline may then have nothing to do).
            hold=lambda _: self._busy and workflow.patched(UNIQUE_ASSIGN_PATCH),
        )
        await self._held_mail.settled()
        return self.status()

    def _next_action(self) -> TimedAction | None:
        if self._busy or self._state is PlacementState.ENDED:
            return None
        tz = self._p.time_zone
        # Kinds: "date-choice" | "rechoice-notice" | "choice-deadline" | "switch" | "end" | ...
        candidates: list[TimedAction | None] = []
        if self._choice_undated:  # first, so the re-choice notice carries the moved date
            candidates.append(TimedAction(workflow.now(), "date-choice"))
        if self._rechoice_notice:
            candidates.append(TimedAction(workflow.now(), "rechoice-notice"))
        if self._state is PlacementState.AWAITING_CHOICE and self._choice_due is not None:
            candidates.append(TimedAction(end_of_day(self._choice_due, tz), "choice-deadline"))
        if self._pending is not None:
            start = end_of_day(self._pending.effective - timedelta(days=1), tz)
            candidates.append(TimedAction(start, "switch"))
        if self._end_date is not None:
            candidates.append(TimedAction(end_of_day(self._end_date, tz), "end"))
        care, s = self._care, self._schedule
        if care is not None and s is not None and care.done_on is None:
            candidates += [
                next_reminder(s, self._reminded, self._round_opened_at, "reminder"),
                deadline_or_escalation(s, care.overdue, care.escalation_level),
            ]
        found = [a for a in candidates if a is not None]
        return min(found, key=lambda a: a.at) if found else None

    async def _perform(self, action: TimedAction) -> None:
        if action.kind == "date-choice":
            self._choice_undated = False
            if self._choice_due is not None:
                self._choice_due = await self._business_day(self._choice_due)
        elif action.kind == "rechoice-notice":
            self._rechoice_notice = False
            assert self._provider is not None
            await self._mail(
                "placement-rechoice",
                [self._p.case_officer_role],
                f"rechoice:{self._provider.org_nr}",
                self._provider.org_nr,
                office_hours=True,
            )
            await self._report("rechoice_requested", "system", {"reason": self._rechoice_reason})
        elif action.kind == "choice-deadline":
            # The customer has not chosen in time: the turordningslista applies.
            self._choice_due = None
            try:
                assignment = await self._assign(None)
            except ApplicationError as err:
                await self._report("rotation_failed", "system", {"error": err.message})
                org_nr = self._provider.org_nr if self._provider else None
                if org_nr is not None:
                    await self._mail(
                        "placement-no-provider",
                        [self._p.administrator_role],
                        "no-provider",
                        org_nr,
                        office_hours=True,
                    )
                return
            await self._take(assignment, None, "system")
        elif action.kind == "switch":
            await self._complete_switch()
        elif action.kind == "end":
            self._state = PlacementState.ENDED
            self._revision += 1
            await self._report("ended", "system", {"end_date": str(self._end_date)})
        else:
            await self._care_plan_action(action)

    async def _care_plan_action(self, action: TimedAction) -> None:
        care, s = self._care, self._schedule
        assert care is not None and s is not None
        if action.kind == "reminder":
            self._reminded.add(action.index)
            await self._mail(
                "care-plan-reminder",
                [PROVIDER_ROLE],
                f"care-plan:{self._round}:reminder:{action.index}",
                care.org_nr,
            )
            await self._report("care_plan_reminder", "system", {"due": care.due.isoformat()})
        elif action.kind == "deadline":
            self._care = care.model_copy(update={"overdue": True})
            await self._report("care_plan_overdue", "system", {"due": care.due.isoformat()})
        else:
            step = s.escalations[action.index]
            self._care = care.model_copy(update={"escalation_level": step.level})
            await self._mail(
                "care-plan-escalation",
                list(step.notify),
                f"care-plan:{self._round}:escalation:{step.level}",
                care.org_nr,
                kind=f"care-plan-{step.kind}",
                escalation=step.title,
                level=step.level,
            )
            await self._report(f"care_plan_escalation_{step.level}", "system", {"kind": step.kind})

    # --- updates ----------------------------------------------------------------------------

    @workflow.update
    async def choose(self, request: ChooseRequest) -> PlacementStatus:
        assignment = await self._assign(request.provider)
        await self._take(assignment, None, request.actor)
        return self.status()

    @choose.validator
    def _validate_choose(self, request: ChooseRequest) -> None:
        require_valid(request)
        self._require_ready(request.actor)
        require(
            self._state is PlacementState.AWAITING_CHOICE,
            "status: the customer has a provider; use switch to change it",
        )
        if request.provider is not None:
            require_org_nr(request.provider, "provider")
        if request.provider is not None and self._provider is not None:
            require(
                request.provider != self._provider.org_nr,
                f"provider: {request.provider} is the provider whose contract ends",
            )

    @workflow.update
    async def switch(self, request: SwitchRequest) -> PlacementStatus:
        assignment = await self._assign(request.provider)
        await self._take(assignment, request.effective, request.actor)
        return self.status()

    @switch.validator
    def _validate_switch(self, request: SwitchRequest) -> None:
        require_valid(request)
        self._require_ready(request.actor)
        require(
            self._state is PlacementState.ACTIVE and self._provider is not None,
            "status: the customer has no provider yet; use choose",
        )
        assert self._provider is not None
        require_org_nr(request.provider, "provider")
        require(
            request.provider != self._provider.org_nr,
            f"provider: {request.provider} is already the customer's provider",
        )
        require(
            self._pending is None,
            "status: a switch is already under way"
            + (f" (to {self._pending.org_nr})" if self._pending else ""),
        )
        require(self._end_date is None, "status: the placement is ending")
        if request.effective is not None:
            low, high = self._switch_window()
            require(
                low <= request.effective <= high,
                f"effective: must be between {low.isoformat()} and {high.isoformat()}",
            )

    @workflow.update
    async def care_plan_done(self, request: CarePlanDoneRequest) -> PlacementStatus:
        care = self._care
        assert care is not None
        done_on = request.done_on or self._today()
        self._care = care.model_copy(update={"done_on": done_on})
        self._revision += 1
        late_days = max(0, (done_on - care.due).days)
        await self._report(
            "care_plan_done", request.actor, {"done_on": done_on.isoformat(), "late": late_days}
        )
        return self.status()

    @care_plan_done.validator
    def _validate_care_plan_done(self, request: CarePlanDoneRequest) -> None:
        require_valid(request)
        self._require_ready(request.actor)
        care = self._care
        require(care is not None, "status: no provider has started yet")
        assert care is not None
        require(care.done_on is None, "status: the genomförandeplan is already registered")
        if request.done_on is not None:
            require(request.done_on <= self._today(), "done_on: must not be in the future")
            require(request.done_on >= care.start, "done_on: before the provider's start")

    @workflow.update
    async def end(self, request: EndRequest) -> PlacementStatus:
        self._end_date = request.end_date or self._today()
        self._pending = None
        self._pending_schedule = None
        self._revision += 1
        if self._provider is not None:
            await self._mail(
                "placement-ended",
                [PROVIDER_ROLE],
                "ended",
                self._provider.org_nr,
                held=True,
                reason=request.reason,
            )
        await self._report(
            "ending",
            request.actor,
            {"end_date": self._end_date.isoformat(), "reason": request.reason},
        )
        return self.status()

    @end.validator
    def _validate_end(self, request: EndRequest) -> None:
        require_valid(request)
        self._require_ready(request.actor)
        require_text(request.reason, "reason")
        require(self._end_date is None, "status: the placement is already ending")
        if request.end_date is not None:
            require(request.end_date >= self._today(), "end_date: must not be in the past")

    @workflow.signal
    def provider_terminated(self, notice: ProviderTerminated) -> None:
        """From the termination hook: the provider's contract ends; the customer chooses again."""
        if self._state is PlacementState.ENDED or notice.org_nr in self._terminated:
            return
        self._terminated.add(notice.org_nr)
        if self._pending is not None and self._pending.org_nr == notice.org_nr:
            # A switch to the leaving provider is off; the customer chooses again.
            self._pending = None
            self._pending_schedule = None
            self._state = PlacementState.AWAITING_CHOICE
        elif (
            self._provider is not None
            and self._provider.org_nr == notice.org_nr
            and self._pending is None
        ):
            self._state = PlacementState.AWAITING_CHOICE
        else:
            return
        self._choice_due = self._today() + timedelta(days=self._p.choice_days)
        self._choice_undated = self._date_choices
        self._rechoice_reason = _RECHOICE_REASON.get(
            self._p.language, _RECHOICE_REASON["sv"]
        ).format(org_nr=notice.org_nr, end=notice.end_date.isoformat())
        self._rechoice_notice = self._provider is not None
        self._revision += 1

    def followed_plan(self) -> FollowedPlan:
        """workflows.common.FollowsPlan: where a record refused for good is reported."""
        return self._in.plan_id, None

    @workflow.query
    def status(self) -> PlacementStatus:
        inp, p = self._in, self._provider
        return PlacementStatus(
            placement_id=self._wid,
            plan_id=inp.plan_id,
            registered=self._registered,
            customer_ref=inp.customer_ref,
            area=inp.area,
            service_type=inp.service_type,
            granted_hours=inp.granted_hours,
            decision_date=inp.decision_date,
            state=self._state,
            provider=p.org_nr if p else None,
            provider_name=p.name if p else None,
            provider_start=self._provider_start,
            via=p.via if p else None,
            choice_due=self._choice_due if self._state is PlacementState.AWAITING_CHOICE else None,
            rechoice_reason=self._rechoice_reason,
            pending_switch=self._pending,
            care_plan=self._care,
            end_date=self._end_date,
            history=list(self._history),
            mail_held=self._held_mail.status(),
        )

    # --- assignment ---------------------------------------------------------------------------

    async def _assign(self, chosen: str | None) -> Assignment:
        """The provider: the customer's choice (checked against the list) or the next in turn."""
        if workflow.patched(UNIQUE_ASSIGN_PATCH):
            # The number is taken before the first await, so no other assignment can read it,
            # and the run loop plans again (with nothing automatic while this one is busy).
            self._assignments += 1
            number = self._assignments
            self._revision += 1
        else:
            number = self._assignments + 1
        on_day = workflow.patched(ASSIGN_ON_PATCH)
        self._busy = True
        try:
            return await call(
                PlacementActivities.assign_provider,
                AssignRequest(
                    key=f"{self._wid}:assign:{number}",
                    plan_id=self._in.plan_id,
                    area=self._in.area,
                    service_type=self._in.service_type,
                    chosen=chosen,
                    exclude=self._provider.org_nr if self._provider else None,
                    on=max(self._in.start, self._today()) if on_day else None,
                ),
            )
        except ActivityError as err:
            # The rotation workflow refused (the provider left the list meanwhile): nothing
            # changed here; the caller hears why.
            cause = err.cause
            message = cause.message if isinstance(cause, ApplicationError) else str(err)
            raise ApplicationError(message, non_retryable=True) from None
        finally:
            self._busy = False
            self._revision += 1

    async def _take(self, assignment: Assignment, effective: date | None, actor: str) -> None:
        if not workflow.patched(UNIQUE_ASSIGN_PATCH):
            self._assignments += 1  # patched: counted when the assignment started
        self._choice_due = None
        self._state = PlacementState.ACTIVE
        self._revision += 1
        details = {"provider": assignment.org_nr, "via": assignment.via}
        # The rotation's assignment at the choice deadline is no one's action: office hours.
        timed = actor == "system"
        if self._provider is None:
            start = max(self._in.start, self._today())
            await self._begin_service(assignment, start)
            await self._mail(
                "placement-new",
                [PROVIDER_ROLE],
                "new:1",
                assignment.org_nr,
                office_hours=timed,
                held=not timed,
            )
            await self._report("assigned", actor, {**details, "start": start.isoformat()})
            return
        old = self._provider
        effective = effective or self._switch_window()[0]
        self._pending = PendingSwitch(
            org_nr=assignment.org_nr,
            name=assignment.name,
            effective=effective,
            via=assignment.via,
            requested_at=workflow.now(),
            ref=assignment.ref,
        )
        self._pending_schedule = await self._date_care_plan(effective)
        n = self._assignments
        await self._mail(
            "placement-switch-out",
            [PROVIDER_ROLE],
            f"switch:{n}:out",
            old.org_nr,
            office_hours=timed,
            held=not timed,
        )
        await self._mail(
            "placement-switch-in",
            [PROVIDER_ROLE],
            f"switch:{n}:in",
            assignment.org_nr,
            office_hours=timed,
            held=not timed,
        )
        await self._report(
            "switch_requested", actor, {**details, "from": old.org_nr, "effective": str(effective)}
        )

    async def _complete_switch(self) -> None:
        pending, schedule = self._pending, self._pending_schedule
        assert pending is not None and schedule is not None
        old = self._provider
        self._pending = None
        self._pending_schedule = None
        await self._begin_service(
            Assignment(
                org_nr=pending.org_nr,
                name=pending.name,
                via=pending.via,
                sequence=0,
                ref=pending.ref,
            ),
            pending.effective,
            schedule,
        )
        await self._report(
            "switched",
            "system",
            {"from": old.org_nr if old else None, "to": pending.org_nr},
        )

    async def _begin_service(
        self, assignment: Assignment, start: date, schedule: DeadlineSchedule | None = None
    ) -> None:
        """The provider starts: the genomförandeplan clock (re)starts from `start`."""
        self._provider = assignment
        self._provider_start = start
        self._schedule = schedule or await self._date_care_plan(start)
        self._round += 1
        self._round_opened_at = workflow.now()
        self._reminded = set()
        self._care = CarePlan(org_nr=assignment.org_nr, start=start, due=self._schedule.due)
        self._revision += 1

    async def _date_care_plan(self, start: date) -> DeadlineSchedule:
        return await date_deadline(self._p.rules, start + timedelta(days=self._p.care_plan_days))

    # --- helpers ------------------------------------------------------------------------------

    @property
    def _p(self) -> PlacementPlan:
        assert self._plan is not None, "the plan is loaded before any handler runs"
        return self._plan

    @property
    def _wid(self) -> str:
        return workflow.info().workflow_id

    async def _business_day(self, day: date) -> date:
        """`day`, or the next business day of the plan's calendar (an activity: the holiday
        tables stay out of workflow code)."""
        return (await date_deadline(self._p.rules, day)).due

    def _today(self) -> date:
        return local_today(self._p.time_zone)

    def _switch_window(self) -> tuple[date, date]:
        today = self._today()
        return (
            today + timedelta(days=self._p.switch_min_days),
            today + timedelta(days=self._p.switch_max_days),
        )

    def _require_ready(self, actor: str) -> None:
        require_text(actor, "actor")
        require(self._registered, "status: the placement is still being registered")
        require(self._state is not PlacementState.ENDED, "status: the placement has ended")
        require(not self._busy, "status: another change is under way; try again in a moment")

    def _context(self, org_nr: str) -> dict[str, Any]:
        plan, inp = self._p, self._in
        admin = plan.roles[plan.administrator_role]
        officer = plan.roles[plan.case_officer_role]
        care, pending = self._care, self._pending
        ladder = self._schedule.escalations if self._schedule else ()
        names = {a.org_nr: a.name for a in (self._provider,) if a is not None}
        if pending is not None:
            names[pending.org_nr] = pending.name
        return {
            "placement_id": self._wid,
            "customer_ref": inp.customer_ref,
            "area": inp.area,
            "service_type": inp.service_type,
            "granted_hours": str(inp.granted_hours),
            "decision_date": inp.decision_date.isoformat(),
            "org_nr": org_nr,
            "provider_name": names.get(org_nr, org_nr),
            "start": self._provider_start.isoformat() if self._provider_start else "",
            "care_plan_days": plan.care_plan_days,
            "care_plan_due": care.due.isoformat() if care else "",
            "switch_effective": pending.effective.isoformat() if pending else "",
            "switch_last_day": (
                (pending.effective - timedelta(days=1)).isoformat() if pending else ""
            ),
            "switch_to": pending.name or pending.org_nr if pending else "",
            "switch_care_plan_due": (
                self._pending_schedule.due.isoformat() if self._pending_schedule else ""
            ),
            "choice_due": self._choice_due.isoformat() if self._choice_due else "",
            "rechoice_reason": self._rechoice_reason or "",
            "end_date": self._end_date.isoformat() if self._end_date else "",
            "admin_title": admin.title,
            "admin_email": admin.email,
            "officer_title": officer.title,
            "officer_email": officer.email,
            "escalation_steps": [s.title for s in ladder],
            "days_overdue": (
                max(0, (workflow.now() - self._schedule.deadline).days + 1) if self._schedule else 0
            ),
        }

    async def _mail(
        self, template: str, roles: list[str], key: str, org_nr: str, **extra: Any
    ) -> None:
        """`office_hours`: sent by the workflow's own timer, it waits here for office hours;
        `held`: caused by a person's action (the case officer registering a choice, a switch,
        an end), it is held for office hours without holding up the Update
        (workflows/office_hours.py): the provider did not act."""
        plan = self._p
        kind = extra.pop("kind", template)
        if extra.pop("office_hours", False) and workflow.patched(OFFICE_HOURS_PATCH):
            await wait_for_office_hours(self._p.rules)
        held = extra.pop("held", False)
        request = mail_request(
            key,
            template,
            roles,
            to=provider_under(plan, org_nr),
            time_zone=plan.time_zone,
            context={**self._context(org_nr), **extra},
            kind=kind,
        )
        await self._held_mail.send(request, plan.rules, hold=held)

    async def _report(self, event: str, actor: str, details: dict[str, Any]) -> None:
        """One outcome: history note, search attributes, records, and the rotation's view."""
        inp, p, care = self._in, self._provider, self._care
        now = workflow.now()
        # Safe without unique-action-keys: the note is appended and the count read for the
        # audit key below with no await in between, so concurrent outcomes get distinct numbers.
        number = add_note(self._history, now, event, actor)
        if inp.search_attributes:
            workflow.upsert_search_attributes(
                [
                    sa.STATUS.value_set(self._state.value),
                    *([sa.ORG_NR.value_set(search_value(p.org_nr, p.ref))] if p else []),
                    *([sa.DUE.value_set(self._schedule.deadline)] if self._schedule else []),
                ]
            )
        current = care is not None and care.done_on is not None
        await call(
            PlacementActivities.record_placement,
            PlacementReport(
                write=PlacementWrite(
                    placement_id=self._wid,
                    customer_ref=inp.customer_ref,
                    area=inp.area,
                    service_type=inp.service_type,
                    granted_hours=inp.granted_hours,
                    decision_date=inp.decision_date,
                    status=self._state,
                    org_nr=p.org_nr if p else None,
                    pending_org_nr=self._pending.org_nr if self._pending else None,
                    provider_start=self._provider_start,
                    care_plan_due=care.due if care else None,
                    care_plan_done_on=care.done_on if care else None,
                    care_plan_current=current,
                    end_date=self._end_date,
                    at=now,
                    plan_id=inp.plan_id if workflow.patched(RECORD_PLAN_PATCH) else None,
                ),
                event_key=f"{self._wid}:event:{number}",
                event=f"placement_{event}",
                actor=actor,
                details={"state": self._state.value, **details},
            ),
        )
        handle = workflow.get_external_workflow_handle(rotation_workflow_id(inp.plan_id))
        try:
            await handle.signal(
                "placement_changed",
                PlacementSummary(
                    placement_id=self._wid,
                    org_nr=p.org_nr if p else None,
                    granted_hours=inp.granted_hours,
                    active=self._state is not PlacementState.ENDED and p is not None,
                    care_plan_current=current,
                ),
            )
        except FailureError:
            workflow.logger.info("no rotation workflow for plan %s", inp.plan_id)
