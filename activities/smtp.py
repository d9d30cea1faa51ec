"""Building an outbox entry into a message and handing it to the SMTP server.

Failures come in two kinds, and the difference decides what happens next:
- transient (no connection, a timeout, a 4xx reply, a refused login): raised as they are; the
  activity's retry policy backs off and tries again, and the mail activity counts them towards
  an outage;
- permanent (every recipient refused with 5xx, the message refused with 5xx after its data,
  no valid address to send to, a header the email package refuses): raised as
  `PermanentMailError`; sending again would be refused again, so the mail activity records the
  failure and tells the administrator instead of retrying.
A 5xx to the login, the sender or the greeting is the relay's configuration, not the e-mail's
fault, and counts as transient: every e-mail would fail the same way until someone fixes it.

A third outcome is no answer at all: a timeout or a lost connection after the whole message
was handed to the relay (a slow content scan answers "250" after LOV_SMTP_TIMEOUT_SECONDS).
The relay may well have it, so it is raised as `UncertainDelivery` and must not be resent at
once like a failure before the data (that sent every e-mail eight times to such a relay); the
mail activity resends it later, a bounded number of times (activities/mail.py).
"""

from __future__ import annotations

import hashlib
import ssl
import time
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

import aiosmtplib
from aiosmtplib.typing import Default

from models.records.store import OutboxEntry
from models.runtime.certificates import ca_context
from models.runtime.settings import Settings


def message_id_for(key: str, domain: str) -> str:
    """The Message-ID of the e-mail under outbox key `key`: the same on every attempt."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def accepted_step(key: str) -> str:
    """The progress step (activities/heartbeat.py) "the SMTP server accepted the e-mail under
    outbox key `key`": once done, a retry records the e-mail as sent and never sends it again."""
    return f"smtp-accepted:{key}"


class PermanentMailError(Exception):
    """The server refused the message (or some recipients) for good."""

    def __init__(self, error: str, refused: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.refused = refused or []


class UncertainDelivery(Exception):
    """The whole message went to the relay, and then no answer came (a timeout or a lost
    connection): it may have been accepted or not."""


def _attach(message: EmailMessage, attachment: dict[str, Any]) -> None:
    """A text attachment as the outbox holds it, e.g. `text/calendar; method=REQUEST`."""
    kind, *params = (p.strip() for p in attachment["content_type"].split(";"))
    maintype, _, subtype = kind.partition("/")
    if maintype != "text":
        raise PermanentMailError(
            f"attachment {attachment['filename']}: only text attachments are supported"
        )
    extra = dict(p.split("=", 1) for p in params if "=" in p)
    extra.pop("charset", None)
    message.add_attachment(
        attachment["content"],
        subtype=subtype,
        filename=attachment["filename"],
        params=extra,
    )


def build_message(
    settings: Settings, entry: OutboxEntry, date: Any, headers: dict[str, str | None]
) -> EmailMessage:
    """The e-mail exactly as the outbox holds it: a retry sends the first text and Message-ID.

    A header value the email package refuses (a line break in it) is a permanent failure: the
    same outbox row would be refused on every retry.
    """
    message = EmailMessage()
    try:
        message["From"] = settings.mail_from
        message["To"] = ", ".join(entry.recipients)
        message["Subject"] = entry.subject
        message["Date"] = format_datetime(date)
        message["Message-ID"] = entry.message_id
        for name, value in headers.items():
            if value:
                message[name] = value
    except ValueError as err:
        raise PermanentMailError(f"message refused: {err}") from None
    message.set_content(entry.body)
    for attachment in entry.attachments or []:
        _attach(message, attachment)
    return message


# CPython 3.11 folds a long non-ASCII header into adjacent encoded words and loses (or doubles)
# the space between them: "træffes afgørelse" arrives as "træffesafgørelse". Unfolded headers
# keep the text exact; a subject is far below SMTP's 998-character line limit.
_WIRE = policy.SMTP.clone(max_line_length=None)


def flatten(message: EmailMessage) -> bytes:
    """The message as sent on the wire."""
    return message.as_bytes(policy=_WIRE)


def _permanent(code: int) -> bool:
    return 500 <= code < 600


class _Client(aiosmtplib.SMTP):
    """A connection that knows whether a message's content has been handed to the relay.

    aiosmtplib sends "DATA", waits for "354", writes the content and waits for the answer in
    one call, and raises the same timeout for either wait. The difference decides whether a
    resend can duplicate the message, so the connection's writes are watched during that call:
    anything written after "DATA" is the content.
    """

    content_sent = False

    async def data(
        self, message: str | bytes, /, *, timeout: float | Default | None = Default.token
    ) -> aiosmtplib.SMTPResponse:
        protocol = self.protocol
        if protocol is None:
            return await super().data(message, timeout=timeout)
        write = protocol.write
        after_data_command = False

        def watched(data: bytes) -> None:
            nonlocal after_data_command
            if after_data_command:
                self.content_sent = True  # before the write: it may fail half-way
            write(data)
            after_data_command = after_data_command or data == b"DATA\r\n"

        protocol.write = watched  # type: ignore[method-assign]
        try:
            return await super().data(message, timeout=timeout)
        finally:
            del protocol.write  # the class's method again


class SmtpRelay:
    """The relay, with connections kept open between messages.

    A new connection per message costs a TCP handshake, the greeting, EHLO (and STARTTLS and
    the login, where configured) and QUIT: three times the CPU of the message itself, on both
    sides (docs/PERFORMANCE.md). Here a message takes an idle connection if one is open, or
    opens one, and gives it back when the server has answered; concurrent sends each have
    their own. A connection that failed in any way is closed, never reused. One kept idle
    longer than `IDLE_SECONDS`, or that the relay closed meanwhile, is replaced: if a kept
    connection turns out dead before the message's content went out, the message goes once
    more over a new one. A timeout or a lost connection after the content went out is
    `UncertainDelivery`, whichever connection it was.
    """

    IDLE_SECONDS = 30.0
    MAX_IDLE = 8

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._idle: list[tuple[float, _Client]] = []
        self._tls_context: ssl.SSLContext | None = None

    @property
    def sender(self) -> str:
        """The envelope sender: the address in LOV_MAIL_FROM."""
        address = parseaddr(self._settings.mail_from)[1]
        if not address:
            # Transient on purpose: the configuration is wrong for every e-mail until fixed.
            raise ValueError(f"mail_from: no address in {self._settings.mail_from!r}")
        return address

    def _ca(self) -> ssl.SSLContext | None:
        """The context trusting LOV_SMTP_TLS_CA_CERT, its file read bounded (checked at start-up
        by models.runtime.settings; ssl's own `cafile` would read a device until the worker
        died)."""
        path = self._settings.smtp_tls_ca_cert
        if path is not None and self._tls_context is None:
            self._tls_context = ca_context(path, "LOV_SMTP_TLS_CA_CERT")
        return self._tls_context

    def _new(self) -> _Client:
        s = self._settings
        return _Client(
            hostname=s.smtp_host or "127.0.0.1",
            port=s.smtp_port,
            start_tls=s.smtp_starttls,
            use_tls=s.smtp_use_tls,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            tls_context=self._ca(),
            timeout=s.smtp_timeout_seconds,
        )

    async def _connected(self) -> _Client:
        client = self._new()
        try:
            await client.connect()
        except BaseException:
            client.close()
            raise
        return client

    def _take_idle(self) -> _Client | None:
        now = time.monotonic()
        while self._idle:
            since, client = self._idle.pop()
            if client.is_connected and now - since < self.IDLE_SECONDS:
                return client
            client.close()
        return None

    async def sendmail(self, recipients: list[str], data: bytes) -> dict[str, Any]:
        """Send `data` to `recipients`; the server's refusals of single recipients."""
        client = self._take_idle()
        if client is not None:
            try:
                refused = await self._send(client, recipients, data)
            except (aiosmtplib.SMTPServerDisconnected, ConnectionError):
                client.close()  # dead while it waited: once more, on a new connection
            except BaseException:
                client.close()
                raise
            else:
                self._give_back(client)
                return refused
        client = await self._connected()
        try:
            refused = await self._send(client, recipients, data)
        except BaseException:
            client.close()
            raise
        self._give_back(client)
        return refused

    async def _send(self, client: _Client, recipients: list[str], data: bytes) -> dict[str, Any]:
        client.content_sent = False
        try:
            refused, _ = await client.sendmail(self.sender, recipients, data)
        except OSError as err:  # timeouts and lost connections (aiosmtplib's too)
            if client.content_sent:
                raise UncertainDelivery(f"{type(err).__name__}: {err}") from err
            raise
        return dict(refused)

    def _give_back(self, client: _Client) -> None:
        if len(self._idle) < self.MAX_IDLE:
            self._idle.append((time.monotonic(), client))
        else:
            client.close()


async def deliver(relay: SmtpRelay, message: EmailMessage, recipients: list[str]) -> dict[str, str]:
    """Send `message` to `recipients` (the envelope: the outbox's list, never re-read from the
    headers); returns the recipients the server refused, with its reply, while accepting the
    message for the others."""
    try:
        refused = await relay.sendmail(recipients, flatten(message))
    except aiosmtplib.SMTPRecipientsRefused as err:
        codes = [e.code for e in err.recipients]
        if codes and all(_permanent(c) for c in codes):
            raise PermanentMailError(
                "; ".join(f"{e.recipient}: {e.code} {e.message}" for e in err.recipients),
                [e.recipient for e in err.recipients],
            ) from err
        raise  # e.g. 450 greylisting: try again later
    except aiosmtplib.SMTPDataError as err:
        # Refused after the content was sent (too large, rejected as spam): this message only.
        if _permanent(err.code):
            raise PermanentMailError(f"{err.code} {err.message}") from err
        raise
    # Anything else, 5xx included, is left to the retry policy: a refused login (535), a
    # refused sender (MAIL FROM) or greeting is the relay's configuration, not this e-mail, and
    # affects every e-mail until it is fixed; failing them for good would lose them all. It
    # counts towards an outage instead.
    # Accepted for some recipients and refused for others: the message is out, so it is not
    # sent again (that would duplicate it for those who got it); the refusals are reported.
    return {rcpt: f"{r.code} {r.message}" for rcpt, r in sorted(refused.items())}
