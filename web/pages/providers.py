"""The providers: the list with search and filters, and one page per provider
(services/providers.py, from the records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from models.plans.loader import list_plans
from services.errors import ActionError
from services.filters import plan_filter, search_filter
from services.finding_views import finding_rows
from services.municipal_task_list import TaskRow, recorded_tasks
from services.municipal_words import state_text
from services.provider_refs import address_ref, org_nr_of
from services.providers import ProviderRow, check_status, list_providers, provider_page
from services.users import FINDING_ROLES
from web.auth import LoggedIn
from web.desk import desk
from web.forms import errors_of, text
from web.links import duty_href, provider_href
from web.pages.findings import linked
from web.pages.tasks import task_href
from web.render import page
from web.words import contract_states

router = APIRouter()
FILTERS = ("search", "plan", "status")


@dataclass(frozen=True, slots=True)
class Linked:
    item: object
    href: str | None


async def _list(request: Request, values: dict[str, str]) -> Response:
    the_desk = desk(request)
    settings = the_desk.settings
    errors: dict[str, str] = {}
    rows: list[ProviderRow] = []
    try:
        plan_id = plan_filter(values["plan"] or None, settings.plans_dir)
        status = check_status(values["status"] or None)
        search = search_filter(values["search"] or None)
        rows = await list_providers(the_desk.store, plan_id, status, search)
    except ActionError as err:
        errors = errors_of(err, FILTERS, the_desk.language())
    return page(
        request,
        "providers.html",
        400 if errors else 200,
        nav="providers",
        rows=[Linked(r, provider_href(the_desk, r.org_nr)) for r in rows],
        values=values,
        errors=errors,
        plans=list_plans(settings.plans_dir),
        statuses=[
            (k, v) for k, v in contract_states(the_desk.language()).items() if k != "not-started"
        ],
    )


@router.get("/providers", response_class=HTMLResponse)
async def providers(request: Request, who: LoggedIn, plan: str = "", status: str = "") -> Response:
    # The search text comes only by POST (below): it may be an org nr, i.e. a personnummer.
    return await _list(request, {"search": "", "plan": plan, "status": status})


@router.post("/providers", response_class=HTMLResponse)
async def search_providers(request: Request, who: LoggedIn) -> Response:
    """A search, not an action: every role may search (it changes nothing)."""
    form = await request.form()
    return await _list(request, {name: text(form, name) for name in FILTERS})


@dataclass(frozen=True, slots=True)
class ProviderTask:
    """A municipal task done at the provider (a visit, a statistics extract), as listed."""

    row: TaskRow
    href: str
    state: str


async def _tasks(request: Request, org: str) -> list[ProviderTask]:
    the_desk = desk(request)
    rows = await recorded_tasks(the_desk.store, the_desk.settings.plans_dir)
    language = the_desk.language()
    return [
        ProviderTask(r, task_href(r.plan_id, r.task_id), state_text(r.state, language))
        for r in rows
        if r.org_nr == org
    ]


@router.get("/providers/{ref}", response_class=HTMLResponse)
async def provider(request: Request, ref: str, who: LoggedIn) -> Response:
    the_desk = desk(request)
    try:
        org = await org_nr_of(the_desk.store, ref, the_desk.ids)
    except ActionError as err:
        raise HTTPException(404, err.message) from None
    plan_zone = the_desk.zone()
    facts = await provider_page(
        the_desk.store, org, datetime.now(plan_zone).date(), the_desk.settings.plans_dir
    )
    plan_id = facts.contract.plan_id if facts.contract else None
    zone = the_desk.zone(plan_id)
    duties = [Linked(d, duty_href(the_desk, org, d.obligation, d.period)) for d in facts.duties]
    return page(
        request,
        "provider.html",
        nav="providers",
        p=facts,
        duties=duties,
        zone=zone,
        # The duties' titles are the plan's own words, in the plan's language.
        plan_lang=the_desk.language(plan_id),
        findings=linked(the_desk, await finding_rows(the_desk.store, org_nr=org)),
        may_register_finding=who.role in FINDING_ROLES,
        provider_ref=address_ref(org, the_desk.ids),
        tasks=await _tasks(request, org),
    )
