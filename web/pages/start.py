"""The start page, "Att göra": what awaits review, what is late (with its escalation level),
what falls due this week and this month, open applications, meetings to book and open
återkrav. From the records (services/due.py, services/applications.py, services/meetings.py,
services/recoveries.py), so it answers while Temporal is down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from models.domain.date_text import month_name
from services.applications import OpenApplication, open_applications
from services.due import DueItem, due_items, month_window
from services.finding_views import finding_rows, open_findings
from services.meetings import MeetingToBook, meetings_to_book
from services.recoveries import CaseRow, open_cases
from web.auth import LoggedIn
from web.desk import Desk, desk
from web.links import application_href, duty_href, meeting_href, provider_href
from web.pages.findings import linked
from web.pages.tasks import start_rows
from web.render import page

router = APIRouter()
T = TypeVar("T")
# How far back the late and awaiting lists look: older items are settled or long escalated.
LOOK_BACK = timedelta(days=3 * 366)
LOOK_AHEAD = timedelta(days=2 * 366)


@dataclass(frozen=True, slots=True)
class Row:
    item: DueItem
    title: str
    href: str | None


def _rows(the_desk: Desk, items: list[DueItem]) -> list[Row]:
    titles = the_desk.titles()
    return [
        Row(
            i,
            titles.get(i.obligation, i.obligation),
            duty_href(the_desk, i.org_nr, i.obligation, i.period),
        )
        for i in items
    ]


@dataclass(frozen=True, slots=True)
class Linked(Generic[T]):
    """A row of the start page with its provider page's address (None: no page for it, as
    for an applicant that is not yet a provider)."""

    item: T
    href: str | None


def _linked(the_desk: Desk, items: list[T], org_nr: Callable[[T], str]) -> list[Linked[T]]:
    return [Linked(i, provider_href(the_desk, org_nr(i))) for i in items]


@router.get("/", response_class=HTMLResponse)
async def start(request: Request, who: LoggedIn) -> Response:
    the_desk = desk(request)
    today = datetime.now(the_desk.zone()).date()
    store = the_desk.store
    monday = today - timedelta(days=today.weekday())
    first, last = month_window(today)
    awaiting = await due_items(store, today - LOOK_BACK, today + LOOK_AHEAD, awaiting_review=True)
    overdue = await due_items(store, today - LOOK_BACK, today, overdue=True)
    week = await due_items(store, monday, monday + timedelta(days=6))
    month = await due_items(store, first, last)
    applications: list[OpenApplication] = await open_applications(store)
    to_book: list[MeetingToBook] = await meetings_to_book(store, today.year)
    cases: list[CaseRow] = await open_cases(store)
    findings = open_findings(await finding_rows(store))
    return page(
        request,
        "start.html",
        nav="start",
        today=today,
        week_number=today.isocalendar().week,
        month_name=f"{month_name(today.month, the_desk.language()).capitalize()} {today.year}",
        awaiting=_rows(the_desk, awaiting),
        # Most escalated first: that is where the next step is due.
        overdue=_rows(the_desk, sorted(overdue, key=lambda i: (-i.escalation_level, i.due))),
        week=_rows(the_desk, week),
        month=_rows(the_desk, month),
        # Each application to its own page (its checklist, komplettering and decision).
        applications=[
            Linked(a.application, application_href(a.application.application_id))
            for a in applications
        ],
        # Each to its meeting page, where it is booked.
        to_book=[
            Linked(m, meeting_href(the_desk, m.meeting.org_nr, m.meeting.period)) for m in to_book
        ],
        cases=_linked(the_desk, cases, lambda c: c.case.org_nr),
        # Open findings, the nearest deadline first (those without one last).
        open_findings=sorted(
            linked(the_desk, findings),
            key=lambda r: (r.deadline is None, r.deadline or today),
        ),
        # The municipality's own tasks for the user's role (issue 19; web/pages/tasks.py).
        municipal_tasks=await start_rows(the_desk, who),
    )
