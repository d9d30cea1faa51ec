"""Rapporter: the compliance matrix (`lov report compliance`, with its CSV and JSON), a plan's
calendar for a year (`lov plan show`) and the auditor's timeline per provider (`lov audit`,
with its sealed export). Every figure comes from the same service function as the CLI's
(services/reports.py, services/plans.py, services/audit.py); this module reads the query,
calls them and renders. Reading and exporting are open to every role (an auditor's work); no
route here changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from models.domain.audit import TimelineEntry, with_callers
from models.domain.audit_signing import SigningKeyError, signer
from models.domain.compliance import (
    FINDING_WORDS,
    STATE_TEXT,
    STATES,
    Matrix,
    PlanInfo,
    ProviderRow,
    finding_cells,
    finding_headers,
    language_of,
    matrix_csv,
    matrix_json,
)
from models.domain.municipal_figures import MUNICIPAL_WORDS, municipal_headers
from models.plans.loader import list_plans
from models.runtime.settings import Settings
from services.audit import Agreement, check_histories, sealed_export, selected, timeline
from services.errors import ActionError
from services.municipal_words import (
    MUNICIPAL_EVENTS,
    duty_titles,
    task_audit_text,
    task_concerns,
)
from services.plans import plan_year
from services.provider_refs import address_ref, org_nr_of
from services.reports import (
    plan_infos,
    report_as_of,
    report_plan,
    report_year,
)
from services.words import audit_detail, audit_details, audit_event_in
from web.auth import LoggedIn
from web.desk import Desk, desk
from web.forms import errors_of
from web.render import page, speaking, sv_date, tr

router = APIRouter()
QUERY = ("plan", "year", "as_of")
SYSTEM_ACTOR = "system"
EXPORT_UNREACHABLE = (
    "Temporal kunde inte nås, så registret kan inte jämföras med historiken just nu. Försök "
    "igen om en stund, eller exportera bara registret."
)
KEY_BROKEN = "Exporten kan inte förseglas: nyckeln är felaktigt inställd. Kontakta driften."


def _today(the_desk: Desk) -> date:
    return datetime.now(the_desk.zone()).date()


def _attachment(body: str, filename: str, media_type: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- the compliance matrix --------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    plan: str | None
    year: int
    as_of: date


def _query(the_desk: Desk, plan: str, year: str, as_of: str) -> Query:
    """The report's query as the CLI checks its options (ActionError naming the field)."""
    today = _today(the_desk)
    return Query(
        report_plan(plan, the_desk.settings),
        report_year(year or today.year),
        report_as_of(as_of, today),
    )


async def _matrix(the_desk: Desk, query: Query) -> Matrix:
    plans = _plan_infos(the_desk.settings)
    return await the_desk.compliance.matrix(
        the_desk.store, query.year, query.as_of, plans, query.plan
    )


# Plan files change only with a new version (a deployment), so a desk process reads them once
# (as web/desk.py does for titles and time zones), not on every view of the report.
_PLAN_INFOS: dict[Path, dict[str, PlanInfo]] = {}


def _plan_infos(settings: Settings) -> dict[str, PlanInfo]:
    if settings.plans_dir not in _PLAN_INFOS:
        _PLAN_INFOS[settings.plans_dir] = plan_infos(settings)
    return _PLAN_INFOS[settings.plans_dir]


def timeline_href(the_desk: Desk, org_nr: str) -> str | None:
    ref = address_ref(org_nr, the_desk.ids)
    return None if ref is None else f"/reports/timeline/{ref}"


def _download_query(query: Query) -> str:
    values = {"plan": query.plan or "", "year": query.year, "as_of": query.as_of.isoformat()}
    return "?" + urlencode({k: v for k, v in values.items() if v})


# Providers per page of the matrix: a municipality's thousand providers in one table made a
# page of 1.6 MB that took most of a second to render (docs/PERFORMANCE.md §6) and that no one
# reads whole; the downloads hold them all.
PAGE_ROWS = 50


@dataclass(frozen=True, slots=True)
class Paged:
    """One page of the matrix's providers: which, and the addresses of its neighbours."""

    rows: list[ProviderRow]
    first: int  # 1-based number of the first provider shown
    last: int
    total: int
    previous: str | None
    next: str | None


def _paged(matrix: Matrix, query: Query, number: str) -> Paged:
    """Page `number` (1 when it is no page number; the last one when past the end)."""
    pages = max(1, -(-len(matrix.rows) // PAGE_ROWS))
    wanted = int(number) if number.isdigit() else 1
    at = min(max(wanted, 1), pages)
    start = (at - 1) * PAGE_ROWS
    rows = matrix.rows[start : start + PAGE_ROWS]
    base = "/reports" + _download_query(query) + "&page="
    return Paged(
        rows,
        start + 1 if rows else 0,
        start + len(rows),
        len(matrix.rows),
        f"{base}{at - 1}" if at > 1 else None,
        f"{base}{at + 1}" if at < pages else None,
    )


@router.get("/reports", response_class=HTMLResponse)
async def reports(
    request: Request,
    who: LoggedIn,
    plan: str = "",
    year: str = "",
    as_of: str = "",
    page: str = "",
) -> Response:
    the_desk = desk(request)
    values = {"plan": plan, "year": year or str(_today(the_desk).year), "as_of": as_of}
    try:
        query = _query(the_desk, plan, year, as_of)
    except ActionError as err:
        return _report_page(request, the_desk, values, errors_of(err, QUERY, the_desk.language()))
    matrix = await _matrix(the_desk, query)
    return _report_page(request, the_desk, values, {}, query, matrix, page)


def _report_page(
    request: Request,
    the_desk: Desk,
    values: dict[str, str],
    errors: dict[str, str],
    query: Query | None = None,
    matrix: Matrix | None = None,
    number: str = "",
) -> Response:
    paged = _paged(matrix, query, number) if matrix and query else None
    return page(
        request,
        "reports.html",
        400 if errors else 200,
        nav="reports",
        values=values,
        errors=errors,
        plans=list_plans(the_desk.settings.plans_dir),
        query=query,
        m=matrix,
        shown=paged,
        page_rows=PAGE_ROWS,
        states=STATES,
        # The cells in the desk's language, whatever the plans' (the downloads keep the CLI's).
        state_words=STATE_TEXT[language_of(the_desk.language())],
        links={r.org_nr: timeline_href(the_desk, r.org_nr) for r in paged.rows} if paged else {},
        downloads=_download_query(query) if query else "",
        # The findings of the year, per provider: the CSV's own columns and cells.
        finding_title=FINDING_WORDS[matrix.language]["findings"] if matrix else "",
        finding_headers=finding_headers(matrix.language) if matrix else [],
        finding_cells=finding_cells,
        # The municipality's own tasks of the year (issue 19): per role, and per provider.
        municipal_words=MUNICIPAL_WORDS[matrix.language] if matrix else {},
        municipal_headers=municipal_headers(matrix.language) if matrix else [],
    )


async def _download(request: Request, plan: str, year: str, as_of: str) -> Matrix | Response:
    the_desk = desk(request)
    try:
        query = _query(the_desk, plan, year, as_of)
    except ActionError as err:
        values = {"plan": plan, "year": year, "as_of": as_of}
        return _report_page(request, the_desk, values, errors_of(err, QUERY, the_desk.language()))
    return await _matrix(the_desk, query)


@router.get("/reports/compliance.csv")
async def compliance_csv(
    request: Request, who: LoggedIn, plan: str = "", year: str = "", as_of: str = ""
) -> Response:
    """The same file as `lov report compliance --csv` (services: one function)."""
    found = await _download(request, plan, year, as_of)
    if isinstance(found, Response):
        return found
    name = f"efterlevnad-{found.year}{'-' + plan if plan else ''}.csv"
    return _attachment(matrix_csv(found), name, "text/csv; charset=utf-8")


@router.get("/reports/compliance.json")
async def compliance_json(
    request: Request, who: LoggedIn, plan: str = "", year: str = "", as_of: str = ""
) -> Response:
    """The same document as `lov report compliance --json`."""
    found = await _download(request, plan, year, as_of)
    if isinstance(found, Response):
        return found
    name = f"efterlevnad-{found.year}{'-' + plan if plan else ''}.json"
    return _attachment(matrix_json(found), name, "application/json")


# --- the plan's calendar ----------------------------------------------------------------------

CALENDAR_QUERY = ("plan", "year")


@router.get("/reports/calendar", response_class=HTMLResponse)
async def calendar(request: Request, who: LoggedIn, plan: str = "", year: str = "") -> Response:
    """Every duty of a plan in a year with its dates after business-day adjustment, as
    `lov plan show PLAN --year YYYY` (services.plans.plan_year)."""
    the_desk = desk(request)
    settings = the_desk.settings
    values = {"plan": plan or settings.default_plan, "year": year or str(_today(the_desk).year)}
    errors: dict[str, str] = {}
    found = None
    try:
        found = plan_year(values["plan"], report_year(values["year"]), settings.plans_dir)
    except ActionError as err:
        errors = errors_of(err, CALENDAR_QUERY, the_desk.language())
    return page(
        request,
        "plan_calendar.html",
        400 if errors else 200,
        nav="reports",
        values=values,
        errors=errors,
        plans=list_plans(settings.plans_dir),
        cal=found,
        day=lambda text: sv_date(date.fromisoformat(text)),
    )


# --- the auditor's timeline -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Moment:
    """An entry's time as the audit shows it: local, with its offset."""

    iso: str
    text: str


def moment(at: datetime) -> Moment:
    """ "12 april 2027 kl. 10.00 (+02:00)" of an entry already in local time (services.audit
    .selected)."""
    offset = at.strftime("%z")
    return Moment(
        at.isoformat(),
        f"{sv_date(at.date())} kl. {at:%H.%M} ({offset[:3]}:{offset[3:]})",
    )


@dataclass(frozen=True, slots=True)
class TimelineRow:
    at: Moment
    what: str
    concerns: str
    actor: str
    details: list[tuple[str, str]]


def _row(
    entry: TimelineEntry, titles: dict[str, str], language: str, plans_dir: Path | None = None
) -> TimelineRow:
    """One entry in `language`'s words (called inside `speaking(language)`, for tr() and the
    dates)."""
    municipal = entry.source == "event" and entry.type in MUNICIPAL_EVENTS
    details: list[tuple[str, str]]
    if municipal and plans_dir is not None:
        # The municipality's own task (issue 19): what was done, in the plan's words.
        what = task_audit_text(entry.type, entry.details, plans_dir)
        details = []
    elif entry.source == "email":
        what = tr("timeline.email_sent" if entry.status == "sent" else "timeline.email_pending")
        details = [
            (tr("timeline.email_to"), ", ".join(entry.to)),
            (tr("timeline.email_subject"), entry.subject or ""),
        ]
    else:
        what = audit_event_in(entry.type, language)
        words = audit_details(language)
        details = [
            (words[k], audit_detail(v))
            for k, v in entry.details.items()
            if k in words and v not in (None, "", [], {})
        ]
    concerns = ""
    if municipal and plans_dir is not None:
        concerns = task_concerns(entry.details, plans_dir)
    elif entry.obligation == "meeting":
        concerns = tr("timeline.meeting", period=entry.period or "").strip()
    elif entry.obligation:
        concerns = f"{titles.get(entry.obligation, entry.obligation)} {entry.period or ''}".strip()
    elif entry.source == "event" and entry.type.startswith("finding-"):
        brist = "Mangel" if language == "da" else "Brist"
        concerns = f"{brist} {entry.details.get('finding', '')}".strip()
    actor = tr("timeline.system") if entry.actor == SYSTEM_ACTOR else entry.actor
    if entry.caller:
        actor += " " + tr("timeline.os_user", who=entry.caller)
    return TimelineRow(moment(entry.at), what, concerns, actor, details)


async def _provider(the_desk: Desk, ref: str) -> str:
    try:
        return await org_nr_of(the_desk.store, ref, the_desk.ids)
    except ActionError as err:
        raise HTTPException(404, err.message) from None


@router.get("/reports/timeline/{ref}", response_class=HTMLResponse)
async def provider_timeline(request: Request, ref: str, who: LoggedIn, year: str = "") -> Response:
    """The provider's audit trail from the records (as `lov audit ORGNR --records-only`), in
    the plan's time zone, with the export beside it."""
    the_desk = desk(request)
    org = await _provider(the_desk, ref)
    try:
        the_year = report_year(year) if year.strip() else None
    except ActionError as err:
        return await _timeline_page(
            request, the_desk, org, ref, year, errors_of(err, ("year",), the_desk.language())
        )
    return await _timeline_page(request, the_desk, org, ref, year, {}, the_year)


async def _timeline_page(
    request: Request,
    the_desk: Desk,
    org: str,
    ref: str,
    year: str,
    errors: dict[str, str],
    the_year: int | None = None,
) -> Response:
    plan_id = await _plan_of(the_desk, org)
    zone = the_desk.zone(plan_id)
    shown = [] if errors else selected(await timeline(the_desk.store, org), zone, the_year)
    provider = await the_desk.store.get_provider(org)
    # A municipal task's e-mails name its duty as their obligation: titled as the plan's duties.
    titles = the_desk.titles(plan_id) | duty_titles(
        plan_id or the_desk.settings.default_plan, the_desk.settings.plans_dir
    )
    language = the_desk.language()
    with speaking(language):
        rows = [_row(e, titles, language, the_desk.settings.plans_dir) for e in shown]
    return page(
        request,
        "timeline.html",
        400 if errors else 200,
        nav="reports",
        zone=zone,
        name=provider.name if provider else org,
        ref=ref,
        provider_href=f"/providers/{ref}",
        values={"year": year},
        errors=errors,
        year=the_year,
        rows=rows,
        sealed=bool(the_desk.settings.audit_signing_key),
    )


async def _plan_of(the_desk: Desk, org: str) -> str | None:
    contracts = await the_desk.store.contracts_of(org)
    return contracts[-1].plan_id if contracts else None


@router.get("/reports/timeline/{ref}/export")
async def timeline_export(
    request: Request, ref: str, who: LoggedIn, year: str = "", records_only: str = ""
) -> Response:
    """The sealed export of `lov audit ORGNR --json [--year YYYY] [--records-only]`: checked
    against Temporal's histories unless `records_only`, signed with the installation's key."""
    the_desk = desk(request)
    org = await _provider(the_desk, ref)
    try:
        the_year = report_year(year) if year.strip() else None
    except ActionError as err:
        return await _timeline_page(
            request, the_desk, org, ref, year, errors_of(err, ("year",), the_desk.language())
        )
    try:
        seal_with = signer(the_desk.settings)
    except SigningKeyError:
        raise HTTPException(500, KEY_BROKEN) from None
    zone = the_desk.zone(await _plan_of(the_desk, org))
    entries = await timeline(the_desk.store, org)
    agreement: Agreement | None = None
    if not records_only:
        try:
            agreement = await check_histories(await the_desk.temporal(), org, entries)
        except Exception:  # Temporal down or unreachable: say so, export nothing half-checked
            raise HTTPException(503, EXPORT_UNREACHABLE) from None
        entries = with_callers(entries, agreement.callers)
    shown = selected(entries, zone, the_year)
    generated = datetime.now(zone).replace(microsecond=0)
    text = sealed_export(org, shown, generated, agreement, seal_with, the_year) + "\n"
    name = f"revision-{ref}{f'-{the_year}' if the_year else ''}.jsonl"
    return _attachment(text, name, "application/x-ndjson")
