"""Every state the records can hold has a Swedish and a Danish word on the desk, and every
word of the desk's chrome (web/texts.py) is in both languages."""

from __future__ import annotations

import re

from models.messages.meeting import MeetingState
from models.messages.obligation import ObligationState
from models.messages.recovery import RecoveryState
from models.records.tables import CONTRACT_STATUSES, REVIEW_OUTCOMES, USER_ROLES
from web import texts, words


def test_each_state_has_its_swedish_word() -> None:
    assert set(words.STATE_SV) == {s.value for s in ObligationState}
    assert set(words.MEETING_SV) == {s.value for s in MeetingState}
    assert set(words.RECOVERY_SV) == {s.value for s in RecoveryState}
    assert set(words.REVIEW_SV) == set(REVIEW_OUTCOMES)
    assert set(CONTRACT_STATUSES) <= set(words.CONTRACT_SV)
    assert {words.role(r) for r in USER_ROLES} == {
        "administratör",
        "chef",
        "revisor",
        "handläggare",
    }


def test_every_state_has_its_danish_word_too() -> None:
    for kind, languages in words.WORDS.items():
        assert set(languages) == {"sv", "da"}, kind
        assert set(languages["da"]) == set(languages["sv"]), kind
        # A Danish word is a word, not a key ("debt_collection", "not-started").
        assert all(
            word and "_" not in word and "-" not in word for word in languages["da"].values()
        )
    assert words.state("submitted", "da") == "afleveret, afventer gennemgang"
    assert words.state("submitted") == "inlämnad, väntar på granskning"
    assert words.contract_state(None, "da") == "ingen kontrakt"


def test_every_key_of_the_desk_has_both_languages() -> None:
    assert set(texts.TEXTS) == {"sv", "da"}
    assert set(texts.DA) == set(texts.SV), "a key is missing in one language"
    for language, found in texts.TEXTS.items():
        for key, words_of in found.items():
            assert words_of.strip() and words_of != key, (language, key)
    # The placeholders are the same in both, so a value fills in either language.
    fields = re.compile(r"{(\w+)}")
    for key, swedish in texts.SV.items():
        assert set(fields.findall(texts.DA[key])) == set(fields.findall(swedish)), key


def test_the_danish_desk_speaks_danish() -> None:
    assert texts.text("nav.start", "da") == "Opgaver"
    assert texts.text("nav.recoveries", "da") == "Tilbagebetalingskrav"
    assert texts.text("nav.placements", "da") == "Frit valg"
    assert texts.text("start.week_caption", "da", n=49) == "Uge 49"
    assert texts.text("start.week_caption", "sv", n=49) == "Vecka 49"
    # A language without words of its own is written in Swedish.
    assert texts.text("nav.start", "fi") == "Att göra"
