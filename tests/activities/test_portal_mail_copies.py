"""An e-mail with the provider's portal link that also names municipal staff goes out as two
messages (activities/mail.py): the provider's, with the link, and the staff's copy, without it
anywhere in the message; each under its own outbox row, so a retried activity sends neither
twice. The real activity, a real SQLite records database and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import update
from temporalio.testing import ActivityEnvironment

from activities.mail import MailActivities
from activities.rendering import Renderer
from activities.smtp import message_id_for
from models.domain import portal_token
from models.ids import obligation_workflow_id
from models.messages.mail import MailRequest, MailResult, staff_copy_key
from models.plans.loader import load_plan
from models.records.db import make_engine, make_session_factory, upgrade
from models.records.store import RecordStore
from models.records.tables import Notification
from models.runtime.settings import PROJECT_ROOT, Settings
from tests.support.harness import PROVIDER, local, lovflow_stack
from tests.support.mail_faults import FaultyMail
from tests.support.portal_link import recorded_provider

SECRET = "copies-portal-secret-" + "c" * 30
PORTAL = "https://lov.kommun.example/portal"
PLAN = load_plan("sundsvall", PROJECT_ROOT / "plans")
ADMIN = PLAN.roles["lov-admin"].email
ECONOMIST = PLAN.roles["economist"].email
AT = datetime(2031, 4, 22, 7, 0, tzinfo=UTC)
WORKFLOW = "obligation-5560360793-self-inspection-2031-T1"


@dataclass
class Mailer:
    mail: MailActivities
    store: RecordStore
    server: FaultyMail
    settings: Settings


@pytest.fixture
async def mailer(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """`await mailer(server)`: the mail activity on its own records database, sending to
    `server` (a FaultyMail, started here and stopped after the test)."""
    engines = []
    servers: list[FaultyMail] = []

    async def make(server: FaultyMail) -> Mailer:
        server.start()
        servers.append(server)
        url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
        await upgrade(url)
        settings = Settings(
            var_dir=tmp_path,
            database_url=url,
            smtp_host=server.host,
            smtp_port=server.port,
            web_secret_key=SecretStr(SECRET),
            portal_url=PORTAL,
        )
        engine = make_engine(url)
        engines.append(engine)
        store = RecordStore(make_session_factory(engine))
        await recorded_provider(store, AT)
        renderer = Renderer(PROJECT_ROOT / "templates")
        return Mailer(MailActivities(settings, store, renderer), store, server, settings)

    try:
        yield make
    finally:
        for engine in engines:
            await engine.dispose()
        for server in servers:
            server.stop()


def overdue(key: str, to_roles: list[str], template: str = "overdue") -> MailRequest:
    """The T1 self-inspection's overdue notice, as workflows/obligation.py asks for it."""
    return MailRequest(
        key=f"{WORKFLOW}:{key}",
        kind=template,
        template=template,
        language="sv",
        to_roles=to_roles,
        roles=PLAN.roles,
        org_nr=PROVIDER.org_nr,
        workflow_id=WORKFLOW,
        obligation="self-inspection",
        period="2031-T1",
        at=AT,
        time_zone="Europe/Stockholm",
        context={
            "provider_name": PROVIDER.name,
            "org_nr": PROVIDER.org_nr,
            "title": "Egenkontroll",
            "period": "2031-T1",
            "due": "2031-04-21",
            "nominal_due": "2031-04-20",
            "recipient_title": "LOV-administratör",
            "recipient_email": ADMIN,
            "admin_title": "LOV-administratör",
            "admin_email": ADMIN,
            "escalation": "Redovisningen har inte kommit in i tid",
            "days_overdue": 1,
            "next_escalation": "Påpekande",
            "next_escalation_at": "2031-05-05T07:00:00+00:00",
            "submission_number": 1,
            "documents_received": [],
            "fields_received": {},
        },
    )


class Attempts:
    """Attempts of one activity, as Temporal runs them: each later attempt is given the
    heartbeat details (the progress) the earlier ones recorded."""

    def __init__(self) -> None:
        self.attempt = 0
        self.steps: set[str] = set()

    def _record(self, *details: Any) -> None:
        for d in details:
            if isinstance(d, dict):
                self.steps |= set(d.get("done", ()))

    async def run(self, mail: MailActivities, request: MailRequest) -> MailResult:
        self.attempt += 1
        env = ActivityEnvironment()
        details = [{"done": sorted(self.steps)}] if self.steps else []
        env.info = dataclasses.replace(env.info, attempt=self.attempt, heartbeat_details=details)
        env.on_heartbeat = self._record
        return await env.run(mail.send_mail, request)


def whole_text(message: EmailMessage) -> str:
    """Everything a recipient could read: the raw message and each MIME part decoded."""
    texts = [message.as_bytes().decode("utf-8", "replace")]
    for part in message.walk():
        if not part.is_multipart():
            content = part.get_content()
            texts.append(content if isinstance(content, str) else content.decode("latin-1"))
    return "\n".join(texts)


def by_recipients(server: FaultyMail) -> dict[tuple[str, ...], EmailMessage]:
    return {tuple(rcpt): m for m, (_, rcpt) in zip(server.messages, server.envelopes, strict=True)}


async def test_the_link_goes_to_the_provider_only_and_staff_get_a_copy_without_it(
    mailer: Callable[..., Any],
) -> None:
    m: Mailer = await mailer(FaultyMail())
    # The duty's recipient on late notices (economist) added to the ladder's provider and admin.
    request = overdue("escalation:1:1", ["provider", "lov-admin", "economist"])
    result = await Attempts().run(m.mail, request)
    await m.server.wait_for(2)

    sent = by_recipients(m.server)
    assert set(sent) == {(PROVIDER.email,), (ADMIN, ECONOMIST)}
    own, copy = sent[(PROVIDER.email,)], sent[(ADMIN, ECONOMIST)]
    assert str(own["To"]) == PROVIDER.email and str(copy["To"]) == f"{ADMIN}, {ECONOMIST}"

    # The provider's message carries its personal link, signed for its contact address.
    body = own.get_content()
    [link] = [w for w in body.split() if w.startswith(PORTAL + "/")]
    token = link.rsplit("/", 1)[1]
    grant = portal_token.read(SECRET, token, datetime.now(UTC))
    assert grant.provider_ref == "5560360793"
    assert portal_token.same_contact(SECRET, grant, PROVIDER.email)

    # The staff's copy: the same notice, without the link or any token, in no part.
    staff_text = whole_text(copy)
    assert token not in staff_text and token[:24] not in staff_text
    assert "/portal" not in staff_text and "personliga länk (dela" not in staff_text
    assert "Vi har inte fått egenkontroll" in copy.get_content()
    assert "Kopia till kommunen: Omsorg i Norr AB får meddelandet" in copy.get_content()
    assert "Länken skickas bara till utföraren" in copy.get_content()
    assert "Kopia till kommunen" not in body
    assert copy["X-Lov-Kind"] == own["X-Lov-Kind"] == "overdue"

    # Each under its own outbox row and Message-ID, both derived from the request's key.
    domain = m.settings.mail_domain
    assert str(own["Message-ID"]) == message_id_for(request.key, domain)
    assert str(copy["Message-ID"]) == message_id_for(staff_copy_key(request.key), domain)
    rows = {e.idempotency_key: e for e in await m.store.list_notifications()}
    assert rows[request.key].recipients == [PROVIDER.email]
    assert rows[staff_copy_key(request.key)].recipients == [ADMIN, ECONOMIST]
    assert all(e.status == "sent" for e in rows.values())
    assert token not in rows[staff_copy_key(request.key)].body

    assert result.delivered and not result.already_sent
    assert result.message_id == str(own["Message-ID"])
    assert result.recipients == [PROVIDER.email, ADMIN, ECONOMIST]

    # A retry after the activity's answer was lost: both rows are sent, nothing goes again.
    again = await Attempts().run(m.mail, request)
    assert again.already_sent and again.recipients == result.recipients
    assert len(m.server.messages) == 2


async def test_a_copy_that_fails_is_retried_alone_and_neither_goes_twice(
    mailer: Callable[..., Any],
) -> None:
    # The administrator's server says "try again later" once: the provider's message is
    # accepted, the staff's copy is not, and the attempt fails.
    m: Mailer = await mailer(FaultyMail(defer_once={ADMIN}))
    request = overdue("escalation:1:1", ["provider", "lov-admin"])
    attempts = Attempts()
    with pytest.raises(Exception, match="451"):
        await attempts.run(m.mail, request)
    [own] = await m.server.wait_for(1)
    assert m.server.envelopes[0][1] == [PROVIDER.email]
    rows = {e.idempotency_key: e for e in await m.store.list_notifications()}
    assert rows[request.key].status == "sent"
    assert rows[staff_copy_key(request.key)].status == "retrying"

    # The retry sends the staff's copy only.
    result = await attempts.run(m.mail, request)
    await m.server.wait_for(2)
    assert result.delivered and result.recipients == [PROVIDER.email, ADMIN]
    assert [rcpt for _, rcpt in m.server.envelopes] == [[PROVIDER.email], [ADMIN]]
    assert set(m.server.deliveries().values()) == {1}
    token = own.get_content().split(PORTAL + "/", 1)[1].split()[0]
    assert token not in whole_text(m.server.messages[1])

    # Accepted by the server but never recorded (the database failed after the "250 OK"):
    # a retry finds the acceptance in the attempt's progress, records it, and sends nothing.
    async with m.store.unit() as tx:
        await tx.execute(update(Notification).values(status="pending", sent_at=None))
    result = await attempts.run(m.mail, request)
    assert result.already_sent
    assert len(m.server.messages) == 2
    assert {e.status for e in await m.store.list_notifications()} == {"sent"}


async def test_a_message_claimed_whole_before_the_split_is_finished_safely(
    mailer: Callable[..., Any],
) -> None:
    """A retry, after the upgrade, of an e-mail an attempt of the earlier code claimed as one
    message to the provider and staff, with the link in its text."""
    m: Mailer = await mailer(FaultyMail())
    old_link = f"{PORTAL}/OLD-TOKEN-of-the-provider"

    async def claimed_whole(key: str, status: str) -> MailRequest:
        request = overdue(key, ["provider", "lov-admin"])
        await m.store.claim_outbox(
            request.key,
            message_id_for(request.key, m.settings.mail_domain),
            "overdue",
            PROVIDER.org_nr,
            WORKFLOW,
            "self-inspection",
            "2031-T1",
            [PROVIDER.email, ADMIN],
            "Försenad: Egenkontroll",
            f"Hej Omsorg i Norr AB,\n\n{old_link}\n",
            AT,
        )
        if status == "sent":
            await m.store.mark_sent(request.key, AT)
        return request

    # Not sent yet: the staff are taken off the old message (its Message-ID and text stay,
    # to the provider) and get a copy without the link.
    pending = await claimed_whole("escalation:1:1", "pending")
    attempts = Attempts()
    attempts.attempt = 1  # the earlier code's attempt
    result = await attempts.run(m.mail, pending)
    await m.server.wait_for(2)
    sent = by_recipients(m.server)
    assert set(sent) == {(PROVIDER.email,), (ADMIN,)}
    own = sent[(PROVIDER.email,)]
    assert str(own["Message-ID"]) == message_id_for(pending.key, m.settings.mail_domain)
    assert old_link in own.get_content()
    assert "OLD-TOKEN" not in whole_text(sent[(ADMIN,)]) and PORTAL not in whole_text(
        sent[(ADMIN,)]
    )
    assert result.recipients == [PROVIDER.email, ADMIN]

    # Sent already, to both: finished as it was, no copy follows.
    done = await claimed_whole("escalation:1:2", "sent")
    attempts = Attempts()
    attempts.attempt = 1
    result = await attempts.run(m.mail, done)
    assert result.already_sent and result.recipients == [PROVIDER.email, ADMIN]
    assert len(m.server.messages) == 2
    assert await m.store.get_outbox(staff_copy_key(done.key)) is None


async def test_mails_without_the_link_still_go_as_one_message(
    mailer: Callable[..., Any],
) -> None:
    m: Mailer = await mailer(FaultyMail())
    # A receipt asks nothing of the provider: one message to the provider and the recipient.
    receipt = overdue("receipt:1", ["provider", "lov-admin"], template="receipt")
    receipt.context.pop("escalation")  # not a step of the ladder
    result = await Attempts().run(m.mail, receipt)
    [message] = await m.server.wait_for(1)
    assert m.server.envelopes[0][1] == [PROVIDER.email, ADMIN]
    assert result.recipients == [PROVIDER.email, ADMIN]
    assert PORTAL not in whole_text(message)
    # An overdue notice to the provider alone: one message, with the link.
    result = await Attempts().run(m.mail, overdue("escalation:1:1", ["provider"]))
    messages = await m.server.wait_for(2)
    assert result.recipients == [PROVIDER.email]
    assert PORTAL + "/" in messages[1].get_content()
    assert await m.store.get_outbox(staff_copy_key(f"{WORKFLOW}:escalation:1:1")) is None


async def test_the_danish_copy_says_the_same_without_the_link(mailer: Callable[..., Any]) -> None:
    m: Mailer = await mailer(FaultyMail())
    request = overdue("escalation:1:1", ["provider", "lov-admin"])
    request = request.model_copy(update={"language": "da"})
    await Attempts().run(m.mail, request)
    own, copy = await m.server.wait_for(2)
    assert "leverandørportal" in own.get_content() and PORTAL + "/" in own.get_content()
    text = copy.get_content()
    assert "Kopi til kommunen: Omsorg i Norr AB får beskeden på sin egen adresse" in text
    assert "Linket sendes kun til leverandøren" in text
    assert PORTAL not in whole_text(copy)


async def test_on_the_time_skipping_server_a_retried_notice_sends_neither_copy_twice(
    tmp_path: Path,
) -> None:
    """The T1 overdue notice of a running contract: the administrator's server answers "try
    again later" once, so Temporal retries the activity after the provider's message went."""
    mail = FaultyMail(defer_once={ADMIN})
    async with lovflow_stack(tmp_path, mail=mail, web_secret_key=SecretStr(SECRET)) as stack:
        await stack.sleep_until(local(date(2031, 1, 1)))
        await stack.start_contract(date(2030, 1, 1))
        # T1 is due Monday 21 April 2031; the overdue notice goes on Tuesday 22 April 09:00.
        await stack.sleep_until(local(date(2031, 4, 23)))

        t1 = obligation_workflow_id(PROVIDER.org_nr, "self-inspection", "2031-T1")
        rows = [
            e
            for e in await stack.store.list_notifications()
            if e.workflow_id == t1 and e.kind == "overdue"
        ]
        [own] = [e for e in rows if not e.idempotency_key.endswith(":staff-copy")]
        [copy] = [e for e in rows if e.idempotency_key == staff_copy_key(own.idempotency_key)]
        assert own.recipients == [PROVIDER.email] and copy.recipients == [ADMIN]
        assert own.status == copy.status == "sent"
        # Claimed once (sent by the first attempt) and twice (deferred, then sent).
        assert (own.attempts, copy.attempts) == (1, 2)
        assert mail.rcpt_attempts[ADMIN] >= 2
        # Every message arrived once; the copy holds nothing of the provider's link.
        assert set(mail.deliveries().values()) == {1}
        received = {str(m["Message-ID"]): m for m in mail.messages}
        token = received[own.message_id].get_content().split("/portal/", 1)[1].split()[0]
        assert token not in whole_text(received[copy.message_id])
        assert "/portal/" not in whole_text(received[copy.message_id])


def care_plan(template: str, to_roles: list[str], **extra: object) -> MailRequest:
    """A placement's care-plan e-mail, as workflows/placement.py asks for it."""
    placement = "placement-0123456789ab"
    return MailRequest(
        key=f"{placement}:{template}",
        kind=template,
        template=template,
        language="sv",
        to_roles=to_roles,
        roles=PLAN.roles,
        org_nr=PROVIDER.org_nr,
        workflow_id=placement,
        at=AT,
        time_zone="Europe/Stockholm",
        context={
            "placement_id": placement,
            "customer_ref": "DNR-2031-0042",
            "area": "Centrum",
            "service_type": "omvårdnad",
            "granted_hours": "22.50",
            "decision_date": "2031-04-14",
            "org_nr": PROVIDER.org_nr,
            "provider_name": PROVIDER.name,
            "start": "2031-04-15",
            "care_plan_days": 14,
            "care_plan_due": "2031-04-29",
            "admin_title": "LOV-administratör",
            "admin_email": ADMIN,
            "escalation_steps": [],
            "days_overdue": 1,
            **extra,
        },
    )


@pytest.mark.parametrize("template", ["placement-new", "care-plan-reminder"])
async def test_a_care_plan_request_carries_the_link_to_the_provider_only(
    mailer: Callable[..., Any], template: str
) -> None:
    m: Mailer = await mailer(FaultyMail())
    await Attempts().run(m.mail, care_plan(template, ["provider"]))
    [own] = await m.server.wait_for(1)
    assert m.server.envelopes[0][1] == [PROVIDER.email]
    body = own.get_content()
    [link] = [w for w in body.split() if w.startswith(PORTAL + "/")]
    grant = portal_token.read(SECRET, link.rsplit("/", 1)[1], datetime.now(UTC))
    assert grant.provider_ref == "5560360793"
    assert portal_token.same_contact(SECRET, grant, PROVIDER.email)
    assert "utförarportal" in body and ADMIN in body  # or contact the administrator


async def test_a_care_plan_escalation_to_staff_too_carries_no_link(
    mailer: Callable[..., Any],
) -> None:
    """A ladder step of the genomförandeplan is written to the municipality (its text shows no
    link): one message, to the provider and the staff alike, with no link in any part."""
    m: Mailer = await mailer(FaultyMail())
    request = care_plan(
        "care-plan-escalation", ["provider", "lov-admin"], escalation="Påpekande", level=2
    )
    await Attempts().run(m.mail, request)
    [message] = await m.server.wait_for(1)
    assert sorted(m.server.envelopes[0][1]) == sorted([PROVIDER.email, ADMIN])
    assert "/portal" not in whole_text(message)
