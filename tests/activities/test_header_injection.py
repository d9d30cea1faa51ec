"""E-mail header injection is impossible (issue 7.7): a line break or a second address in a
company name, contact name, subject or address never adds a header or a recipient.

Two layers, each tested on its own: the models refuse such values (models.domain.mailsafe), and the
mail activity, sending to a real SMTP server (aiosmtpd), refuses bad recipients that got into the
records by other means and keeps every subject on one line.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import getaddresses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from activities.mail import MailActivities
from activities.rendering import Renderer
from models.domain.mailsafe import check_email
from models.messages.common import Provider
from models.messages.contract import ChangeContactRequest
from models.messages.mail import MailRequest
from models.plans.scenario import ScenarioProvider
from models.plans.schema import Role
from models.records.db import make_engine, make_session_factory, upgrade
from models.records.store import RecordStore
from models.runtime.settings import PROJECT_ROOT, Settings
from starter.cli import app
from tests.support.helpers import ReceivedMail

ORG = "556036-0793"
GOOD = "kontakt@omsorg.example"
ATTACKER = "evil@attacker.example"
INJECTED_ADDRESSES = [
    f"{GOOD}\r\nBcc: {ATTACKER}",
    f"{GOOD}\nBcc: {ATTACKER}",
    f"{GOOD}\rBcc: {ATTACKER}",
    f"{GOOD}, {ATTACKER}",
    f"{GOOD},{ATTACKER}",
    f"{GOOD};{ATTACKER}",
    f"Omsorg <{GOOD}>",
    f'"{ATTACKER}" <{GOOD}>',
    f"{GOOD} {ATTACKER}",
    f"{GOOD}\x00",
    f"{GOOD}\u2028Bcc: {ATTACKER}",
    "kontakt@",
    "kontakt@-omsorg.example",
    "@omsorg.example",
    "",
]
INJECTED_NAMES = [
    f"Omsorg i Norr AB\r\nBcc: {ATTACKER}",
    "Omsorg i Norr AB\nSubject: gratis",
    "Omsorg\x0bAB",
    "Omsorg\u2029AB",
]


# --- the model boundary -------------------------------------------------------------------------


@pytest.mark.parametrize("address", INJECTED_ADDRESSES)
def test_addresses_with_breaks_or_several_recipients_are_refused(address: str) -> None:
    with pytest.raises(ValidationError, match="e-postadress"):
        Provider(org_nr=ORG, name="Omsorg i Norr AB", email=address)
    with pytest.raises(ValidationError, match="e-postadress"):
        ChangeContactRequest(email=address, actor="Anna")
    with pytest.raises(ValidationError, match="e-postadress"):
        Role(title="LOV-administratör", email=address)
    with pytest.raises(ValidationError, match="e-postadress"):
        ScenarioProvider(
            org_nr=ORG, name="Omsorg", email=address, contract_start=datetime(2027, 1, 1).date()
        )


@pytest.mark.parametrize("name", INJECTED_NAMES)
def test_names_with_line_breaks_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="radbrytningar"):
        Provider(org_nr=ORG, name=name, email=GOOD)
    with pytest.raises(ValidationError, match="radbrytningar"):
        ChangeContactRequest(email=GOOD, name=name, actor="Anna")


def test_ordinary_swedish_values_are_accepted() -> None:
    p = Provider(
        org_nr=ORG, name="Åre Hemtjänst & Omsorg AB", email="post.kontakt+lov@åre-omsorg.se"
    )
    assert p.email == "post.kontakt+lov@åre-omsorg.se"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(
        alphabet=st.sampled_from(list('ab.@,;<> "\r\n\t:-+_åé\x00\u2028')) | st.characters(),
        max_size=40,
    )
)
def test_an_accepted_address_is_exactly_one_recipient(text: str) -> None:
    """Whatever is accepted parses as one address equal to itself, with no break in it."""
    try:
        accepted = check_email(text)
    except ValueError:
        return
    assert "\r" not in accepted and "\n" not in accepted
    parsed = getaddresses([accepted])
    assert parsed == [("", accepted)], parsed


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--name", "Omsorg AB", "--email", f"{GOOD},{ATTACKER}"], "--email"),
        (["--name", "Omsorg AB", "--email", f"{GOOD}\r\nBcc: {ATTACKER}"], "--email"),
        (["--name", f"Omsorg AB\r\nBcc: {ATTACKER}", "--email", GOOD], "--name"),
    ],
)
def test_cli_refuses_injection_before_connecting(
    args: list[str], field: str, tmp_path: Path
) -> None:
    # No Temporal runs at this address: a refusal must come before any connection attempt.
    env = {"LOV_TEMPORAL_ADDRESS": "127.0.0.1:9", "LOV_CONFIG": str(tmp_path / "none.toml")}
    for command in (
        ["contract", "start", ORG, *args, "--start", "2027-02-01"],
        ["application", "submit", ORG, *args, "--service", "omvårdnad", "--area", "Centrum"],
    ):
        result = CliRunner().invoke(app, command, env=env)
        assert result.exit_code == 2, (command, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"fel: {field}:"), result.stderr


# --- the mail activity, with a real SMTP server --------------------------------------------------


@pytest.fixture
async def mailer(tmp_path: Path, smtp_server: ReceivedMail) -> tuple[MailActivities, RecordStore]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    settings = Settings(
        var_dir=tmp_path, database_url=url, smtp_host=smtp_server.host, smtp_port=smtp_server.port
    )
    store = RecordStore(make_session_factory(make_engine(url)))
    return MailActivities(settings, store, Renderer(PROJECT_ROOT / "templates")), store


def escalation(key: str, roles: dict[str, Role], **context: object) -> MailRequest:
    return MailRequest(
        key=key,
        kind="escalation",
        template="escalation",
        language="sv",
        to_roles=["provider", "lov-admin"],
        roles=roles,
        org_nr=ORG,
        workflow_id="obligation-5560360793-annual-report-2027",
        obligation="annual-report",
        period="2027",
        at=datetime(2027, 11, 25, 9, 0, tzinfo=UTC),
        context={
            "escalation": "Påpekande",
            "title": "Årlig redovisning",
            "period": "2027",
            "provider_name": "Omsorg i Norr AB",
            "org_nr": ORG,
            "recipient_title": "LOV-administratör",
            "recipient_email": "lov-admin@kommun.example",
            "due": "2027-11-20",
            "days_overdue": 5,
            "next_escalation": None,
            "admin_title": "LOV-administratör",
            "admin_email": "lov-admin@kommun.example",
            **context,
        },
    )


ADMIN = {"lov-admin": Role(title="LOV-administratör", email="lov-admin@kommun.example")}


async def test_subject_values_with_line_breaks_add_no_header(
    mailer: tuple[MailActivities, RecordStore], smtp_server: ReceivedMail
) -> None:
    mail, store = mailer
    await store.upsert_provider(ORG, "Omsorg i Norr AB", GOOD, datetime(2027, 1, 1, tzinfo=UTC))
    # Context values are not models: a name that slipped through must still not break a header.
    request = escalation(
        "inject-subject:1",
        ADMIN,
        provider_name=f"Omsorg AB\r\nBcc: {ATTACKER}\r\nX-Injected: ja",
        title=f"Årlig redovisning\nTo: {ATTACKER}",
    )
    result = await mail.send_mail(request)
    # Two messages: the provider's, with its portal link, and the administrator's copy.
    messages = await smtp_server.wait_for(2)
    assert result.recipients == [GOOD, "lov-admin@kommun.example"]
    assert [rcpt for _, rcpt in smtp_server.envelopes] == [[GOOD], ["lov-admin@kommun.example"]]
    for message, to in zip(messages, (GOOD, "lov-admin@kommun.example"), strict=True):
        assert message["Bcc"] is None and message["X-Injected"] is None
        assert message.get_all("To") == [to]
        subject = str(message["Subject"])
        assert "\n" not in subject and "\r" not in subject
        assert f"Bcc: {ATTACKER}" in subject  # kept as text, on the one subject line
        # Exactly the headers the mail activity writes; the attacker's text is only in the
        # subject (and in the body, where it is text).
        assert sorted(message.keys()) == sorted(
            [
                "From", "To", "Subject", "Date", "Message-ID", "X-Lov-Kind", "X-Lov-Org-Nr",
                "X-Lov-Workflow", "X-Lov-Obligation", "X-Lov-Period", "Content-Type",
                "Content-Transfer-Encoding", "MIME-Version",
            ]
        )  # fmt: skip
        header_block = message.as_bytes().split(b"\n\n", 1)[0]
        for line in header_block.split(b"\n"):
            if ATTACKER.encode() in line:
                assert line.startswith((b"Subject:", b" ")), line  # the subject or its folding


async def test_a_bad_recipient_in_the_records_is_never_sent(
    mailer: tuple[MailActivities, RecordStore], smtp_server: ReceivedMail
) -> None:
    mail, store = mailer
    # Written past the models, as an old or hand-edited row would be.
    await store.upsert_provider(
        ORG, "Omsorg i Norr AB", f"{GOOD}, {ATTACKER}", datetime(2027, 1, 1, tzinfo=UTC)
    )
    # A permanent failure (docs/RELIABILITY.md): not sent, not retried, recorded, and the
    # administrator is told; the workflow carries on.
    # The administrator's own copy (the e-mail carries the provider's portal link, which goes
    # to the provider only) still goes out.
    result = await mail.send_mail(escalation("inject-records:1", ADMIN))
    assert "provider" in (result.failure or "")
    assert result.recipients == ["lov-admin@kommun.example"]
    notice, copy = await smtp_server.wait_for(2)
    assert notice["X-Lov-Kind"] == "mail-undeliverable" and copy["X-Lov-Kind"] == "escalation"
    assert [rcpt for _, rcpt in smtp_server.envelopes] == [["lov-admin@kommun.example"]] * 2
    # A plan role that bypassed validation is refused the same way, and with the administrator's
    # own address broken there is nobody to tell: recorded only. The provider's message goes.
    await store.upsert_provider(ORG, "Omsorg i Norr AB", GOOD, datetime(2027, 1, 1, tzinfo=UTC))
    bad_role = {
        "lov-admin": Role.model_construct(title="LOV", email=f"a@kommun.example\r\nBcc: {ATTACKER}")
    }
    result = await mail.send_mail(escalation("inject-role:1", bad_role))
    assert "lov-admin" in (result.failure or "") and result.recipients == [GOOD]
    assert len(smtp_server.messages) == 3 and smtp_server.envelopes[2][1] == [GOOD]
    assert all(ATTACKER not in rcpt for _, rcpts in smtp_server.envelopes for rcpt in rcpts)
    assert all(ATTACKER not in str(m) for m in smtp_server.messages)
