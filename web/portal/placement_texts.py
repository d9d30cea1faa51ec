"""The portal's words for placements (kundval) and their genomförandeplan, in the provider's
language: Swedish, Danish for a Danish plan (where the plan is the døgnrytmeplan, as the
municipality's e-mails call it). Templates write `pt.<key>`."""

from __future__ import annotations

SV: dict[str, str] = {
    "care_plans": "Genomförandeplaner att upprätta",
    "care_plans_intro": "Genomförandeplanen ska upprättas tillsammans med kunden. Meddela "
    "kommunen här när planen är klar.",
    "assignment": "Uppdrag",
    "customer": "Kundreferens",
    "area": "Område",
    "service": "Tjänst",
    "hours": "Beviljad tid",
    "hours_unit": "timmar per månad",
    "start": "Startdatum",
    "due": "Planen senast",
    "state": "Läge",
    "owed": "väntar på er genomförandeplan",
    "late": "försenad",
    "done": "genomförandeplanen registrerad {date}",
    "ended": "avslutat",
    "not_owed": "Kommunen väntar inte på någon genomförandeplan från er för det här uppdraget.",
    "report_title": "Meddela att genomförandeplanen är klar",
    "report_intro": "Genomförandeplanen ska vara upprättad tillsammans med kunden senast {date}. "
    "Skicka inte in själva planen: den finns hos er och hos kunden.",
    "report_late": "Genomförandeplanen skulle ha varit upprättad senast {date}. Meddela så snart "
    "den är klar.",
    "done_on": "Datum då planen upprättades",
    "done_on_hint": "ÅÅÅÅ-MM-DD, tidigast startdatumet och senast i dag.",
    "send": "Meddela kommunen",
    "received": "Tack! Kommunen har registrerat att genomförandeplanen för kund {ref} är klar.",
    "no_placement": "Det uppdraget finns inte hos er.",
    "err_missing": "Ange datumet då planen upprättades.",
    "err_format": "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel {example}.",
    "err_future": "Datumet får inte vara efter i dag.",
    "err_before_start": "Datumet får inte vara före uppdragets start ({date}).",
    "err_status": "Genomförandeplanen är redan registrerad hos kommunen.",
}

DA: dict[str, str] = {
    "care_plans": "Døgnrytmeplaner, der skal udarbejdes",
    "care_plans_intro": "Døgnrytmeplanen skal udarbejdes sammen med borgeren. Giv kommunen "
    "besked her, når planen er klar.",
    "assignment": "Bestilling",
    "customer": "Borgerreference",
    "area": "Område",
    "service": "Ydelse",
    "hours": "Visiteret tid",
    "hours_unit": "timer pr. måned",
    "start": "Startdato",
    "due": "Planen senest",
    "state": "Status",
    "owed": "afventer jeres døgnrytmeplan",
    "late": "forsinket",
    "done": "døgnrytmeplanen registreret {date}",
    "ended": "afsluttet",
    "not_owed": "Kommunen venter ikke på en døgnrytmeplan fra jer for denne bestilling.",
    "report_title": "Giv besked om, at døgnrytmeplanen er klar",
    "report_intro": "Døgnrytmeplanen skal være udarbejdet sammen med borgeren senest {date}. "
    "Send ikke selve planen: den findes hos jer og hos borgeren.",
    "report_late": "Døgnrytmeplanen skulle have været udarbejdet senest {date}. Giv besked, så "
    "snart den er klar.",
    "done_on": "Dato, hvor planen blev udarbejdet",
    "done_on_hint": "ÅÅÅÅ-MM-DD, tidligst startdatoen og senest i dag.",
    "send": "Giv kommunen besked",
    "received": "Tak! Kommunen har registreret, at døgnrytmeplanen for borger {ref} er klar.",
    "no_placement": "Den bestilling findes ikke hos jer.",
    "err_missing": "Angiv datoen, hvor planen blev udarbejdet.",
    "err_format": "Skriv datoen som ÅÅÅÅ-MM-DD, for eksempel {example}.",
    "err_future": "Datoen må ikke være efter i dag.",
    "err_before_start": "Datoen må ikke være før bestillingens start ({date}).",
    "err_status": "Døgnrytmeplanen er allerede registreret hos kommunen.",
}


def words(language: str) -> dict[str, str]:
    return DA if language == "da" else SV
