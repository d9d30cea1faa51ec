"""Reading a form into a service call's arguments, and a refusal back onto the form.

A refusal is the application layer's `ActionError(field, message)`, or the workflow's validator
saying "field: message": it is shown next to the form field of that name (an unknown field's
message above the form), the values typed are kept, and nothing was changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from starlette.datastructures import FormData

from services.errors import ActionError
from web.refusals import in_language

GENERAL = "form"
_WORD = re.compile(r"[a-z_]+")


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def required(form: FormData, name: str, message: str) -> str:
    """A text the action cannot do without (as the CLI's required options)."""
    value = text(form, name)
    if not value:
        raise ActionError(name, message)
    return value


def day(form: FormData, name: str, *, required: bool = True) -> date | None:
    """A date field (an `<input type="date">` sends ÅÅÅÅ-MM-DD)."""
    value = text(form, name)
    if not value:
        if required:
            raise ActionError(name, "ange ett datum")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ActionError(name, "skriv datumet som ÅÅÅÅ-MM-DD") from None


def field_of(err: ActionError, fields: Iterable[str]) -> str:
    """The form field an error names: "--new-due", "new_due" and "new_due (…)" all name
    new_due; anything else is the form's."""
    known = set(fields)
    whole = err.field.strip().lstrip("-").replace("-", "_").lower()
    if whole in known:  # a field named with a number in it ("action_2_due")
        return whole
    match = _WORD.match(whole)
    name = match.group(0) if match else ""
    return name if name in known else GENERAL


def errors_of(
    err: ActionError, fields: Iterable[str], language: str = "sv", concept: str | None = None
) -> dict[str, str]:
    """The refusal in `language` (web/refusals.py), next to the field it names."""
    text = in_language(err.message, language, concept)
    message = text[:1].upper() + text[1:]
    return {field_of(err, fields): message}
