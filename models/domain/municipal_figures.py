"""The municipality's own duties in the compliance report (issue 19, point 4): per role and year,
and per provider for the duties done at a provider (a tillsynsbesök), how many tasks were done
on time, done late, not done, and escalated to the owner's manager.

A task belongs to the year of its due date. "Escalated" counts every task that went to the
manager, whether or not it was done since (a task done late after escalation is counted as
done late and as escalated), so the figures say how often the municipality had to be chased.
A cancelled task (its provider's contract ended before it was due) is not counted at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# The figures' names, in the report's languages: text line, CSV columns, HTML tables.
MUNICIPAL_WORDS: dict[str, dict[str, str]] = {
    "sv": {
        "heading": "Kommunens egna uppgifter",
        "at_provider": "Kommunens uppgifter hos utföraren",
        "role": "Roll",
        "plan": "Plan",
        "on_time": "utförda i tid",
        "late": "utförda sent",
        "not_done": "ej utförda",
        "escalated": "eskalerade",
    },
    "da": {
        "heading": "Kommunens egne opgaver",
        "at_provider": "Kommunens opgaver hos leverandøren",
        "role": "Rolle",
        "plan": "Plan",
        "on_time": "udført til tiden",
        "late": "udført for sent",
        "not_done": "ikke udført",
        "escalated": "eskaleret",
    },
}
FIGURES = ("on_time", "late", "not_done", "escalated")


def language_of(language: str) -> str:
    """Danish or Swedish (any other), as models.domain.compliance chooses (which imports this
    module, so it cannot be imported here)."""
    return language if language in MUNICIPAL_WORDS else "sv"


@dataclass(frozen=True)
class MunicipalTaskFact:
    """What the records say about one municipal task due in the report's year."""

    plan_id: str
    owner: str  # the owner role's key
    org_nr: str | None  # the provider it is done at; None for a municipality-wide task
    state: str  # models.messages.municipal.TaskState
    escalated: bool


@dataclass
class TaskFigures:
    on_time: int = 0
    late: int = 0
    not_done: int = 0
    escalated: int = 0

    def add(self, fact: MunicipalTaskFact) -> None:
        if fact.state == "cancelled":
            # Its provider's contract ended before it was due: nothing the municipality owed.
            return
        if fact.state == "done-on-time":
            self.on_time += 1
        elif fact.state == "done-late":
            self.late += 1
        else:
            self.not_done += 1
        self.escalated += fact.escalated

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.not_done

    def as_dict(self) -> dict[str, int]:
        return {
            "done_on_time": self.on_time,
            "done_late": self.late,
            "not_done": self.not_done,
            "escalated": self.escalated,
        }

    def cells(self) -> list[str]:
        return [str(getattr(self, f)) for f in FIGURES]

    def text(self, language: str) -> str:
        """ "utförda i tid 1, utförda sent 1, ej utförda 0, eskalerade 1"."""
        w = MUNICIPAL_WORDS[language_of(language)]
        return ", ".join(f"{w[f]} {getattr(self, f)}" for f in FIGURES)


@dataclass(frozen=True)
class RoleFigures:
    """One role's tasks of the year under one plan."""

    plan_id: str
    owner: str
    title: str  # the role's title in the plan ("Kvalitetsuppföljare")
    figures: TaskFigures

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan_id,
            "role": self.owner,
            "title": self.title,
            **self.figures.as_dict(),
        }


def role_figures(
    facts: Iterable[MunicipalTaskFact],
    titles: Mapping[str, Mapping[str, str]],
    plan_id: str | None = None,
) -> list[RoleFigures]:
    """Per plan and owner role (by plan, then role title). `titles`: plan → role → title."""
    found: dict[tuple[str, str], TaskFigures] = {}
    for fact in facts:
        if plan_id is not None and fact.plan_id != plan_id:
            continue
        found.setdefault((fact.plan_id, fact.owner), TaskFigures()).add(fact)
    rows = [
        RoleFigures(plan, owner, titles.get(plan, {}).get(owner, owner), figures)
        for (plan, owner), figures in found.items()
    ]
    rows.sort(key=lambda r: (r.plan_id, r.title, r.owner))
    return rows


def municipal_headers(language: str) -> list[str]:
    """The CSV's per-provider columns, after the findings': "Kommunens uppgifter hos
    utföraren, utförda i tid", …."""
    w = MUNICIPAL_WORDS[language_of(language)]
    return [f"{w['at_provider']}, {w[f]}" for f in FIGURES]


def municipal_line(f: TaskFigures, language: str) -> str | None:
    """The provider's line in the text report; None without such tasks in the year."""
    if not f.total:
        return None
    return f"{MUNICIPAL_WORDS[language_of(language)]['at_provider']}: {f.text(language)}"


def role_lines(rows: list[RoleFigures], language: str, year: int) -> list[str]:
    """The text report's closing section: one line per plan and role."""
    if not rows:
        return []
    w = MUNICIPAL_WORDS[language_of(language)]
    return [f"{w['heading']} {year}"] + [
        f"  {r.title} ({r.plan_id}): {r.figures.text(language)}" for r in rows
    ]


__all__ = [
    "FIGURES",
    "MUNICIPAL_WORDS",
    "MunicipalTaskFact",
    "RoleFigures",
    "TaskFigures",
    "municipal_headers",
    "municipal_line",
    "role_figures",
    "role_lines",
]
