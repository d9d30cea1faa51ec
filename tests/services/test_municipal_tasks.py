"""services/municipal_tasks.py on the time-skipping server: the task list and its filters
(`--role`, `--mine`, `--overdue`), a completion with a document stored by its SHA-256, and
refusals that store and send nothing."""

from __future__ import annotations

import hashlib
from datetime import date, time
from pathlib import Path

import pytest

from models.messages.municipal import TaskState
from services import municipal_tasks as tasks
from services.documents import DocumentStore
from services.errors import ActionError
from tests.support.harness import local, lovflow_stack
from tests.support.municipal import NORRSKOG, start, under_plan

PLANS = Path(__file__).resolve().parents[2] / "plans"


async def test_list_filter_and_complete(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2031, 1, 2), time(8, 0)))
        at = await stack.env.get_current_time()
        part = await under_plan(stack.store, NORRSKOG, "nordanstig", date(2030, 1, 1), at)
        assert await tasks.ensure_all(stack.client, stack.settings.temporal_task_queue, PLANS) == [
            "herning",
            "nordanstig",
            "sundsvall",
        ]
        await start(stack, "nordanstig")
        await start(stack, "herning")
        client = stack.client
        listed = await tasks.list_tasks(client, PLANS)
        assert {t.plan_id for t in listed} == {"herning", "nordanstig"}
        mine = await tasks.list_tasks(client, PLANS, role="kvalitetsuppfoljare")
        assert [t.task.task_id for t in mine] == [
            f"tillsynsbesok-2031-{part}",
            "kundundersokning-2031",
        ]
        with pytest.raises(ActionError) as caught:
            await tasks.list_tasks(client, PLANS, mine=True)
        assert caught.value.field == "--role"
        with pytest.raises(ActionError) as caught:
            await tasks.list_tasks(client, PLANS, role="nobody")
        assert caught.value.field == "--role"
        with pytest.raises(ActionError) as caught:
            await tasks.list_tasks(client, PLANS, plan="no-such-plan")
        assert caught.value.field == "plan"

        # The visit is escalated to the socialchef: on the manager's --mine list, and overdue.
        await stack.sleep_until(local(date(2031, 6, 18), time(12, 0)))
        escalated = await tasks.list_tasks(client, PLANS, role="management", mine=True)
        assert [t.task.state for t in escalated] == [TaskState.ESCALATED]
        overdue = await tasks.list_tasks(client, PLANS, plan="nordanstig", overdue=True)
        assert [t.task.task_id for t in overdue] == [f"tillsynsbesok-2031-{part}"]

        store = DocumentStore(tmp_path / "documents", 10 * 1024 * 1024)
        report = tmp_path / "besoksrapport.pdf"
        report.write_bytes(b"%PDF-1.4 besoksrapport\n")
        wrong = tmp_path / "anteckning.txt"
        wrong.write_bytes(b"bara text")
        done = tasks.Completion(
            task_id=f"tillsynsbesok-2031-{part}",
            done_on=date(2031, 6, 17),
            by="Margareta Sjögren",
            result="Besök genomfört, rutinerna följs.",
            documents=[report],
            findings=[],
        )
        mails = len(stack.mail.messages)
        refusals = [
            ({"task_id": "tillsynsbesok-1999"}, "task"),
            ({"done_on": date(2031, 6, 19)}, "--date"),
            ({"by": " "}, "--by"),
            ({"result": ""}, "--result"),
            ({"documents": [report, wrong]}, "documents.document-2"),
            ({"documents": [tmp_path / "saknas.pdf"]}, "--document[0]"),
        ]
        for change, field in refusals:
            with pytest.raises(ActionError) as caught:
                await tasks.complete(client, PLANS, store, _with(done, change))
            assert caught.value.field == field, caught.value
        stored = tmp_path / "documents"
        assert not [p for p in stored.rglob("*") if p.is_file()]  # nothing left stored
        view = await tasks.complete(client, PLANS, store, done)
        assert view.state is TaskState.DONE_LATE
        sha = hashlib.sha256(report.read_bytes()).hexdigest()
        assert [p.name for p in stored.rglob("*") if p.is_file()] == [sha]
        with pytest.raises(ActionError) as caught:
            await tasks.complete(client, PLANS, store, done)
        assert caught.value.field == "task"
        assert len(stack.mail.messages) == mails
        rows = {
            r.task_id: r
            for r in await stack.store.list_municipal_tasks(owner="kvalitetsuppfoljare")
        }
        assert rows[done.task_id].state == "done-late"
        totals = await stack.store.municipal_task_totals(2031, "nordanstig")
        assert [(t.owner, t.done_on_time, t.done_late, t.not_done) for t in totals] == [
            ("kvalitetsuppfoljare", 0, 1, 1)
        ]


def _with(done: tasks.Completion, change: dict[str, object]) -> tasks.Completion:
    from dataclasses import replace

    return replace(done, **change)  # type: ignore[arg-type]
