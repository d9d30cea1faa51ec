"""The SMTP sink of `lov serve`: every message as a complete .eml file under var/mail."""

from __future__ import annotations

import email
import logging
import socket
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from starter.mailsink import MailSink, eml_filename
from tests.support.helpers import eventually, free_port


def _message(subject: str, message_id: str | None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "LOV-uppföljning <lov@kommun.example>"
    message["To"] = "kontakt@omsorg.example"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content("Hej!\n\nÅrsredovisningen för 2027 ska lämnas senast 1 juli.\n")
    return message


def test_filename_sorts_by_time_and_is_safe_for_any_message_id() -> None:
    at = datetime(2027, 4, 12, 8, 15, 0, 123456, tzinfo=UTC)
    assert eml_filename(at, "<abc.123@lovflow.invalid>") == (
        "20270412T081500.123456Z-abc.123_lovflow.invalid.eml"
    )
    hostile = eml_filename(at, "<../../etc/passwd\x00 x@y>")
    assert "/" not in hostile and "\x00" not in hostile and not hostile.startswith(".")
    assert eml_filename(at, None).startswith("20270412T081500.123456Z-utan-id-")
    assert eml_filename(at, None) != eml_filename(at, None)  # no id: still unique


async def test_sink_stores_each_message_and_logs_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = tmp_path / "mail"
    port = free_port()
    caplog.set_level(logging.INFO, logger="lovflow.mail")
    with MailSink(directory, "127.0.0.1", port) as sink:
        await aiosmtplib.send(_message("Påminnelse T1", "<m1@lovflow.invalid>"), port=port)
        await aiosmtplib.send(_message("Påminnelse T2", None), port=port)

        async def two() -> list[Path]:
            assert len(sink.messages()) == 2
            return sink.messages()

        files = await eventually(two)

    parsed = [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]
    assert sorted(str(m["Subject"]) for m in parsed) == ["Påminnelse T1", "Påminnelse T2"]
    assert any("m1_lovflow.invalid" in path.name for path in files)
    assert all("Årsredovisningen" in m.get_body().get_content() for m in parsed)  # type: ignore[union-attr]
    assert not list(directory.glob("*.tmp"))
    lines = [r.getMessage() for r in caplog.records if r.name == "lovflow.mail"]
    assert len(lines) == 2
    assert "lov@kommun.example" in lines[0] and "kontakt@omsorg.example" in lines[0]
    assert any("Påminnelse T1" in line for line in lines)


def test_sink_stops_listening_and_refuses_a_taken_port(tmp_path: Path) -> None:
    port = free_port()
    sink = MailSink(tmp_path, "127.0.0.1", port)
    sink.start()
    try:
        with pytest.raises(OSError):
            MailSink(tmp_path, "127.0.0.1", port).start()
    finally:
        sink.stop()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


async def test_messages_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    """The messages hold names and e-mail addresses: 0600 in a 0700 folder, whatever the umask
    (here the common 022, under which plain writes were 0644)."""
    import os

    directory = tmp_path / "mail"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)  # as an older version left it
    port = free_port()
    old_umask = os.umask(0o022)
    try:
        with MailSink(directory, "127.0.0.1", port) as sink:
            await aiosmtplib.send(_message("Påminnelse T1", "<m1@lovflow.invalid>"), port=port)

            async def one() -> Path:
                (path,) = sink.messages()
                return path

            stored = await eventually(one)
    finally:
        os.umask(old_umask)
    assert stored.read_bytes().count(b"Subject:") == 1
    assert stored.stat().st_mode & 0o777 == 0o600
    assert directory.stat().st_mode & 0o777 == 0o700
