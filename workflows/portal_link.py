"""The portal's "send me a new link" e-mail (services/portal_mail.py starts it by type name).

No long-running workflow asks for this e-mail: the provider asks for it on the portal's page.
The web process does not send it itself (services never run activities, issue 20 point 3); it
starts this one-step workflow, whose worker sends it through the same `send_mail` activity as
every other e-mail: the same outbox row and Message-ID, the same recipient rule (the provider's
registered contact address, read at send time) and the same link. It is a reply to the person's
own action, so it goes at once, never held for office hours.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.mail import MailActivities
    from models.messages.mail import MailRequest, MailResult
    from workflows.common import FollowedPlan, call


@workflow.defn
class PortalLinkMailWorkflow:
    @workflow.init
    def __init__(self, inp: MailRequest) -> None:
        self._in = inp

    @workflow.run
    async def run(self, inp: MailRequest) -> MailResult | None:
        """The activity's answer (delivered or refused for good); None when the database refused
        the outbox row for good (reported to the administrator by `call`)."""
        return await call(MailActivities.send_mail, inp)

    def followed_plan(self) -> FollowedPlan:
        # A MailRequest names no plan, only its roles (whose administrator gets any notice).
        return getattr(self._in, "plan_id", None), self._in.roles
