"""The audit trail of one provider: a time-ordered timeline, and its tamper-evident export.

The export is JSON Lines fit to archive: a header line, one line per entry, and a seal line. Each
line carries `prev` (the previous line's hash) and `hash` = SHA-256 over `prev` and the line's
canonical JSON without `hash`. Editing a line breaks its hash; removing, inserting or reordering
lines breaks the chain; cutting off the end breaks the seal, which states the number of entries
and the last hash. `verify_export` names the first line that does not hold.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from models.file_input import parse_json

GENESIS = "0" * 64
FORMAT = "lovflow-audit/1"


class TimelineEntry(BaseModel):
    """One thing that happened to a provider: an outcome (from the audit table) or an e-mail."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    source: Literal["event", "email"]
    type: str  # the event type, or the e-mail's kind
    workflow_id: str | None = None
    actor: str = "system"
    obligation: str | None = None
    period: str | None = None
    to: list[str] = Field(default_factory=list)
    subject: str | None = None
    status: str | None = None  # e-mails: sent, pending or failed
    key: str  # the idempotency key that ties the entry to its workflow step
    details: dict[str, Any] = Field(default_factory=dict)

    def summary(self) -> str:
        if self.source == "email":
            return f"e-post {self.type} till {', '.join(self.to)}: {self.subject}"
        parts = [f"{k}={v}" for k, v in self.details.items() if v not in (None, "", [], {})]
        return f"{self.type}" + (f" ({'; '.join(parts)})" if parts else "")


def in_period(
    entries: Iterable[TimelineEntry], start: date | None, end: date | None, tz: tzinfo
) -> list[TimelineEntry]:
    """Entries whose local date lies within [start, end] (either bound optional)."""
    found = []
    for e in entries:
        day = e.at.astimezone(tz).date()
        if (start is None or day >= start) and (end is None or day <= end):
            found.append(e)
    return found


def ordered(entries: Iterable[TimelineEntry]) -> list[TimelineEntry]:
    # Outcome and e-mail of one step share an instant; the outcome first, then by key, so the
    # order is the same on every run.
    return sorted(entries, key=lambda e: (e.at, e.source != "event", e.key))


# --- hash chain ---------------------------------------------------------------------------------


def _canonical(line: dict[str, Any]) -> str:
    return json.dumps(line, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _sealed(line: dict[str, Any], prev: str) -> dict[str, Any]:
    body = {**line, "prev": prev}
    digest = hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()
    return {**body, "hash": digest}


def export_lines(
    org_nr: str,
    entries: Sequence[TimelineEntry],
    generated_at: datetime,
    start: date | None = None,
    end: date | None = None,
    agreement: dict[str, Any] | None = None,
) -> list[str]:
    """The archivable export: header, entries, seal; each a JSON object on one line."""
    header = {
        "line": "header",
        "format": FORMAT,
        "org_nr": org_nr,
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "generated_at": generated_at.isoformat(),
        "agreement": agreement or {},
    }
    lines: list[dict[str, Any]] = []
    prev = GENESIS
    body = [
        {"line": "entry", "seq": i, **e.model_dump(mode="json")} for i, e in enumerate(entries, 1)
    ]
    for line in [header, *body]:
        sealed = _sealed(line, prev)
        lines.append(sealed)
        prev = sealed["hash"]
    lines.append(_sealed({"line": "seal", "entries": len(entries), "head": prev}, prev))
    return [_canonical(line) for line in lines]


class VerifyError(ValueError):
    pass


def verify_export(text: str) -> tuple[str, int]:
    """(org nr, number of entries) of an intact export; VerifyError naming the first bad line."""
    raw = text.splitlines()
    if not raw:
        raise VerifyError("line 1: the file is empty")
    prev = GENESIS
    org_nr = ""
    seq = 0
    for n, text_line in enumerate(raw, 1):
        try:
            line = parse_json(text_line)  # FileInputError: nested too deeply, huge number
        except json.JSONDecodeError as err:
            raise VerifyError(f"line {n}: not JSON ({err.msg})") from None
        if not isinstance(line, dict) or "hash" not in line or "prev" not in line:
            raise VerifyError(f"line {n}: not a line of a lovflow audit export")
        if line["prev"] != prev:
            raise VerifyError(
                f"line {n}: does not follow line {n - 1} (a line was removed, inserted or moved)"
            )
        claimed = line.pop("hash")
        if _sealed({k: v for k, v in line.items() if k != "prev"}, prev)["hash"] != claimed:
            raise VerifyError(f"line {n}: content does not match its hash (the line was edited)")
        kind = line.get("line")
        if n == 1:
            if kind != "header" or line.get("format") != FORMAT:
                raise VerifyError("line 1: no export header")
            org_nr = str(line.get("org_nr"))
        elif kind == "entry":
            seq += 1
            if line.get("seq") != seq:
                raise VerifyError(f"line {n}: entry {line.get('seq')} where {seq} was expected")
        elif kind == "seal":
            if n != len(raw):
                raise VerifyError(f"line {n}: lines follow the seal")
            if line.get("entries") != seq or line.get("head") != prev:
                raise VerifyError(f"line {n}: the seal does not match the entries")
            return org_nr, seq
        else:
            raise VerifyError(f"line {n}: unknown line type {kind!r}")
        prev = claimed
    raise VerifyError(f"line {len(raw)}: the export has no seal (lines were cut off)")


# --- CSV ----------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "at",
    "type",
    "source",
    "workflow_id",
    "obligation",
    "period",
    "actor",
    "to",
    "summary",
)


def to_csv(entries: Sequence[TimelineEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.at.isoformat(),
                e.type,
                e.source,
                e.workflow_id or "",
                e.obligation or "",
                e.period or "",
                e.actor,
                "; ".join(e.to),
                e.summary(),
            ]
        )
    return out.getvalue()
