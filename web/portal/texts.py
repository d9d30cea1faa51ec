"""The portal's words in the provider's language: Swedish, Danish for a Danish plan.

The templates write `t.<key>`; states and review outcomes are translated here too (the desk's
words, services/words.py, are Swedish only).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from models.plans.loader import PlanError, load_plan
from services.words import OBLIGATION_STATES, RECOVERY_STATES, REVIEW_OUTCOMES

SV: dict[str, str] = {
    "portal": "Utförarportalen",
    "and": "och",
    "skip": "Hoppa till innehållet",
    "log_out": "Logga ut",
    "footer": "Utförarportalen · uppföljning av privata utförare enligt LOV",
    "duties_of": "Att lämna för",
    "intro": "Här ser ni vad kommunen behöver från er och när, och kan svara direkt.",
    "to_answer": "Att svara på",
    "answered": "Tidigare",
    "duty": "Skyldighet",
    "period": "Period",
    "due": "Senast",
    "state": "Läge",
    "late": "försenad",
    "nothing_open": "Just nu finns inget att lämna in.",
    "nothing_done": "Inget än.",
    "all_duties": "Alla skyldigheter",
    "recipient": "Tas emot av",
    "what_needed": "Det här ska lämnas",
    "fields": "Uppgifter",
    "documents": "Dokument",
    "title": "Uppgift",
    "unit": "Enhet",
    "rules": "Så fylls den i",
    "required": "krävs",
    "optional": "frivillig",
    "needs_unknown": "Kommunens plan kan inte läsas just nu. Försök igen senare.",
    "answer": "Lämna in",
    "upload_rules": "PDF, Word, Excel, PowerPoint, OpenDocument eller en bild (PNG, JPEG), "
    "högst {mb} MB",
    "yes": "Ja",
    "no": "Nej",
    "send": "Skicka in",
    "earlier": "Inlämnat och kommunens besked",
    "submitted_at": "Inlämning",
    "submitted_by": "Inlämnad av",
    "no_submissions": "Inget inlämnat än.",
    "review": "Kommunens besked",
    "new_due": "ny sista dag",
    "new_link": "Ny länk till utförarportalen",
    "new_link_intro": (
        "Skriv den e-postadress som kommunen har registrerat som er kontaktadress. Är den "
        "registrerad skickar vi en ny personlig länk dit."
    ),
    "email": "E-postadress",
    "send_link": "Skicka länk",
    "link_sent": (
        "Tack. Om adressen är registrerad som kontaktadress hos en utförare har en ny länk "
        "skickats dit. Den gäller i {days} dagar."
    ),
    "too_many": "Ni har bett om många länkar på kort tid. Vänta en kvart och försök igen.",
    "link_invalid": (
        "Länken fungerar inte. Den kan vara felskriven, för gammal eller ersatt av en nyare, "
        "till exempel när er kontaktadress har ändrats. Be om en ny länk nedan."
    ),
    "visit_ended": "Ert besök har avslutats. Öppna länken i ert senaste e-postmeddelande igen, "
    "eller be om en ny länk nedan.",
    "logged_out": "Ni är utloggad.",
    "open_intro": "Det här är er personliga länk till kommunens utförarportal.",
    "open": "Fortsätt till portalen",
    "recoveries": "Återkrav",
    "recoveries_intro": "Kommunen vill kräva tillbaka ersättning. Svara om ni godtar "
    "återkravet eller vad ni invänder mot, innan kommunen fattar beslut.",
    "case": "Ärende",
    "amount": "Belopp",
    "respond_by": "Svara senast",
    "recovery": "Återkrav",
    "case_lines": "Beräkning",
    "customer": "Kund",
    "hours_billed": "Fakturerade timmar",
    "hours_approved": "Godkända timmar",
    "hourly_rate": "Timpris",
    "your_answer": "Ert svar",
    "accept": "Vi godtar återkravet",
    "dispute": "Vi invänder mot återkravet",
    "comment": "Kommentar",
    "comment_hint": "Krävs när ni invänder: skriv vad ni invänder mot och varför.",
    "send_answer": "Skicka svaret",
    "answer_received": "Tack! Vi har tagit emot ert svar på återkrav {case}. Kommunen "
    "skickar sitt beslut per e-post.",
    "no_case": "Det återkravet finns inte hos er.",
    "not_answerable": "Återkravet väntar inte på ert svar just nu.",
    "err_outcome": "Välj om ni godtar återkravet eller invänder mot det.",
    "err_comment": "Skriv vad ni invänder mot och varför.",
    "err_comment_long": "Kommentaren får vara högst {n} tecken.",
    "err_status": "Ert svar kan inte tas emot längre: ärendet väntar inte på ert svar.",
    "no_duty": "Den skyldigheten finns inte hos er.",
    "thanks": "Tack! Vi har tagit emot {title} {period}. Ett kvitto skickas till {to}.",
    "temporal_down": "Det gick inte att skicka in just nu, och inget har sparats. Försök igen "
    "om en stund.",
    "unknown_outcome": "Det är oklart om inlämningen kom fram. Skicka formuläret igen: samma "
    "formulär tas bara emot en gång.",
}

DA: dict[str, str] = {
    "portal": "Leverandørportalen",
    "and": "og",
    "skip": "Gå til indholdet",
    "log_out": "Log ud",
    "footer": "Leverandørportalen · opfølgning på private leverandører",
    "duties_of": "Skal indsendes af",
    "intro": "Her kan I se, hvad kommunen har brug for fra jer og hvornår, og svare direkte.",
    "to_answer": "Skal besvares",
    "answered": "Tidligere",
    "duty": "Opgave",
    "period": "Periode",
    "due": "Senest",
    "state": "Status",
    "late": "forsinket",
    "nothing_open": "Der er intet at indsende lige nu.",
    "nothing_done": "Intet endnu.",
    "all_duties": "Alle opgaver",
    "recipient": "Modtages af",
    "what_needed": "Det skal indsendes",
    "fields": "Oplysninger",
    "documents": "Dokumenter",
    "title": "Oplysning",
    "unit": "Enhed",
    "rules": "Sådan udfyldes den",
    "required": "skal udfyldes",
    "optional": "frivillig",
    "needs_unknown": "Kommunens plan kan ikke læses lige nu. Prøv igen senere.",
    "answer": "Indsend",
    "upload_rules": "PDF, Word, Excel, PowerPoint, OpenDocument eller et billede (PNG, JPEG), "
    "højst {mb} MB",
    "yes": "Ja",
    "no": "Nej",
    "send": "Indsend",
    "earlier": "Indsendt og kommunens svar",
    "submitted_at": "Indsendelse",
    "submitted_by": "Indsendt af",
    "no_submissions": "Intet indsendt endnu.",
    "review": "Kommunens svar",
    "new_due": "ny frist",
    "new_link": "Nyt link til leverandørportalen",
    "new_link_intro": (
        "Skriv den e-mailadresse, som kommunen har registreret som jeres kontaktadresse. Er "
        "den registreret, sender vi et nyt personligt link dertil."
    ),
    "email": "E-mailadresse",
    "send_link": "Send link",
    "link_sent": (
        "Tak. Hvis adressen er registreret som kontaktadresse hos en leverandør, er der sendt "
        "et nyt link dertil. Det gælder i {days} dage."
    ),
    "too_many": "I har bedt om mange links på kort tid. Vent et kvarter, og prøv igen.",
    "link_invalid": (
        "Linket virker ikke. Det kan være forkert, for gammelt eller erstattet af et nyere, "
        "for eksempel når jeres kontaktadresse er ændret. Bed om et nyt link nedenfor."
    ),
    "visit_ended": "Jeres besøg er afsluttet. Åbn linket i jeres seneste e-mail igen, eller bed "
    "om et nyt link nedenfor.",
    "logged_out": "I er logget ud.",
    "open_intro": "Dette er jeres personlige link til kommunens leverandørportal.",
    "open": "Fortsæt til portalen",
    "recoveries": "Tilbagebetalingskrav",
    "recoveries_intro": "Kommunen vil kræve betaling tilbage. Svar, om I accepterer kravet, "
    "eller hvad I gør indsigelse mod, før kommunen træffer afgørelse.",
    "case": "Sag",
    "amount": "Beløb",
    "respond_by": "Svar senest",
    "recovery": "Tilbagebetalingskrav",
    "case_lines": "Beregning",
    "customer": "Borger",
    "hours_billed": "Fakturerede timer",
    "hours_approved": "Godkendte timer",
    "hourly_rate": "Timepris",
    "your_answer": "Jeres svar",
    "accept": "Vi accepterer kravet",
    "dispute": "Vi gør indsigelse mod kravet",
    "comment": "Kommentar",
    "comment_hint": "Skal udfyldes ved indsigelse: skriv, hvad I gør indsigelse mod og hvorfor.",
    "send_answer": "Send svaret",
    "answer_received": "Tak! Vi har modtaget jeres svar på tilbagebetalingskrav {case}. "
    "Kommunen sender sin afgørelse pr. e-mail.",
    "no_case": "Det tilbagebetalingskrav findes ikke hos jer.",
    "not_answerable": "Kravet venter ikke på jeres svar lige nu.",
    "err_outcome": "Vælg, om I accepterer kravet eller gør indsigelse mod det.",
    "err_comment": "Skriv, hvad I gør indsigelse mod og hvorfor.",
    "err_comment_long": "Kommentaren må højst være {n} tegn.",
    "err_status": "Jeres svar kan ikke modtages længere: sagen venter ikke på jeres svar.",
    "no_duty": "Den opgave findes ikke hos jer.",
    "thanks": "Tak! Vi har modtaget {title} {period}. En kvittering sendes til {to}.",
    "temporal_down": "Det var ikke muligt at indsende lige nu, og intet er gemt. Prøv igen om "
    "lidt.",
    "unknown_outcome": "Det er uklart, om indsendelsen kom frem. Send formularen igen: den "
    "samme formular modtages kun én gang.",
}

STATES_DA: dict[str, str] = {
    "upcoming": "kommende",
    "open": "åben",
    "submitted": "indsendt, afventer gennemgang",
    "completion_requested": "supplering ønsket",
    "accepted": "godkendt",
    "waived": "frafaldet",
    "cancelled": "bortfaldet",
}
REVIEWS_DA: dict[str, str] = {
    "accepted": "godkendt",
    "completion_requested": "supplering ønsket",
    "waived": "frafaldet",
    "extended": "forlænget",
}

RECOVERY_STATES_DA: dict[str, str] = {
    "noticed": "varslet, afventer jeres svar",
    "responded": "svar modtaget, afventer afgørelse",
    "decided": "afgjort, afventer faktura eller modregning",
    "invoiced": "faktureret",
    "set_off": "modregnes i næste udbetaling",
    "debt_collection": "ubetalt, sendt til inkasso",
    "paid": "betalt, afsluttet",
    "withdrawn": "trukket tilbage, afsluttet",
}


def words(language: str) -> dict[str, str]:
    return DA if language == "da" else SV


def state(value: str, language: str) -> str:
    table = STATES_DA if language == "da" else OBLIGATION_STATES
    return table.get(value, value)


def review(value: str, language: str) -> str:
    table = REVIEWS_DA if language == "da" else REVIEW_OUTCOMES
    return table.get(value, value)


@lru_cache(maxsize=64)
def language_of(plan_id: str | None, plans_dir: Path, default_plan: str) -> str:
    """The plan's language (the default plan's when the provider has none)."""
    try:
        return load_plan(plan_id or default_plan, plans_dir).language
    except PlanError:
        return "sv"


def recovery_state(value: str, language: str) -> str:
    table = RECOVERY_STATES_DA if language == "da" else RECOVERY_STATES
    return table.get(value, value)
