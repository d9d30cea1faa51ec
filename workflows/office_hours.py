"""E-mail to people goes out in office hours unless it answers their own action (issue 16).

Two ways a workflow keeps to it:

- `wait_for_office_hours`: workflow code that sends an e-mail from its own timer or hook at
  night (the rotation's assignment at the end of the choice deadline, a re-choice request after
  a termination) waits here first until the plan's next office-hours moment on a business day
  (patch `mail-office-hours`). Timers that already fire at the plan's `send_at` on business
  days (reminders, escalations) need not.
- `HeldMail`: an e-mail caused by another person's action (the administrator accepting,
  waiving, extending, deciding, inviting at 02:00) is held until that moment and sent by a
  coroutine of the workflow's own, on a durable timer (patch `mail-held-for-office-hours`), so
  the Update that caused it still returns at once. Replies to a person's own action (the receipt
  of a provider's submission, the confirmation of its own uppsägning) do not wait.

The instant comes from an activity: the holiday tables stay out of workflow code.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.mail import MailActivities
    from activities.plans import PlanActivities
    from models.domain.calendar import CalendarRules
    from models.messages.common import HeldMailStatus, OfficeHoursRequest
    from models.messages.mail import MailRequest
    from workflows.common import call

# workflow.patched() id: e-mail caused by someone else's action is held until office hours.
# Runs from before send it at once, as they did (their histories have no office-hours activity).
HELD_MAIL_PATCH = "mail-held-for-office-hours"


async def wait_for_office_hours(rules: CalendarRules) -> None:
    """Sleep until the next office-hours moment (at once if it is office hours now)."""
    now = workflow.now()
    send_at = await call(
        PlanActivities.office_hours_send_time, OfficeHoursRequest(rules=rules, at=now)
    )
    if send_at > now:
        await workflow.sleep(send_at - now)


@dataclass(frozen=True)
class _Held:
    send_at: datetime
    request: MailRequest


class HeldMail:
    """The e-mails one workflow holds until office hours, and the coroutine that sends them.

    One per workflow instance. `send` returns as soon as the e-mail is sent or held; held
    e-mails go out in the order they were held (their sending moments never decrease: a later
    action never has an earlier office-hours moment), each under its own key, so the
    `send_mail` activity stays idempotent. The workflow calls `settled()` instead of waiting for
    its handlers alone before it completes or continues as new, so no held e-mail is lost.
    """

    def __init__(self) -> None:
        self._held: list[_Held] = []
        self._sender: asyncio.Task[None] | None = None

    async def send(
        self, request: MailRequest, rules: CalendarRules | None, *, hold: bool = True
    ) -> None:
        """Send `request`. `hold`: an e-mail caused by someone else's action, sent at once in
        office hours on a business day, otherwise held until the plan's next office-hours
        moment. Not `hold` (a reply to the recipient's own action, a timed step already at the
        plan's send_at), or `rules` None (no calendar known): at once."""
        if not hold or rules is None or not workflow.patched(HELD_MAIL_PATCH):
            await call(MailActivities.send_mail, request)
            return
        send_at = await call(
            PlanActivities.office_hours_send_time, OfficeHoursRequest(rules=rules, at=request.at)
        )
        if send_at <= workflow.now():
            await call(MailActivities.send_mail, request)
            return
        self._held.append(_Held(send_at, request))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._deliver())

    async def _deliver(self) -> None:
        while self._held:
            first = self._held[0]
            delay = first.send_at - workflow.now()
            if delay > timedelta(0):
                await workflow.sleep(delay)
            # Dated when it goes: the Date header and the outbox say when it was sent.
            await call(
                MailActivities.send_mail, first.request.model_copy(update={"at": workflow.now()})
            )
            self._held.pop(0)

    def status(self) -> list[HeldMailStatus]:
        """What is held, for the workflow's status query."""
        return [
            HeldMailStatus(
                kind=h.request.kind, to_roles=list(h.request.to_roles), send_at=h.send_at
            )
            for h in self._held
        ]

    def _idle(self) -> bool:
        return self._sender is None or self._sender.done()

    async def settled(self) -> None:
        """Until every update and signal handler has returned and every held e-mail has gone:
        a workflow that completes or continues as new before would lose them. For runs that
        never held one this is exactly `workflows.common.until_handlers_finished`."""
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and self._idle())
        if self._sender is not None:
            self._sender.result()  # a sending that failed fails the workflow, as in a handler
