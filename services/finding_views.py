"""Findings as the desk shows them: one finding from the records with what the plan says about
it (the requirement's title and reference, the åtgärdsplan's limits, the sanction ladder), and
the plans' requirements a new finding may cite.

Read from the records database and the plan files, so the pages answer while Temporal is down;
every change goes through services/findings.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from models.messages.finding import FindingState
from models.plans.findings import requirement_title
from models.plans.loader import PlanError, load_plan
from models.plans.schema import Plan
from models.records.findings import FindingRecord, FindingStepRecord
from models.records.store import RecordStore
from services import findings


@dataclass(frozen=True, slots=True)
class Rung:
    """A step of the plan's sanction ladder, as a decision form offers it."""

    kind: str
    title: str
    amount: Decimal | None


@dataclass(frozen=True)
class FindingView:
    page: findings.FindingPage
    requirement_title: str
    requirement_reference: str
    procedure: str
    language: str
    # The åtgärdsplan's due date may lie between these days (the plan's limits, from today).
    first_due: date | None
    last_due: date | None
    ladder: list[Rung]

    @property
    def finding(self) -> FindingRecord:
        return self.page.finding

    @property
    def state(self) -> FindingState:
        return FindingState(self.page.finding.status)

    def latest(self, step: str, key: str) -> str | None:
        """A detail of the latest step of that kind (the response, the åtgärdsplan)."""
        found = [s for s in self.page.steps if s.step == step and s.details.get(key)]
        return str(found[-1].details[key]) if found else None

    @property
    def response(self) -> FindingStepRecord | None:
        found = [s for s in self.page.steps if s.step == "response"]
        return found[-1] if found else None

    @property
    def action_plan(self) -> FindingStepRecord | None:
        found = [s for s in self.page.steps if s.step == "action-plan-submitted"]
        return found[-1] if found else None


def _plan(plan_id: str, plans_dir: Path) -> Plan | None:
    try:
        return load_plan(plan_id, plans_dir)
    except PlanError:
        return None


def view_of(page: findings.FindingPage, plans_dir: Path, today: date | None = None) -> FindingView:
    f = page.finding
    plan = _plan(f.plan_id, plans_dir)
    found = plan.findings if plan else None
    if plan is None or found is None:
        return FindingView(page, f.requirement, "", "", "sv", None, None, [])
    skallkrav = {k.key: k.title for k in plan.skallkrav}
    req = found.requirement(f.requirement)
    if today is None:
        today = datetime.now(ZoneInfo(plan.time_zone)).date()
    return FindingView(
        page,
        requirement_title(found, skallkrav, f.requirement),
        req.reference if req else "",
        found.procedure,
        plan.language,
        today + timedelta(days=found.action_plan_min_days),
        today + timedelta(days=found.action_plan_max_days),
        [Rung(s.kind, s.title, s.amount) for s in found.sanctions],
    )


async def finding_view(store: RecordStore, finding: str, plans_dir: Path) -> FindingView:
    """One finding with its plan's words; ActionError("finding") when there is none."""
    return view_of(await findings.finding_page(store, finding), plans_dir)


@dataclass(frozen=True, slots=True)
class RequirementChoice:
    plan_id: str
    key: str
    title: str


def requirement_choices(plan_ids: list[str], plans_dir: Path) -> list[RequirementChoice]:
    """The requirements a finding may cite, per plan (the plans without findings left out)."""
    choices: list[RequirementChoice] = []
    for plan_id in dict.fromkeys(plan_ids):
        plan = _plan(plan_id, plans_dir)
        if plan is None or plan.findings is None:
            continue
        skallkrav = {k.key: k.title for k in plan.skallkrav}
        for req in plan.findings.requirements:
            title = requirement_title(plan.findings, skallkrav, req.key)
            choices.append(RequirementChoice(plan.id, req.key, title))
    return choices


def open_findings(rows: list[findings.FindingRow]) -> list[findings.FindingRow]:
    return [r for r in rows if not FindingState(r.finding.status).terminal]


def next_deadline(f: FindingRecord) -> date | None:
    """The next date the provider must meet: the åtgärdsplan's while one is asked for, else
    the response's while the notice waits for it."""
    if f.status == FindingState.ACTION_PLAN_REQUESTED.value:
        return f.action_plan_due
    if f.status == FindingState.NOTICED.value:
        return f.response_due
    return None


async def finding_rows(
    store: RecordStore,
    *,
    org_nr: str | None = None,
    status: str | None = None,
    plan_id: str | None = None,
) -> list[findings.FindingRow]:
    """`findings.list_findings` on an open store (the desk's), filters already checked."""
    names = await store.provider_names()
    found = await store.list_findings(org_nr, status=status, plan_id=plan_id)
    return [findings.FindingRow(f, names.get(f.org_nr, "")) for f in found]
