"""Swedish words for the states and roles the desk shows: services/words.py, the CLI's too."""

from __future__ import annotations

from services.users import ROLE_TITLES
from services.words import (
    APPLICATION_STATES,
    CONTRACT_STATES,
    MEETING_STATES,
    OBLIGATION_STATES,
    PLACEMENT_STATES,
    RECOVERY_STATES,
    REVIEW_OUTCOMES,
)

STATE_SV = OBLIGATION_STATES
CONTRACT_SV = CONTRACT_STATES
MEETING_SV = MEETING_STATES
RECOVERY_SV = RECOVERY_STATES
REVIEW_SV = REVIEW_OUTCOMES
APPLICATION_SV = APPLICATION_STATES


def state(value: str | None) -> str:
    return STATE_SV.get(value or "", value or "–")


def contract_state(value: str | None) -> str:
    return CONTRACT_SV.get(value or "", value or "inget avtal")


def role(value: str) -> str:
    return ROLE_TITLES.get(value, value)


def meeting(value: str) -> str:
    return MEETING_SV.get(value, value)


def recovery(value: str) -> str:
    return RECOVERY_SV.get(value, value)


def review(value: str) -> str:
    return REVIEW_SV.get(value, value)


def application(value: str) -> str:
    return APPLICATION_SV.get(value, value)


def placement(value: str) -> str:
    return PLACEMENT_STATES.get(value, value)
