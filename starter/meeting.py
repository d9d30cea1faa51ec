"""`lov meeting`: follow-up meetings (uppföljningsmöten): schedule, move, minutes, status.

A contract opens one meeting per plan window and year (`meeting-<orgnr digits>-<year>-<label>`,
e.g. meeting-5560360793-2027-H1). Commands address it by that id, or by org nr with --year and
--window:

    lov meeting schedule 556036-0793 --year 2027 --window H1 --at "2027-04-14 10:00" \\
        --place "Stadshuset, rum 3"            # or --link https://…; --duration 90 (minutes)
    lov meeting reschedule meeting-5560360793-2027-H1 --at "2027-05-06 14:00" [--link …]
    lov meeting minutes meeting-5560360793-2027-H1 --summary "…" --attendee "Karin" \\
        --attendee "Per" --action "owner=provider;due=2027-05-30;text=Uppdatera rutinen"
    lov meeting minutes meeting-5560360793-2027-H1 --file protokoll.toml
    lov meeting status meeting-5560360793-2027-H1 [--json]
    lov meeting cancel meeting-5560360793-2027-H1 --reason "…"
    lov meeting list [--plan P] [--org-nr ORGNR] [--state S] [--from DAY --to DAY] [--json]

Times are local times of the plan's time zone. A meeting outside its window, on a day that is
no business day of the plan's calendar, or starting or ending outside the plan's office hours
needs --reason (recorded with the meeting). A cancelled meeting's window can be booked again
with `schedule` until it closes.
An action item whose owner is `provider` becomes an obligation (`meeting-action`, period
`<year>-<label>-<n>`) with reminders and escalation like any other duty; the provider reports
it with `lov contract submit ORGNR meeting-action 2027-H1-1 --document action-report=FILE`.
Bad input exits 2 with one line naming the field, and nothing is changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from models.messages.meeting import MeetingState, MeetingStatus, ScheduledMeeting
from models.runtime.settings import get_settings as _settings
from services import meetings as meeting_actions
from services.words import MEETING_STATES
from starter.client_run import echo_status
from starter.client_run import run_change as _run_change
from starter.errors import or_bad_input
from starter.options import (
    ActorOpt,
    JsonOpt,
    OrgNrFilterOpt,
    date_option,
    plan_filter,
    state_option,
    value_option,
)
from starter.options import parse_actor as _actor
from starter.options import parse_date as _date
from starter.output import echo_json_or_none
from starter.records_read import run_query
from starter.request_id_option import RequestIdOpt
from starter.table import echo_table

app = typer.Typer(
    name="meeting",
    help="Uppföljningsmöten: boka, flytta, protokoll, status, lista. "
    "(Follow-up meetings: schedule, reschedule, minutes, status, list.)",
    no_args_is_help=True,
)

STATE_SV = MEETING_STATES

MeetingArg = Annotated[
    str,
    typer.Argument(
        metavar="MÖTE",
        help="Mötets id (meeting-5560360793-2027-H1) eller utförarens org nr med --year och "
        "--window. (Meeting id, or org nr with --year and --window.)",
        show_default=False,
    ),
]
YearOpt = Annotated[
    int | None,
    value_option("--year", "ÅÅÅÅ", "Uppföljningsåret. (Follow-up year.)"),
]
WindowOpt = Annotated[
    str | None,
    value_option("--window", "H1", "Planens mötesfönster. (The plan's window.)"),
]
AtOpt = Annotated[
    str | None,
    value_option(
        "--at", '"ÅÅÅÅ-MM-DD TT:MM"', "Starttid, lokal tid (krävs). (Local start time, required.)"
    ),
]
DurationOpt = Annotated[
    int, typer.Option("--duration", metavar="MINUTER", help="Mötets längd. (Minutes.)")
]
PlaceOpt = Annotated[str | None, value_option("--place", "PLATS", "Plats. (Place.)")]
LinkOpt = Annotated[
    str | None,
    value_option("--link", "URL", "Länk till ett digitalt möte. (Video link.)"),
]
ReasonOpt = Annotated[
    str | None,
    value_option(
        "--reason",
        "TEXT",
        "Skäl, krävs för en tid utanför planens fönster, arbetsdagar eller kontorstid. "
        "(Reason; needed outside the window, business days or office hours.)",
    ),
]
CancelReasonOpt = Annotated[
    str | None, value_option("--reason", "TEXT", "Skäl (krävs). (Required.)")
]


def _meeting_id(ref: str, year: int | None, window: str | None) -> str:
    return or_bad_input(lambda: meeting_actions.meeting_id(ref, year, window))


def _time_command(
    ref: str,
    year: int | None,
    window: str | None,
    at: str | None,
    duration: int,
    place: str | None,
    link: str | None,
    reason: str | None,
    actor: str | None,
    move: bool,
    request_id: str | None,
) -> None:
    wid = _meeting_id(ref, year, window)
    who = _actor(actor)
    when = or_bad_input(
        lambda: meeting_actions.meeting_time(
            at, duration_minutes=duration, place=place, link=link, reason=reason, actor=who
        )
    )
    result = _run_change(
        _settings(), lambda client: meeting_actions.book(client, wid, when, move=move), request_id
    )
    m = result.meeting
    assert m is not None
    verb = "Ny tid (rescheduled)" if move else "Bokat (scheduled)"
    typer.echo(
        f"{verb}: {wid} {_when(m, result.time_zone)} · {m.place or m.link}; "
        f"inbjudan med kalenderfil till {result.provider_name}"
    )


def _time_cli(*, move: bool, doc: str) -> Callable[..., None]:
    """The `schedule` and `reschedule` commands: the same options, and `move` picks the Update
    (rescheduling also keeps the earlier place and link when none is given)."""

    def command(
        meeting: MeetingArg,
        at: AtOpt = None,
        year: YearOpt = None,
        window: WindowOpt = None,
        duration: DurationOpt = 90,
        place: PlaceOpt = None,
        link: LinkOpt = None,
        reason: ReasonOpt = None,
        actor: ActorOpt = None,
        request_id: RequestIdOpt = None,
    ) -> None:
        _time_command(
            meeting,
            year,
            window,
            at,
            duration,
            place,
            link,
            reason,
            actor,
            move=move,
            request_id=request_id,
        )

    command.__doc__ = doc  # Typer's help text
    return command


app.command("schedule")(
    _time_cli(
        move=False,
        doc="""Boka mötet; utföraren får en inbjudan med kalenderfil (.ics) och en påminnelse före.
    (Schedule the meeting; the provider gets an invitation with an .ics and a reminder.)""",
    )
)
app.command("reschedule")(
    _time_cli(
        move=True,
        doc="""Flytta mötet (t.ex. om det inte blev av); ny inbjudan ersätter den förra.
    (Move the meeting; a new invitation replaces the earlier one. Without --place/--link the
    earlier place and link are kept.)""",
    )
)


@app.command("minutes")
def minutes(
    meeting: MeetingArg,
    summary: Annotated[
        str | None, value_option("--summary", "TEXT", "Sammanfattning. (Summary.)")
    ] = None,
    attendees: Annotated[
        list[str] | None,
        value_option("--attendee", "NAMN", "Närvarande; upprepa. (Repeat.)"),
    ] = None,
    action_items: Annotated[
        list[str] | None,
        value_option(
            "--action",
            '"owner=provider;due=ÅÅÅÅ-MM-DD;text=…"',
            "Åtgärd med ansvarig och sista dag; upprepa. owner=provider blir en skyldighet "
            "för utföraren. (Action item; repeat; owner=provider becomes an obligation.)",
        ),
    ] = None,
    file: Annotated[
        Path | None,
        value_option(
            "--file",
            "FIL.toml",
            "Protokollet som TOML: summary, attendees, [[actions]] owner/due/text. "
            "(Minutes as a TOML file.)",
        ),
    ] = None,
    year: YearOpt = None,
    window: WindowOpt = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Registrera protokollet; det skickas till utföraren och utförarens åtgärder följs upp.
    (Record the minutes; they are e-mailed to the provider and its action items followed up.)"""
    wid = _meeting_id(meeting, year, window)
    who = _actor(actor)
    request = or_bad_input(
        lambda: meeting_actions.minutes_request(
            summary=summary, attendees=attendees, actions=action_items, file=file, actor=who
        )
    )
    result = _run_change(
        _settings(), lambda client: meeting_actions.minutes(client, wid, request), request_id
    )
    assert result.minutes is not None
    obligations = [a for a in result.minutes.actions if a.obligation_workflow_id]
    typer.echo(
        f"Protokoll registrerat (minutes recorded): {wid}, {len(result.minutes.actions)} "
        f"åtgärder varav {len(obligations)} för utföraren; protokollet skickas till "
        f"{result.provider_name}"
    )
    for a in obligations:
        typer.echo(f"  skyldighet (obligation): {a.obligation_workflow_id}, senast {a.due}")


@app.command("cancel")
def cancel(
    meeting: MeetingArg,
    reason: CancelReasonOpt = None,
    year: YearOpt = None,
    window: WindowOpt = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Ställ in mötet; en bokad tid avbokas i kalendern, och fönstret kan bokas igen.
    (Cancel the meeting; a booked time is removed from the calendar; the window can be booked
    again until it closes.)"""
    wid = _meeting_id(meeting, year, window)
    who = _actor(actor)
    request = or_bad_input(lambda: meeting_actions.cancellation(reason, who))
    _run_change(
        _settings(), lambda client: meeting_actions.cancel(client, wid, request), request_id
    )
    typer.echo(f"Inställt (cancelled): {wid}")


def _when(m: ScheduledMeeting, zone: str) -> str:
    start, end = (t.astimezone(ZoneInfo(zone)) for t in (m.starts_at, m.ends_at))
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def meeting_text(s: MeetingStatus) -> str:
    """The readable form of `lov meeting status`."""
    out = [
        f"Uppföljningsmöte {s.period} · {s.provider_name} ({s.org_nr})",
        f"Arbetsflöde: {s.workflow_id}",
        f"Fönster: {s.window_start.isoformat()} – {s.due.isoformat()} · ansvarig: {s.organizer}",
        f"Status: {STATE_SV[s.status]}"
        + (" · eskalerat till ledningen" if s.escalated else "")
        + (" · påminnelse om bokning skickad" if s.reminded_unscheduled else ""),
    ]
    m = s.meeting
    if m is not None:
        where = " · ".join(x for x in (m.place, m.link) if x)
        out.append(f"Tid: {_when(m, s.time_zone)} · {where} · inbjudan nr {m.sequence + 1}")
        if m.reason:
            out.append(f"Skäl till tiden: {m.reason}")
    if s.earlier:
        out.append("Tidigare tider: " + ", ".join(_when(e, s.time_zone) for e in s.earlier))
    if s.minutes is not None:
        out += ["Protokoll:", f"  {s.minutes.summary}"]
        out.append("  Närvarande: " + ", ".join(s.minutes.attendees))
        for a in s.minutes.actions:
            follow = f" → {a.obligation_workflow_id}" if a.obligation_workflow_id else ""
            out.append(f"  {a.number}. {a.text} · ansvarig {a.owner} · senast {a.due}{follow}")
    out.append("Historik:")
    out += [f"  {line}" for line in s.history]
    return "\n".join(out)


@app.command("status")
def status(
    meeting: MeetingArg,
    year: YearOpt = None,
    window: WindowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Visa mötets läge: fönster, tid och plats, protokoll och åtgärder.
    (Show the meeting: window, time and place, minutes and action items.)"""
    wid = _meeting_id(meeting, year, window)
    echo_status(
        _settings(),
        lambda client: meeting_actions.meeting_status(client, wid),
        as_json,
        meeting_text,
    )


def _local(at: datetime | None) -> str:
    return at.astimezone(meeting_actions.LOCAL).strftime("%Y-%m-%d %H:%M") if at else "–"


@app.command("list")
def list_(
    plan: Annotated[str | None, plan_filter("Bara en plans utförare. (One plan.)")] = None,
    org_nr: OrgNrFilterOpt = None,
    state: Annotated[str | None, state_option(s.value for s in MeetingState)] = None,
    from_day: Annotated[
        str | None,
        date_option(
            "--from", "Möten från denna dag; obokade vars fönster når hit. (From this day.)"
        ),
    ] = None,
    to_day: Annotated[
        str | None, date_option("--to", "Till och med denna dag. (Up to and including this day.)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Lista möten ur databasen efter starttid; obokade sist. (List meetings by start time.)"""
    first = _date(from_day, "--from") if from_day is not None else None
    last = _date(to_day, "--to") if to_day is not None else None
    settings = _settings()
    found = run_query(
        lambda: meeting_actions.list_meetings(
            settings, plan=plan, org_nr=org_nr, state=state, from_day=first, to_day=last
        )
    )
    if not echo_json_or_none(found, as_json, lambda m: m.as_json(), "Inga möten. (No meetings.)"):
        return
    rows = [
        (
            _local(m.starts_at),
            m.meeting_id,
            m.org_nr,
            m.period,
            STATE_SV[m.state] + (" · eskalerat" if m.escalated else ""),
            m.place or m.link,
        )
        for m in found
    ]
    echo_table(("Tid", "Möte", "Org nr", "Period", "Läge", "Plats"), rows)
