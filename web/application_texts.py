"""The words of an application's page in the plan's language: Swedish, or Danish for a Danish
plan (Herning's applicants and administrators read Danish, as its e-mails are written). Dates
are written the same way ("7 december 2026", "7. december 2026")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from models.domain.date_text import format_date
from web.words import APPLICATION_SV

SV: dict[str, str] = {
    "title": "Ansökan från {name}",
    "list": "Ansökningar",
    "org_nr": "Organisationsnummer",
    "email": "E-post",
    "plan": "Plan",
    "received": "Inkom",
    "state": "Läge",
    "decision_due": "Beslut senast",
    "decision_late": "beslutstiden har gått ut",
    "awaiting_completion": "väntar på kompletteringen",
    "not_set": "inte bestämd",
    "services": "Tjänster",
    "areas": "Områden",
    "requested_start": "Önskad start",
    "provider": "Utförare",
    "provider_page": "Utförarens sida",
    "documents": "Bifogade dokument",
    "document": "Dokument",
    "file": "Fil",
    "size": "Storlek",
    "skallkrav": "Skallkrav",
    "count": "{n} skallkrav",
    "left": "{n} återstår att bedöma",
    "all_assessed": "alla är bedömda",
    "not_met_count": "{n} ej uppfyllda",
    "assess": "Bedöm skallkraven",
    "assess_hint": "Välj en bedömning för de krav du vill bedöma nu; de andra lämnas som de "
    "är. En anteckning krävs för ”ej uppfyllt”.",
    "now": "Nu:",
    "by": "av",
    "unassessed": "ej bedömt",
    "met": "uppfyllt",
    "not_met": "ej uppfyllt",
    "no_change": "Ingen ändring",
    "choose_met": "Uppfyllt",
    "choose_not_met": "Ej uppfyllt",
    "note": "Anteckning",
    "save": "Spara bedömningarna",
    "checklist": "Skallkraven och deras bedömning",
    "assessment": "Bedömning",
    "assessed_by": "Bedömt av",
    "completion": "Komplettering",
    "requested": "Begärd {at} av {who}, senast",
    "message": "Meddelande",
    "came_in": "Kom in",
    "waiting": "Väntar på sökanden.",
    "no_completion": "Ingen komplettering har begärts.",
    "complete": "Registrera kompletteringen",
    "what_came": "Vad som kom in",
    "request": "Begär komplettering",
    "missing_items": "Vad som saknas (en sak per rad)",
    "due": "Sista dag för kompletteringen",
    "due_hint": "Lämnas den tom gäller planens svarstid.",
    "to_applicant": "Meddelande till sökanden (frivilligt)",
    "decision": "Beslut",
    "decided": "Beslutat",
    "reason": "Skäl",
    "contract_start": "Avtalet börjar",
    "appeal_by": "Kan överklagas till omkring",
    "approved": "godkänd",
    "rejected": "avslagen",
    "rejected_incomplete": "avslagen, kompletteringen kom inte in i tid",
    "approve": "Godkänn ansökan",
    "approve_hint": "Alla skallkrav måste vara bedömda som uppfyllda.",
    "comment": "Kommentar (frivillig)",
    "reject": "Avslå ansökan",
    "reject_hint": "Sökanden får skälen och hur beslutet överklagas.",
    "reject_reason": "Skäl till avslag",
    "no_decision": "Inget beslut än.",
    # The messages after an action.
    "done_assess": "Bedömningarna är sparade.",
    "done_left": "{n} skallkrav återstår att bedöma.",
    "done_all": "Alla skallkrav är bedömda.",
    "done_request": "Komplettering begärd, senast {due}. Sökanden får besked per e-post.",
    "done_complete": "Kompletteringen är registrerad.",
    "done_complete_due": "Kompletteringen är registrerad. Beslut senast {due}.",
    "done_approved": "Ansökan är godkänd. Avtalet börjar {start}. Sökanden får beslutet per "
    "e-post.",
    "done_rejected": "Ansökan är avslagen. Sökanden får beslutet, med hur man överklagar, per "
    "e-post.",
    **{f"state_{k}": v for k, v in APPLICATION_SV.items()},
}

DA: dict[str, str] = {
    "title": "Ansøgning fra {name}",
    "list": "Ansøgninger",
    "org_nr": "CVR-nummer",
    "email": "E-mail",
    "plan": "Plan",
    "received": "Modtaget",
    "state": "Status",
    "decision_due": "Afgørelse senest",
    "decision_late": "fristen for afgørelsen er overskredet",
    "awaiting_completion": "afventer suppleringen",
    "not_set": "ikke fastsat",
    "services": "Ydelser",
    "areas": "Områder",
    "requested_start": "Ønsket start",
    "provider": "Leverandør",
    "provider_page": "Leverandørens side",
    "documents": "Vedhæftede dokumenter",
    "document": "Dokument",
    "file": "Fil",
    "size": "Størrelse",
    "skallkrav": "Mindstekrav",
    "count": "{n} mindstekrav",
    "left": "{n} mangler at blive vurderet",
    "all_assessed": "alle er vurderet",
    "not_met_count": "{n} ikke opfyldt",
    "assess": "Vurdér mindstekravene",
    "assess_hint": "Vælg en vurdering for de krav, du vil vurdere nu; de øvrige forbliver "
    "uændrede. Der skal skrives en note ved »ikke opfyldt«.",
    "now": "Nu:",
    "by": "af",
    "unassessed": "ikke vurderet",
    "met": "opfyldt",
    "not_met": "ikke opfyldt",
    "no_change": "Ingen ændring",
    "choose_met": "Opfyldt",
    "choose_not_met": "Ikke opfyldt",
    "note": "Note",
    "save": "Gem vurderingerne",
    "checklist": "Mindstekravene og deres vurdering",
    "assessment": "Vurdering",
    "assessed_by": "Vurderet af",
    "completion": "Supplering",
    "requested": "Anmodet {at} af {who}, senest",
    "message": "Besked",
    "came_in": "Modtaget",
    "waiting": "Afventer ansøgeren.",
    "no_completion": "Der er ikke anmodet om supplering.",
    "complete": "Registrér suppleringen",
    "what_came": "Hvad der er modtaget",
    "request": "Anmod om supplering",
    "missing_items": "Hvad der mangler (én ting pr. linje)",
    "due": "Frist for suppleringen",
    "due_hint": "Uden dato gælder planens svarfrist.",
    "to_applicant": "Besked til ansøgeren (valgfri)",
    "decision": "Afgørelse",
    "decided": "Truffet",
    "reason": "Begrundelse",
    "contract_start": "Kontrakten begynder",
    "appeal_by": "Kan påklages til omkring",
    "approved": "godkendt",
    "rejected": "afslået",
    "rejected_incomplete": "afslået, suppleringen kom ikke i tide",
    "approve": "Godkend ansøgningen",
    "approve_hint": "Alle mindstekrav skal være vurderet som opfyldt.",
    "comment": "Kommentar (valgfri)",
    "reject": "Afslå ansøgningen",
    "reject_hint": "Ansøgeren får begrundelsen og klagevejledning.",
    "reject_reason": "Begrundelse for afslag",
    "no_decision": "Ingen afgørelse endnu.",
    "done_assess": "Vurderingerne er gemt.",
    "done_left": "{n} mindstekrav mangler at blive vurderet.",
    "done_all": "Alle mindstekrav er vurderet.",
    "done_request": "Der er anmodet om supplering, senest {due}. Ansøgeren får besked pr. e-mail.",
    "done_complete": "Suppleringen er registreret.",
    "done_complete_due": "Suppleringen er registreret. Afgørelse senest {due}.",
    "done_approved": "Ansøgningen er godkendt. Kontrakten begynder {start}. Ansøgeren får "
    "afgørelsen pr. e-mail.",
    "done_rejected": "Ansøgningen er afslået. Ansøgeren får afgørelsen med klagevejledning pr. "
    "e-mail.",
    "state_received": "under behandling",
    "state_completion_requested": "supplering anmodet",
    "state_approved": "godkendt",
    "state_rejected": "afslået",
}

TEXTS: dict[str, dict[str, str]] = {"sv": SV, "da": DA}


def texts(language: str) -> Mapping[str, str]:
    return TEXTS.get(language, SV)


def day_writer(language: str) -> Callable[[date | None], str]:
    def written(value: date | None) -> str:
        return "–" if value is None else format_date(value, language)

    return written


def time_writer(language: str, zone: ZoneInfo) -> Callable[[datetime | None], str]:
    """A stored (UTC) time in the plan's time zone: "7 december 2026 kl. 10.00"."""

    def written(value: datetime | None) -> str:
        if value is None:
            return "–"
        local = value.astimezone(zone)
        return f"{format_date(local.date(), language)} kl. {local:%H.%M}"

    return written


@dataclass(frozen=True, slots=True)
class Words:
    """The page's words and its way of writing a date, in one language."""

    t: Mapping[str, str]
    day: Callable[[date | None], str]


def words_for(language: str) -> Words:
    return Words(texts(language), day_writer(language))
