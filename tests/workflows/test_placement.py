"""Kundval on the time-skipping server: choice, genomförandeplan deadline, switch, re-placement
after a provider's termination, validator rejections, concurrent placements. Mail is received by
a real SMTP server; dates are in spring 2031 (Sundsvall plan: genomförandeplan within 14 days,
reminders 7 and 2 days before, the plan's ladder +1/+14/+30 days; switch within 7–14 days)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError

from models.ids import rotation_workflow_id
from models.messages.contract import TerminateRequest
from models.messages.placement import (
    AssignRequest,
    CarePlanDoneRequest,
    ChooseRequest,
    PlacementState,
    RotationEntry,
    SwitchRequest,
)
from services import contracts
from services import placements as pa
from services.calls import ActionError
from tests.support.harness import Stack, local, lovflow_stack
from tests.support.placement_helpers import (
    ADMIN,
    AREA,
    MANAGEMENT,
    SERVICE,
    A,
    B,
    C,
    at,
    chosen,
    new_placement,
    placement_mails,
    providers_on_list,
    registered,
)
from workflows.rotation import RotationWorkflow

UPDATE_ACCEPTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED


async def _accepted_updates(stack: Stack, workflow_id: str) -> int:
    history = await stack.client.get_workflow_handle(workflow_id).fetch_history()
    return sum(1 for e in history.events if e.event_type == UPDATE_ACCEPTED)


async def test_care_plan_deadline_reminders_and_escalation(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await providers_on_list(stack, A, B)
        wid = await chosen(stack, A)
        s = await pa.status(stack.client, wid)
        assert (s.state, s.provider, s.via, s.provider_start) == (
            PlacementState.ACTIVE,
            A.org_nr,
            "choice",
            date(2031, 3, 3),
        )
        assert s.care_plan is not None and s.care_plan.due == date(2031, 3, 17)
        await stack.sleep_until(local(date(2031, 4, 20)))
        await pa.care_plan_done(stack.client, wid, CarePlanDoneRequest(actor="anna"))
        await stack.sleep_until(local(date(2031, 6, 30)))

        provider_admin = f"{A.email}, {ADMIN}"
        assert placement_mails(stack) == [
            (at(2, 24, 10), "placement-new", A.email),
            (at(3, 10), "care-plan-reminder", A.email),
            # 2 days before is Saturday 15 March: the Friday before.
            (at(3, 14), "care-plan-reminder", A.email),
            (at(3, 18), "care-plan-overdue", provider_admin),
            (at(3, 31), "care-plan-pafpekande", provider_admin),
            (at(4, 16), "care-plan-management", f"{MANAGEMENT}, {ADMIN}"),
        ]
        new = next(m for m in stack.mail.messages if m["X-Lov-Kind"] == "placement-new")
        body = new.get_content()
        # Start confirmed, what is due by when, to whom, and what happens if it is late.
        assert "3 mars 2031" in str(new["Subject"]) and "DNR-2031-0042" not in str(new["Subject"])
        assert "17 mars 2031" in body and ADMIN in body and "påpekande" in body
        s = await pa.status(stack.client, wid)
        assert s.care_plan is not None
        assert (s.care_plan.done_on, s.care_plan.escalation_level) == (date(2031, 4, 20), 3)
        record = await stack.store.get_placement(wid)
        assert record is not None and record.care_plan_current and record.org_nr == A.org_nr
        assert record.granted_hours == Decimal("22.50")


async def test_switch_takes_effect_after_seven_days_and_restarts_the_care_plan(
    tmp_path: Path,
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await providers_on_list(stack, A, B)
        wid = await chosen(stack, A)
        await stack.sleep_until(local(date(2031, 3, 5)))
        await pa.care_plan_done(stack.client, wid, CarePlanDoneRequest(actor="anna"))
        await stack.sleep_until(local(date(2031, 4, 1)))
        s = await pa.switch(stack.client, wid, SwitchRequest(provider=B.org_nr, actor="anna"))
        assert s.pending_switch is not None and s.pending_switch.effective == date(2031, 4, 8)
        assert s.provider == A.org_nr  # until the switch takes effect

        await stack.sleep_until(local(date(2031, 4, 7), time(23, 0)))
        assert (await pa.status(stack.client, wid)).provider == A.org_nr
        await stack.sleep_until(local(date(2031, 4, 8), time(8, 0)))
        s = await pa.status(stack.client, wid)
        assert (s.provider, s.provider_start, s.pending_switch) == (
            B.org_nr,
            date(2031, 4, 8),
            None,
        )
        assert s.care_plan is not None
        assert (s.care_plan.org_nr, s.care_plan.due, s.care_plan.done_on) == (
            B.org_nr,
            date(2031, 4, 22),
            None,
        )
        await stack.sleep_until(local(date(2031, 4, 19)))
        await pa.care_plan_done(stack.client, wid, CarePlanDoneRequest(actor="anna"))
        await stack.sleep_until(local(date(2031, 5, 31)))

        assert placement_mails(stack) == [
            (at(2, 24, 10), "placement-new", A.email),
            (at(4, 1, 10), "placement-switch-out", A.email),
            (at(4, 1, 10), "placement-switch-in", B.email),
            (at(4, 15), "care-plan-reminder", B.email),
            (at(4, 18), "care-plan-reminder", B.email),
        ]
        out = next(m for m in stack.mail.messages if m["X-Lov-Kind"] == "placement-switch-out")
        assert "7 april 2031" in out.get_content()  # last day with the old provider
        into = next(m for m in stack.mail.messages if m["X-Lov-Kind"] == "placement-switch-in")
        assert "8 april 2031" in str(into["Subject"]) and "22 april 2031" in into.get_content()
        stats = await stack.store.placement_statistics()
        assert [(r.org_nr, r.decisions, r.granted_hours, r.share_current) for r in stats] == [
            (B.org_nr, 1, Decimal("22.50"), Decimal("1.00"))
        ]
        by_query = await pa.statistics(stack.client, "sundsvall")
        assert [(r.org_nr, r.decisions, r.care_plans_current) for r in by_query] == [
            (B.org_nr, 1, 1)
        ]


async def test_termination_asks_for_a_new_choice_then_the_rotation_list_applies(
    tmp_path: Path,
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await providers_on_list(stack, A, B)
        wid = await chosen(stack, A)
        await stack.sleep_until(local(date(2031, 3, 5)))
        await pa.care_plan_done(stack.client, wid, CarePlanDoneRequest(actor="anna"))
        await stack.sleep_until(local(date(2031, 6, 2)))
        await contracts.terminate(
            stack.client,
            A.org_nr,
            TerminateRequest(
                end_date=date(2031, 8, 31), kind="uppsagning", reason="Avslutar", actor="anna"
            ),
        )
        await stack.sleep_until(local(date(2031, 6, 3)))
        s = await pa.status(stack.client, wid)
        assert (s.state, s.choice_due, s.provider) == (
            PlacementState.AWAITING_CHOICE,
            date(2031, 6, 16),
            A.org_nr,
        )
        assert [
            q.providers for q in (await pa.rotation_status(stack.client, "sundsvall")).lists
        ] == [(B.org_nr,)]
        # Nobody chooses: the rotation list applies at the end of the 16th.
        await stack.sleep_until(local(date(2031, 6, 30)))
        s = await pa.status(stack.client, wid)
        assert (s.state, s.provider, s.via, s.provider_start) == (
            PlacementState.ACTIVE,
            B.org_nr,
            "rotation",
            date(2031, 6, 24),
        )
        # Assigned at midnight by the rotation, no one's action: the providers hear of it at
        # the start of the working day (issue 16), not in the night.
        morning = at(6, 17, 9)
        assert placement_mails(stack) == [
            (at(2, 24, 10), "placement-new", A.email),
            (at(6, 2, 10), "placement-rechoice", ADMIN),
            (morning, "placement-switch-out", A.email),
            (morning, "placement-switch-in", B.email),
        ]
        rechoice = next(m for m in stack.mail.messages if m["X-Lov-Kind"] == "placement-rechoice")
        assert "16 juni 2031" in str(rechoice["Subject"])
        assert "turordningslistan" in rechoice.get_content()


async def test_validators_refuse_unapproved_same_provider_and_unknown_placement(
    tmp_path: Path,
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await providers_on_list(stack, A, B)
        await stack.start_contract(date(2030, 1, 1), provider=C)  # a contract, but not listed
        wid = await new_placement(stack)
        await registered(stack, wid)
        with pytest.raises(ActionError) as caught:
            await pa.choose(stack.client, wid, ChooseRequest(provider=C.org_nr, actor="anna"))
        assert caught.value.field == "provider" and "not approved" in str(caught.value)
        assert await _accepted_updates(stack, wid) == 0

        # The rotation workflow's own validator refuses it too, before history.
        rotation = stack.client.get_workflow_handle(rotation_workflow_id("sundsvall"))
        before = await _accepted_updates(stack, rotation.id)
        with pytest.raises(WorkflowUpdateFailedError):
            await rotation.execute_update(
                RotationWorkflow.assign,
                AssignRequest(key="x:1", area=AREA, service_type=SERVICE, chosen=C.org_nr),
            )
        assert await _accepted_updates(stack, rotation.id) == before

        await pa.choose(stack.client, wid, ChooseRequest(provider=A.org_nr, actor="anna"))
        accepted = await _accepted_updates(stack, wid)
        sent = len(stack.mail.messages)
        with pytest.raises(ActionError) as caught:
            await pa.switch(stack.client, wid, SwitchRequest(provider=A.org_nr, actor="anna"))
        assert caught.value.field == "provider" and "already" in str(caught.value)
        with pytest.raises(ActionError) as caught:
            await pa.switch(
                stack.client,
                wid,
                SwitchRequest(provider=B.org_nr, effective=date(2031, 3, 20), actor="anna"),
            )
        assert caught.value.field == "effective"
        assert await _accepted_updates(stack, wid) == accepted
        assert len(stack.mail.messages) == sent

        with pytest.raises(ActionError) as caught:
            await pa.status(stack.client, "placement-0123456789ab")
        assert caught.value.field == "placement"
        with pytest.raises(ActionError) as caught:
            await pa.choose(
                stack.client, "placement-0123456789ab", ChooseRequest(provider=None, actor="a")
            )
        assert caught.value.field == "placement"
        assert len(stack.mail.messages) == sent


async def test_concurrent_placements_are_assigned_strictly_in_turn(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await providers_on_list(stack, A, B, C)
        order = [A.org_nr, B.org_nr, C.org_nr]
        rotation = stack.client.get_workflow_handle(rotation_workflow_id("sundsvall"))
        results = await asyncio.gather(
            *(
                rotation.execute_update(
                    RotationWorkflow.assign,
                    AssignRequest(key=f"direct:{i}", area=AREA, service_type=SERVICE),
                )
                for i in range(30)
            )
        )
        assert sorted(r.sequence for r in results) == list(range(1, 31))
        assert all(r.org_nr == order[(r.sequence - 1) % 3] for r in results)

        # Through placements: nine customers decline to choose at the same moment.
        wids = [await new_placement(stack, f"DNR-{i}") for i in range(9)]
        for wid in wids:
            await registered(stack, wid)
        await asyncio.gather(
            *(pa.choose(stack.client, w, ChooseRequest(provider=None, actor="h")) for w in wids)
        )
        statuses = [await pa.status(stack.client, w) for w in wids]
        assert Counter(s.provider for s in statuses) == {p: 3 for p in order}
        assert all(s.via == "rotation" for s in statuses)
        lists = (await pa.rotation_status(stack.client, "sundsvall")).lists
        assert [(q.providers, q.assigned) for q in lists] == [(tuple(order), 39)]


async def test_an_approved_application_puts_the_provider_on_its_lists(tmp_path: Path) -> None:
    from models.messages.application import AssessRequest, DecideRequest
    from models.plans.loader import load_plan
    from models.runtime.settings import PROJECT_ROOT
    from services import applications as apps
    from tests.support.applications import submitted

    async with lovflow_stack(tmp_path) as stack:
        wid = await submitted(stack)
        for k in load_plan("sundsvall", PROJECT_ROOT / "plans").skallkrav:
            await apps.assess(stack.client, wid, AssessRequest(key=k.key, met=True, actor="a"))
        await apps.decide(
            stack.client,
            wid,
            DecideRequest(approve=True, contract_start=date(2031, 4, 1), actor="chef"),
        )
        status = await pa.rotation_status(stack.client, "sundsvall")
        assert sorted((q.area, q.service_type, q.providers) for q in status.lists) == [
            ("Alnö", "omvårdnad", (A.org_nr,)),
            ("Alnö", "service", (A.org_nr,)),
            ("Centrum", "omvårdnad", (A.org_nr,)),
            ("Centrum", "service", (A.org_nr,)),
        ]
        assert status.names[A.org_nr] == A.name


async def test_providers_whose_contract_has_not_started_are_passed_over(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2031, 2, 24), time(8, 0)))
        # C is approved now with a contract from 1 June, and is first in turn; A has run since
        # 2030. Both join the list by an administrator (their contract start goes with them).
        await stack.start_contract(date(2031, 6, 1), provider=C)
        await stack.start_contract(date(2030, 1, 1), provider=A)
        for p in (C, A):
            await pa.add_provider(
                stack.client,
                stack.settings.temporal_task_queue,
                "sundsvall",
                RotationEntry(org_nr=p.org_nr, area=AREA, service_type=SERVICE, actor="anna"),
                search_attributes=False,
            )
        first = await new_placement(stack, "DNR-2031-0050")  # care starts 3 March
        await registered(stack, first)
        with pytest.raises(ActionError) as caught:
            await pa.choose(stack.client, first, ChooseRequest(provider=C.org_nr, actor="anna"))
        assert caught.value.field == "provider" and "2031-06-01" in str(caught.value)
        await pa.choose(stack.client, first, ChooseRequest(provider=None, actor="anna"))
        assert (await pa.status(stack.client, first)).provider == A.org_nr
        # C kept its place: the first placement starting after 1 June is C's.
        later = await new_placement(stack, "DNR-2031-0051", start=date(2031, 6, 2))
        await registered(stack, later)
        await pa.choose(stack.client, later, ChooseRequest(provider=None, actor="anna"))
        assert (await pa.status(stack.client, later)).provider == C.org_nr


async def test_the_choice_deadline_is_a_business_day(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        # Registered Saturday 8 March 2031: 14 days is Saturday 22 March, so Monday 24 March.
        await stack.sleep_until(local(date(2031, 3, 8)))
        wid = await new_placement(stack, "DNR-2031-0060", start=date(2031, 3, 31))
        s = await registered(stack, wid)
        assert s.choice_due == date(2031, 3, 24)
