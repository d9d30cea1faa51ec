"""The compliance matrix for one follow-up year: providers × obligation occurrences.

Each cell is one occurrence (obligation × period) of one provider, classified as on time, late
(days after the deadline in force when it was first submitted), awaiting completion (a
komplettering was asked for and has not come in), missing (days past due, as of a date), waived
or not yet due. Lateness is what the obligation workflow computed at submission, against the
deadline then in force (extensions count; a later komplettering does not make an on-time
submission late).

An obligation key belongs to its plan: two plans may use the same key ("self-inspection") for
different duties, so columns, titles and due dates are the plan's, found through the contract the
occurrence belongs to. A column shows the plan's due date (business-day adjusted), never one
provider's extended or komplettering deadline. Texts and numbers are in the plans' language
(Swedish, or Danish when every provider shown follows a Danish plan).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from models.domain.municipal_figures import (
    MunicipalTaskFact,
    RoleFigures,
    TaskFigures,
    municipal_headers,
    role_figures,
)
from models.domain.number_format import decimal_text, percent_text

State = Literal["on_time", "late", "awaiting_completion", "missing", "waived", "not_due"]
STATES: tuple[State, ...] = (
    "on_time",
    "late",
    "awaiting_completion",
    "missing",
    "waived",
    "not_due",
)
STATE_TEXT: dict[str, dict[str, str]] = {
    "sv": {
        "on_time": "i tid",
        "late": "sen",
        "awaiting_completion": "inväntar komplettering",
        "missing": "saknas",
        "waived": "eftergiven",
        "not_due": "ej förfallen",
    },
    "da": {
        "on_time": "til tiden",
        "late": "for sent",
        "awaiting_completion": "afventer supplering",
        "missing": "mangler",
        "waived": "frafaldet",
        "not_due": "ikke forfaldet",
    },
}
STATE_SV: dict[str, str] = STATE_TEXT["sv"]
# States whose cell counts days: late (after the deadline), missing and awaiting completion
# (past the deadline in force, as of the report's date).
_WITH_DAYS = ("late", "missing", "awaiting_completion")

# Obligations that no plan lists: opened from a follow-up meeting's action items.
EXTRA_TITLES: dict[str, dict[str, str]] = {
    "meeting-action": {"sv": "Åtgärd från uppföljningsmöte", "da": "Handling fra opfølgningsmøde"},
}


def language_of(language: str) -> str:
    """The report language for a plan language: Danish or Swedish (any other)."""
    return language if language in STATE_TEXT else "sv"


@dataclass(frozen=True)
class PlanInfo:
    """What the report needs of one plan: its obligations' titles, its calendar, its language."""

    plan_id: str
    language: str
    holiday_calendar: str
    titles: Mapping[str, str]
    # The titles of the plan's municipal roles (issue 19), for the municipal duties' figures.
    role_titles: Mapping[str, str] = field(default_factory=dict)

    def title(self, obligation: str) -> str:
        if obligation in self.titles:
            return self.titles[obligation]
        extra = EXTRA_TITLES.get(obligation)
        return extra[language_of(self.language)] if extra else obligation


@dataclass(frozen=True)
class ContractFact:
    """A provider's contract as it stands, and the plan it follows in the report's year."""

    org_nr: str
    plan_id: str
    status: str  # active, terminating, terminated
    end_date: date | None = None
    termination_kind: str | None = None  # uppsagning, havning


_CONTRACT_TEXT = {
    "sv": {
        "terminating": "avtalet upphör {end}",
        "terminated": "avtalet har upphört {end}",
        "uppsagning": "uppsägning",
        "havning": "hävning",
    },
    "da": {
        "terminating": "kontrakten ophører {end}",
        "terminated": "kontrakten er ophørt {end}",
        "uppsagning": "opsigelse",
        "havning": "ophævelse",
    },
}


def contract_note(contract: ContractFact | None, language: str) -> str | None:
    """What the report says of a terminated or terminating contract ("avtalet har upphört
    2027-06-30 (uppsägning)"); None for an active one."""
    if contract is None or contract.status not in ("terminating", "terminated"):
        return None
    words = _CONTRACT_TEXT[language_of(language)]
    end = contract.end_date.isoformat() if contract.end_date else ""
    text = words[contract.status].format(end=end).strip()
    kind = words.get(contract.termination_kind or "")
    return f"{text} ({kind})" if kind else text


@dataclass(frozen=True)
class OccurrenceFact:
    """What the records say about one occurrence (input to the matrix)."""

    org_nr: str
    obligation: str
    period: str
    due: date
    status: str
    first_late_days: int | None  # None: never submitted
    # The date the plan gives (before business-day adjustment); `due` is the one in force.
    nominal_due: date | None = None


@dataclass(frozen=True)
class Column:
    plan: str
    obligation: str
    period: str
    title: str
    due: date  # the plan's due date, business-day adjusted

    @property
    def key(self) -> str:
        return f"{self.plan}:{self.obligation}:{self.period}"


@dataclass(frozen=True)
class Cell:
    state: State
    days: int = 0  # late: days after the deadline; missing, awaiting completion: days past due

    def label(self, language: str = "sv") -> str:
        text = STATE_TEXT[language_of(language)][self.state]
        if self.state in _WITH_DAYS and (self.days or self.state != "awaiting_completion"):
            return f"{text} {self.days} d"
        return text


# --- findings (brister) per provider and year -------------------------------------------------

# models.messages.finding.FindingState, in the report's languages.
FINDING_STATE_TEXT: dict[str, dict[str, str]] = {
    "sv": {
        "noticed": "underrättad, kommunicering pågår",
        "responded": "utföraren har svarat",
        "action_plan_requested": "åtgärdsplan begärd",
        "action_plan_late": "åtgärdsplanen är sen",
        "action_plan_submitted": "åtgärdsplan inkommen, ska verifieras",
        "not_remedied": "inte åtgärdad",
        "closed": "avslutad",
    },
    "da": {
        "noticed": "underrettet, partshøring i gang",
        "responded": "leverandøren har svaret",
        "action_plan_requested": "handlingsplan anmodet",
        "action_plan_late": "handlingsplanen er for sent",
        "action_plan_submitted": "handlingsplan modtaget, skal følges op",
        "not_remedied": "ikke rettet",
        "closed": "afsluttet",
    },
}
# The figures' names: the text's line and the CSV's columns (in that order).
FINDING_WORDS: dict[str, dict[str, str]] = {
    "sv": {
        "findings": "Brister",
        "opened": "öppnade",
        "remedied": "åtgärdade",
        "open": "öppna",
        "sanctioned": "med påföljd",
        "kr": "kr",
    },
    "da": {
        "findings": "Mangler",
        "opened": "registreret",
        "remedied": "rettet",
        "open": "åbne",
        "sanctioned": "med sanktion",
        "kr": "kr.",
    },
}
FINDING_HEADERS: dict[str, tuple[str, ...]] = {
    "sv": (
        "Brister öppnade",
        "Brister åtgärdade",
        "Brister öppna",
        "Brister med påföljd",
        "Påföljder, belopp (kr)",
        "Öppna brister, läge",
    ),
    "da": (
        "Mangler registreret",
        "Mangler rettet",
        "Mangler åbne",
        "Mangler med sanktion",
        "Sanktioner, beløb (kr.)",
        "Åbne mangler, status",
    ),
}


@dataclass(frozen=True)
class FindingFact:
    """What the records say about one finding registered in the report's year."""

    org_nr: str
    finding_id: str
    status: str  # models.messages.finding.FindingState
    remedied: bool  # closed by a verification that found it remedied
    decisions: tuple[str, ...]  # the sanction kinds decided on it, in order
    amount: Decimal | None  # prisavdrag and vite decided on it, kronor


@dataclass
class FindingFigures:
    """A provider's findings registered in the year: how many, how many remedied (closed as
    remedied), still open, with a sanction decided (påpekande and up), the sum of the
    prisavdrag and vite decided (kronor), and where each open one stands."""

    opened: int = 0
    remedied: int = 0
    open: int = 0
    sanctioned: int = 0
    amount: Decimal = Decimal("0.00")
    open_states: dict[str, int] = field(default_factory=dict)  # state → number
    decisions: dict[str, int] = field(default_factory=dict)  # sanction kind → number
    open_findings: list[tuple[str, str]] = field(default_factory=list)  # (finding id, state)

    def add(self, fact: FindingFact) -> None:
        self.opened += 1
        self.remedied += fact.remedied
        if fact.decisions:
            self.sanctioned += 1
        for kind in fact.decisions:
            self.decisions[kind] = self.decisions.get(kind, 0) + 1
        if fact.amount is not None:
            self.amount += fact.amount
        if fact.status != "closed":
            self.open += 1
            self.open_states[fact.status] = self.open_states.get(fact.status, 0) + 1
            self.open_findings.append((fact.finding_id, fact.status))

    def states_text(self, language: str = "sv") -> str:
        """ "åtgärdsplan begärd 1, inte åtgärdad 1": the open ones' states, in the ladder's
        order."""
        words = FINDING_STATE_TEXT[language_of(language)]
        return ", ".join(
            f"{words[s]} {self.open_states[s]}" for s in words if s in self.open_states
        )

    def amount_text(self, language: str = "sv") -> str:
        return decimal_text(self.amount, language_of(language), 2)

    def as_dict(self) -> dict[str, Any]:
        return {
            "opened": self.opened,
            "remedied": self.remedied,
            "open": self.open,
            "sanctioned": self.sanctioned,
            # A string, so no JSON reader turns kronor into binary floating point.
            "sanctioned_amount": str(self.amount.quantize(Decimal("0.01"))),
            "decisions": dict(self.decisions),
            "open_states": dict(self.open_states),
            "open_findings": [{"finding_id": f, "state": s} for f, s in self.open_findings],
        }


@dataclass
class ProviderRow:
    org_nr: str
    name: str
    cells: dict[str, Cell] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    plan: str = ""
    # "avtalet har upphört 2027-06-30 (uppsägning)"; None while the contract is active.
    contract_note: str | None = None
    contract_status: str | None = None
    # The provider's findings registered in the year (all zero when it has none).
    findings: FindingFigures = field(default_factory=FindingFigures)
    # The municipality's own tasks due in the year done at this provider (a tillsynsbesök).
    municipal_tasks: TaskFigures = field(default_factory=TaskFigures)

    @property
    def totals(self) -> dict[str, int]:
        counts = Counter(c.state for c in self.cells.values())
        return {s: counts.get(s, 0) for s in STATES}


@dataclass
class Matrix:
    year: int
    as_of: date
    columns: list[Column]
    rows: list[ProviderRow]
    language: str = "sv"
    # The municipality's own tasks due in the year, per plan and owner role (issue 19).
    municipal: list[RoleFigures] = field(default_factory=list)

    def state_text(self, state: str) -> str:
        return STATE_TEXT[self.language][state]

    def column_totals(self) -> dict[str, dict[str, int]]:
        totals: dict[str, dict[str, int]] = {}
        for col in self.columns:
            counts = Counter(r.cells[col.key].state for r in self.rows if col.key in r.cells)
            totals[col.key] = {s: counts.get(s, 0) for s in STATES}
        return totals

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "language": self.language,
            "columns": [
                {
                    "key": c.key,
                    "plan": c.plan,
                    "obligation": c.obligation,
                    "period": c.period,
                    "title": c.title,
                    "due": c.due.isoformat(),
                }
                for c in self.columns
            ],
            "providers": [
                {
                    "org_nr": r.org_nr,
                    "name": r.name,
                    "plan": r.plan,
                    "contract_status": r.contract_status,
                    "contract_note": r.contract_note,
                    "cells": {k: {"state": c.state, "days": c.days} for k, c in r.cells.items()},
                    "totals": r.totals,
                    "stats": r.stats,
                    "findings": r.findings.as_dict(),
                    "municipal_tasks": r.municipal_tasks.as_dict(),
                }
                for r in self.rows
            ],
            "column_totals": self.column_totals(),
            "finding_totals": self.finding_totals().as_dict(),
            "municipal_tasks": [r.as_dict() for r in self.municipal],
        }

    def finding_totals(self) -> FindingFigures:
        """Every provider's findings of the year together."""
        total = FindingFigures()
        for r in self.rows:
            f = r.findings
            total.opened += f.opened
            total.remedied += f.remedied
            total.open += f.open
            total.sanctioned += f.sanctioned
            total.amount += f.amount
            for state, n in f.open_states.items():
                total.open_states[state] = total.open_states.get(state, 0) + n
            for kind, n in f.decisions.items():
                total.decisions[kind] = total.decisions.get(kind, 0) + n
            total.open_findings.extend(f.open_findings)
        return total


def classify(fact: OccurrenceFact, as_of: date) -> Cell | None:
    """The cell of one occurrence; None for a cancelled one (not owed, not shown)."""
    if fact.status == "cancelled":
        return None
    if fact.status == "completion_requested":
        # Handed in, then sent back for komplettering: not done, whatever its first lateness.
        return Cell("awaiting_completion", max(0, (as_of - fact.due).days))
    if fact.first_late_days is not None:
        late = fact.first_late_days
        return Cell("late", late) if late > 0 else Cell("on_time")
    if fact.status == "waived":
        return Cell("waived")
    if fact.due < as_of:
        return Cell("missing", (as_of - fact.due).days)
    return Cell("not_due")


# Seed 003 §2.2: the number of customers and the share of current genomförandeplaner, from the
# provider's latest self-inspection report of the year, where it has those fields.
# The "of" of a figure reported as a per cent already: shown as it is, not divided again.
PER_CENT = "%"
STAT_FIELDS: tuple[tuple[str, dict[str, str], str | None], ...] = (
    ("customers", {"sv": "Antal kunder", "da": "Antal borgere"}, None),
    (
        "current_care_plans",
        {"sv": "Andel aktuella genomförandeplaner", "da": "Andel aktuelle handleplaner"},
        "customers",
    ),
    (
        "plans_within_14_days",
        {
            "sv": "Andel genomförandeplaner inom 14 dagar",
            "da": "Andel handleplaner inden for 14 dage",
        },
        PER_CENT,  # reported as a share already (plan field type "percent")
    ),
    (
        "customer_participation",
        {"sv": "Andel där kunden medverkat", "da": "Andel hvor borgeren har medvirket"},
        "customers",
    ),
)


def _figure(value: Any, language: str) -> Any:
    """A reported figure as its readers write it: integers stay numbers, decimals get the
    language's decimal comma."""
    if isinstance(value, bool) or isinstance(value, int):
        return value
    if isinstance(value, float | Decimal) or (
        isinstance(value, str) and value.strip().replace(".", "", 1).isdigit()
    ):
        return decimal_text(value, language)
    return value


def provider_stats(
    fields: Mapping[str, Any], language: str = "sv", numbers: str | None = None
) -> dict[str, Any]:
    """Labels in `language`, figures in the notation of `numbers` (default: the same)."""
    lang = language_of(language)
    num = language_of(numbers or lang)
    stats: dict[str, Any] = {}
    for key, labels, of in STAT_FIELDS:
        if key not in fields:
            continue
        if of is None:
            stats[labels[lang]] = _figure(fields[key], num)
        elif of == PER_CENT:
            if (share := percent_text(fields[key], 100, num)) is not None:
                stats[labels[lang]] = share
        elif of in fields and (share := percent_text(fields[key], fields[of], num)) is not None:
            stats[labels[lang]] = share
    return stats


_PLACEMENT_LABELS = {
    "sv": (
        "Antal biståndsbeslut (kundval, nu)",
        "Beviljade timmar (kundval, nu)",
        "Andel aktuella genomförandeplaner (kundval, nu)",
    ),
    "da": (
        "Antal afgørelser (frit valg, nu)",
        "Bevilgede timer (frit valg, nu)",
        "Andel aktuelle handleplaner (frit valg, nu)",
    ),
}


def placement_stats(
    decisions: int,
    granted_hours: Decimal,
    care_plans_current: int,
    language: str = "sv",
    numbers: str | None = None,
) -> dict[str, Any]:
    """Seed 003 §2.2 from the kundval records: the provider's current placements (not the
    self-reported figures), so a report can set one against the other. Labels in `language`,
    figures in the notation of `numbers` (default: the same)."""
    lang = language_of(language)
    num = language_of(numbers or lang)
    decisions_label, hours_label, share_label = _PLACEMENT_LABELS[lang]
    stats: dict[str, Any] = {
        decisions_label: decisions,
        hours_label: decimal_text(granted_hours, num),
    }
    if (share := percent_text(care_plans_current, decisions, num)) is not None:
        stats[share_label] = share
    return stats


@dataclass(frozen=True)
class PlacementCounts:
    """A provider's current kundval placements (records' placement statistics)."""

    decisions: int
    granted_hours: Decimal
    care_plans_current: int


def report_language(languages: Iterable[str]) -> str:
    """Danish when every provider shown follows a Danish plan; otherwise Swedish."""
    found = {language_of(lang) for lang in languages}
    return "da" if found == {"da"} else "sv"


def build_matrix(
    year: int,
    as_of: date,
    facts: Iterable[OccurrenceFact],
    names: Mapping[str, str],
    plans: Mapping[str, PlanInfo],
    contracts: Mapping[str, ContractFact],
    latest_fields: Mapping[str, Mapping[str, Any]] | None = None,
    placements: Mapping[str, PlacementCounts] | None = None,
    plan_id: str | None = None,
    findings: Iterable[FindingFact] = (),
    municipal_tasks: Iterable[MunicipalTaskFact] = (),
) -> Matrix:
    """The matrix of `year` as of `as_of`. An occurrence belongs to the plan of its provider's
    contract (`contracts`); `plan_id` keeps only that plan's providers. `findings`: those
    registered in `year` (a provider with findings and no occurrence gets a row of its own).
    `municipal_tasks`: the municipality's own tasks due in `year`, counted per plan and role and,
    for a task at a provider, in the provider's row (which it gets like a finding's)."""
    columns: dict[str, Column] = {}
    rows: dict[str, ProviderRow] = {}
    # A plan's date is the same for every provider: worked out once per date, not per cell
    # (a thousand providers share each one; docs/PERFORMANCE.md §6).
    plan_dues: dict[tuple[str, date | None, date], date] = {}
    for f in facts:
        contract = contracts.get(f.org_nr)
        plan_of = contract.plan_id if contract else ""
        if plan_id is not None and plan_of != plan_id:
            continue
        plan = plans.get(plan_of)
        row = rows.get(f.org_nr)
        if row is None:
            row = rows[f.org_nr] = ProviderRow(
                f.org_nr,
                names.get(f.org_nr, f.org_nr),
                plan=plan_of,
                contract_status=contract.status if contract else None,
            )
        cell = classify(f, as_of)
        if cell is None:
            continue
        key = f"{plan_of}:{f.obligation}:{f.period}"  # Column.key
        due = plan_dues.get((plan_of, f.nominal_due, f.due))
        if due is None:
            due = plan_dues[(plan_of, f.nominal_due, f.due)] = _plan_due(f, plan)
        known = columns.get(key)
        if known is None or due < known.due:
            title = plan.title(f.obligation) if plan else _unplanned_title(f.obligation)
            columns[key] = Column(plan_of, f.obligation, f.period, title, due)
        row.cells[key] = cell
    for finding in findings:
        contract = contracts.get(finding.org_nr)
        plan_of = contract.plan_id if contract else ""
        if plan_id is not None and plan_of != plan_id:
            continue
        row = rows.get(finding.org_nr)
        if row is None:
            row = rows[finding.org_nr] = ProviderRow(
                finding.org_nr,
                names.get(finding.org_nr, finding.org_nr),
                plan=plan_of,
                contract_status=contract.status if contract else None,
            )
        row.findings.add(finding)
    tasks = [t for t in municipal_tasks if plan_id is None or t.plan_id == plan_id]
    for task in tasks:
        if task.org_nr is None:
            continue
        row = rows.get(task.org_nr)
        if row is None:
            contract = contracts.get(task.org_nr)
            row = rows[task.org_nr] = ProviderRow(
                task.org_nr,
                names.get(task.org_nr, task.org_nr),
                plan=task.plan_id,
                contract_status=contract.status if contract else None,
            )
        row.municipal_tasks.add(task)
    lang = report_language(
        plans[r.plan].language if r.plan in plans else "sv" for r in rows.values()
    )
    for org_nr, row in rows.items():
        row_lang = plans[row.plan].language if row.plan in plans else lang
        row.contract_note = contract_note(contracts.get(org_nr), lang)
        # Labels in the report's language, numbers in the notation of the row's plan.
        if org_nr in (latest_fields or {}):
            row.stats = provider_stats((latest_fields or {})[org_nr], lang, row_lang)
        if (counts := (placements or {}).get(org_nr)) is not None:
            row.stats.update(
                placement_stats(
                    counts.decisions,
                    counts.granted_hours,
                    counts.care_plans_current,
                    lang,
                    row_lang,
                )
            )
    ordered_columns = sorted(
        columns.values(), key=lambda c: (c.due, c.plan, c.obligation, c.period)
    )
    ordered_rows = sorted(rows.values(), key=lambda r: (r.name.casefold(), r.org_nr))
    titles = {p: dict(info.role_titles) for p, info in plans.items()}
    return Matrix(
        year, as_of, ordered_columns, ordered_rows, lang, role_figures(tasks, titles, plan_id)
    )


def _unplanned_title(obligation: str) -> str:
    """The title of an occurrence whose plan is not in the plans folder: the built-in ones
    (a meeting's action item), else the key, as nothing else can be told of it."""
    extra = EXTRA_TITLES.get(obligation)
    return extra["sv"] if extra else obligation


def _plan_due(fact: OccurrenceFact, plan: PlanInfo | None) -> date:
    """The plan's due date of an occurrence: its date in the plan, business-day adjusted by the
    plan's calendar. Not `fact.due`, which an extension or a komplettering moves for one
    provider. Without the plan (not in the plans folder) the deadline in force is all there is."""
    if plan is None or fact.nominal_due is None:
        return fact.due
    # Here, not at the top: the records (models.records.reports) import this module for its
    # fact classes, and the calendar brings pydantic and the plan schema to every records read.
    from models.domain.calendar import next_business_day

    return next_business_day(fact.nominal_due, plan.holiday_calendar)


def in_year(period: str, year: int) -> bool:
    return period == str(year) or period.startswith(f"{year}-")


# --- the matrix as files (`lov report compliance --json | --csv`, the desk's downloads) --------

_CSV_HEAD = {
    "sv": ("Organisationsnummer", "Utförare", "Plan", "Avtal", "förfaller"),
    "da": ("CVR-nummer", "Leverandør", "Plan", "Kontrakt", "forfalder"),
}


def matrix_json(m: Matrix) -> str:
    """The JSON document of the matrix (`Matrix.as_dict`), as the CLI prints it and the desk
    serves it: one text, so the two cannot drift apart."""
    import json

    return json.dumps(m.as_dict(), ensure_ascii=False, indent=2) + "\n"


def matrix_csv(m: Matrix) -> str:
    """One row per provider: who, its plan and contract note, each column's cell as the report
    words it ("sen 3 d"), then the totals per state. Headers in the report's language, each
    column named by its title, period, plan and due date. Every text cell is kept text in a
    spreadsheet (a provider's name cannot become a formula)."""
    import csv
    import io

    from models.domain.spreadsheet import csv_cell

    org, name, plan, contract, due = _CSV_HEAD[m.language]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [org, name, plan, contract]
        + [f"{c.title} {c.period} ({c.plan}, {due} {c.due.isoformat()})" for c in m.columns]
        + [m.state_text(s) for s in STATES]
        + finding_headers(m.language)
        + municipal_headers(m.language)
    )
    for row in m.rows:
        cells = [row.cells.get(c.key) for c in m.columns]
        writer.writerow(
            [csv_cell(row.org_nr), csv_cell(row.name), csv_cell(row.plan)]
            + [csv_cell(row.contract_note or "")]
            + [cell.label(m.language) if cell else "" for cell in cells]
            + [str(row.totals[s]) for s in STATES]
            + finding_cells(row.findings, m.language)
            + row.municipal_tasks.cells()
        )
    return out.getvalue()


def finding_headers(language: str) -> list[str]:
    """The CSV's finding columns, after the totals: "Brister öppnade", …."""
    return list(FINDING_HEADERS[language_of(language)])


def finding_cells(f: FindingFigures, language: str) -> list[str]:
    return [
        str(f.opened),
        str(f.remedied),
        str(f.open),
        str(f.sanctioned),
        f.amount_text(language),
        f.states_text(language),
    ]


def finding_line(f: FindingFigures, language: str) -> str | None:
    """One line of the provider's findings ("Brister: öppnade 2, åtgärdade 1, öppna 1
    (åtgärdsplan begärd 1), med påföljd 1 (10 000,00 kr)"); None without findings in the
    year."""
    if not f.opened:
        return None
    w = FINDING_WORDS[language_of(language)]
    states = f" ({f.states_text(language)})" if f.open else ""
    return (
        f"{w['findings']}: {w['opened']} {f.opened}, {w['remedied']} {f.remedied}, "
        f"{w['open']} {f.open}{states}, {w['sanctioned']} {f.sanctioned} "
        f"({f.amount_text(language)} {w['kr']})"
    )
