"""A new portal link, e-mailed on request (the portal's "send me a link" page).

No workflow asks for this e-mail, so the web process sends it itself, through the same mail
activity code the worker runs (activities/mail.py), called as a plain method: the same outbox
row and Message-ID, the same recipient rule (the provider's registered contact address, read at
send time: never an address someone typed) and the same link (activities/portal_links.py), and
a refused address is recorded and reported to the administrator like any other.
"""

from __future__ import annotations

from datetime import datetime

from activities.mail import MailActivities
from activities.rendering import Renderer
from models.messages.mail import MailRequest
from models.plans.loader import PlanError, load_plan
from models.plans.schema import PROVIDER_ROLE
from models.records.store import RecordStore
from models.runtime.settings import Settings

TEMPLATE = "portal-link"


class LinkMailer:
    """One per web process: it keeps its SMTP connections like a worker's mail activity."""

    def __init__(self, settings: Settings, store: RecordStore) -> None:
        self._settings = settings
        self._store = store
        self._mail = MailActivities(settings, store, Renderer(settings.templates_dir))

    async def send(self, org_nr: str, now: datetime) -> bool:
        """A new link to the provider's contact; False (nothing sent) for a provider without a
        contract whose plan can be read here: it has nothing to answer in the portal."""
        provider = await self._store.get_provider(org_nr)
        contracts = await self._store.contracts_of(org_nr)
        if provider is None or not contracts:
            return False
        contract = contracts[-1]
        try:
            plan = load_plan(contract.plan_id, self._settings.plans_dir)
        except (PlanError, OSError):
            return False
        admin = plan.roles[plan.administrator_role]
        result = await self._mail.send_mail(
            MailRequest(
                key=f"portal-link:{contract.workflow_id}:{now.isoformat()}",
                kind=TEMPLATE,
                template=TEMPLATE,
                language=plan.language,
                to_roles=[PROVIDER_ROLE],
                roles=plan.roles,
                org_nr=org_nr,
                workflow_id=contract.workflow_id,
                at=now,
                time_zone=plan.time_zone,
                context={
                    "provider_name": provider.name,
                    "org_nr": org_nr,
                    "admin_title": admin.title,
                    "admin_email": admin.email,
                    "link_days": self._settings.portal_link_days,
                },
            )
        )
        return result.delivered
