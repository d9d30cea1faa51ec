"""A new portal link, e-mailed on request (the portal's "send me a link" page).

The web process does not send it: services never run activities (issue 20, point 3). It builds
the e-mail's request here and starts the one-step workflow that sends it by type name
(workflows/portal_link.py), whose worker sends it through the mail activity like every other
e-mail: the same outbox row and Message-ID, the same recipient rule (the provider's registered
contact address, read at send time: never an address someone typed) and the same link, and a
refused address is recorded and reported to the administrator like any other. A reply to the
person's own action, so it goes at once (no office-hours hold).
"""

from __future__ import annotations

from datetime import datetime

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from models.domain.provider_id import ProviderIds
from models.ids import portal_link_workflow_id
from models.messages.mail import MailRequest
from models.plans.loader import PlanError, load_plan
from models.plans.schema import PROVIDER_ROLE
from models.records.store import RecordStore
from models.runtime.settings import Settings

TEMPLATE = "portal-link"
# The workflow type name (workflows/portal_link.py: `@workflow.defn class PortalLinkMailWorkflow`).
WORKFLOW_TYPE = "PortalLinkMailWorkflow"


async def link_request(
    settings: Settings, store: RecordStore, org_nr: str, now: datetime
) -> MailRequest | None:
    """The e-mail with a new link to the provider's contact; None (nothing to send) for a
    provider without a contract whose plan can be read here, unless it is an applicant whose
    application waits for a komplettering (it answers that in the portal): else it has nothing
    to answer there."""
    provider = await store.get_provider(org_nr)
    if provider is None:
        return None
    found = await _followed(store, org_nr)
    if found is None:
        return None
    plan_id, workflow_id = found
    try:
        plan = load_plan(plan_id, settings.plans_dir)
    except (PlanError, OSError):
        return None
    admin = plan.roles[plan.administrator_role]
    return MailRequest(
        key=f"portal-link:{workflow_id}:{now.isoformat()}",
        kind=TEMPLATE,
        template=TEMPLATE,
        language=plan.language,
        to_roles=[PROVIDER_ROLE],
        roles=plan.roles,
        org_nr=org_nr,
        workflow_id=workflow_id,
        at=now,
        time_zone=plan.time_zone,
        context={
            "provider_name": provider.name,
            "org_nr": org_nr,
            "admin_title": admin.title,
            "admin_email": admin.email,
            "link_days": settings.portal_link_days,
        },
    )


async def _followed(store: RecordStore, org_nr: str) -> tuple[str, str] | None:
    """The plan and workflow the link's e-mail goes under: the provider's latest contract, or
    an applicant's application that waits for its komplettering."""
    contracts = await store.contracts_of(org_nr)
    if contracts:
        return contracts[-1].plan_id, contracts[-1].workflow_id
    for application in await store.list_applications(org_nr, status="completion_requested"):
        plan_id = application.data.get("plan_id")
        if isinstance(plan_id, str):
            return plan_id, application.application_id
    return None


async def send_link(
    client: Client,
    settings: Settings,
    store: RecordStore,
    ids: ProviderIds,
    org_nr: str,
    now: datetime,
) -> str | None:
    """Start the workflow that e-mails the provider's contact a new link; its workflow id, or
    None when there is nothing to send. The id names a sole trader by its opaque key (never the
    personnummer: ProviderIdError when no key is configured) and the second asked in; the same
    id is never run twice, so a form sent twice in one second sends one e-mail."""
    request = await link_request(settings, store, org_nr, now)
    if request is None:
        return None
    wid = portal_link_workflow_id(org_nr, now, ids.ref(org_nr))
    try:
        await client.start_workflow(
            WORKFLOW_TYPE,
            request,
            id=wid,
            task_queue=settings.temporal_task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        )
    except WorkflowAlreadyStartedError:
        pass  # already asked for in this second: that workflow sends it
    return wid
