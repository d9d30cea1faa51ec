"""The municipality's own tasks (issue 19) in words: their states and their steps in the audit
trail (`municipal-task-reminder`, `-escalated`, `-done`), in Swedish, or Danish for a Danish
plan. One place for `lov audit`, the desk's timeline and the desk's task page.

The audit events name the plan, the task and the duty by key; the plan file gives their titles
(read once per plan and kept: a plan file changes only with a new version, and a retired duty
keeps its key)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from models.plans.loader import PlanError, load_plan

MUNICIPAL_EVENTS = ("municipal-task-reminder", "municipal-task-escalated", "municipal-task-done")

# models.messages.municipal.TaskState
TASK_STATES: dict[str, dict[str, str]] = {
    "sv": {
        "open": "inte aktuell än",
        "due": "aktuell",
        "overdue": "försenad",
        "escalated": "försenad, lämnad till chefen",
        "done-on-time": "utförd i tid",
        "done-late": "utförd för sent",
        "cancelled": "avbruten",
    },
    "da": {
        "open": "ikke aktuel endnu",
        "due": "aktuel",
        "overdue": "forsinket",
        "escalated": "forsinket, sendt videre til lederen",
        "done-on-time": "udført til tiden",
        "done-late": "udført for sent",
        "cancelled": "annulleret",
    },
}
_WORDS: dict[str, dict[str, str]] = {
    "sv": {
        "municipal-task-reminder": "Kommunens uppgift: påminnelse till den ansvariga",
        "municipal-task-escalated": "Kommunens uppgift: försenad, lämnad till chefen",
        "municipal-task-done": "Kommunens uppgift: registrerad som utförd",
        "task": "Kommunens uppgift",
        "done_on": "utförd",
        "late": "för sent",
        "escalated": "efter eskalering",
        "result": "resultat",
        "findings": "iakttagelser",
        "documents": "dokument",
        "manager": "lämnad till",
        "yes": "ja",
    },
    "da": {
        "municipal-task-reminder": "Kommunens opgave: påmindelse til den ansvarlige",
        "municipal-task-escalated": "Kommunens opgave: forsinket, sendt videre til lederen",
        "municipal-task-done": "Kommunens opgave: registreret som udført",
        "task": "Kommunens opgave",
        "done_on": "udført",
        "late": "for sent",
        "escalated": "efter eskalering",
        "result": "resultat",
        "findings": "iagttagelser",
        "documents": "dokumenter",
        "manager": "sendt videre til",
        "yes": "ja",
    },
}


def words(language: str) -> dict[str, str]:
    return _WORDS[language if language in _WORDS else "sv"]


def state_text(state: str, language: str = "sv") -> str:
    texts = TASK_STATES[language if language in TASK_STATES else "sv"]
    return texts.get(state, state)


@lru_cache(maxsize=32)
def _plan_words(plan_id: str, plans_dir: Path) -> tuple[str, dict[str, str], dict[str, str]]:
    """(language, duty key → title, role key → title) of the plan; Swedish and the keys when the
    plan cannot be read."""
    try:
        plan = load_plan(plan_id, plans_dir)
    except (PlanError, OSError):
        return "sv", {}, {}
    roles = {k: r.title for k, r in plan.roles.items()}
    roles |= {k: r.title for k, r in plan.municipal.roles.items()}
    duties = {d.key: d.title for d in plan.municipal.duties}
    return plan.language, duties, roles


def duty_titles(plan_id: str | None, plans_dir: Path) -> dict[str, str]:
    """Duty key → title of the plan's municipal duties (a task's e-mails name its duty as their
    obligation)."""
    return dict(_plan_words(plan_id, plans_dir)[1]) if plan_id else {}


def plan_language(plan_id: str, plans_dir: Path) -> str:
    return _plan_words(plan_id, plans_dir)[0]


def _year_of(task_id: str, duty: str) -> str:
    """The year in a task id (`tillsynsbesok-2031-5560360793` → 2031)."""
    rest = task_id.removeprefix(f"{duty}-")
    return rest[:4] if rest[:4].isdigit() else ""


def task_concerns(details: dict[str, Any], plans_dir: Path) -> str:
    """What an entry concerns: "Kommunens uppgift: Tillsynsbesök med intervjuer av personal
    2031"."""
    plan, duty = str(details.get("plan", "")), str(details.get("duty", ""))
    language, duties, _roles = _plan_words(plan, plans_dir)
    year = _year_of(str(details.get("task", "")), duty)
    return f"{words(language)['task']}: {duties.get(duty, duty)} {year}".strip()


def task_audit_text(event_type: str, details: dict[str, Any], plans_dir: Path) -> str:
    """A task's step in plain words: "Kommunens uppgift: registrerad som utförd (utförd:
    2031-06-17; för sent: ja; efter eskalering: ja; resultat: …; iakttagelser: …)"."""
    language, _duties, roles = _plan_words(str(details.get("plan", "")), plans_dir)
    w = words(language)
    parts = []
    if event_type == "municipal-task-escalated" and details.get("manager"):
        manager = str(details["manager"])
        parts.append(f"{w['manager']}: {roles.get(manager, manager)}")
    if event_type == "municipal-task-done":
        if details.get("done_on"):
            parts.append(f"{w['done_on']}: {details['done_on']}")
        if details.get("late"):
            parts.append(f"{w['late']}: {w['yes']}")
        if details.get("escalated"):
            parts.append(f"{w['escalated']}: {w['yes']}")
        if details.get("result"):
            parts.append(f"{w['result']}: {details['result']}")
        findings = details.get("findings") or []
        if findings:
            parts.append(f"{w['findings']}: {' / '.join(str(f) for f in findings)}")
        documents = details.get("documents") or []
        if documents:
            parts.append(f"{w['documents']}: {len(documents)}")
    what = w.get(event_type, event_type)
    return f"{what} ({'; '.join(parts)})" if parts else what


__all__ = [
    "MUNICIPAL_EVENTS",
    "TASK_STATES",
    "duty_titles",
    "plan_language",
    "state_text",
    "task_audit_text",
    "task_concerns",
    "words",
]
