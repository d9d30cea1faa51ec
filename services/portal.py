"""The provider portal's application layer: who a link or a visit admits, the provider's duties
and what each needs, a submission, and a new link on request.

A provider is admitted by a signed token (models.domain.portal_token) whose provider still has
the contact address it was issued for: a link sent to a former contact stops working the moment
the contact changes. Everything the portal reads or changes is scoped to that provider's org nr,
taken from the token, never from the address of a page, so no URL reaches another provider's
data. A submission is the same checked submit Update as `lov contract submit` and the desk's
(services/obligations.py), with the provider's contact address as the actor.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Final, Literal

from temporalio.client import Client

from models.domain import portal_token
from models.domain.portal_token import Grant, TokenRefused
from models.domain.provider_id import ProviderIds
from models.messages.obligation import DocumentRef, SubmitRequest
from models.plans.loader import PlanError, load_plan
from models.plans.schema import Role
from models.records.store import RecordStore
from models.runtime.settings import Settings
from services import obligations
from services.duties import DutyPage, duty_page
from services.errors import ActionError
from services.obligations import Requirements, Submitted, requirements
from services.provider_refs import org_nr_of

# Duties a provider still has to answer (submitted: waiting for the municipality's review).
OPEN_STATES: Final = ("upcoming", "open", "completion_requested", "submitted")
ANSWERABLE: Final = ("upcoming", "open", "completion_requested")
# Link requests within the window after which further ones are refused: per client address
# (someone trying many addresses) and per address asked for (someone flooding one inbox).
LINK_WINDOW: Final = timedelta(minutes=15)
MAX_LINKS_PER_CLIENT: Final = 10
MAX_LINKS_PER_EMAIL: Final = 3


class PortalRefused(Exception):
    """The token admits nobody: "invalid", "expired" or "revoked" (the contact changed)."""

    def __init__(self, reason: Literal["invalid", "expired", "revoked"]) -> None:
        super().__init__(reason)
        self.reason = reason


class TooManyRequests(Exception):
    """Too many link requests from this client or for this address just now."""


@dataclass(frozen=True, slots=True)
class PortalProvider:
    """The provider a token admits."""

    org_nr: str
    ref: str  # its name in addresses and tokens (never a personnummer)
    name: str
    email: str  # the registered contact: the actor of what is done in the portal
    plan_id: str | None


@dataclass(frozen=True, slots=True)
class PortalDuty:
    obligation: str
    title: str
    period: str
    due: date
    state: str
    overdue: bool

    @property
    def answerable(self) -> bool:
        return self.state in ANSWERABLE


# --- tokens ---------------------------------------------------------------------------------


def link_for(
    settings: Settings, ids: ProviderIds, secret: str, org_nr: str, email: str, now: datetime
) -> str | None:
    """The personal portal link for the provider's contact `email`, valid LOV_PORTAL_LINK_DAYS;
    None for a sole trader when no provider-id key is configured (no address can name it)."""
    lifetime = timedelta(days=settings.portal_link_days)
    return portal_token.link_for(settings.portal_base, lifetime, ids, secret, org_nr, email, now)


def visit_token(settings: Settings, secret: str, provider: PortalProvider, now: datetime) -> str:
    """The provider's visit (the portal's cookie), valid LOV_PORTAL_SESSION_MINUTES."""
    lifetime = timedelta(minutes=settings.portal_session_minutes)
    return portal_token.issue(
        secret, provider.ref, provider.email, now, lifetime, portal_token.VISIT
    )


async def admit(
    store: RecordStore,
    ids: ProviderIds,
    secret: str,
    token: str,
    now: datetime,
    purpose: portal_token.Purpose = portal_token.LINK,
) -> PortalProvider:
    """The provider a link (or, with VISIT, a visit) admits; PortalRefused otherwise."""
    try:
        grant = portal_token.read(secret, token, now, purpose)
    except TokenRefused as refused:
        raise PortalRefused(refused.reason) from None
    return await _provider_of(store, ids, secret, grant)


async def _provider_of(
    store: RecordStore, ids: ProviderIds, secret: str, grant: Grant
) -> PortalProvider:
    try:
        org = await org_nr_of(store, grant.provider_ref, ids)
    except ActionError:
        raise PortalRefused("invalid") from None
    record = await store.get_provider(org)
    if record is None:
        raise PortalRefused("invalid")
    if not portal_token.same_contact(secret, grant, record.email):
        raise PortalRefused("revoked")
    contracts = await store.contracts_of(org)
    return PortalProvider(
        org_nr=org,
        ref=grant.provider_ref,
        name=record.name,
        email=record.email,
        plan_id=contracts[-1].plan_id if contracts else await _applied_plan(store, org),
    )


async def _applied_plan(store: RecordStore, org_nr: str) -> str | None:
    """An applicant's plan (its latest application's): it has no contract yet, and the portal
    speaks the language of the plan it applied under."""
    for application in await store.list_applications(org_nr):
        plan = application.data.get("plan_id")
        if isinstance(plan, str):
            return plan
    return None


# --- duties ---------------------------------------------------------------------------------


async def duties(
    store: RecordStore, provider: PortalProvider, titles: dict[str, str]
) -> list[PortalDuty]:
    """The provider's duties, those to answer first (by due date), then the answered ones
    (latest first). `titles`: obligation key → title in the provider's plan."""
    found = [
        PortalDuty(
            obligation=o.obligation,
            title=titles.get(o.obligation, o.obligation),
            period=o.period,
            due=o.due,
            state=o.status,
            overdue=o.overdue,
        )
        for o in await store.list_occurrences(org_nr=provider.org_nr)
    ]
    open_ = sorted((d for d in found if d.state in OPEN_STATES), key=lambda d: d.due)
    done = sorted((d for d in found if d.state not in OPEN_STATES), key=lambda d: d.due)
    return open_ + done[::-1]


@dataclass(frozen=True, slots=True)
class PortalDutyPage:
    facts: DutyPage
    needs: Requirements | None  # None when the plan cannot be read here
    recipient: Role | None  # who at the municipality receives it

    @property
    def answerable(self) -> bool:
        return self.facts.state in ANSWERABLE


async def duty(
    store: RecordStore, provider: PortalProvider, obligation: str, period: str, plans_dir: Path
) -> PortalDutyPage:
    """One duty of the provider, with what a submission needs; ActionError("duty") if the
    provider has no such duty (another provider's is never looked up)."""
    facts = await duty_page(store, provider.org_nr, obligation, period, plans_dir)
    needs: Requirements | None = None
    recipient: Role | None = None
    if facts.plan_id is not None:
        try:
            needs = requirements(facts.plan_id, obligation, plans_dir)
            plan = load_plan(facts.plan_id, plans_dir)
            recipient = plan.roles.get(plan.obligation(obligation).recipient)
        except (ActionError, PlanError, KeyError):
            pass
    return PortalDutyPage(facts, needs, recipient)


async def submit(
    client: Client,
    provider: PortalProvider,
    obligation: str,
    period: str,
    values: dict[str, str],
    plans_dir: Path,
    documents: list[DocumentRef] | None = None,
) -> Submitted:
    """The provider's answer: the fields as typed (empty ones left out) and the documents it
    uploaded (services/documents.py), checked against the plan and sent as the submit Update,
    with the contact address as the actor."""
    fields = {key: value.strip() for key, value in values.items() if value.strip()}
    request = SubmitRequest(fields=fields, documents=documents or [], actor=provider.email)
    return await obligations.submit_checked(
        client, provider.org_nr, obligation, period, request, plans_dir
    )


# --- a new link on request ------------------------------------------------------------------


def _email_subject(email: str) -> str:
    # Counted by a digest: the limits table need not hold the addresses people typed.
    return "portal-email:" + hashlib.sha256(email.encode()).hexdigest()[:40]


async def link_requested(
    store: RecordStore, email: str, client_address: str, now: datetime
) -> list[str]:
    """The org nrs whose registered contact is `email` (any case), to each of which a new link
    goes; usually one, none for an unknown address. Every request counts against the client's
    address and the address asked for; TooManyRequests past either limit."""
    wanted = email.strip().lower()
    subjects = [f"portal-client:{client_address[:80]}", _email_subject(wanted)]
    since = now - LINK_WINDOW
    limited = (
        await store.login_failures_since(subjects[0], since) >= MAX_LINKS_PER_CLIENT
        or await store.login_failures_since(subjects[1], since) >= MAX_LINKS_PER_EMAIL
    )
    await store.add_login_failure(subjects, now, since)
    if limited:
        raise TooManyRequests
    if not wanted or "@" not in wanted:
        return []
    rows = await store.list_provider_contracts(None, None, None)
    return [r.provider.org_nr for r in rows if r.provider.email.strip().lower() == wanted]
