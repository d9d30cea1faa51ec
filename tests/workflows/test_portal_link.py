"""The portal's "send me a new link" e-mail goes through its own workflow (workflows/
portal_link.py, started by name by services/portal_mail.py): the worker's mail activity sends
it to the registered contact with a link that works, once per workflow id."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from models.domain.provider_id import ProviderIds
from models.messages.mail import MailResult
from services import portal_mail
from tests.support.harness import PROVIDER, lovflow_stack
from tests.support.portal_link import recorded_provider


async def test_the_link_mail_arrives_once_for_one_workflow_id(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        now = (await stack.env.get_current_time()).replace(microsecond=0)
        org = await recorded_provider(stack.store, now)
        ids = ProviderIds()
        wid = await portal_mail.send_link(stack.client, stack.settings, stack.store, ids, org, now)
        assert wid is not None and wid.startswith("portal-link-5560360793-")
        handle = stack.client.get_workflow_handle(wid, result_type=MailResult)
        result = await handle.result()
        assert result.delivered and result.recipients == [PROVIDER.email]
        # Asked again later in the same second: the e-mail's key differs (it is dated to the
        # microsecond), so only the workflow id, refused by Temporal, keeps a second one away.
        later = now + timedelta(milliseconds=500)
        again = await portal_mail.send_link(
            stack.client, stack.settings, stack.store, ids, org, later
        )
        assert again == wid
        assert (await handle.result()) == result
        [mail] = [m for m in stack.mail.messages if m["X-Lov-Kind"] == "portal-link"]
        assert str(mail["To"]).endswith(PROVIDER.email)
        body = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        assert any("/portal/" in line for line in body.splitlines())


async def test_nothing_is_started_for_a_provider_without_a_contract(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        now = await stack.env.get_current_time()
        await stack.store.upsert_provider(PROVIDER.org_nr, PROVIDER.name, PROVIDER.email, now)
        found = await portal_mail.send_link(
            stack.client, stack.settings, stack.store, ProviderIds(), PROVIDER.org_nr, now
        )
        assert found is None
        assert not stack.mail.messages


async def test_an_applicant_awaiting_a_komplettering_gets_a_new_link(tmp_path: Path) -> None:
    """An applicant has no contract, but answers its komplettering in the portal: a new link
    goes to the application's contact address, in the plan's words; an applicant whose
    application waits for nothing from it gets none."""
    async with lovflow_stack(tmp_path) as stack:
        now = (await stack.env.get_current_time()).replace(microsecond=0)
        org, wid = PROVIDER.org_nr, f"application-{PROVIDER.org_nr.replace('-', '')}-1"
        await stack.store.upsert_provider(org, PROVIDER.name, PROVIDER.email, now)
        await stack.store.upsert_application(
            wid, org, "received", now, submitted_at=now, data={"plan_id": "sundsvall"}
        )
        ids = ProviderIds()
        assert (
            await portal_mail.send_link(stack.client, stack.settings, stack.store, ids, org, now)
            is None
        )
        await stack.store.upsert_application(
            wid, org, "completion_requested", now, submitted_at=now, data={"plan_id": "sundsvall"}
        )
        sent = await portal_mail.send_link(stack.client, stack.settings, stack.store, ids, org, now)
        assert sent is not None
        handle = stack.client.get_workflow_handle(sent, result_type=MailResult)
        result = await handle.result()
        assert result.delivered and result.recipients == [PROVIDER.email]
        [mail] = [m for m in stack.mail.messages if m["X-Lov-Kind"] == "portal-link"]
        body = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        assert any("/portal/" in line for line in body.splitlines())
