"""Application workflow: one application to become a provider, from receipt to decision.

Acknowledges the application, keeps the skallkrav checklist that administrators assess, runs
komplettering rounds (reminders to the applicant; rejection as incomplete if the deadline passes),
watches the decision time (reminders to the administrator, escalation to management when it has
run out) and carries out the decision. Approval starts the contract workflow through an activity,
so the contract is an independent workflow that lives on after this one has completed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.opening import OpeningActivities
    from activities.plans import PlanActivities
    from activities.records import RecordActivities
    from models.domain.calendar import DeadlineSchedule
    from models.messages.application import (
        APPEAL_WEEKS,
        ApplicationInput,
        ApplicationPlan,
        ApplicationState,
        ApplicationStatus,
        ApplicationWrite,
        Assessment,
        AssessmentWrite,
        AssessRequest,
        CompleteRequest,
        CompletionRequest,
        CompletionRound,
        DecideRequest,
        Decision,
        LoadApplicationPlan,
        StartContract,
    )
    from models.plans.schema import PROVIDER_ROLE
    from models.runtime import search_attributes as sa
    from workflows.action_keys import ActionNumbers
    from workflows.common import FollowedPlan, call, local_today
    from workflows.mail import mail_request, provider_under
    from workflows.office_hours import HeldMail
    from workflows.records import add_note, record_audit, record_escalation
    from workflows.timed_steps import TimedAction, date_deadline, next_reminder, run_timed_steps
    from workflows.validation import require, require_text, require_valid

# Komplettering deadlines further out than this would stall the decision for too long.
MAX_COMPLETION_DAYS = 90
# workflow.patched() id: the komplettering round keeps the business-day adjusted due date, so
# mail, record and status show one date (issue 16: mailed "senast 20 december", a Sunday, while
# the record said 21 December).
ADJUSTED_DUE_PATCH = "completion-due-adjusted"
# workflow.patched() id: an approval tells the contract who approved it, so "contract-started"
# names them rather than "system".
CONTRACT_ACTOR_PATCH = "contract-start-actor"


def _late_at(s: DeadlineSchedule) -> datetime:
    """When lateness is acted on: the plan's step (next business day, office hours)."""
    return s.escalations[0].at if s.escalations else s.deadline


@workflow.defn
class ApplicationWorkflow:
    @workflow.init
    def __init__(self, inp: ApplicationInput) -> None:
        self._in = inp
        self._state = ApplicationState.RECEIVED
        self._submitted_at = workflow.now()
        self._plan: ApplicationPlan | None = None
        self._checklist: dict[str, Assessment] = {}
        self._completions: list[CompletionRound] = []
        self._completion_schedule: DeadlineSchedule | None = None
        self._completion_reminded: set[int] = set()
        # The decision time runs from receipt, and again from each completed komplettering:
        # the municipality decides on a complete application.
        self._decision_schedule: DeadlineSchedule | None = None
        self._decision_round = 0
        self._decision_opened_at = workflow.now()
        self._decision_reminded: set[int] = set()
        self._decision_overdue = False
        self._decision: Decision | None = None
        self._history: list[str] = []
        self._revision = 0
        self._replanning = False
        # Administrators act once the application is registered and acknowledged, so the
        # applicant's acknowledgement always comes before any decision.
        self._registered = False
        # Administrator actions numbered as they start (unique-action-keys), so two in flight
        # together (two assessments sent at once) never share a key.
        self._actions = ActionNumbers()
        # Mail that answers no one's own action waits for office hours (issue 16).
        self._held_mail = HeldMail()

    # --- main loop ------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: ApplicationInput) -> ApplicationStatus:
        self._plan = await call(
            PlanActivities.load_application_plan, LoadApplicationPlan(plan_id=inp.plan_id)
        )
        self._checklist = {
            key: Assessment(key=key, title=title) for key, title in self._plan.skallkrav.items()
        }
        await self._new_decision_time(local_today(self._rules.time_zone))
        await self._record()
        await self._mail("application-received", [PROVIDER_ROLE], "received")
        # The administrator hears of a new application in office hours.
        await self._mail("application-new", [self._plan.administrator_role], "new", held=True)
        await self._report("submitted", inp.actor, {"documents": len(inp.documents)})
        self._registered = True

        await run_timed_steps(
            self,
            lambda: self._state.decided,
        )
        await self._held_mail.settled()
        return self.status()

    def _next_action(self) -> TimedAction | None:
        if self._replanning or self._state.decided:
            return None
        candidates: list[TimedAction | None] = []
        completion = self._open_completion()
        if completion is not None and self._completion_schedule is not None:
            s = self._completion_schedule
            candidates += [
                next_reminder(
                    s, self._completion_reminded, completion.requested_at, "completion-reminder"
                ),
                TimedAction(_late_at(s), "completion-deadline"),
            ]
        elif self._decision_schedule is not None:
            # While komplettering is outstanding the decision cannot be made: its clock waits.
            s = self._decision_schedule
            candidates.append(
                next_reminder(
                    s, self._decision_reminded, self._decision_opened_at, "decision-reminder"
                )
            )
            if not self._decision_overdue:
                candidates.append(TimedAction(_late_at(s), "decision-deadline"))
        found = [a for a in candidates if a is not None]
        return min(found, key=lambda a: a.at) if found else None

    async def _perform(self, action: TimedAction) -> None:
        plan = self._p
        if action.kind == "completion-reminder":
            self._completion_reminded.add(action.index)
            n = len(self._completions)
            await self._mail(
                "application-completion-reminder",
                [PROVIDER_ROLE],
                f"completion-reminder:{n}:{action.index}",
            )
            await self._report("completion_reminder", "system", {"round": n})
        elif action.kind == "completion-deadline":
            completion = self._open_completion()
            assert completion is not None
            reason = (
                f"Ansökan kompletterades inte senast {completion.due.isoformat()}. "
                f"Det som saknades: {'; '.join(completion.items)}."
            )
            await self._decide("rejected_incomplete", reason, "system", None)
        elif action.kind == "decision-reminder":
            self._decision_reminded.add(action.index)
            await self._mail(
                "application-decision-reminder",
                [plan.administrator_role],
                f"decision-reminder:{self._decision_round}:{action.index}",
            )
            await self._report("decision_reminder", "system", {"round": self._decision_round})
        else:
            self._decision_overdue = True
            self._revision += 1
            key = f"decision-overdue:{self._decision_round}"
            assert self._decision_schedule is not None
            step = self._decision_schedule.escalations[0]
            await self._mail("application-decision-overdue", list(step.notify), key)
            await record_escalation(
                key,
                self._in.provider.org_nr,
                "application-decision",
                self._submitted_at.date().isoformat(),
                step,
            )
            await self._report("decision_overdue", "system", {"round": self._decision_round})

    # --- updates ----------------------------------------------------------------------------

    @workflow.update
    async def assess(self, request: AssessRequest) -> ApplicationStatus:
        action = self._actions.start()
        outcome: Literal["met", "not_met"] = "met" if request.met else "not_met"
        at = workflow.now()
        item = self._checklist[request.key]
        self._checklist[request.key] = item.model_copy(
            update={"outcome": outcome, "note": request.note, "actor": request.actor, "at": at}
        )
        self._revision += 1
        # Old runs: the number of history notes, read when the assessment is written; two
        # assessments in flight together both read the same count and the second row was lost.
        # Patched: the action's own number, as "assessment:action-N", which no old
        # "assessment:N" of the same application can equal.
        key = (
            f"assessment:{len(self._history)}" if action is None else f"assessment:action-{action}"
        )
        await call(
            RecordActivities.record_assessment,
            AssessmentWrite(
                key=f"{self._wid}:{key}",
                application_id=self._wid,
                org_nr=self._in.provider.org_nr,
                requirement=request.key,
                outcome=outcome,
                note=request.note,
                actor=request.actor,
                at=at,
            ),
        )
        await self._report(
            "assessed", request.actor, {"skallkrav": request.key, "outcome": outcome}
        )
        return self.status()

    @assess.validator
    def _validate_assess(self, request: AssessRequest) -> None:
        require_valid(request)
        self._require_undecided("assess")
        known = ", ".join(self._checklist) or "none"
        require(
            request.key in self._checklist,
            f"skallkrav: {request.key!r} is not a skallkrav of the plan (known: {known})",
        )
        if not request.met:
            require_text(request.note, "note (why the requirement is not met)")

    @workflow.update
    async def request_completion(self, request: CompletionRequest) -> ApplicationStatus:
        action = self._actions.start()
        due = self._completion_due(request)
        self._state = ApplicationState.COMPLETION_REQUESTED
        self._completions.append(
            CompletionRound(
                items=[i.strip() for i in request.items],
                due=due,
                note=request.note,
                requested_by=request.actor,
                requested_at=workflow.now(),
            )
        )
        # This round's number, taken with the round itself. It only counts up, and old runs only
        # ever used a number that already existed, so "completion:N" stays unique unpatched.
        round_number = len(self._completions)
        self._completion_reminded = set()
        self._replanning = True
        try:
            self._completion_schedule = await date_deadline(self._rules, due)
        finally:
            self._replanning = False
        if workflow.patched(ADJUSTED_DUE_PATCH):
            done = self._completions[round_number - 1]
            self._completions[round_number - 1] = done.model_copy(
                update={"due": self._completion_schedule.due}
            )
        self._revision += 1
        # Old runs: the count when the e-mail goes out, which a komplettering requested
        # meanwhile (after a `complete`) has already raised.
        n = len(self._completions) if action is None else round_number
        await self._record()
        await self._mail(
            "application-completion-request", [PROVIDER_ROLE], f"completion:{n}", held=True
        )
        await self._report(
            "completion_requested",
            request.actor,
            {"items": list(request.items), "due": self._completion_schedule.due.isoformat()},
        )
        return self.status()

    @request_completion.validator
    def _validate_request_completion(self, request: CompletionRequest) -> None:
        require_valid(request)
        self._require_undecided("request completion")
        require(
            self._open_completion() is None,
            "status: a komplettering is already outstanding; register it with complete first",
        )
        require(bool(request.items), "items: name at least one missing item")
        for item in request.items:
            require_text(item, "items")
        today = local_today(self._rules.time_zone)
        due = self._completion_due(request)
        require(due > today, "due: must be after today")
        require(
            due <= today + timedelta(days=MAX_COMPLETION_DAYS),
            f"due: at most {MAX_COMPLETION_DAYS} days from today",
        )

    @workflow.update
    async def complete(self, request: CompleteRequest) -> ApplicationStatus:
        action = self._actions.start()
        completion = self._open_completion()
        assert completion is not None
        round_number = len(self._completions)  # the round completed here
        self._completions[-1] = completion.model_copy(
            update={
                "completed_at": workflow.now(),
                "documents": list(request.documents),
                "completion_note": request.note,
            }
        )
        self._state = ApplicationState.RECEIVED
        self._completion_schedule = None
        self._revision += 1
        await self._new_decision_time(local_today(self._rules.time_zone))
        # Old runs: the count after the await, which a new komplettering requested meanwhile has
        # raised, so an old run may already hold "completed:N" for round N-1. Patched: the
        # round's own number under "completed:round-N", which no old key can equal.
        key = (
            f"completed:{len(self._completions)}"
            if action is None
            else f"completed:round-{round_number}"
        )
        await self._record()
        await self._mail("application-completed", [PROVIDER_ROLE], key)
        await self._report(
            "completed",
            request.actor,
            {"documents": [d.filename for d in request.documents], "note": request.note},
        )
        return self.status()

    @complete.validator
    def _validate_complete(self, request: CompleteRequest) -> None:
        require_valid(request)
        self._require_undecided("register a completion")
        require(
            self._open_completion() is not None,
            "status: no komplettering has been requested",
        )
        require(
            bool(request.documents) or bool(request.note.strip()),
            "documents: give the documents received, or a note on what was received",
        )

    @workflow.update
    async def decide(self, request: DecideRequest) -> ApplicationStatus:
        if request.approve:
            await self._decide("approved", request.reason, request.actor, request.contract_start)
        else:
            await self._decide("rejected", request.reason, request.actor, None)
        return self.status()

    @decide.validator
    def _validate_decide(self, request: DecideRequest) -> None:
        require_valid(request)
        self._require_undecided("decide")
        if not request.approve:
            require_text(request.reason, "reason")
            return
        require(
            self._open_completion() is None,
            "status: a komplettering is outstanding; approve once it has been completed",
        )
        unassessed = [a.key for a in self._checklist.values() if a.outcome is None]
        require(not unassessed, f"skallkrav: not yet assessed: {', '.join(unassessed)}")
        unmet = [a.key for a in self._checklist.values() if a.outcome == "not_met"]
        require(not unmet, f"skallkrav: not met: {', '.join(unmet)}")
        require(request.contract_start is not None, "contract_start: required for approval")
        assert request.contract_start is not None
        require(
            request.contract_start >= local_today(self._rules.time_zone),
            "contract_start: must not be in the past",
        )

    def followed_plan(self) -> FollowedPlan:
        """workflows.common.FollowsPlan: where a record refused for good is reported."""
        return self._in.plan_id, None

    @workflow.query
    def status(self) -> ApplicationStatus:
        schedule = self._decision_schedule
        return ApplicationStatus(
            application_id=self._wid,
            provider=self._in.provider,
            plan_id=self._plan.plan_id if self._plan else self._in.plan_id,
            plan_version=self._plan.plan_version if self._plan else "",
            state=self._state,
            registered=self._registered,
            submitted_at=self._submitted_at,
            service_types=list(self._in.service_types),
            areas=list(self._in.areas),
            documents=list(self._in.documents),
            requested_start=self._in.requested_start,
            checklist=list(self._checklist.values()),
            completions=list(self._completions),
            decision_due=schedule.due if schedule else None,
            decision_overdue=self._decision_overdue,
            decision=self._decision,
            history=list(self._history),
            mail_held=self._held_mail.status(),
        )

    # --- helpers ------------------------------------------------------------------------------

    @property
    def _p(self) -> ApplicationPlan:
        assert self._plan is not None, "the plan is loaded before any handler runs"
        return self._plan

    @property
    def _rules(self) -> Any:
        return self._p.rules

    @property
    def _wid(self) -> str:
        return workflow.info().workflow_id

    def _open_completion(self) -> CompletionRound | None:
        last = self._completions[-1] if self._completions else None
        return last if last is not None and last.completed_at is None else None

    def _completion_due(self, request: CompletionRequest) -> date:
        if request.due is not None:
            return request.due
        return local_today(self._rules.time_zone) + timedelta(days=self._p.response_days)

    def _require_undecided(self, action: str) -> None:
        require(self._registered, "status: the application is still being registered")
        require(
            not self._state.decided,
            f"status: cannot {action}, the application is already {self._state.value}",
        )

    async def _new_decision_time(self, start: date) -> None:
        self._replanning = True
        try:
            self._decision_schedule = await date_deadline(
                self._rules, start + timedelta(weeks=self._p.decision_weeks)
            )
        finally:
            self._replanning = False
        self._decision_round += 1
        self._decision_opened_at = workflow.now()
        self._decision_reminded = set()
        self._decision_overdue = False
        self._revision += 1

    async def _decide(
        self, outcome: Any, reason: str, actor: str, contract_start: date | None
    ) -> None:
        at = workflow.now()
        today = local_today(self._rules.time_zone)
        contract_id: str | None = None
        if outcome == "approved":
            assert contract_start is not None
            self._state = ApplicationState.APPROVED
            contract_id = await call(
                OpeningActivities.start_contract,
                StartContract(
                    provider=self._in.provider,
                    contract_start=contract_start,
                    plan_id=self._in.plan_id,
                    search_attributes=self._in.search_attributes,
                    areas=list(self._in.areas),
                    service_types=list(self._in.service_types),
                    # Replays of histories from before name no one (the contract: "system").
                    actor=actor if workflow.patched(CONTRACT_ACTOR_PATCH) else None,
                ),
            )
        else:
            self._state = ApplicationState.REJECTED
        self._decision = Decision(
            outcome=outcome,
            reason=reason.strip(),
            actor=actor,
            at=at,
            contract_start=contract_start,
            contract_workflow_id=contract_id,
            appeal_by=None if outcome == "approved" else today + timedelta(weeks=APPEAL_WEEKS),
        )
        self._revision += 1
        await self._record()
        template = "application-approved" if outcome == "approved" else "application-rejected"
        # The administrator's decision (or the lapsed komplettering's, at the plan's send_at):
        # the applicant hears of it in office hours.
        await self._mail(
            template, [PROVIDER_ROLE, self._p.administrator_role], "decision", held=True
        )
        await self._report(
            outcome,
            actor,
            {"reason": reason.strip(), "contract_workflow_id": contract_id},
        )

    async def _record(self) -> None:
        await call(
            RecordActivities.record_application,
            ApplicationWrite(
                application_id=self._wid,
                provider=self._in.provider,
                state=self._state,
                submitted_at=self._submitted_at,
                at=workflow.now(),
                decision=self._decision,
                data={
                    "plan_id": self._p.plan_id,
                    "plan_version": self._p.plan_version,
                    "service_types": list(self._in.service_types),
                    "areas": list(self._in.areas),
                    "documents": [d.model_dump(mode="json") for d in self._in.documents],
                    "requested_start": (
                        self._in.requested_start.isoformat() if self._in.requested_start else None
                    ),
                    "decision_due": (
                        self._decision_schedule.due.isoformat() if self._decision_schedule else None
                    ),
                    "completions": [c.model_dump(mode="json") for c in self._completions],
                },
            ),
        )

    def _context(self) -> dict[str, Any]:
        plan, inp = self._p, self._in
        admin = plan.roles[plan.administrator_role]
        completion = self._completions[-1] if self._completions else None
        decision = self._decision
        return {
            "application_id": self._wid,
            "provider_name": inp.provider.name,
            "org_nr": inp.provider.org_nr,
            "submitted": self._submitted_at.date().isoformat(),
            "service_types": list(inp.service_types),
            "areas": list(inp.areas),
            "documents": [d.filename.rsplit("/", 1)[-1] for d in inp.documents],
            "admin_title": admin.title,
            "admin_email": admin.email,
            "decision_weeks": plan.decision_weeks,
            "decision_due": (
                self._decision_schedule.due.isoformat() if self._decision_schedule else ""
            ),
            "checklist": [a.model_dump(mode="json") for a in self._checklist.values()],
            "unassessed": [a.title for a in self._checklist.values() if a.outcome is None],
            "not_met": [
                {"title": a.title, "note": a.note}
                for a in self._checklist.values()
                if a.outcome == "not_met"
            ],
            "completion_items": list(completion.items) if completion else [],
            "completion_due": completion.due.isoformat() if completion else "",
            "completion_note": completion.note if completion else "",
            "outcome": decision.outcome if decision else "",
            "reason": decision.reason if decision else "",
            "decided": decision.at.date().isoformat() if decision else "",
            "decided_by": decision.actor if decision else "",
            "contract_start": (
                decision.contract_start.isoformat() if decision and decision.contract_start else ""
            ),
            "appeal_weeks": APPEAL_WEEKS,
            "appeal_by": decision.appeal_by.isoformat() if decision and decision.appeal_by else "",
        }

    async def _mail(self, template: str, roles: list[str], key: str, held: bool = False) -> None:
        """`held`: not a reply to the recipient's own action, so outside office hours it waits
        for them (workflows/office_hours.py); the receipts of the applicant's own submission
        and komplettering go at once."""
        plan = self._p
        request = mail_request(
            key,
            template,
            roles,
            to=provider_under(plan, self._in.provider.org_nr),
            time_zone=plan.rules.time_zone,
            context=self._context(),
        )
        await self._held_mail.send(request, plan.rules, hold=held)

    async def _report(self, event: str, actor: str, details: dict[str, Any]) -> None:
        now = workflow.now()
        # Safe without unique-action-keys: the note is appended and the count read for the
        # audit key below with no await in between, so concurrent outcomes get distinct numbers.
        number = add_note(self._history, now, event, actor)
        if self._in.search_attributes:
            schedule = self._decision_schedule
            workflow.upsert_search_attributes(
                [
                    sa.STATUS.value_set(self._state.value),
                    sa.OVERDUE.value_set(self._decision_overdue),
                    *([sa.DUE.value_set(schedule.deadline)] if schedule else []),
                ]
            )
        await record_audit(
            f"event:{number}",
            now,
            self._in.provider.org_nr,
            f"application_{event}",
            actor,
            {"state": self._state.value, **details},
        )
