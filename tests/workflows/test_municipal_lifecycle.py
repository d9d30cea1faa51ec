"""The municipal duties' providers follow the contracts (issue 19, provider lifecycle), on the
time-skipping server with a real SMTP server: a contract started (`lov contract start` or an
approved application) gets its per-provider task at once, via the `providers_changed` signal
the application layer sends; a contract terminated before a task's due date cancels the task
(off the list and the records, audited, no reminders); a plan without municipal duties is not
signalled; and a task due early in the new year is reminded of in December."""

from __future__ import annotations

from datetime import date, time, timedelta
from email.message import EmailMessage
from pathlib import Path

from models.ids import id_part
from models.messages.application import AssessRequest, DecideRequest
from models.messages.contract import TerminateRequest
from models.plans.loader import load_plan
from models.runtime.municipal_signal import providers_changed
from models.runtime.settings import PROJECT_ROOT
from services import applications as apps
from services import contracts
from tests.support.applications import submitted
from tests.support.harness import PROVIDER, Stack, local, lovflow_stack
from tests.support.helpers import eventually
from tests.support.municipal import (
    NORRSKOG,
    SOLROS,
    early_survey_plans,
    start,
    task_list,
    under_plan,
)


def _reminders(stack: Stack, wid: str, period: str) -> list[EmailMessage]:
    return [
        m
        for m in stack.mail.messages
        if str(m["X-Lov-Workflow"]).startswith(wid)
        and m["X-Lov-Kind"] == "municipal-task-reminder"
        and m["X-Lov-Period"] == period
    ]


async def test_started_and_terminated_contracts_change_the_tasks(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2031, 1, 2), time(8, 0)))
        at = await stack.env.get_current_time()
        norr = await under_plan(stack.store, NORRSKOG, "nordanstig", date(2030, 1, 1), at)
        wid = await start(stack, "nordanstig")
        assert sorted(await task_list(stack, "nordanstig")) == sorted(
            [f"tillsynsbesok-2031-{norr}", "kundundersokning-2031"]
        )

        # A contract started: its visit is on the list long before the refresh of 1 February.
        await stack.start_contract(date(2031, 1, 5), "nordanstig", SOLROS)
        visit = f"tillsynsbesok-2031-{id_part(SOLROS.org_nr)}"

        async def listed() -> None:
            # The signal reads the providers at once and once more a minute later (the contract
            # workflow records its contract by an activity of its own).
            await stack.env.sleep(timedelta(minutes=2))
            assert visit in await task_list(stack, "nordanstig")

        await eventually(listed)
        assert await stack.env.get_current_time() < local(date(2031, 1, 3))
        rows = {r.task_id for r in await stack.store.list_municipal_tasks("nordanstig")}
        assert visit in rows

        # Terminated to end before the visit is due (2 June): the visit is cancelled.
        ending = TerminateRequest(
            end_date=date(2031, 4, 30), kind="uppsagning", reason="Upphör", actor="eva.admin"
        )
        await contracts.terminate(stack.client, SOLROS.org_nr, ending)

        async def states() -> dict[str, str]:
            return {
                r.task_id: r.state for r in await stack.store.list_municipal_tasks("nordanstig")
            }

        async def cancelled() -> None:
            assert visit not in await task_list(stack, "nordanstig")
            # The row stays for the auditors, cancelled (no longer deleted).
            assert (await states())[visit] == "cancelled"

        await eventually(cancelled)
        assert (await states())[f"tillsynsbesok-2031-{norr}"] != "cancelled"
        audit = [
            e for e in await stack.store.list_audit() if e.event_type == "municipal-task-cancelled"
        ]
        assert len(audit) == 1 and audit[0].org_nr == SOLROS.org_nr

        # Reminders in May go to the visit still to be done only.
        await stack.sleep_until(local(date(2031, 5, 27), time(12, 0)))
        reminded = _reminders(stack, wid, "2031")
        assert len(reminded) == 2
        assert all("Solros" not in str(m["Subject"]) for m in reminded)
        assert (await states())[visit] == "cancelled"

        # A plan with no municipal duties workflow running: nothing to tell, no error.
        assert not await providers_changed(stack.client, "sundsvall")


async def test_an_approved_application_signals_the_plans_duties(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        wid = await submitted(stack)
        await start(stack, "sundsvall")
        for key in [k.key for k in load_plan("sundsvall", PROJECT_ROOT / "plans").skallkrav]:
            await apps.assess(
                stack.client, wid, AssessRequest(key=key, met=True, note="", actor="anna.admin")
            )
        decision = DecideRequest(approve=True, contract_start=date(2031, 4, 1), actor="chef.bo")
        await apps.decide(stack.client, PROVIDER.org_nr, decision)
        task = f"statistics-extract-2031-{id_part(PROVIDER.org_nr)}"

        async def listed() -> None:
            await stack.env.sleep(timedelta(minutes=2))
            assert task in await task_list(stack, "sundsvall")

        await eventually(listed, timeout=20)
        assert await stack.env.get_current_time() < local(date(2031, 3, 1))


async def test_a_task_due_in_january_is_reminded_of_in_december(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path, early_survey_plans(tmp_path)) as stack:
        await stack.sleep_until(local(date(2031, 11, 20), time(8, 0)))
        wid = await start(stack, "nordanstig")
        # 20 January 2032 is a Tuesday: reminded 30 days before (21 December) and 7 days before.
        await stack.sleep_until(local(date(2031, 12, 23), time(12, 0)))
        assert len(_reminders(stack, wid, "2032")) == 1
        assert "kundundersokning-2032" in await task_list(stack, "nordanstig")
        # The new year's run carries it (its December reminder counted): one more reminder.
        await stack.sleep_until(local(date(2032, 1, 15), time(12, 0)))
        assert len(_reminders(stack, wid, "2032")) == 2
        tasks = await task_list(stack, "nordanstig")
        assert [t for t in tasks if t.startswith("kundundersokning")] == ["kundundersokning-2032"]
