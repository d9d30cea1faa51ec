"""E-mail requests to the mail activity and its answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from models.messages.common import Message
from models.plans.schema import Role


class MailAttachment(Message):
    filename: str
    content_type: str  # "text/calendar; method=REQUEST"
    content: str


class MailRequest(Message):
    """One e-mail, identified by `key`: the same key is never sent twice."""

    key: str
    kind: str
    template: str
    language: str
    to_roles: list[str]
    roles: dict[str, Role]
    org_nr: str
    workflow_id: str
    obligation: str | None = None
    period: str | None = None
    at: datetime
    time_zone: str = "Europe/Stockholm"
    context: dict[str, Any] = Field(default_factory=dict)
    # Added with the meeting invitations (.ics); kept in the outbox with the text.
    attachments: list[MailAttachment] = Field(default_factory=list)


class MailResult(Message):
    message_id: str
    recipients: list[str]
    already_sent: bool
    # False when the server refused the e-mail for good: recorded in mail_failures and
    # reported to the administrator; the workflow carries on.
    delivered: bool = True
    failure: str | None = None
    # With delivered False: sent 1 + LOV_SMTP_UNCERTAIN_RESENDS times and never answered, so
    # it may have arrived after all; reported to the administrator as such.
    uncertain: bool = False


# The outbox key of the staff's copy of an e-mail that carries the provider's portal link
# (activities/mail.py): the link goes to the provider's address only, so municipal staff named
# in the same request get a message of their own, without it. Derived from the request's key,
# so every attempt of the activity claims the same row and Message-ID.
STAFF_COPY_SUFFIX = ":staff-copy"


def staff_copy_key(key: str) -> str:
    return f"{key}{STAFF_COPY_SUFFIX}"


def request_key(outbox_key: str) -> str:
    """The key of the request (and of its `send_mail` activity) an outbox row was sent for."""
    return outbox_key.removesuffix(STAFF_COPY_SUFFIX)
