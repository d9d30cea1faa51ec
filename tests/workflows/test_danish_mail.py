"""A Danish plan (Herning) on the time-skipping server: placements and recovery cases send their
e-mails in Danish, from templates/da, with Danish dates and calculation lines. Mail is received
by a real SMTP server. Dates are in spring 2031 (Herning: Danish holidays, response_days 14,
default kundval: døgnrytmeplan within 14 days, reminders 7 and 2 days before)."""

from __future__ import annotations

import email
from datetime import date, time
from decimal import Decimal
from email import policy
from email.message import EmailMessage
from pathlib import Path

from activities.smtp import flatten
from models.domain.money import ClaimLine
from models.messages.contract import TerminateRequest
from models.messages.placement import ChooseRequest, PlacementInput, RotationEntry
from services import contracts
from services import placements as pa
from services import recoveries as recovery
from tests.support.harness import Stack, local, lovflow_stack
from tests.support.placement_helpers import A, B, registered

AREA, SERVICE = "Midt", "personlig pleje"
SWEDISH_WORDS = ("Med vänliga", "utförare", "återkrav", "upphör", "fakturerat")


def _mails(stack: Stack, prefix: str) -> list[EmailMessage]:
    return [m for m in stack.mail.messages if str(m["X-Lov-Workflow"]).startswith(prefix)]


def _danish(message: EmailMessage) -> str:
    text = f"{message['Subject']}\n{message.get_content()}"
    assert not [w for w in SWEDISH_WORDS if w in text], text
    return text


async def test_a_herning_placement_mails_in_danish(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2031, 2, 24), time(8, 0)))
        for p in (A, B):
            await stack.start_contract(date(2030, 1, 1), plan="herning", provider=p)
            await pa.add_provider(
                stack.client,
                stack.settings.temporal_task_queue,
                "herning",
                RotationEntry(org_nr=p.org_nr, area=AREA, service_type=SERVICE, actor="mette"),
                search_attributes=False,
            )
        await stack.sleep_until(local(date(2031, 2, 24), time(10, 0)))
        wid = await pa.start(
            stack.client,
            stack.settings.temporal_task_queue,
            PlacementInput(
                customer_ref="BR-2031-0042",
                area=AREA,
                service_type=SERVICE,
                granted_hours=Decimal("22.50"),
                decision_date=date(2031, 2, 20),
                start=date(2031, 3, 3),
                plan_id="herning",
                actor="visitator",
                search_attributes=False,
            ),
        )
        await registered(stack, wid)
        await pa.choose(stack.client, wid, ChooseRequest(provider=A.org_nr, actor="visitator"))
        await stack.sleep_until(local(date(2031, 3, 12)))
        await contracts.terminate(
            stack.client,
            A.org_nr,
            TerminateRequest(
                end_date=date(2031, 5, 31), kind="uppsagning", reason="Ophører", actor="mette"
            ),
        )
        await stack.sleep_until(local(date(2031, 3, 13)))

        sent = {str(m["X-Lov-Kind"]): m for m in _mails(stack, "placement-")}
        assert sorted(sent) == ["care-plan-reminder", "placement-new", "placement-rechoice"]
        new = _danish(sent["placement-new"])
        assert "Ny bestilling" in new and "hjemmehjælp fra 3. marts 2031" in new
        # What is due, by when, to whom, and what happens if it is late.
        assert "Døgnrytmeplanen" in new and "senest 17. marts 2031" in new
        assert "visitation@herning.example" in new and "registrere en mangel" in new
        reminder = _danish(sent["care-plan-reminder"])
        assert "Påmindelse: døgnrytmeplan" in reminder and "17. marts 2031" in reminder
        # The re-choice reason is built by the workflow, in the plan's language.
        rechoice = _danish(sent["placement-rechoice"])
        assert f"kontrakten med {A.org_nr} ophører 2031-05-31" in rechoice
        assert (await pa.status(stack.client, wid)).rechoice_reason == (
            f"kontrakten med {A.org_nr} ophører 2031-05-31"
        )


async def test_a_herning_recovery_mails_in_danish(tmp_path: Path) -> None:
    lines = [
        ClaimLine(
            period="2031-01",
            customer_ref="BR-1042",
            hours_billed=Decimal("12.5"),
            hours_approved=Decimal("10"),
            hourly_rate=Decimal("385.50"),
        ),
        ClaimLine(
            period="2031-02",
            customer_ref="BR-1042",
            hours_billed=Decimal("8"),
            hours_approved=Decimal("9"),
            hourly_rate=Decimal("385.50"),
        ),
    ]
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2031, 1, 1), time(0, 0)))
        await stack.start_contract(date(2030, 1, 1), plan="herning", provider=A)
        await stack.sleep_until(local(date(2031, 3, 3)))
        # A Danish plan was refused before it had recovery texts; now the case starts.
        case_id = await recovery.start_recovery(
            stack.client,
            stack.settings.temporal_task_queue,
            stack.settings.plans_dir,
            stack.settings.templates_dir,
            A.org_nr,
            lines,
            year=2031,
            actor="mette",
            search_attributes=False,
        )
        # No response by Monday 17 March: the visitation is told the next morning.
        await stack.sleep_until(local(date(2031, 3, 19)))

        sent = {str(m["X-Lov-Kind"]): m for m in _mails(stack, f"recovery-{case_id}")}
        assert sorted(sent) == ["recovery-notice", "recovery-response-expired"]
        notice = _danish(sent["recovery-notice"])
        assert str(sent["recovery-notice"]["Subject"]) == (
            f"Tilbagebetalingskrav {case_id}: 963,75 kr – svar senest 17. marts 2031"
        )
        assert "2031-01 BR-1042: faktureret 12,5 t, godkendt 10 t, forskel 2,5 t" in notice
        assert "godkendt 9 t → intet at kræve tilbage, 0,00 kr" in notice
        assert "I alt til tilbagebetaling: 963,75 kr" in notice
        assert "visitation@herning.example" in notice
        expired = _danish(sent["recovery-response-expired"])
        assert "skulle have svaret på tilbagebetalingskrav" in expired
        assert "senest 17. marts 2031" in expired and "I alt til tilbagebetaling" in expired
        assert str(sent["recovery-response-expired"]["To"]) == "visitation@herning.example"


def test_a_long_danish_subject_survives_smtp_folding() -> None:
    subject = (
        "Tilbagebetalingskrav 5560360793-2031-001: "
        "svarfristen er udløbet, der kan træffes afgørelse"
    )
    message = EmailMessage()
    message["Subject"] = subject
    message.set_content("x")
    received = email.message_from_bytes(
        flatten(message), _class=EmailMessage, policy=policy.default
    )
    assert str(received["Subject"]) == subject
