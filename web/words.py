"""Swedish words for the states and roles the desk shows (the records hold English keys)."""

from __future__ import annotations

from services.users import ROLE_TITLES

STATE_SV: dict[str, str] = {
    "upcoming": "kommande",
    "open": "öppen",
    "submitted": "inlämnad, väntar på granskning",
    "completion_requested": "komplettering begärd",
    "accepted": "godkänd",
    "waived": "eftergiven",
    "cancelled": "utgår",
}
CONTRACT_SV: dict[str, str] = {
    "active": "aktivt",
    "not-started": "har inte börjat gälla",
    "terminating": "upphör",
    "terminated": "upphört",
}
MEETING_SV: dict[str, str] = {
    "unscheduled": "inte bokat",
    "scheduled": "bokat",
    "awaiting_minutes": "väntar på protokoll",
    "held": "hållet",
    "cancelled": "inställt",
}
RECOVERY_SV: dict[str, str] = {
    "noticed": "underrättad, väntar på svar",
    "responded": "besvarad, väntar på beslut",
    "decided": "beslutad",
    "invoiced": "fakturerad",
    "set_off": "kvittas mot nästa utbetalning",
    "debt_collection": "inkasso",
    "paid": "betald",
    "withdrawn": "återkallad",
}
REVIEW_SV: dict[str, str] = {
    "accepted": "godkänd",
    "completion_requested": "komplettering begärd",
    "waived": "eftergiven",
    "extended": "förlängd",
}


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
