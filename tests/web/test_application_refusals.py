"""The application workflow's refusals as the desk shows them (web.application_refusals): in
Swedish, the same field, each skallkrav key replaced by its title; anything else unchanged."""

from __future__ import annotations

from services.errors import ActionError
from web.application_refusals import in_swedish

TITLES = {"f-skatt": "Godkänd för F-skatt", "insurance": "Försäkringar"}


def test_skallkrav_keys_become_their_titles() -> None:
    err = in_swedish(ActionError("skallkrav", "not yet assessed: f-skatt, insurance"), TITLES)
    assert err.field == "skallkrav"
    assert err.message == (
        "alla skallkrav är inte bedömda än; kvar: Godkänd för F-skatt, Försäkringar"
    )
    unmet = in_swedish(ActionError("skallkrav", "not met: insurance"), TITLES)
    assert unmet.message == "skallkrav som inte är uppfyllda: Försäkringar"
    note = in_swedish(
        ActionError(
            "note (why the requirement is not met)", "must not be empty (skallkrav insurance)"
        ),
        TITLES,
    )
    assert note.message == "skriv varför kravet inte är uppfyllt (Försäkringar)"


def test_the_application_s_state_is_named_in_swedish() -> None:
    closed = in_swedish(ActionError("status", "the item is already approved"), TITLES)
    assert closed.message == "ansökan är redan godkänd"
    decided = in_swedish(
        ActionError("status", "cannot request completion, the application is already rejected"),
        TITLES,
    )
    assert decided.message == "ansökan är redan avslagen"


def test_an_unknown_refusal_is_passed_on_unchanged() -> None:
    err = ActionError("due", "must be after today")
    assert in_swedish(err, TITLES) is err
