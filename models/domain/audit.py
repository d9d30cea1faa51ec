"""The audit trail of one provider: a time-ordered timeline, and its tamper-evident export.

The export is JSON Lines fit to archive: a header line, one line per entry, and a seal line. Each
line carries `prev` (the previous line's hash) and `hash` = SHA-256 over `prev` and the line's
canonical JSON without `hash`. Editing a line breaks its hash; removing, inserting or reordering
lines breaks the chain; cutting off the end breaks the seal, which states the number of entries
and the last hash. `verify_export` names the first line that does not hold.

A chain alone can be recomputed by anyone who edits the file, so a sealed export (format
`lovflow-audit/2`) also carries an Ed25519 signature over the seal's hash, made with the
installation's private key and named by its key id (models.domain.audit_signing). Exports without
one
(format `lovflow-audit/1`, or no signing key configured) verify only as "not sealed": their chain
holds, but nothing shows who computed it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field

from models.domain.audit_signing import Signer, signature_holds
from models.domain.file_input import parse_json
from models.domain.money import format_sek
from models.domain.quote import short
from models.domain.spreadsheet import csv_cell
from models.ids import (
    application_workflow_id,
    contract_workflow_id,
    meeting_workflow_id,
    obligation_workflow_id,
    search_value,
)

GENESIS = "0" * 64
FORMAT = "lovflow-audit/1"  # hash chain only: not sealed
SEALED_FORMAT = "lovflow-audit/2"  # hash chain and a signed seal


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
    # Who ran the request, as Temporal recorded its caller (the `lov` CLI's OS user and host),
    # next to the claimed `actor`: taken from the workflow's history when it is checked.
    caller: str | None = None
    # The follow-up year the entry concerns where the records say so apart from a period (a
    # recovery case's year); see `follow_up_year`.
    year: int | None = None

    def summary(self) -> str:
        if self.source == "email":
            return f"e-post {self.type} till {', '.join(self.to)}: {self.subject}"
        parts = [f"{k}={v}" for k, v in self.details.items() if v not in (None, "", [], {})]
        return f"{self.type}" + (f" ({'; '.join(parts)})" if parts else "")


def caller_of(identity: str) -> str:
    """`user@host` of a `lov` CLI identity (`lov-cli user@host pid N`); other clients' identities
    as they are."""
    parts = identity.split()
    if len(parts) == 4 and parts[0] == "lov-cli" and parts[2] == "pid":
        return parts[1]
    return identity.strip()


def with_callers(
    entries: Iterable[TimelineEntry], callers: Mapping[tuple[str, str], Iterable[str]]
) -> list[TimelineEntry]:
    """Entries with `caller` set where a request in their workflow's history carried their actor
    (several callers, when the same name was claimed from several accounts, are all shown)."""
    out = []
    for e in entries:
        found = sorted(set(callers.get((e.workflow_id or "", e.actor), ())))
        out.append(e.model_copy(update={"caller": ", ".join(found)}) if found else e)
    return out


def follow_up_year(entry: TimelineEntry, tz: tzinfo) -> int:
    """The follow-up year an entry belongs to: the year the records give it (a recovery case),
    else its period's year (obligations and meetings: "2027", "2027-T1", "2027-H1-1"), else the
    local year in which it happened (contract, application and placement events, which concern
    no one follow-up year), and never before the year of the start date it states (a contract
    registered in December to start in February belongs to the next year, as its duties do;
    likewise a placement with the provider's start).
    An auditor asks about a follow-up year, and its duties are prepared before it and handled
    well into the next calendar year, so event time alone misses them."""
    if entry.year is not None:
        return entry.year
    if entry.period and _PERIOD_YEAR.match(entry.period):
        return int(entry.period[:4])
    year = entry.at.astimezone(tz).year
    start = entry.details.get("start")
    if isinstance(start, str) and _PERIOD_YEAR.match(start):
        year = max(year, int(start[:4]))
    return year


_PERIOD_YEAR = re.compile(r"^[0-9]{4}(?![0-9])")


def in_follow_up_year(
    entries: Iterable[TimelineEntry], year: int, tz: tzinfo
) -> list[TimelineEntry]:
    """The entries of follow-up `year` (`follow_up_year`)."""
    return [e for e in entries if follow_up_year(e, tz) == year]


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


def provider_workflows_queries(org_nr: str, ref: str | None = None) -> list[str]:
    """Visibility queries for every workflow of a provider, best first: by the `LovOrgNr` search
    attribute or by the provider's workflow id prefixes (a workflow started before its search
    attribute was set is still found); the second, by the search attribute alone, for a server
    whose visibility store cannot match prefixes. A sole trader (`ref`, models.domain.provider_id)
    is
    looked for under its opaque key and, for workflows from before the key, its org nr."""
    refs = [None] if ref is None else [ref, None]
    prefixes = sorted(
        {
            # The id of each kind with its variable part cut off: the provider's own prefix.
            prefix
            for r in refs
            for prefix in (
                obligation_workflow_id(org_nr, "", "", r)[:-1],
                meeting_workflow_id(org_nr, "", r),
                application_workflow_id(org_nr, 0, r)[:-1],
            )
        }
    )
    by_attribute = " OR ".join(f"LovOrgNr = '{search_value(org_nr, r)}'" for r in refs)
    either = (
        [by_attribute]
        + [f"WorkflowId = '{contract_workflow_id(org_nr, r)}'" for r in refs]
        + [f"WorkflowId STARTS_WITH '{p}'" for p in prefixes]
    )
    return [" OR ".join(either), by_attribute]


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
    signer: Signer | None = None,
    year: int | None = None,
) -> list[str]:
    """The archivable export: header, entries, seal; each a JSON object on one line. With a
    signer the seal is signed (a sealed export); without, the chain alone (not sealed). `year`:
    the follow-up year the entries were selected by, named in the header when given."""
    header = (
        {
            "line": "header",
            "format": SEALED_FORMAT if signer else FORMAT,
            "org_nr": org_nr,
            "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
            "generated_at": generated_at.isoformat(),
            "agreement": agreement or {},
        }
        | ({"key_id": signer.key_id} if signer else {})
        | ({"year": year} if year else {})
    )
    lines: list[dict[str, Any]] = []
    prev = GENESIS
    body = [
        {"line": "entry", "seq": i, **e.model_dump(mode="json")} for i, e in enumerate(entries, 1)
    ]
    for line in [header, *body]:
        sealed = _sealed(line, prev)
        lines.append(sealed)
        prev = sealed["hash"]
    seal: dict[str, Any] = {"line": "seal", "entries": len(entries), "head": prev}
    if signer:
        seal["key_id"] = signer.key_id
    sealed = _sealed(seal, prev)
    if signer:
        sealed["signature"] = signer.sign(sealed["hash"])
    lines.append(sealed)
    return [_canonical(line) for line in lines]


class VerifyError(ValueError):
    pass


class UnknownKeyError(VerifyError):
    """The export is sealed with a key id the verifier has no public key for."""


@dataclass(frozen=True)
class Verified:
    org_nr: str
    entries: int
    key_id: str | None  # the key that sealed it; None: the chain holds but it is not sealed

    @property
    def sealed(self) -> bool:
        return self.key_id is not None


class _DuplicateKey(Exception):
    # Not a ValueError: parse_json turns those into FileInputError (bad input, exit 2), while a
    # duplicate key is an edited line (verification fails).
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys, while other readers may show the first: a line
    # could then hash as one thing and read as another.
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(f"duplicate key {short(key)}")
        found[key] = value
    return found


def _parse(text_line: str, n: int) -> Any:
    try:
        # FileInputError (nested too deeply, a huge number) passes through: bad input.
        return parse_json(text_line, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as err:
        raise VerifyError(f"line {n}: not JSON ({err.msg})") from None
    except _DuplicateKey as err:
        raise VerifyError(f"line {n}: {err} (the line was edited)") from None


def verify_export(text: str, public_keys: Mapping[str, Ed25519PublicKey] | None = None) -> Verified:
    """What an intact export holds, and which key sealed it; VerifyError naming the first bad
    line (UnknownKeyError when the sealing key is not among `public_keys`)."""
    keys = public_keys or {}
    raw = text.splitlines()
    if not raw:
        raise VerifyError("line 1: the file is empty")
    prev = GENESIS
    org_nr = ""
    key_id: str | None = None
    seq = 0
    for n, text_line in enumerate(raw, 1):
        line = _parse(text_line, n)
        if not isinstance(line, dict) or "hash" not in line or "prev" not in line:
            raise VerifyError(f"line {n}: not a line of a lovflow audit export")
        if line["prev"] != prev:
            raise VerifyError(
                f"line {n}: does not follow line {n - 1} (a line was removed, inserted or moved)"
            )
        claimed = line.pop("hash")
        kind = line.get("line")
        # The signature is made over the seal's hash, so it stays outside what is hashed.
        signature = line.pop("signature", None) if kind == "seal" else None
        if _sealed({k: v for k, v in line.items() if k != "prev"}, prev)["hash"] != claimed:
            raise VerifyError(f"line {n}: content does not match its hash (the line was edited)")
        if n == 1:
            if kind != "header" or line.get("format") not in (FORMAT, SEALED_FORMAT):
                raise VerifyError("line 1: no export header")
            org_nr = str(line.get("org_nr"))
            if line["format"] == SEALED_FORMAT:
                key_id = str(line.get("key_id"))
        elif kind == "entry":
            seq += 1
            if line.get("seq") != seq:
                raise VerifyError(
                    f"line {n}: entry {short(line.get('seq'))} where {seq} was expected"
                )
        elif kind == "seal":
            if n != len(raw):
                raise VerifyError(f"line {n}: lines follow the seal")
            if line.get("entries") != seq or line.get("head") != prev:
                raise VerifyError(f"line {n}: the seal does not match the entries")
            if key_id is None:
                if signature is not None or "key_id" in line:
                    raise VerifyError(f"line {n}: a signature in an export of format {FORMAT}")
                return Verified(org_nr, seq, None)
            _check_signature(line, n, key_id, claimed, signature, keys)
            return Verified(org_nr, seq, key_id)
        else:
            raise VerifyError(f"line {n}: unknown line type {short(kind)}")
        prev = claimed
    raise VerifyError(f"line {len(raw)}: the export has no seal (lines were cut off)")


def _check_signature(
    seal: dict[str, Any],
    n: int,
    key_id: str,
    seal_hash: str,
    signature: Any,
    keys: Mapping[str, Ed25519PublicKey],
) -> None:
    if seal.get("key_id") != key_id:
        raise VerifyError(f"line {n}: the seal's key id differs from the header's")
    if not isinstance(signature, str):
        raise VerifyError(f"line {n}: the seal has no signature")
    public = keys.get(key_id)
    if public is None:
        raise UnknownKeyError(
            f"line {n}: sealed with key id {short(key_id)}, which is not a known public key "
            f"(known: {', '.join(sorted(keys)) or 'none'}; add it to LOV_AUDIT_PUBLIC_KEYS)"
        )
    if not signature_holds(public, seal_hash, signature):
        raise VerifyError(
            f"line {n}: the signature does not hold for key {short(key_id)} "
            "(the export was recomputed or sealed with another key)"
        )


# --- showing values -----------------------------------------------------------------------------


def event_type_name(stored: str) -> str:
    """The event type as shown: kebab-case, the style of e-mail kinds and most event types.

    Workflows wrote some types in snake_case (`completion_requested`, `application_approved`,
    `placement_assigned`) and others in kebab-case (`contract-started`, `meeting-held`,
    `recovery-paid`). The stored values stay as written (workflow histories hold them as
    activity inputs, and the records are checked against those), so the one style is applied
    here, when the timeline is shown."""
    return stored.replace("_", "-")


def local_time(at: datetime, tz: tzinfo) -> datetime:
    """An instant as shown: local time with its offset, whole seconds
    (2027-04-12T10:00:00+02:00 in ISO form)."""
    return at.astimezone(tz).replace(microsecond=0)


# Detail keys whose values are amounts of money. Recovery steps wrote some as Decimal text
# ("1234.50") and some as the mails show them ("1 234,50 kr").
AMOUNT_KEYS = frozenset({"amount", "claimed_amount"})


def amount_text(value: Any) -> Any:
    """An amount as shown everywhere in the audit ('1 234,50 kr', models.domain.money); a value
    that is no amount is left as it is."""
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip()
    if text == "None":  # a step before any amount was set wrote str(None)
        return None
    if text.endswith("kr"):
        text = text[:-2]
    text = "".join(ch for ch in text if ch not in " \u00a0\u2009\u202f").replace(",", ".")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        return value
    return format_sek(amount) if amount.is_finite() else value


def _detail(key: str, value: Any, tz: tzinfo) -> Any:
    if key in AMOUNT_KEYS:
        return amount_text(value)
    if isinstance(value, str) and "T" in value:
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            return value
        if at.tzinfo is not None:
            return local_time(at, tz).isoformat()
    return value


def presented(entry: TimelineEntry, tz: tzinfo) -> TimelineEntry:
    """The entry in the one format the audit shows: event type in kebab-case, times in local
    time with offset (the entry's own and any in its details), amounts as '1 234,50 kr'."""
    return entry.model_copy(
        update={
            "at": local_time(entry.at, tz),
            "type": event_type_name(entry.type),
            "details": {k: _detail(k, v, tz) for k, v in entry.details.items()},
        }
    )


# Line and paragraph separators that are not category Cc but still end a line in many viewers.
_LINE_BREAKING = {"\u2028", "\u2029"}


def one_line(text: str) -> str:
    """`text` with every control character escaped (\\n, \\x1b, …), so that a stored value (an
    actor, a note) can never start a line of its own or steer a terminal in a printed timeline.
    Records written before actors were checked may hold such values."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch in _LINE_BREAKING:
            out.append(repr(ch)[1:-1])  # \n, \x1b, \u202e: visible, one line
        else:
            out.append(ch)
    return "".join(out)


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
    "caller",
)


def to_csv(entries: Sequence[TimelineEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow(
            csv_cell(cell)
            for cell in [
                e.at.isoformat(),
                e.type,
                e.source,
                e.workflow_id or "",
                e.obligation or "",
                e.period or "",
                e.actor,
                "; ".join(e.to),
                e.summary(),
                e.caller or "",
            ]
        )
    return out.getvalue()
