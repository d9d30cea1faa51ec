"""Checks a submission against the plan: the same rules for the Update validator and the CLI.

Also the one place a typed value (`--field customers=42`, a string in a fields file) becomes a
number or a yes/no: `parse_fields` by the plan's field types, `parse_value` by its shape when the
plan is not at hand.

Refusals name the field by its key (for the command line) and by its title in the plan's
language: `fields.current_care_plans: ”Antal kunder med aktuell genomförandeplan” (30) får inte
vara större än ”Antal kunder under tertialet” (20)`.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from models.domain.quote import short
from models.messages.obligation import DocumentRef
from models.plans.schema import FieldCheck, Obligation, ReportField


class SubmissionError(ValueError):
    pass


# --- reading a typed value -----------------------------------------------------------------------

_INT = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?([0-9]+[.,][0-9]*|[.,][0-9]+)$")
# Yes/no as people write it, in either language, and as JSON/TOML spell it (case-insensitive).
YES_WORDS = frozenset({"ja", "yes", "true"})
NO_WORDS = frozenset({"nej", "no", "false"})


def parse_yes_no(text: str) -> bool | None:
    """True/False for a yes or no word (ja/nej/yes/no/true/false, any case); None otherwise."""
    word = text.strip().lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def _number(text: str) -> int | float | None:
    stripped = text.strip()
    if _INT.match(stripped):
        return int(stripped)
    if _DECIMAL.match(stripped):
        return float(stripped.replace(",", "."))
    return None


def parse_value(text: str) -> Any:
    """A value whose field type is not known: integers → int, decimals (comma or point) →
    float, a yes/no word → bool, else the text as given."""
    number = _number(text)
    if number is not None:
        return number
    yes_no = parse_yes_no(text)
    return text if yes_no is None else yes_no


def parse_field(field: ReportField, value: Any) -> Any:
    """`value` in `field`'s type where a text reads as one (a count "42", a percent "87,5", a
    yes/no "ja"); anything else unchanged, for `check_submission` to refuse with the reason.
    A text field keeps "ja" or "42" as the text it is."""
    if not isinstance(value, str):
        return value
    if field.type in ("count", "percent"):
        number = _number(value)
        if number is not None:
            return number
    elif field.type == "bool":
        yes_no = parse_yes_no(value)
        if yes_no is not None:
            return yes_no
    return value


def parse_fields(obligation: Obligation | None, fields: dict[str, Any]) -> dict[str, Any]:
    """Every text value read by its field's type in `obligation`; without the plan (None) or
    for a key the plan does not have, text is read by its shape (`parse_value`)."""
    known = {f.key: f for f in obligation.fields} if obligation is not None else {}
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key in known:
            out[key] = parse_field(known[key], value)
        else:
            out[key] = parse_value(value) if isinstance(value, str) else value
    return out


# --- texts in the plan's language ----------------------------------------------------------------

_TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "quote": "”{}”",
        "count": "{title} ska vara ett heltal (fick {value})",
        "number": "{title} ska vara ett tal (fick {value})",
        "at_least": "{title} ska vara minst {low} (fick {value})",
        "range": "{title} ska vara mellan {low} och {high} (fick {value})",
        "bool": "{title} ska vara ja eller nej (fick {value})",
        "date": "{title} ska vara ett datum ÅÅÅÅ-MM-DD (fick {value})",
        "text": "{title} får inte vara tom",
        "required": "{title} saknas men krävs",
        "unknown_field": "finns inte i {obligation} (fält: {known})",
        "unknown_document": "finns inte i {obligation} (dokument: {known})",
        "document_twice": "varje dokument får lämnas en gång",
        "document_required": "{title} saknas men krävs",
        "check_at_most": "{title} ({value}) får inte vara större än {other} ({other_value})",
        "check_at_least": "{title} ({value}) får inte vara mindre än {other} ({other_value})",
        "none": "inga",
    },
    "da": {
        "quote": "»{}«",
        "count": "{title} skal være et helt tal (fik {value})",
        "number": "{title} skal være et tal (fik {value})",
        "at_least": "{title} skal være mindst {low} (fik {value})",
        "range": "{title} skal være mellem {low} og {high} (fik {value})",
        "bool": "{title} skal være ja eller nej (fik {value})",
        "date": "{title} skal være en dato ÅÅÅÅ-MM-DD (fik {value})",
        "text": "{title} må ikke være tom",
        "required": "{title} mangler, men skal udfyldes",
        "unknown_field": "findes ikke i {obligation} (felter: {known})",
        "unknown_document": "findes ikke i {obligation} (dokumenter: {known})",
        "document_twice": "hvert dokument må kun angives én gang",
        "document_required": "{title} mangler, men skal vedlægges",
        "check_at_most": "{title} ({value}) må ikke være større end {other} ({other_value})",
        "check_at_least": "{title} ({value}) må ikke være mindre end {other} ({other_value})",
        "none": "ingen",
    },
}


def _number_text(value: int | float) -> str:
    """A number as written in both languages: decimal comma, no needless decimals."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _shown(value: Any) -> str:
    return _number_text(value) if _is_number(value) else short(value)


class _Say:
    """Refusals in one language: `say(where, kind, **values)` is the SubmissionError."""

    def __init__(self, language: str) -> None:
        self.texts = _TEXTS.get(language, _TEXTS["sv"])

    def quote(self, title: str) -> str:
        return self.texts["quote"].format(title)

    def __call__(self, where: str, kind: str, **values: Any) -> SubmissionError:
        return SubmissionError(f"{where}: {self.texts[kind].format(**values)}")


# --- the checks ----------------------------------------------------------------------------------


def _check_field(field: ReportField, value: Any, say: _Say) -> None:
    where = f"fields.{field.key}"
    title = say.quote(field.title)
    shown = _shown(value)
    if field.type in ("count", "percent"):
        if not _is_number(value):
            raise say(
                where, "count" if field.type == "count" else "number", title=title, value=shown
            )
        if field.type == "count" and not isinstance(value, int):
            raise say(where, "count", title=title, value=shown)
        low, high = field.bounds()
        if high is None and value < low:
            raise say(where, "at_least", title=title, low=_number_text(low), value=shown)
        if high is not None and not low <= value <= high:
            raise say(
                where,
                "range",
                title=title,
                low=_number_text(low),
                high=_number_text(high),
                value=shown,
            )
    elif field.type == "bool":
        if not isinstance(value, bool):
            raise say(where, "bool", title=title, value=shown)
    elif field.type == "date":
        try:
            date.fromisoformat(str(value))
        except ValueError:
            raise say(where, "date", title=title, value=shown) from None
    elif not isinstance(value, str) or not value.strip():
        raise say(where, "text", title=title)


def _check_rule(
    check: FieldCheck, fields: dict[str, Any], titles: dict[str, str], say: _Say
) -> None:
    if check.field not in fields or check.other not in fields:
        return
    value, other = fields[check.field], fields[check.other]
    broken = value > other if check.at_most is not None else value < other
    if broken:
        raise say(
            f"fields.{check.field}",
            "check_at_most" if check.at_most is not None else "check_at_least",
            title=say.quote(titles[check.field]),
            value=_number_text(value),
            other=say.quote(titles[check.other]),
            other_value=_number_text(other),
        )


def check_submission(
    obligation: Obligation,
    fields: dict[str, Any],
    documents: list[DocumentRef],
    language: str = "sv",
) -> None:
    """Raises SubmissionError naming the first field or document that is wrong: its key, then
    one sentence in the plan's `language` (sv, da) with its title."""
    say = _Say(language)
    known = {f.key: f for f in obligation.fields}
    for key in fields:
        if key not in known:
            raise say(
                f"fields.{key}",
                "unknown_field",
                obligation=say.quote(obligation.title),
                known=", ".join(known) or say.texts["none"],
            )
    for field in obligation.fields:
        if field.key in fields:
            _check_field(field, fields[field.key], say)
        elif field.required:
            raise say(f"fields.{field.key}", "required", title=say.quote(field.title))
    # Each field is valid on its own by now; the rules between them (current care plans at
    # most the customers) come after, so a refusal names one thing at a time.
    titles = {f.key: f.title for f in obligation.fields}
    for check in obligation.checks:
        _check_rule(check, fields, titles, say)
    doc_keys = {d.key for d in obligation.documents}
    given = [d.key for d in documents]
    for key in given:
        if key not in doc_keys:
            raise say(
                f"documents.{key}",
                "unknown_document",
                obligation=say.quote(obligation.title),
                known=", ".join(sorted(doc_keys)) or say.texts["none"],
            )
    if len(set(given)) != len(given):
        raise say("documents", "document_twice")
    for doc in obligation.documents:
        if doc.required and doc.key not in given:
            raise say(f"documents.{doc.key}", "document_required", title=say.quote(doc.title))


# What each field type accepts, said in advance (`lov contract requirements`): the same rules
# `_check_field` enforces, so a submitter need not learn them one refusal at a time.
FIELD_RULES: dict[str, tuple[str, str]] = {
    # type: (unit, limits)
    "count": ("antal", "heltal, 0 eller mer"),
    "percent": ("procent", "tal från 0 till 100"),
    "bool": ("ja/nej", "ja eller nej (även yes/no, true/false)"),
    "date": ("datum", "ÅÅÅÅ-MM-DD"),
    "text": ("text", "får inte vara tom"),
}


def field_limits(obligation: Obligation, field: ReportField) -> str:
    """FIELD_RULES' limits of `field`, narrowed by its own min/max, and the plan's rules
    between it and another field (for `lov contract requirements`)."""
    parts = [FIELD_RULES[field.type][1]]
    if field.min is not None or field.max is not None:
        low, high = field.bounds()
        upto = "" if high is None else f" till {_number_text(high)}"
        kind = "heltal" if field.type == "count" else "tal"
        parts = [f"{kind} från {_number_text(low)}{upto}"]
    titles = {f.key: f.title for f in obligation.fields}
    for check in obligation.checks:
        if check.field == field.key:
            word = "högst" if check.at_most is not None else "minst"
            parts.append(f"{word} ”{titles[check.other]}”")
    return "; ".join(parts)
