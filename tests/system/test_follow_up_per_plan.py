"""Issue 19's follow-up story, once per shipped plan, over two years on the time-skipping server
with mail received by a real SMTP server and records in a real SQLite database.

One contract per plan (from 1 January 2030). 2031: a visit on Monday 3 March finds a brist
(Nordanstig registers it from its own tillsynsbesök, done in time); the provider responds, the
first åtgärdsplan (due 2 April) comes in time, the verification on 3 April fails once; the
second åtgärdsplan (due 5 May) never comes, so the finding is late on 6 May with a new
kommunicering until 20 May. A vite asked for during it is refused; on 21 May the plan's vite
(Herning: bod) is decided, mailed, recorded, and listed for invoicing (the plans'
`collect = "invoice"`). 2032: the finding is closed after the next visit, and a municipal duty
of the plan (Sundsvall: the per-provider statistics extract; Nordanstig: the tillsynsbesök;
Herning: the samlet opgørelse) is not done by its due date, is escalated to its owner's manager
and then registered as done late. Everything through the services layer, as `lov` does it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest

from models.ids import contract_workflow_id, municipal_duties_workflow_id
from models.messages.finding import (
    ActionPlanRequest,
    CloseRequest,
    DecideRequest,
    RespondRequest,
    SubmitActionPlanRequest,
    VerifyRequest,
)
from models.messages.municipal import TaskState
from services import findings
from services import municipal_tasks as tasks
from services.documents import DocumentStore
from services.errors import ActionError
from tests.support.harness import PROVIDER, Stack, local, lovflow_stack
from tests.support.municipal import start

PLANS = Path(__file__).resolve().parents[2] / "plans"
PART = contract_workflow_id(PROVIDER.org_nr).removeprefix("contract-")
FINDING = f"{PROVIDER.org_nr.replace('-', '')}-2031-001"


@dataclass(frozen=True)
class PlanStory:
    plan: str
    language: str
    admin: str  # the plan's administrator role's address
    requirement: str
    vite_title: str
    vite: Decimal
    vite_text: str  # the amount as the decision mail writes it
    invoiced: str  # what the decision mail says about collecting it
    duty: str  # the municipal duty done late in 2032 (scope provider)
    duty_title: str
    due_2032: date
    done_late: date
    owner: str
    manager: str
    late_words: tuple[str, ...]  # in the escalation mail: what, the due date, to whom
    visit_duty: str | None = None  # a duty whose completion is the visit of 3 March 2031


STORIES = [
    PlanStory(
        plan="sundsvall",
        language="sv",
        admin="lov-admin@sundsvall.example",
        requirement="care-plans",
        vite_title="Vite",
        vite=Decimal("10000.00"),
        vite_text="Beloppet är 10 000,00 kr",
        invoiced="Det faktureras er",
        duty="statistics-extract",
        duty_title="Statistikuttag ur verksamhetssystemet",
        due_2032=date(2032, 9, 30),
        done_late=date(2032, 10, 19),
        owner="kvalitetskontroller@sundsvall.example",
        manager="forvaltningsledning@sundsvall.example",
        late_words=(
            "Försenad: Statistikuttag ur verksamhetssystemet hos Omsorg i Norr AB",
            "senast 30 september 2032",
            "Hej Förvaltningsledningen",
        ),
    ),
    PlanStory(
        plan="nordanstig",
        language="sv",
        admin="lov@nordanstig.example",
        requirement="care-plans",
        vite_title="Vite",
        vite=Decimal("5000.00"),
        vite_text="Beloppet är 5 000,00 kr",
        invoiced="Det faktureras er",
        duty="tillsynsbesok",
        duty_title="Tillsynsbesök med intervjuer av personal",
        due_2032=date(2032, 5, 31),
        done_late=date(2032, 6, 18),
        owner="kvalitetsuppfoljning@nordanstig.example",
        manager="socialchef@nordanstig.example",
        late_words=(
            "Försenad: Tillsynsbesök med intervjuer av personal hos Omsorg i Norr AB",
            "senast 31 maj 2032",
            "Hej Socialchef",
        ),
        visit_duty="tillsynsbesok",
    ),
    PlanStory(
        plan="herning",
        language="da",
        admin="visitation@herning.example",
        requirement="documentation",
        vite_title="Bod",
        vite=Decimal("5000.00"),
        vite_text="Beløbet er 5.000,00 kr.",
        invoiced="Det faktureres jer",
        duty="samlet-opgorelse",
        duty_title="Samlet opgørelse til leverandøren",
        due_2032=date(2032, 3, 31),
        done_late=date(2032, 4, 19),
        owner="visitation@herning.example",
        manager="chef.visitation@herning.example",
        late_words=(
            "Forsinket: Samlet opgørelse til leverandøren hos Omsorg i Norr AB",
            "senest 31. marts 2032",
            "Kære Chef for Visitationsenheden",
        ),
    ),
]
# Words that must not appear in the other language's mail.
FOREIGN = {"sv": ("Med venlig", "Kære", "Manglen"), "da": ("Med vänliga", "Hej ", "Bristen")}


def _text(message: EmailMessage) -> str:
    return f"{message['Subject']}\n{message.get_content()}".replace("\r\n", "\n")


def _finding_mails(stack: Stack) -> list[EmailMessage]:
    return [m for m in stack.mail.messages if m["X-Lov-Workflow"] == f"finding-{FINDING}"]


def _one(stack: Stack, kind: str) -> EmailMessage:
    found = [m for m in _finding_mails(stack) if m["X-Lov-Kind"] == kind]
    assert found, kind
    return found[0]


def _recipients(message: EmailMessage) -> list[str]:
    return sorted(str(message["To"]).split(", "))


async def _refused(coro: object, starts: str) -> None:
    with pytest.raises(ActionError) as caught:
        await coro  # type: ignore[misc]
    assert str(caught.value).startswith(starts), str(caught.value)


def _completion(task_id: str, done_on: date, findings_: list[str]) -> tasks.Completion:
    return tasks.Completion(
        task_id=task_id,
        done_on=done_on,
        by="Margareta Sjögren",
        result="Utfört enligt planen.",
        documents=[],
        findings=findings_,
    )


@pytest.mark.parametrize("story", STORIES, ids=[s.plan for s in STORIES])
async def test_follow_up_story_over_two_years(tmp_path: Path, story: PlanStory) -> None:
    async with lovflow_stack(tmp_path) as stack:
        c, plan = stack.client, story.plan
        documents = DocumentStore(tmp_path / "documents", 1024 * 1024)
        await stack.sleep_until(local(date(2031, 1, 1), time(0, 0)))
        await stack.start_contract(date(2030, 1, 1), plan=plan)
        await stack.sleep_until(local(date(2031, 1, 2), time(8, 0)))
        await start(stack, plan)

        # 2031: the visit finds a brist.
        await stack.sleep_until(local(date(2031, 3, 3)))
        what = "Fyra av tio kunder saknar aktuell genomförandeplan."
        if story.visit_duty is not None:
            visit = await tasks.complete(
                c,
                PLANS,
                documents,
                _completion(f"{story.visit_duty}-2031-{PART}", date(2031, 3, 3), [what]),
                plan=plan,
            )
            assert visit.state is TaskState.DONE_ON_TIME
        found = await findings.register_finding(
            c,
            stack.settings,
            PROVIDER.org_nr,
            requirement=story.requirement,
            severity="high",
            source="visit",
            what=what,
            evidence="Tillsynsbesök 2031-03-03, granskning av tio akter.",
            actor="kerstin.kvalitet",
            today=date(2031, 3, 3),
        )
        assert found.finding_id == FINDING
        await stack.sleep_until(local(date(2031, 3, 5)))
        await findings.respond(c, FINDING, RespondRequest(comment="Vi åtgärdar.", actor="anna"))
        # The first åtgärdsplan, in time; its verification fails once.
        await findings.request_action_plan(
            c, FINDING, ActionPlanRequest(due=date(2031, 4, 2), actor="anna")
        )
        await stack.sleep_until(local(date(2031, 4, 1)))
        await findings.submit_action_plan(
            c, FINDING, SubmitActionPlanRequest(summary="Genomgång av alla akter", actor="anna")
        )
        await stack.sleep_until(local(date(2031, 4, 3)))
        await findings.verify(
            c, FINDING, VerifyRequest(outcome="not_remedied", note="Två saknas.", actor="k")
        )
        # The second åtgärdsplan never comes: late on 6 May, a new kommunicering until 20 May.
        await stack.sleep_until(local(date(2031, 4, 4)))
        await findings.request_action_plan(
            c, FINDING, ActionPlanRequest(due=date(2031, 5, 5), actor="anna")
        )
        await stack.sleep_until(local(date(2031, 5, 8)))
        vite = DecideRequest(kind="vite", reason="Åtgärdsplanen kom inte in i tid.", actor="bo")
        await _refused(findings.decide(c, FINDING, vite), "response_due: the provider may")
        assert await stack.store.list_finding_decisions(FINDING) == []
        await stack.sleep_until(local(date(2031, 5, 21)))
        decided = await findings.decide(c, FINDING, vite)
        assert [(d.kind, d.title, d.amount) for d in decided.decisions] == [
            ("vite", story.vite_title, story.vite)
        ]

        # 2032: closed after the next visit; the duty is escalated, then done late.
        await stack.sleep_until(local(date(2032, 2, 2)))
        await findings.close(
            c, FINDING, CloseRequest(reason="Åtgärdat enligt återbesöket.", actor="anna")
        )
        late_task = f"{story.duty}-2032-{PART}"
        await stack.sleep_until(local(story.done_late, time(12, 0)))
        listed = {t.task.task_id: t.task for t in await tasks.list_tasks(c, PLANS, plan=plan)}
        assert listed[late_task].state is TaskState.ESCALATED
        assert listed[late_task].due == story.due_2032
        done = await tasks.complete(
            c, PLANS, documents, _completion(late_task, story.done_late, []), plan=plan
        )
        assert done.state is TaskState.DONE_LATE
        await stack.sleep_until(local(story.done_late, time(13, 0)))

        # --- the finding's mails: in order, to whom, in the plan's language -----------------
        kinds = [str(m["X-Lov-Kind"]) for m in _finding_mails(stack)]
        collapsed = [k for i, k in enumerate(kinds) if i == 0 or kinds[i - 1] != k]
        assert collapsed == [
            "finding-notice",
            "finding-action-plan-request",
            "finding-action-plan-reminder",
            "finding-verified",
            "finding-action-plan-request",
            "finding-action-plan-reminder",
            "finding-action-plan-late",
            "finding-decision",
            "finding-closed",
        ], kinds
        notices = [m for m in _finding_mails(stack) if m["X-Lov-Kind"] == "finding-notice"]
        assert sorted(str(m["To"]) for m in notices) == sorted([PROVIDER.email, story.admin])
        decision = _one(stack, "finding-decision")
        assert _recipients(decision) == sorted([PROVIDER.email, story.admin])
        text = _text(decision)
        for words in (story.vite_title, story.vite_text, story.invoiced, vite.reason):
            assert words in text, text
        for message in _finding_mails(stack):
            body = _text(message)
            assert FINDING not in body and story.requirement not in body, body
            assert not [w for w in FOREIGN[story.language] if w in body], body

        # --- the records: the finding, its decision, and the list for the finance system -----
        record = await stack.store.get_finding(FINDING)
        assert record is not None
        assert (record.plan_id, record.status, record.round, record.last_decision) == (
            plan,
            "closed",
            2,
            "vite",
        )
        assert record.sanctioned_amount == story.vite
        steps = [s.step for s in await stack.store.list_finding_steps(FINDING)]
        assert steps[0] == "noticed" and steps[-2:] == ["decision-vite", "closed"]
        assert steps.count("verified-not-remedied") == 1 and "action-plan-late" in steps
        (row,) = await findings.sanctions_for_invoicing(stack.settings, plan=plan)
        assert (row.org_nr, row.provider_name, row.kind, row.amount, row.decided) == (
            PROVIDER.org_nr,
            PROVIDER.name,
            "vite",
            story.vite,
            date(2031, 5, 21),
        )
        assert row.invoice_reference == f"{FINDING}-B1"
        assert row.cells()[4] == str(story.vite)  # a plain decimal string for finance

        # --- the late duty: reminded to its owner, escalated to the owner's manager ----------
        wid = municipal_duties_workflow_id(plan)
        duty_mails = [
            m
            for m in stack.mail.messages
            if m["X-Lov-Workflow"] is not None
            and str(m["X-Lov-Workflow"]).startswith(wid)
            and m["X-Lov-Period"] == "2032"
            and story.duty_title in str(m["Subject"])
        ]
        escalations = [m for m in duty_mails if m["X-Lov-Kind"] == "municipal-task-escalation"]
        assert len(escalations) == 1, [m["Subject"] for m in duty_mails]
        assert _recipients(escalations[0]) == sorted([story.manager, story.owner])
        escalation = _text(escalations[0])
        for words in story.late_words:
            assert words in escalation, escalation
        assert not [w for w in FOREIGN[story.language] if w in escalation], escalation
        reminders = [m for m in duty_mails if m["X-Lov-Kind"] == "municipal-task-reminder"]
        assert reminders and {str(m["To"]) for m in reminders} == {story.owner}
        rows = {r.task_id: r for r in await stack.store.list_municipal_tasks(plan)}
        assert (rows[late_task].state, rows[late_task].late, rows[late_task].escalated) == (
            "done-late",
            True,
            True,
        )
        if story.visit_duty is not None:
            assert rows[f"{story.visit_duty}-2031-{PART}"].state == "done-on-time"
