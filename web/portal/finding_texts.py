"""The portal's words for findings (brister), in the provider's language: Swedish, Danish for
a Danish plan. Templates write `ft.<key>` (the portal's other words are web/portal/texts.py)."""

from __future__ import annotations

SV: dict[str, str] = {
    "findings": "Brister som kommunen har funnit",
    "findings_intro": "Kommunen har funnit brister i hur avtalet eller lagen följs. Yttra er "
    "innan kommunen beslutar, och skicka in en åtgärdsplan när kommunen ber om det.",
    "finding": "Brist",
    "what": "Vad kommunen har funnit",
    "requirement": "Krav",
    "asked": "Vad kommunen ber om",
    "by": "Senast",
    "ask_response": "Ert yttrande",
    "ask_plan": "En åtgärdsplan",
    "ask_nothing": "Inget just nu",
    "state.noticed": "väntar på ert yttrande",
    "state.responded": "yttrande mottaget",
    "state.action_plan_requested": "åtgärdsplan begärd",
    "state.action_plan_late": "åtgärdsplanen är försenad",
    "state.action_plan_submitted": "åtgärdsplan mottagen, kommunen kontrollerar",
    "state.not_remedied": "inte åtgärdad enligt kommunen",
    "state.closed": "avslutad",
    "respond_title": "Yttra er (kommunicering)",
    "comment": "Ert yttrande",
    "comment_hint": "Skriv vad ni har att säga om bristen innan kommunen beslutar.",
    "send_response": "Skicka yttrandet",
    "response_received": "Tack! Vi har tagit emot ert yttrande om brist {id}.",
    "plan_title": "Skicka in åtgärdsplan",
    "plan_due": "Åtgärdsplanen ska vara inne senast {date}.",
    "plan_late": "Åtgärdsplanen skulle ha varit inne {date}. Skicka in den så snart som möjligt.",
    "summary": "Åtgärdsplan",
    "summary_hint": "Vad ni gör för att rätta till bristen, vem som ansvarar och när det är klart.",
    "documents": "Dokument (frivilligt)",
    "send_plan": "Skicka åtgärdsplanen",
    "plan_received": "Tack! Vi har tagit emot er åtgärdsplan för brist {id}. Kommunen "
    "kontrollerar åtgärderna och hör av sig.",
    "no_finding": "Den bristen finns inte hos er.",
    "nothing_to_do": "Bristen väntar inte på något från er just nu.",
    "your_response": "Ert yttrande",
    "your_plan": "Er åtgärdsplan",
    "err_empty": "Skriv något här.",
    "err_long": "Högst {n} tecken.",
    "err_status": "Det kan inte tas emot längre: bristen väntar inte på det från er.",
}

DA: dict[str, str] = {
    "findings": "Mangler, som kommunen har fundet",
    "findings_intro": "Kommunen har fundet mangler i, hvordan kontrakten eller loven "
    "overholdes. Udtal jer, før kommunen træffer afgørelse, og indsend en handlingsplan, når "
    "kommunen beder om det.",
    "finding": "Mangel",
    "what": "Hvad kommunen har fundet",
    "requirement": "Krav",
    "asked": "Hvad kommunen beder om",
    "by": "Senest",
    "ask_response": "Jeres udtalelse",
    "ask_plan": "En handlingsplan",
    "ask_nothing": "Intet lige nu",
    "state.noticed": "afventer jeres udtalelse",
    "state.responded": "udtalelse modtaget",
    "state.action_plan_requested": "handlingsplan anmodet",
    "state.action_plan_late": "handlingsplanen er forsinket",
    "state.action_plan_submitted": "handlingsplan modtaget, kommunen kontrollerer",
    "state.not_remedied": "ikke udbedret efter kommunens vurdering",
    "state.closed": "afsluttet",
    "respond_title": "Udtal jer (partshøring)",
    "comment": "Jeres udtalelse",
    "comment_hint": "Skriv, hvad I har at sige om manglen, før kommunen træffer afgørelse.",
    "send_response": "Send udtalelsen",
    "response_received": "Tak! Vi har modtaget jeres udtalelse om mangel {id}.",
    "plan_title": "Indsend handlingsplan",
    "plan_due": "Handlingsplanen skal være indsendt senest {date}.",
    "plan_late": "Handlingsplanen skulle have været indsendt {date}. Indsend den hurtigst muligt.",
    "summary": "Handlingsplan",
    "summary_hint": "Hvad I gør for at udbedre manglen, hvem der er ansvarlig, og hvornår det "
    "er gjort.",
    "documents": "Dokumenter (valgfri)",
    "send_plan": "Send handlingsplanen",
    "plan_received": "Tak! Vi har modtaget jeres handlingsplan for mangel {id}. Kommunen "
    "kontrollerer udbedringen og vender tilbage.",
    "no_finding": "Den mangel findes ikke hos jer.",
    "nothing_to_do": "Manglen venter ikke på noget fra jer lige nu.",
    "your_response": "Jeres udtalelse",
    "your_plan": "Jeres handlingsplan",
    "err_empty": "Skriv noget her.",
    "err_long": "Højst {n} tegn.",
    "err_status": "Det kan ikke modtages længere: manglen venter ikke på det fra jer.",
}


def words(language: str) -> dict[str, str]:
    return DA if language == "da" else SV
