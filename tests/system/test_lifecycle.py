"""The contract lifecycle on the time-skipping server, with mail received by a real SMTP server.

Dates are in 2031 (Sundsvall plan, contract running since 2030): T1 is due Sunday 20 April,
moved to Monday 21 April; reminders 30/14/3 days before fall on Friday 21 March (Saturday moved
back), Monday 7 April and Friday 18 April; the ladder runs +1, +14 and +30 days after the due date.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

from models.messages.contract import RequestDutyRequest, TerminateRequest
from models.messages.obligation import (
    ExtendRequest,
    ReviewRequest,
    SubmitRequest,
    WaiveRequest,
)
from services import contracts, obligations
from services.calls import ActionError
from tests.support.harness import PROVIDER, STOCKHOLM, Stack, local, lovflow_stack, run_histories
from tests.support.lifecycle import t1_submission
from tests.support.plans import QUARTERLY_PLAN
from workflows.contract import ContractWorkflow

pytestmark = pytest.mark.slow

ORG = PROVIDER.org_nr
ADMIN = "lov-admin@sundsvall.example"
MANAGEMENT = "forvaltningsledning@sundsvall.example"
ECONOMIST = "forvaltningsekonom@sundsvall.example"


def at(month: int, day: int, hour: int = 9, year: int = 2031) -> datetime:
    return datetime.combine(date(year, month, day), time(hour, 0), STOCKHOLM)


UPDATE_ACCEPTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
ACTIVITY_SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED


def _counts(history: WorkflowHistory) -> Counter[int]:
    return Counter(e.event_type for e in history.events)


async def started_2031(stack: Stack) -> None:
    await stack.sleep_until(local(date(2031, 1, 1), time(0, 0)))
    await stack.start_contract(date(2030, 1, 1))


@pytest.mark.parametrize("split_workers", [False, True], ids=["one-worker", "split-workers"])
async def test_on_time_provider_gets_reminders_receipt_and_acceptance(
    tmp_path: Path, split_workers: bool
) -> None:
    async with lovflow_stack(tmp_path, split_workers=split_workers) as stack:
        await started_2031(stack)
        await stack.sleep_until(local(date(2031, 4, 15)))
        await obligations.submit(stack.client, ORG, "self-inspection", "2031-T1", t1_submission())
        await stack.sleep_until(local(date(2031, 4, 16)))
        await obligations.review(
            stack.client,
            ORG,
            "self-inspection",
            "2031-T1",
            ReviewRequest(outcome="accept", note="Bra", actor="anna.admin"),
        )
        await stack.sleep_until(local(date(2031, 6, 30)))

        assert stack.mails("self-inspection", "2031-T1") == [
            (at(3, 21), "reminder", PROVIDER.email),
            (at(4, 7), "reminder", PROVIDER.email),
            (at(4, 15, 10), "receipt", f"{PROVIDER.email}, {ADMIN}"),
            (at(4, 16, 10), "accepted", PROVIDER.email),
        ]
        assert await stack.store.list_escalations(ORG) == []
        item = await obligations.obligation_status(stack.client, ORG, "self-inspection", "2031-T1")
        assert item.status == "accepted" and item.due == date(2031, 4, 21)
        reminder = next(m for m in stack.mail.messages if m["X-Lov-Kind"] == "reminder")
        body = reminder.get_content()
        # What is due, by when, to whom, and what happens if it is late.
        assert "21 april 2031" in str(reminder["Subject"])
        assert ADMIN in body and "Egenkontroll" in body and "påpekande" in body


async def test_late_provider_runs_the_escalation_ladder_until_submitted(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await started_2031(stack)
        await stack.sleep_until(local(date(2031, 5, 30)))
        status = await contracts.contract_status(stack.client, ORG)
        overdue = status.obligations["self-inspection"].overdue
        assert [(i.period, i.escalation_level) for i in overdue] == [("2031-T1", 3)]
        await obligations.submit(stack.client, ORG, "self-inspection", "2031-T1", t1_submission())
        await stack.sleep_until(local(date(2031, 7, 15)))

        provider_admin = f"{PROVIDER.email}, {ADMIN}"
        assert stack.mails("self-inspection", "2031-T1") == [
            (at(3, 21), "reminder", PROVIDER.email),
            (at(4, 7), "reminder", PROVIDER.email),
            (at(4, 18), "reminder", PROVIDER.email),
            # The ladder's steps to the provider carry its portal link: the administrator gets
            # a copy of its own, without the link.
            (at(4, 22), "overdue", PROVIDER.email),
            (at(4, 22), "overdue", ADMIN),
            (at(5, 5), "pafpekande", PROVIDER.email),
            (at(5, 5), "pafpekande", ADMIN),
            (at(5, 21), "management", f"{MANAGEMENT}, {ADMIN}"),
            (at(5, 30, 10), "receipt", provider_admin),
        ]
        escalations = await stack.store.list_escalations(ORG)
        assert [
            (e.level, e.at.astimezone(STOCKHOLM).replace(microsecond=0))
            for e in escalations
            if e.period == "2031-T1"
        ] == [
            (1, at(4, 22)),
            (2, at(5, 5)),
            (3, at(5, 21)),
        ]
        item = await obligations.obligation_status(stack.client, ORG, "self-inspection", "2031-T1")
        assert item.status == "submitted" and not item.overdue


async def test_termination_keeps_duties_covering_contract_time_and_ends_contract(
    tmp_path: Path,
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await started_2031(stack)
        await stack.sleep_until(local(date(2031, 6, 10)))
        await contracts.terminate(
            stack.client,
            ORG,
            TerminateRequest(
                end_date=date(2031, 6, 30),
                kind="uppsagning",
                reason="Utföraren avslutar",
                actor="anna",
            ),
        )
        await stack.sleep_until(local(date(2032, 6, 30)))

        notices = [m for m in stack.mail.messages if m["X-Lov-Kind"] == "notice"]
        assert len(notices) == 1
        notice = notices[0].get_content()
        assert "30 juni 2031" in notice
        # T2 (May–August), the annual report and the årsredovisning report on time before the
        # end date: still owed, listed by title and period. T3 (September–December) is not.
        assert (
            "Egenkontroll – kvalitet och delaktighet i genomförandeplanen för perioden 2031-T2"
            in notice
        )
        # The årsredovisning due in 2031 is the one for the fiscal year 2030.
        assert "Årsredovisning för räkenskapsåret 2030" in notice
        assert "2031-T3" not in notice and "self-inspection" not in notice
        assert [m[1] for m in stack.mails("self-inspection", "2031-T3")] == []
        assert "reminder" in [m[1] for m in stack.mails("self-inspection", "2031-T2")]
        assert "overdue" in [m[1] for m in stack.mails("annual-accounts", "2031")]

        status = await stack.client.get_workflow_handle(f"contract-{ORG.replace('-', '')}").query(
            ContractWorkflow.status
        )
        assert status.state == "terminated"
        cancelled = {
            (name, i.period)
            for name, ob in status.obligations.items()
            for i in ob.done
            if i.status == "cancelled"
        }
        assert ("self-inspection", "2031-T3") in cancelled
        assert not {("self-inspection", "2031-T2"), ("annual-accounts", "2031")} & cancelled
        assert all(
            not p.startswith("2032")
            for ob in status.obligations.values()
            for p in [i.period for i in ob.open + ob.overdue + ob.done]
        )
        # T1 (due in April) is still owed and was escalated, as before the termination.
        assert status.obligations["self-inspection"].overdue[0].period == "2031-T1"
        with pytest.raises(ActionError, match="org_nr: the contract for .* has ended"):
            await contracts.terminate(
                stack.client,
                ORG,
                TerminateRequest(end_date=date(2032, 7, 1), kind="havning", reason="x", actor="a"),
            )


async def test_waive_extend_and_the_recipient_told_of_a_late_duty(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await started_2031(stack)
        await stack.sleep_until(local(date(2031, 3, 25)))
        await obligations.waive(
            stack.client,
            ORG,
            "self-inspection",
            "2031-T1",
            WaiveRequest(reason="Nystartad", actor="anna"),
        )
        await stack.sleep_until(local(date(2031, 8, 1)))
        await obligations.extend(
            stack.client,
            ORG,
            "self-inspection",
            "2031-T2",
            ExtendRequest(
                new_due=date(2031, 9, 13), reason="Byte av verksamhetschef", actor="anna"
            ),
        )
        await stack.sleep_until(local(date(2031, 9, 30)))

        assert stack.mails("self-inspection", "2031-T1") == [
            (at(3, 21), "reminder", PROVIDER.email),
            (at(3, 25, 10), "waived", PROVIDER.email),
        ]
        # 13 September 2031 is a Saturday: the new due date is Monday 15 September; reminders
        # 30, 14 and 3 days before it (the first moved back from Saturday 16 August), and the
        # ladder counts from it.
        assert stack.mails("self-inspection", "2031-T2") == [
            (at(7, 21), "reminder", PROVIDER.email),
            (at(8, 1, 10), "extended", PROVIDER.email),
            (at(8, 15), "reminder", PROVIDER.email),
            (at(9, 1), "reminder", PROVIDER.email),
            (at(9, 12), "reminder", PROVIDER.email),
            (at(9, 16), "overdue", PROVIDER.email),
            (at(9, 16), "overdue", ADMIN),
            (at(9, 29), "pafpekande", PROVIDER.email),
            (at(9, 29), "pafpekande", ADMIN),
        ]
        t2 = await obligations.obligation_status(stack.client, ORG, "self-inspection", "2031-T2")
        assert t2.due == date(2031, 9, 15) and t2.escalation_level == 2
        # The årsredovisning (due Thursday 31 July) goes to the förvaltningsekonom, who is told
        # when it is late as well as the ladder's own roles (the plan could opt out).
        late = [m for m in stack.mails("annual-accounts", "2031") if m[1] != "reminder"]
        assert late == [
            (at(8, 1), "overdue", PROVIDER.email),
            (at(8, 1), "overdue", f"{ADMIN}, {ECONOMIST}"),
            (at(8, 14), "pafpekande", PROVIDER.email),
            (at(8, 14), "pafpekande", f"{ADMIN}, {ECONOMIST}"),
            (at(9, 1), "management", f"{MANAGEMENT}, {ADMIN}, {ECONOMIST}"),
        ]


async def test_plan_revision_takes_effect_next_year(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    plan_file = plans / "sundsvall.toml"
    shutil.copy(Path(__file__).parents[2] / "plans" / "sundsvall.toml", plan_file)
    async with lovflow_stack(tmp_path, plans_dir=plans) as stack:
        await started_2031(stack)
        await stack.sleep_until(local(date(2031, 2, 1)))
        text = plan_file.read_text(encoding="utf-8")
        revised = text.replace('version = "2026-1"', 'version = "2031-2"').replace(
            "due = { month = 4, day = 20 }", "due = { month = 4, day = 30 }"
        )
        assert revised.count("2031-2") == 1 and "day = 30 }" in revised
        plan_file.write_text(revised, encoding="utf-8")
        await stack.sleep_until(local(date(2032, 2, 1)))

        status = await contracts.contract_status(stack.client, ORG)
        assert status.plan_versions == {2031: "2026-1", 2032: "2031-2"}
        t1 = {
            i.period: i.due
            for i in status.obligations["self-inspection"].open
            + status.obligations["self-inspection"].overdue
        }
        assert t1["2032-T1"] == date(2032, 4, 30)
        overdue_2031 = status.obligations["self-inspection"].overdue
        assert [(i.period, i.due) for i in overdue_2031 if i.period == "2031-T1"] == [
            ("2031-T1", date(2031, 4, 21))
        ]
        years = await stack.store.contract_years(status.workflow_id)
        assert [(y.year, y.plan_version.split()[0]) for y in years] == [
            (2031, "2026-1"),
            (2032, "2031-2"),
        ]


async def test_validators_reject_bad_updates_before_history(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await started_2031(stack)
        await stack.sleep_until(local(date(2031, 3, 1)))
        handle = stack.client.get_workflow_handle("obligation-5560360793-annual-report-2031")
        before = _counts(await handle.fetch_history())
        sent = len(stack.mail.messages)
        cases = [
            ({"sol_deviations": -1}, "fields.sol_deviations: .* ska vara minst 0"),
            ({"unknown_count": 1}, "fields.unknown_count: finns inte i"),
            ({"sol_deviations": True}, "fields.sol_deviations: .* ska vara ett heltal"),
            ({}, "fields.sol_deviations: .* saknas men krävs"),
        ]
        for fields, message in cases:
            with pytest.raises(ActionError, match=message):
                await obligations.submit(
                    stack.client,
                    ORG,
                    "annual-report",
                    "2031",
                    SubmitRequest(fields=fields, actor="a"),
                )
        with pytest.raises(ActionError, match="status: nothing to review"):
            await obligations.review(
                stack.client,
                ORG,
                "annual-report",
                "2031",
                ReviewRequest(outcome="accept", actor="a"),
            )
        with pytest.raises(ActionError, match="new_due: must be after the current due date"):
            await obligations.extend(
                stack.client,
                ORG,
                "annual-report",
                "2031",
                ExtendRequest(new_due=date(2031, 11, 1), reason="x", actor="a"),
            )
        with pytest.raises(ActionError, match="reason: must not be empty"):
            await obligations.waive(
                stack.client, ORG, "annual-report", "2031", WaiveRequest(reason=" ", actor="a")
            )
        with pytest.raises(ActionError, match="obligation: 'no-such-duty' is not an obligation"):
            await obligations.waive(
                stack.client, ORG, "no-such-duty", "2031", WaiveRequest(reason="x", actor="a")
            )
        with pytest.raises(ActionError, match="period: annual-report has no period '2030'"):
            await obligations.waive(
                stack.client, ORG, "annual-report", "2030", WaiveRequest(reason="x", actor="a")
            )
        with pytest.raises(ActionError, match="org_nr: no contract for provider 212000-2312"):
            await contracts.contract_status(stack.client, "212000-2312")
        # Rejected updates never reached history, and nothing was sent.
        after = _counts(await handle.fetch_history())
        assert after[UPDATE_ACCEPTED] == 0
        assert after[ACTIVITY_SCHEDULED] == before[ACTIVITY_SCHEDULED]
        assert len(stack.mail.messages) == sent
        # An accepted item cannot be submitted again: refused by the validator while the
        # workflow still holds the acceptance e-mail (1 March 2031 is a Saturday: it goes on
        # Monday), by the service once the workflow has completed.
        await obligations.submit(stack.client, ORG, "self-inspection", "2031-T1", t1_submission())
        await obligations.review(
            stack.client,
            ORG,
            "self-inspection",
            "2031-T1",
            ReviewRequest(outcome="accept", actor="a"),
        )
        with pytest.raises(ActionError, match="status: .*the item is already accepted"):
            await obligations.submit(
                stack.client, ORG, "self-inspection", "2031-T1", t1_submission()
            )


HISTORY_BOUND = 200  # events per contract run, whatever the contract's age


async def test_ten_years_keep_each_run_history_bounded(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "quarterly.toml").write_text(QUARTERLY_PLAN, encoding="utf-8")
    async with lovflow_stack(tmp_path, plans_dir=plans) as stack:
        await stack.sleep_until(local(date(2031, 1, 1), time(0, 0)))
        await stack.start_contract(date(2030, 1, 1), plan="quarterly")
        report = SubmitRequest(fields={"customers": 12}, actor="anna")
        for year in range(2031, 2041):
            for quarter, month in enumerate((4, 7, 10, 12), start=1):
                await stack.sleep_until(local(date(year, month, 10)))
                period = f"{year}-Q{quarter}"
                await obligations.submit(stack.client, ORG, "quarterly-report", period, report)
                accept = ReviewRequest(outcome="accept", actor="anna")
                await obligations.review(stack.client, ORG, "quarterly-report", period, accept)
        # The time-skipping server ends any workflow chain after ten years (a real server has no
        # such default), so the simulation stops just short of it: ten follow-up years.
        await stack.sleep_until(local(date(2040, 12, 20)))

        runs = await run_histories(stack.client, "contract-5560360793")
        lengths = [len(h.events) for h in runs]
        assert len(runs) == 11, lengths  # 2031 … 2040, and 2041 prepared on 1 December 2040
        assert max(lengths) < HISTORY_BOUND, lengths
        # Full years cost the same in year ten as in year two: the bound does not creep.
        assert lengths[-2] <= lengths[1] + 10, lengths
        status = await contracts.contract_status(stack.client, ORG)
        assert status.year == 2041
        # Finished items older than two years are folded into a count, so the state carried
        # across continue-as-new stays small too.
        summary = status.obligations["quarterly-report"]
        assert summary.done_earlier == 4 * 8  # 2031 … 2038
        assert len(summary.done) == 4 * 2 and summary.overdue == []


async def test_a_provider_onboarded_in_december_has_the_years_past_duties_to_request(
    tmp_path: Path,
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        # Registered on 10 December 2031, after 2032 was prepared (1 December), with a contract
        # running since 2029: every 2031 duty's deadline has passed.
        await stack.sleep_until(local(date(2031, 12, 10), time(9, 0)))
        await stack.start_contract(date(2029, 1, 1))
        await stack.sleep_until(local(date(2031, 12, 10), time(11, 0)))
        status = await contracts.contract_status(stack.client, ORG)
        assert status.year == 2032
        assert {(o.obligation, o.period) for o in status.not_requested} >= {
            ("self-inspection", "2031-T1"),
            ("self-inspection", "2031-T3"),
            ("annual-accounts", "2031"),
            ("annual-report", "2031"),
        }
        assert "2032-T1" in {i.period for i in status.obligations["self-inspection"].open}
        assert stack.mails("annual-report", "2031") == []

        # Requested, due Saturday 20 December: Monday 22 December, with a reminder and the ladder.
        requested = await contracts.request_duty(
            stack.client,
            ORG,
            RequestDutyRequest(
                obligation="annual-report", period="2031", due=date(2031, 12, 20), actor="anna"
            ),
        )
        assert ("annual-report", "2031") not in {
            (o.obligation, o.period) for o in requested.not_requested
        }
        with pytest.raises(ActionError, match="period: annual-report 2031 is not a duty"):
            await contracts.request_duty(
                stack.client,
                ORG,
                RequestDutyRequest(
                    obligation="annual-report", period="2031", due=date(2031, 12, 20), actor="a"
                ),
            )
        await stack.sleep_until(local(date(2031, 12, 24)))
        assert stack.mails("annual-report", "2031") == [
            (at(12, 19), "reminder", PROVIDER.email),
            (at(12, 23), "overdue", PROVIDER.email),
            (at(12, 23), "overdue", ADMIN),
        ]
        item = await obligations.obligation_status(stack.client, ORG, "annual-report", "2031")
        assert (item.due, item.nominal_due) == (date(2031, 12, 22), date(2031, 12, 20))
