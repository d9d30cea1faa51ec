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
# models.messages.finding.FindingState
FINDING_STATES: dict[str, str] = {
    "noticed": "underrättad, kommunicering pågår",
    "responded": "utföraren har svarat",
    "action_plan_requested": "åtgärdsplan begärd",
    "action_plan_late": "åtgärdsplanen är sen",
    "action_plan_submitted": "åtgärdsplan inkommen, ska verifieras",
    "not_remedied": "inte åtgärdad",
    "closed": "avslutad",
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
# What happened, by the audit trail's event type as shown (kebab-case, models.domain.audit
# event_type_name): the auditor's timeline in the desk. A type not listed here is shown by
# `audit_event` in a readable form of its own name.
AUDIT_EVENTS: dict[str, str] = {
    # obligations (a duty of the plan)
    "opened": "Skyldigheten öppnad",
    "reminder": "Påminnelse",
    "overdue": "Försenad",
    "submitted": "Inlämnad",
    "accepted": "Godkänd",
    "completion-requested": "Komplettering begärd",
    "extended": "Tidsfristen förlängd",
    "waived": "Eftergiven",
    "cancelled": "Utgår",
    # contracts
    "contract-started": "Avtalet började gälla",
    "contract-ended": "Avtalet upphörde",
    "contract-terminated": "Avtalet sägs upp",
    "contact-changed": "Kontaktuppgifter ändrade",
    "duty-requested": "Extra redovisning begärd",
    # applications
    "application-submitted": "Ansökan inkom",
    "application-assessed": "Skallkrav bedömt",
    "application-completion-requested": "Komplettering av ansökan begärd",
    "application-completed": "Ansökan kompletterad",
    "application-completion-reminder": "Påminnelse om komplettering av ansökan",
    "application-decision-reminder": "Påminnelse om beslut om ansökan",
    "application-decision-overdue": "Beslut om ansökan försenat",
    "application-approved": "Ansökan godkänd",
    "application-rejected": "Ansökan avslagen",
    # follow-up meetings
    "meeting-opened": "Uppföljningsmöte att boka",
    "meeting-scheduled": "Uppföljningsmöte bokat",
    "meeting-rescheduled": "Uppföljningsmöte ombokat",
    "meeting-reminder": "Påminnelse om uppföljningsmöte",
    "meeting-reminded-unscheduled": "Påminnelse: uppföljningsmöte inte bokat",
    "meeting-took-place": "Uppföljningsmöte hållet",
    "meeting-minutes": "Protokoll från uppföljningsmöte registrerat",
    "meeting-escalation": "Obokat uppföljningsmöte eskalerat",
    "meeting-cancelled": "Uppföljningsmöte inställt",
    # recovery (återkrav)
    "recovery-noticed": "Återkrav: utföraren underrättad",
    "recovery-response-accepted": "Återkrav: utföraren godtar",
    "recovery-response-disputed": "Återkrav: utföraren bestrider",
    "recovery-response-expired": "Återkrav: svarstiden har gått ut",
    "recovery-decision-confirmed": "Återkrav: beslut, beloppet fastställt",
    "recovery-decision-adjusted": "Återkrav: beslut, beloppet justerat",
    "recovery-decision-withdrawn": "Återkrav: återkallat",
    "recovery-payment-reminder": "Återkrav: betalningspåminnelse",
    "recovery-set-off-check": "Återkrav: kontroll av kvittning",
    "recovery-invoiced": "Återkrav: fakturerat",
    "recovery-set-off": "Återkrav: kvittas mot utbetalning",
    "recovery-debt-collection": "Återkrav: lämnat till inkasso",
    "recovery-paid": "Återkrav: betalt",
    # kundval (placements)
    "placement-registered": "Kundval: beslut registrerat",
    "placement-assigned": "Kundval: utförare tilldelad",
    "placement-rechoice-requested": "Kundval: nytt val begärt",
    "placement-rotation-failed": "Kundval: turordningen gav ingen utförare",
    "placement-switch-requested": "Kundval: byte begärt",
    "placement-switched": "Kundval: bytt utförare",
    "placement-care-plan-reminder": "Påminnelse om genomförandeplan",
    "placement-care-plan-overdue": "Genomförandeplan försenad",
    "placement-care-plan-done": "Genomförandeplan upprättad",
    "placement-ending": "Kundval: placeringen avslutas",
    "placement-ended": "Kundval: placeringen avslutad",
    "placement-changed": "Kundval: placeringen ändrad",
    # findings (brister)
    "finding-noticed": "Brist: utföraren underrättad",
    "finding-response": "Brist: utföraren har svarat",
    "finding-action-plan-requested": "Brist: åtgärdsplan begärd",
    "finding-action-plan-reminder": "Brist: påminnelse om åtgärdsplan",
    "finding-action-plan-late": "Brist: åtgärdsplanen har inte kommit in",
    "finding-action-plan-submitted": "Brist: åtgärdsplan inkommen",
    "finding-verified-remedied": "Brist: åtgärdad",
    "finding-verified-not-remedied": "Brist: inte åtgärdad",
    "finding-decision-pafpekande": "Brist: beslut om påpekande",
    "finding-decision-prisavdrag": "Brist: beslut om prisavdrag",
    "finding-decision-vite": "Brist: beslut om vite",
    "finding-decision-havning": "Brist: förslag om hävning",
    "finding-closed": "Brist: avslutad",
    # the municipality's own tasks (issue 19; services.municipal_words has them in full)
    "municipal-task-reminder": "Kommunens uppgift: påminnelse till den ansvariga",
    "municipal-task-escalated": "Kommunens uppgift: försenad, lämnad till chefen",
    "municipal-task-done": "Kommunens uppgift: registrerad som utförd",
}
# Details of an audit event the desk shows, by their key, with the word it shows them by.
AUDIT_DETAILS: dict[str, str] = {
    "reason": "skäl",
    "note": "anteckning",
    "due": "förfaller",
    "new_due": "ny förfallodag",
    "late_days": "dagar sent",
    "amount": "belopp",
    "claimed_amount": "krävt belopp",
    "end_date": "slutdatum",
    "start": "start",
    "plan": "plan",
    "level": "nivå",
    # findings (brister; the finding itself is what the entry concerns)
    "what": "vad som har upptäckts",
    "comment": "kommentar",
    "summary": "sammanfattning",
    "round": "omgång",
    "late": "sen",
    # a decided amount handed to invoicing (the plan's `collect = "invoice"`)
    "invoice": "fakturareferens",
}
# Detail values stored as flags ("yes"), as the desk and the CLI show them.
AUDIT_VALUES: dict[str, str] = {"yes": "ja"}


def audit_detail(value: object) -> str:
    """A detail's value as shown: flags in words ("ja"), the rest as it is."""
    text = str(value)
    return AUDIT_VALUES.get(text, text)


def finding_audit_text(event_type: str, details: dict[str, object]) -> str:
    """A finding's step in plain Swedish, for `lov audit`: "Brist: beslut om vite (läge: inte
    åtgärdad; skäl: …; belopp: 10 000,00 kr)". The step's details by their words; the finding
    and its requirement are named by the line itself."""
    parts = []
    status = details.get("status")
    if isinstance(status, str) and status in FINDING_STATES:
        parts.append(f"läge: {FINDING_STATES[status]}")
    # In the words' order (the reason before the amount), whatever order they were stored in.
    for key, label in AUDIT_DETAILS.items():
        value = details.get(key)
        if value in (None, "", [], {}):
            continue
        parts.append(f"{label}: {audit_detail(value)}")
    words = audit_event(event_type)
    return f"{words} ({'; '.join(parts)})" if parts else words


def audit_event(event_type: str) -> str:
    """An audit event type in words: "Komplettering begärd"; escalation steps by their level
    ("Eskalering, nivå 2"); an unknown type as its own words ("Något nytt")."""
    if event_type in AUDIT_EVENTS:
        return AUDIT_EVENTS[event_type]
    for prefix, words in (
        ("escalation-", "Eskalering, nivå "),
        ("placement-care-plan-escalation-", "Genomförandeplan eskalerad, nivå "),
    ):
        if event_type.startswith(prefix) and event_type[len(prefix) :].isdigit():
            return words + event_type[len(prefix) :]
    text = event_type.replace("-", " ").strip()
    return text[:1].upper() + text[1:]


# The same states in Danish, for a desk whose default plan is Danish (Herning): the desk's
# words in web/texts.py and web/words.py pick these by the plan's language.
OBLIGATION_STATES_DA: dict[str, str] = {
    "upcoming": "kommende",
    "open": "åben",
    "submitted": "afleveret, afventer gennemgang",
    "completion_requested": "supplering anmodet",
    "accepted": "godkendt",
    "waived": "frafaldet",
    "cancelled": "bortfaldet",
}
CONTRACT_STATES_DA: dict[str, str] = {
    "active": "aktiv",
    "not-started": "er ikke trådt i kraft",
    "terminating": "ophører",
    "terminated": "ophørt",
}
MEETING_STATES_DA: dict[str, str] = {
    "unscheduled": "ikke booket",
    "scheduled": "booket",
    "awaiting_minutes": "afholdt, afventer referat",
    "held": "afholdt, referat registreret",
    "cancelled": "aflyst",
}
RECOVERY_STATES_DA: dict[str, str] = {
    "noticed": "underrettet, afventer svar",
    "responded": "svar registreret, afventer afgørelse",
    "decided": "afgjort, afventer faktura eller modregning",
    "invoiced": "faktureret",
    "set_off": "modregnes i næste udbetaling",
    "debt_collection": "ubetalt, sendt til inkasso",
    "paid": "betalt, afsluttet",
    "withdrawn": "tilbagekaldt, afsluttet",
}
PLACEMENT_STATES_DA: dict[str, str] = {
    "awaiting_choice": "afventer borgerens valg",
    "active": "i gang",
    "ended": "afsluttet",
}
APPLICATION_STATES_DA: dict[str, str] = {
    "received": "under behandling",
    "completion_requested": "supplering anmodet",
    "approved": "godkendt",
    "rejected": "afslået",
}
FINDING_STATES_DA: dict[str, str] = {
    "noticed": "underrettet, partshøring i gang",
    "responded": "leverandøren har svaret",
    "action_plan_requested": "handlingsplan anmodet",
    "action_plan_late": "handlingsplanen er for sent",
    "action_plan_submitted": "handlingsplan modtaget, skal følges op",
    "not_remedied": "ikke rettet",
    "closed": "afsluttet",
}
REVIEW_OUTCOMES_DA: dict[str, str] = {
    "accepted": "godkendt",
    "completion_requested": "supplering anmodet",
    "waived": "frafaldet",
    "extended": "forlænget",
}
# The meetings' outcomes and the audit trail's events in Danish (the timeline and the meeting
# page of a Danish plan's desk).
MEETING_EVENTS_DA: dict[str, str] = {
    "opened": "mødet åbnet for året",
    "scheduled": "booket",
    "rescheduled": "nyt tidspunkt",
    "cancelled": "aflyst",
    "minutes": "referat registreret",
    "reminder": "påmindelse sendt før mødet",
    "reminded-unscheduled": "påmindelse om at booke mødet sendt",
    "took-place": "mødetidspunktet er passeret",
    "escalation": "eskaleret til ledelsen",
}
AUDIT_EVENTS_DA: dict[str, str] = {
    "opened": "Pligten åbnet",
    "reminder": "Påmindelse",
    "overdue": "For sent",
    "submitted": "Afleveret",
    "accepted": "Godkendt",
    "completion-requested": "Supplering anmodet",
    "extended": "Fristen forlænget",
    "waived": "Frafaldet",
    "cancelled": "Bortfaldet",
    "contract-started": "Kontrakten trådte i kraft",
    "contract-ended": "Kontrakten ophørte",
    "contract-terminated": "Kontrakten opsiges",
    "contact-changed": "Kontaktoplysninger ændret",
    "duty-requested": "Ekstra redegørelse anmodet",
    "application-submitted": "Ansøgning modtaget",
    "application-assessed": "Mindstekrav vurderet",
    "application-completion-requested": "Supplering af ansøgningen anmodet",
    "application-completed": "Ansøgningen suppleret",
    "application-completion-reminder": "Påmindelse om supplering af ansøgningen",
    "application-decision-reminder": "Påmindelse om afgørelse af ansøgningen",
    "application-decision-overdue": "Afgørelse af ansøgningen forsinket",
    "application-approved": "Ansøgningen godkendt",
    "application-rejected": "Ansøgningen afslået",
    "meeting-opened": "Opfølgningsmøde skal bookes",
    "meeting-scheduled": "Opfølgningsmøde booket",
    "meeting-rescheduled": "Opfølgningsmøde flyttet",
    "meeting-reminder": "Påmindelse om opfølgningsmøde",
    "meeting-reminded-unscheduled": "Påmindelse: opfølgningsmøde ikke booket",
    "meeting-took-place": "Opfølgningsmøde afholdt",
    "meeting-minutes": "Referat af opfølgningsmøde registreret",
    "meeting-escalation": "Ikke booket opfølgningsmøde eskaleret",
    "meeting-cancelled": "Opfølgningsmøde aflyst",
    "recovery-noticed": "Tilbagebetalingskrav: leverandøren underrettet",
    "recovery-response-accepted": "Tilbagebetalingskrav: leverandøren accepterer",
    "recovery-response-disputed": "Tilbagebetalingskrav: leverandøren gør indsigelse",
    "recovery-response-expired": "Tilbagebetalingskrav: svarfristen er udløbet",
    "recovery-decision-confirmed": "Tilbagebetalingskrav: afgørelse, beløbet fastholdt",
    "recovery-decision-adjusted": "Tilbagebetalingskrav: afgørelse, beløbet justeret",
    "recovery-decision-withdrawn": "Tilbagebetalingskrav: tilbagekaldt",
    "recovery-payment-reminder": "Tilbagebetalingskrav: betalingspåmindelse",
    "recovery-set-off-check": "Tilbagebetalingskrav: kontrol af modregning",
    "recovery-invoiced": "Tilbagebetalingskrav: faktureret",
    "recovery-set-off": "Tilbagebetalingskrav: modregnes i udbetaling",
    "recovery-debt-collection": "Tilbagebetalingskrav: sendt til inkasso",
    "recovery-paid": "Tilbagebetalingskrav: betalt",
    "placement-registered": "Frit valg: afgørelse registreret",
    "placement-assigned": "Frit valg: leverandør tildelt",
    "placement-rechoice-requested": "Frit valg: nyt valg anmodet",
    "placement-rotation-failed": "Frit valg: turlisten gav ingen leverandør",
    "placement-switch-requested": "Frit valg: skift anmodet",
    "placement-switched": "Frit valg: leverandør skiftet",
    "placement-care-plan-reminder": "Påmindelse om handleplan",
    "placement-care-plan-overdue": "Handleplan forsinket",
    "placement-care-plan-done": "Handleplan udarbejdet",
    "placement-ending": "Frit valg: placeringen afsluttes",
    "placement-ended": "Frit valg: placeringen afsluttet",
    "placement-changed": "Frit valg: placeringen ændret",
}
AUDIT_DETAILS_DA: dict[str, str] = {
    "reason": "begrundelse",
    "note": "notat",
    "due": "forfalder",
    "new_due": "ny forfaldsdato",
    "late_days": "dage for sent",
    "amount": "beløb",
    "claimed_amount": "krævet beløb",
    "end_date": "slutdato",
    "start": "start",
    "plan": "plan",
    "level": "niveau",
}
_AUDIT_WORDS = {
    "sv": (AUDIT_EVENTS, "Eskalering, nivå ", "Genomförandeplan eskalerad, nivå "),
    "da": (AUDIT_EVENTS_DA, "Eskalering, niveau ", "Handleplan eskaleret, niveau "),
}


def audit_event_in(event_type: str, language: str) -> str:
    """`audit_event` in `language` ("da", else Swedish)."""
    if language not in _AUDIT_WORDS or language == "sv":
        return audit_event(event_type)
    known, escalation, care_plan = _AUDIT_WORDS[language]
    if event_type in known:
        return known[event_type]
    for prefix, words in (
        ("escalation-", escalation),
        ("placement-care-plan-escalation-", care_plan),
    ):
        if event_type.startswith(prefix) and event_type[len(prefix) :].isdigit():
            return words + event_type[len(prefix) :]
    return audit_event(event_type)


def audit_details(language: str) -> dict[str, str]:
    """The details' words (AUDIT_DETAILS) in `language`."""
    return AUDIT_DETAILS_DA if language == "da" else AUDIT_DETAILS
