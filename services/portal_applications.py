"""An applicant's komplettering in the portal: the application that waits for it, what the
municipality asked for by when, and the applicant's answer (a note and documents).

An applicant is admitted as any provider is (services/portal.PortalProvider): the application's
record writes the applicant's org nr and contact address to the providers table
(activities/records.record_application), so its link is signed for, and its visit checked
against, the address the application gave. The answer is `lov application complete`'s and the
desk's: the checked `complete` Update of services/applications.py, with the applicant's contact
address as the actor. Every application is looked up for the org nr of the visit: another's is
"no such application" (ActionError("application")), exactly as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from pydantic import ValidationError
from temporalio.client import Client

from models.messages.application import (
    ApplicationState,
    ApplicationStatus,
    CompleteRequest,
    CompletionRound,
)
from models.messages.obligation import DocumentRef
from models.records.applications import ApplicationRecord
from models.records.store import RecordStore
from services import applications
from services.errors import ActionError
from services.portal import PortalProvider

# A note is a letter to the municipality; what is asked for goes as documents.
MAX_NOTE: Final = 4000


@dataclass(frozen=True, slots=True)
class PortalApplication:
    record: ApplicationRecord

    @property
    def application_id(self) -> str:
        return self.record.application_id

    @property
    def plan_id(self) -> str | None:
        plan = self.record.data.get("plan_id")
        return plan if isinstance(plan, str) else None

    @property
    def completion(self) -> CompletionRound | None:
        """The komplettering asked for and not yet answered, as the records have it."""
        rounds = self.record.data.get("completions") or []
        if not isinstance(rounds, list) or not rounds:
            return None
        try:
            last = CompletionRound.model_validate(rounds[-1])
        except ValidationError:
            return None
        return last if last.completed_at is None else None

    @property
    def answerable(self) -> bool:
        return (
            self.record.status == ApplicationState.COMPLETION_REQUESTED.value
            and self.completion is not None
        )


def _nowhere() -> ActionError:
    return ActionError("application", "no such application")


async def waiting(store: RecordStore, provider: PortalProvider) -> list[PortalApplication]:
    """The applications of the visit's org nr that wait for a komplettering (usually none, at
    most one: one application per org nr is open at a time)."""
    found = await store.list_applications(
        provider.org_nr, status=ApplicationState.COMPLETION_REQUESTED.value
    )
    return [
        a
        for a in (PortalApplication(r) for r in found if r.org_nr == provider.org_nr)
        if a.answerable
    ]


async def application(
    store: RecordStore, provider: PortalProvider, application_id: str
) -> PortalApplication:
    """One application of the visit's org nr; ActionError("application") otherwise."""
    found = await store.get_application(application_id.strip())
    if found is None or found.org_nr != provider.org_nr:
        raise _nowhere()
    return PortalApplication(found)


def complete_request(
    provider: PortalProvider, note: str, documents: Sequence[DocumentRef] = ()
) -> CompleteRequest:
    """The answer as the Update takes it: a note, documents, or both; ActionError("note")."""
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise ActionError("note", f"at most {MAX_NOTE} characters")
    if not text and not documents:
        raise ActionError("note", "missing")
    return CompleteRequest(documents=list(documents), note=text, actor=provider.email)


async def complete(
    client: Client,
    store: RecordStore,
    provider: PortalProvider,
    application_id: str,
    note: str,
    documents: Sequence[DocumentRef],
) -> ApplicationStatus:
    """The applicant's komplettering: ActionError("application") for another's application,
    ActionError("status") when none is asked for, ActionError("note") for an empty answer;
    nothing is sent then."""
    found = await application(store, provider, application_id)
    if not found.answerable:
        raise ActionError("status", "no komplettering has been requested")
    request = complete_request(provider, note, documents)
    return await applications.complete(client, found.application_id, request)
