"""The readable forms of `lov contract status`: a contract, and one obligation occurrence."""

from __future__ import annotations

import json
from typing import Any

from models.messages.contract import ContractStatus
from models.messages.obligation import ItemStatus, ObligationStatus
from starter.table import table_lines
from starter.words import CONTRACT_STATE_SV, KIND_SV, STATE_SV


def _state_line(status: ContractStatus) -> str:
    state = CONTRACT_STATE_SV[status.state]
    t = status.termination
    if t is not None:
        state += (
            f" ({KIND_SV[t.kind]}, sista dag {t.end_date.isoformat()}: {t.reason};"
            f" begärt av {t.actor})"
        )
    return state


def contract_text(status: ContractStatus) -> str:
    """The readable form of `lov contract status`."""
    p = status.provider
    versions = ", ".join(f"{y}: {v}" for y, v in sorted(status.plan_versions.items())) or "–"
    out = [
        f"{p.name} ({p.org_nr}) · {_state_line(status)}",
        f"Arbetsflöde {status.workflow_id} · plan {status.plan_id} · avtalsstart "
        f"{status.contract_start.isoformat()} · uppföljningsår {status.year}",
        f"Kontakt: {p.email}",
        f"Planversioner per år: {versions}",
    ]
    if not status.obligations:
        out += ["", "Inga skyldigheter ännu. (No obligations yet.)"]
    headers = ("Läge", "Period", "Förfallodag", "Status", "Eskaleringsnivå")
    for key, summary in status.obligations.items():
        rows: list[tuple[str, ...]] = []
        for label, items in (
            ("öppen", summary.open),
            ("försenad", summary.overdue),
            ("klar", summary.done),
        ):
            rows += [_item_row(label, i) for i in items]
        out += ["", key]
        out += table_lines(headers, rows, indent="  ")
        if summary.done_earlier:
            out.append(f"  och {summary.done_earlier} klara tidigare år")
    if status.not_requested:
        out += [
            "",
            "Ej begärda (not requested): tidsfristen hade passerat när avtalet registrerades. "
            "Begär med `lov contract request ORGNR SKYLDIGHET PERIOD --due ÅÅÅÅ-MM-DD`.",
        ]
        out += table_lines(
            ("Skyldighet", "Titel", "Period", "Planens förfallodag"),
            [(o.obligation, o.title, o.period, o.due.isoformat()) for o in status.not_requested],
            indent="  ",
        )
    return "\n".join(out)


def _item_row(label: str, item: ItemStatus) -> tuple[str, ...]:
    return (
        label,
        item.period,
        item.due.isoformat(),
        STATE_SV[item.status],
        str(item.escalation_level),
    )


def _shown(value: Any) -> str:
    """A field value as it would be typed: true/false, 12, text."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def obligation_text(item: ObligationStatus) -> str:
    """The readable form of `lov contract status --obligation … --period …`."""
    due = item.due.isoformat()
    if item.due != item.nominal_due:
        due += f" (enligt planen {item.nominal_due.isoformat()})"
    out = [
        f"{item.title} · {item.obligation} {item.period} · {item.org_nr}",
        f"Arbetsflöde: {item.workflow_id}",
        f"Förfallodag: {due}",
        f"Status: {STATE_SV[item.status]} · försenad: {'ja' if item.overdue else 'nej'} · "
        f"eskaleringsnivå: {item.escalation_level} · påminnelser skickade: {item.reminders_sent}",
    ]
    if item.submissions:
        out.append("Inlämningar:")
        for n, sub in enumerate(item.submissions, 1):
            fields = ", ".join(f"{k}={_shown(v)}" for k, v in sub.fields.items()) or "–"
            at = sub.at.isoformat(timespec="seconds")
            out.append(f"  {n}. {at} av {sub.actor}: fält {fields}")
            out += [
                f"     dokument {d.key}: {d.filename} (sha256 {d.sha256[:12]}…, {d.size} byte)"
                for d in sub.documents
            ]
    out.append("Historik:")
    out += [f"  {line}" for line in item.history]
    return "\n".join(out)
