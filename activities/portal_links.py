"""The provider's personal portal link, put into every e-mail that asks the provider to act.

Made here, in the mail activity, when the text is rendered: the workflows pass no link (their
messages and histories are unchanged), and the link is signed for the contact address the
e-mail goes to, read in the same transaction as the recipients. The templates show it as
`portal_link` where it is given (`{% if portal_link is defined and portal_link %}`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from models.domain.portal_token import link_for
from models.domain.provider_id import ProviderIds
from models.messages.mail import MailRequest
from models.plans.schema import PROVIDER_ROLE
from models.runtime.settings import InvalidSetting, Settings
from models.runtime.web_secret import web_secret

log = logging.getLogger(__name__)

# Templates of e-mails that ask the provider to do something the portal lets it do.
PORTAL_TEMPLATES = frozenset(
    {
        "reminder",
        "overdue",
        "pafpekande",
        "samarbejdsprocedure",
        "anden-paamindelse",
        "escalation",
        "completion-request",
        "recovery-notice",
        "portal-link",
        # a finding (brist): respond to the notice, send the åtgärdsplan
        "finding-notice",
        "finding-action-plan-request",
        "finding-action-plan-reminder",
        "finding-action-plan-late",
        # kundval: report the genomförandeplan as established
        "placement-new",
        "care-plan-reminder",
        # an applicant: send the komplettering asked for
        "application-completion-request",
        "application-completion-reminder",
    }
)


class PortalLinks:
    """Signs links with the web desk's secret and names providers as the desk does; both read
    once per worker, at the first e-mail that needs them."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._secret: str | None = None
        self._ids: ProviderIds | None = None
        self._warned = False

    def wanted(self, request: MailRequest) -> bool:
        """An e-mail to the provider that asks it to act: one of PORTAL_TEMPLATES, or a step of
        the plan's escalation ladder (any kind: a plan names its own, e.g. vite)."""
        asks = request.template in PORTAL_TEMPLATES or "escalation" in request.context
        return asks and PROVIDER_ROLE in request.to_roles

    def link(self, org_nr: str, contact: str) -> str | None:
        """The link, or None when no secret can be had here: the e-mail then goes without it
        (a reminder must never wait for a portal link)."""
        if self._secret is None:
            try:
                self._secret = web_secret(self._settings)
            except (OSError, InvalidSetting) as err:
                if not self._warned:
                    self._warned = True
                    log.error(
                        "No provider portal links in e-mails: the web secret cannot be read "
                        "or made (%s). Set LOV_WEB_SECRET_KEY on the workers as on the desk.",
                        err,
                    )
                return None
            self._ids = ProviderIds.from_settings(self._settings)
        assert self._ids is not None
        # Real time, not the workflow's: the portal checks the expiry by the clock.
        now = datetime.now(UTC)
        lifetime = timedelta(days=self._settings.portal_link_days)
        base = self._settings.portal_base
        return link_for(base, lifetime, self._ids, self._secret, org_nr, contact, now)
