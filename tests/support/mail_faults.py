"""An SMTP server (aiosmtpd, real sockets) that misbehaves on purpose, for the reliability tests.

It refuses chosen recipients with a permanent 550, runs hooks when a recipient is given (the
message is not complete yet) and when a message's data has arrived (before it answers), answers
one message at a time, and tells acknowledged deliveries from ones whose client was gone before
the "250 OK" could reach it: a real server delivers those too, and they are exactly the crash
window that no SMTP client can close (docs/RELIABILITY.md).
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from email.message import EmailMessage

from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support.helpers import ReceivedMail


class FaultyMail(ReceivedMail):
    def __init__(
        self,
        *,
        refuse: set[str] | None = None,
        on_rcpt: Callable[[str], None] | None = None,
        on_data: Callable[[EmailMessage], Awaitable[None] | None] | None = None,
        defer_once: set[str] | None = None,
    ) -> None:
        super().__init__()
        self.refuse = set(refuse or ())
        # Answered 451 (try again later) the first time each is given, accepted afterwards.
        self.defer_once = set(defer_once or ())
        self.on_rcpt = on_rcpt
        self.on_data = on_data
        self.rcpt_attempts: Counter[str] = Counter()
        self.unacknowledged: list[str] = []  # Message-IDs received but never answered
        self._faults_lock = threading.Lock()
        # One message at a time from "data complete" to the answer, so a hook that stops the
        # client acts on one known message (hooks run in the server's thread and may block).
        self._answering = asyncio.Lock()

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
        if self.on_rcpt is not None:
            self.on_rcpt(address)
        if address in self.refuse:
            return "550 5.1.1 Mottagaren finns inte (mailbox unavailable)"
        with self._faults_lock:
            deferred = address in self.defer_once
            self.defer_once.discard(address)
        if deferred:
            return "451 4.3.0 Försök igen senare (try again later)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        async with self._answering:
            # The message is complete: from here on a real server has it, whatever the client
            # does next, so it counts as delivered.
            reply = await super().handle_DATA(server, session, envelope)
            message = self.messages[-1]
            try:
                if self.on_data is not None:
                    result = self.on_data(message)
                    if inspect.isawaitable(result):
                        await result
                    # A hook may have stopped the client: let the loop see the closed socket.
                    await asyncio.sleep(0.05)
            except asyncio.CancelledError:
                # aiosmtpd cancels the session when the client hangs up: the client never got
                # the answer, though the message is here.
                with self._faults_lock:
                    self.unacknowledged.append(str(message["Message-ID"]))
                raise
            return reply

    def deliveries(self) -> Counter[str]:
        """How often each Message-ID was received."""
        with self._lock:
            return Counter(str(m["Message-ID"]) for m in self.messages)
