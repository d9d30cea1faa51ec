"""Findings as the desk shows them: one finding from the records with what the plan says about
it (the requirement's title and reference, the åtgärdsplan's limits, the sanction ladder), and
the plans' requirements a new finding may cite.

Read from the records database and the plan files, so the pages answer while Temporal is down;
every change goes through services/findings.py.
"""

from __future__ import annotations

import re
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
from models.runtime.settings import Settings
from services import findings
from services.documents import MEDIA_TYPES, DocumentStore, Download, kind_of
from services.errors import ActionError


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


# How services/portal_findings.py names a document in the åtgärdsplan: "- name (SHA-256 hex)".
_NAMED = re.compile(r"^- (?P<name>.+) \(SHA-256 (?P<sha>[0-9a-f]{64})\)$", re.M)


@dataclass(frozen=True, slots=True)
class PlanDocument:
    filename: str
    sha256: str


def plan_documents(summary: str) -> list[PlanDocument]:
    """The documents an åtgärdsplan was sent with, as its text names them."""
    return [PlanDocument(m["name"], m["sha"]) for m in _NAMED.finditer(summary)]


async def finding_document(
    store: RecordStore, settings: Settings, finding: str, sha256: str
) -> Download:
    """A document sent with one of the finding's åtgärdsplaner, from the document store;
    ActionError("document") when the finding names no such document or the store lacks it."""
    page = await findings.finding_page(store, finding)
    named = [
        d
        for s in page.steps
        if s.step == "action-plan-submitted"
        for d in plan_documents(str(s.details.get("summary") or ""))
        if d.sha256 == sha256
    ]
    path = DocumentStore.from_settings(settings).path_of(sha256)
    if not named or not path.is_file():
        raise ActionError("document", "dokumentet finns inte i dokumentlagret")
    with open(path, "rb") as head:
        kind = kind_of(head.read(1024 * 1024)) or "office"
    return Download(path, named[-1].filename, MEDIA_TYPES.get(kind, "application/octet-stream"))
