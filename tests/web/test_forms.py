"""Reading form fields, and a refusal's field back onto the form."""

from __future__ import annotations

from datetime import date

import pytest
from starlette.datastructures import FormData

from services.errors import ActionError
from web.forms import GENERAL, day, errors_of, field_of, required


def test_a_refusal_lands_on_the_field_it_names() -> None:
    fields = ("new_due", "note")
    assert field_of(ActionError("--new-due", "x"), fields) == "new_due"
    assert field_of(ActionError("new_due", "must be after today"), fields) == "new_due"
    assert field_of(ActionError("note (what is missing)", "required"), fields) == "note"
    assert field_of(ActionError("status", "nothing to review"), fields) == GENERAL
    assert errors_of(ActionError("note", "skriv vad som saknas"), fields) == {
        "note": "Skriv vad som saknas"
    }


def test_dates_and_required_text() -> None:
    form = FormData([("new_due", "2027-05-01"), ("bad", "1/5"), ("note", "  ")])
    assert day(form, "new_due") == date(2027, 5, 1)
    assert day(form, "missing", required=False) is None
    for name in ("bad", "missing"):
        with pytest.raises(ActionError) as caught:
            day(form, name)
        assert caught.value.field == name
    with pytest.raises(ActionError) as caught:
        required(form, "note", "skriv vad som saknas")
    assert caught.value.field == "note"


def test_the_validators_refusals_are_shown_in_swedish() -> None:
    fields = ("new_due", "note", "reason")
    cases = {
        ActionError("new_due", "must be after today"): ("new_due", "Måste vara efter i dag"),
        ActionError("new_due", "must be after the current due date 2027-05-01"): (
            "new_due",
            "Måste vara efter nuvarande förfallodag, 1 maj 2027",
        ),
        ActionError("note (what is missing)", "must not be empty"): (
            "note",
            "Får inte vara tomt",
        ),
        ActionError("status", "nothing to review (status is accepted)"): (
            GENERAL,
            "Det finns inget att granska: skyldigheten är godkänd",
        ),
        ActionError("status", "cannot waive, the item is already waived"): (
            GENERAL,
            "Går inte: skyldigheten är redan eftergiven",
        ),
        ActionError("request", "något annat"): (GENERAL, "Något annat"),
    }
    for err, (field, message) in cases.items():
        assert errors_of(err, fields) == {field: message}
