"""Återkrav's words on the desk, in Swedish and Danish: claim columns, history steps and their
details. (The recovery workflow's refusals are worded in web/refusals.py.)"""

from __future__ import annotations

from collections.abc import Mapping

COLUMN_WORDS = {
    "period": "period",
    "customer_ref": "kundreferens",
    "hours_billed": "fakturerade timmar",
    "hours_approved": "godkända timmar",
    "hourly_rate": "timpris",
}
STEP_WORDS: dict[str, dict[str, str]] = {
    "sv": {
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
    },
    "da": {
        "noticed": "Underretning sendt",
        "response-accepted": "Leverandøren accepterer",
        "response-disputed": "Leverandøren gør indsigelse",
        "response-expired": "Svarfristen udløb",
        "decision-confirmed": "Afgørelse: fastholdt",
        "decision-adjusted": "Afgørelse: ændret",
        "decision-withdrawn": "Afgørelse: tilbagekaldt",
        "invoiced": "Faktureret",
        "set-off": "Modregnes i næste udbetaling",
        "payment-reminder": "Betalingspåmindelse sendt",
        "debt-collection": "Sendt til inkasso",
        "set-off-check": "Modregningen skal bekræftes",
        "paid": "Betalt, sagen afsluttet",
    },
}
DETAIL_WORDS: dict[str, dict[str, str]] = {
    "sv": {
        "amount": "belopp {}",
        "response_due": "svar senast {}",
        "comment": "kommentar: {}",
        "reason": "skäl: {}",
        "invoice_number": "faktura {}",
        "payment_due": "betalas senast {}",
        "note": "anteckning: {}",
    },
    "da": {
        "amount": "beløb {}",
        "response_due": "svar senest {}",
        "comment": "kommentar: {}",
        "reason": "begrundelse: {}",
        "invoice_number": "faktura {}",
        "payment_due": "betales senest {}",
        "note": "notat: {}",
    },
}
DECISIONS = ("confirmed", "adjusted", "withdrawn")


def in_language(table: dict[str, dict[str, str]], language: str) -> Mapping[str, str]:
    """One of the tables above in `language` (Swedish for a language it does not have)."""
    return table.get(language, table["sv"])
