"""Recovery workflow (återkrav): one case of money asked back for hours billed but not approved.

Lives from the notice until the money is paid or the claim withdrawn, typically a few months:

1. notice: the amount, computed line by line (models.domain.money), is sent to the provider with a
   response deadline (kommunicering, the plan's `response_days`, moved to a business day);
2. the administrator registers the provider's response (accept, or dispute with a comment); if
   none has come when the deadline has passed, the administrator is told to decide anyway;
3. decision: confirm, adjust (new amount or adjusted lines, with a reason) or withdraw (with a
   reason); refused before the response deadline unless the provider has responded;
4. settlement: an invoice (payment due after `payment_days`, a reminder `payment_reminder_days`
   before, inkasso when unpaid at the due date) or a set-off against the next payment (the
   municipality holds the money, so no reminder or inkasso: the administrator is asked to
   confirm the deduction once the payment date has passed);
5. paid: recorded by the administrator; the case closes.

Every step is one records activity (state, step, lines, audit) and, where someone must know,
one e-mail keyed by this workflow's id, so nothing is written or sent twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.recovery import RecoveryActivities
    from models.domain.calendar import CalendarRules, DeadlineSchedule
    from models.domain.money import (
        ClaimLine,
        ClaimLineError,
        calculation_lines,
        check_lines,
        format_sek,
        to_ore,
        total,
    )
    from models.messages.recovery import (
        DecideRequest,
        PaidRequest,
        RecoveryDecision,
        RecoveryInput,
        RecoveryResponse,
        RecoverySettlement,
        RecoveryState,
        RecoveryStatus,
        RecoveryStepNote,
        RecoveryStepWrite,
        RespondRequest,
        SettleRequest,
    )
    from models.plans.schema import PROVIDER_ROLE, EscalationStep
    from models.runtime import search_attributes as sa
    from workflows.common import FollowedPlan, call, local_today
    from workflows.mail import mail_request
    from workflows.office_hours import HeldMail
    from workflows.timed_steps import TimedAction, date_deadline, run_timed_steps
    from workflows.validation import require, require_text, require_valid


@workflow.defn
class RecoveryWorkflow:
    @workflow.init
    def __init__(self, inp: RecoveryInput) -> None:
        self._in = inp
        self._status = RecoveryState.NOTICED
        self._claimed = total(inp.lines)
        self._amount = self._claimed
        self._adjusted_lines: list[ClaimLine] | None = None
        self._response_schedule: DeadlineSchedule | None = None
        self._payment_schedule: DeadlineSchedule | None = None
        self._response: RecoveryResponse | None = None
        self._decision: RecoveryDecision | None = None
        self._settlement: RecoverySettlement | None = None
        self._settled_at: datetime | None = None
        self._done: set[str] = set()  # timed actions already taken
        self._reminder_at: datetime | None = None
        self._debt_collection_at: datetime | None = None
        self._paid_at: datetime | None = None
        self._steps: list[RecoveryStepNote] = []
        self._revision = 0
        self._ready = False
        # The administrator's notice and decisions reach the provider in office hours.
        self._held_mail = HeldMail()

    # --- main loop ------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: RecoveryInput) -> RecoveryStatus:
        today = local_today(inp.calendar.time_zone)
        self._response_schedule = await date_deadline(
            self._rules((), "recovery-response-expired", "Svarstiden har gått ut"),
            today + timedelta(days=inp.response_days),
        )
        await self._step(
            "noticed",
            inp.actor,
            {"amount": self._claimed, "response_due": self._response_schedule.due},
            lines_revision=0,
            lines=inp.lines,
        )
        await self._mail(
            "recovery-notice", [PROVIDER_ROLE, inp.administrator_role], "notice", held=True
        )
        self._ready = True
        await run_timed_steps(
            self,
            lambda: self._status.terminal,
        )
        await self._held_mail.settled()
        return self.status()

    def _next_action(self) -> TimedAction | None:
        # Kinds: "response-expired" | "payment-reminder" | "debt-collection" | "set-off-check".
        status = self._status
        if status is RecoveryState.NOTICED and "response-expired" not in self._done:
            assert self._response_schedule is not None
            return TimedAction(self._response_schedule.escalations[0].at, "response-expired")
        schedule = self._payment_schedule
        if schedule is None:
            return None
        if status is RecoveryState.INVOICED:
            reminders = [
                at
                for at in schedule.reminders
                if self._settled_at is not None and at > self._settled_at
            ]
            if reminders and "payment-reminder" not in self._done:
                return TimedAction(reminders[0], "payment-reminder")
            return TimedAction(schedule.escalations[0].at, "debt-collection")
        if status is RecoveryState.SET_OFF and "set-off-check" not in self._done:
            return TimedAction(schedule.escalations[0].at, "set-off-check")
        return None

    async def _perform(self, action: TimedAction) -> None:
        self._done.add(action.kind)
        admin = self._in.administrator_role
        if action.kind == "response-expired":
            await self._step("response-expired", "system", {})
            await self._mail("recovery-response-expired", [admin], "response-expired")
        elif action.kind == "payment-reminder":
            self._reminder_at = workflow.now()
            await self._step("payment-reminder", "system", {})
            await self._mail("recovery-payment-reminder", [PROVIDER_ROLE], "payment-reminder")
        elif action.kind == "debt-collection":
            self._status = RecoveryState.DEBT_COLLECTION
            self._debt_collection_at = workflow.now()
            await self._step("debt-collection", "system", {"amount": self._amount})
            await self._mail("recovery-debt-collection", [PROVIDER_ROLE, admin], "debt-collection")
        else:
            await self._step("set-off-check", "system", {})
            await self._mail("recovery-set-off-check", [admin], "set-off-check")

    # --- updates ----------------------------------------------------------------------------

    @workflow.update
    async def respond(self, request: RespondRequest) -> RecoveryStatus:
        # A response registered right after the start waits until the notice has gone out,
        # so the step order in the records is notice, then response.
        await workflow.wait_condition(lambda: self._ready)
        assert self._response_schedule is not None
        now = workflow.now()
        outcome: Any = "accepted" if request.outcome == "accept" else "disputed"
        self._response = RecoveryResponse(
            outcome=outcome,
            comment=request.comment.strip(),
            actor=request.actor,
            at=now,
            late=now >= self._response_schedule.deadline,
        )
        self._status = RecoveryState.RESPONDED
        self._revision += 1
        await self._step(f"response-{outcome}", request.actor, {"comment": request.comment})
        return self.status()

    @respond.validator
    def _validate_respond(self, request: RespondRequest) -> None:
        require_valid(request)
        require(
            self._status is RecoveryState.NOTICED,
            f"status: a response can no longer be registered (status is {self._status.value})",
        )
        if request.outcome == "dispute":
            require_text(request.comment, "comment (what the provider disputes)")

    @workflow.update
    async def decide(self, request: DecideRequest) -> RecoveryStatus:
        revision: int | None = None
        if request.outcome == "confirm":
            outcome: Any = "confirmed"
            amount = self._amount
        elif request.outcome == "adjust":
            outcome = "adjusted"
            if request.lines is not None:
                self._adjusted_lines = list(request.lines)
                amount = total(request.lines)
                revision = 1
            else:
                assert request.amount is not None
                amount = to_ore(request.amount)
        else:
            outcome = "withdrawn"
            amount = Decimal("0.00")
        self._amount = amount
        self._decision = RecoveryDecision(
            outcome=outcome,
            amount=amount,
            reason=request.reason.strip(),
            actor=request.actor,
            at=workflow.now(),
        )
        self._status = RecoveryState.WITHDRAWN if outcome == "withdrawn" else RecoveryState.DECIDED
        self._revision += 1
        await self._step(
            f"decision-{outcome}",
            request.actor,
            {"amount": amount, "reason": request.reason},
            lines_revision=revision,
            lines=request.lines or [],
        )
        await self._mail(
            "recovery-decision", [PROVIDER_ROLE, self._in.administrator_role], "decision", held=True
        )
        return self.status()

    @decide.validator
    def _validate_decide(self, request: DecideRequest) -> None:
        require_valid(request)
        require(
            self._status in (RecoveryState.NOTICED, RecoveryState.RESPONDED),
            f"status: already decided (status is {self._status.value})",
        )
        schedule = self._response_schedule
        until = (
            schedule.due.isoformat()
            if schedule
            else f"{self._in.response_days} days after the notice"
        )
        require(
            self._response is not None
            or (schedule is not None and workflow.now() >= schedule.deadline),
            f"response_due: the provider may respond until {until} "
            "(kommunicering); decide after that or once the response is registered",
        )
        if request.outcome == "confirm":
            require(
                request.amount is None and request.lines is None,
                "amount: only with an adjustment",
            )
            return
        require_text(request.reason, "reason")
        if request.outcome == "withdraw":
            require(
                request.amount is None and request.lines is None,
                "amount: only with an adjustment",
            )
            return
        require(
            (request.amount is None) != (request.lines is None),
            "amount: give either a new amount or adjusted lines",
        )
        if request.lines is not None:
            try:
                check_lines(request.lines)
            except ClaimLineError as err:
                raise ValueError(str(err)) from None
            amount = total(request.lines)
        else:
            assert request.amount is not None
            require(request.amount.is_finite(), "amount: must be a number")
            amount = to_ore(request.amount)
            require(amount > 0, "amount: must be above 0; withdraw the claim instead")
        require(
            amount <= self._claimed,
            f"amount: {format_sek(amount)} is more than the notified {format_sek(self._claimed)}"
            "; a higher claim needs a new notice (start a new case)",
        )

    @workflow.update
    async def settle(self, request: SettleRequest) -> RecoveryStatus:
        today = local_today(self._in.calendar.time_zone)
        invoice = request.method == "invoice"
        self._payment_schedule = await date_deadline(
            self._rules(
                (self._in.payment_reminder_days,) if invoice else (),
                "recovery-debt-collection" if invoice else "recovery-set-off-check",
                "Inkasso" if invoice else "Kontroll av kvittning",
            ),
            today + timedelta(days=self._in.payment_days),
        )
        now = workflow.now()
        self._settled_at = now
        self._settlement = RecoverySettlement(
            method=request.method,
            invoice_number=request.invoice_number.strip() if invoice else None,
            payment_due=self._payment_schedule.due,
            actor=request.actor,
            at=now,
        )
        self._status = RecoveryState.INVOICED if invoice else RecoveryState.SET_OFF
        self._revision += 1
        await self._step(
            "invoiced" if invoice else "set-off",
            request.actor,
            {
                "invoice_number": request.invoice_number.strip(),
                "payment_due": self._payment_schedule.due,
            },
        )
        await self._mail(
            "recovery-settlement",
            [PROVIDER_ROLE, self._in.administrator_role],
            "settlement",
            kind="recovery-invoice" if invoice else "recovery-set-off",
            held=True,
        )
        return self.status()

    @settle.validator
    def _validate_settle(self, request: SettleRequest) -> None:
        require_valid(request)
        require(
            self._status is RecoveryState.DECIDED,
            f"status: nothing to settle (status is {self._status.value})",
        )
        if request.method == "invoice":
            require_text(request.invoice_number, "invoice_number")
        else:
            require(not request.invoice_number, "invoice_number: only with an invoice")

    @workflow.update
    async def paid(self, request: PaidRequest) -> RecoveryStatus:
        self._paid_at = workflow.now()
        self._status = RecoveryState.PAID
        self._revision += 1
        await self._step("paid", request.actor, {"amount": self._amount, "note": request.note})
        await self._mail("recovery-paid", [PROVIDER_ROLE, self._in.administrator_role], "paid")
        return self.status()

    @paid.validator
    def _validate_paid(self, request: PaidRequest) -> None:
        require_valid(request)
        require(
            self._status
            in (RecoveryState.INVOICED, RecoveryState.SET_OFF, RecoveryState.DEBT_COLLECTION),
            f"status: nothing to pay (status is {self._status.value})",
        )

    def followed_plan(self) -> FollowedPlan:
        """workflows.common.FollowsPlan: where a record refused for good is reported."""
        return self._in.plan_id, self._in.roles

    @workflow.query
    def status(self) -> RecoveryStatus:
        inp = self._in
        adjusted = self._adjusted_lines
        settlement = self._settlement
        reminder_at = self._reminder_at
        if reminder_at is None and settlement is not None and settlement.method == "invoice":
            action = self._next_action()
            if action is not None and action.kind == "payment-reminder":
                reminder_at = action.at
        return RecoveryStatus(
            case_id=inp.case_id,
            workflow_id=self._wid,
            org_nr=inp.org_nr,
            provider_name=inp.provider_name,
            subject=inp.subject,
            status=self._status,
            lines=list(inp.lines),
            calculation=calculation_lines(inp.lines),
            claimed_amount=self._claimed,
            amount=self._amount,
            adjusted_lines=None if adjusted is None else list(adjusted),
            adjusted_calculation=None if adjusted is None else calculation_lines(adjusted),
            response_due=self._response_schedule.due if self._response_schedule else None,
            response=self._response,
            decision=self._decision,
            settlement=settlement,
            payment_reminder_at=reminder_at,
            debt_collection_at=self._debt_collection_at,
            paid_at=self._paid_at,
            steps=list(self._steps),
            mail_held=self._held_mail.status(),
        )

    # --- helpers ------------------------------------------------------------------------------

    @property
    def _wid(self) -> str:
        return workflow.info().workflow_id

    def _rules(self, reminder_days: tuple[int, ...], kind: str, title: str) -> CalendarRules:
        """The plan's calendar with this case's reminders and one step the day after the due
        date (the plan's office hours, next business day): expiry, inkasso or the set-off
        check."""
        step = EscalationStep(
            level=1,
            after_days=1,
            kind=kind,
            title=title,
            notify=(self._in.administrator_role,),
        )
        return self._in.calendar.model_copy(
            update={"reminder_offsets_days": reminder_days, "escalation": (step,)}
        )

    async def _step(
        self,
        step: str,
        actor: str,
        details: dict[str, Any],
        lines_revision: int | None = None,
        lines: list[ClaimLine] | None = None,
    ) -> None:
        """One step: the status history, search attributes, and the records database."""
        inp = self._in
        now = workflow.now()
        note = "; ".join(f"{k}={_shown(v)}" for k, v in details.items() if _shown(v))
        # The step's key below is the count read right after this append, with no await in
        # between: concurrent steps get distinct numbers (no unique-action-keys patch needed).
        self._steps.append(RecoveryStepNote(at=now, step=step, actor=actor, note=note))
        if inp.search_attributes:
            workflow.upsert_search_attributes([sa.STATUS.value_set(self._status.value)])
        response, decision, settlement = self._response, self._decision, self._settlement
        await call(
            RecoveryActivities.record_recovery_step,
            RecoveryStepWrite(
                key=f"{self._wid}:step:{len(self._steps)}",
                case_id=inp.case_id,
                workflow_id=self._wid,
                org_nr=inp.org_nr,
                year=inp.year,
                step=step,
                actor=actor,
                at=now,
                status=self._status,
                claimed_amount=self._claimed,
                amount=self._amount,
                response=response.outcome if response else None,
                response_due=self._response_schedule.due if self._response_schedule else None,
                decision=decision.outcome if decision else None,
                decision_reason=decision.reason if decision else None,
                settlement=settlement.method if settlement else None,
                invoice_number=settlement.invoice_number if settlement else None,
                payment_due=settlement.payment_due if settlement else None,
                paid_at=self._paid_at,
                lines_revision=lines_revision,
                lines=lines or [],
                details={k: _shown(v) for k, v in details.items()},
            ),
        )

    def _context(self) -> dict[str, Any]:
        inp = self._in
        admin = inp.roles[inp.administrator_role]
        adjusted = self._adjusted_lines
        response, decision, settlement = self._response, self._decision, self._settlement
        payment = self._payment_schedule
        return {
            "provider_name": inp.provider_name,
            "org_nr": inp.org_nr,
            "case_id": inp.case_id,
            "subject": inp.subject,
            # In the plan's language: the lines are quoted in the e-mail's own language.
            "calculation": calculation_lines(inp.lines, inp.language),
            "claimed": format_sek(self._claimed),
            "amount": format_sek(self._amount),
            "response_days": inp.response_days,
            "response_due": (
                self._response_schedule.due.isoformat() if self._response_schedule else ""
            ),
            "response": response.outcome if response else "",
            "response_comment": response.comment if response else "",
            "decision": decision.outcome if decision else "",
            "decision_reason": decision.reason if decision else "",
            "adjusted_calculation": (calculation_lines(adjusted, inp.language) if adjusted else []),
            "settlement": settlement.method if settlement else "",
            "invoice_number": (settlement.invoice_number or "") if settlement else "",
            "payment_due": payment.due.isoformat() if payment else "",
            "payment_days": inp.payment_days,
            "admin_title": admin.title,
            "admin_email": admin.email,
        }

    async def _mail(
        self, template: str, roles: list[str], key: str, kind: str | None = None, held: bool = False
    ) -> None:
        """`held`: the administrator's notice or decision, which outside office hours waits
        for them (workflows/office_hours.py); the confirmation of the provider's own payment
        goes at once, the timed steps already come at the plan's send_at."""
        request = mail_request(
            key,
            template,
            roles,
            to=self._in,
            time_zone=self._in.calendar.time_zone,
            context=self._context(),
            kind=kind,
        )
        await self._held_mail.send(request, self._in.calendar, hold=held)


def _shown(value: Any) -> str:
    """A step detail as text: amounts in SEK, dates ISO, text stripped."""
    if isinstance(value, Decimal):
        return format_sek(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value).strip()
