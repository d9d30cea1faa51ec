"""`lov audit` with findings (brister): every step and decision of a finding workflow is in the
provider's timeline with its actor and reason, in plain Swedish words, and the records agree
with Temporal's histories (services.audit.check_histories reads the finding workflow's records
activity as it reads the recovery's). Time-skipping server, real SMTP, real SQLite."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo

from models.messages.finding import CloseRequest, DecideRequest, RespondRequest
from services import findings
from services.audit import check_histories, selected, timeline
from services.words import finding_audit_text
from tests.support.harness import PROVIDER, local, lovflow_stack

ORG = PROVIDER.org_nr
STOCKHOLM = ZoneInfo("Europe/Stockholm")


async def test_finding_steps_are_audited_and_agree_with_the_histories(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2031, 1, 1), time(0, 0)))
        await stack.start_contract(date(2030, 1, 1))
        await stack.sleep_until(local(date(2031, 3, 3)))
        found = await findings.register_finding(
            stack.client,
            stack.settings,
            ORG,
            requirement="care-plans",
            severity="high",
            source="visit",
            what="Fyra av tio kunder saknar genomförandeplan.",
            actor="kerstin",
            today=date(2031, 3, 3),
        )
        fid = found.finding_id
        await stack.sleep_until(local(date(2031, 3, 4)))
        await findings.respond(
            stack.client, fid, RespondRequest(comment="Vi ser över rutinen.", actor="anna")
        )
        await findings.decide(
            stack.client,
            fid,
            DecideRequest(kind="pafpekande", reason="Planer saknas sedan hösten.", actor="bo"),
        )
        await findings.close(
            stack.client, fid, CloseRequest(reason="Följs upp vid nästa besök.", actor="anna")
        )
        await stack.sleep_until(local(date(2031, 3, 5)))

        entries = await timeline(stack.store, ORG)
        agreement = await check_histories(stack.client, ORG, entries)
        assert agreement.agrees, agreement.as_dict()
        steps = [
            (e.type, e.actor, e.details.get("reason") or e.details.get("comment"))
            for e in entries
            if e.source == "event" and e.type.startswith("finding-")
        ]
        assert steps == [
            ("finding-noticed", "kerstin", None),
            ("finding-response", "anna", "Vi ser över rutinen."),
            ("finding-decision-pafpekande", "bo", "Planer saknas sedan hösten."),
            ("finding-closed", "anna", "Följs upp vid nästa besök."),
        ]
        # The finding's e-mails are the provider's too, and counted in the agreement.
        kinds = {e.type for e in entries if e.source == "email"}
        assert {"finding-notice", "finding-decision", "finding-closed"} <= kinds
        # A finding belongs to the follow-up year it was registered in.
        shown = selected(entries, STOCKHOLM, 2031)
        decision = next(e for e in shown if e.type == "finding-decision-pafpekande")
        assert finding_audit_text(decision.type, decision.details) == (
            "Brist: beslut om påpekande (läge: utföraren har svarat; "
            "skäl: Planer saknas sedan hösten.)"
        )
        noticed = next(e for e in shown if e.type == "finding-noticed")
        assert finding_audit_text(noticed.type, noticed.details) == (
            "Brist: utföraren underrättad (läge: underrättad, kommunicering pågår; "
            "vad som har upptäckts: Fyra av tio kunder saknar genomförandeplan.)"
        )
        assert not [e for e in selected(entries, STOCKHOLM, 2030) if "finding" in e.type]
