"""Finding workflow (brist): one deficiency the municipality found at a provider, driven to a
remedy or a sanction. Herning's samarbejdsprocedure is this workflow with Danish texts.

Lives from the notice until the finding is closed, typically weeks to months:

1. notice: what was found, the requirement it breaks and the evidence are sent to the provider
   with a response deadline (kommunicering, the plan's `findings.response_days`, moved to a
   business day);
2. the provider's response is registered (`respond`);
3. the administrator asks for an åtgärdsplan by a date within the plan's limits
   (`request_action_plan`); the provider is reminded `reminder_days` before it; a plan that has
   not come the day after the due date makes the finding late and opens a new kommunicering;
4. the åtgärdsplan is registered (`submit_action_plan`) and the municipality verifies it
   (`verify`): remedied closes the finding; not remedied opens a new kommunicering, after
   which a new round (another åtgärdsplan) or a sanction follows;
5. sanctions (`decide`) along the plan's ladder: påpekande, prisavdrag or vite (an amount in
   kronor), proposal of hävning to management. Each decision needs a reason, the actor, and the
   current kommunicering done: the response deadline passed or the provider's response in.
6. `close` ends the finding with a reason (withdrawn, or after the contract is ended).

Every step is one records activity (state, step, decision, audit) and, where someone must
know, one e-mail keyed by this workflow's id. Mail caused by an administrator waits for office
hours (workflows/office_hours.py HeldMail), as recovery's does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.finding import FindingActivities
    from models.domain.calendar import CalendarRules, DeadlineSchedule
    from models.domain.number_format import decimal_text
    from models.domain.sanctions import AMOUNT_KINDS, amount_problem, invoice_reference
    from models.messages.finding import (
        ActionPlanRequest,
        CloseRequest,
        DecideRequest,
        FindingDecision,
        FindingInput,
        FindingState,
        FindingStatus,
        FindingStepNote,
        FindingStepWrite,
        Kommunicering,
        LadderStep,
        RespondRequest,
        SubmitActionPlanRequest,
        VerifyRequest,
    )
    from models.plans.schema import PROVIDER_ROLE, EscalationStep
    from models.runtime import search_attributes as sa
    from workflows.common import FollowedPlan, call, local_today
    from workflows.mail import mail_request
    from workflows.office_hours import HeldMail
    from workflows.timed_steps import TimedAction, date_deadline, next_reminder, run_timed_steps
    from workflows.validation import require, require_text, require_valid

# The states in which the administrator may ask for an åtgärdsplan (a first or a new round).
_MAY_REQUEST = (
    FindingState.NOTICED,
    FindingState.RESPONDED,
    FindingState.ACTION_PLAN_LATE,
    FindingState.NOT_REMEDIED,
)
_WORDS = {
    "sv": {"and": "och", "kr": "kr"},
    "da": {"and": "og", "kr": "kr."},
}


@workflow.defn
class FindingWorkflow:
    @workflow.init
    def __init__(self, inp: FindingInput) -> None:
        self._in = inp
        self._status = FindingState.NOTICED
        self._round = 0
        self._kommunicering: Kommunicering | None = None
        self._action_schedule: DeadlineSchedule | None = None
        self._action_opened_at: datetime | None = None
        self._action_note = ""
        self._reminded: set[int] = set()
        self._done: set[str] = set()  # timed actions already taken
        self._action_plan: str | None = None
        self._action_plan_late = False
        self._verification: str | None = None
        self._verification_note = ""
        self._decisions: list[FindingDecision] = []
        self._closed_reason: str | None = None
        self._steps: list[FindingStepNote] = []
        self._revision = 0
        self._ready = False
        self._held_mail = HeldMail()

    # --- main loop ------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: FindingInput) -> FindingStatus:
        await self._open_kommunicering()
        await self._step("noticed", inp.actor, {"what": inp.what})
        await self._mail("finding-notice", [PROVIDER_ROLE, inp.administrator_role], "notice")
        self._ready = True
        await run_timed_steps(self, lambda: self._status.terminal)
        await self._held_mail.settled()
        return self.status()

    def _next_action(self) -> TimedAction | None:
        # Kinds: "reminder" (before the åtgärdsplan is due) | "late" (the day after it).
        schedule = self._action_schedule
        if self._status is not FindingState.ACTION_PLAN_REQUESTED or schedule is None:
            return None
        assert self._action_opened_at is not None
        reminder = next_reminder(schedule, self._reminded, self._action_opened_at, "reminder")
        if reminder is not None:
            return reminder
        if f"late-{self._round}" in self._done:
            return None
        return TimedAction(schedule.escalations[0].at, "late")

    async def _perform(self, action: TimedAction) -> None:
        admin = self._in.administrator_role
        if action.kind == "reminder":
            self._reminded.add(action.index)
            await self._step("action-plan-reminder", "system", {"round": self._round})
            await self._mail(
                "finding-action-plan-reminder",
                [PROVIDER_ROLE],
                f"reminder-{self._round}-{action.index}",
                held=False,
            )
            return
        self._done.add(f"late-{self._round}")
        self._status = FindingState.ACTION_PLAN_LATE
        self._action_plan_late = True
        await self._open_kommunicering()
        await self._step("action-plan-late", "system", {"round": self._round})
        await self._mail(
            "finding-action-plan-late", [PROVIDER_ROLE, admin], f"late-{self._round}", held=False
        )

    # --- updates ----------------------------------------------------------------------------

    @workflow.update
    async def respond(self, request: RespondRequest) -> FindingStatus:
        await workflow.wait_condition(lambda: self._ready and self._kommunicering is not None)
        k = self._kommunicering
        assert k is not None
        now = workflow.now()
        self._kommunicering = k.model_copy(
            update={"response": request.comment.strip(), "responded_at": now}
        )
        if self._status is FindingState.NOTICED:
            self._status = FindingState.RESPONDED
        self._revision += 1
        late = "yes" if now >= k.deadline else ""
        await self._step("response", request.actor, {"comment": request.comment, "late": late})
        return self.status()

    @respond.validator
    def _validate_respond(self, request: RespondRequest) -> None:
        require_valid(request)
        self._require_open()
        require_text(request.comment, "comment (what the provider answers)")
        k = self._kommunicering
        require(k is not None, "status: the notice is still being sent; try again in a moment")
        assert k is not None
        require(
            k.response is None,
            "comment: the provider's response is already registered for this kommunicering",
        )

    @workflow.update
    async def request_action_plan(self, request: ActionPlanRequest) -> FindingStatus:
        await workflow.wait_condition(lambda: self._ready)
        self._round += 1
        self._action_schedule = await date_deadline(
            self._rules(self._in.reminder_days, "finding-action-plan-late"), request.due
        )
        self._action_opened_at = workflow.now()
        self._action_note = request.note.strip()
        self._reminded = set()
        self._action_plan = None
        self._action_plan_late = False
        self._verification = None
        self._status = FindingState.ACTION_PLAN_REQUESTED
        self._revision += 1
        await self._step(
            "action-plan-requested",
            request.actor,
            {"due": self._action_schedule.due, "round": self._round, "note": request.note},
        )
        await self._mail(
            "finding-action-plan-request",
            [PROVIDER_ROLE, self._in.administrator_role],
            f"action-plan-request-{self._round}",
        )
        return self.status()

    @request_action_plan.validator
    def _validate_request_action_plan(self, request: ActionPlanRequest) -> None:
        require_valid(request)
        self._require_open()
        require(
            self._status in _MAY_REQUEST,
            f"status: an åtgärdsplan cannot be asked for now (status is {self._status.value})",
        )
        today = local_today(self._in.calendar.time_zone)
        first = today + timedelta(days=self._in.action_plan_min_days)
        last = today + timedelta(days=self._in.action_plan_max_days)
        require(
            first <= request.due <= last,
            f"due: the plan allows an åtgärdsplan due {first.isoformat()} to {last.isoformat()} "
            f"({self._in.action_plan_min_days}–{self._in.action_plan_max_days} days), "
            f"got {request.due.isoformat()}",
        )

    @workflow.update
    async def submit_action_plan(self, request: SubmitActionPlanRequest) -> FindingStatus:
        await workflow.wait_condition(lambda: self._ready)
        self._action_plan = request.summary.strip()
        self._status = FindingState.ACTION_PLAN_SUBMITTED
        self._revision += 1
        late = "yes" if self._action_plan_late else ""
        await self._step(
            "action-plan-submitted",
            request.actor,
            {"summary": request.summary, "round": self._round, "late": late},
        )
        return self.status()

    @submit_action_plan.validator
    def _validate_submit_action_plan(self, request: SubmitActionPlanRequest) -> None:
        require_valid(request)
        self._require_open()
        require(
            self._status in (FindingState.ACTION_PLAN_REQUESTED, FindingState.ACTION_PLAN_LATE),
            f"status: no åtgärdsplan is asked for (status is {self._status.value})",
        )
        require_text(request.summary, "summary (what the åtgärdsplan says)")

    @workflow.update
    async def verify(self, request: VerifyRequest) -> FindingStatus:
        await workflow.wait_condition(lambda: self._ready)
        self._verification = request.outcome
        self._verification_note = request.note.strip()
        if request.outcome == "remedied":
            self._status = FindingState.CLOSED
            self._closed_reason = "remedied"
        else:
            self._status = FindingState.NOT_REMEDIED
            await self._open_kommunicering()
        self._revision += 1
        await self._step(
            f"verified-{request.outcome.replace('_', '-')}",
            request.actor,
            {"note": request.note, "round": self._round},
        )
        await self._mail(
            "finding-verified",
            [PROVIDER_ROLE, self._in.administrator_role],
            f"verified-{self._round}",
        )
        return self.status()

    @verify.validator
    def _validate_verify(self, request: VerifyRequest) -> None:
        require_valid(request)
        self._require_open()
        require(
            self._status is FindingState.ACTION_PLAN_SUBMITTED,
            f"status: no åtgärdsplan to verify (status is {self._status.value})",
        )
        if request.outcome == "not_remedied":
            require_text(request.note, "note (what is still not remedied)")

    @workflow.update
    async def decide(self, request: DecideRequest) -> FindingStatus:
        await workflow.wait_condition(lambda: self._ready)
        step = self._ladder_step(request.kind)
        assert step is not None
        amount = request.amount if request.amount is not None else step.amount
        decision = FindingDecision(
            kind=request.kind,
            title=step.title,
            amount=amount if request.kind in AMOUNT_KINDS else None,
            reason=request.reason.strip(),
            actor=request.actor,
            at=workflow.now(),
        )
        # Where the plan says, a decided amount is handed on for collection: the decision
        # carries how and its invoice reference (derived from the finding id and the decision's
        # number, so a retried record writes the same), and the records list it for the finance
        # system (`lov finding sanctions`). Patched: histories decided before had no hand-off.
        collect = step.collect if decision.amount is not None else None
        if collect is not None and workflow.patched("finding-sanction-collect"):
            decision = decision.model_copy(
                update={
                    "collect": collect,
                    "invoice_reference": invoice_reference(
                        self._in.finding_id, len(self._decisions) + 1
                    ),
                }
            )
        self._decisions.append(decision)
        self._revision += 1
        details: dict[str, Any] = {"reason": request.reason, "amount": decision.amount or ""}
        if decision.collect is not None:
            details.update(collect=decision.collect, invoice=decision.invoice_reference)
        await self._step(f"decision-{request.kind}", request.actor, details, decision=decision)
        roles = [PROVIDER_ROLE, self._in.administrator_role, *step.notify]
        if request.kind == "havning":
            roles.append(self._in.decider_role)
        await self._mail(
            "finding-decision", list(dict.fromkeys(roles)), f"decision-{len(self._decisions)}"
        )
        return self.status()

    @decide.validator
    def _validate_decide(self, request: DecideRequest) -> None:
        require_valid(request)
        self._require_open()
        step = self._ladder_step(request.kind)
        kinds = ", ".join(s.kind for s in self._in.sanctions)
        require(step is not None, f"kind: the plan's ladder has {kinds}, not {request.kind}")
        assert step is not None
        require_text(request.reason, "reason")
        k = self._kommunicering
        require(k is not None, "status: the notice is still being sent; try again in a moment")
        assert k is not None
        require(
            k.response is not None or workflow.now() >= k.deadline,
            f"response_due: the provider may respond until {k.due.isoformat()} "
            "(kommunicering); decide after that or once the response is registered",
        )
        if request.kind in AMOUNT_KINDS:
            amount = request.amount if request.amount is not None else step.amount
            require(
                amount is not None,
                f"amount: a {request.kind} needs an amount in kronor (the plan sets none)",
            )
            assert amount is not None
            problem = amount_problem(amount)
            require(problem is None, f"amount: {problem}")
        else:
            require(request.amount is None, f"amount: a {request.kind} has no amount")

    @workflow.update
    async def close(self, request: CloseRequest) -> FindingStatus:
        await workflow.wait_condition(lambda: self._ready)
        self._status = FindingState.CLOSED
        self._closed_reason = request.reason.strip()
        self._revision += 1
        await self._step("closed", request.actor, {"reason": request.reason})
        await self._mail("finding-closed", [PROVIDER_ROLE, self._in.administrator_role], "closed")
        return self.status()

    @close.validator
    def _validate_close(self, request: CloseRequest) -> None:
        require_valid(request)
        self._require_open()
        require_text(request.reason, "reason")

    def followed_plan(self) -> FollowedPlan:
        """workflows.common.FollowsPlan: where a record refused for good is reported."""
        return self._in.plan_id, self._in.roles

    @workflow.query
    def status(self) -> FindingStatus:
        inp = self._in
        schedule = self._action_schedule
        return FindingStatus(
            finding_id=inp.finding_id,
            workflow_id=self._wid,
            org_nr=inp.org_nr,
            provider_name=inp.provider_name,
            procedure=inp.procedure,
            status=self._status,
            requirement=inp.requirement,
            requirement_title=inp.requirement_title,
            severity=inp.severity,
            source=inp.source,
            what=inp.what,
            evidence=inp.evidence,
            round=self._round,
            kommunicering=self._kommunicering,
            action_plan_due=schedule.due if schedule else None,
            action_plan=self._action_plan,
            action_plan_late=self._action_plan_late,
            verification=self._verification,
            decisions=list(self._decisions),
            closed_reason=self._closed_reason,
            steps=list(self._steps),
            mail_held=self._held_mail.status(),
        )

    # --- helpers ------------------------------------------------------------------------------

    @property
    def _wid(self) -> str:
        return workflow.info().workflow_id

    def _require_open(self) -> None:
        require(not self._status.terminal, "status: the finding is closed")

    def _ladder_step(self, kind: str) -> LadderStep | None:
        return next((s for s in self._in.sanctions if s.kind == kind), None)

    def _rules(self, reminder_days: tuple[int, ...], kind: str) -> CalendarRules:
        """The plan's calendar with this finding's reminders and one step the day after the due
        date (office hours, next business day): the åtgärdsplan is late."""
        step = EscalationStep(
            level=1,
            after_days=1,
            kind=kind,
            title=kind,
            notify=(self._in.administrator_role,),
        )
        return self._in.calendar.model_copy(
            update={"reminder_offsets_days": reminder_days, "escalation": (step,)}
        )

    async def _open_kommunicering(self) -> None:
        """A new chance to respond, `response_days` from today (a business day). None while
        it is being dated, so no decision slips in on the previous one meanwhile."""
        self._kommunicering = None
        today = local_today(self._in.calendar.time_zone)
        schedule = await date_deadline(
            self._in.calendar.model_copy(update={"reminder_offsets_days": (), "escalation": ()}),
            today + timedelta(days=self._in.response_days),
        )
        self._kommunicering = Kommunicering(
            opened_at=workflow.now(), due=schedule.due, deadline=schedule.deadline
        )

    async def _step(
        self,
        step: str,
        actor: str,
        details: dict[str, Any],
        decision: FindingDecision | None = None,
    ) -> None:
        """One step: the status history, search attributes, and the records database."""
        inp = self._in
        now = workflow.now()
        note = "; ".join(f"{k}={_shown(v)}" for k, v in details.items() if _shown(v))
        self._steps.append(FindingStepNote(at=now, step=step, actor=actor, note=note))
        if inp.search_attributes:
            workflow.upsert_search_attributes([sa.STATUS.value_set(self._status.value)])
        schedule, kom = self._action_schedule, self._kommunicering
        await call(
            FindingActivities.record_finding_step,
            FindingStepWrite(
                key=f"{self._wid}:step:{len(self._steps)}",
                finding_id=inp.finding_id,
                workflow_id=self._wid,
                org_nr=inp.org_nr,
                plan_id=inp.plan_id,
                year=inp.year,
                step=step,
                actor=actor,
                at=now,
                status=self._status,
                requirement=inp.requirement,
                severity=inp.severity,
                source=inp.source,
                what=inp.what,
                round=self._round,
                response_due=kom.due if kom else None,
                action_plan_due=schedule.due if schedule else None,
                decision=decision,
                details={k: _shown(v) for k, v in details.items() if _shown(v)},
            ),
        )

    def _kronor(self, amount: Decimal | None) -> str:
        if amount is None:
            return ""
        words = _WORDS.get(self._in.language, _WORDS["sv"])
        return f"{decimal_text(amount, self._in.language, 2)} {words['kr']}"

    def _context(self) -> dict[str, Any]:
        inp = self._in
        admin = inp.roles[inp.administrator_role]
        words = _WORDS.get(inp.language, _WORDS["sv"])
        k = self._kommunicering
        schedule = self._action_schedule
        decision = self._decisions[-1] if self._decisions else None
        titles = [s.title[:1].lower() + s.title[1:] for s in inp.sanctions]
        ladder = (
            f"{', '.join(titles[:-1])} {words['and']} {titles[-1]}"
            if len(titles) > 1
            else titles[0]
        )
        return {
            "provider_name": inp.provider_name,
            "org_nr": inp.org_nr,
            "requirement_title": inp.requirement_title,
            "requirement_reference": inp.requirement_reference,
            "what": inp.what,
            "evidence": inp.evidence,
            "source": inp.source,
            "response_days": inp.response_days,
            "response_due": k.due.isoformat() if k else "",
            "action_plan_due": schedule.due.isoformat() if schedule else "",
            "action_plan_note": self._action_note,
            "round": self._round,
            "verification": self._verification or "",
            "verification_note": self._verification_note,
            "decision": decision.kind if decision else "",
            "decision_title": decision.title if decision else "",
            "decision_amount": self._kronor(decision.amount) if decision else "",
            "decision_collect": (decision.collect or "") if decision else "",
            "decision_reason": decision.reason if decision else "",
            "ladder": ladder,
            "closed_reason": self._closed_reason or "",
            "admin_title": admin.title,
            "admin_email": admin.email,
        }

    async def _mail(self, template: str, roles: list[str], key: str, held: bool = True) -> None:
        """`held`: caused by the administrator, so it waits for office hours; the timed steps
        already come at the plan's send_at."""
        request = mail_request(
            key,
            template,
            roles,
            to=self._in,
            time_zone=self._in.calendar.time_zone,
            context=self._context(),
        )
        await self._held_mail.send(request, self._in.calendar, hold=held)


def _shown(value: Any) -> str:
    """A step detail as text: amounts as numbers, dates ISO, text stripped."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value).strip()
