"""The portal's words for an applicant's komplettering, in the applicant's language: Swedish,
Danish for a Danish plan (there: supplering). Templates write `at.<key>`."""

from __future__ import annotations

SV: dict[str, str] = {
    "applications": "Er ansökan behöver kompletteras",
    "applications_intro": "Kommunen behöver mer underlag för att kunna pröva er ansökan om att "
    "bli utförare. Skicka kompletteringen här.",
    "application": "Ansökan",
    "asked": "Det som saknas",
    "due": "Senast",
    "state": "Läge",
    "waiting": "väntar på er komplettering",
    "not_waiting": "Ansökan väntar inte på någon komplettering från er just nu.",
    "answer_title": "Skicka komplettering",
    "answer_intro": "Skicka det som saknas senast {date}. Kommer kompletteringen inte in i tid "
    "avslås ansökan som ofullständig.",
    "note": "Meddelande till kommunen",
    "note_hint": "Skriv vad ni skickar, eller svara på det kommunen frågar. Krävs om ni inte "
    "bifogar något dokument.",
    "documents": "Dokument",
    "send": "Skicka kompletteringen",
    "received": "Tack! Vi har tagit emot er komplettering av {ref}. Ett kvitto skickas per e-post.",
    "no_application": "Den ansökan finns inte hos er.",
    "err_missing": "Skriv ett meddelande eller bifoga minst ett dokument.",
    "err_long": "Meddelandet får vara högst {n} tecken.",
    "err_status": "Kompletteringen kan inte tas emot längre: ansökan väntar inte på den.",
}

DA: dict[str, str] = {
    "applications": "Jeres ansøgning skal suppleres",
    "applications_intro": "Kommunen har brug for flere oplysninger for at kunne behandle jeres "
    "ansøgning om at blive leverandør. Send suppleringen her.",
    "application": "Ansøgning",
    "asked": "Det mangler",
    "due": "Senest",
    "state": "Status",
    "waiting": "afventer jeres supplering",
    "not_waiting": "Ansøgningen venter ikke på en supplering fra jer lige nu.",
    "answer_title": "Send supplering",
    "answer_intro": "Send det, der mangler, senest {date}. Modtager kommunen ikke suppleringen "
    "til tiden, får ansøgningen afslag som ufuldstændig.",
    "note": "Besked til kommunen",
    "note_hint": "Skriv, hvad I sender, eller svar på det, kommunen spørger om. Skal udfyldes, "
    "hvis I ikke vedhæfter et dokument.",
    "documents": "Dokumenter",
    "send": "Send suppleringen",
    "received": "Tak! Vi har modtaget jeres supplering af {ref}. En kvittering sendes pr. e-mail.",
    "no_application": "Den ansøgning findes ikke hos jer.",
    "err_missing": "Skriv en besked, eller vedhæft mindst ét dokument.",
    "err_long": "Beskeden må højst være {n} tegn.",
    "err_status": "Suppleringen kan ikke modtages længere: ansøgningen venter ikke på den.",
}


def words(language: str) -> dict[str, str]:
    return DA if language == "da" else SV
