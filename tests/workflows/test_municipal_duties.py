"""The municipality's own duties (issue 19) on the time-skipping server with a real SMTP server:
Nordanstig's yearly tillsynsbesök at each provider and its yearly kundundersökning over two
years, one done in time, one done late after escalation to the owner's manager; the
validators; Herning's reminders and escalation in Danish."""

from __future__ import annotations

from datetime import date, time
from email.message import EmailMessage
from pathlib import Path

import pytest
from temporalio.client import WorkflowUpdateFailedError

from models.messages.municipal import CompleteTaskRequest, TaskState, TaskView
from tests.support.harness import Stack, local, lovflow_stack
from tests.support.municipal import NORRSKOG, SOLROS, start, task_list, under_plan

OWNER = "kvalitetsuppfoljning@nordanstig.example"
MANAGER = "socialchef@nordanstig.example"
SWEDISH_WORDS = ("Med vänliga", "Påminnelse", "utförd", "ansvarar")


def _mails(stack: Stack, prefix: str) -> list[EmailMessage]:
    return [m for m in stack.mail.messages if str(m["X-Lov-Workflow"]).startswith(prefix)]


def _of(mails: list[EmailMessage], kind: str, period: str | None = None) -> list[EmailMessage]:
    return [
        m
        for m in mails
        if m["X-Lov-Kind"] == kind and (period is None or m["X-Lov-Period"] == period)
    ]


def _text(message: EmailMessage) -> str:
    return f"{message['Subject']}\n{message.get_content()}"


async def _complete(stack: Stack, plan: str, request: CompleteTaskRequest) -> TaskView:
    handle = stack.client.get_workflow_handle(f"municipal-duties-{plan}")
    return await handle.execute_update("complete_task", request, result_type=TaskView)


async def _refused(stack: Stack, plan: str, request: CompleteTaskRequest, field: str) -> None:
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await _complete(stack, plan, request)
    message = getattr(caught.value.cause, "message", "")
    assert message.startswith(f"{field}: "), message


async def test_nordanstig_visits_and_survey_over_two_years(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2031, 1, 2), time(8, 0)))
        at = await stack.env.get_current_time()
        norr = await under_plan(stack.store, NORRSKOG, "nordanstig", date(2030, 1, 1), at)
        solros = await under_plan(stack.store, SOLROS, "nordanstig", date(2030, 6, 1), at)
        wid = await start(stack, "nordanstig")
        # Idempotent: the worker and `lov serve` start it on every start.
        await start(stack, "nordanstig")

        tasks = await task_list(stack, "nordanstig")
        visit_norr, visit_solros = f"tillsynsbesok-2031-{norr}", f"tillsynsbesok-2031-{solros}"
        assert sorted(tasks) == sorted([visit_norr, visit_solros, "kundundersokning-2031"])
        # 31 May 2031 is a Saturday: due the Monday after.
        assert tasks[visit_norr].due == date(2031, 6, 2)
        assert {t.state for t in tasks.values()} == {TaskState.OPEN}
        assert tasks["kundundersokning-2031"].provider_name is None

        # The reminders (30 and 7 days before) go to the owner role, in Swedish.
        await stack.sleep_until(local(date(2031, 5, 27), time(12, 0)))
        reminders = _of(_mails(stack, wid), "municipal-task-reminder", "2031")
        assert len(reminders) == 4  # two per provider
        assert {m["To"] for m in reminders} == {OWNER}
        first = _text(reminders[0])
        assert "Påminnelse: Tillsynsbesök med intervjuer av personal hos" in first
        assert "senast 2 juni 2031" in first and "Socialchef" in first
        assert "tillsynsbesok" not in first.split("\n", 1)[1]  # no keys in the text
        assert (await task_list(stack, "nordanstig"))[visit_norr].state is TaskState.DUE

        # Validators: unknown task, a future date, empty result; nothing recorded.
        good = CompleteTaskRequest(
            task_id=visit_norr,
            done_on=date(2031, 5, 26),
            by="Margareta Sjögren",
            result="Besök och intervjuer med tre medarbetare; rutinerna följs.",
            findings=["Nyckelkvittenser saknades för två kunder"],
        )
        audit_before = len(await stack.store.list_audit())
        await _refused(
            stack,
            "nordanstig",
            good.model_copy(update={"task_id": "tillsynsbesok-1999"}),
            "task_id",
        )
        await _refused(
            stack, "nordanstig", good.model_copy(update={"done_on": date(2031, 5, 28)}), "done_on"
        )
        await _refused(stack, "nordanstig", good.model_copy(update={"result": " "}), "result")

        # Done in time.
        view = await _complete(stack, "nordanstig", good)
        assert view.state is TaskState.DONE_ON_TIME and view.by == "Margareta Sjögren"
        await _refused(stack, "nordanstig", good, "task_id")  # done twice
        audit = await stack.store.list_audit()
        assert len(audit) == audit_before + 1
        assert audit[-1].event_type == "municipal-task-done"

        # Solros's visit is not done: after 14 days it goes to the socialchef, copy to the owner.
        await stack.sleep_until(local(date(2031, 6, 18), time(12, 0)))
        escalations = _of(_mails(stack, wid), "municipal-task-escalation")
        assert len(escalations) == 1
        assert sorted(escalations[0]["To"].split(", ")) == sorted([MANAGER, OWNER])
        text = _text(escalations[0])
        assert "Försenad: Tillsynsbesök med intervjuer av personal hos Solros Hemtjänst AB" in text
        assert "Hej Socialchef" in text and "lämnas därför över till Socialchef" in text
        assert escalations[0]["Date"] is not None
        assert (await task_list(stack, "nordanstig"))[visit_solros].state is TaskState.ESCALATED

        late = await _complete(
            stack,
            "nordanstig",
            good.model_copy(update={"task_id": visit_solros, "done_on": date(2031, 6, 17)}),
        )
        assert late.state is TaskState.DONE_LATE

        # The survey, done in time in November.
        await stack.sleep_until(local(date(2031, 11, 20), time(12, 0)))
        survey = await _complete(
            stack,
            "nordanstig",
            good.model_copy(
                update={"task_id": "kundundersokning-2031", "done_on": date(2031, 11, 19)}
            ),
        )
        assert survey.state is TaskState.DONE_ON_TIME

        # The next year: a new run with 2032's tasks; what was done stays recorded.
        await stack.sleep_until(local(date(2032, 1, 10), time(12, 0)))
        tasks = await task_list(stack, "nordanstig")
        assert sorted(tasks) == sorted(
            [f"tillsynsbesok-2032-{norr}", f"tillsynsbesok-2032-{solros}", "kundundersokning-2032"]
        )
        rows = {r.task_id: r for r in await stack.store.list_municipal_tasks("nordanstig")}
        assert (rows[visit_norr].state, rows[visit_norr].late) == ("done-on-time", False)
        assert (rows[visit_solros].state, rows[visit_solros].escalated) == ("done-late", True)
        assert rows["kundundersokning-2031"].state == "done-on-time"
        assert rows["kundundersokning-2032"].state == "open"
        assert {r.owner for r in rows.values()} == {"kvalitetsuppfoljare"}


async def test_herning_tasks_mail_in_danish(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2031, 1, 2), time(8, 0)))
        wid = await start(stack, "herning")
        tasks = await task_list(stack, "herning")
        # No provider under Herning's plan yet: the municipality's own tasks only.
        assert sorted(tasks) == ["policy-approval-2031", "visitation-quality-2031"]
        await stack.sleep_until(local(date(2031, 7, 20), time(12, 0)))
        mails = _mails(stack, wid)
        reminder = _of(mails, "municipal-task-reminder")[0]
        assert reminder["To"] == "chef.visitation@herning.example"
        text = _text(reminder)
        assert "Påmindelse: Kvalitetssikring af visitationen skal være udført senest" in text
        assert "Med venlig hilsen" in text
        assert not [w for w in SWEDISH_WORDS if w in text.replace("Påmindelse", "")], text
        escalation = _of(mails, "municipal-task-escalation")[0]
        assert sorted(escalation["To"].split(", ")) == [
            "chef.visitation@herning.example",
            "stab.ssb@herning.example",
        ]
        text = _text(escalation)
        assert "Kære Staben i Social, Sundhed og Beskæftigelse" in text
        assert "Sagen overgår derfor til jer" in text
