"""`lov audit` with the municipality's own tasks (issue 19 point 4): a tillsynsbesök's reminders,
its escalation to the owner's manager and its late registration are in the provider's timeline
in plain Swedish, and the records agree with the municipal duties workflow's history
(services.audit.check_histories: the workflow's record_audit and send_mail, only this
provider's). Time-skipping server, real SMTP, real SQLite."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from models.messages.municipal import CompleteTaskRequest, TaskView
from services.audit import check_histories, timeline
from services.municipal_words import task_audit_text, task_concerns
from starter.audit import _text
from tests.support.harness import local, lovflow_stack
from tests.support.municipal import NORRSKOG, SOLROS, start, under_plan

PLANS = Path(__file__).resolve().parents[2] / "plans"


async def test_task_steps_are_audited_in_words_and_agree_with_the_history(
    tmp_path: Path,
) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2031, 1, 2), time(8, 0)))
        at = await stack.env.get_current_time()
        part = await under_plan(stack.store, NORRSKOG, "nordanstig", date(2030, 1, 1), at)
        await under_plan(stack.store, SOLROS, "nordanstig", date(2030, 6, 1), at)
        wid = await start(stack, "nordanstig")
        await stack.sleep_until(local(date(2031, 6, 18), time(12, 0)))
        handle = stack.client.get_workflow_handle(wid)
        await handle.execute_update(
            "complete_task",
            CompleteTaskRequest(
                task_id=f"tillsynsbesok-2031-{part}",
                done_on=date(2031, 6, 17),
                by="Margareta Sjögren",
                result="Besök och intervjuer; rutinerna följs.",
                findings=["Nyckelkvittenser saknades för två kunder"],
            ),
            result_type=TaskView,
        )
        await stack.sleep_until(local(date(2031, 6, 19), time(12, 0)))

        entries = await timeline(stack.store, NORRSKOG.org_nr)
        agreement = await check_histories(stack.client, NORRSKOG.org_nr, entries)
        assert agreement.agrees, agreement.as_dict()
        steps = [
            (e.type, e.actor)
            for e in entries
            if e.source == "event" and e.type.startswith("municipal-task")
        ]
        assert steps == [
            ("municipal-task-reminder", "system"),
            ("municipal-task-reminder", "system"),
            ("municipal-task-escalated", "system"),
            ("municipal-task-done", "Margareta Sjögren"),
        ]
        # Only this provider's: Solros's visit is in the same workflow, not in this timeline.
        assert all(
            e.details.get("task") in (None, f"tillsynsbesok-2031-{part}")
            for e in entries
            if e.source == "event"
        )
        done = next(e for e in entries if e.type == "municipal-task-done")
        assert task_concerns(done.details, PLANS) == (
            "Kommunens uppgift: Tillsynsbesök med intervjuer av personal 2031"
        )
        assert task_audit_text(done.type, done.details, PLANS) == (
            "Kommunens uppgift: registrerad som utförd (utförd: 2031-06-17; för sent: ja; "
            "efter eskalering: ja; resultat: Besök och intervjuer; rutinerna följs.; "
            "iakttagelser: Nyckelkvittenser saknades för två kunder)"
        )
        escalated = next(e for e in entries if e.type == "municipal-task-escalated")
        assert task_audit_text(escalated.type, escalated.details, PLANS) == (
            "Kommunens uppgift: försenad, lämnad till chefen (lämnad till: Socialchef)"
        )
        printed = _text(entries, PLANS)
        assert (
            "· Kommunens uppgift: Tillsynsbesök med intervjuer av personal 2031 · "
            "Kommunens uppgift: registrerad som utförd (utförd: 2031-06-17;"
        ) in printed


def test_danish_plan_words() -> None:
    details = {"plan": "herning", "task": "policy-approval-2031", "duty": "policy-approval"}
    assert task_concerns(details, PLANS).startswith("Kommunens opgave: ")
    assert task_audit_text("municipal-task-reminder", details, PLANS) == (
        "Kommunens opgave: påmindelse til den ansvarlige"
    )
