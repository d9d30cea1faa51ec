"""Words for the states and roles the desk shows, in the desk's language: Swedish from
services/words.py (the CLI's too), Danish beside them there for a Danish plan's desk."""

from __future__ import annotations

from collections.abc import Mapping

from services.users import ROLE_TITLES
from services.words import (
    APPLICATION_STATES,
    APPLICATION_STATES_DA,
    CONTRACT_STATES,
    CONTRACT_STATES_DA,
    MEETING_EVENTS,
    MEETING_EVENTS_DA,
    MEETING_STATES,
    MEETING_STATES_DA,
    OBLIGATION_STATES,
    OBLIGATION_STATES_DA,
    PLACEMENT_STATES,
    PLACEMENT_STATES_DA,
    RECOVERY_STATES,
    RECOVERY_STATES_DA,
    REVIEW_OUTCOMES,
    REVIEW_OUTCOMES_DA,
)

STATE_SV = OBLIGATION_STATES
CONTRACT_SV = CONTRACT_STATES
MEETING_SV = MEETING_STATES
RECOVERY_SV = RECOVERY_STATES
REVIEW_SV = REVIEW_OUTCOMES
APPLICATION_SV = APPLICATION_STATES
ROLE_DA: dict[str, str] = {
    "administrator": "administrator",
    "manager": "leder",
    "auditor": "revisor",
    "case_officer": "sagsbehandler",
}

# Each kind of word by language; a language without its own words is written in Swedish.
WORDS: dict[str, dict[str, Mapping[str, str]]] = {
    "state": {"sv": OBLIGATION_STATES, "da": OBLIGATION_STATES_DA},
    "contract": {"sv": CONTRACT_STATES, "da": CONTRACT_STATES_DA},
    "meeting": {"sv": MEETING_STATES, "da": MEETING_STATES_DA},
    "recovery": {"sv": RECOVERY_STATES, "da": RECOVERY_STATES_DA},
    "review": {"sv": REVIEW_OUTCOMES, "da": REVIEW_OUTCOMES_DA},
    "application": {"sv": APPLICATION_STATES, "da": APPLICATION_STATES_DA},
    "placement": {"sv": PLACEMENT_STATES, "da": PLACEMENT_STATES_DA},
    "role": {"sv": ROLE_TITLES, "da": ROLE_DA},
    "meeting_event": {"sv": MEETING_EVENTS, "da": MEETING_EVENTS_DA},
}
_NO_CONTRACT = {"sv": "inget avtal", "da": "ingen kontrakt"}


def _word(kind: str, value: str, language: str) -> str:
    kinds = WORDS[kind]
    return kinds.get(language, kinds["sv"]).get(value, value)


def words_of(kind: str, language: str = "sv") -> Mapping[str, str]:
    """State → word of one kind ("meeting", "application" …), for a filter's choices."""
    return WORDS[kind].get(language, WORDS[kind]["sv"])


def contract_states(language: str = "sv") -> Mapping[str, str]:
    return words_of("contract", language)


def state(value: str | None, language: str = "sv") -> str:
    return _word("state", value, language) if value else "–"


def contract_state(value: str | None, language: str = "sv") -> str:
    if not value:
        return _NO_CONTRACT.get(language, _NO_CONTRACT["sv"])
    return _word("contract", value, language)


def role(value: str, language: str = "sv") -> str:
    return _word("role", value, language)


def meeting(value: str, language: str = "sv") -> str:
    return _word("meeting", value, language)


def meeting_event(value: str, language: str = "sv") -> str:
    return _word("meeting_event", value, language)


def recovery(value: str, language: str = "sv") -> str:
    return _word("recovery", value, language)


def review(value: str, language: str = "sv") -> str:
    return _word("review", value, language)


def application(value: str, language: str = "sv") -> str:
    return _word("application", value, language)


def placement(value: str, language: str = "sv") -> str:
    return _word("placement", value, language)
