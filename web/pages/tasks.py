"""Kommunens uppgifter (issue 19 + issue 17): the municipality's own tasks — a tillsynsbesök at
each provider, the yearly kundundersökning — listed with filters (role, plan, state, overdue),
and one page per task with the form that registers it as done (date, by whom, result, a
document, findings) through services/municipal_tasks.py, as `lov task done` does.

The list and the task page read the records (services/municipal_task_list.py), so they answer
while Temporal is down. Registering is the administrator's, or a manager's (a late task goes to
the owner's manager); an auditor or a case officer gets 403. A refusal is shown next to its
field and nothing is stored or sent. A task page speaks its plan's language (Danish for
Herning's tasks)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile
from temporalio.client import Client

from models.messages.municipal import TaskState, TaskView
from services import municipal_tasks
from services.documents import DocumentStore
from services.errors import ActionError
from services.municipal_task_list import (
    TaskFilter,
    TaskRow,
    check_filter,
    recorded_task,
    recorded_tasks,
    roles_of,
    start_tasks,
)
from services.municipal_words import state_text
from services.users import Account
from web.actions import Refused, perform
from web.auth import LoggedIn, role_in
from web.desk import Desk, desk
from web.forms import GENERAL, day, errors_of, text
from web.links import provider_href
from web.render import page

router = APIRouter()
# Who may register a task as done (module docstring).
TASK_ROLES = ("administrator", "manager")
Registrar = Annotated[Account, Depends(role_in(*TASK_ROLES))]
FIELDS = ("done_on", "by", "result", "document", "findings")
FILTERS = ("role", "plan", "state", "overdue")
# The service's names for the fields (the CLI's options) as the form names them.
_FORM_FIELDS = {
    "--date": "done_on",
    "done_on": "done_on",
    "--by": "by",
    "--result": "result",
    "--finding": "findings",
    "task": GENERAL,
    "task_id": GENERAL,
}


def task_href(plan_id: str, task_id: str) -> str:
    return f"/tasks/{plan_id}/{task_id}"


def _form_field(err: ActionError) -> ActionError:
    name = err.field
    if name.startswith(("--document", "documents")):
        return ActionError("document", err.message)
    if name.startswith("findings"):
        return ActionError("findings", err.message)
    return ActionError(_FORM_FIELDS.get(name, name), err.message)


@router.get("/tasks", response_class=HTMLResponse)
async def task_list(
    request: Request,
    who: LoggedIn,
    role: str = "",
    plan: str = "",
    state: str = "",
    overdue: str = "",
) -> Response:
    the_desk = desk(request)
    plans_dir = the_desk.settings.plans_dir
    values = {"role": role, "plan": plan, "state": state, "overdue": overdue}
    errors: dict[str, str] = {}
    try:
        found = check_filter(plans_dir, plan, role, state, overdue)
    except ActionError as err:
        errors = errors_of(err, FILTERS)
        found = TaskFilter()
    rows = [] if errors else await recorded_tasks(the_desk.store, plans_dir, found)
    language = the_desk.language()
    return page(
        request,
        "tasks.html",
        400 if errors else 200,
        nav="tasks",
        rows=rows,
        links={(r.plan_id, r.task_id): task_href(r.plan_id, r.task_id) for r in rows},
        providers={r.org_nr: provider_href(the_desk, r.org_nr) for r in rows if r.org_nr},
        roles=roles_of(plans_dir),
        plans=sorted(p.id for p in municipal_tasks.plans_with_duties(plans_dir)),
        states=[(s.value, state_text(s.value, language)) for s in TaskState],
        state_word=lambda value: state_text(value, language),
        values=values,
        errors=errors,
    )


async def _task_page(
    request: Request,
    who: Account,
    row: TaskRow,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    request_id: str | None = None,
) -> Response:
    the_desk = desk(request)
    return page(
        request,
        "task.html",
        status_code,
        nav="tasks",
        # The task speaks its plan's language (Danish for a Danish plan).
        language=row.language,
        task=row,
        state=state_text(row.state, row.language),
        provider_href=provider_href(the_desk, row.org_nr) if row.org_nr else None,
        may_register=who.role in TASK_ROLES and not row.closed,
        may_act=who.role in TASK_ROLES,
        errors=errors or {},
        values=values or {"by": who.display_name or who.username},
        request_id=request_id or str(uuid.uuid4()),
        action=task_href(row.plan_id, row.task_id),
    )


async def _row(request: Request, plan: str, task_id: str) -> TaskRow:
    the_desk = desk(request)
    try:
        return await recorded_task(the_desk.store, the_desk.settings.plans_dir, plan, task_id)
    except ActionError as err:
        raise HTTPException(404, err.message[:1].upper() + err.message[1:] + ".") from None


@router.get("/tasks/{plan}/{task_id}", response_class=HTMLResponse)
async def task(request: Request, plan: str, task_id: str, who: LoggedIn) -> Response:
    return await _task_page(request, who, await _row(request, plan, task_id))


async def _uploads(form: FormData, store: DocumentStore) -> tuple[tuple[str, bytes], ...]:
    upload = form.get("document")
    if isinstance(upload, UploadFile) and upload.filename:
        # At most one byte more than allowed is read: enough to refuse it.
        return ((upload.filename, await upload.read(store.max_bytes + 1)),)
    return ()


def _findings(form: FormData) -> list[str]:
    typed = form.get("findings")
    return [line.strip() for line in str(typed or "").splitlines() if line.strip()]


@router.post("/tasks/{plan}/{task_id}", response_class=HTMLResponse)
async def register(request: Request, plan: str, task_id: str, who: Registrar) -> Response:
    the_desk = desk(request)
    row = await _row(request, plan, task_id)
    form = await request.form()
    values = {name: text(form, name) for name in ("done_on", "by", "result", "findings")}
    values["findings"] = str(form.get("findings") or "")
    documents = DocumentStore.from_settings(the_desk.settings)
    uploads = await _uploads(form, documents)

    def build() -> municipal_tasks.Completion:
        done_on = day(form, "done_on")
        assert done_on is not None
        if not values["by"]:
            raise ActionError("by", "ange vem som utförde uppgiften")
        if not values["result"]:
            raise ActionError("result", "beskriv vad uppgiften visade")
        return municipal_tasks.Completion(
            task_id=row.task_id,
            done_on=done_on,
            by=values["by"],
            result=values["result"],
            documents=[],
            findings=_findings(form),
            uploads=uploads,
        )

    async def call(client: Client, completion: municipal_tasks.Completion) -> TaskView:
        return await municipal_tasks.complete(
            client, the_desk.settings.plans_dir, documents, completion, plan=row.plan_id
        )

    done = await perform(
        request, form, FIELDS, build, call, "task", on_form=_form_field, language=row.language
    )
    if isinstance(done, Refused):
        return await _task_page(
            request,
            who,
            row,
            errors=done.errors,
            values=values,
            status_code=done.status_code,
            request_id=done.request_id,
        )
    return RedirectResponse(task_href(row.plan_id, row.task_id), status_code=303)


# --- the start page's section ("Att göra") ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartTask:
    task: TaskRow
    href: str
    state: str  # in words, in the desk's language


async def start_rows(the_desk: Desk, who: Account) -> list[StartTask]:
    """The municipality's tasks the logged-in user's role has to act on (due or late for an
    administrator, late for a manager), late first."""
    language = the_desk.language()
    return [
        StartTask(t, task_href(t.plan_id, t.task_id), state_text(t.state, language))
        for t in await start_tasks(the_desk.store, the_desk.settings.plans_dir, who.role)
    ]
