"""Small helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
import email
import random
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from email import policy
from email.message import EmailMessage
from typing import TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from models.domain.orgnr import OrgNrError, normalize_org_nr

T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def leave_time_wait(port: int = 0) -> int:
    """Leave a closed connection in TIME_WAIT on 127.0.0.1:`port` (0: any free port) with nothing
    listening, as a server that has just crashed or stopped leaves its port: the server side
    closes first, so its socket on the port waits out 2×MSL (a minute on Linux)."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen()
        port = int(listener.getsockname()[1])
        client = socket.create_connection(("127.0.0.1", port))
        served, _ = listener.accept()
        served.sendall(b"bye")
        served.close()  # active close: this end goes to TIME_WAIT
        assert client.recv(3) == b"bye"
        client.close()
    return port


def tcp_states(port: int) -> set[str]:
    """TCP states of the IPv4 sockets on local port `port`, from /proc/net/tcp."""
    names = {"01": "ESTABLISHED", "06": "TIME_WAIT", "0A": "LISTEN", "08": "CLOSE_WAIT"}
    found = set()
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port:
                found.add(names.get(fields[3], fields[3]))
    return found


async def eventually(
    check: Callable[[], Awaitable[T]], *, timeout: float = 10.0, interval: float = 0.1
) -> T:
    """Retry `check` until it returns without AssertionError (visibility in Temporal is
    eventually consistent); re-raise its last failure after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await check()
        except AssertionError:
            if time.monotonic() >= deadline:
                raise
        await asyncio.sleep(interval)


class ReceivedMail:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message in memory."""

    def __init__(self, port: int | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []  # (MAIL FROM, RCPT TO) per message
        self._lock = threading.Lock()
        self.running = False
        self._stopped = False
        self._controller = Controller(
            self, hostname=self.host, port=self.port, enable_SMTPUTF8=True
        )

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        message = email.message_from_bytes(raw, _class=EmailMessage, policy=policy.default)
        with self._lock:  # the server runs in its own thread
            self.messages.append(message)
            self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 OK"

    def start(self) -> None:
        # getattr: subclasses with their own __init__ (their own controller) skip ours.
        if getattr(self, "_stopped", False):
            # aiosmtpd closes a stopped controller's loop; a restart needs a new controller.
            self._controller = Controller(
                self, hostname=self.host, port=self.port, enable_SMTPUTF8=True
            )
        self._controller.start()
        self.running, self._stopped = True, False

    def stop(self) -> None:
        """Stop listening (an outage, when a test calls it); `start()` again to recover."""
        if getattr(self, "running", True):
            self._controller.stop()
            self.running, self._stopped = False, True

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.envelopes.clear()

    def take(self, match: Callable[[EmailMessage], bool]) -> tuple[EmailMessage, list[str]]:
        """Remove the first message `match` accepts; it and its recipients. AssertionError if
        none has arrived (yet)."""
        with self._lock:
            for i, message in enumerate(self.messages):
                if match(message):
                    rcpt = self.envelopes[i][1]
                    del self.messages[i], self.envelopes[i]
                    return message, rcpt
        raise AssertionError("no such e-mail received")

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until at least `count` messages have arrived; return them all."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"expected {count} e-mail(s) within {timeout}s, got {len(self.messages)}: "
                    f"{[m['Subject'] for m in self.messages]}"
                )
            await asyncio.sleep(0.05)
        with self._lock:
            return list(self.messages)


def _with_check_digit(nine: str) -> str:
    for check in range(10):
        try:
            return normalize_org_nr(f"{nine[:6]}-{nine[6:]}{check}")
        except OrgNrError:
            continue
    raise AssertionError("unreachable: one check digit always fits")


def random_org_nr() -> str:
    """A valid company org nr nobody else uses: workflow ids are global on the shared dev
    server. Third digit 2-9: 0/1 would be a sole trader's personnummer (docs/IDENTIFIERS.md)."""
    return _with_check_digit(f"55{random.randrange(2, 10)}{random.randrange(10**6):06d}")


# The CVR rule, stated here apart from models.domain.orgnr: weights 2,7,6,5,4,3,2,1 on the eight
# digits; the weighted sum is a multiple of 11.
CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def cvr_check_digit(seven: str) -> int | None:
    """The eighth digit that makes `seven` digits a valid CVR-nummer; None when it would be 10
    (no CVR-nummer starts with those seven digits)."""
    check = -sum(int(d) * w for d, w in zip(seven, CVR_WEIGHTS, strict=False)) % 11
    return None if check == 10 else check


def random_cvr() -> str:
    """A valid Danish CVR-nummer (8 digits) nobody else uses on the shared dev server."""
    while True:
        seven = f"{random.randrange(1, 10)}{random.randrange(10**6):06d}"
        check = cvr_check_digit(seven)
        if check is not None:
            return f"{seven}{check}"


def personal_org_nr(*, coordination: bool = False) -> str:
    """A valid sole trader's org nr (the owner's personnummer: born 1940–99) nobody else uses on
    the shared dev server; `coordination`: a samordningsnummer (day + 60)."""
    day = random.randint(1, 28) + (60 if coordination else 0)
    born = f"{random.randint(40, 99):02d}{random.randint(1, 12):02d}{day:02d}"
    return _with_check_digit(f"{born}{random.randrange(1000):03d}")
