"""The contract's start names who started it: the administrator approving an application (the
approval starts the contract from an activity), or the actor given to
services.contracts.start_contract. Histories recorded before carry no actor and replay as
"system" (tests/workflows/test_replay.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from models.messages.application import AssessRequest, DecideRequest
from models.messages.common import Provider
from models.plans.loader import load_plan
from models.runtime.settings import PROJECT_ROOT
from services import applications as apps
from services import contracts
from tests.support.applications import submitted
from tests.support.harness import PROVIDER, lovflow_stack
from tests.support.helpers import eventually

SKALLKRAV = [k.key for k in load_plan("sundsvall", PROJECT_ROOT / "plans").skallkrav]
OTHER = Provider(org_nr="559012-1231", name="Beta Hemtjänst AB", email="beta@hemtjanst.example")


async def test_approval_and_a_direct_start_name_who_started_the_contract(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        wid = await submitted(stack)
        for key in SKALLKRAV:
            request = AssessRequest(key=key, met=True, note="", actor="anna.admin")
            await apps.assess(stack.client, wid, request)
        decision = DecideRequest(approve=True, contract_start=date(2031, 4, 1), actor="chef.bo")
        await apps.decide(stack.client, PROVIDER.org_nr, decision)
        await contracts.start_contract(
            stack.client,
            stack.settings.temporal_task_queue,
            OTHER,
            date(2031, 3, 1),
            "sundsvall",
            search_attributes=False,
            actor="eva.admin",
        )

        async def recorded() -> None:
            for org_nr, actor in ((PROVIDER.org_nr, "chef.bo"), (OTHER.org_nr, "eva.admin")):
                events = await stack.store.list_audit(org_nr)
                # Before: "system" for both.
                assert [e.actor for e in events if e.event_type == "contract-started"] == [actor]

        await eventually(recorded, timeout=20)
