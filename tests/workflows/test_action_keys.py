"""Admin actions sent at the same moment to one workflow: each keeps its own idempotency key, so
every accepted action leaves its own records, audit event and e-mail (issue 15, point 1).

Before the unique-action-keys patch two handlers that interleaved could read the same counter
(the length of the history) before either appended to it, and the second record written under
the shared key was silently dropped as a "retry". Each race here is repeated, since whether two
handlers interleave depends on when their activities finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from models.messages.application import ApplicationInput, AssessRequest
from models.messages.contract import ChangeContactRequest
from models.messages.meeting import ScheduleRequest
from models.messages.obligation import DocumentRef, ExtendRequest, WaiveRequest
from models.plans.loader import load_plan
from models.runtime.settings import PROJECT_ROOT
from services import applications as apps
from services import contracts, obligations
from services import meetings as meeting_actions
from services.calls import ActionError
from tests.support.harness import PROVIDER, STOCKHOLM, Stack, local, lovflow_stack

ORG = PROVIDER.org_nr
ROUNDS = 10


async def _accepted(*requests: Awaitable[Any]) -> list[bool]:
    """Send the requests at once; which of them the workflow accepted (a validator may turn
    one down when the other has already changed the state, e.g. waive before extend)."""
    results = await asyncio.gather(*requests, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, ActionError):
            raise result
    return [not isinstance(r, BaseException) for r in results]


async def _contract_2031(stack: Stack) -> None:
    await stack.sleep_until(local(date(2031, 1, 1)))
    await stack.start_contract(date(2030, 1, 1))
    await stack.sleep_until(local(date(2031, 3, 3)))


async def test_concurrent_waive_and_extends_each_leave_review_audit_and_mail(
    tmp_path: Path,
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await _contract_2031(stack)
        period = "2031-T2"
        wid = f"obligation-{ORG.replace('-', '')}-self-inspection-{period}"
        expected: list[tuple[str, str]] = []  # (outcome, actor) of each accepted action

        async def extend(actor: str, days: int, due: date) -> Any:
            request = ExtendRequest(
                new_due=due + timedelta(days=days), reason=f"Skäl {actor}", actor=actor
            )
            return await obligations.extend(stack.client, ORG, "self-inspection", period, request)

        for i in range(ROUNDS - 1):
            due = (
                await obligations.obligation_status(stack.client, ORG, "self-inspection", period)
            ).due
            a, b = f"anna-{i}", f"bo-{i}"
            # Each asks for a date after the other's, so either is valid whichever comes first.
            ok = await _accepted(extend(a, 7, due), extend(b, 14, due))
            assert any(ok)
            expected += [("extended", who) for who, done in zip((a, b), ok, strict=True) if done]

        due = (
            await obligations.obligation_status(stack.client, ORG, "self-inspection", period)
        ).due
        waive = obligations.waive(
            stack.client,
            ORG,
            "self-inspection",
            period,
            WaiveRequest(reason="Verksamheten har upphört", actor="cecilia"),
        )
        ok = await _accepted(extend("david", 7, due), waive)
        expected += [
            pair
            for pair, done in zip([("extended", "david"), ("waived", "cecilia")], ok, strict=True)
            if done
        ]
        assert ok[1], "the waiver is never turned down here: nothing else ends the item"

        reviews = await stack.store.list_reviews(wid)
        assert sorted((r.outcome, r.actor) for r in reviews) == sorted(expected)
        audit = [
            (e.event_type, e.actor)
            for e in await stack.store.list_audit(ORG)
            if e.workflow_id == wid and e.event_type in ("extended", "waived")
        ]
        assert sorted(audit) == sorted(expected)
        mails = [kind for _, kind, _ in stack.mails("self-inspection", period)]
        assert sorted(k for k in mails if k in ("extended", "waived")) == sorted(
            outcome for outcome, _ in expected
        )


async def test_concurrent_assessments_each_leave_their_row_and_audit_event(tmp_path: Path) -> None:
    skallkrav = [k.key for k in load_plan("sundsvall", PROJECT_ROOT / "plans").skallkrav]
    assert len(skallkrav) >= 2
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2031, 2, 3)))
        wid = await apps.submit_application(
            stack.client,
            stack.settings.temporal_task_queue,
            ApplicationInput(
                provider=PROVIDER,
                service_types=["omvårdnad"],
                areas=["Centrum"],
                documents=[
                    DocumentRef(
                        key="f-skatt", filename="/docs/f-skatt.pdf", sha256="b" * 64, size=3
                    )
                ],
                plan_id="sundsvall",
                actor="sokande.webb",
                search_attributes=False,
            ),
        )
        await stack.sleep_until(local(date(2031, 2, 4)))

        expected: list[tuple[str, str]] = []  # (skallkrav, actor)
        for i in range(ROUNDS):
            pair = [
                (skallkrav[(2 * i + j) % len(skallkrav)], f"handläggare-{i}-{j}") for j in (0, 1)
            ]
            ok = await _accepted(
                *(
                    apps.assess(stack.client, wid, AssessRequest(key=key, met=True, actor=actor))
                    for key, actor in pair
                )
            )
            assert all(ok), "assessments are never turned down for one another"
            expected += pair

        rows = await stack.store.list_assessments(wid)
        assert sorted((r.requirement, r.actor) for r in rows) == sorted(expected)
        audit = [
            (e.details["skallkrav"], e.actor)
            for e in await stack.store.list_audit(ORG)
            if e.workflow_id == wid and e.event_type == "application_assessed"
        ]
        assert sorted(audit) == sorted(expected)


async def test_concurrent_reschedules_each_get_their_sequence_invitation_and_audit_event(
    tmp_path: Path,
) -> None:
    def request(day: int, hour: int, actor: str) -> ScheduleRequest:
        starts_at = datetime.combine(date(2031, 5, day), time(hour, 0), STOCKHOLM)
        # Some of the days are a weekend: the reason lets them through (issue 16, point 6).
        return ScheduleRequest(
            starts_at=starts_at, place=f"Rum {day}:{hour}", reason="Extra möte", actor=actor
        )

    async with lovflow_stack(tmp_path) as stack:
        await _contract_2031(stack)
        wid = "meeting-5560360793-2031-H1"
        await meeting_actions.schedule(stack.client, wid, request(5, 10, "karin"))
        actors = ["karin"]
        for i in range(ROUNDS):
            pair = [(request(6 + i, 9 + j, f"karin-{i}-{j}")) for j in (0, 1)]
            ok = await _accepted(*(meeting_actions.reschedule(stack.client, wid, r) for r in pair))
            assert all(ok), "a reschedule is never turned down for another"
            actors += [r.actor for r in pair]

        status = await meeting_actions.meeting_status(stack.client, wid)
        assert status.meeting is not None
        # One SEQUENCE per time set, each new: the calendars apply every update in turn.
        sequences = sorted([m.sequence for m in status.earlier] + [status.meeting.sequence])
        assert sequences == list(range(len(actors)))
        invitations = [m for m in stack.mail.messages if m["X-Lov-Kind"] == "meeting-invitation"]
        assert len(invitations) == len(actors)
        audit = [
            e.actor
            for e in await stack.store.list_audit(ORG)
            if e.workflow_id == wid and e.event_type in ("meeting-scheduled", "meeting-rescheduled")
        ]
        assert sorted(audit) == sorted(actors)


async def test_concurrent_contact_changes_each_leave_their_audit_event(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await _contract_2031(stack)
        actors: list[str] = []
        for i in range(ROUNDS):
            pair = [
                ChangeContactRequest(email=f"kontakt{i}{j}@omsorg.example", actor=f"eva-{i}-{j}")
                for j in (0, 1)
            ]
            ok = await _accepted(*(contracts.change_contact(stack.client, ORG, r) for r in pair))
            assert all(ok), "a contact change is never turned down for another"
            actors += [r.actor for r in pair]

        audit = [
            e.actor for e in await stack.store.list_audit(ORG) if e.event_type == "contact-changed"
        ]
        assert sorted(audit) == sorted(actors)
