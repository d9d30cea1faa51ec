"""No secret in `--help`, in settings' repr, or in what a worker logs (issue 7.6); and the SMTP
side of the connection settings works: STARTTLS with the municipality's CA and AUTH, against a
real aiosmtpd server with a certificate made here."""

from __future__ import annotations

import base64
import datetime as dt
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiosmtplib
import pytest
import typer
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from activities.mail import MailActivities
from activities.rendering import Renderer
from models.domain import provider_id
from models.messages.mail import MailRequest
from models.plans.schema import Role
from models.records.db import (
    InvalidDatabaseURL,
    make_engine,
    make_session_factory,
    parse_url,
    upgrade,
)
from models.records.store import RecordStore
from models.runtime.codec import new_key
from models.runtime.settings import PROJECT_ROOT, Settings
from starter.cli import app
from tests.support.certificates import self_signed_certificate
from tests.support.helpers import ReceivedMail, free_port

SMTP_PASSWORD = "smtp-Hemlis-4711"
API_KEY = "api-Hemlis-0815"
CODEC_KEY = new_key()
TOKEN = "token-Hemlis-2342"
DB_PASSWORD = "db-Hemlis-9999"
PROVIDER_KEY = provider_id.new_key()
SECRETS = [SMTP_PASSWORD, API_KEY, CODEC_KEY, TOKEN, DB_PASSWORD, PROVIDER_KEY]
SECRET_ENV = {
    "LOV_SMTP_PASSWORD": SMTP_PASSWORD,
    "LOV_SMTP_USERNAME": "lovflow",
    "LOV_TEMPORAL_API_KEY": API_KEY,
    "LOV_CODEC_KEYS": f'{{"2027-01": "{CODEC_KEY}"}}',
    "LOV_CODEC_SERVER_TOKEN": TOKEN,
    "LOV_PROVIDER_ID_KEY": PROVIDER_KEY,
}


def assert_no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{where} shows a secret"
    # The codec key also in its other common spelling.
    assert base64.b64decode(CODEC_KEY).hex() not in text, where


# --- --help -------------------------------------------------------------------------------------


def _command_paths(command: object, prefix: list[str]) -> Iterator[list[str]]:
    yield prefix
    commands = getattr(command, "commands", None)  # a group
    if commands:
        for name, sub in commands.items():
            yield from _command_paths(sub, [*prefix, name])


def test_no_help_text_shows_a_secret(tmp_path: Path) -> None:
    env = SECRET_ENV | {
        "LOV_DATABASE_URL": f"postgresql+asyncpg://lovflow:{DB_PASSWORD}@db/lovflow",
        "LOV_CONFIG": str(tmp_path / "none.toml"),
    }
    root = typer.main.get_command(app)
    paths = list(_command_paths(root, []))
    assert len(paths) > 30, "every command and group"
    runner = CliRunner()
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], env=env)
        assert result.exit_code == 0, (path, result.output)
        assert_no_secret(result.output, f"lov {' '.join(path)} --help")


# --- settings -----------------------------------------------------------------------------------


def test_settings_repr_and_redacted_hide_every_secret() -> None:
    settings = Settings(
        smtp_password=SecretStr(SMTP_PASSWORD),
        temporal_api_key=SecretStr(API_KEY),
        codec_keys={"2027-01": SecretStr(CODEC_KEY)},
        codec_server_token=SecretStr(TOKEN),
        provider_id_key=SecretStr(PROVIDER_KEY),
        database_url=f"postgresql+asyncpg://lovflow:{DB_PASSWORD}@db/lovflow",
    )
    for text in (repr(settings), str(settings), str(settings.redacted())):
        for secret in (SMTP_PASSWORD, API_KEY, CODEC_KEY, TOKEN, PROVIDER_KEY):
            assert secret not in text
    assert DB_PASSWORD not in str(settings.redacted())
    assert "db/lovflow" in str(settings.redacted())


def test_a_refused_setting_is_not_echoed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LOV_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("LOV_CODEC_KEYS", f"not json {CODEC_KEY}")
    with pytest.raises(Exception) as err:  # noqa: B017 - pydantic's SettingsError or ValidationError
        Settings()
    assert CODEC_KEY not in str(err.value)


def test_an_unparsable_database_url_is_not_echoed() -> None:
    with pytest.raises(InvalidDatabaseURL) as err:
        parse_url(f"postgresql+asyncpg://lovflow:{DB_PASSWORD}@db:notaport/lovflow")
    assert DB_PASSWORD not in str(err.value)


# --- what a worker logs -------------------------------------------------------------------------


def _worker(env: dict[str, str], *, stop_after: str | None) -> str:
    """`python worker.py` with `env`; stopped with SIGTERM once it has printed `stop_after`
    (or left to exit by itself). Returns everything it printed."""
    process = subprocess.Popen(
        [sys.executable, "worker.py"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    seen = ""
    try:
        if stop_after is not None:
            deadline = time.monotonic() + 60
            while stop_after not in seen and time.monotonic() < deadline:
                line = process.stdout.readline()
                if not line:
                    break  # exited
                seen += line
            assert stop_after in seen, seen
            process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return seen + rest


async def test_worker_output_shows_no_secret(dev_env: WorkflowEnvironment, tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(db)
    base = {k: v for k, v in os.environ.items() if not k.startswith("LOV_")}
    base |= SECRET_ENV | {"LOV_CONFIG": str(tmp_path / "none.toml"), "LOV_DATABASE_URL": db}
    base["LOV_TEMPORAL_ADDRESS"] = dev_env.client.service_client.config.target_host
    base["LOV_TEMPORAL_TASK_QUEUE"] = "secrets-test"

    # With the API key the SDK insists on TLS, which the dev server does not speak: the worker
    # must fail, naming the address, not the key.
    failed = _worker(base, stop_after=None)
    assert "Kan inte ansluta" in failed, failed
    assert_no_secret(failed, "worker connection failure")

    # Without it the worker runs (encrypting, with the SMTP login set) and stops on SIGTERM.
    running = _worker(
        {k: v for k, v in base.items() if k != "LOV_TEMPORAL_API_KEY"}, stop_after="Worker startad"
    )
    assert "Worker startad" in running and "Worker stoppad" in running, running
    assert_no_secret(running, "worker log")


# --- SMTP: STARTTLS with an own CA, and AUTH ----------------------------------------------------


class TlsAuthMail(ReceivedMail):
    """ReceivedMail that requires STARTTLS before AUTH, and AUTH before mail."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.messages = []
        self.envelopes = []
        self.logins: list[str] = []
        import threading

        self._lock = threading.Lock()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self._controller = Controller(
            self,
            hostname=self.host,
            port=self.port,
            tls_context=context,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=self._authenticate,
            auth_exclude_mechanism=["LOGIN"],
        )

    def _authenticate(
        self, server: object, session: object, envelope: object, mechanism: str, auth_data: object
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        ok = auth_data.login == b"lovflow" and auth_data.password == SMTP_PASSWORD.encode()
        self.logins.append(f"{auth_data.login.decode()}:{'ok' if ok else 'refused'}")
        return AuthResult(success=ok, handled=False)


def _mail_request(key: str) -> MailRequest:
    return MailRequest(
        key=key,
        kind="reminder",
        template="escalation",
        language="sv",
        to_roles=["lov-admin"],
        roles={"lov-admin": Role(title="LOV-administratör", email="lov-admin@kommun.example")},
        org_nr="556036-0793",
        workflow_id="obligation-5560360793-annual-report-2027",
        at=dt.datetime(2027, 11, 25, 9, 0, tzinfo=dt.UTC),
        context={
            "escalation": "Påpekande",
            "title": "Årlig redovisning",
            "period": "2027",
            "provider_name": "Omsorg i Norr AB",
            "org_nr": "556036-0793",
            "recipient_title": "LOV-administratör",
            "recipient_email": "lov-admin@kommun.example",
            "due": "2027-11-20",
            "days_overdue": 5,
            "next_escalation": None,
            "admin_title": "LOV-administratör",
            "admin_email": "lov-admin@kommun.example",
        },
    )


async def test_starttls_with_own_ca_and_auth(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    server = TlsAuthMail(cert, key)
    server.start()
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    store = RecordStore(make_session_factory(make_engine(url)))

    def mailer(**values: object) -> MailActivities:
        settings = Settings(
            var_dir=tmp_path,
            database_url=url,
            smtp_host=server.host,
            smtp_port=server.port,
            smtp_starttls=True,
            smtp_username="lovflow",
            smtp_timeout_seconds=10,
            **values,  # type: ignore[arg-type]
        )
        return MailActivities(settings, store, Renderer(PROJECT_ROOT / "templates"))

    try:
        good = mailer(smtp_password=SecretStr(SMTP_PASSWORD), smtp_tls_ca_cert=cert)
        result = await good.send_mail(_mail_request("tls:1"))
        assert not result.already_sent
        [message] = await server.wait_for(1)
        assert message["To"] == "lov-admin@kommun.example"
        assert server.logins == ["lovflow:ok"]

        # A wrong password (535) is the relay's configuration, not this e-mail's fault: retried
        # (it would fail every e-mail alike; docs/RELIABILITY.md), recorded without the password.
        wrong = mailer(smtp_password=SecretStr("fel-lösen"), smtp_tls_ca_cert=cert)
        with pytest.raises(aiosmtplib.SMTPAuthenticationError) as err:
            await wrong.send_mail(_mail_request("tls:2"))
        assert err.value.code == 535 and "fel-lösen" not in str(err.value)
        entry = await store.get_outbox("tls:2")
        assert entry is not None and entry.status == "retrying"
        assert "fel-lösen" not in (entry.last_error or "")

        # Without the CA the relay's certificate is not trusted: nothing is sent (retryable).
        untrusted = mailer(smtp_password=SecretStr(SMTP_PASSWORD))
        with pytest.raises(Exception) as tls_err:  # noqa: B017 - aiosmtplib's TLS error
            await untrusted.send_mail(_mail_request("tls:3"))
        assert not isinstance(tls_err.value, ApplicationError)
        assert len(server.messages) == 1
    finally:
        server.stop()
