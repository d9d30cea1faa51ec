"""Application review on the time-skipping server, with mail received by a real SMTP server.

Sundsvall plan (decision within 8 weeks, reminders 30/14/3 days before, office hours 09:00). The
application arrives Monday 3 February 2031, so the decision is due Monday 31 March; reminders fall
on Friday 28 February (1 March is a Saturday), Monday 17 March and Friday 28 March, and the
escalation on Tuesday 1 April.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHistory

from models.domain.calendar import occurrences
from models.ids import contract_workflow_id
from models.messages.application import (
    ApplicationState,
    AssessRequest,
    CompleteRequest,
    CompletionRequest,
    DecideRequest,
)
from models.plans.loader import load_plan
from models.runtime.settings import PROJECT_ROOT
from services import applications as apps
from services import contracts
from services.calls import ActionError
from tests.support.applications import application, submitted
from tests.support.harness import PROVIDER, STOCKHOLM, Stack, local, lovflow_stack
from workflows.application import ApplicationWorkflow
from workflows.contract import ContractWorkflow

ORG = PROVIDER.org_nr
APP1 = "application-5560360793-1"
ADMIN = "lov-admin@sundsvall.example"
MANAGEMENT = "forvaltningsledning@sundsvall.example"
PLAN = load_plan("sundsvall", PROJECT_ROOT / "plans")
SKALLKRAV = [k.key for k in PLAN.skallkrav]
UPDATE_ACCEPTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
ACTIVITY_SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime.combine(date(2031, month, day), time(hour, 0), STOCKHOLM)


async def assess_all(stack: Stack, wid: str, unmet: dict[str, str] | None = None) -> None:
    for key in SKALLKRAV:
        note = (unmet or {}).get(key, "")
        await apps.assess(
            stack.client, wid, AssessRequest(key=key, met=not note, note=note, actor="anna.admin")
        )


def body(message: object) -> str:
    payload = message.get_payload(decode=True)  # type: ignore[attr-defined]
    return bytes(payload).decode("utf-8")


def _counts(history: WorkflowHistory) -> Counter[int]:
    return Counter(e.event_type for e in history.events)


async def test_approval_starts_a_contract_that_outlives_the_application(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        wid = await submitted(stack)
        assert wid == APP1
        assert stack.mails() == [
            (at(2, 3, 9).replace(minute=30), "application-received", PROVIDER.email),
            (at(2, 3, 9).replace(minute=30), "application-new", ADMIN),
        ]
        received = body(stack.mail.messages[0])
        assert "omvårdnad, service" in received and "31 mars 2031" in received

        await stack.sleep_until(at(2, 10, 10))
        await assess_all(stack, wid)
        result = await apps.decide(
            stack.client,
            ORG,
            DecideRequest(approve=True, contract_start=date(2031, 4, 1), actor="chef.bo"),
        )
        assert result.state is ApplicationState.APPROVED
        assert result.decision is not None
        assert result.decision.contract_workflow_id == contract_workflow_id(ORG)

        # The application has completed; the contract runs on, with the plan's first items.
        final = await stack.client.get_workflow_handle(wid).result()
        assert final["state"] == "approved"
        contract = stack.client.get_workflow_handle(contract_workflow_id(ORG))
        assert (await contract.describe()).status == WorkflowExecutionStatus.RUNNING
        await stack.sleep_until(at(2, 11, 10))
        status = await contract.query(ContractWorkflow.status)
        assert status.contract_start == date(2031, 4, 1)
        expected = {o.obligation for o in occurrences(PLAN, date(2031, 4, 1), 2031)}
        assert expected and set(status.obligations) == expected
        assert (await contract.describe()).status == WorkflowExecutionStatus.RUNNING

        approved = [m for m in stack.mail.messages if m["X-Lov-Kind"] == "application-approved"]
        assert len(approved) == 1 and str(approved[0]["To"]) == f"{PROVIDER.email}, {ADMIN}"
        text = body(approved[0])
        assert "är godkänd" in text and "1 april 2031" in text and "chef.bo" in text
        # The decision mail is the provider's welcome: no second one from the contract.
        assert not [m for m in stack.mail.messages if m["X-Lov-Kind"] == "welcome"]

        row = await stack.store.get_application(wid)
        assert row is not None
        assert (row.status, row.decision) == ("approved", "approved")
        assert row.data["service_types"] == ["omvårdnad", "service"]
        assessed = await stack.store.list_assessments(wid)
        assert [a.requirement for a in assessed] == SKALLKRAV
        assert {(a.outcome, a.actor) for a in assessed} == {("met", "anna.admin")}
        trail = [e.event_type for e in await stack.store.list_audit(ORG)]
        assert trail[0] == "application_submitted"
        assert trail.count("application_assessed") == len(SKALLKRAV)
        assert "application_approved" in trail


async def test_rejection_gives_reasons_and_appeal_and_allows_a_new_application(
    tmp_path: Path,
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        wid = await submitted(stack)
        await stack.sleep_until(at(2, 12, 10))
        await assess_all(stack, wid, {"ivo-permit": "Tillstånd från IVO saknas."})
        result = await apps.decide(
            stack.client,
            wid,
            DecideRequest(
                approve=False, reason="Sökanden saknar tillstånd från IVO.", actor="chef.bo"
            ),
        )
        assert result.state is ApplicationState.REJECTED
        assert result.decision is not None and result.decision.appeal_by == date(2031, 3, 5)

        rejected = [m for m in stack.mail.messages if m["X-Lov-Kind"] == "application-rejected"]
        assert len(rejected) == 1
        assert (
            str(rejected[0]["Subject"]) == f"Beslut: ansökan nr {wid.rsplit('-', 1)[1]} är avslagen"
        )
        text = body(rejected[0])
        assert "Sökanden saknar tillstånd från IVO." in text
        assert "Tillstånd från IVO: Tillstånd från IVO saknas." in text
        assert "överklagas till förvaltningsrätten" in text
        assert "10 kap. lagen (2008:962) om valfrihetssystem" in text
        assert "inom tre veckor från den dag ni fick del av beslutet" in text
        assert "5 mars 2031" in text
        assert (await stack.store.get_application(wid)).reason == (  # type: ignore[union-attr]
            "Sökanden saknar tillstånd från IVO."
        )
        # No contract was started; the provider may apply again, as a new application.
        with pytest.raises(ActionError, match="org_nr: no contract"):
            await contracts.contract_status(stack.client, ORG)
        again = await apps.submit_application(
            stack.client, stack.settings.temporal_task_queue, application()
        )
        assert again == "application-5560360793-2"


async def test_komplettering_not_received_rejects_the_application_as_incomplete(
    tmp_path: Path,
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        wid = await submitted(stack)
        await apps.request_completion(
            stack.client,
            wid,
            CompletionRequest(
                items=["Försäkringsbrev", "Intyg från Skatteverket"],
                # Sunday: the deadline is Monday 17th, in the mail, the record and the status.
                due=date(2031, 2, 16),
                note="Intyget får vara högst tre månader gammalt.",
                actor="anna.admin",
            ),
        )
        status = await apps.status(stack.client, wid)
        assert [c.due for c in status.completions] == [date(2031, 2, 17)]
        await stack.sleep_until(at(2, 20, 12))
        assert stack.mails()[2:] == [
            (at(2, 3, 10), "application-completion-request", PROVIDER.email),
            # 30 and 14 days before lay before the request; 3 days before is Friday 14th.
            (at(2, 14, 9), "application-completion-reminder", PROVIDER.email),
            # Due Monday 17th: rejected on the next business day, in office hours.
            (at(2, 18, 9), "application-rejected", f"{PROVIDER.email}, {ADMIN}"),
        ]
        request_text = body(stack.mail.messages[2])
        assert "  - Försäkringsbrev" in request_text and "17 februari 2031" in request_text
        assert "avslås ansökan som ofullständig" in request_text
        final = await stack.client.get_workflow_handle(wid).result()
        assert final["state"] == "rejected"
        assert final["decision"]["outcome"] == "rejected_incomplete"
        assert final["decision"]["actor"] == "system"
        text = body(stack.mail.messages[-1])
        assert "kompletterades inte senast 2031-02-17" in text and "förvaltningsrätten" in text
        row = await stack.store.get_application(wid)
        assert row is not None and row.decision == "rejected_incomplete"


async def test_completion_restarts_the_decision_time(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        wid = await submitted(stack)
        await apps.request_completion(
            stack.client,
            wid,
            CompletionRequest(items=["Försäkringsbrev"], due=date(2031, 3, 31), actor="a"),
        )
        # While komplettering is outstanding the decision reminders wait.
        await stack.sleep_until(at(3, 3, 10))
        assert "application-decision-reminder" not in {k for _, k, _ in stack.mails()}
        status = await apps.complete(
            stack.client,
            wid,
            CompleteRequest(note="Försäkringsbrev inkommet per post", actor="anna.admin"),
        )
        # Complete on Monday 3 March: eight weeks on is Monday 28 April.
        assert status.decision_due == date(2031, 4, 28)
        assert status.open_completion is None and status.completions[0].completed_at
        await stack.sleep_until(at(4, 30, 12))
        kinds = [(t, k) for t, k, _ in stack.mails() if k.startswith("application-decision")]
        assert kinds == [
            (at(3, 28, 9), "application-decision-reminder"),
            # 14 days before is Easter Monday; Good Friday before it: Thursday 10 April.
            (at(4, 10, 9), "application-decision-reminder"),
            (at(4, 25, 9), "application-decision-reminder"),
            (at(4, 29, 9), "application-decision-overdue"),
        ]


async def test_decision_deadline_reminds_the_administrator_then_escalates(
    tmp_path: Path,
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        wid = await submitted(stack)
        await stack.sleep_until(at(4, 2, 12))
        assert stack.mails()[2:] == [
            (at(2, 28, 9), "application-decision-reminder", ADMIN),
            (at(3, 17, 9), "application-decision-reminder", ADMIN),
            (at(3, 28, 9), "application-decision-reminder", ADMIN),
            (at(4, 1, 9), "application-decision-overdue", f"{MANAGEMENT}, {ADMIN}"),
        ]
        reminder = body(stack.mail.messages[2])
        assert "31 mars 2031" in reminder and "Godkänd för F-skatt" in reminder
        overdue = stack.mail.messages[-1]
        assert str(overdue["Subject"]).startswith("Beslutstiden har gått ut")
        escalations = await stack.store.list_escalations(ORG)
        assert [(e.kind, e.workflow_id) for e in escalations] == [("decision-overdue", wid)]
        status = await apps.status(stack.client, wid)
        assert status.decision_overdue and status.state is ApplicationState.RECEIVED
        # Late is not closed: the administrator can still decide.
        await apps.decide(
            stack.client, wid, DecideRequest(approve=False, reason="Ej komplett", actor="a")
        )


async def test_validators_reject_bad_requests_before_history(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        wid = await submitted(stack)
        await apps.assess(stack.client, wid, AssessRequest(key="f-skatt", met=True, actor="a"))
        handle = stack.client.get_workflow_handle(wid)
        before = _counts(await handle.fetch_history())
        sent = len(stack.mail.messages)
        approve = DecideRequest(approve=True, contract_start=date(2031, 4, 1), actor="a")
        with pytest.raises(ActionError, match="skallkrav: not yet assessed: no-tax-debts"):
            await apps.decide(stack.client, wid, approve)
        with pytest.raises(ActionError, match="reason: must not be empty"):
            await apps.decide(stack.client, wid, DecideRequest(approve=False, actor="a"))
        with pytest.raises(ActionError, match="skallkrav: 'nope' is not a skallkrav"):
            await apps.assess(stack.client, wid, AssessRequest(key="nope", met=True, actor="a"))
        with pytest.raises(ActionError, match="note \\(why the requirement is not met\\)"):
            await apps.assess(
                stack.client, wid, AssessRequest(key="insurance", met=False, actor="a")
            )
        with pytest.raises(ActionError, match="status: no komplettering has been requested"):
            await apps.complete(stack.client, wid, CompleteRequest(note="x", actor="a"))
        with pytest.raises(ActionError, match="due: must be after today"):
            await apps.request_completion(
                stack.client,
                wid,
                CompletionRequest(items=["x"], due=date(2031, 2, 3), actor="a"),
            )
        with pytest.raises(ActionError, match="org_nr: 556036-0793 already has an open"):
            await apps.submit_application(
                stack.client, stack.settings.temporal_task_queue, application()
            )
        with pytest.raises(ActionError, match="application: no application from 212000-2312"):
            await apps.status(stack.client, "212000-2312")
        with pytest.raises(ActionError, match="application: not an application id"):
            await apps.status(stack.client, "application-123")
        after = _counts(await handle.fetch_history())
        assert after[UPDATE_ACCEPTED] == before[UPDATE_ACCEPTED]
        assert after[ACTIVITY_SCHEDULED] == before[ACTIVITY_SCHEDULED]
        assert len(stack.mail.messages) == sent

        # Every skallkrav assessed, one not met: approval is still refused.
        await assess_all(stack, wid, {"insurance": "Försäkringsbrev saknas"})
        with pytest.raises(ActionError, match="skallkrav: not met: insurance"):
            await apps.decide(stack.client, wid, approve)
        await assess_all(stack, wid)
        with pytest.raises(ActionError, match="contract_start: must not be in the past"):
            await apps.decide(
                stack.client,
                wid,
                DecideRequest(approve=True, contract_start=date(2031, 1, 1), actor="a"),
            )
        await apps.decide(stack.client, wid, approve)
        with pytest.raises(ActionError, match="already approved"):
            await apps.decide(stack.client, wid, approve)


async def test_a_running_contract_blocks_a_new_application(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2031, 1, 1), time(0, 0)))
        await stack.start_contract(date(2031, 1, 1))
        with pytest.raises(ActionError, match="org_nr: 556036-0793 is already an approved"):
            await apps.submit_application(
                stack.client, stack.settings.temporal_task_queue, application()
            )


def test_application_ids_carry_the_org_nr_and_number() -> None:
    from models.ids import ApplicationRefError, application_workflow_id, parse_application_id

    assert application_workflow_id("556036-0793", 3) == "application-5560360793-3"
    assert parse_application_id("application-5560360793-3") == ("556036-0793", 3)
    for bad in ("application-5560360794-1", "application-5560360793-0", "contract-5560360793"):
        with pytest.raises(ApplicationRefError):
            parse_application_id(bad)
    assert ApplicationWorkflow.__name__ == "ApplicationWorkflow"


async def test_a_danish_plan_reviews_in_danish(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2031, 2, 3), time(9, 30)))
        wid = await apps.submit_application(
            stack.client,
            stack.settings.temporal_task_queue,
            application().model_copy(update={"plan_id": "herning"}),
        )
        await apps.decide(
            stack.client, wid, DecideRequest(approve=False, reason="Mangler CVR-bevis", actor="a")
        )
        await stack.client.get_workflow_handle(wid).result()
        subjects = [str(m["Subject"]) for m in stack.mail.messages]
        assert subjects[0].startswith("Kvittering: ansøgning")
        assert subjects[-1] == f"Afgørelse: ansøgning nr {wid.rsplit('-', 1)[1]} har fået afslag"
        text = body(stack.mail.messages[-1])
        assert "Mangler CVR-bevis" in text and "Klagevejledning" in text
        assert "förvaltningsrätten" not in text
