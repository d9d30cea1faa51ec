"""The e-mails workflows send: one `send_mail` activity per e-mail, keyed by the workflow's id."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.mail import MailActivities
    from models.messages.mail import MailAttachment, MailRequest, MailResult
    from models.plans.schema import Role
    from workflows.common import call


def send_mail(
    key: str,
    template: str,
    to_roles: list[str],
    *,
    language: str,
    roles: dict[str, Role],
    org_nr: str,
    time_zone: str,
    context: dict[str, Any],
    kind: str | None = None,
    obligation: str | None = None,
    period: str | None = None,
    attachments: list[MailAttachment] | None = None,
) -> Coroutine[Any, Any, MailResult]:
    """The e-mail `template` to `to_roles`, under "<workflow id>:<key>" (the same key is never
    sent twice); `kind` defaults to the template. Built when called, so the e-mail says what
    the state is now, however late the caller awaits it."""
    wid = workflow.info().workflow_id
    return call(
        MailActivities.send_mail,
        MailRequest(
            key=f"{wid}:{key}",
            kind=kind or template,
            template=template,
            language=language,
            to_roles=to_roles,
            roles=roles,
            org_nr=org_nr,
            workflow_id=wid,
            obligation=obligation,
            period=period,
            at=workflow.now(),
            time_zone=time_zone,
            context=context,
            attachments=attachments or [],
        ),
    )
