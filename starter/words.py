"""Swedish words for the states the CLI shows. Plain strings (no message models), so a command
that reads only the records loads nothing else to print them."""

from __future__ import annotations

# Obligation occurrence states (models.messages.obligation.ObligationState, a StrEnum: its
# members look up the same as these strings).
STATE_SV: dict[str, str] = {
    "upcoming": "kommande",
    "open": "öppen",
    "submitted": "inlämnad, väntar på granskning",
    "completion_requested": "komplettering begärd",
    "accepted": "godkänd",
    "waived": "eftergiven",
    "cancelled": "utgår",
}
CONTRACT_STATE_SV = {
    "active": "avtalet är aktivt",
    "not-started": "avtalet har inte börjat gälla än",
    "terminating": "avtalet upphör",
    "terminated": "avtalet har upphört",
}
KIND_SV = {"uppsagning": "uppsägning", "havning": "hävning"}


def state_sv(state: str) -> str:
    """An occurrence state as the records hold it ("submitted"), in Swedish."""
    return STATE_SV.get(state, state)
