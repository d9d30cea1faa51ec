"""Mail to people goes out in office hours unless it answers their own action (issue 16,
point 9; workflows/office_hours.py). The Sundsvall plan: office hours 08:00–16:30, e-mails at
09:00, Swedish business days. On the time-skipping server, with a real SMTP server.

In 2031, 4 March is a Tuesday, 7 March a Friday; Good Friday is 11 April and Easter Monday 14
April, so the business day after Thursday 10 April is Tuesday 15 April.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest

from models.domain.money import ClaimLine
from models.messages.application import CompletionRequest
from models.messages.common import Provider
from models.messages.contract import TerminateRequest
from models.messages.meeting import ScheduleRequest
from models.messages.obligation import ExtendRequest, ReviewRequest, WaiveRequest
from models.messages.placement import ChooseRequest
from services import applications as apps
from services import contracts, obligations
from services import meetings as meeting_actions
from services import placements as pa
from services import recoveries as recovery
from tests.support.applications import application
from tests.support.harness import PROVIDER, STOCKHOLM, Stack, local, lovflow_stack
from tests.support.lifecycle import t1_submission
from tests.support.placement_helpers import A, B, new_placement, providers_on_list, registered

ORG = PROVIDER.org_nr
OTHER = Provider(org_nr="559012-1231", name="Beta Hemtjänst AB", email="beta@hemtjanst.example")
T1 = ("self-inspection", "2031-T1")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(date(2031, month, day), time(hour, minute), STOCKHOLM)


async def contract_running(stack: Stack, *providers: Provider) -> None:
    await stack.sleep_until(local(date(2031, 1, 1), time(0, 0)))
    for provider in providers or (PROVIDER,):
        await stack.start_contract(date(2030, 1, 1), provider=provider)


def sent(stack: Stack, kind: str) -> list[datetime]:
    """When each e-mail of `kind` went out (its Date header, local time)."""
    return [when for when, k, _ in stack.mails() if k == kind]


async def test_a_night_action_returns_at_once_and_its_mail_waits_for_office_hours(
    tmp_path: Path,
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await contract_running(stack)
        await stack.sleep_until(at(3, 4, 2))  # Tuesday 02:00
        waived = await obligations.waive(
            stack.client, ORG, *T1, WaiveRequest(reason="Nystartad", actor="anna")
        )
        # The Update has returned; the e-mail is held, and the status says until when.
        assert waived.status == "waived"
        assert [(h.kind, h.to_roles, h.send_at) for h in waived.mail_held] == [
            ("waived", ["provider"], at(3, 4, 9))
        ]
        await asyncio.sleep(1)  # anything sent at once would have arrived by now
        assert sent(stack, "waived") == []
        # The duty is done, but its workflow waits for the held e-mail before it completes.
        wid = "obligation-5560360793-self-inspection-2031-T1"
        await stack.sleep_until(at(3, 4, 8, 59))
        assert sent(stack, "waived") == [] and await stack.running(wid)

        await stack.sleep_until(at(3, 4, 9, 5))
        assert sent(stack, "waived") == [at(3, 4, 9)]
        assert not await stack.running(wid)
        status = await obligations.obligation_status(stack.client, ORG, *T1)
        assert status.mail_held == []


async def test_a_daytime_action_mails_at_once_and_a_receipt_always_goes_at_once(
    tmp_path: Path,
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await contract_running(stack)
        # The provider's own submission at 02:00: its receipt answers its action, at once.
        await stack.sleep_until(at(3, 4, 2))
        submitted = await obligations.submit(stack.client, ORG, *T1, t1_submission())
        assert submitted.mail_held == []
        assert sent(stack, "receipt") == [at(3, 4, 2)]
        # The administrator's acceptance at 10:00 on a weekday: at once.
        await stack.sleep_until(at(3, 4, 10))
        accepted = await obligations.review(
            stack.client, ORG, *T1, ReviewRequest(outcome="accept", actor="anna")
        )
        assert accepted.mail_held == []
        assert sent(stack, "accepted") == [at(3, 4, 10)]


@pytest.mark.parametrize(
    ("acted", "delivered"),
    [
        (at(3, 7, 18), at(3, 10, 9)),  # Friday evening: Monday morning
        (at(4, 10, 17), at(4, 15, 9)),  # Thursday before Easter: the Tuesday after it
    ],
    ids=["friday-evening", "before-easter"],
)
async def test_an_action_after_office_hours_mails_on_the_next_business_day(
    tmp_path: Path, acted: datetime, delivered: datetime
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await contract_running(stack)
        await stack.sleep_until(acted)
        extension = ExtendRequest(new_due=date(2031, 5, 30), reason="Sjukdom", actor="anna")
        extended = await obligations.extend(stack.client, ORG, *T1, extension)
        assert [h.send_at for h in extended.mail_held] == [delivered]
        await stack.sleep_until(delivered.replace(minute=30))
        assert sent(stack, "extended") == [delivered]


async def test_a_termination_notice_waits_unless_it_confirms_the_providers_own(
    tmp_path: Path,
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await contract_running(stack, PROVIDER, OTHER)
        await stack.sleep_until(at(3, 4, 2))

        def ending(by: Literal["kommun", "utforare"]) -> TerminateRequest:
            return TerminateRequest(
                end_date=date(2031, 6, 30), kind="uppsagning", reason="Avslut", actor="a", by=by
            )

        by_municipality = await contracts.terminate(stack.client, ORG, ending("kommun"))
        assert [h.kind for h in by_municipality.mail_held] == ["notice"]
        # The provider's own uppsägning, registered at night: its confirmation goes at once.
        own = await contracts.terminate(stack.client, OTHER.org_nr, ending("utforare"))
        assert own.mail_held == []
        await asyncio.sleep(1)
        notices = [(w, to) for w, k, to in stack.mails() if k == "notice"]
        assert [w for w, to in notices if OTHER.email in to] == [at(3, 4, 2)]
        assert [w for w, to in notices if PROVIDER.email in to] == []

        await stack.sleep_until(at(3, 4, 10))
        notices = [(w, to) for w, k, to in stack.mails() if k == "notice"]
        assert [w for w, to in notices if PROVIDER.email in to] == [at(3, 4, 9)]


async def test_meetings_recoveries_applications_and_placements_hold_night_mail(
    tmp_path: Path,
) -> None:
    """At 02:00 an administrator books a meeting, starts an återkrav, asks an applicant for a
    komplettering and registers a customer's choice: every Update returns, the e-mails go at
    09:00. The applicant's own receipt goes at once."""
    line = ClaimLine(
        period="2031-01",
        customer_ref="K-1042",
        hours_billed=Decimal("12.5"),
        hours_approved=Decimal("10"),
        hourly_rate=Decimal("385.50"),
    )
    async with lovflow_stack(tmp_path) as stack:
        queue = stack.settings.temporal_task_queue
        await providers_on_list(stack, A, B)
        await stack.sleep_until(at(3, 4, 2))
        booked = await meeting_actions.schedule(
            stack.client,
            "meeting-5560360793-2031-H1",
            ScheduleRequest(starts_at=at(4, 22, 10), place="Stadshuset", actor="karin"),
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
        applicant = PROVIDER.model_copy(update={"org_nr": "212000-2312"})
        wid = await apps.submit_application(
            stack.client, queue, application().model_copy(update={"provider": applicant})
        )
        asked = await apps.request_completion(
            stack.client, wid, CompletionRequest(items=["Försäkringsbrev"], actor="a")
        )
        placement = await new_placement(stack, "DNR-2031-0077")
        await registered(stack, placement)
        chosen = await pa.choose(
            stack.client, placement, ChooseRequest(provider=B.org_nr, actor="handlaggare")
        )
        # Each command has returned with its e-mail held until 09:00.
        for held in (booked.mail_held, asked.mail_held, chosen.mail_held):
            assert [h.send_at for h in held][-1:] == [at(3, 4, 9)], held
        await asyncio.sleep(1)
        kinds = {
            "meeting-invitation",
            "recovery-notice",
            "application-new",
            "application-completion-request",
            "placement-new",
        }
        assert [k for _, k, _ in stack.mails() if k in kinds] == []
        assert sent(stack, "application-received") == [at(3, 4, 2)]

        await stack.sleep_until(at(3, 4, 9, 30))
        delivered = [(when, k) for when, k, _ in stack.mails() if k in kinds]
        # The återkrav notice twice: the provider's with its portal link, the administrator's
        # copy without it.
        expected = [*kinds, "recovery-notice"]
        assert sorted(delivered) == sorted((at(3, 4, 9), k) for k in expected)
        status = await recovery.recovery_status(stack.client, case_id)
        assert status.mail_held == []
