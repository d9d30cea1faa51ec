"""Meeting workflow: one follow-up meeting (uppföljningsmöte) of a contract in one plan window.

Opened by the contract's yearly run (through the opening activity, like obligations) as
`meeting-<orgnr>-<year>-<label>`. It reminds the organizer if nothing is scheduled by the middle
of the window, sends the invitation with a calendar file when the organizer schedules the
meeting, reminds the participants before it, tells management if the window closes without a
meeting held, and takes the minutes: action items the provider owns become obligations of their
own, with reminders and escalation like any other duty. Every step is an activity keyed by this
workflow's id and a counter, so nothing happens twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.meetings import MeetingActivities
    from activities.opening import OpeningActivities
    from activities.plans import PlanActivities
    from activities.records import RecordActivities
    from activities.rendering import format_date
    from models.domain.calendar import Occurrence, meeting_out_of_hours
    from models.domain.meeting_calendar import CALENDAR_SUMMARY, calendar_description
    from models.ids import obligation_workflow_id
    from models.messages.common import DeadlineRequest
    from models.messages.contract import OpenObligations
    from models.messages.mail import MailAttachment
    from models.messages.meeting import (
        ActionItemStatus,
        ActionItemWrite,
        CalendarInvite,
        CancelMeetingRequest,
        MeetingInput,
        MeetingReminderRequest,
        MeetingState,
        MeetingStatus,
        MeetingWrite,
        Minutes,
        MinutesRequest,
        ScheduledMeeting,
        ScheduleRequest,
    )
    from models.messages.obligation import CloseRequest, ObligationInput
    from models.plans.schema import PROVIDER_ROLE, AnnualSchedule, Document, MonthDay, Obligation
    from models.runtime import search_attributes as sa
    from workflows.action_keys import UNIQUE_KEYS_PATCH
    from workflows.common import (
        FollowedPlan,
        call,
        local_time,
        local_today,
    )
    from workflows.mail import mail_request
    from workflows.office_hours import HeldMail
    from workflows.records import add_note, record_audit
    from workflows.timed_steps import TimedAction, run_timed_steps
    from workflows.validation import require, require_text, require_valid

# The obligation key of an action item the provider owns; its period is "<meeting period>-<n>".
ACTION_OBLIGATION = "meeting-action"
ACTION_DOCUMENT = "action-report"
MIN_DURATION, MAX_DURATION = 15, 8 * 60
# An action item may be given at most this long: longer is a plan matter, not a meeting's.
MAX_ACTION_DAYS = 730
# UNIQUE_KEYS_PATCH: an outcome's audit key and an invitation's SEQUENCE are taken before
# the first await, so a reminder and a reschedule, or two reschedules, in flight together
# never share a key (the second audit event or invitation was lost to the first's key). Runs
# without the marker keep computing them as before.
# workflow.patched() id: a meeting cancelled while its window is open stays open until the window
# closes, so the window can be booked again (issue 16). Runs without the marker end on cancel.
REBOOK_AFTER_CANCEL_PATCH = "rebook-after-cancel"

_TEXTS = {
    "sv": {
        "title": "Åtgärd {n} från uppföljningsmötet {day}",
        "document": "Redovisning av åtgärden: {text}",
        "summary": CALENDAR_SUMMARY["sv"],
    },
    "da": {
        "title": "Handling {n} fra opfølgningsmødet {day}",
        "document": "Redegørelse for handlingen: {text}",
        "summary": CALENDAR_SUMMARY["da"],
    },
}


@workflow.defn
class MeetingWorkflow:
    @workflow.init
    def __init__(self, inp: MeetingInput) -> None:
        self._in = inp
        self._status = MeetingState.UNSCHEDULED
        self._meeting: ScheduledMeeting | None = None
        self._earlier: list[ScheduledMeeting] = []
        self._minutes: Minutes | None = None
        self._opened_at = workflow.now()
        self._reminded_unscheduled = False
        # The invitation (SEQUENCE) whose reminder has gone out: a reschedule reminds anew.
        self._reminded_sequence = -1
        self._escalated = False
        self._escalated_at: datetime | None = None
        self._history: list[str] = []
        self._revision = 0
        # An update is between its activities: the timers wait until it has settled the state.
        self._busy = False
        self._close_reason = ""
        # Cancelled with the window still open: `schedule` may book it again until then.
        self._rebook_until: datetime | None = None
        self._cancellations = 0  # a meeting booked again may be cancelled again
        # Invitations, minutes and cancellations reach people in office hours (issue 16).
        self._held_mail = HeldMail()

    # --- main loop ------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: MeetingInput) -> MeetingStatus:
        await self._report("opened", "system")
        await run_timed_steps(
            self,
            # A cancelled meeting whose window is still open may be booked again (patched).
            lambda: self._status.terminal and self._rebook_until is None,
            # An update is changing the state right now: plan again after it.
            hold=lambda revision: self._busy or self._revision != revision,
        )
        if self._close_reason:
            # Closed by the contract (termination): a scheduled meeting is called off.
            if self._meeting is not None:
                await self._send_cancellation("cancelled-by-contract", self._close_reason)
            await self._report("cancelled", "system", {"reason": self._close_reason})
        await self._held_mail.settled()
        return self.status()

    def _next_action(self) -> TimedAction | None:
        if self._busy:
            return None
        if self._status.terminal:
            # Cancelled, bookable again until the window closes (never escalated: the meeting
            # was called off on purpose).
            until = self._rebook_until
            return TimedAction(until, "window-closed") if until is not None else None
        w = self._in.window
        # Kinds: "remind-unscheduled" | "reminder" | "took-place" | "escalation".
        found: list[TimedAction] = []
        if (
            self._status is MeetingState.UNSCHEDULED
            and not self._reminded_unscheduled
            # Opened after the middle of the window (a late contract): no reminder in a burst.
            and w.remind_at >= self._opened_at
            and w.remind_at < w.deadline
        ):
            found.append(TimedAction(w.remind_at, "remind-unscheduled"))
        m = self._meeting
        if self._status is MeetingState.SCHEDULED and m is not None:
            if m.reminder_at is not None and self._reminded_sequence != m.sequence:
                found.append(TimedAction(m.reminder_at, "reminder"))
            found.append(TimedAction(m.starts_at, "took-place"))
        if not self._escalated and not self._held_in_window():
            found.append(TimedAction(w.escalate_at, "escalation"))
        return min(found, key=lambda a: a.at) if found else None

    def _held_in_window(self) -> bool:
        m = self._meeting
        return (
            m is not None
            and self._status in (MeetingState.AWAITING_MINUTES, MeetingState.HELD)
            and m.starts_at < self._in.window.deadline
        )

    async def _perform(self, action: TimedAction) -> None:
        w = self._in.window
        if action.kind == "remind-unscheduled":
            self._reminded_unscheduled = True
            await self._mail(
                "meeting-unscheduled",
                [w.organizer, self._in.administrator_role],
                "remind-unscheduled",
            )
            await self._report("reminded-unscheduled", "system")
        elif action.kind == "reminder":
            assert self._meeting is not None
            self._reminded_sequence = self._meeting.sequence
            await self._mail(
                "meeting-reminder",
                [PROVIDER_ROLE, w.organizer],
                f"reminder:{self._meeting.sequence}",
            )
            await self._report("reminder", "system")
        elif action.kind == "window-closed":
            self._rebook_until = None  # nothing booked again: the workflow ends
        elif action.kind == "took-place":
            self._status = MeetingState.AWAITING_MINUTES
            await self._report("took-place", "system")
        else:
            self._escalated = True
            self._escalated_at = workflow.now()
            await self._mail("meeting-escalation", list(w.escalate_to), "escalation")
            await self._report("escalation", "system", {"to": list(w.escalate_to)})

    # --- updates ----------------------------------------------------------------------------

    @workflow.update
    async def schedule(self, request: ScheduleRequest) -> MeetingStatus:
        await self._set_time(request, "scheduled")
        return self.status()

    @schedule.validator
    def _validate_schedule(self, request: ScheduleRequest) -> None:
        require_valid(request)
        rebooking = self._status is MeetingState.CANCELLED and self._rebook_until is not None
        if self._status is not MeetingState.UNSCHEDULED and not rebooking:
            self._require_open("schedule")
            require(False, "status: already scheduled; use reschedule to move it")
        self._check_time(request, inherit=False)

    @workflow.update
    async def reschedule(self, request: ScheduleRequest) -> MeetingStatus:
        await self._set_time(request, "rescheduled")
        return self.status()

    @reschedule.validator
    def _validate_reschedule(self, request: ScheduleRequest) -> None:
        require_valid(request)
        require(
            not (self._status is MeetingState.CANCELLED and self._rebook_until is not None),
            "status: the meeting was cancelled; use schedule to book the window again",
        )
        self._require_open("reschedule")
        require(
            self._status is not MeetingState.UNSCHEDULED,
            "status: not scheduled yet; use schedule",
        )
        self._check_time(request, inherit=True)

    @workflow.update
    async def minutes(self, request: MinutesRequest) -> MeetingStatus:
        inp, w = self._in, self._in.window
        assert self._meeting is not None
        now = workflow.now()
        self._busy = True
        try:
            items: list[ActionItemStatus] = []
            openings: list[ObligationInput] = []
            for n, action in enumerate(request.actions, 1):
                wid = None
                if action.owner.strip() == PROVIDER_ROLE:
                    obligation_input = await self._action_obligation(n, action.due, action.text)
                    openings.append(obligation_input)
                    wid = obligation_workflow_id(
                        inp.org_nr,
                        ACTION_OBLIGATION,
                        obligation_input.occurrence.period,
                        inp.provider_ref,
                    )
                items.append(
                    ActionItemStatus(
                        number=n,
                        owner=action.owner.strip(),
                        due=action.due,
                        text=action.text.strip(),
                        obligation_workflow_id=wid,
                    )
                )
            self._minutes = Minutes(
                summary=request.summary.strip(),
                attendees=[a.strip() for a in request.attendees],
                actions=items,
                actor=request.actor,
                recorded_at=now,
            )
            for item in items:
                await call(
                    RecordActivities.record_action_item,
                    ActionItemWrite(
                        key=f"{self._wid}:action:{item.number}",
                        meeting_id=self._wid,
                        org_nr=inp.org_nr,
                        number=item.number,
                        owner=item.owner,
                        due=item.due,
                        text=item.text,
                        obligation_workflow_id=item.obligation_workflow_id,
                        at=now,
                    ),
                )
            if openings:
                await call(
                    OpeningActivities.open_obligations, OpenObligations(obligations=openings)
                )
            self._status = MeetingState.HELD
            await self._mail("meeting-minutes", [PROVIDER_ROLE, w.organizer], "minutes", held=True)
        finally:
            self._busy = False
            self._revision += 1
        await self._report(
            "minutes", request.actor, {"actions": len(items), "obligations": len(openings)}
        )
        return self.status()

    @minutes.validator
    def _validate_minutes(self, request: MinutesRequest) -> None:
        require_valid(request)
        status = self._status
        require(
            status is not MeetingState.UNSCHEDULED,
            "status: the meeting was never scheduled; schedule it and hold it first",
        )
        self._require_open("record minutes for")
        if status is MeetingState.SCHEDULED:
            assert self._meeting is not None
            require(
                False,
                "status: the meeting has not taken place yet (scheduled for "
                f"{self._local(self._meeting.starts_at):%Y-%m-%d %H:%M})",
            )
        require_text(request.summary, "summary")
        require(bool(request.attendees), "attendees: at least one attendee")
        for i, name in enumerate(request.attendees):
            require_text(name, f"attendees[{i}]")
        today = local_today(self._in.window.rules.time_zone)
        for i, action in enumerate(request.actions):
            require_text(action.owner, f"actions[{i}].owner")
            require_text(action.text, f"actions[{i}].text")
            require(action.due > today, f"actions[{i}].due: must be after today")
            require(
                action.due <= today + timedelta(days=MAX_ACTION_DAYS),
                f"actions[{i}].due: at most two years ahead",
            )

    @workflow.update
    async def cancel(self, request: CancelMeetingRequest) -> MeetingStatus:
        self._status = MeetingState.CANCELLED
        self._revision += 1
        deadline = self._in.window.deadline
        if deadline > workflow.now() and workflow.patched(REBOOK_AFTER_CANCEL_PATCH):
            self._rebook_until = deadline
        # The first cancellation keeps its e-mail key (runs without the patch cancel once).
        self._cancellations += 1
        n = self._cancellations
        if self._meeting is not None:
            key = "cancelled" if n == 1 else f"cancelled:{n}"
            await self._send_cancellation(key, request.reason)
        await self._report("cancelled", request.actor, {"reason": request.reason})
        return self.status()

    @cancel.validator
    def _validate_cancel(self, request: CancelMeetingRequest) -> None:
        require_valid(request)
        require_text(request.reason, "reason")
        self._require_open("cancel")

    @workflow.signal
    def close(self, request: CloseRequest) -> None:
        """From the contract on termination: the meeting is no longer owed."""
        if not self._status.terminal:
            self._status = MeetingState.CANCELLED
            self._close_reason = request.reason
            self._revision += 1
        elif self._rebook_until is not None:
            # Already cancelled (and its invitation called off): no longer bookable again.
            self._rebook_until = None
            self._revision += 1

    def followed_plan(self) -> FollowedPlan:
        """workflows.common.FollowsPlan: where a record refused for good is reported."""
        return self._in.plan_id, self._in.roles

    @workflow.query
    def status(self) -> MeetingStatus:
        w = self._in.window
        return MeetingStatus(
            workflow_id=self._wid,
            org_nr=self._in.org_nr,
            provider_name=self._in.provider_name,
            period=w.period,
            window_start=w.start,
            window_end=w.end,
            due=w.due,
            organizer=w.organizer,
            time_zone=w.rules.time_zone,
            holiday_calendar=w.rules.holiday_calendar,
            office_hours=w.rules.office_hours,
            status=self._status,
            meeting=self._meeting,
            earlier=list(self._earlier),
            minutes=self._minutes,
            reminded_unscheduled=self._reminded_unscheduled,
            escalated=self._escalated,
            history=list(self._history),
            mail_held=self._held_mail.status(),
        )

    # --- scheduling -------------------------------------------------------------------------

    def _check_time(self, request: ScheduleRequest, inherit: bool) -> None:
        w = self._in.window
        at = request.starts_at
        require(at.tzinfo is not None, "at: must carry a time zone")
        require(at > workflow.now(), "at: must be in the future")
        require(
            MIN_DURATION <= request.duration_minutes <= MAX_DURATION,
            f"duration: between {MIN_DURATION} and {MAX_DURATION} minutes",
        )
        day = self._local(at).date()
        if not (w.start <= day <= w.due):
            require(
                bool(request.reason.strip()),
                f"at: {day.isoformat()} is outside the meeting window {w.start.isoformat()}"
                f"–{w.due.isoformat()}; give a reason to hold it then",
            )
        # Business days and office hours (models.domain.calendar): validators do not run on
        # replay, so this check needs no patch.
        outside = meeting_out_of_hours(
            at,
            at + timedelta(minutes=request.duration_minutes),
            time_zone=w.rules.time_zone,
            holiday_calendar=w.rules.holiday_calendar,
            hours=w.rules.office_hours,
        )
        if outside is not None:
            require(
                bool(request.reason.strip()),
                f"at: {outside.english()}; give a reason to hold it then",
            )
        # The link itself is checked with the request (models.domain.inputs, via require_valid).
        link = request.link.strip()
        has_earlier = self._meeting is not None and bool(self._meeting.place or self._meeting.link)
        require(
            bool(request.place.strip() or link) or (inherit and has_earlier),
            "place: give a place or a link",
        )

    async def _set_time(self, request: ScheduleRequest, event: str) -> None:
        unique = workflow.patched(UNIQUE_KEYS_PATCH)
        w = self._in.window
        earlier = self._meeting
        # Booked again after a cancel: the cancellation used SEQUENCE + 1 (only in runs with
        # REBOOK_AFTER_CANCEL_PATCH; older runs never schedule a cancelled meeting).
        after_cancel = self._status is MeetingState.CANCELLED
        self._busy = True
        try:
            reminder_at = await call(
                PlanActivities.meeting_reminder,
                MeetingReminderRequest(rules=w.rules, starts_at=request.starts_at),
            )
        finally:
            self._busy = False
        if unique:
            # Another (re)schedule may have set a time while this one waited: build on that
            # one, so this gets the next SEQUENCE instead of the same one (calendars ignore an
            # update with an old SEQUENCE, and the e-mail key "invitation:SEQUENCE" must be new).
            # Sequences only count up, so no old invitation key can be reused.
            earlier = self._meeting
        now = workflow.now()
        place, link = request.place.strip(), request.link.strip()
        if earlier is not None and not (place or link):
            place, link = earlier.place, earlier.link
        self._meeting = ScheduledMeeting(
            starts_at=request.starts_at,
            ends_at=request.starts_at + timedelta(minutes=request.duration_minutes),
            place=place,
            link=link,
            sequence=0 if earlier is None else earlier.sequence + (2 if after_cancel else 1),
            # Too late for a reminder when the meeting is this close: the invitation is it.
            reminder_at=reminder_at if reminder_at > now else None,
            reason=request.reason.strip(),
            actor=request.actor,
            decided_at=now,
        )
        if earlier is not None:
            self._earlier.append(earlier)
        meeting = self._meeting
        self._status = MeetingState.SCHEDULED
        self._rebook_until = None
        self._revision += 1
        calendar = await self._calendar_file("REQUEST")
        if not unique:
            meeting = self._meeting  # old runs: whichever time was set last by now
        await self._mail(
            "meeting-invitation",
            [PROVIDER_ROLE, w.organizer],
            f"invitation:{meeting.sequence}",
            attachments=[calendar],
            held=True,
        )
        await self._report(
            event,
            request.actor,
            {
                "starts_at": meeting.starts_at.isoformat(),
                "place": place,
                "link": link,
                "sequence": meeting.sequence,
                "reason": meeting.reason,
            },
        )

    async def _send_cancellation(self, key: str, reason: str) -> None:
        """METHOD:CANCEL with the next SEQUENCE removes the event from the calendars."""
        calendar = await self._calendar_file("CANCEL")
        await self._mail(
            "meeting-cancelled",
            [PROVIDER_ROLE, self._in.window.organizer],
            key,
            attachments=[calendar],
            held=True,
            reason=reason,
        )

    async def _calendar_file(self, method: Any) -> MailAttachment:
        inp, m = self._in, self._meeting
        assert m is not None
        organizer = inp.roles[inp.window.organizer]
        texts = _TEXTS.get(inp.language, _TEXTS["sv"])
        return await call(
            MeetingActivities.calendar_file,
            CalendarInvite(
                meeting_id=self._wid,
                org_nr=inp.org_nr,
                method=method,
                sequence=m.sequence + (1 if method == "CANCEL" else 0),
                starts_at=m.starts_at,
                ends_at=m.ends_at,
                time_zone=inp.window.rules.time_zone,
                summary=texts["summary"].format(
                    period=inp.window.period, provider=inp.provider_name
                ),
                description=calendar_description(
                    organizer.title, organizer.email, inp.provider_name, inp.org_nr
                ),
                place=m.place,
                link=m.link,
                organizer_name=organizer.title,
                organizer_email=organizer.email,
                stamp=workflow.now(),
            ),
        )

    # --- minutes ----------------------------------------------------------------------------

    async def _action_obligation(self, n: int, due: Any, text: str) -> ObligationInput:
        """An action item the provider owns, as an obligation due on its deadline."""
        inp, w = self._in, self._in.window
        assert self._meeting is not None
        texts = _TEXTS.get(inp.language, _TEXTS["sv"])
        held_on = self._local(self._meeting.starts_at).date()
        title = texts["title"].format(n=n, day=format_date(held_on, inp.language))
        obligation = Obligation(
            key=ACTION_OBLIGATION,
            title=title,
            description=text.strip(),
            recipient=w.organizer,
            # Required by the plan schema; the occurrence below carries the real dates.
            schedule=AnnualSchedule(kind="annual", due=MonthDay(month=due.month, day=due.day)),
            documents=(
                Document(key=ACTION_DOCUMENT, title=texts["document"].format(text=text.strip())),
            ),
        )
        schedule = await call(PlanActivities.date_deadline, DeadlineRequest(rules=w.rules, due=due))
        occurrence = Occurrence(
            obligation=ACTION_OBLIGATION,
            title=title,
            period=f"{w.period}-{n}",
            period_start=held_on,
            period_end=due,
            nominal_due=due,
            due=schedule.due,
            recipient=w.organizer,
            schedule=schedule,
        )
        return ObligationInput(
            org_nr=inp.org_nr,
            provider_name=inp.provider_name,
            contract_workflow_id=inp.contract_workflow_id,
            plan_id=inp.plan_id,
            plan_version=inp.plan_version,
            language=inp.language,
            occurrence=occurrence,
            obligation=obligation,
            rules=w.rules,
            roles=inp.roles,
            administrator_role=inp.administrator_role,
            search_attributes=inp.search_attributes,
            provider_ref=inp.provider_ref,
        )

    # --- helpers ------------------------------------------------------------------------------

    @property
    def _wid(self) -> str:
        return workflow.info().workflow_id

    def _local(self, at: datetime) -> datetime:
        return local_time(at, self._in.window.rules.time_zone)

    def _require_open(self, action: str) -> None:
        require(
            not self._status.terminal,
            f"status: cannot {action} the meeting, it is already {self._status.value}",
        )

    def _context(self) -> dict[str, Any]:
        inp, w, m = self._in, self._in.window, self._meeting
        organizer = inp.roles[w.organizer]
        admin = inp.roles[inp.administrator_role]
        earlier = self._earlier[-1] if self._earlier else None
        return {
            "provider_name": inp.provider_name,
            "org_nr": inp.org_nr,
            "period": w.period,
            "window_start": w.start.isoformat(),
            "window_end": w.due.isoformat(),
            "organizer_title": organizer.title,
            "organizer_email": organizer.email,
            "admin_title": admin.title,
            "admin_email": admin.email,
            "scheduled": m is not None,
            "starts_at": m.starts_at.isoformat() if m else "",
            "ends_at": m.ends_at.isoformat() if m else "",
            "place": m.place if m else "",
            "link": m.link if m else "",
            "sequence": m.sequence if m else 0,
            "reason": m.reason if m else "",
            "earlier_starts_at": earlier.starts_at.isoformat() if earlier else "",
            "summary": self._minutes.summary if self._minutes else "",
            "attendees": self._minutes.attendees if self._minutes else [],
            "actions": (
                [
                    {
                        "number": a.number,
                        "owner": a.owner,
                        "provider": a.owner == PROVIDER_ROLE,
                        "due": a.due.isoformat(),
                        "text": a.text,
                    }
                    for a in self._minutes.actions
                ]
                if self._minutes
                else []
            ),
        }

    async def _mail(
        self,
        template: str,
        roles: list[str],
        key: str,
        attachments: list[MailAttachment] | None = None,
        held: bool = False,
        **extra: Any,
    ) -> None:
        """`held`: an e-mail the organizer's action causes (invitation, minutes,
        cancellation), which outside office hours waits for them (workflows/office_hours.py);
        the timed reminders and escalations already come at the plan's send_at."""
        inp = self._in
        request = mail_request(
            key,
            template,
            roles,
            to=inp,
            time_zone=inp.window.rules.time_zone,
            context={**self._context(), **extra},
            obligation="meeting",
            period=inp.window.period,
            attachments=attachments,
        )
        await self._held_mail.send(request, inp.window.rules, hold=held)

    async def _report(self, event: str, actor: str, details: dict[str, Any] | None = None) -> None:
        """One outcome: history note, search attributes, records and the audit trail."""
        unique = workflow.patched(UNIQUE_KEYS_PATCH)
        inp, w, m = self._in, self._in.window, self._meeting
        now = workflow.now()
        # This outcome's number, taken with its note. Old runs read the count only after the
        # meeting record below was written, when another outcome may have added its note too,
        # so both wrote under one key. The number only counts up, and old runs only ever used a
        # count already reached, so "event:N" cannot repeat an old key.
        number = add_note(self._history, now, event, actor)
        if inp.search_attributes:
            workflow.upsert_search_attributes([sa.STATUS.value_set(self._status.value)])
        await call(
            RecordActivities.record_meeting,
            MeetingWrite(
                meeting_id=self._wid,
                org_nr=inp.org_nr,
                period=w.period,
                status=self._status,
                window_start=w.start,
                window_end=w.due,
                at=now,
                starts_at=m.starts_at if m else None,
                ends_at=m.ends_at if m else None,
                place=(m.place or None) if m else None,
                link=(m.link or None) if m else None,
                sequence=m.sequence if m else None,
                minutes=self._minutes.model_dump(mode="json") if self._minutes else None,
                escalated_at=self._escalated_at,
            ),
        )
        await record_audit(
            f"event:{number if unique else len(self._history)}",
            now,
            inp.org_nr,
            f"meeting-{event}",
            actor,
            {
                # "obligation" lets reports and `lov simulate` show meetings with the duties.
                "obligation": "meeting",
                "period": w.period,
                "status": self._status.value,
                "due": w.due.isoformat(),
                **(details or {}),
            },
        )
