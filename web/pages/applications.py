"""Applications to become a provider: the list, and one page per application with its whole
skallkrav checklist and the administrator's actions (assess several skallkrav at once, ask for
komplettering, register what came in, approve or reject).

The list reads the records database (as the start page does). An application's page asks its
workflow (the `status` Query of `lov application status`), which holds the checklist with the
plan's titles and every current assessment. The actions are services/applications.py's,
called exactly as `lov application assess|request-completion|complete|decide` calls them, with
the logged-in user as the actor. A refusal (bad input, or the workflow's validator) is shown
next to its field and changes nothing; success redirects to the page (POST/redirect/GET) with a
message. Each form carries a request id made when the page was shown, so the same form sent
twice runs its Updates once (services/request_ids.py).

An application is addressed by its id, `application-<org nr digits or a sole trader's opaque
key>-<n>` (models.ids), which holds no personal data (web.links).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from temporalio.client import Client
from temporalio.exceptions import TemporalError
from temporalio.service import RPCError

from models.messages.application import (
    ApplicationState,
    ApplicationStatus,
    AssessRequest,
    CompleteRequest,
    CompletionRequest,
    DecideRequest,
)
from models.plans.loader import list_plans
from services import applications as apps
from services.application_records import recorded_application
from services.documents import held_digests
from services.errors import ActionError
from services.filters import plan_filter, state_filter
from services.users import Account
from web import sessions, texts
from web.actions import NO_REFUSAL, Forms, Refused, perform
from web.application_texts import Words, time_writer, words_for
from web.auth import Administrator, LoggedIn
from web.desk import desk
from web.forms import GENERAL, day, errors_of, field_of, required, text
from web.links import application_href, application_id_in_address, provider_href
from web.refusals import in_language
from web.render import page
from web.words import words_of

router = APIRouter()
LIST = "/applications"
ONE = "/applications/{ref}"
FORMS = ("assess", "completion", "complete", "approve", "reject")
# The list's state filter: the undecided ones (the default), all, or one stored state.
OPEN, ALL = "open", "all"
VERDICTS = ("met", "not_met")
_NOT_FOUND = "Ingen sådan ansökan i registret."
_TEMPORAL_DOWN = (
    "Temporal svarar inte just nu: ansökan visas som registret har den och kan inte ändras här. "
    "Försök igen om en stund."
)
_HISTORY_GONE = "Ansökan är avslutad och visas som registret har den."

Run = Callable[[Client], Awaitable[ApplicationStatus]]


# --- the list -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    item: apps.ApplicationSummary
    href: str | None


@router.get(LIST, response_class=HTMLResponse)
async def applications(
    request: Request, who: LoggedIn, state: str = OPEN, plan: str = ""
) -> Response:
    """State and plan come by GET: neither is personal, and a filtered list can be linked."""
    the_desk = desk(request)
    language = the_desk.language()
    errors: dict[str, str] = {}
    found: list[apps.ApplicationSummary] = []
    try:
        plan_id = plan_filter(plan or None, the_desk.settings.plans_dir)
        stored = None if state in (OPEN, ALL) else state
        wanted = state_filter(stored, [s.value for s in ApplicationState])
        found = await apps.read_applications(the_desk.store, plan_id=plan_id, state=wanted)
    except ActionError as err:
        errors = errors_of(err, ("state", "plan"), language)
    if state == OPEN:
        # The nearest decision date first, as on the start page: that is the next one due.
        found = sorted(
            (a for a in found if not a.state.decided),
            key=lambda a: (a.decision_due is None, a.decision_due or date.max),
        )
    return page(
        request,
        "applications.html",
        400 if errors else 200,
        nav="applications",
        rows=[Row(a, application_href(a.application_id)) for a in found],
        values={"state": state, "plan": plan},
        errors=errors,
        plans=list_plans(the_desk.settings.plans_dir),
        states=[
            (OPEN, texts.text("applications.open", language)),
            (ALL, texts.text("filter.all", language)),
            *words_of("application", language).items(),
        ],
        today=datetime.now(the_desk.zone()).date(),
    )


# --- one application ----------------------------------------------------------------------------


async def _known(request: Request, application_id: str) -> None:
    """404 unless the id may stand in an address and the records know the application."""
    if not application_id_in_address(application_id):
        raise HTTPException(404, _NOT_FOUND)
    if await desk(request).store.get_application(application_id) is None:
        raise HTTPException(404, _NOT_FOUND)


@dataclass(frozen=True, slots=True)
class Read:
    """The application and, when its workflow could not answer, why it is read from the
    records instead (then nothing can be done to it here)."""

    status: ApplicationStatus
    from_records: str | None = None


async def _status(request: Request, application_id: str) -> Read:
    """The workflow's status; else the records' (services/application_records.py): with
    Temporal down, or the closed workflow's history gone after the namespace's retention, the
    application is still shown, read-only, with the reason."""
    the_desk = desk(request)
    try:
        client = await the_desk.temporal()
        return Read(await apps.status(client, application_id))
    except ActionError:
        why = _HISTORY_GONE
    except (RPCError, TemporalError, OSError, RuntimeError):
        why = _TEMPORAL_DOWN
    recorded = await recorded_application(
        the_desk.store, application_id, the_desk.settings.plans_dir
    )
    if recorded is None:
        raise HTTPException(404, _NOT_FOUND)
    return Read(recorded, why)


def _language(plan_id: str, request: Request) -> str:
    """The plan's language ("sv" or "da"): a Danish plan's application is shown in Danish."""
    return desk(request).language(plan_id)


def _titles(status: ApplicationStatus) -> dict[str, str]:
    return {a.key: a.title for a in status.checklist}


async def _show(
    request: Request,
    read: Read,
    who: Account,
    forms: Forms = NO_REFUSAL,
) -> Response:
    the_desk = desk(request)
    status = read.status
    zone = the_desk.zone(status.plan_id)
    pending = status.open_completion
    language = _language(status.plan_id, request)
    words = words_for(language)
    return page(
        request,
        "application.html",
        forms.status_code,
        nav="applications",
        a=status,
        lang=language,
        t=words.t,
        day=words.day,
        when=time_writer(language, zone),
        base=application_href(status.application_id),
        provider_href=(
            provider_href(the_desk, status.provider.org_nr)
            if status.state == ApplicationState.APPROVED
            else None
        ),
        pending=pending,
        may_act=who.role == "administrator" and read.from_records is None,
        from_records=read.from_records,
        errors=forms.errors,
        values=forms.values,
        # What the komplettering form suggests: the skallkrav assessed as not met.
        missing="\n".join(a.title for a in status.not_met),
        request_ids=forms.request_ids(FORMS),
        today=datetime.now(zone).date(),
        zone=zone,
        # The komplettering documents sent in the portal (the document store holds them).
        held=held_digests(the_desk.settings, [d for r in status.completions for d in r.documents]),
    )


@router.get(ONE, response_class=HTMLResponse)
async def application(request: Request, ref: str, who: LoggedIn) -> Response:
    """`ref`: the application's id (web.links)."""
    await _known(request, ref)
    return await _show(request, await _status(request, ref), who)


# --- the actions --------------------------------------------------------------------------------


def _refusal(
    err: ActionError, fields: tuple[str, ...], titles: Mapping[str, str], language: str
) -> dict[str, str]:
    """The refusal in the application's language with skallkrav named by their titles
    (web/refusals.py), next to the field it names (a field of this form named exactly, as the
    per-skallkrav notes are, or as web.forms finds it), else above the form."""
    worded = ActionError(err.field, in_language(err.message, language, "application", titles))
    ((_, message),) = errors_of(worded, fields, language, "application").items()
    return {err.field if err.field in fields else field_of(err, fields): message}


async def _act(
    request: Request,
    application_id: str,
    who: Account,
    form_name: str,
    fields: tuple[str, ...],
    build: Callable[[FormData, str], Run],
    done: Callable[[ApplicationStatus, Words], str],
    where: Callable[[ActionError, FormData], str] | None = None,
) -> Response:
    """Read the form with `fields` (`build` gives the service call), run it, and show the page
    again with the refusal, or redirect with `done`'s message. `where` places a refusal on a
    field the message itself names (a skallkrav's note)."""
    await _known(request, application_id)
    form = await request.form()
    kept = {name: value for name, value in form.items() if isinstance(value, str)}
    kept.pop("csrf_token", None)

    def placed(err: ActionError) -> ActionError:
        return err if where is None else ActionError(where(err, form), err.message)

    result = await perform(
        request,
        form,
        fields,
        lambda: build(form, who.username),
        lambda client, run: run(client),
        on_form=placed,
    )
    if isinstance(result, Refused):
        current = await _status(request, application_id)
        if result.error is not None:
            # Worded here: a skallkrav is named by its title in the plan, not by its key.
            language = _language(current.status.plan_id, request)
            titles = _titles(current.status)
            result = replace(result, errors=_refusal(result.error, fields, titles, language))
        return await _show(request, current, who, result.shown(form_name, kept))
    sessions.flash(request, done(result, words_for(_language(result.plan_id, request))))
    return RedirectResponse(application_href(application_id) or LIST, status_code=303)


def _assessments(form: FormData, actor: str) -> list[AssessRequest]:
    """One request per skallkrav given a verdict (`verdict-<key>`: met or not_met, with its
    `note-<key>`), built as `lov application assess` builds them; a note typed for a skallkrav
    left without a verdict is refused rather than lost."""
    requests: list[AssessRequest] = []
    for name, value in form.multi_items():
        if not name.startswith("verdict-") or not isinstance(value, str) or not value:
            continue
        key = name.removeprefix("verdict-")
        if value not in VERDICTS:
            raise ActionError(name, "välj uppfyllt eller ej uppfyllt")
        requests += apps.assessments([key], value == "met", text(form, f"note-{key}"), {}, actor)
    assessed = {r.key for r in requests}
    for name in form:
        key = name.removeprefix("note-")
        if name.startswith("note-") and text(form, name) and key not in assessed:
            raise ActionError(name, "välj uppfyllt eller ej uppfyllt för kravet, eller töm rutan")
    if not requests:
        raise ActionError(GENERAL, "Välj uppfyllt eller ej uppfyllt för minst ett skallkrav.")
    return requests


def _note_of(err: ActionError, form: FormData) -> str:
    """A "not met" without a note names its skallkrav in the message (several at once) or is
    the only one sent: the refusal goes next to that skallkrav's note."""
    if not err.field.startswith("note") or err.field.startswith("note-"):
        return err.field
    marker = "(skallkrav "
    if marker in err.message:
        return "note-" + err.message.rsplit(marker, 1)[1].rstrip(")").strip()
    verdicts = [n for n in form if n.startswith("verdict-") and text(form, n)]
    return "note-" + verdicts[0].removeprefix("verdict-") if len(verdicts) == 1 else err.field


@router.post(ONE + "/assess", response_class=HTMLResponse)
async def assess(request: Request, ref: str, who: Administrator) -> Response:
    def build(form: FormData, actor: str) -> Run:
        requests = _assessments(form, actor)
        return lambda client: apps.assess_many(client, ref, requests)

    def done(result: ApplicationStatus, w: Words) -> str:
        left = len(result.unassessed)
        return f"{w.t['done_assess']} " + (
            w.t["done_left"].format(n=left) if left else w.t["done_all"]
        )

    form = await request.form()
    verdicts = [n.removeprefix("verdict-") for n in form if n.startswith("verdict-")]
    notes = [n.removeprefix("note-") for n in form if n.startswith("note-")]
    # Each skallkrav sent: its verdict and its note (even one not sent, that a refusal names).
    fields = tuple(
        f"{kind}-{key}" for key in dict.fromkeys(verdicts + notes) for kind in ("verdict", "note")
    )
    return await _act(request, ref, who, "assess", fields, build, done, _note_of)


@router.post(ONE + "/completion", response_class=HTMLResponse)
async def request_completion(request: Request, ref: str, who: Administrator) -> Response:
    def build(form: FormData, actor: str) -> Run:
        lines = [line for line in text(form, "items").splitlines() if line.strip()]
        if not lines:
            raise ActionError("items", "skriv vad som saknas, en sak per rad")
        completion = CompletionRequest(
            items=apps.listed(lines, "items", ""),
            due=day(form, "due", required=False),
            note=text(form, "note"),
            actor=actor,
        )
        return lambda client: apps.request_completion(client, ref, completion)

    def done(result: ApplicationStatus, w: Words) -> str:
        pending = result.open_completion
        return w.t["done_request"].format(due=w.day(pending.due if pending else None))

    fields = ("items", "due", "note")
    return await _act(request, ref, who, "completion", fields, build, done)


@router.post(ONE + "/complete", response_class=HTMLResponse)
async def complete(request: Request, ref: str, who: Administrator) -> Response:
    def build(form: FormData, actor: str) -> Run:
        # The desk takes no files: what came in is described in the note.
        note = required(form, "note", "skriv vad som kom in")
        completion = CompleteRequest(note=note, actor=actor)
        return lambda client: apps.complete(client, ref, completion)

    def done(result: ApplicationStatus, w: Words) -> str:
        if result.decision_due is None:
            return w.t["done_complete"]
        return w.t["done_complete_due"].format(due=w.day(result.decision_due))

    return await _act(request, ref, who, "complete", ("note",), build, done)


def _decision_done(result: ApplicationStatus, w: Words) -> str:
    if result.state == ApplicationState.APPROVED:
        start = result.decision.contract_start if result.decision else None
        return w.t["done_approved"].format(start=w.day(start))
    return w.t["done_rejected"]


@router.post(ONE + "/approve", response_class=HTMLResponse)
async def approve(request: Request, ref: str, who: Administrator) -> Response:
    def build(form: FormData, actor: str) -> Run:
        start = day(form, "contract_start")
        decision: DecideRequest = apps.decision(True, text(form, "reason"), start, actor)
        return lambda client: apps.decide(client, ref, decision)

    fields = ("contract_start", "reason")
    return await _act(request, ref, who, "approve", fields, build, _decision_done)


@router.post(ONE + "/reject", response_class=HTMLResponse)
async def reject(request: Request, ref: str, who: Administrator) -> Response:
    def build(form: FormData, actor: str) -> Run:
        reason = required(form, "reason", "skriv skälet till avslaget")
        decision: DecideRequest = apps.decision(False, reason, None, actor)
        return lambda client: apps.decide(client, ref, decision)

    return await _act(request, ref, who, "reject", ("reason",), build, _decision_done)
