"""Obligation workflow: one occurrence of a plan duty (e.g. egenkontroll 2027-T1).

Lives from the moment its contract opens it until it is accepted, waived or cancelled: reminds
the provider before the due date, takes the submission, lets the administrator review it, and runs
the plan's escalation ladder once the deadline has passed. Every step is an activity (mail,
records) keyed by this workflow's id and a counter, so no step happens twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import date, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from activities.records import RecordActivities
    from models.domain.calendar import DeadlineSchedule
    from models.domain.submission import SubmissionError, check_submission
    from models.messages.obligation import (
        CloseRequest,
        ExtendRequest,
        ItemStatus,
        ObligationInput,
        ObligationState,
        ObligationStatus,
        OccurrenceRecord,
        ReviewRequest,
        ReviewWrite,
        SubmissionRecord,
        SubmissionWrite,
        SubmitRequest,
        WaiveRequest,
    )
    from models.plans.schema import PROVIDER_ROLE
    from models.runtime import search_attributes as sa
    from workflows.action_keys import ActionNumbers
    from workflows.common import FollowedPlan, call, local_today
    from workflows.mail import mail_request
    from workflows.office_hours import HeldMail
    from workflows.records import add_note, record_audit, record_escalation
    from workflows.timed_steps import (
        TimedAction,
        date_deadline,
        deadline_or_escalation,
        next_reminder,
        run_timed_steps,
    )
    from workflows.validation import require, require_text, require_valid

OBLIGATION_CHANGED_SIGNAL = "obligation_changed"
# workflow.patched() id: after a step's e-mail, its records and the contract's signal go out
# together instead of one round trip after another. Runs that began before it keep the
# sequential order (the SDK memoizes the answer per run).
CONCURRENT_STEPS_PATCH = "concurrent-steps"
# The duty's recipient role joins the ladder's notices (issue 16: the förvaltningsekonom was
# never told the årsredovisning was missing).
LATE_RECIPIENT_PATCH = "late-notices-to-recipient"


@workflow.defn
class ObligationWorkflow:
    @workflow.init
    def __init__(self, inp: ObligationInput) -> None:
        self._in = inp
        self._status = ObligationState.UPCOMING
        self._schedule: DeadlineSchedule = inp.occurrence.schedule
        # A "round" is one due date: the original, an extension or a completion deadline.
        self._round = 0
        self._round_opened_at = workflow.now()
        self._reminded: set[int] = set()
        self._reminders_sent = 0
        self._overdue = False
        self._level = 0
        self._submissions: list[SubmissionRecord] = []
        self._history: list[str] = []
        self._revision = 0
        self._replanning = False
        self._close_reason = ""
        # Admin actions numbered as they start (unique-action-keys), so two that interleave
        # (waive and extend sent at the same moment) never share a key.
        self._actions = ActionNumbers()
        # The administrator's decisions reach the provider in office hours (issue 16).
        self._held_mail = HeldMail()

    # --- main loop ------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: ObligationInput) -> ObligationStatus:
        await self._report("opened", "system")
        await run_timed_steps(
            self,
            lambda: self._status.terminal,
        )
        if self._status is ObligationState.CANCELLED:
            await self._report("cancelled", "system", {"reason": self._close_reason})
        await self._held_mail.settled()
        return self.status()

    def _next_action(self) -> TimedAction | None:
        if self._replanning or self._status.terminal or self._status is ObligationState.SUBMITTED:
            return None
        s = self._schedule
        candidates = [
            a
            for a in (
                next_reminder(s, self._reminded, self._round_opened_at, "reminder"),
                deadline_or_escalation(s, self._overdue, self._level),
            )
            if a is not None
        ]
        return min(candidates, key=lambda a: a.at) if candidates else None

    async def _perform(self, action: TimedAction) -> None:
        if action.kind == "reminder":
            self._reminded.add(action.index)
            self._reminders_sent += 1
            if self._status is ObligationState.UPCOMING:
                self._status = ObligationState.OPEN
            # The e-mail first: it is what the provider waits for; the records follow.
            await self._mail("reminder", [PROVIDER_ROLE], f"reminder:{self._round}:{action.index}")
            await self._report("reminder", "system")
        elif action.kind == "deadline":
            self._overdue = True
            if self._status is ObligationState.UPCOMING:
                self._status = ObligationState.OPEN
            await self._report("overdue", "system")
        else:
            step = self._schedule.escalations[action.index]
            self._level = step.level
            key = f"escalation:{self._round}:{step.level}"
            occ = self._in.occurrence
            escalation = record_escalation(key, self._in.org_nr, occ.obligation, occ.period, step)
            await self._mail(step.kind, self._ladder_roles(step.notify), key, escalation=step.title)
            await self._together(
                escalation, self._report(f"escalation-{step.level}", "system", {"kind": step.kind})
            )

    def _ladder_roles(self, notify: tuple[str, ...]) -> list[str]:
        roles = list(notify)
        ob = self._in.obligation
        if (
            ob.late_notices_to_recipient
            and ob.recipient not in roles
            and workflow.patched(LATE_RECIPIENT_PATCH)
        ):
            roles.append(ob.recipient)
        return roles

    # --- updates ----------------------------------------------------------------------------

    @workflow.update
    async def submit(self, request: SubmitRequest) -> ObligationStatus:
        n = len(self._submissions) + 1
        at = workflow.now()
        late_days = max(0, -((self._schedule.deadline - at) // timedelta(days=1)))
        self._submissions.append(
            SubmissionRecord(
                at=at, fields=request.fields, documents=request.documents, actor=request.actor
            )
        )
        self._status = ObligationState.SUBMITTED
        self._overdue = False
        self._revision += 1
        await call(
            RecordActivities.record_submission,
            SubmissionWrite(
                key=f"{self._wid}:submission:{n}",
                workflow_id=self._wid,
                org_nr=self._in.org_nr,
                obligation=self._in.occurrence.obligation,
                period=self._in.occurrence.period,
                fields=request.fields,
                documents=request.documents,
                actor=request.actor,
                at=at,
            ),
        )
        await self._mail(
            "receipt",
            [PROVIDER_ROLE, self._in.obligation.recipient],
            f"receipt:{n}",
            submission_number=n,
            documents_received=[d.filename for d in request.documents],
            fields_received=request.fields,
        )
        await self._report("submitted", request.actor, {"submission": n, "late_days": late_days})
        return self.status()

    @submit.validator
    def _validate_submit(self, request: SubmitRequest) -> None:
        require_valid(request)
        self._require_open("submit")
        require(
            self._status is not ObligationState.SUBMITTED,
            "status: already submitted and awaiting review",
        )
        # Validators do not run on replay, so a stricter check (ranges, rules between fields)
        # needs no patch: it only refuses Updates that would otherwise have been accepted.
        try:
            check_submission(
                self._in.obligation, request.fields, request.documents, self._in.language
            )
        except SubmissionError as err:
            raise ValueError(str(err)) from err

    @workflow.update
    async def review(self, request: ReviewRequest) -> ObligationStatus:
        action = self._actions.start()
        self._revision += 1
        if request.outcome == "accept":
            self._status = ObligationState.ACCEPTED
            await self._record_review(action, "accepted", request.note, None, request.actor)
            await self._mail("accepted", [PROVIDER_ROLE], "accepted", note=request.note, held=True)
            await self._report("accepted", request.actor, {"note": request.note})
            return self.status()
        assert request.new_due is not None
        self._status = ObligationState.COMPLETION_REQUESTED
        await self._set_new_due(
            action,
            request.new_due,
            "completion_requested",
            ("completion-request", "completion"),
            ("note", request.note),
            request.actor,
        )
        return self.status()

    @review.validator
    def _validate_review(self, request: ReviewRequest) -> None:
        require_valid(request)
        require(
            self._status is ObligationState.SUBMITTED,
            f"status: nothing to review (status is {self._status.value})",
        )
        if request.outcome == "request-completion":
            require_text(request.note, "note (what is missing)")
            require(request.new_due is not None, "new_due: required for request-completion")
            assert request.new_due is not None
            require(
                request.new_due > local_today(self._in.rules.time_zone),
                "new_due: must be after today",
            )

    @workflow.update
    async def waive(self, request: WaiveRequest) -> ObligationStatus:
        action = self._actions.start()
        self._status = ObligationState.WAIVED
        self._overdue = False
        self._revision += 1
        await self._record_review(action, "waived", request.reason, None, request.actor)
        await self._mail("waived", [PROVIDER_ROLE], "waived", reason=request.reason, held=True)
        await self._report("waived", request.actor, {"reason": request.reason})
        return self.status()

    @waive.validator
    def _validate_waive(self, request: WaiveRequest) -> None:
        require_valid(request)
        require_text(request.reason, "reason")
        self._require_open("waive")

    @workflow.update
    async def extend(self, request: ExtendRequest) -> ObligationStatus:
        action = self._actions.start()
        self._revision += 1
        await self._set_new_due(
            action,
            request.new_due,
            "extended",
            ("extended", "extended"),
            ("reason", request.reason),
            request.actor,
        )
        return self.status()

    @extend.validator
    def _validate_extend(self, request: ExtendRequest) -> None:
        require_valid(request)
        require_text(request.reason, "reason")
        self._require_open("extend")
        require(
            self._status is not ObligationState.SUBMITTED,
            "status: submitted and awaiting review; review it instead",
        )
        require(
            request.new_due > self._schedule.due,
            f"new_due: must be after the current due date {self._schedule.due.isoformat()}",
        )
        require(
            request.new_due <= self._schedule.due + timedelta(days=730),
            "new_due: at most two years after the current due date",
        )

    @workflow.signal
    def close(self, request: CloseRequest) -> None:
        """From the contract on termination: the occurrence is no longer owed."""
        if not self._status.terminal:
            self._status = ObligationState.CANCELLED
            self._close_reason = request.reason
            self._revision += 1

    def followed_plan(self) -> FollowedPlan:
        """workflows.common.FollowsPlan: where a record refused for good is reported."""
        return self._in.plan_id, self._in.roles

    @workflow.query
    def status(self) -> ObligationStatus:
        occ = self._in.occurrence
        return ObligationStatus(
            workflow_id=self._wid,
            org_nr=self._in.org_nr,
            obligation=occ.obligation,
            title=occ.title,
            period=occ.period,
            nominal_due=occ.nominal_due,
            due=self._schedule.due,
            status=self._status,
            overdue=self._overdue,
            escalation_level=self._level,
            reminders_sent=self._reminders_sent,
            submissions=list(self._submissions),
            history=list(self._history),
            mail_held=self._held_mail.status(),
        )

    # --- helpers ------------------------------------------------------------------------------

    @property
    def _wid(self) -> str:
        return workflow.info().workflow_id

    def _require_open(self, action: str) -> None:
        require(
            not self._status.terminal,
            f"status: cannot {action}, the item is already {self._status.value}",
        )

    async def _new_round(self, due: Any) -> tuple[int, date]:
        """A new due date (extension or completion): reminders and the ladder start over.

        Returns this round's number and due date, taken before any other action can start a
        round. Patched runs name the round's e-mail ("extended:N", "completion:N") by this
        number; old runs read the round current when the e-mail goes out, which a concurrent
        extension may already have raised, so both e-mails went out under one key. The number
        cannot repeat an old key either: rounds only count up, and old runs only ever used a
        round that already existed."""
        self._replanning = True
        try:
            self._schedule = await date_deadline(self._in.rules, due)
        finally:
            self._replanning = False
        self._round += 1
        self._round_opened_at = workflow.now()
        self._reminded = set()
        self._overdue = False
        self._level = 0
        self._revision += 1
        return self._round, self._schedule.due

    async def _set_new_due(
        self,
        action: int | None,
        new_due: date,
        outcome: Any,
        mail: tuple[str, str],
        text: tuple[str, str],
        actor: str,
    ) -> None:
        """A new due date (completion requested, or an extension): a new round, its review
        row, the provider's e-mail (`mail`: template and key prefix) and the outcome, each
        quoting `text` (name and value: the note or the reason)."""
        template, key = mail
        name, value = text
        rnd, due = await self._new_round(new_due)
        await self._record_review(action, outcome, value, due, actor)
        if action is None:  # old runs: the round current by now (see _new_round)
            rnd = self._round
        # The administrator's decision (completion, extension): in office hours.
        await self._mail(template, [PROVIDER_ROLE], f"{key}:{rnd}", held=True, **{name: value})
        if action is None:
            due = self._schedule.due
        await self._report(outcome, actor, {name: value, "new_due": due.isoformat()})

    async def _record_review(
        self, action: int | None, outcome: Any, note: str, new_due: Any, actor: str
    ) -> None:
        # Old runs: the number of history notes, read when the review is written; two actions
        # in flight together could both read the same count, and the second row was lost. Patched:
        # the action's own number, under "review:action-N" so that it can never equal an
        # old "review:N" already written by the same workflow before the patch took effect.
        key = f"review:{len(self._history)}" if action is None else f"review:action-{action}"
        await call(
            RecordActivities.record_review,
            ReviewWrite(
                key=f"{self._wid}:{key}",
                workflow_id=self._wid,
                outcome=outcome,
                note=note,
                new_due=new_due,
                actor=actor,
                at=workflow.now(),
            ),
        )

    def _context(self) -> dict[str, Any]:
        inp, occ, ob = self._in, self._in.occurrence, self._in.obligation
        recipient = inp.roles[ob.recipient]
        admin = inp.roles[inp.administrator_role]
        ladder = self._schedule.escalations
        return {
            "provider_name": inp.provider_name,
            "org_nr": inp.org_nr,
            "title": occ.title,
            "description": ob.description,
            "period": occ.period,
            "due": self._schedule.due.isoformat(),
            "nominal_due": occ.nominal_due.isoformat(),
            "recipient_title": recipient.title,
            "recipient_email": recipient.email,
            "admin_title": admin.title,
            "admin_email": admin.email,
            "documents": [d.title for d in ob.documents],
            "fields": [f.title for f in ob.fields],
            "first_escalation": ladder[0].title if ladder else "",
            "first_escalation_days": (
                (ladder[0].at.date() - self._schedule.due).days if ladder else 0
            ),
            "escalation_steps": [s.title for s in ladder],
            "level": self._level,
            "days_overdue": max(0, (workflow.now() - self._schedule.deadline).days + 1),
            "next_escalation": (ladder[self._level].title if self._level < len(ladder) else ""),
            "next_escalation_at": (
                ladder[self._level].at.isoformat() if self._level < len(ladder) else ""
            ),
        }

    async def _mail(
        self, template: str, roles: list[str], key: str, held: bool = False, **extra: Any
    ) -> None:
        """`held`: the e-mail answers someone else's action (the administrator's review,
        waiver or extension), so outside office hours it waits for them (HeldMail); the
        receipt of a submission and the timed steps (already at the plan's send_at) go at once.
        """
        occ = self._in.occurrence
        request = mail_request(
            key,
            template,
            roles,
            to=self._in,
            time_zone=self._in.rules.time_zone,
            context={**self._context(), **extra},
            obligation=occ.obligation,
            period=occ.period,
        )
        await self._held_mail.send(request, self._in.rules, hold=held)

    async def _report(self, event: str, actor: str, details: dict[str, Any] | None = None) -> None:
        """One outcome: history note, search attributes, records, and the contract's view."""
        inp, occ = self._in, self._in.occurrence
        now = workflow.now()
        # Safe without unique-action-keys: the note is appended and the count read for the
        # audit key below with no await in between, so concurrent outcomes get distinct numbers.
        number = add_note(self._history, now, event, actor)
        if inp.search_attributes:
            workflow.upsert_search_attributes(
                [
                    sa.STATUS.value_set(self._status.value),
                    sa.OVERDUE.value_set(self._overdue),
                    sa.ESCALATION_LEVEL.value_set(self._level),
                    sa.DUE.value_set(self._schedule.deadline),
                ]
            )
        occurrence = call(
            RecordActivities.record_occurrence,
            OccurrenceRecord(
                workflow_id=self._wid,
                org_nr=inp.org_nr,
                obligation=occ.obligation,
                period=occ.period,
                nominal_due=occ.nominal_due,
                due=self._schedule.due,
                recipient=occ.recipient,
                status=self._status,
                overdue=self._overdue,
                escalation_level=self._level,
                at=now,
            ),
        )
        audit = record_audit(
            f"event:{number}",
            now,
            inp.org_nr,
            event,
            actor,
            {
                "obligation": occ.obligation,
                "period": occ.period,
                "status": self._status.value,
                "due": self._schedule.due.isoformat(),
                **(details or {}),
            },
        )
        await self._together(occurrence, audit, self._notify_contract())

    async def _together(self, *steps: Coroutine[Any, Any, Any]) -> None:
        """Run independent side effects: concurrently once patched, else in the given order.

        Each is idempotent and keyed on its own, so their order never mattered for the
        outcome; only the number of round trips to the server (measured in
        docs/PERFORMANCE.md) changes.
        """
        if workflow.patched(CONCURRENT_STEPS_PATCH):
            await asyncio.gather(*steps)
            return
        pending = list(steps)
        try:
            while pending:
                await pending.pop(0)
        finally:
            for step in pending:  # a step failed: the rest never start
                step.close()

    async def _notify_contract(self) -> None:
        item = ItemStatus(
            workflow_id=self._wid,
            obligation=self._in.occurrence.obligation,
            period=self._in.occurrence.period,
            due=self._schedule.due,
            status=self._status,
            overdue=self._overdue,
            escalation_level=self._level,
            changed_at=workflow.now(),
        )
        handle = workflow.get_external_workflow_handle(self._in.contract_workflow_id)
        try:
            await handle.signal(OBLIGATION_CHANGED_SIGNAL, item)
        except FailureError:
            # The contract has ended (terminated); the item is still owed and tracked here.
            workflow.logger.info("contract %s no longer running", self._in.contract_workflow_id)
