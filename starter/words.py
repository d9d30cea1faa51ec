"""Swedish words for the states the CLI shows: services/words.py, the desk's too."""

from __future__ import annotations

from services.words import CONTRACT_STATE_SENTENCES as CONTRACT_STATE_SV
from services.words import OBLIGATION_STATES as STATE_SV
from services.words import TERMINATION_KINDS as KIND_SV

__all__ = ["CONTRACT_STATE_SV", "KIND_SV", "STATE_SV", "state_sv"]


def state_sv(state: str) -> str:
    """An occurrence state as the records hold it ("submitted"), in Swedish."""
    return STATE_SV.get(state, state)
