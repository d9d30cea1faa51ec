"""One application as the records database holds it, in the shape of the workflow's status:
for the desk when the workflow cannot answer (Temporal is down, or the closed workflow's history
has passed the namespace's retention and is gone), so the application can still be read.

The records hold the application row (state, dates, decision and reason, komplettering rounds)
and every assessment; the checklist's titles come from the plan file (the keys the workflow
used were the plan's when the application arrived). Who decided, and the contract's start, are
not in the row: the audit trail has them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from models.messages.application import (
    ApplicationState,
    ApplicationStatus,
    Assessment,
    CompletionRound,
    Decision,
)
from models.messages.common import Provider
from models.messages.obligation import DocumentRef
from models.plans.loader import PlanError, load_plan
from models.records.applications import ApplicationRecords


def _models(values: Any, model: type[Any]) -> list[Any]:
    """The stored list as models; an entry the model does not accept (an older shape) is left
    out rather than failing the whole page."""
    found = []
    for value in values if isinstance(values, list) else []:
        try:
            found.append(model.model_validate(value))
        except ValidationError:
            continue
    return found


def _date(value: object) -> date | None:
    """An ISO day as the workflow wrote it; anything else (an older row) is no date."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _titles(plan_id: str, plans_dir: Path) -> dict[str, str]:
    try:
        return {k.key: k.title for k in load_plan(plan_id, plans_dir).skallkrav}
    except PlanError:
        return {}


async def recorded_application(
    store: ApplicationRecords, application_id: str, plans_dir: Path
) -> ApplicationStatus | None:
    """The application from the records (None if they do not know it): each skallkrav of the
    plan with its latest assessment, then any assessed key the plan no longer names."""
    row = await store.get_application(application_id)
    if row is None:
        return None
    data = row.data
    plan_id = str(data.get("plan_id", ""))
    titles = _titles(plan_id, plans_dir)
    latest: dict[str, Assessment] = {}
    for a in await store.list_assessments(application_id):  # oldest first: the last one wins
        outcome: Literal["met", "not_met"] | None = (
            "met" if a.outcome == "met" else "not_met" if a.outcome == "not_met" else None
        )
        latest[a.requirement] = Assessment(
            key=a.requirement,
            title=titles.get(a.requirement, a.requirement),
            outcome=outcome,
            note=a.note,
            actor=a.actor,
            at=a.at,
        )
    keys = list(titles) + [k for k in latest if k not in titles]
    state = ApplicationState(row.status)
    # A decided row names its outcome; an older one without it has its state.
    decided = row.decision or (state.value if state.decided else None)
    decision = None
    if decided is not None:
        try:
            decision = Decision(
                outcome=decided,  # type: ignore[arg-type]  # checked by the model
                reason=row.reason or "",
                actor="",
                at=row.decided_at or row.updated_at,
            )
        except ValidationError:
            decision = None
    return ApplicationStatus(
        application_id=application_id,
        provider=Provider.model_construct(
            org_nr=row.org_nr,
            name=str(data.get("provider_name", "")),
            email=str(data.get("email", "")),
        ),
        plan_id=plan_id,
        plan_version=str(data.get("plan_version", "")),
        state=state,
        registered=True,
        submitted_at=row.submitted_at or row.created_at,
        service_types=[str(s) for s in data.get("service_types", [])],
        areas=[str(a) for a in data.get("areas", [])],
        documents=_models(data.get("documents"), DocumentRef),
        requested_start=_date(data.get("requested_start")),
        checklist=[latest.get(k) or Assessment(key=k, title=titles[k]) for k in keys],
        completions=_models(data.get("completions"), CompletionRound),
        decision_due=_date(data.get("decision_due")),
        decision_overdue=False,
        decision=decision,
        history=[],
    )
