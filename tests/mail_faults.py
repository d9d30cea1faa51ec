"""An SMTP server (aiosmtpd, real sockets) that misbehaves on purpose, for the reliability tests.

It refuses chosen recipients with a permanent 550, can run a hook when a message's data has
arrived (before it answers), can be slow to answer, and tells acknowledged deliveries from ones
whose client was gone before the "250 OK" could reach it: a real server delivers those too, and
they are exactly the crash window the outbox cannot close (docs/RELIABILITY.md).
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable
from email.message import EmailMessage

from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.helpers import ReceivedMail


class FaultyMail(ReceivedMail):
    def __init__(
        self,
        *,
        refuse: set[str] | None = None,
        on_data: Callable[[EmailMessage], None] | None = None,
        data_delay: float = 0.0,
    ) -> None:
        super().__init__()
        self.refuse = set(refuse or ())
        self.on_data = on_data
        self.data_delay = data_delay
        self.rcpt_attempts: Counter[str] = Counter()
        self.unacknowledged: list[str] = []  # Message-IDs received but never answered
        self.in_flight = 0  # messages received and not yet answered
        self._faults_lock = threading.Lock()

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        with self._faults_lock:
            self.rcpt_attempts[address] += 1
        if address in self.refuse:
            return "550 5.1.1 Mottagaren finns inte (mailbox unavailable)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        # The message is complete: from here on a real server has it, whatever the client does.
        reply = await super().handle_DATA(server, session, envelope)
        message = self.messages[-1]
        if self.on_data is not None:
            self.on_data(message)
        if self.data_delay:
            with self._faults_lock:
                self.in_flight += 1
            try:
                await asyncio.sleep(self.data_delay)
            finally:
                with self._faults_lock:
                    self.in_flight -= 1
        transport = server.transport
        if transport is None or transport.is_closing():
            with self._faults_lock:
                self.unacknowledged.append(str(message["Message-ID"]))
        return reply

    def deliveries(self) -> Counter[str]:
        """How often each Message-ID was received."""
        with self._lock:
            return Counter(str(m["Message-ID"]) for m in self.messages)
