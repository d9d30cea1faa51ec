"""The timed steps the workflows share (workflows/timed_steps.py): which reminder is next and
when the deadline gives way to the escalation ladder. Pure functions of the schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime

from models.domain.calendar import DeadlineSchedule, ScheduledEscalation
from workflows.timed_steps import TimedAction, deadline_or_escalation, next_reminder


def at(day: int) -> datetime:
    return datetime(2031, 4, day, 7, tzinfo=UTC)


SCHEDULE = DeadlineSchedule(
    due=date(2031, 4, 20),
    deadline=at(21),
    reminders=(at(1), at(13), at(19)),
    escalations=tuple(
        ScheduledEscalation(level=n, kind="reminder", title=f"Steg {n}", notify=(), at=at(21 + n))
        for n in (1, 2)
    ),
)


def test_the_first_reminder_not_sent_and_not_already_past_when_the_round_opened() -> None:
    assert next_reminder(SCHEDULE, set(), at(1), "reminder") == TimedAction(at(1), "reminder", 0)
    assert next_reminder(SCHEDULE, {0}, at(1), "reminder") == TimedAction(at(13), "reminder", 1)
    # Opened after the first two: they are skipped, not sent late in a burst.
    assert next_reminder(SCHEDULE, set(), at(14), "x") == TimedAction(at(19), "x", 2)
    assert next_reminder(SCHEDULE, {2}, at(14), "x") is None


def test_no_reminder_at_or_after_the_deadline() -> None:
    late = SCHEDULE.model_copy(update={"reminders": (at(21), at(22))})
    assert next_reminder(late, set(), at(1), "reminder") is None


def test_the_deadline_then_each_escalation_step_then_nothing() -> None:
    assert deadline_or_escalation(SCHEDULE, False, 0) == TimedAction(at(21), "deadline")
    assert deadline_or_escalation(SCHEDULE, True, 0) == TimedAction(at(22), "escalation", 0)
    assert deadline_or_escalation(SCHEDULE, True, 1) == TimedAction(at(23), "escalation", 1)
    assert deadline_or_escalation(SCHEDULE, True, 2) is None
