"""Follow-up meetings (uppföljningsmöten): every command and query of `lov meeting`, with its
validation.

A meeting is addressed by its workflow id (`meeting-<orgnr digits>-<year>-<window>`) or by
org nr, year and window label. Each change is one Update on the meeting's workflow, called by
its name in history (so this module needs no workflow code); a rejected Update raises
`ActionError(field, message)` and has changed nothing. Lists come from the records database.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from temporalio.client import Client, WorkflowHandle

from models.domain.calendar import meeting_out_of_hours
from models.domain.date_text import iso_or_none
from models.domain.file_input import MAX_MINUTES_BYTES, FileInputError, load_toml
from models.domain.inputs import check_date, check_one_line, check_url
from models.domain.limits import NAME_LEN
from models.domain.orgnr import OrgNrError, normalize_org_nr
from models.domain.quote import short
from models.ids import is_meeting_id, meeting_workflow_id
from models.messages.meeting import (
    ActionItem,
    CancelMeetingRequest,
    MeetingState,
    MeetingStatus,
    MinutesRequest,
    ScheduleRequest,
)
from models.records.meetings import MeetingRecord, MeetingRecords
from models.records.store import RecordStore
from models.runtime.settings import Settings
from services.calls import provider_ref, run_update
from services.errors import ActionError
from services.filters import plan_filter, state_filter
from services.lookup import existing
from services.record_reads import read_records

# The name of the status query in history (workflows/meeting.py).
STATUS_QUERY = "status"
# The day bounds of `list_meetings --from/--to`; the plans' zones (Sweden, Denmark) agree.
LOCAL = ZoneInfo("Europe/Stockholm")


def meeting_id(ref: str, year: int | None = None, window: str | None = None) -> str:
    """`ref` is a meeting id, or an org nr that `year` and `window` complete."""
    ref = ref.strip()
    if is_meeting_id(ref):
        if year is not None or window is not None:
            raise ActionError("meeting", "give either a meeting id or ORGNR --year --window")
        return ref
    try:
        org_nr = normalize_org_nr(ref)
    except OrgNrError as err:
        raise ActionError("meeting", f"neither a meeting id nor an org nr: {err}") from None
    if year is None or window is None:
        missing = "--year" if year is None else "--window"
        raise ActionError(missing, "required with an org nr (e.g. --year 2027 --window H1)")
    label = window.strip().upper()
    if not label.isalnum():
        raise ActionError("--window", f"not a window label such as H1: {window!r}")
    return meeting_workflow_id(org_nr, f"{year}-{label}", provider_ref(org_nr))


async def _handle(client: Client, wid: str) -> WorkflowHandle[Any, Any]:
    return await existing(
        client.get_workflow_handle(wid),
        "meeting",
        f"no meeting {wid} (opened when the contract's year is prepared)",
    )


async def meeting_status(client: Client, wid: str) -> MeetingStatus:
    handle = await _handle(client, wid)
    result: MeetingStatus = await handle.query(STATUS_QUERY, result_type=MeetingStatus)
    return result


async def _run(client: Client, wid: str, update: str, request: Any) -> MeetingStatus:
    return await run_update(await _handle(client, wid), update, request, MeetingStatus)


async def schedule(client: Client, wid: str, request: ScheduleRequest) -> MeetingStatus:
    return await _run(client, wid, "schedule", request)


async def reschedule(client: Client, wid: str, request: ScheduleRequest) -> MeetingStatus:
    return await _run(client, wid, "reschedule", request)


async def minutes(client: Client, wid: str, request: MinutesRequest) -> MeetingStatus:
    return await _run(client, wid, "minutes", request)


async def cancel(client: Client, wid: str, request: CancelMeetingRequest) -> MeetingStatus:
    return await _run(client, wid, "cancel", request)


# --- booking a time: checked before connecting, placed in the meeting's own time zone ----------


def _required(value: str | None, field: str, example: str) -> str:
    if value is None or not value.strip():
        raise ActionError(field, f"krävs (required), t.ex. {field} {example}")
    return value.strip()


@dataclass(frozen=True, slots=True)
class MeetingTime:
    """A time to book, as the organizer gave it: local time of the meeting's plan."""

    local: datetime  # naive: the zone is the meeting's, known once it is asked
    duration_minutes: int
    place: str
    link: str
    reason: str
    actor: str


def meeting_time(
    at: str | None,
    *,
    duration_minutes: int,
    place: str | None,
    link: str | None,
    reason: str | None,
    actor: str,
) -> MeetingTime:
    """The rules of the Update's validator that need no meeting (models.domain.inputs): a local
    time, a place or a link (not both)."""
    value = _required(at, "--at", '"2027-04-14 10:00"')
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        raise ActionError(
            "--at", f'inte en tid "ÅÅÅÅ-MM-DD TT:MM" (not a time), fick {value!r}'
        ) from None
    if parsed.tzinfo is not None:
        raise ActionError("--at", "ange lokal tid utan tidszon (local time, without a zone)")
    try:
        check_date(parsed)
    except ValueError as err:
        raise ActionError("--at", str(err)) from None
    if place is not None and link is not None:
        raise ActionError("--place", "ange antingen --place eller --link (one of them)")
    try:
        if link is not None:
            check_url(link.strip())
    except ValueError as err:
        raise ActionError("--link", str(err)) from None
    try:
        if place is not None:
            check_one_line(place, NAME_LEN)
    except ValueError as err:
        raise ActionError("--place", str(err)) from None
    return MeetingTime(parsed, duration_minutes, place or "", link or "", reason or "", actor)


def check_business_hours(current: MeetingStatus, when: MeetingTime) -> datetime:
    """`when` in the meeting's time zone. It must lie on a business day of the meeting's plan,
    starting and ending within its office hours (models.domain.calendar), unless a reason is
    given; the Update's validator checks the same."""
    starts_at = when.local.replace(tzinfo=ZoneInfo(current.time_zone))
    if when.reason.strip() or current.holiday_calendar is None or current.office_hours is None:
        return starts_at
    outside = meeting_out_of_hours(
        starts_at,
        starts_at + timedelta(minutes=when.duration_minutes),
        time_zone=current.time_zone,
        holiday_calendar=current.holiday_calendar,
        hours=current.office_hours,
    )
    if outside is not None:
        raise ActionError(
            "--at",
            f"{outside.swedish()}; ange --reason för att boka ändå ({outside.english()})",
        )
    return starts_at


async def book(client: Client, wid: str, when: MeetingTime, *, move: bool) -> MeetingStatus:
    """Schedule (or, `move`, reschedule) at `when`, in the meeting's plan's time zone."""
    current = await meeting_status(client, wid)
    request = ScheduleRequest(
        starts_at=check_business_hours(current, when),
        duration_minutes=when.duration_minutes,
        place=when.place,
        link=when.link,
        reason=when.reason,
        actor=when.actor,
    )
    if move:
        return await reschedule(client, wid, request)
    return await schedule(client, wid, request)


# --- minutes --------------------------------------------------------------------------------------


def action_item(text: str, index: int) -> ActionItem:
    """`owner=provider;due=2027-05-30;text=…` (text last: it may contain ';')."""
    field = f"--action[{index}]"
    values: dict[str, str] = {}
    rest = text.strip()
    while rest:
        key, sep, tail = rest.partition("=")
        key = key.strip()
        if not sep:
            raise ActionError(field, f"väntade nyckel=värde (expected key=value), fick {rest!r}")
        if key == "text":
            values[key], rest = tail.strip(), ""
            break
        value, _, rest = tail.partition(";")
        if key not in ("owner", "due"):
            raise ActionError(field, f"okänd nyckel (unknown key) {key!r}; owner, due, text")
        values[key] = value.strip()
    missing = [k for k in ("owner", "due", "text") if not values.get(k)]
    if missing:
        raise ActionError(field, f"saknar (missing) {', '.join(missing)}")
    try:
        due = date.fromisoformat(values["due"])
    except ValueError:
        raise ActionError(
            f"{field}.due", f"inte ett datum ÅÅÅÅ-MM-DD, fick {values['due']!r}"
        ) from None
    return ActionItem(owner=values["owner"], due=due, text=values["text"])


def minutes_file(path: Path, actor: str) -> MinutesRequest:
    """Minutes from a TOML file: summary, attendees, [[actions]] owner/due/text."""
    try:
        data = load_toml(path, MAX_MINUTES_BYTES)
    except FileInputError as err:
        raise ActionError("--file", f"{path}: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ActionError("--file", f"ogiltig TOML i {path}: {err}") from None
    unknown = set(data) - {"summary", "attendees", "actions"}
    if unknown:
        raise ActionError(
            "--file", f"okänd nyckel (unknown key) {short(sorted(unknown)[0])} i {path}"
        )
    try:
        return MinutesRequest.model_validate({**data, "actor": actor})
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ActionError("--file", f"{where}: {first['msg']} ({path})") from None


def minutes_request(
    *,
    summary: str | None,
    attendees: Sequence[str] | None,
    actions: Sequence[str] | None,
    file: Path | None,
    actor: str,
) -> MinutesRequest:
    """The minutes, from a file or from the parts given one by one (not both)."""
    if file is not None:
        if summary or attendees or actions:
            raise ActionError("--file", "ange antingen --file eller --summary/--attendee/--action")
        return minutes_file(file, actor)
    return MinutesRequest(
        summary=_required(summary, "--summary", '"Verksamheten fungerar väl"'),
        attendees=list(attendees or []),
        actions=[action_item(a, i) for i, a in enumerate(actions or [])],
        actor=actor,
    )


def cancellation(reason: str | None, actor: str) -> CancelMeetingRequest:
    return CancelMeetingRequest(
        reason=_required(reason, "--reason", '"Ersätts av tillsynsbesök"'), actor=actor
    )


# --- lists, from the records database ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeetingSummary:
    """One meeting as `lov meeting list` shows it."""

    meeting_id: str
    org_nr: str
    period: str
    state: MeetingState
    window_start: date | None
    window_end: date | None
    starts_at: datetime | None
    ends_at: datetime | None
    place: str
    link: str
    escalated: bool
    minutes: bool

    def as_json(self) -> dict[str, Any]:
        """Stable keys, for scripts and the desk's tests."""
        return {
            "meeting_id": self.meeting_id,
            "org_nr": self.org_nr,
            "period": self.period,
            "state": self.state.value,
            "window_start": iso_or_none(self.window_start),
            "window_end": iso_or_none(self.window_end),
            "starts_at": iso_or_none(self.starts_at),
            "ends_at": iso_or_none(self.ends_at),
            "place": self.place,
            "link": self.link,
            "escalated": self.escalated,
            "minutes": self.minutes,
        }


def summary_of(r: MeetingRecord) -> MeetingSummary:
    return MeetingSummary(
        meeting_id=r.meeting_id,
        org_nr=r.org_nr,
        period=r.period,
        state=MeetingState(r.status),
        window_start=r.window_start,
        window_end=r.window_end,
        starts_at=r.scheduled_at,
        ends_at=r.ends_at,
        place=r.place or "",
        link=r.link or "",
        escalated=r.escalated_at is not None,
        minutes=r.minutes is not None,
    )


async def list_meetings(
    settings: Settings,
    *,
    plan: str | None = None,
    org_nr: str | None = None,
    state: str | None = None,
    from_day: date | None = None,
    to_day: date | None = None,
) -> list[MeetingSummary]:
    """`meetings_on` the records database of `settings` (opened for this one query)."""
    query = MeetingQuery.checked(
        settings.plans_dir, plan=plan, org_nr=org_nr, state=state, from_day=from_day, to_day=to_day
    )
    return await read_records(settings.require_records(), MeetingRecords, query.run)


@dataclass(frozen=True, slots=True)
class MeetingQuery:
    """The filters of a meeting list, checked before anything is read."""

    plan_id: str | None
    org_nr: str | None
    status: str | None
    from_day: date | None
    to_day: date | None

    @classmethod
    def checked(
        cls,
        plans_dir: Path,
        *,
        plan: str | None = None,
        org_nr: str | None = None,
        state: str | None = None,
        from_day: date | None = None,
        to_day: date | None = None,
    ) -> MeetingQuery:
        plan_id = plan_filter(plan, plans_dir)
        org = None
        if org_nr is not None:
            try:
                org = normalize_org_nr(org_nr)
            except OrgNrError as err:
                raise ActionError("--org-nr", str(err)) from None
        status_value = state_filter(state, [s.value for s in MeetingState])
        for day, option in ((from_day, "--from"), (to_day, "--to")):
            if day is not None:
                try:
                    check_date(day)
                except ValueError as err:
                    raise ActionError(option, str(err)) from None
        if from_day is not None and to_day is not None and to_day < from_day:
            raise ActionError(
                "--to",
                f"före --from (before --from): {to_day.isoformat()} < {from_day.isoformat()}",
            )
        return cls(plan_id, org, status_value, from_day, to_day)

    async def run(self, store: MeetingRecords) -> list[MeetingSummary]:
        """Meetings by start time (unbooked ones last, by the end of their window).
        `from_day`..`to_day` (inclusive, local days): a booked meeting starting within them,
        an unbooked one whose window overlaps them."""
        records = await store.list_meetings(
            self.org_nr,
            plan_id=self.plan_id,
            status=self.status,
            from_day=self.from_day,
            to_day=self.to_day,
            zone=LOCAL,
        )
        return [summary_of(r) for r in records]


@dataclass(frozen=True, slots=True)
class MeetingToBook:
    """A meeting on the start page's list, with its provider's name."""

    meeting: MeetingSummary
    provider_name: str


async def meetings_to_book(store: RecordStore, year: int) -> list[MeetingToBook]:
    """Meetings of `year` (their window overlaps it) that have no time yet, by the end of
    their window: the start page's list, read on the desk's own store."""
    names = await store.provider_names()
    records = await store.list_meetings(
        status=MeetingState.UNSCHEDULED.value,
        from_day=date(year, 1, 1),
        to_day=date(year, 12, 31),
        zone=LOCAL,
    )
    return [MeetingToBook(summary_of(r), names.get(r.org_nr, "")) for r in records]
