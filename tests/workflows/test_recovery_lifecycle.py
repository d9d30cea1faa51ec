"""Recovery (återkrav) cases on the time-skipping server, with mail received by a real SMTP
server and records in a real SQLite database.

Dates are in 2031 (Sundsvall plan: response_days 14, office hours from 09:00, Swedish holidays).
A case started on Monday 3 March has its response deadline on Monday 17 March; the
administrator is told on Tuesday 18 March at 09:00 if no response has come. An invoice recorded
on Wednesday 12 March falls due 30 days later, on Friday 11 April, which is Good Friday: the due
date moves past Easter Monday to Tuesday 15 April; the payment reminder goes 7 days before
(Tuesday 8 April, 09:00) and inkasso follows on Wednesday 16 April at 09:00.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

from models.messages.recovery import (
    DecideRequest,
    PaidRequest,
    RecoveryStatus,
    RespondRequest,
    SettleRequest,
)
from services import recoveries as recovery
from services.calls import ActionError
from tests.support.harness import PROVIDER, STOCKHOLM, Stack, local, lovflow_stack
from tests.support.recovery_lines import LINES

ORG = PROVIDER.org_nr
ADMIN = "lov-admin@sundsvall.example"
BOTH = f"{PROVIDER.email}, {ADMIN}"
CASE = "5560360793-2031-001"
WORKFLOW = f"recovery-{CASE}"
# The notice carries the provider's portal link: the administrator gets a copy of its own.
NOTICE = [
    (
        datetime(2031, 3, 3, 10, 0, tzinfo=STOCKHOLM),
        "recovery-notice",
        to,
        f"Återkrav {CASE}: 1 479,25 kr – svara senast 17 mars 2031",
    )
    for to in (PROVIDER.email, ADMIN)
]

TOTAL = Decimal("1479.25")

UPDATE_ACCEPTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
ACTIVITY_SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED


def at(month: int, day: int, hour: int = 10, year: int = 2031) -> datetime:
    return datetime.combine(date(year, month, day), time(hour, 0), STOCKHOLM)


def case_mails(stack: Stack) -> list[tuple[datetime, str, str, str]]:
    """(local time, kind, To, Subject) of each e-mail of the case, in order received."""
    found = []
    for m in _messages(stack):
        sent = datetime.strptime(str(m["Date"]), "%a, %d %b %Y %H:%M:%S %z")
        found.append(
            (sent.astimezone(STOCKHOLM), str(m["X-Lov-Kind"]), str(m["To"]), str(m["Subject"]))
        )
    return found


def _messages(stack: Stack) -> list[EmailMessage]:
    return [m for m in stack.mail.messages if m["X-Lov-Workflow"] == WORKFLOW]


def body(stack: Stack, kind: str) -> str:
    found = [m for m in _messages(stack) if m["X-Lov-Kind"] == kind]
    if len(found) > 1:  # the provider's, not the administrator's copy of it
        found = [m for m in found if PROVIDER.email in str(m["To"])]
    (message,) = found
    return str(message.get_content())


def _counts(history: WorkflowHistory) -> Counter[int]:
    return Counter(e.event_type for e in history.events)


async def opened(stack: Stack) -> str:
    """A contract since 2030 (so the provider is on record), and a case opened on 3 March."""
    await stack.sleep_until(local(date(2031, 1, 1), time(0, 0)))
    await stack.start_contract(date(2030, 1, 1))
    await stack.sleep_until(local(date(2031, 3, 3)))
    case_id = await recovery.start_recovery(
        stack.client,
        stack.settings.temporal_task_queue,
        stack.settings.plans_dir,
        stack.settings.templates_dir,
        ORG,
        LINES,
        year=2031,
        actor="anna.admin",
        subject="Granskning av utförd tid januari–februari 2031",
        search_attributes=False,
    )
    assert case_id == CASE
    await stack.sleep_until(local(date(2031, 3, 3), time(10, 5)))
    return case_id


async def steps(stack: Stack) -> list[tuple[str, str, str]]:
    return [(s.step, s.status, s.actor) for s in await stack.store.list_recovery_steps(CASE)]


async def test_accept_confirm_invoice_paid(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await opened(stack)
        await stack.sleep_until(local(date(2031, 3, 10)))
        await recovery.respond(
            stack.client, CASE, RespondRequest(outcome="accept", actor="anna.admin")
        )
        # Responded: a decision is allowed before the deadline.
        await recovery.decide(
            stack.client, CASE, DecideRequest(outcome="confirm", actor="bertil.chef")
        )
        await stack.sleep_until(local(date(2031, 3, 12)))
        await recovery.settle(
            stack.client,
            CASE,
            SettleRequest(method="invoice", invoice_number="F-2031-118", actor="anna.admin"),
        )
        await stack.sleep_until(local(date(2031, 4, 9)))
        result = await recovery.paid(stack.client, CASE, PaidRequest(actor="anna.admin"))
        await stack.sleep_until(local(date(2031, 5, 30)))

        assert case_mails(stack) == [
            *NOTICE,
            (at(3, 10), "recovery-decision", BOTH, f"Beslut om återkrav {CASE}: 1 479,25 kr"),
            (
                at(3, 12),
                "recovery-invoice",
                BOTH,
                f"Återkrav {CASE}: faktura F-2031-118, 1 479,25 kr, "
                f"att betala senast 15 april 2031",
            ),
            (
                at(4, 8, 9),
                "recovery-payment-reminder",
                PROVIDER.email,
                f"Påminnelse: faktura F-2031-118 (återkrav {CASE}) "
                f"ska betalas senast 15 april 2031",
            ),
            (
                at(4, 9),
                "recovery-paid",
                BOTH,
                f"Återkrav {CASE}: betalningen är registrerad och ärendet avslutat",
            ),
        ]
        notice = body(stack, "recovery-notice")
        # The amount, line by line, the deadline, to whom, and what happens without a response.
        for text in (
            "2031-01 K-1042: fakturerat 12,5 h, godkänt 10 h, skillnad 2,5 h × 385,50 kr/h"
            " = 963,75 kr",
            "2031-01 K-2077: fakturerat 20,25 h, godkänt 19 h, skillnad 1,25 h × 412,40 kr/h"
            " = 515,50 kr",
            "2031-02 K-1042: fakturerat 8 h, godkänt 9 h → inget att återkräva, 0,00 kr",
            "Summa att återbetala: 1 479,25 kr",
            "Svara senast 17 mars 2031 till LOV-administratör, lov-admin@sundsvall.example",
            "fattar kommunen beslut utifrån de uppgifter som finns i ärendet",
        ):
            assert text in notice, notice
        assert "Ni har godtagit återkravet." in body(stack, "recovery-decision")
        assert "lämnas fordran till inkasso" in body(stack, "recovery-invoice")

        assert result.status == "paid" and result.amount == TOTAL
        assert [s.step for s in result.steps] == [
            "noticed",
            "response-accepted",
            "decision-confirmed",
            "invoiced",
            "payment-reminder",
            "paid",
        ]
        assert await steps(stack) == [
            ("noticed", "noticed", "anna.admin"),
            ("response-accepted", "responded", "anna.admin"),
            ("decision-confirmed", "decided", "bertil.chef"),
            ("invoiced", "invoiced", "anna.admin"),
            ("payment-reminder", "invoiced", "system"),
            ("paid", "paid", "anna.admin"),
        ]
        record = await stack.store.get_recovery(CASE)
        assert record is not None
        assert (record.status, record.claimed_amount, record.amount, record.year) == (
            "paid",
            TOTAL,
            TOTAL,
            2031,
        )
        assert (record.response, record.decision, record.settlement, record.invoice_number) == (
            "accepted",
            "confirmed",
            "invoice",
            "F-2031-118",
        )
        assert record.response_due == date(2031, 3, 17)
        assert record.payment_due == date(2031, 4, 15)
        assert record.paid_at is not None and record.paid_at.astimezone(STOCKHOLM).replace(
            microsecond=0
        ) == at(4, 9)
        lines = await stack.store.list_recovery_lines(CASE)
        assert [(ln.revision, ln.line_no, ln.customer_ref, ln.amount) for ln in lines] == [
            (0, 1, "K-1042", Decimal("963.75")),
            (0, 2, "K-2077", Decimal("515.50")),
            (0, 3, "K-1042", Decimal("0.00")),
        ]
        audit = [
            a.event_type for a in await stack.store.list_audit(ORG) if a.workflow_id == WORKFLOW
        ]
        assert audit[0] == "recovery-noticed" and audit[-1] == "recovery-paid"


async def test_dispute_adjust_lines_set_off(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await opened(stack)
        await stack.sleep_until(local(date(2031, 3, 14)))
        await recovery.respond(
            stack.client,
            CASE,
            RespondRequest(
                outcome="dispute",
                comment="K-2077 fick 0,75 h extra insats den 12 januari",
                actor="anna.admin",
            ),
        )
        adjusted = [LINES[0], LINES[1].model_copy(update={"hours_approved": Decimal("19.75")})]
        await stack.sleep_until(local(date(2031, 3, 20)))
        decided = await recovery.decide(
            stack.client,
            CASE,
            DecideRequest(
                outcome="adjust",
                lines=adjusted,
                reason="Extra insats styrkt av biståndshandläggare",
                actor="bertil.chef",
            ),
        )
        # 963.75 + 0.5 h × 412.40 = 963.75 + 206.20
        assert decided.amount == Decimal("1169.95") and decided.claimed_amount == TOTAL
        await recovery.settle(
            stack.client, CASE, SettleRequest(method="set_off", actor="anna.admin")
        )
        await stack.sleep_until(local(date(2031, 4, 25)))
        await recovery.paid(stack.client, CASE, PaidRequest(actor="anna.admin", note="Maj"))
        await stack.sleep_until(local(date(2031, 5, 30)))

        # 20 March + 30 days = Saturday 19 April → Monday 21 April: the set-off check goes to
        # the administrator the next business day, Tuesday 22 April.
        assert case_mails(stack) == [
            *NOTICE,
            (at(3, 20), "recovery-decision", BOTH, f"Beslut om återkrav {CASE}: 1 169,95 kr"),
            (
                at(3, 20),
                "recovery-set-off",
                BOTH,
                f"Återkrav {CASE}: 1 169,95 kr dras av på nästa utbetalning",
            ),
            (
                at(4, 22, 9),
                "recovery-set-off-check",
                ADMIN,
                f"Återkrav {CASE}: bekräfta att kvittningen är gjord",
            ),
            (
                at(4, 25),
                "recovery-paid",
                BOTH,
                f"Återkrav {CASE}: betalningen är registrerad och ärendet avslutat",
            ),
        ]
        decision = body(stack, "recovery-decision")
        for text in (
            "Ni har invänt: K-2077 fick 0,75 h extra insats den 12 januari",
            "Beloppet har ändrats från 1 479,25 kr till 1 169,95 kr.",
            "Skäl: Extra insats styrkt av biståndshandläggare",
            "2031-01 K-2077: fakturerat 20,25 h, godkänt 19,75 h, skillnad 0,50 h × 412,40 kr/h"
            " = 206,20 kr",
            "Summa att återbetala: 1 169,95 kr",
        ):
            assert text in decision, decision
        assert "senast 21 april 2031" in body(stack, "recovery-set-off")
        assert "Avdraget på 1 169,95 kr" in body(stack, "recovery-paid")
        assert await steps(stack) == [
            ("noticed", "noticed", "anna.admin"),
            ("response-disputed", "responded", "anna.admin"),
            ("decision-adjusted", "decided", "bertil.chef"),
            ("set-off", "set_off", "anna.admin"),
            ("set-off-check", "set_off", "system"),
            ("paid", "paid", "anna.admin"),
        ]
        record = await stack.store.get_recovery(CASE)
        assert record is not None
        assert (record.status, record.claimed_amount, record.amount) == (
            "paid",
            TOTAL,
            Decimal("1169.95"),
        )
        assert (record.response, record.decision, record.settlement) == (
            "disputed",
            "adjusted",
            "set_off",
        )
        assert record.decision_reason == "Extra insats styrkt av biståndshandläggare"
        revised = await stack.store.list_recovery_lines(CASE, revision=1)
        assert [(ln.customer_ref, ln.hours_approved, ln.amount) for ln in revised] == [
            ("K-1042", Decimal("10.00"), Decimal("963.75")),
            ("K-2077", Decimal("19.75"), Decimal("206.20")),
        ]
        assert len(await stack.store.list_recovery_lines(CASE, revision=0)) == 3


async def test_no_response_then_withdrawn(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await opened(stack)
        await stack.sleep_until(local(date(2031, 3, 19)))
        status = await recovery.decide(
            stack.client,
            CASE,
            DecideRequest(
                outcome="withdraw",
                reason="Timmarna var felregistrerade i verksamhetssystemet",
                actor="bertil.chef",
            ),
        )
        assert status.status == "withdrawn" and status.amount == 0
        await stack.sleep_until(local(date(2031, 6, 1)))

        assert case_mails(stack) == [
            *NOTICE,
            (
                at(3, 18, 9),
                "recovery-response-expired",
                ADMIN,
                f"Återkrav {CASE}: svarstiden har gått ut, beslut kan fattas",
            ),
            (at(3, 19), "recovery-decision", BOTH, f"Återkrav {CASE}: återkravet återkallas"),
        ]
        expired = body(stack, "recovery-response-expired")
        assert "senast 17 mars 2031. Inget svar har registrerats." in expired
        assert f"lov recovery decide {CASE} --confirm" in expired
        withdrawn = body(stack, "recovery-decision")
        assert "återkalla återkrav" in withdrawn and "Ni behöver inte betala något." in withdrawn
        assert "Skäl: Timmarna var felregistrerade i verksamhetssystemet" in withdrawn
        assert await steps(stack) == [
            ("noticed", "noticed", "anna.admin"),
            ("response-expired", "noticed", "system"),
            ("decision-withdrawn", "withdrawn", "bertil.chef"),
        ]
        record = await stack.store.get_recovery(CASE)
        assert record is not None
        assert (record.status, record.decision, record.amount, record.response) == (
            "withdrawn",
            "withdrawn",
            Decimal("0.00"),
            None,
        )
        # The workflow has completed: a withdrawn case takes no more steps.
        handle = stack.client.get_workflow_handle(WORKFLOW, result_type=RecoveryStatus)
        final = await handle.result()
        assert isinstance(final, RecoveryStatus) and final.status == "withdrawn"


async def test_unpaid_invoice_goes_to_debt_collection(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await opened(stack)
        await stack.sleep_until(local(date(2031, 3, 18), time(11, 0)))
        await recovery.decide(
            stack.client, CASE, DecideRequest(outcome="confirm", actor="bertil.chef")
        )
        await stack.sleep_until(local(date(2031, 3, 12 + 7)))
        await recovery.settle(
            stack.client,
            CASE,
            SettleRequest(method="invoice", invoice_number="F-2031-140", actor="anna.admin"),
        )
        await stack.sleep_until(local(date(2031, 5, 5)))
        status = await recovery.recovery_status(stack.client, CASE)
        assert status.status == "debt_collection"
        await recovery.paid(stack.client, CASE, PaidRequest(actor="anna.admin"))
        await stack.sleep_until(local(date(2031, 5, 30)))

        # Invoice on 19 March: due Friday 18 April; the reminder 7 days before falls on Good
        # Friday and moves back to Thursday 10 April; unpaid at the due date → inkasso on the
        # next business day, Monday 21 April 09:00.
        assert case_mails(stack) == [
            *NOTICE,
            (
                at(3, 18, 9),
                "recovery-response-expired",
                ADMIN,
                f"Återkrav {CASE}: svarstiden har gått ut, beslut kan fattas",
            ),
            (at(3, 18, 11), "recovery-decision", BOTH, f"Beslut om återkrav {CASE}: 1 479,25 kr"),
            (
                at(3, 19),
                "recovery-invoice",
                BOTH,
                f"Återkrav {CASE}: faktura F-2031-140, 1 479,25 kr, "
                f"att betala senast 18 april 2031",
            ),
            (
                at(4, 10, 9),
                "recovery-payment-reminder",
                PROVIDER.email,
                f"Påminnelse: faktura F-2031-140 (återkrav {CASE}) "
                f"ska betalas senast 18 april 2031",
            ),
            (
                at(4, 21, 9),
                "recovery-debt-collection",
                BOTH,
                f"Återkrav {CASE}: faktura F-2031-140 är obetald och lämnas till inkasso",
            ),
            (
                at(5, 5),
                "recovery-paid",
                BOTH,
                f"Återkrav {CASE}: betalningen är registrerad och ärendet avslutat",
            ),
        ]
        assert "Vi har inte fått något svar från er" in body(stack, "recovery-decision")
        inkasso = body(stack, "recovery-debt-collection")
        assert "skulle ha betalats senast 18 april 2031" in inkasso
        assert "Fordran lämnas därför till inkasso." in inkasso
        assert await steps(stack) == [
            ("noticed", "noticed", "anna.admin"),
            ("response-expired", "noticed", "system"),
            ("decision-confirmed", "decided", "bertil.chef"),
            ("invoiced", "invoiced", "anna.admin"),
            ("payment-reminder", "invoiced", "system"),
            ("debt-collection", "debt_collection", "system"),
            ("paid", "paid", "anna.admin"),
        ]
        steps_recorded = await stack.store.list_recovery_steps(CASE)
        inkasso_step = steps_recorded[5]
        assert inkasso_step.at.astimezone(STOCKHOLM).replace(microsecond=0) == at(4, 21, 9)
        assert inkasso_step.details == {"amount": "1 479,25 kr"}
        (total_2031,) = await stack.store.recovery_totals(org_nr=ORG, year=2031)
        assert (total_2031.cases, total_2031.claimed, total_2031.paid) == (1, TOTAL, TOTAL)
        assert total_2031.outstanding == 0 and total_2031.open_cases == 0


async def test_validators_reject_before_history(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await opened(stack)
        handle = stack.client.get_workflow_handle(WORKFLOW)
        before = _counts(await handle.fetch_history())
        sent = len(stack.mail.messages)
        negative = [LINES[0].model_copy(update={"hours_approved": Decimal("-1")})]
        cases: list[tuple[str, object]] = [
            (
                "response_due: the provider may respond until 2031-03-17",
                DecideRequest(outcome="confirm", actor="bertil"),
            ),
            (
                "response_due: the provider may respond until 2031-03-17",
                DecideRequest(outcome="withdraw", reason="x", actor="bertil"),
            ),
        ]
        for message, request in cases:
            with pytest.raises(ActionError, match=message):
                await recovery.decide(stack.client, CASE, request)  # type: ignore[arg-type]
        with pytest.raises(ActionError, match="comment .*: must not be empty"):
            await recovery.respond(
                stack.client, CASE, RespondRequest(outcome="dispute", actor="anna")
            )
        with pytest.raises(ActionError, match="status: nothing to settle"):
            await recovery.settle(
                stack.client,
                CASE,
                SettleRequest(method="invoice", invoice_number="F-1", actor="anna"),
            )
        with pytest.raises(ActionError, match="status: nothing to pay"):
            await recovery.paid(stack.client, CASE, PaidRequest(actor="anna"))
        # Once the provider has responded a decision may come early, but not a bad one.
        await recovery.respond(
            stack.client, CASE, RespondRequest(outcome="dispute", comment="Fel", actor="anna")
        )
        responded = _counts(await handle.fetch_history())
        bad_decisions = [
            (
                r"lines\[1\].hours_approved: får inte vara negativt",
                DecideRequest(outcome="adjust", lines=negative, reason="x", actor="b"),
            ),
            (
                "amount: 1 500,00 kr is more than the notified 1 479,25 kr",
                DecideRequest(outcome="adjust", amount=Decimal("1500"), reason="x", actor="b"),
            ),
            (
                "amount: must be above 0",
                DecideRequest(outcome="adjust", amount=Decimal("0.004"), reason="x", actor="b"),
            ),
            (
                "reason: must not be empty",
                DecideRequest(outcome="adjust", amount=Decimal("100"), actor="b"),
            ),
            (
                "amount: give either a new amount or adjusted lines",
                DecideRequest(outcome="adjust", reason="x", actor="b"),
            ),
        ]
        for message, decide_request in bad_decisions:
            with pytest.raises(ActionError, match=message):
                await recovery.decide(stack.client, CASE, decide_request)
        with pytest.raises(ActionError, match="status: a response can no longer be registered"):
            await recovery.respond(
                stack.client, CASE, RespondRequest(outcome="accept", actor="anna")
            )
        # Rejected updates never reached history, and nothing was sent.
        after = _counts(await handle.fetch_history())
        assert before[UPDATE_ACCEPTED] == 0 and responded[UPDATE_ACCEPTED] == 1
        assert after[UPDATE_ACCEPTED] == 1
        assert after[ACTIVITY_SCHEDULED] == responded[ACTIVITY_SCHEDULED]
        assert responded[ACTIVITY_SCHEDULED] == before[ACTIVITY_SCHEDULED] + 1  # its record
        assert len(stack.mail.messages) == sent

        # An unknown case, and claim lines refused before anything is started.
        with pytest.raises(ActionError, match="case: no recovery case 5560360793-2031-009"):
            await recovery.respond(
                stack.client,
                "5560360793-2031-009",
                RespondRequest(outcome="accept", actor="anna"),
            )
        with pytest.raises(ActionError, match="case: no recovery case"):
            await recovery.recovery_status(stack.client, "5560360793-2031-009")
        with pytest.raises(ActionError, match="case: 'ÅK-1' is not a case id"):
            await recovery.recovery_status(stack.client, "ÅK-1")
        for lines, message in (
            (negative, r"lines\[1\].hours_approved: får inte vara negativt"),
            (
                [LINES[0].model_copy(update={"customer_ref": "19121212-1212"})],
                r"lines\[1\].customer_ref: ser ut som ett personnummer",
            ),
            ([LINES[2]], "lines: inget att återkräva"),
        ):
            with pytest.raises(ActionError, match=message):
                await recovery.start_recovery(
                    stack.client,
                    stack.settings.temporal_task_queue,
                    stack.settings.plans_dir,
                    stack.settings.templates_dir,
                    ORG,
                    lines,
                    year=2031,
                    actor="anna",
                    search_attributes=False,
                )
        with pytest.raises(ActionError, match="org_nr: no contract for provider 212000-2312"):
            await recovery.start_recovery(
                stack.client,
                stack.settings.temporal_task_queue,
                stack.settings.plans_dir,
                stack.settings.templates_dir,
                "212000-2312",
                LINES,
                year=2031,
                actor="anna",
                search_attributes=False,
            )
        # Nothing was started: the next case still gets number 002.
        second = await recovery.start_recovery(
            stack.client,
            stack.settings.temporal_task_queue,
            stack.settings.plans_dir,
            stack.settings.templates_dir,
            ORG,
            LINES[:1],
            year=2031,
            actor="anna",
            search_attributes=False,
        )
        assert second == "5560360793-2031-002"
