"""SmtpRelay (activities/smtp.py): connections kept between messages, against real aiosmtpd
servers. Reused while healthy; a connection that failed is never reused; one the relay closed
while it waited is replaced and the message still goes out, once. No answer after the content
went out is `UncertainDelivery`, never resent on another connection; no answer before it is an
ordinary (transient) timeout."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from activities.smtp import PermanentMailError, SmtpRelay, UncertainDelivery, deliver
from models.runtime.settings import Settings
from tests.support.mail_faults import FaultyMail


class CountingMail(FaultyMail):
    """Counts connections (one EHLO each)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.connections = 0
        self._count_lock = threading.Lock()

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        with self._count_lock:
            self.connections += 1
        session.host_name = hostname
        return responses


@pytest.fixture
def mail() -> Iterator[CountingMail]:
    server = CountingMail(refuse={"finns-inte@omsorg.example"})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _relay(tmp_path: Path, mail: CountingMail) -> SmtpRelay:
    return SmtpRelay(Settings(var_dir=tmp_path, smtp_host=mail.host, smtp_port=mail.port))


def _message(n: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "lov-noreply@kommun.example"
    message["To"] = "kontakt@omsorg.example"
    message["Subject"] = f"Påminnelse {n}"
    message["Message-ID"] = f"<m{n}@kommun.example>"
    message.set_content(f"Meddelande {n}")
    return message


def _subjects(mail: CountingMail) -> list[str]:
    return [str(m["Subject"]) for m in mail.messages]


async def test_messages_share_one_connection(tmp_path: Path, mail: CountingMail) -> None:
    relay = _relay(tmp_path, mail)
    for n in range(5):
        assert await deliver(relay, _message(n), ["kontakt@omsorg.example"]) == {}
    assert _subjects(mail) == [f"Påminnelse {n}" for n in range(5)]
    assert mail.connections == 1


async def test_a_refused_message_closes_its_connection(tmp_path: Path, mail: CountingMail) -> None:
    relay = _relay(tmp_path, mail)
    await deliver(relay, _message(1), ["kontakt@omsorg.example"])
    with pytest.raises(PermanentMailError):
        await deliver(relay, _message(2), ["finns-inte@omsorg.example"])
    await deliver(relay, _message(3), ["kontakt@omsorg.example"])
    assert _subjects(mail) == ["Påminnelse 1", "Påminnelse 3"]
    assert mail.connections == 2  # the refusal's connection was not reused


async def test_a_connection_the_relay_dropped_is_replaced(
    tmp_path: Path, mail: CountingMail
) -> None:
    relay = _relay(tmp_path, mail)
    await deliver(relay, _message(1), ["kontakt@omsorg.example"])
    mail.stop()  # a restart of the relay drops the kept connection
    mail.start()
    await deliver(relay, _message(2), ["kontakt@omsorg.example"])
    assert _subjects(mail) == ["Påminnelse 1", "Påminnelse 2"]  # once each
    assert mail.connections == 2


async def test_a_relay_that_is_down_fails_the_send(tmp_path: Path, mail: CountingMail) -> None:
    relay = _relay(tmp_path, mail)
    await deliver(relay, _message(1), ["kontakt@omsorg.example"])
    mail.stop()
    with pytest.raises((aiosmtplib.SMTPException, OSError)):
        await deliver(relay, _message(2), ["kontakt@omsorg.example"])
    mail.start()
    await deliver(relay, _message(3), ["kontakt@omsorg.example"])
    assert _subjects(mail) == ["Påminnelse 1", "Påminnelse 3"]


TIMEOUT = 0.3


def _slow_relay(tmp_path: Path, mail: CountingMail) -> SmtpRelay:
    return SmtpRelay(
        Settings(
            var_dir=tmp_path,
            smtp_host=mail.host,
            smtp_port=mail.port,
            smtp_timeout_seconds=TIMEOUT,
        )
    )


async def test_no_answer_after_the_content_is_uncertain_and_not_resent(tmp_path: Path) -> None:
    async def scan_slowly(message: EmailMessage) -> None:
        if message["Subject"] == "Påminnelse 2":
            await asyncio.sleep(TIMEOUT * 4)

    mail = CountingMail(on_data=scan_slowly)
    mail.start()
    try:
        relay = _slow_relay(tmp_path, mail)
        await deliver(relay, _message(1), ["kontakt@omsorg.example"])  # a kept connection
        with pytest.raises(UncertainDelivery, match="Timeout"):
            await deliver(relay, _message(2), ["kontakt@omsorg.example"])
        await asyncio.sleep(TIMEOUT * 4)  # the relay answers, to nobody
        # The relay got it once: not sent again over a new connection.
        assert _subjects(mail) == ["Påminnelse 1", "Påminnelse 2"]
        await deliver(relay, _message(3), ["kontakt@omsorg.example"])
        assert mail.connections == 2  # the timed-out connection was not reused
    finally:
        mail.stop()


async def test_no_answer_before_the_content_is_an_ordinary_timeout(tmp_path: Path) -> None:
    def slow_recipient(address: str) -> None:
        if address == "langsam@omsorg.example":
            time.sleep(TIMEOUT * 4)  # blocks the server: no answer to RCPT in time

    mail = CountingMail(on_rcpt=slow_recipient)
    mail.start()
    try:
        relay = _slow_relay(tmp_path, mail)
        with pytest.raises(aiosmtplib.SMTPTimeoutError):
            await deliver(relay, _message(1), ["langsam@omsorg.example"])
        await asyncio.sleep(TIMEOUT * 4)  # the server is itself again
        await deliver(relay, _message(2), ["kontakt@omsorg.example"])
        assert _subjects(mail) == ["Påminnelse 2"]
    finally:
        mail.stop()
