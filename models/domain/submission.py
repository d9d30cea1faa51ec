"""Checks a submission against the plan: the same rules for the Update validator and the CLI."""

from __future__ import annotations

from datetime import date
from typing import Any

from models.messages.obligation import DocumentRef
from models.plans.schema import Obligation, ReportField


class SubmissionError(ValueError):
    pass


def _check_field(field: ReportField, value: Any) -> None:
    name = f"fields.{field.key}"
    if field.type == "count":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SubmissionError(f"{name}: must be a non-negative integer, got {value!r}")
    elif field.type == "percent":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise SubmissionError(f"{name}: must be a number from 0 to 100, got {value!r}")
    elif field.type == "bool":
        if not isinstance(value, bool):
            raise SubmissionError(f"{name}: must be true or false, got {value!r}")
    elif field.type == "date":
        try:
            date.fromisoformat(str(value))
        except ValueError as err:
            raise SubmissionError(f"{name}: must be a date YYYY-MM-DD, got {value!r}") from err
    elif not isinstance(value, str) or not value.strip():
        raise SubmissionError(f"{name}: must be a non-empty text")


def check_submission(
    obligation: Obligation, fields: dict[str, Any], documents: list[DocumentRef]
) -> None:
    """Raises SubmissionError naming the first field or document that is wrong."""
    known = {f.key: f for f in obligation.fields}
    for key in fields:
        if key not in known:
            raise SubmissionError(
                f"fields.{key}: not a field of {obligation.key!r} (expected one of "
                f"{', '.join(known) or 'none'})"
            )
    for field in obligation.fields:
        if field.key in fields:
            _check_field(field, fields[field.key])
        elif field.required:
            raise SubmissionError(f"fields.{field.key}: required ({field.title})")
    doc_keys = {d.key for d in obligation.documents}
    given = [d.key for d in documents]
    for key in given:
        if key not in doc_keys:
            raise SubmissionError(
                f"documents.{key}: not a document of {obligation.key!r} (expected one of "
                f"{', '.join(sorted(doc_keys)) or 'none'})"
            )
    if len(set(given)) != len(given):
        raise SubmissionError("documents: each document may be given once")
    for doc in obligation.documents:
        if doc.required and doc.key not in given:
            raise SubmissionError(f"documents.{doc.key}: required ({doc.title})")


# What each field type accepts, said in advance (`lov contract requirements`): the same rules
# `_check_field` enforces, so a submitter need not learn them one refusal at a time.
FIELD_RULES: dict[str, tuple[str, str]] = {
    # type: (unit, limits)
    "count": ("antal", "heltal, 0 eller mer"),
    "percent": ("procent", "tal från 0 till 100"),
    "bool": ("ja/nej", "true eller false"),
    "date": ("datum", "ÅÅÅÅ-MM-DD"),
    "text": ("text", "får inte vara tom"),
}
