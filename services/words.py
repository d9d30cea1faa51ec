"""Swedish words for the states the desk and the CLI show (the records and messages hold English
keys). One place, so a state reads the same in the terminal and in the browser. Plain strings,
keyed by the enum values (a StrEnum member looks up the same as its value), so a command that
prints them loads nothing else."""

from __future__ import annotations

# models.messages.obligation.ObligationState
OBLIGATION_STATES: dict[str, str] = {
    "upcoming": "kommande",
    "open": "öppen",
    "submitted": "inlämnad, väntar på granskning",
    "completion_requested": "komplettering begärd",
    "accepted": "godkänd",
    "waived": "eftergiven",
    "cancelled": "utgår",
}
# A contract's state (models.messages.contract.ContractStatus.state), as a word and a sentence.
CONTRACT_STATES: dict[str, str] = {
    "active": "aktivt",
    "not-started": "har inte börjat gälla",
    "terminating": "upphör",
    "terminated": "upphört",
}
CONTRACT_STATE_SENTENCES: dict[str, str] = {
    "active": "avtalet är aktivt",
    "not-started": "avtalet har inte börjat gälla än",
    "terminating": "avtalet upphör",
    "terminated": "avtalet har upphört",
}
TERMINATION_KINDS: dict[str, str] = {"uppsagning": "uppsägning", "havning": "hävning"}
# models.messages.meeting.MeetingState
MEETING_STATES: dict[str, str] = {
    "unscheduled": "inte bokat",
    "scheduled": "bokat",
    "awaiting_minutes": "hållet, väntar på protokoll",
    "held": "hållet, protokoll registrerat",
    "cancelled": "inställt",
}
# The meeting workflow's outcomes in the audit trail ("meeting-<event>").
MEETING_EVENTS: dict[str, str] = {
    "opened": "mötet öppnat för året",
    "scheduled": "bokat",
    "rescheduled": "ny tid",
    "cancelled": "inställt",
    "minutes": "protokoll registrerat",
    "reminder": "påminnelse skickad före mötet",
    "reminded-unscheduled": "påminnelse om att boka mötet skickad",
    "took-place": "mötestiden har varit",
    "escalation": "eskalerat till ledningen",
}
# models.messages.recovery.RecoveryState
RECOVERY_STATES: dict[str, str] = {
    "noticed": "underrättad, väntar på svar",
    "responded": "svar registrerat, väntar på beslut",
    "decided": "beslutat, väntar på faktura eller kvittning",
    "invoiced": "fakturerat",
    "set_off": "kvittas mot nästa utbetalning",
    "debt_collection": "obetalt, lämnat till inkasso",
    "paid": "betalt, avslutat",
    "withdrawn": "återkallat, avslutat",
}
# models.messages.placement.PlacementState
PLACEMENT_STATES: dict[str, str] = {
    "awaiting_choice": "väntar på kundens val",
    "active": "pågår",
    "ended": "avslutad",
}
# models.messages.application.ApplicationState
APPLICATION_STATES: dict[str, str] = {
    "received": "under prövning",
    "completion_requested": "komplettering begärd",
    "approved": "godkänd",
    "rejected": "avslagen",
}
# A review's outcome as the records hold it.
REVIEW_OUTCOMES: dict[str, str] = {
    "accepted": "godkänd",
    "completion_requested": "komplettering begärd",
    "waived": "eftergiven",
    "extended": "förlängd",
}
