"""Återkrav's words on the desk: claim columns, history steps and their details, decisions,
and the recovery workflow's refusals (English, as the CLI prints them) in Swedish."""

from __future__ import annotations

import re
from datetime import date

from services.words import RECOVERY_STATES
from web.refusals import Rewordings
from web.render import sv_date

COLUMN_WORDS = {
    "period": "period",
    "customer_ref": "kundreferens",
    "hours_billed": "fakturerade timmar",
    "hours_approved": "godkända timmar",
    "hourly_rate": "timpris",
}
STEP_WORDS = {
    "noticed": "Underrättelse skickad",
    "response-accepted": "Utföraren godtar",
    "response-disputed": "Utföraren invänder",
    "response-expired": "Svarstiden gick ut",
    "decision-confirmed": "Beslut: fastställt",
    "decision-adjusted": "Beslut: ändrat",
    "decision-withdrawn": "Beslut: återkallat",
    "invoiced": "Fakturerat",
    "set-off": "Kvittas mot nästa utbetalning",
    "payment-reminder": "Betalningspåminnelse skickad",
    "debt-collection": "Lämnat till inkasso",
    "set-off-check": "Kvittningen ska bekräftas",
    "paid": "Betalt, ärendet avslutat",
}
DETAIL_WORDS = {
    "amount": "belopp {}",
    "response_due": "svar senast {}",
    "comment": "kommentar: {}",
    "reason": "skäl: {}",
    "invoice_number": "faktura {}",
    "payment_due": "betalas senast {}",
    "note": "anteckning: {}",
}
DECISIONS = {"confirmed": "fastställt", "adjusted": "ändrat", "withdrawn": "återkallat"}


def _state(match: re.Match[str]) -> str:
    return RECOVERY_STATES.get(match.group(1), match.group(1))


# The recovery workflow's refusals (workflows/recovery.py), worded for the desk.
WORDS: Rewordings = [
    (
        re.compile(r"a response can no longer be registered \(status is (\w+)\)"),
        lambda m: f"svaret kan inte längre registreras: återkravet är {_state(m)}",
    ),
    (
        re.compile(r"already decided \(status is (\w+)\)"),
        lambda m: f"redan beslutat: återkravet är {_state(m)}",
    ),
    (
        re.compile(r"the provider may respond until (\d{4}-\d\d-\d\d) \(kommunicering\).*"),
        lambda m: (
            f"utföraren får svara till och med {sv_date(date.fromisoformat(m.group(1)))} "
            "(kommunicering); besluta efter det eller när svaret är registrerat"
        ),
    ),
    (re.compile(r"only with an adjustment"), lambda m: "anges bara när beloppet ändras"),
    (
        re.compile(r"must be above 0; withdraw the claim instead"),
        lambda m: "måste vara mer än 0 kr; återkalla återkravet i stället",
    ),
    (
        re.compile(r"(.+) is more than the notified (.+?); a higher claim needs .*"),
        lambda m: (
            f"{m.group(1)} är mer än de {m.group(2)} som underrättelsen angav; ett högre "
            "krav kräver ett nytt återkrav"
        ),
    ),
    (
        re.compile(r"nothing to settle \(status is (\w+)\)"),
        lambda m: f"det finns inget att reglera: återkravet är {_state(m)}",
    ),
    (re.compile(r"only with an invoice"), lambda m: "anges bara vid faktura"),
    (
        re.compile(r"nothing to pay \(status is (\w+)\)"),
        lambda m: f"det finns inget att registrera som betalt: återkravet är {_state(m)}",
    ),
    (
        re.compile(r"the item is already (\w+)"),
        lambda m: f"återkravet är redan {_state(m)}",
    ),
    (re.compile(r"no recovery case .*"), lambda m: "återkravet finns inte"),
    (
        re.compile(r".* has no contract.*"),
        lambda m: "utföraren har inget avtal att starta ett återkrav under",
    ),
]
