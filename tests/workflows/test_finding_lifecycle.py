"""Findings (brister) on the time-skipping server, with mail received by a real SMTP server and
records in a real SQLite database.

Sundsvall, spring 2031 (findings: response_days 14, åtgärdsplan 14–60 days, reminders 7 and 2
days before, office hours from 09:00, Swedish holidays). A visit on Monday 3 March finds a
brist: the notice gives the provider until Monday 17 March to respond. The first åtgärdsplan
(due Wednesday 2 April) comes in time, but the verification on 3 April fails, which opens a new
kommunicering (until Thursday 17 April). The second round's åtgärdsplan (due Monday 5 May)
never comes: the finding is late on Tuesday 6 May at 09:00, with a new kommunicering until
Tuesday 20 May. A vite asked for before that is refused; after it, decided, mailed and recorded.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest

from models.messages.finding import (
    ActionPlanRequest,
    CloseRequest,
    DecideRequest,
    RespondRequest,
    SubmitActionPlanRequest,
    VerifyRequest,
)
from services import findings
from services.calls import ActionError
from tests.support.harness import PROVIDER, STOCKHOLM, Stack, local, lovflow_stack

ORG = PROVIDER.org_nr
ADMIN = "lov-admin@sundsvall.example"
BOTH = f"{PROVIDER.email}, {ADMIN}"
FINDING = "5560360793-2031-001"
WORKFLOW = f"finding-{FINDING}"


def at(month: int, day: int, hour: int = 10, year: int = 2031) -> datetime:
    return datetime.combine(date(year, month, day), time(hour, 0), STOCKHOLM)


def _messages(stack: Stack) -> list[EmailMessage]:
    return [m for m in stack.mail.messages if m["X-Lov-Workflow"] == WORKFLOW]


def mails(stack: Stack) -> list[tuple[datetime, str, str]]:
    found = []
    for m in _messages(stack):
        sent = datetime.strptime(str(m["Date"]), "%a, %d %b %Y %H:%M:%S %z")
        found.append((sent.astimezone(STOCKHOLM), str(m["X-Lov-Kind"]), str(m["To"])))
    return found


def body(stack: Stack, kind: str, n: int = 0) -> str:
    message = [m for m in _messages(stack) if m["X-Lov-Kind"] == kind][n]
    return f"{message['Subject']}\n{message.get_content()}".replace("\r\n", "\n")


async def registered(stack: Stack, plan: str = "sundsvall", requirement: str = "care-plans") -> str:
    await stack.sleep_until(local(date(2031, 1, 1), time(0, 0)))
    await stack.start_contract(date(2030, 1, 1), plan=plan)
    await stack.sleep_until(local(date(2031, 3, 3)))
    found = await findings.register_finding(
        stack.client,
        stack.settings,
        ORG,
        requirement=requirement,
        severity="high",
        source="visit",
        what="Fyra av tio kunder saknar aktuell genomförandeplan.",
        evidence="Tillsynsbesök 2031-02-27, granskning av tio akter.",
        actor="kerstin.kvalitet",
        today=date(2031, 3, 3),
    )
    assert found.finding_id == FINDING and found.email == PROVIDER.email
    await stack.sleep_until(local(date(2031, 3, 3), time(10, 5)))
    return found.finding_id


async def refused(coro: object, starts: str) -> None:
    with pytest.raises(ActionError) as caught:
        await coro  # type: ignore[misc]
    assert str(caught.value).startswith(starts), str(caught.value)


async def test_notice_action_plans_verification_and_a_vite(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await registered(stack)
        c = stack.client
        # No sanction before the kommunicering is done: refused, nothing written or sent.
        await refused(
            findings.decide(
                c, FINDING, DecideRequest(kind="vite", reason="Brister kvarstår", actor="bo")
            ),
            "response_due: the provider may respond until 2031-03-17",
        )
        await findings.respond(
            c, FINDING, RespondRequest(comment="Vi ser över rutinerna.", actor="anna")
        )
        await stack.sleep_until(local(date(2031, 3, 5)))
        await refused(
            findings.request_action_plan(
                c, FINDING, ActionPlanRequest(due=date(2031, 3, 10), actor="anna")
            ),
            "due: the plan allows an åtgärdsplan due 2031-03-19 to 2031-05-04",
        )
        await findings.request_action_plan(
            c,
            FINDING,
            ActionPlanRequest(
                due=date(2031, 4, 2), note="Planen ska omfatta alla kunder.", actor="anna"
            ),
        )
        await stack.sleep_until(local(date(2031, 4, 1)))
        await findings.submit_action_plan(
            c, FINDING, SubmitActionPlanRequest(summary="Genomgång av alla akter", actor="anna")
        )
        await stack.sleep_until(local(date(2031, 4, 3)))
        await findings.verify(
            c,
            FINDING,
            VerifyRequest(outcome="not_remedied", note="Två planer saknas fortfarande.", actor="k"),
        )
        await stack.sleep_until(local(date(2031, 4, 4)))
        await findings.request_action_plan(
            c, FINDING, ActionPlanRequest(due=date(2031, 5, 5), actor="anna")
        )
        await stack.sleep_until(local(date(2031, 5, 8)))
        await refused(
            findings.decide(
                c, FINDING, DecideRequest(kind="vite", reason="Planen kom inte", actor="bo")
            ),
            "response_due: the provider may respond until 2031-05-20",
        )
        # Bad amounts are refused before anything reaches the workflow.
        for amount, text in (
            (Decimal("-5"), "amount: must be a positive sum"),
            (Decimal("10.005"), "amount: at most two decimals"),
        ):
            await refused(
                findings.decide(
                    c, FINDING, DecideRequest(kind="vite", reason="x", amount=amount, actor="bo")
                ),
                text,
            )
        await refused(
            findings.decide(c, FINDING, DecideRequest(kind="vite", reason="  ", actor="bo")),
            "reason: must not be empty",
        )
        assert await stack.store.list_finding_decisions(FINDING) == []
        await stack.sleep_until(local(date(2031, 5, 21)))
        result = await findings.decide(
            c,
            FINDING,
            DecideRequest(kind="vite", reason="Åtgärdsplanen kom inte in i tid.", actor="bo"),
        )
        await stack.sleep_until(local(date(2031, 5, 22)))
        await findings.close(
            c, FINDING, CloseRequest(reason="Bristen följs upp vid nästa besök.", actor="anna")
        )
        await refused(
            findings.request_action_plan(
                c, FINDING, ActionPlanRequest(due=date(2031, 6, 20), actor="anna")
            ),
            "status:",
        )
        await stack.sleep_until(local(date(2031, 5, 23)))

        assert [(d.kind, d.amount, d.actor) for d in result.decisions] == [
            ("vite", Decimal("10000"), "bo")
        ]
        kinds = [(t, k) for t, k, _ in mails(stack)]
        # The e-mails that ask the provider to act carry its portal link, so they go as two
        # messages: the provider's with the link, the administrator's copy without it.
        assert kinds == [
            (at(3, 3), "finding-notice"),
            (at(3, 3), "finding-notice"),
            (at(3, 5), "finding-action-plan-request"),
            (at(3, 5), "finding-action-plan-request"),
            (at(3, 26, 9), "finding-action-plan-reminder"),
            (at(3, 31, 9), "finding-action-plan-reminder"),
            (at(4, 3), "finding-verified"),
            (at(4, 4), "finding-action-plan-request"),
            (at(4, 4), "finding-action-plan-request"),
            (at(4, 28, 9), "finding-action-plan-reminder"),
            (at(5, 2, 9), "finding-action-plan-reminder"),
            (at(5, 6, 9), "finding-action-plan-late"),
            (at(5, 6, 9), "finding-action-plan-late"),
            (at(5, 21), "finding-decision"),
            # Closed on Ascension Day: the e-mail waits for office hours on the next business day.
            (at(5, 23, 9), "finding-closed"),
        ], kinds
        assert sorted(to for _, kind, to in mails(stack) if kind == "finding-notice") == sorted(
            [PROVIDER.email, ADMIN]
        )
        assert mails(stack)[6][2] == BOTH  # the verification asks nothing: one message
        notice = body(stack, "finding-notice")
        for text in (
            "Brist vid kommunens uppföljning: Genomförandeplan inom två veckor",
            "Krav som inte uppfylls: Genomförandeplan inom två veckor\n\nUnderlag:",
            "Fyra av tio kunder saknar aktuell genomförandeplan.",
            "Underlag: Tillsynsbesök 2031-02-27",
            "Svara senast 17 mars 2031 till LOV-administratör, lov-admin@sundsvall.example",
            "påpekande, prisavdrag, vite och förslag om hävning av avtalet",
        ):
            assert text in notice, notice
        assert FINDING not in notice and "care-plans" not in notice
        request = body(stack, "finding-action-plan-request")
        assert "Skicka åtgärdsplanen senast 2 april 2031" in request, request
        assert "Planen ska omfatta alla kunder." in request
        verified = body(stack, "finding-verified")
        assert "Bristen är inte åtgärdad" in verified and "17 april 2031" in verified, verified
        late = body(stack, "finding-action-plan-late")
        assert "senast 5 maj 2031" in late and "Svara senast 20 maj 2031" in late, late
        decision = body(stack, "finding-decision")
        for text in (
            "Beslut: Vite",
            "Beloppet är 10 000,00 kr",
            "Åtgärdsplanen kom inte in i tid.",
        ):
            assert text in decision, decision

        record = await stack.store.get_finding(FINDING)
        assert record is not None
        assert (record.status, record.round, record.last_decision, record.sanctioned_amount) == (
            "closed",
            2,
            "vite",
            Decimal("10000.00"),
        )
        (vite,) = await stack.store.list_finding_decisions(FINDING)
        assert (vite.kind, vite.amount, vite.reason, vite.actor) == (
            "vite",
            Decimal("10000.00"),
            "Åtgärdsplanen kom inte in i tid.",
            "bo",
        )
        # Sundsvall's vite is invoiced (plans/sundsvall.toml `collect`): listed for finance.
        assert vite.details == {"collect": "invoice", "invoice_reference": f"{FINDING}-B1"}
        assert "Det faktureras er" in decision, decision
        steps = [s.step for s in await stack.store.list_finding_steps(FINDING)]
        assert steps == [
            "noticed",
            "response",
            "action-plan-requested",
            "action-plan-reminder",
            "action-plan-reminder",
            "action-plan-submitted",
            "verified-not-remedied",
            "action-plan-requested",
            "action-plan-reminder",
            "action-plan-reminder",
            "action-plan-late",
            "decision-vite",
            "closed",
        ]
        audit = [
            a.event_type for a in await stack.store.list_audit(ORG) if a.workflow_id == WORKFLOW
        ]
        assert audit == [f"finding-{s}" for s in steps]


async def test_herning_samarbejdsprocedure_in_danish(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await registered(stack, plan="herning", requirement="documentation")
        c = stack.client
        await stack.sleep_until(local(date(2031, 3, 18)))
        await findings.decide(
            c,
            FINDING,
            DecideRequest(kind="pafpekande", reason="Dokumentationen mangler.", actor="m"),
        )
        await findings.request_action_plan(
            c, FINDING, ActionPlanRequest(due=date(2031, 4, 15), actor="m")
        )
        await stack.sleep_until(local(date(2031, 4, 10)))
        await findings.submit_action_plan(
            c, FINDING, SubmitActionPlanRequest(summary="Ny procedure", actor="m")
        )
        result = await findings.verify(c, FINDING, VerifyRequest(outcome="remedied", actor="m"))
        # Verified on skærtorsdag: the e-mail waits for the first business day after Easter.
        await stack.sleep_until(local(date(2031, 4, 16)))
        assert result.status == "closed" and result.procedure == "Samarbejdsprocedure"
        notice = body(stack, "finding-notice")
        for text in (
            "Samarbejdsprocedure:",
            "samarbejdsproceduren sættes derfor i gang",
            "Svar senest 17. marts 2031",
            "påtale, bod og indstilling om ophævelse af kontrakten",
        ):
            assert text in notice, notice
        assert "Afgørelse: Påtale" in body(stack, "finding-decision")
        assert "Manglen er rettet" in body(stack, "finding-verified")
        for m in _messages(stack):
            text = f"{m['Subject']}\n{m.get_content()}"
            assert not [w for w in ("Med vänliga", "åtgärdsplan", "Brist") if w in text], text


async def test_nordanstig_vite_with_its_own_amount_after_the_response_deadline(
    tmp_path: Path,
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await registered(stack, plan="nordanstig")
        c = stack.client
        await stack.sleep_until(local(date(2031, 3, 18)))
        # Nordanstig's ladder has no prisavdrag.
        await refused(
            findings.decide(
                c,
                FINDING,
                DecideRequest(kind="prisavdrag", reason="x", amount=Decimal(1), actor="b"),
            ),
            "kind: the plan's ladder has pafpekande, vite, havning, not prisavdrag",
        )
        result = await findings.decide(
            c,
            FINDING,
            DecideRequest(kind="vite", reason="Inget svar.", amount=Decimal("2500.50"), actor="b"),
        )
        await findings.decide(
            c, FINDING, DecideRequest(kind="havning", reason="Allvarlig brist.", actor="b")
        )
        await stack.sleep_until(local(date(2031, 3, 19)))
        assert [d.amount for d in result.decisions] == [Decimal("2500.50")]
        assert "påpekande, vite och förslag om hävning av avtalet" in body(stack, "finding-notice")
        assert "Beloppet är 2 500,50 kr" in body(stack, "finding-decision")
        havning = [m for m in _messages(stack) if m["X-Lov-Kind"] == "finding-decision"][1]
        # The proposal of hävning goes to management too.
        assert "socialchef@nordanstig.example" in str(havning["To"])
        assert "föreslår därför att avtalet med er hävs" in body(stack, "finding-decision", 1)
        record = await stack.store.get_finding(FINDING)
        assert record is not None
        assert (record.last_decision, record.sanctioned_amount) == ("havning", Decimal("2500.50"))
