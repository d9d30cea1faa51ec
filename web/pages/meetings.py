"""Follow-up meetings: the list (to book, booked, held; by provider and period), one meeting's
page with the administrator's actions (book, reschedule, cancel, minutes with action items), and
the booked meeting's calendar file.

The actions are services/meetings.py's, called exactly as `lov meeting schedule|reschedule|
cancel|minutes` calls them, with the logged-in user as the actor; times are local times of the
meeting's plan. A refusal (bad input, or the workflow's validator) is shown next to its field and
changes nothing; success redirects to the meeting page with a message. A meeting is addressed
by its provider's address name (services/provider_refs: never a personnummer) and its period.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from temporalio.client import Client

from models.messages.meeting import ActionItem, MeetingState, MeetingStatus, MinutesRequest
from services import meetings
from services.errors import ActionError
from services.meeting_page import MeetingPage, calendar_file, meeting_page
from services.meetings import MeetingQuery, MeetingSummary
from services.provider_refs import address_ref, org_nr_of
from services.users import Account
from web import sessions
from web.actions import NO_REFUSAL, Forms, Refused, perform
from web.auth import Administrator, LoggedIn
from web.desk import Desk, desk
from web.forms import day, errors_of, text
from web.links import meeting_href, provider_href
from web.render import page, speaking, sv_datetime, tr
from web.words import words_of

router = APIRouter()
MEETING = "/meetings/{ref}/{period}"
FILTERS = ("provider", "state", "from", "to")
# Action item rows on the minutes form (empty rows are left out).
ACTION_ROWS = 3
TIME_FIELDS = ("at", "duration", "place", "link", "reason")
ACTION_FIELDS = tuple(
    f"action_{n}_{part}" for n in range(1, ACTION_ROWS + 1) for part in ("owner", "due", "text")
)
MINUTES_FIELDS = ("summary", "attendees", *ACTION_FIELDS)
FORMS = ("book", "reschedule", "cancel", "minutes")
DEFAULT_DURATION = 90
_ACTION_ERROR = re.compile(r"actions\[(\d+)\]\.(\w+)")


# --- the list -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    meeting: MeetingSummary
    provider_name: str
    href: str | None


def _providers(the_desk: Desk, names: dict[str, str]) -> list[tuple[str, str]]:
    """(address name, provider name) for the provider filter, by name; a sole trader whose
    address cannot be made (no key configured) cannot be chosen."""
    found = [(address_ref(org, the_desk.ids), name) for org, name in names.items()]
    return sorted(((ref, name) for ref, name in found if ref), key=lambda p: p[1].casefold())


@router.get("/meetings", response_class=HTMLResponse)
async def meeting_list(request: Request, who: LoggedIn) -> Response:
    the_desk = desk(request)
    params = request.query_params
    today = datetime.now(the_desk.zone()).date()
    # Without a chosen period, this year's meetings (a contract runs for years).
    values = {
        "provider": params.get("provider", "").strip(),
        "state": params.get("state", "").strip(),
        "from": params.get("from", date(today.year, 1, 1).isoformat()).strip(),
        "to": params.get("to", date(today.year, 12, 31).isoformat()).strip(),
    }
    names = await the_desk.store.provider_names()
    errors: dict[str, str] = {}
    found: list[MeetingSummary] = []
    try:
        org = None
        if values["provider"]:
            try:
                org = await org_nr_of(the_desk.store, values["provider"], the_desk.ids)
            except ActionError:
                raise ActionError("provider", "välj en utförare i listan") from None
        query = MeetingQuery.checked(
            the_desk.settings.plans_dir,
            org_nr=org,
            state=values["state"] or None,
            from_day=_filter_day(values, "from"),
            to_day=_filter_day(values, "to"),
        )
        found = await query.run(the_desk.store)
    except ActionError as err:
        errors = errors_of(err, FILTERS, the_desk.language())
    rows = [
        Row(m, names.get(m.org_nr, ""), meeting_href(the_desk, m.org_nr, m.period)) for m in found
    ]
    booked = (MeetingState.SCHEDULED, MeetingState.AWAITING_MINUTES)
    return page(
        request,
        "meetings.html",
        400 if errors else 200,
        nav="meetings",
        today=today,
        values=values,
        errors=errors,
        providers=_providers(the_desk, names),
        states=list(words_of("meeting", the_desk.language()).items()),
        to_book=[r for r in rows if r.meeting.state == MeetingState.UNSCHEDULED],
        booked=[r for r in rows if r.meeting.state in booked],
        held=[r for r in rows if r.meeting.state == MeetingState.HELD],
        cancelled=[r for r in rows if r.meeting.state == MeetingState.CANCELLED],
    )


def _filter_day(values: dict[str, str], name: str) -> date | None:
    if not values[name]:
        return None
    try:
        return date.fromisoformat(values[name])
    except ValueError:
        raise ActionError(name, "skriv datumet som ÅÅÅÅ-MM-DD") from None


# --- one meeting ----------------------------------------------------------------------------------


async def _org(request: Request, ref: str) -> str:
    the_desk = desk(request)
    try:
        return await org_nr_of(the_desk.store, ref, the_desk.ids)
    except ActionError as err:
        raise HTTPException(404, err.message) from None


async def _facts(request: Request, org: str, period: str) -> MeetingPage:
    the_desk = desk(request)
    try:
        return await meeting_page(the_desk.store, org, period, the_desk.settings.plans_dir)
    except ActionError as err:
        raise HTTPException(404, err.message) from None


async def _show(
    request: Request,
    org: str,
    period: str,
    who: Account,
    forms: Forms = NO_REFUSAL,
) -> Response:
    the_desk = desk(request)
    facts = await _facts(request, org, period)
    zone = ZoneInfo(facts.time_zone)
    now = datetime.now(zone)
    m = facts.meeting
    refused_fields = forms.refused_for_a_field()
    return page(
        request,
        "meeting.html",
        forms.status_code,
        nav="meetings",
        f=facts,
        m=m,
        base=meeting_href(the_desk, org, period),
        provider_href=provider_href(the_desk, org),
        may_act=who.role == "administrator",
        # A form refused for a field is shown again with why, even where it is not offered
        # now; one refused as a whole (the meeting changed meanwhile) is not.
        offer={
            name: allowed or name in refused_fields for name, allowed in _offers(m, now).items()
        },
        errors=forms.errors,
        values=forms.values,
        request_ids=forms.request_ids(FORMS),
        action_rows=range(1, ACTION_ROWS + 1),
        default_duration=DEFAULT_DURATION,
        zone=zone,
        zone_name=facts.time_zone,
        local=lambda at: at.astimezone(zone),
    )


def _offers(m: MeetingSummary, now: datetime) -> dict[str, bool]:
    """The forms the meeting's state admits (the workflow's validators decide; the page offers
    no more than they would accept)."""
    state = m.state
    return {
        # A cancelled meeting's window may be booked again until it closes.
        "book": state == MeetingState.UNSCHEDULED
        or (
            state == MeetingState.CANCELLED
            and m.window_end is not None
            and m.window_end >= now.date()
        ),
        "reschedule": state in (MeetingState.SCHEDULED, MeetingState.AWAITING_MINUTES),
        "cancel": not state.terminal,
        # The workflow marks a meeting held when its time has come, a moment later.
        "minutes": state == MeetingState.AWAITING_MINUTES
        or (state == MeetingState.SCHEDULED and m.starts_at is not None and m.starts_at <= now),
    }


@router.get(MEETING, response_class=HTMLResponse)
async def meeting(request: Request, ref: str, period: str, who: LoggedIn) -> Response:
    return await _show(request, await _org(request, ref), period, who)


@router.get(MEETING + "/kalender.ics")
async def calendar(request: Request, ref: str, period: str, who: LoggedIn) -> Response:
    """The booked meeting as a calendar file; a name with no personal data, only the period."""
    the_desk = desk(request)
    org = await _org(request, ref)
    try:
        found = await calendar_file(
            the_desk.store,
            org,
            period,
            the_desk.settings.plans_dir,
            the_desk.settings.mail_domain,
        )
    except ActionError as err:
        raise HTTPException(404, err.message) from None
    return Response(
        found.content,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


# --- actions --------------------------------------------------------------------------------------

# A form read into the call it makes: (client, meeting workflow id) → the meeting's new status.
Change = Callable[[Client, str], Awaitable[MeetingStatus]]


async def _act(
    request: Request,
    ref: str,
    period: str,
    who: Account,
    form_name: str,
    fields: tuple[str, ...],
    build: Callable[[FormData, str], Change],
    done: Callable[[MeetingStatus, ZoneInfo], str],
) -> Response:
    org = await _org(request, ref)
    facts = await _facts(request, org, period)
    form = await request.form()
    values = {name: text(form, name) for name in fields}

    result = await perform(
        request,
        form,
        fields,
        lambda: build(form, who.username),
        lambda client, change: change(client, facts.meeting.meeting_id),
        on_form=lambda err: _on_form(err, form),
    )
    if isinstance(result, Refused):
        # The meeting page again, with this form as it was filled in and why it was refused.
        return await _show(
            request,
            org,
            period,
            who,
            result.shown(form_name, values),
        )
    with speaking(desk(request).language()):
        message = done(result, ZoneInfo(result.time_zone))
    sessions.flash(request, message)
    return RedirectResponse(request.url.path.rsplit("/", 1)[0], status_code=303)


def _on_form(err: ActionError, form: FormData) -> ActionError:
    """The validator names an action item by its place among those sent ("actions[1].due");
    the form by its row, which differs when a row was left empty."""
    found = _ACTION_ERROR.fullmatch(err.field.strip())
    if found is None:
        return err
    rows = _filled_rows(form)
    index = int(found.group(1))
    row = rows[index] if index < len(rows) else 1
    return ActionError(f"action_{row}_{found.group(2)}", err.message)


def _when(status: MeetingStatus, zone: ZoneInfo) -> str:
    m = status.meeting
    return "–" if m is None else sv_datetime(m.starts_at, zone)


def _duration(form: FormData) -> int:
    value = text(form, "duration")
    if not value:
        return DEFAULT_DURATION
    try:
        return int(value)
    except ValueError:
        raise ActionError("duration", "ange mötets längd i hela minuter") from None


def _booking(move: bool) -> Callable[[FormData, str], Change]:
    def build(form: FormData, actor: str) -> Change:
        when = meetings.meeting_time(
            text(form, "at") or None,
            duration_minutes=_duration(form),
            place=text(form, "place") or None,
            link=text(form, "link") or None,
            reason=text(form, "reason") or None,
            actor=actor,
        )
        return lambda client, wid: meetings.book(client, wid, when, move=move)

    return build


def _cancel(form: FormData, actor: str) -> Change:
    request = meetings.cancellation(text(form, "reason") or None, actor)
    return lambda client, wid: meetings.cancel(client, wid, request)


def _filled_rows(form: FormData) -> list[int]:
    """The action item rows with anything filled in (a chosen owner alone is no item)."""
    return [
        n
        for n in range(1, ACTION_ROWS + 1)
        if text(form, f"action_{n}_due") or text(form, f"action_{n}_text")
    ]


def _minutes(form: FormData, actor: str) -> Change:
    summary = text(form, "summary")
    if not summary:
        raise ActionError("summary", "skriv en sammanfattning av mötet")
    attendees = [line.strip() for line in text(form, "attendees").splitlines() if line.strip()]
    if not attendees:
        raise ActionError("attendees", "ange minst en närvarande, en per rad")
    items: list[ActionItem] = []
    for n in _filled_rows(form):
        due = day(form, f"action_{n}_due")
        assert due is not None  # required: day() refuses an empty one
        item_text = text(form, f"action_{n}_text")
        if not item_text:
            raise ActionError(f"action_{n}_text", "beskriv åtgärden")
        items.append(ActionItem(owner=text(form, f"action_{n}_owner"), due=due, text=item_text))
    request = MinutesRequest(summary=summary, attendees=attendees, actions=items, actor=actor)
    return lambda client, wid: meetings.minutes(client, wid, request)


# The messages after an action, in the desk's language (made inside `speaking`, _act).
def _booked(key: str) -> Callable[[MeetingStatus, ZoneInfo], str]:
    def done(result: MeetingStatus, zone: ZoneInfo) -> str:
        return tr(
            key, period=result.period, when=_when(result, zone), provider=result.provider_name
        )

    return done


def _cancelled(result: MeetingStatus, zone: ZoneInfo) -> str:
    return tr("meeting.done_cancelled", period=result.period)


def _minutes_done(result: MeetingStatus, zone: ZoneInfo) -> str:
    actions = result.minutes.actions if result.minutes else []
    duties = sum(1 for a in actions if a.obligation_workflow_id)
    return tr(
        "meeting.done_minutes",
        period=result.period,
        n=len(actions),
        duties=duties,
        provider=result.provider_name,
    )


def _action(
    name: str,
    fields: tuple[str, ...],
    build: Callable[[FormData, str], Change],
    done: Callable[[MeetingStatus, ZoneInfo], str],
) -> None:
    """POST <meeting>/<name>: an administrator's Update with one form's fields."""

    async def act(request: Request, ref: str, period: str, who: Administrator) -> Response:
        return await _act(request, ref, period, who, name, fields, build, done)

    router.post(MEETING + "/" + name, response_class=HTMLResponse, name=f"meeting-{name}")(act)


_action("book", TIME_FIELDS, _booking(move=False), _booked("meeting.done_booked"))
_action("reschedule", TIME_FIELDS, _booking(move=True), _booked("meeting.done_rescheduled"))
_action("cancel", ("reason",), _cancel, _cancelled)
_action("minutes", MINUTES_FIELDS, _minutes, _minutes_done)
