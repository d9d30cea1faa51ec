"""A provider's återkrav in the portal: its open cases, one case, and its answer to one.

The answer is the desk's and `lov recovery respond`'s: the checked `respond` Update of
services/recoveries.py, with the provider's contact address as the actor. Every case is looked
up by the provider of the visit (services/portal.PortalProvider): a case of another provider is
"no such case" (ActionError("case")), exactly as a case that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from temporalio.client import Client

from models.messages.recovery import RecoveryState, RecoveryStatus, RespondRequest
from models.records.recoveries import RecoveryLineRecord, RecoveryRecord
from models.records.store import RecordStore
from services import recoveries
from services.errors import ActionError
from services.portal import PortalProvider

OUTCOMES: Final = ("accept", "dispute")
# A comment is a letter to the municipality, not a document (those go with a submission).
MAX_COMMENT: Final = 4000


@dataclass(frozen=True, slots=True)
class PortalCase:
    case: RecoveryRecord
    lines: list[RecoveryLineRecord]  # as noticed

    @property
    def answerable(self) -> bool:
        """The provider may answer while the case waits for its response (kommunicering)."""
        return self.case.status == RecoveryState.NOTICED.value


async def open_cases(store: RecordStore, provider: PortalProvider) -> list[RecoveryRecord]:
    """The provider's cases neither paid nor withdrawn, oldest year first."""
    return [
        c
        for c in await store.list_recoveries(provider.org_nr)
        if c.org_nr == provider.org_nr and not RecoveryState(c.status).terminal
    ]


async def case(store: RecordStore, provider: PortalProvider, case_id: str) -> PortalCase:
    """One case of the provider; ActionError("case") when it has none by that id."""
    try:
        found = await recoveries.case_page(store, case_id)
    except ActionError:
        raise ActionError("case", "no such recovery case") from None
    if found.case.org_nr != provider.org_nr:
        raise ActionError("case", "no such recovery case")
    return PortalCase(found.case, found.lines)


def respond_request(provider: PortalProvider, outcome: str, comment: str) -> RespondRequest:
    """The provider's answer as the Update takes it; ActionError naming `outcome` or `comment`
    (a dispute says what is disputed, as the workflow's validator requires too)."""
    if outcome not in OUTCOMES:
        raise ActionError("outcome", "choose accept or dispute")
    text = comment.strip()
    if outcome == "dispute" and not text:
        raise ActionError("comment", "a dispute needs a comment")
    if len(text) > MAX_COMMENT:
        raise ActionError("comment", f"at most {MAX_COMMENT} characters")
    return RespondRequest(outcome=outcome, comment=text, actor=provider.email)  # type: ignore[arg-type]


async def respond(
    client: Client,
    store: RecordStore,
    provider: PortalProvider,
    case_id: str,
    outcome: str,
    comment: str,
) -> RecoveryStatus:
    """The provider's answer to its case `case_id`: ActionError("case") for another provider's
    case, the field's ActionError for a bad answer; nothing is sent then."""
    found = await case(store, provider, case_id)
    request = respond_request(provider, outcome, comment)
    return await recoveries.respond(client, found.case.recovery_id, request)
