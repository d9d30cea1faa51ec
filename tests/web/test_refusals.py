"""Refusals as the desk shows them (web.refusals): each concept's phrasings first, then the
shared ones, in Swedish or in Danish; skallkrav keys replaced by their titles, dates in the
language's local form, states in its words; anything unknown unchanged."""

from __future__ import annotations

import pytest

from web import oidc
from web.pages import sso
from web.refusals import CONCEPTS, SHARED, in_language

TITLES = {"f-skatt": "Godkänd för F-skatt", "insurance": "Försäkringar"}


def test_skallkrav_keys_become_their_titles() -> None:
    said = in_language("not yet assessed: f-skatt, insurance", "sv", "application", TITLES)
    assert said == "alla skallkrav är inte bedömda än; kvar: Godkänd för F-skatt, Försäkringar"
    unmet = in_language("not met: insurance", "sv", "application", TITLES)
    assert unmet == "skallkrav som inte är uppfyllda: Försäkringar"
    note = in_language("must not be empty (skallkrav insurance)", "sv", "application", TITLES)
    assert note == "skriv varför kravet inte är uppfyllt (Försäkringar)"
    assert in_language("not met: insurance", "da", "application", TITLES) == (
        "mindstekrav, der ikke er opfyldt: Försäkringar"
    )


def test_each_concept_names_its_own_state() -> None:
    already = "the item is already approved"
    assert in_language(already, "sv", "application") == "ansökan är redan godkänd"
    assert in_language(already, "da", "application") == "ansøgningen er allerede godkendt"
    assert in_language("the item is already ended", "da", "placement") == (
        "placeringen er allerede afsluttet"
    )
    assert in_language("the item is already paid", "da", "recovery") == (
        "kravet er allerede betalt, afsluttet"
    )
    # A duty's, shared: no concept, or one without its own.
    assert in_language("the item is already waived", "sv") == "skyldigheten är redan eftergiven"
    assert (
        in_language("the item is already waived", "da", "duty") == "pligten er allerede frafaldet"
    )


def test_dates_are_written_in_the_language() -> None:
    late = "must be after the current due date 2027-05-01"
    assert in_language(late) == "måste vara efter nuvarande förfallodag, 1 maj 2027"
    assert in_language(late, "da") == "skal være efter den nuværende forfaldsdato, 1. maj 2027"
    window = (
        "2027-05-03 is outside the meeting window 2027-04-01–2027-04-30; give a reason to hold "
        "it then"
    )
    assert in_language(window, "da", "meeting").startswith(
        "3. maj 2027 ligger uden for mødevinduet 1. april 2027 – 30. april 2027"
    )


def test_a_services_swedish_rule_is_kept_in_swedish_and_worded_in_danish() -> None:
    typed = "inte ett tal (not a number), fick 'tjugo'"
    assert in_language(typed, "sv") == typed  # its gloss is the page's to leave out
    assert in_language(typed, "da") == "ikke et tal: 'tjugo'"


def test_an_unknown_refusal_is_passed_on_unchanged() -> None:
    assert in_language("något helt annat", "da", "recovery") == "något helt annat"


@pytest.mark.parametrize("table", [SHARED, *CONCEPTS.values()])
def test_every_wording_has_both_languages_with_the_same_values(table: tuple) -> None:  # type: ignore[type-arg]
    for wording in table:
        groups = set(wording.pattern.groupindex)
        for template in (wording.sv or "-", wording.da):
            assert template.strip(), wording.pattern.pattern
            named = {part.split("}")[0] for part in template.split("{")[1:]}
            assert named <= groups, (wording.pattern.pattern, template)


def test_a_findings_refusal_is_worded_in_swedish_and_in_danish() -> None:
    due = "the plan allows an åtgärdsplan due 2027-01-05 to 2027-02-05 (14–30 days from today)"
    assert in_language(due, "sv", "finding") == (
        "planen tillåter en sista dag för åtgärdsplanen från 5 januari 2027 till 5 februari 2027"
    )
    assert in_language(due, "da", "finding") == (
        "fristen for handlingsplanen skal ligge mellem 5. januar 2027 og 5. februar 2027"
    )
    late = "no åtgärdsplan to verify (status is noticed)"
    assert in_language(late, "sv", "finding") == (
        "det finns ingen åtgärdsplan att kontrollera: bristen är underrättad, väntar på svar"
    )
    assert in_language(late, "da", "finding") == (
        "der er ingen handlingsplan at kontrollere: manglen er varslet, afventer svar"
    )
    own = "välj vilket krav bristen gäller"
    assert in_language(own, "sv", "finding") == own
    assert in_language(own, "da", "finding") == "vælg, hvilket krav manglen gælder"


def test_a_task_refusal_is_worded_in_swedish_and_in_danish() -> None:
    assert in_language("2027-03-02 lies in the future", "da", "task") == (
        "2. marts 2027 er endnu ikke kommet: angiv den dag, opgaven blev udført"
    )
    done = "visitation-quality-2027 is already done (2027-01-04)"
    assert in_language(done, "sv", "task") == (
        "uppgiften är redan registrerad som utförd den 4 januari 2027"
    )
    assert in_language("beskriv vad uppgiften visade", "da", "task") == (
        "beskriv, hvad opgaven viste"
    )
    assert in_language("must not be empty", "da", "task") == "må ikke være tomt"


def test_the_logins_refusals_stay_swedish_and_are_worded_in_danish() -> None:
    wrong = "Fel användarnamn eller lösenord, eller kontot är avstängt."
    assert in_language(wrong, "sv", "login") == wrong
    assert in_language(wrong, "da", "login") == (
        "Forkert brugernavn eller adgangskode, eller kontoen er spærret."
    )
    assert in_language("minst 12 tecken", "da", "login") == "mindst 12 tegn"


def test_single_sign_ons_refusals_stay_swedish_and_are_worded_in_danish() -> None:
    danish = {
        oidc.FAILED: "Login kunne ikke gennemføres. Du er ikke logget ind. Prøv igen.",
        oidc.UNREACHABLE: (
            "Kommunens login svarer ikke lige nu. Du er ikke logget ind. Prøv igen om lidt."
        ),
        sso.NOT_CONFIGURED: "Login med kommunens login er ikke sat op her.",
    }
    for swedish, in_danish in danish.items():
        assert in_language(swedish, "sv", "login") == swedish
        assert in_language(swedish, "da", "login") == in_danish
