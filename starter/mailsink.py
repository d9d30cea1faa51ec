"""A local SMTP sink for the embedded default: every message lands as an .eml file.

Nothing is relayed, so a developer's `lov serve` can never mail a real provider; the files are the
record of what would have been sent and open in any mail client.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from datetime import UTC, datetime
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path
from types import TracebackType

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

log = logging.getLogger("lovflow.mail")

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def eml_filename(received: datetime, message_id: str | None) -> str:
    """`20270412T081500.123456Z-<message id>.eml`: sorts by arrival, names the message, and is
    safe as a file name whatever the Message-ID contains."""
    stamp = received.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    ident = _UNSAFE.sub("_", (message_id or "").strip().strip("<>")).strip("._")[:120]
    return f"{stamp}-{ident or 'utan-id-' + uuid.uuid4().hex[:12]}.eml"


class _StoreHandler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
        received = datetime.now(UTC)
        path = self.directory / eml_filename(received, headers.get("Message-ID"))
        # Write then rename, so a reader polling the directory never sees half a message.
        # 0600 in the open itself: the messages hold names and e-mail addresses.
        tmp = path.with_suffix(".eml.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # also for a .tmp left over by a crash
        with os.fdopen(fd, "wb") as file:
            file.write(raw)
        os.replace(tmp, path)
        log.info(
            "%s från %s till %s: %s",
            received.astimezone().isoformat(timespec="seconds"),
            envelope.mail_from,
            ", ".join(envelope.rcpt_tos),
            headers.get("Subject", ""),
        )
        return "250 Message accepted for delivery"


class MailSink:
    """SMTP server on `host:port` that stores each message under `directory`.

    Runs in its own thread (aiosmtpd's Controller), so it works beside any event loop.
    """

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 8025) -> None:
        self.directory = Path(directory)
        self.host = host
        self.port = port
        self._controller: Controller | None = None

    def start(self) -> None:
        if self._controller is not None:
            return
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.directory.chmod(0o700)
        controller = Controller(
            _StoreHandler(self.directory),
            hostname=self.host,
            port=self.port,
            # Provider names and addresses may be non-ASCII (å, ä, ö).
            enable_SMTPUTF8=True,
        )
        try:
            controller.start()  # raises OSError if the port is taken
        except BaseException:
            # The server thread is gone; release its loop so nothing lingers.
            controller.stop(no_assert=True)
            raise
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailSink:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def messages(self) -> list[Path]:
        """Stored messages, oldest first."""
        return sorted(self.directory.glob("*.eml"))

    def __repr__(self) -> str:
        return f"MailSink({str(self.directory)!r}, {self.host!r}, {self.port})"
