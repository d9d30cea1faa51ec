"""The start page, "Att göra": what awaits review, what is late (with its escalation level),
what falls due this week and this month. From the records (services/due.py), so it answers
while Temporal is down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.due import DueItem, due_items, month_window
from web.auth import LoggedIn
from web.desk import Desk, desk
from web.links import duty_href
from web.render import MONTHS, page

router = APIRouter()
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
    return page(
        request,
        "start.html",
        nav="start",
        today=today,
        week_number=today.isocalendar().week,
        month_name=f"{MONTHS[today.month - 1].capitalize()} {today.year}",
        awaiting=_rows(the_desk, awaiting),
        # Most escalated first: that is where the next step is due.
        overdue=_rows(the_desk, sorted(overdue, key=lambda i: (-i.escalation_level, i.due))),
        week=_rows(the_desk, week),
        month=_rows(the_desk, month),
    )
