"""The mail activity: render, write to the outbox, send once.

The outbox row is keyed by the request's idempotency key and gets a stable Message-ID, so a
retried activity (or a worker that crashed after SMTP accepted the message but before we marked it
sent) re-sends at most the same message with the same Message-ID, which receiving systems
deduplicate; a row already marked sent is never sent again.
"""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

import aiosmtplib
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.rendering import Renderer
from models.mailsafe import check_email
from models.messages import MailRequest, MailResult
from models.plan import PROVIDER_ROLE
from models.settings import Settings
from models.store import OutboxEntry, RecordStore

PERMANENT_FAILURE = "PermanentMailFailure"


def message_id_for(key: str, domain: str) -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _attach(message: EmailMessage, attachment: dict[str, Any]) -> None:
    """A text attachment as the outbox holds it, e.g. `text/calendar; method=REQUEST`."""
    kind, *params = (p.strip() for p in attachment["content_type"].split(";"))
    maintype, _, subtype = kind.partition("/")
    if maintype != "text":
        raise ApplicationError(
            f"attachment {attachment['filename']}: only text attachments are supported",
            non_retryable=True,
            type=PERMANENT_FAILURE,
        )
    extra = dict(p.split("=", 1) for p in params if "=" in p)
    extra.pop("charset", None)
    message.add_attachment(
        attachment["content"],
        subtype=subtype,
        filename=attachment["filename"],
        params=extra,
    )


class MailActivities:
    def __init__(self, settings: Settings, store: RecordStore, renderer: Renderer) -> None:
        self._settings = settings
        self._store = store
        self._renderer = renderer

    async def _recipients(self, request: MailRequest) -> list[str]:
        found: list[str] = []
        for role in request.to_roles:
            if role == PROVIDER_ROLE:
                # Read at send time so a changed contact address applies to every later e-mail.
                address = await self._store.provider_email(request.org_nr)
                if not address:
                    raise ApplicationError(
                        f"no e-mail address on record for provider {request.org_nr}",
                        non_retryable=True,
                        type=PERMANENT_FAILURE,
                    )
            else:
                address = request.roles[role].email
            try:
                # Checked again here, not only at the model boundary: the records database may
                # have been written by other means, and one bad address must not add a header
                # or a recipient (models.mailsafe).
                check_email(address)
            except ValueError as err:
                raise ApplicationError(
                    f"recipient for role {role} of {request.org_nr} refused: {err}",
                    non_retryable=True,
                    type=PERMANENT_FAILURE,
                ) from None
            if address not in found:
                found.append(address)
        return found

    @activity.defn
    async def send_mail(self, request: MailRequest) -> MailResult:
        recipients = await self._recipients(request)
        subject, body = self._renderer.render(
            request.language, request.template, request.context, request.time_zone
        )
        entry = await self._store.claim_outbox(
            request.key,
            message_id_for(request.key, self._settings.mail_domain),
            request.kind,
            request.org_nr,
            request.workflow_id,
            request.obligation,
            request.period,
            recipients,
            subject,
            body,
            request.at,
            [a.model_dump() for a in request.attachments],
        )
        if entry.status == "sent":
            return MailResult(
                message_id=entry.message_id, recipients=list(entry.recipients), already_sent=True
            )
        # Send what the outbox holds: a retry after a template edit still sends the first text.
        try:
            message = self._build(request, entry)
        except ValueError as err:
            # The email package refuses a header value with a line break: never retried,
            # never sent, and the outbox says why.
            await self._store.mark_failed(request.key, f"message refused: {err}")
            raise ApplicationError(
                f"e-mail {request.key} refused: {err}", non_retryable=True, type=PERMANENT_FAILURE
            ) from None
        await self._deliver(request.key, message, list(entry.recipients))
        await self._store.mark_sent(request.key, request.at)
        return MailResult(
            message_id=entry.message_id, recipients=list(entry.recipients), already_sent=False
        )

    def _build(self, request: MailRequest, entry: OutboxEntry) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._settings.mail_from
        message["To"] = ", ".join(entry.recipients)
        message["Subject"] = entry.subject
        message["Date"] = format_datetime(request.at)
        message["Message-ID"] = entry.message_id
        message["X-Lov-Kind"] = request.kind
        message["X-Lov-Org-Nr"] = request.org_nr
        message["X-Lov-Workflow"] = request.workflow_id
        if request.obligation:
            message["X-Lov-Obligation"] = request.obligation
        if request.period:
            message["X-Lov-Period"] = request.period
        message.set_content(entry.body)
        for attachment in entry.attachments or []:
            _attach(message, attachment)
        return message

    async def _deliver(self, key: str, message: EmailMessage, recipients: list[str]) -> None:
        s = self._settings
        try:
            await aiosmtplib.send(
                message,
                # The envelope is the checked recipient list, never re-read from the headers.
                sender=parseaddr(s.mail_from)[1] or None,
                recipients=recipients,
                hostname=s.smtp_host or "127.0.0.1",
                port=s.smtp_port,
                start_tls=s.smtp_starttls,
                use_tls=s.smtp_use_tls,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                cert_bundle=str(s.smtp_tls_ca_cert) if s.smtp_tls_ca_cert else None,
                timeout=s.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as err:
            await self._store.mark_failed(key, f"recipients refused: {err.recipients}")
            raise ApplicationError(
                f"recipient refused by the mail server: {err}",
                non_retryable=True,
                type=PERMANENT_FAILURE,
            ) from err
        except aiosmtplib.SMTPResponseException as err:
            await self._store.mark_failed(key, f"{err.code} {err.message}")
            if 500 <= err.code < 600:
                raise ApplicationError(
                    f"mail server refused the message: {err.code} {err.message}",
                    non_retryable=True,
                    type=PERMANENT_FAILURE,
                ) from err
            raise
        except (aiosmtplib.SMTPException, OSError) as err:
            # Transient: the activity's retry policy backs off and tries again.
            await self._store.mark_failed(key, f"{type(err).__name__}: {err}")
            raise
