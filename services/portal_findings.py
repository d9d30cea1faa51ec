"""A provider's findings (brister) in the portal: its open findings, one finding, its response
(kommunicering) and its åtgärdsplan.

Both answers are the CLI's and the desk's: the checked `respond` and `submit_action_plan`
Updates of services/findings.py, with the provider's contact address as the actor. Every
finding is looked up for the provider of the visit (services/portal.PortalProvider): a finding
of another provider is "no such finding" (ActionError("finding")), exactly as one that does not
exist, and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from temporalio.client import Client

from models.messages.finding import (
    FindingState,
    FindingStatus,
    RespondRequest,
    SubmitActionPlanRequest,
)
from models.messages.obligation import DocumentRef
from models.records.findings import FindingRecord
from models.records.store import RecordStore
from services import findings
from services.errors import ActionError
from services.finding_views import FindingView, view_of
from services.portal import PortalProvider

MAX_TEXT: Final = findings.MAX_TEXT
# The åtgärdsplan may be sent while one is asked for, also after its due date.
RESPOND_STATES: Final = (
    FindingState.NOTICED,
    FindingState.ACTION_PLAN_LATE,
    FindingState.NOT_REMEDIED,
)
# The workflow's steps that open a kommunicering (workflows/finding.py).
OPENS_KOMMUNICERING: Final = ("noticed", "action-plan-late", "verified-not-remedied")
PLAN_STATES: Final = (FindingState.ACTION_PLAN_REQUESTED, FindingState.ACTION_PLAN_LATE)


@dataclass(frozen=True)
class PortalFinding:
    view: FindingView

    @property
    def finding(self) -> FindingRecord:
        return self.view.finding

    @property
    def may_respond(self) -> bool:
        """A kommunicering waits for the provider's response: opened by the notice, a late
        åtgärdsplan or a failed verification, and not yet answered."""
        if self.view.state not in RESPOND_STATES:
            return False
        for step in reversed(self.view.page.steps):
            if step.step == "response":
                return False
            if step.step in OPENS_KOMMUNICERING:
                return True
        return False

    @property
    def may_send_plan(self) -> bool:
        return self.view.state in PLAN_STATES


async def open_findings(store: RecordStore, provider: PortalProvider) -> list[FindingRecord]:
    """The provider's findings not closed, oldest year first."""
    return [
        f
        for f in await store.list_findings(provider.org_nr)
        if f.org_nr == provider.org_nr and not FindingState(f.status).terminal
    ]


async def finding(
    store: RecordStore, provider: PortalProvider, finding_id: str, plans_dir: Path
) -> PortalFinding:
    """One finding of the provider; ActionError("finding") when it has none by that id."""
    try:
        page = await findings.finding_page(store, finding_id)
    except ActionError:
        raise ActionError("finding", "no such finding") from None
    if page.finding.org_nr != provider.org_nr:
        raise ActionError("finding", "no such finding")
    return PortalFinding(view_of(page, plans_dir))


def _text(value: str, field: str) -> str:
    text = value.strip()
    if not text:
        raise ActionError(field, "must not be empty")
    if len(text) > MAX_TEXT:
        raise ActionError(field, f"at most {MAX_TEXT} characters")
    return text


def respond_request(provider: PortalProvider, comment: str) -> RespondRequest:
    return RespondRequest(comment=_text(comment, "comment"), actor=provider.email)


def action_plan_summary(summary: str, documents: Sequence[DocumentRef] = ()) -> str:
    """What the åtgärdsplan says, with the documents sent with it named by their SHA-256 (the
    document store holds them under that name), within the finding's text limit."""
    return findings.action_plan_text(summary, documents)


async def respond(
    client: Client,
    store: RecordStore,
    provider: PortalProvider,
    finding_id: str,
    comment: str,
    plans_dir: Path,
) -> FindingStatus:
    found = await finding(store, provider, finding_id, plans_dir)
    request = respond_request(provider, comment)
    return await findings.respond(client, found.finding.finding_id, request)


async def submit_action_plan(
    client: Client,
    store: RecordStore,
    provider: PortalProvider,
    finding_id: str,
    summary: str,
    documents: Sequence[DocumentRef],
    plans_dir: Path,
) -> FindingStatus:
    found = await finding(store, provider, finding_id, plans_dir)
    request = SubmitActionPlanRequest(
        summary=action_plan_summary(summary, documents), actor=provider.email
    )
    return await findings.submit_action_plan(client, found.finding.finding_id, request)
