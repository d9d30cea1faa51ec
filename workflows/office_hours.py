"""E-mail to people goes out in office hours unless it answers their own action (issue 16).

Workflow code that sends an e-mail from its own timer or hook at night (the rotation's
assignment at the end of the choice deadline, a re-choice request after a termination) waits
here first until the plan's next office-hours moment on a business day. Timers that already
fire at the plan's `send_at` on business days (reminders, escalations) need not. The instant
comes from an activity (the holiday tables stay out of workflow code); replies to a person's
own action do not wait.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.plans import PlanActivities
    from models.domain.calendar import CalendarRules
    from models.messages.common import OfficeHoursRequest
    from workflows.common import call


async def wait_for_office_hours(rules: CalendarRules) -> None:
    """Sleep until the next office-hours moment (at once if it is office hours now)."""
    now = workflow.now()
    send_at = await call(
        PlanActivities.office_hours_send_time, OfficeHoursRequest(rules=rules, at=now)
    )
    if send_at > now:
        await workflow.sleep(send_at - now)
