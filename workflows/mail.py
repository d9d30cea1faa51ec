"""The e-mails workflows send: one `send_mail` activity per e-mail, keyed by the workflow's id
(workflows/office_hours.py HeldMail sends it, at once or in office hours)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.messages.mail import MailAttachment, MailRequest
    from models.plans.schema import Role


class Addressee(Protocol):
    """Whose e-mail it is: the provider's org nr, and the plan's roles (whom `to_roles` name) and
    language. The inputs of the workflows a contract starts, and recovery's, carry all three."""

    @property
    def org_nr(self) -> str: ...

    @property
    def language(self) -> str: ...

    @property
    def roles(self) -> dict[str, Role]: ...


class PlanAddressing(Protocol):
    """A plan as e-mails need it: its language and roles."""

    @property
    def language(self) -> str: ...

    @property
    def roles(self) -> dict[str, Role]: ...


@dataclass(frozen=True)
class ProviderUnderPlan:
    """The addressee of a workflow that holds its plan apart from its provider (application,
    placement, contract)."""

    org_nr: str
    language: str
    roles: dict[str, Role]


def provider_under(plan: PlanAddressing, org_nr: str) -> Addressee:
    return ProviderUnderPlan(org_nr=org_nr, language=plan.language, roles=plan.roles)


def mail_request(
    key: str,
    template: str,
    to_roles: list[str],
    *,
    to: Addressee,
    time_zone: str,
    context: dict[str, Any],
    kind: str | None = None,
    obligation: str | None = None,
    period: str | None = None,
    attachments: list[MailAttachment] | None = None,
) -> MailRequest:
    """The e-mail `template` to `to_roles`, under "<workflow id>:<key>" (the same key is never
    sent twice); `kind` defaults to the template. Built when called, so the e-mail says what
    the state is now, however late it goes out (workflows/office_hours.py dates a held one
    when it goes)."""
    wid = workflow.info().workflow_id
    return MailRequest(
        key=f"{wid}:{key}",
        kind=kind or template,
        template=template,
        language=to.language,
        to_roles=to_roles,
        roles=to.roles,
        org_nr=to.org_nr,
        workflow_id=wid,
        obligation=obligation,
        period=period,
        at=workflow.now(),
        time_zone=time_zone,
        context=context,
        attachments=attachments or [],
    )
