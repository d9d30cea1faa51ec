"""One duty (an obligation occurrence) as the desk shows it: its state and dates, what was
submitted (fields by their titles in the plan, documents with size and SHA-256) and the reviews.

Read from the records database; the actions on it are services/obligations.py's, exactly as the
CLI calls them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from models.plans.loader import PlanError, load_plan
from models.records.store import RecordStore
from services.document_facts import DocumentFacts, document_facts
from services.errors import ActionError

_NOT_FOUND = "ingen sådan skyldighet i registret"


@dataclass(frozen=True, slots=True)
class FieldValue:
    key: str
    title: str
    value: Any


@dataclass(frozen=True, slots=True)
class SubmissionFacts:
    submitted_at: datetime
    actor: str
    fields: list[FieldValue]
    documents: list[DocumentFacts]


@dataclass(frozen=True, slots=True)
class ReviewFacts:
    at: datetime
    outcome: str
    note: str | None
    new_due: date | None
    actor: str


@dataclass(frozen=True, slots=True)
class DutyPage:
    org_nr: str
    provider_name: str | None
    plan_id: str | None
    time_zone: str | None  # the plan's, None if it cannot be read here
    obligation: str
    title: str | None
    period: str
    state: str
    due: date
    nominal_due: date
    overdue: bool
    escalation_level: int
    submissions: list[SubmissionFacts]
    reviews: list[ReviewFacts]


async def duty_page(
    store: RecordStore, org_nr: str, obligation: str, period: str, plans_dir: Path
) -> DutyPage:
    """The duty `obligation` for `period` of the provider; ActionError("duty") if the records
    know none."""
    found = [
        o
        for o in await store.list_occurrences(org_nr=org_nr)
        if o.obligation == obligation and o.period == period
    ]
    if not found:
        raise ActionError("duty", _NOT_FOUND)
    occurrence = found[-1]
    provider = await store.get_provider(org_nr)
    contracts = await store.contracts_of(org_nr)
    plan_id = contracts[-1].plan_id if contracts else None
    title: str | None = None
    zone: str | None = None
    field_titles: dict[str, str] = {}
    document_titles: dict[str, str] = {}
    if plan_id is not None:
        try:
            plan = load_plan(plan_id, plans_dir)
        except PlanError:
            plan = None
        if plan is not None:
            zone = plan.time_zone
            try:
                ob = plan.obligation(obligation)
            except KeyError:
                ob = None
            if ob is not None:
                title = ob.title
                field_titles = {f.key: f.title for f in ob.fields}
                document_titles = {d.key: d.title for d in ob.documents}
    submissions = [
        SubmissionFacts(
            submitted_at=s.submitted_at,
            actor=s.actor,
            fields=[FieldValue(k, field_titles.get(k, k), v) for k, v in s.fields.items()],
            documents=[document_facts(d, document_titles) for d in s.documents],
        )
        for s in await store.list_submissions(occurrence.workflow_id)
    ]
    reviews = [
        ReviewFacts(at=r.at, outcome=r.outcome, note=r.note, new_due=r.new_due, actor=r.actor)
        for r in await store.list_reviews(occurrence.workflow_id)
    ]
    return DutyPage(
        org_nr=org_nr,
        provider_name=provider.name if provider else None,
        plan_id=plan_id,
        time_zone=zone,
        obligation=obligation,
        title=title,
        period=period,
        state=occurrence.status,
        due=occurrence.due,
        nominal_due=occurrence.nominal_due,
        overdue=occurrence.overdue,
        escalation_level=occurrence.escalation_level,
        submissions=submissions,
        reviews=reviews,
    )
