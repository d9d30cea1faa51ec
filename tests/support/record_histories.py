"""Records the workflow histories that tests/workflows/test_replay.py replays.

Run `python -m tests.support.record_histories NAME…` (names below; none: all) after a
deliberate, patched change to workflow code, or to add a workflow type; never to make a
failing replay test pass.
Recording one set leaves the others' files untouched.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from models.domain.money import ClaimLine
from models.ids import recovery_workflow_id
from models.messages.application import (
    AssessRequest,
    CompleteRequest,
    CompletionRequest,
    DecideRequest,
)
from models.messages.contract import ChangeContactRequest, TerminateRequest
from models.messages.meeting import (
    ActionItem,
    CancelMeetingRequest,
    MinutesRequest,
    ScheduleRequest,
)
from models.messages.obligation import ExtendRequest, ReviewRequest, WaiveRequest
from models.messages.recovery import DecideRequest as RecoveryDecision
from models.messages.recovery import PaidRequest, RespondRequest, SettleRequest
from models.plans.loader import load_plan
from models.runtime.settings import PROJECT_ROOT
from services import applications as apps
from services import calls as actions
from services import contracts
from services import meetings as meeting_actions
from services import obligations as obligation_service
from services import recoveries as recovery
from tests.support.applications import application
from tests.support.harness import PROVIDER, STOCKHOLM, local, lovflow_stack, run_histories
from tests.support.lifecycle import t1_submission

HISTORIES = Path(__file__).parent.parent / "histories"
ORG = PROVIDER.org_nr


async def record_contract() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            await stack.sleep_until(local(date(2031, 1, 1)))
            await stack.start_contract(date(2030, 1, 1))
            await stack.sleep_until(local(date(2031, 4, 15)))
            await obligation_service.submit(
                stack.client, ORG, "self-inspection", "2031-T1", t1_submission()
            )
            await obligation_service.review(
                stack.client,
                ORG,
                "self-inspection",
                "2031-T1",
                ReviewRequest(
                    outcome="request-completion",
                    note="Analys saknas",
                    new_due=date(2031, 5, 15),
                    actor="anna",
                ),
            )
            await stack.sleep_until(local(date(2031, 5, 20)))
            await obligation_service.submit(
                stack.client, ORG, "self-inspection", "2031-T1", t1_submission()
            )
            await obligation_service.review(
                stack.client,
                ORG,
                "self-inspection",
                "2031-T1",
                ReviewRequest(outcome="accept", actor="anna"),
            )
            await obligation_service.extend(
                stack.client,
                ORG,
                "annual-accounts",
                "2031",
                ExtendRequest(new_due=date(2031, 9, 1), reason="Revisor sjuk", actor="anna"),
            )
            await stack.sleep_until(local(date(2031, 12, 15)))
            await contracts.terminate(
                stack.client,
                ORG,
                TerminateRequest(
                    end_date=date(2032, 3, 31), kind="uppsagning", reason="Avslut", actor="anna"
                ),
            )
            await stack.sleep_until(local(date(2032, 4, 5)))
            contract_runs = await run_histories(stack.client, "contract-5560360793")
            obligations = {
                "obligation-t1": "obligation-5560360793-self-inspection-2031-T1",
                "obligation-extended": "obligation-5560360793-annual-accounts-2031",
                "obligation-cancelled": "obligation-5560360793-self-inspection-2032-T2",
            }
            for i, history in enumerate(contract_runs):
                (HISTORIES / f"contract-run-{i + 1}.json").write_text(history.to_json())
            for name, wid in obligations.items():
                history = await stack.client.get_workflow_handle(wid).fetch_history()
                (HISTORIES / f"{name}.json").write_text(history.to_json())


async def record_application() -> None:
    skallkrav = [k.key for k in load_plan("sundsvall", PROJECT_ROOT / "plans").skallkrav]
    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            queue = stack.settings.temporal_task_queue
            await stack.sleep_until(local(date(2031, 2, 3)))
            approved = await apps.submit_application(stack.client, queue, application())
            await stack.sleep_until(local(date(2031, 2, 4)))
            await apps.assess(
                stack.client,
                approved,
                AssessRequest(key="insurance", met=False, note="Försäkringsbrev saknas", actor="a"),
            )
            await apps.request_completion(
                stack.client,
                approved,
                CompletionRequest(items=["Försäkringsbrev"], due=date(2031, 2, 20), actor="a"),
            )
            await stack.sleep_until(local(date(2031, 2, 18)))
            await apps.complete(stack.client, approved, CompleteRequest(note="Inkommet", actor="a"))
            for key in skallkrav:
                await apps.assess(
                    stack.client, approved, AssessRequest(key=key, met=True, actor="a")
                )
            await stack.sleep_until(local(date(2031, 4, 20)))  # reminders and the escalation
            await apps.decide(
                stack.client,
                approved,
                DecideRequest(approve=True, contract_start=date(2031, 6, 1), actor="chef"),
            )
            other = application().model_copy(
                update={"provider": PROVIDER.model_copy(update={"org_nr": "212000-2312"})}
            )
            incomplete = await apps.submit_application(stack.client, queue, other)
            await apps.request_completion(
                stack.client,
                incomplete,
                CompletionRequest(items=["Registreringsbevis"], actor="a"),
            )
            await stack.sleep_until(local(date(2031, 5, 20)))
            for name, wid in {
                "application-approved": approved,
                "application-incomplete": incomplete,
            }.items():
                history = await stack.client.get_workflow_handle(wid).fetch_history()
                (HISTORIES / f"{name}.json").write_text(history.to_json())


async def record_meetings() -> None:
    """H1 2031 scheduled, reminded, moved, held, minuted (an action item becomes an obligation);
    H2 2031 never scheduled: organizer reminded, management told, then called off; and the
    contract runs that opened them and, on termination, closed the 2032 meetings after its end."""

    def at(month: int, day: int, hour: int) -> datetime:
        return datetime.combine(date(2031, month, day), time(hour, 0), STOCKHOLM)

    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            await stack.sleep_until(local(date(2031, 1, 1)))
            await stack.start_contract(date(2030, 1, 1))
            h1, h2 = "meeting-5560360793-2031-H1", "meeting-5560360793-2031-H2"
            await stack.sleep_until(local(date(2031, 4, 1)))
            await meeting_actions.schedule(
                stack.client,
                h1,
                ScheduleRequest(starts_at=at(4, 22, 10), place="Stadshuset", actor="karin"),
            )
            await stack.sleep_until(local(date(2031, 4, 20)))
            await meeting_actions.reschedule(
                stack.client,
                h1,
                ScheduleRequest(
                    starts_at=at(5, 6, 14), link="https://meet.example/lov", actor="karin"
                ),
            )
            await stack.sleep_until(local(date(2031, 5, 8)))
            await meeting_actions.minutes(
                stack.client,
                h1,
                MinutesRequest(
                    summary="Genomgång av egenkontrollen",
                    attendees=["Karin", "Per"],
                    actions=[
                        ActionItem(owner="provider", due=date(2031, 6, 30), text="Ny rutin"),
                        ActionItem(owner="lov-admin", due=date(2031, 6, 1), text="Ny mall"),
                    ],
                    actor="karin",
                ),
            )
            await stack.sleep_until(local(date(2031, 12, 5)))
            await meeting_actions.cancel(
                stack.client,
                h2,
                CancelMeetingRequest(reason="Ersätts av tillsynsbesök", actor="karin"),
            )
            # The 2032 run closes the meeting after the end date (the close-meetings patch).
            await contracts.terminate(
                stack.client,
                ORG,
                TerminateRequest(
                    end_date=date(2032, 3, 31), kind="uppsagning", reason="Avslut", actor="anna"
                ),
            )
            await stack.sleep_until(local(date(2032, 4, 5)))
            for name, wid in {"meeting-held": h1, "meeting-escalated": h2}.items():
                history = await stack.client.get_workflow_handle(wid).fetch_history()
                (HISTORIES / f"{name}.json").write_text(history.to_json())
            runs = await run_histories(stack.client, "contract-5560360793")
            for i, history in enumerate(runs):
                (HISTORIES / f"meeting-contract-run-{i + 1}.json").write_text(history.to_json())
            print(json.dumps(sorted(p.name for p in HISTORIES.glob("meeting-*.json"))))


async def record_recovery() -> None:
    """Two cases: disputed, adjusted by lines and set off; and confirmed without a response,
    invoiced, reminded, sent to inkasso and paid."""
    line = ClaimLine(
        period="2031-01",
        customer_ref="K-1042",
        hours_billed=Decimal("12.5"),
        hours_approved=Decimal("10"),
        hourly_rate=Decimal("385.50"),
    )
    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            await stack.sleep_until(local(date(2031, 1, 1)))
            await stack.start_contract(date(2030, 1, 1))
            await stack.sleep_until(local(date(2031, 3, 3)))
            cases = []
            for _ in range(2):
                case_id = await recovery.start_recovery(
                    stack.client,
                    stack.settings.temporal_task_queue,
                    stack.settings.plans_dir,
                    stack.settings.templates_dir,
                    ORG,
                    [line],
                    year=2031,
                    actor="anna",
                    search_attributes=False,
                )
                cases.append(case_id)
            adjusted, unpaid = cases
            await stack.sleep_until(local(date(2031, 3, 10)))
            await recovery.respond(
                stack.client,
                adjusted,
                RespondRequest(outcome="dispute", comment="Extra insats", actor="anna"),
            )
            await recovery.decide(
                stack.client,
                adjusted,
                RecoveryDecision(
                    outcome="adjust",
                    lines=[line.model_copy(update={"hours_approved": Decimal("11")})],
                    reason="Delvis styrkt",
                    actor="bertil",
                ),
            )
            await recovery.settle(
                stack.client, adjusted, SettleRequest(method="set_off", actor="anna")
            )
            await stack.sleep_until(local(date(2031, 3, 20)))
            await recovery.decide(
                stack.client, unpaid, RecoveryDecision(outcome="confirm", actor="bertil")
            )
            await recovery.settle(
                stack.client,
                unpaid,
                SettleRequest(method="invoice", invoice_number="F-1", actor="anna"),
            )
            await stack.sleep_until(local(date(2031, 5, 5)))
            for case_id in cases:
                await recovery.paid(stack.client, case_id, PaidRequest(actor="anna"))
            await stack.sleep_until(local(date(2031, 5, 10)))
            for name, case_id in (("recovery-adjusted", adjusted), ("recovery-inkasso", unpaid)):
                handle = stack.client.get_workflow_handle(recovery_workflow_id(case_id))
                history = await handle.fetch_history()
                (HISTORIES / f"{name}.json").write_text(history.to_json())
            print(json.dumps(sorted(p.name for p in HISTORIES.glob("recovery-*.json"))))


async def record_placement() -> None:
    from models.ids import rotation_workflow_id
    from models.messages.placement import CarePlanDoneRequest, SwitchRequest
    from services import placements as pa
    from tests.support.placement_helpers import A, B, chosen, providers_on_list

    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            await providers_on_list(stack, A, B)
            switched = await chosen(stack, A, "DNR-1")
            replaced = await chosen(stack, None, "DNR-2")  # rotation: A is first in turn
            await stack.sleep_until(local(date(2031, 3, 20)))  # reminders, overdue, level 1
            await pa.switch(stack.client, switched, SwitchRequest(provider=B.org_nr, actor="a"))
            await pa.care_plan_done(stack.client, replaced, CarePlanDoneRequest(actor="a"))
            await stack.sleep_until(local(date(2031, 4, 25)))
            await pa.care_plan_done(stack.client, switched, CarePlanDoneRequest(actor="a"))
            await contracts.terminate(
                stack.client,
                A.org_nr,
                TerminateRequest(
                    end_date=date(2031, 8, 31), kind="uppsagning", reason="Avslut", actor="a"
                ),
            )
            await stack.sleep_until(local(date(2031, 5, 20)))  # rotation after the deadline
            for name, wid in {
                "placement-switched": switched,
                "placement-replaced": replaced,
                "rotation": rotation_workflow_id("sundsvall"),
            }.items():
                history = await stack.client.get_workflow_handle(wid).fetch_history()
                (HISTORIES / f"{name}.json").write_text(history.to_json())


async def record_placement_plan() -> None:
    """A placement whose rows name its plan (patch placement-record-plan): registered, awaiting
    the customer's choice, then chosen."""
    from tests.support.placement_helpers import A, chosen, providers_on_list

    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            await providers_on_list(stack, A)
            wid = await chosen(stack, A, "DNR-3")
            await stack.sleep_until(local(date(2031, 3, 10)))
            history = await stack.client.get_workflow_handle(wid).fetch_history()
            (HISTORIES / "placement-plan-recorded.json").write_text(history.to_json())


async def record_concurrent_steps() -> None:
    """An unanswered T1 report under the concurrent-steps patch: reminders, overdue and the
    whole escalation ladder, each step's e-mail, records and signal sent together."""
    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            await stack.sleep_until(local(date(2031, 1, 1)))
            await stack.start_contract(date(2030, 1, 1))
            await stack.sleep_until(local(date(2031, 6, 10)))
            wid = "obligation-5560360793-self-inspection-2031-T1"
            history = await stack.client.get_workflow_handle(wid).fetch_history()
            (HISTORIES / "obligation-concurrent-escalated.json").write_text(history.to_json())


async def record_reliability() -> None:
    """An obligation under today's code (activity heartbeat timeouts, patched) whose provider
    address the mail server refuses: reminders and the first escalation step are recorded as
    undeliverable and reported, and the workflow carries on."""
    from tests.support.mail_faults import FaultyMail

    with tempfile.TemporaryDirectory() as tmp:
        mail = FaultyMail(refuse={PROVIDER.email})
        async with lovflow_stack(Path(tmp), mail=mail) as stack:
            await stack.sleep_until(local(date(2031, 1, 1)))
            await stack.start_contract(date(2030, 1, 1))
            await stack.sleep_until(local(date(2031, 4, 24)))
            wid = "obligation-5560360793-self-inspection-2031-T1"
            history = await stack.client.get_workflow_handle(wid).fetch_history()
            (HISTORIES / "obligation-undeliverable.json").write_text(history.to_json())


async def record_concurrent_reviews() -> None:
    """T2 2031 under the unique-action-keys patch: two extensions sent at once, a submission
    sent back for completion, then an extension and a waiver sent at once (the item ends
    waived). Each action's review row, e-mail and audit event under its own key."""
    period = "2031-T2"
    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            await stack.sleep_until(local(date(2031, 1, 1)))
            await stack.start_contract(date(2030, 1, 1))
            await stack.sleep_until(local(date(2031, 3, 3)))

            def extend(days: int, actor: str) -> Awaitable[object]:
                request = ExtendRequest(
                    new_due=date(2031, 9, 1) + timedelta(days=days), reason="Skäl", actor=actor
                )
                return obligation_service.extend(
                    stack.client, ORG, "self-inspection", period, request
                )

            await asyncio.gather(extend(0, "anna"), extend(7, "bo"), return_exceptions=True)
            await obligation_service.submit(
                stack.client, ORG, "self-inspection", period, t1_submission()
            )
            await obligation_service.review(
                stack.client,
                ORG,
                "self-inspection",
                period,
                ReviewRequest(
                    outcome="request-completion",
                    note="Analys saknas",
                    new_due=date(2031, 10, 1),
                    actor="anna",
                ),
            )
            waive = obligation_service.waive(
                stack.client,
                ORG,
                "self-inspection",
                period,
                WaiveRequest(reason="Verksamheten har upphört", actor="cecilia"),
            )
            await asyncio.gather(extend(60, "david"), waive, return_exceptions=True)
            wid = f"obligation-5560360793-self-inspection-{period}"
            history = await stack.client.get_workflow_handle(wid).fetch_history()
            (HISTORIES / "obligation-concurrent-reviews.json").write_text(history.to_json())


async def record_unique_keys() -> None:
    """Actions sent at the same moment under the unique-action-keys patch: two assessments of an
    application (then a komplettering round and a rejection), two reschedules of the H1 2031
    meeting, and two contact changes of the contract."""
    skallkrav = [k.key for k in load_plan("sundsvall", PROJECT_ROOT / "plans").skallkrav]
    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            queue = stack.settings.temporal_task_queue
            await stack.sleep_until(local(date(2031, 1, 1)))
            contract = await stack.start_contract(date(2030, 1, 1))
            other = application().model_copy(
                update={"provider": PROVIDER.model_copy(update={"org_nr": "212000-2312"})}
            )
            await stack.sleep_until(local(date(2031, 3, 3)))
            app = await apps.submit_application(stack.client, queue, other)
            await stack.sleep_until(local(date(2031, 3, 4)))
            await asyncio.gather(
                *(
                    apps.assess(stack.client, app, AssessRequest(key=k, met=True, actor="a"))
                    for k in skallkrav[:2]
                )
            )
            await apps.request_completion(
                stack.client, app, CompletionRequest(items=["Försäkringsbrev"], actor="a")
            )
            await apps.complete(stack.client, app, CompleteRequest(note="Inkommet", actor="a"))
            await apps.decide(
                stack.client, app, DecideRequest(approve=False, reason="Brister", actor="chef")
            )

            meeting = "meeting-5560360793-2031-H1"
            await meeting_actions.schedule(
                stack.client,
                meeting,
                ScheduleRequest(starts_at=local(date(2031, 5, 5)), place="Rum 1", actor="k"),
            )
            await asyncio.gather(
                *(
                    meeting_actions.reschedule(
                        stack.client,
                        meeting,
                        ScheduleRequest(starts_at=local(date(2031, 5, day)), actor="k"),
                    )
                    for day in (6, 7)
                )
            )
            await asyncio.gather(
                *(
                    contracts.change_contact(
                        stack.client,
                        ORG,
                        ChangeContactRequest(email=f"kontakt{i}@omsorg.example", actor="a"),
                    )
                    for i in (1, 2)
                )
            )
            await stack.sleep_until(local(date(2031, 3, 10)))
            for name, wid in {
                "application-concurrent-assessments": app,
                "meeting-concurrent-reschedules": meeting,
                "contract-concurrent-contacts": contract,
            }.items():
                history = await stack.client.get_workflow_handle(wid).fetch_history()
                (HISTORIES / f"{name}.json").write_text(history.to_json())


async def record_sole_trader() -> None:
    """A sole trader's contract (org nr = personnummer) named by its opaque key: the key in the
    contract's input, carried across continue-as-new and into its obligations' ids."""
    from models.domain.provider_id import ProviderIds, parse_key
    from models.messages.common import Provider

    key = "c29sZS10cmFkZXItdGVzdC1rZXktMzItYnl0ZXMhISE="  # a fixed test key: stable ids
    ids = ProviderIds(parse_key(key))
    org = "121212-1212"
    provider = Provider(org_nr=org, name="Hemtjänst Svensson", email="kontakt@enskild.example")
    ref = ids.ref(org)
    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            await stack.sleep_until(local(date(2031, 1, 1)))
            with actions.using_provider_ids(ids):
                await stack.start_contract(date(2031, 1, 1), provider=provider)
                await stack.sleep_until(local(date(2031, 4, 15)))
                await obligation_service.submit(
                    stack.client, org, "self-inspection", "2031-T1", t1_submission()
                )
                await obligation_service.review(
                    stack.client,
                    org,
                    "self-inspection",
                    "2031-T1",
                    ReviewRequest(outcome="accept", actor="anna"),
                )
                await stack.sleep_until(local(date(2032, 1, 10)))
            [first, *_] = await run_histories(stack.client, f"contract-{ref}")
            (HISTORIES / "sole-trader-contract-run-1.json").write_text(first.to_json())
            wid = f"obligation-{ref}-self-inspection-2031-T1"
            history = await stack.client.get_workflow_handle(wid).fetch_history()
            (HISTORIES / "sole-trader-obligation-t1.json").write_text(history.to_json())


async def record_placement_race() -> None:
    """Under the placement-unique-assign patch: a customer's choice still waiting for the
    rotation list when the choice deadline passes (activities held back); the deadline's timer
    is cancelled and the choice taken once."""
    from temporalio.client import WorkflowUpdateStage

    from models.messages.placement import ChooseRequest
    from tests.support.placement_helpers import A, B, new_placement, providers_on_list, registered
    from workflows.placement import PlacementWorkflow

    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp), split_workers=True) as stack:
            await providers_on_list(stack, A, B)
            wid = await new_placement(stack)
            await registered(stack, wid)
            await stack.sleep_until(local(date(2031, 3, 10), time(23, 59, 58)))
            await asyncio.sleep(1)  # the registration's last records
            activities = stack.workers["activities"]
            await activities.stop()
            handle = stack.client.get_workflow_handle_for(PlacementWorkflow.run, wid)
            choice = await handle.start_update(
                PlacementWorkflow.choose,
                ChooseRequest(provider=B.org_nr, actor="handlaggare"),
                wait_for_stage=WorkflowUpdateStage.ACCEPTED,
            )
            await stack.sleep_until(local(date(2031, 3, 11), time(0, 0, 1)))
            await activities.start()
            await choice.result()
            await stack.sleep_until(local(date(2031, 3, 12)))
            history = await handle.fetch_history()
            (HISTORIES / "placement-chosen-at-deadline.json").write_text(history.to_json())


async def record_corrections() -> None:
    """Issue 16's patched paths, each in new files (older histories stay as recorded):
    a provider onboarded in December with the year's past duties not requested, one of them
    requested; the provider's own uppsägning keeping the duties covering contract time; a late
    årsredovisning told to its recipient; a komplettering due on a Sunday; a kundval choice
    deadline on a Saturday and a rotation that passes over a provider not yet started."""
    from models.messages.contract import RequestDutyRequest
    from models.messages.placement import ChooseRequest, RotationEntry
    from services import placements as pa
    from tests.support.placement_helpers import (
        AREA,
        SERVICE,
        A,
        B,
        C,
        new_placement,
        registered,
    )

    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            queue = stack.settings.temporal_task_queue
            await stack.sleep_until(local(date(2031, 12, 10), time(9, 0)))
            # Started by a named administrator (the contract-start-actor patch).
            await contracts.start_contract(
                stack.client, queue, PROVIDER, date(2029, 1, 1), "sundsvall", False, actor="anna"
            )
            await stack.sleep_until(local(date(2031, 12, 10), time(11, 0)))
            await contracts.request_duty(
                stack.client,
                ORG,
                RequestDutyRequest(
                    obligation="annual-report", period="2031", due=date(2031, 12, 20), actor="a"
                ),
            )
            # C's contract starts 1 June 2032: passed over by the rotation until then.
            await stack.start_contract(date(2032, 6, 1), provider=C)
            for p in (C, A):
                await pa.add_provider(
                    stack.client,
                    queue,
                    "sundsvall",
                    RotationEntry(org_nr=p.org_nr, area=AREA, service_type=SERVICE, actor="a"),
                    search_attributes=False,
                )
            await stack.sleep_until(local(date(2032, 1, 10)))  # a Saturday
            placement = await new_placement(stack, "DNR-2032-0001", start=date(2032, 2, 2))
            await registered(stack, placement)
            await pa.choose(stack.client, placement, ChooseRequest(provider=None, actor="a"))
            applicant = application().model_copy(update={"provider": B})
            submitted = await apps.submit_application(stack.client, queue, applicant)
            await stack.sleep_until(local(date(2032, 1, 12)))
            await apps.request_completion(
                stack.client,
                submitted,
                CompletionRequest(items=["Försäkringsbrev"], due=date(2032, 1, 25), actor="a"),
            )
            await stack.sleep_until(local(date(2032, 3, 1)))
            await contracts.terminate(
                stack.client,
                ORG,
                TerminateRequest(
                    end_date=date(2032, 6, 30),
                    kind="uppsagning",
                    reason="Utföraren avslutar",
                    actor="a",
                    by="utforare",
                ),
            )
            await stack.sleep_until(local(date(2032, 8, 20)))
            runs = await run_histories(stack.client, "contract-5560360793")
            for i, history in enumerate(runs):
                (HISTORIES / f"corrections-contract-run-{i + 1}.json").write_text(history.to_json())
            for name, wid in {
                "corrections-requested-duty": "obligation-5560360793-annual-report-2031",
                "corrections-late-to-recipient": "obligation-5560360793-annual-accounts-2032",
                "corrections-placement": placement,
                "corrections-application": submitted,
            }.items():
                history = await stack.client.get_workflow_handle(wid).fetch_history()
                (HISTORIES / f"{name}.json").write_text(history.to_json())


async def record_office_hours() -> None:
    """Issue 16's mail-held-for-office-hours patch, in new files: at 02:00 on Tuesday 4 March
    2031 an administrator waives a duty, books a meeting, starts an återkrav, asks an applicant
    for a komplettering, registers a customer's choice, starts a contract and terminates it;
    every e-mail those cause is held and sent at 09:00 (the applicant's receipt at once)."""
    from models.messages.placement import ChooseRequest
    from services import placements as pa
    from tests.support.placement_helpers import (
        A,
        B,
        C,
        new_placement,
        providers_on_list,
        registered,
    )

    line = ClaimLine(
        period="2031-01",
        customer_ref="K-1042",
        hours_billed=Decimal("12.5"),
        hours_approved=Decimal("10"),
        hourly_rate=Decimal("385.50"),
    )
    night = local(date(2031, 3, 4), time(2, 0))
    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            queue = stack.settings.temporal_task_queue
            await providers_on_list(stack, A, B)
            await stack.sleep_until(night)
            await obligation_service.waive(
                stack.client,
                ORG,
                "self-inspection",
                "2031-T1",
                WaiveRequest(reason="Nystartad", actor="anna"),
            )
            meeting = "meeting-5560360793-2031-H1"
            await meeting_actions.schedule(
                stack.client,
                meeting,
                ScheduleRequest(
                    starts_at=local(date(2031, 4, 22)), place="Stadshuset", actor="karin"
                ),
            )
            case_id = await recovery.start_recovery(
                stack.client,
                queue,
                stack.settings.plans_dir,
                stack.settings.templates_dir,
                ORG,
                [line],
                year=2031,
                actor="anna",
                search_attributes=False,
            )
            applicant = application().model_copy(
                update={"provider": PROVIDER.model_copy(update={"org_nr": "212000-2312"})}
            )
            submitted = await apps.submit_application(stack.client, queue, applicant)
            await apps.request_completion(
                stack.client,
                submitted,
                CompletionRequest(items=["Försäkringsbrev"], actor="a"),
            )
            placement = await new_placement(stack, "DNR-2031-0077")
            await registered(stack, placement)
            await pa.choose(stack.client, placement, ChooseRequest(provider=B.org_nr, actor="hl"))
            contract = await contracts.start_contract(
                stack.client, queue, C, date(2030, 1, 1), "sundsvall", False, actor="anna"
            )
            termination = TerminateRequest(
                end_date=date(2031, 6, 30), kind="havning", reason="Avtalsbrott", actor="a"
            )
            while True:
                try:
                    await contracts.terminate(stack.client, C.org_nr, termination)
                    break
                except actions.ActionError as err:  # the contract is still loading its plan
                    assert "not ready" in str(err), err
                    await asyncio.sleep(0.1)
            await stack.sleep_until(local(date(2031, 3, 4), time(10, 0)))
            for name, wid in {
                "office-hours-obligation": "obligation-5560360793-self-inspection-2031-T1",
                "office-hours-meeting": meeting,
                "office-hours-recovery": recovery_workflow_id(case_id),
                "office-hours-application": submitted,
                "office-hours-placement": placement,
                "office-hours-contract": contract,
            }.items():
                history = await stack.client.get_workflow_handle(wid).fetch_history()
                (HISTORIES / f"{name}.json").write_text(history.to_json())


async def record_portal_link() -> None:
    """The portal's "send me a new link" e-mail (workflows/portal_link.py), one run."""
    from models.domain.provider_id import ProviderIds
    from services import portal_mail
    from tests.support.portal_link import recorded_provider

    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            await stack.sleep_until(local(date(2031, 3, 4), time(14, 0)))
            now = (await stack.env.get_current_time()).replace(microsecond=0)
            org = await recorded_provider(stack.store, now)
            wid = await portal_mail.send_link(
                stack.client, stack.settings, stack.store, ProviderIds(), org, now
            )
            assert wid is not None
            handle = stack.client.get_workflow_handle(wid)
            await handle.result()
            (HISTORIES / "portal-link.json").write_text((await handle.fetch_history()).to_json())


async def record_finding() -> None:
    """A finding (workflows/finding.py) through its whole ladder: notice, response, an
    åtgärdsplan in time, a failed verification, a late åtgärdsplan, a vite after kommunicering,
    closed."""
    from models.ids import finding_workflow_id
    from models.messages.finding import (
        ActionPlanRequest,
        CloseRequest,
        SubmitActionPlanRequest,
        VerifyRequest,
    )
    from models.messages.finding import DecideRequest as FindingDecision
    from models.messages.finding import RespondRequest as FindingResponse
    from services import findings

    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            c = stack.client
            await stack.sleep_until(local(date(2031, 1, 1), time(0, 0)))
            await stack.start_contract(date(2030, 1, 1))
            await stack.sleep_until(local(date(2031, 3, 3)))
            found = await findings.register_finding(
                c,
                stack.settings,
                ORG,
                requirement="care-plans",
                severity="high",
                source="visit",
                what="Genomförandeplaner saknas",
                evidence="Tillsynsbesök",
                actor="kerstin",
                today=date(2031, 3, 3),
            )
            fid = found.finding_id
            await stack.sleep_until(local(date(2031, 3, 5)))
            await findings.respond(c, fid, FindingResponse(comment="Vi åtgärdar", actor="anna"))
            await findings.request_action_plan(
                c, fid, ActionPlanRequest(due=date(2031, 4, 2), actor="anna")
            )
            await stack.sleep_until(local(date(2031, 4, 1)))
            await findings.submit_action_plan(
                c, fid, SubmitActionPlanRequest(summary="Plan", actor="anna")
            )
            await findings.verify(
                c, fid, VerifyRequest(outcome="not_remedied", note="Kvarstår", actor="k")
            )
            await stack.sleep_until(local(date(2031, 4, 4)))
            await findings.request_action_plan(
                c, fid, ActionPlanRequest(due=date(2031, 5, 5), actor="anna")
            )
            await stack.sleep_until(local(date(2031, 5, 21)))
            await findings.decide(
                c, fid, FindingDecision(kind="vite", reason="Planen kom inte", actor="bo")
            )
            await findings.close(c, fid, CloseRequest(reason="Avslutad", actor="anna"))
            await stack.sleep_until(local(date(2031, 5, 24)))
            handle = c.get_workflow_handle(finding_workflow_id(fid))
            await handle.result()
            history = await handle.fetch_history()
            (HISTORIES / "finding-ladder.json").write_text(history.to_json())


async def record_finding_collect() -> None:
    """A finding whose vite the plan hands to invoicing (Sundsvall `collect = "invoice"`,
    patch "finding-sanction-collect"): notice, response, a vite decided after it (with its
    invoice reference), closed."""
    from models.ids import finding_workflow_id
    from models.messages.finding import CloseRequest
    from models.messages.finding import DecideRequest as FindingDecision
    from models.messages.finding import RespondRequest as FindingResponse
    from services import findings

    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            c = stack.client
            await stack.sleep_until(local(date(2031, 1, 1), time(0, 0)))
            await stack.start_contract(date(2030, 1, 1))
            await stack.sleep_until(local(date(2031, 3, 3)))
            found = await findings.register_finding(
                c,
                stack.settings,
                ORG,
                requirement="care-plans",
                severity="high",
                source="visit",
                what="Genomförandeplaner saknas",
                evidence="Tillsynsbesök",
                actor="kerstin",
                today=date(2031, 3, 3),
            )
            fid = found.finding_id
            await stack.sleep_until(local(date(2031, 3, 5)))
            await findings.respond(c, fid, FindingResponse(comment="Vi åtgärdar", actor="anna"))
            status = await findings.decide(
                c, fid, FindingDecision(kind="vite", reason="Allvarlig brist", actor="bo")
            )
            assert status.decisions[-1].invoice_reference == f"{fid}-B1"
            await findings.close(c, fid, CloseRequest(reason="Avslutad", actor="anna"))
            await stack.sleep_until(local(date(2031, 3, 7)))
            handle = c.get_workflow_handle(finding_workflow_id(fid))
            await handle.result()
            history = await handle.fetch_history()
            (HISTORIES / "finding-sanction-collect.json").write_text(history.to_json())


async def record_municipal_duties() -> None:
    """The municipality's own tasks (workflows/municipal_duties.py), Nordanstig: a year with a
    provider's tillsynsbesök done in time (after a refused completion), the kundundersökning
    escalated and done late, a new provider read in a month's refresh, and the continue-as-new
    into the next year. Both runs are stored."""
    from models.messages.municipal import CompleteTaskRequest, TaskView
    from tests.support.municipal import NORRSKOG, SOLROS, start, under_plan

    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            await stack.sleep_until(local(date(2031, 1, 2), time(8, 0)))
            at = await stack.env.get_current_time()
            part = await under_plan(stack.store, NORRSKOG, "nordanstig", date(2030, 1, 1), at)
            wid = await start(stack, "nordanstig")
            handle = stack.client.get_workflow_handle(wid)
            await stack.sleep_until(local(date(2031, 2, 10), time(8, 0)))
            await under_plan(stack.store, SOLROS, "nordanstig", date(2031, 2, 1), at)
            await stack.sleep_until(local(date(2031, 5, 27), time(12, 0)))
            done = CompleteTaskRequest(
                task_id=f"tillsynsbesok-2031-{part}",
                done_on=date(2031, 5, 26),
                by="Margareta Sjögren",
                result="Besök och intervjuer; rutinerna följs.",
                findings=["Nyckelkvittenser saknades"],
            )
            try:
                await handle.execute_update(
                    "complete_task",
                    done.model_copy(update={"done_on": date(2031, 6, 30)}),
                    result_type=TaskView,
                )
            except Exception:
                pass  # refused by the validator: not in the history
            await handle.execute_update("complete_task", done, result_type=TaskView)
            await stack.sleep_until(local(date(2031, 12, 20), time(12, 0)))
            await handle.execute_update(
                "complete_task",
                done.model_copy(
                    update={"task_id": "kundundersokning-2031", "done_on": date(2031, 12, 19)}
                ),
                result_type=TaskView,
            )
            await stack.sleep_until(local(date(2032, 1, 5), time(12, 0)))
            runs = await run_histories(stack.client, wid)
            for n, history in enumerate(runs[:2], start=1):
                (HISTORIES / f"municipal-duties-run-{n}.json").write_text(history.to_json())


async def record_municipal_lifecycle() -> None:
    """The municipal duties' providers following the contracts (LIFECYCLE_PATCH), Nordanstig
    with the kundundersökning due on 20 January: a contract started (the `providers_changed`
    signal and the second read a minute later), terminated to end before its visit is due (the
    visit cancelled), a month's refresh, and next year's survey reminded of in December and
    carried into the next run. Both runs are stored."""
    from tests.support.municipal import NORRSKOG, SOLROS, early_survey_plans, start, under_plan

    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp), early_survey_plans(Path(tmp))) as stack:
            await stack.sleep_until(local(date(2031, 1, 2), time(8, 0)))
            at = await stack.env.get_current_time()
            await under_plan(stack.store, NORRSKOG, "nordanstig", date(2030, 1, 1), at)
            wid = await start(stack, "nordanstig")
            await stack.start_contract(date(2031, 1, 5), "nordanstig", SOLROS)
            await stack.sleep_until(local(date(2031, 1, 2), time(8, 10)))
            ending = TerminateRequest(
                end_date=date(2031, 4, 30), kind="uppsagning", reason="Upphör", actor="eva.admin"
            )
            await contracts.terminate(stack.client, SOLROS.org_nr, ending)
            await stack.sleep_until(local(date(2032, 1, 5), time(12, 0)))
            runs = await run_histories(stack.client, wid)
            for n, history in enumerate(runs[:2], start=1):
                (HISTORIES / f"municipal-lifecycle-run-{n}.json").write_text(history.to_json())


RECORDERS: dict[str, Callable[[], Awaitable[None]]] = {
    "unique-keys": record_unique_keys,
    "concurrent-reviews": record_concurrent_reviews,
    "contract": record_contract,
    "concurrent-steps": record_concurrent_steps,
    "application": record_application,
    "meetings": record_meetings,
    "reliability": record_reliability,
    "recovery": record_recovery,
    "placement": record_placement,
    "placement-race": record_placement_race,
    "placement-plan": record_placement_plan,
    "sole-trader": record_sole_trader,
    "corrections": record_corrections,
    "office-hours": record_office_hours,
    "portal-link": record_portal_link,
    "finding": record_finding,
    "finding-collect": record_finding_collect,
    "municipal-duties": record_municipal_duties,
    "municipal-lifecycle": record_municipal_lifecycle,
}


async def main(names: list[str]) -> None:
    HISTORIES.mkdir(exist_ok=True)
    for name in names or list(RECORDERS):
        await RECORDERS[name]()
    print(json.dumps(sorted(p.name for p in HISTORIES.glob("*.json"))))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
