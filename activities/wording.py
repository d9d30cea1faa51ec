"""How internal values read in an e-mail: titles, field names, values, periods, consequences.

Workflows hand the mail activity keys and raw values (they are in stored histories and cannot
change); this module turns them into what a provider, a manager or a member of staff reads, in
the plan's language. It never shows keys, paths or workflow ids. Pure functions: the renderer
(activities/rendering.py) binds them to the plan and the language of one e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from models.domain.calendar import holiday_name
from models.domain.date_text import format_date
from models.plans.schema import EscalationStep, Obligation, Plan

_WEEKDAYS = {
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "da": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
}
_YES_NO = {"sv": ("ja", "nej"), "da": ("ja", "nej")}
_DECIMAL = re.compile(r"^-?[0-9]+\.[0-9]+$")
# A country's deadline rule, for a plan-less e-mail (the language says which country).
_CALENDAR_OF_LANGUAGE = {"sv": "SE", "da": "DK"}


def _lang(language: str) -> str:
    return language if language in _WEEKDAYS else "sv"


# --- titles ------------------------------------------------------------------------------------


def inline_title(title: str) -> str:
    """A title inside a sentence: "Årsredovisning" → "årsredovisning", but a title that starts
    with an acronym keeps it ("KKIK – personalkontinuitet", "IVO-tillstånd")."""
    text = str(title)
    if not text:
        return text
    first = re.split(r"[\s\-–—:,.()/]", text, maxsplit=1)[0]
    letters = [c for c in first if c.isalpha()]
    acronym = len(letters) > 1 or any(c.isdigit() for c in first)  # "KKIK", "IVO", "T1"
    if letters and acronym and all(c.isupper() for c in letters):
        return text
    return text[0].lower() + text[1:]


# --- submitted values --------------------------------------------------------------------------


def document_name(path: str) -> str:
    """The file's name without the folders it was read from on the server."""
    return re.split(r"[\\/]", str(path).rstrip("/\\"))[-1] or str(path)


def value_text(value: Any, language: str) -> str:
    """A submitted value as a reader of `language` writes it: 87,5 (not 87.5), ja/nej (not
    True/False), dates in words."""
    lang = _lang(language)
    yes, no = _YES_NO[lang]
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return _decimal(Decimal(str(value)))
    if isinstance(value, date):
        return format_date(value, lang)
    text = str(value).strip()
    if text.lower() in ("true", "false"):
        return yes if text.lower() == "true" else no
    if _DECIMAL.match(text):
        try:
            return _decimal(Decimal(text))
        except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
            return text
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            return format_date(date.fromisoformat(text), lang)
        except ValueError:
            return text
    return text


def _decimal(number: Decimal) -> str:
    text = format(number.normalize(), "f") if number == number.to_integral() else str(number)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def field_title(key: str, obligation: Obligation | None) -> str:
    """The plan's title of a reported field; a key the plan does not know (a field removed in
    a later revision) reads as words rather than as a key."""
    if obligation is not None:
        for f in obligation.fields:
            if f.key == key:
                return f.title
    words = str(key).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


# --- dates and periods -------------------------------------------------------------------------


def closed_day(day: date | str, holiday_calendar: str | None, language: str) -> str:
    """What the day a plan's date falls on is, said plainly: "en lördag", "en søndag",
    "midsommarafton", "juledag" — never "en helgdag" for a Saturday."""
    lang = _lang(language)
    try:
        when = date.fromisoformat(day) if isinstance(day, str) else day
    except ValueError:
        return str(day)
    cal = holiday_calendar or _CALENDAR_OF_LANGUAGE[lang]
    name = holiday_name(when, cal, lang) if cal != "none" else None
    if name:
        return name.lower() if not name[:1].isupper() or name[1:2].islower() else name
    article = "en" if lang == "sv" else "en"
    return f"{article} {_WEEKDAYS[lang][when.weekday()]}"


def covered_year(period: str, obligation: Obligation | None) -> int | None:
    """The fiscal year an annual duty covers when the plan says it covers the previous one
    (`covers = "previous-year"`, e.g. the årsredovisning due 31 July); None otherwise."""
    if obligation is None or obligation.covers != "previous-year":
        return None
    match = re.match(r"^([0-9]{4})", str(period))
    return int(match.group(1)) - 1 if match else None


def period_name(period: str, obligation: Obligation | None, language: str) -> str:
    """The period a duty covers, as in a subject line: "2026-T1", "räkenskapsåret 2025"."""
    year = covered_year(period, obligation)
    if year is None:
        return str(period)
    return f"räkenskapsåret {year}" if _lang(language) == "sv" else f"regnskabsåret {year}"


def for_period(period: str, obligation: Obligation | None, language: str) -> str:
    """ "för perioden 2026-T1" / "för räkenskapsåret 2025" (Danish "for perioden …")."""
    lang = _lang(language)
    prep = "för" if lang == "sv" else "for"
    if covered_year(period, obligation) is not None:
        return f"{prep} {period_name(period, obligation, lang)}"
    return f"{prep} perioden {period}"


# --- what happens when a duty is late ----------------------------------------------------------

# Each ladder kind as the main clause after "Om … inte … i tid" (verb first: the Swedish and
# Danish word order after a fronted clause).
_STEP_CLAUSES = {
    "sv": {
        "overdue": "får ni en påminnelse om att det är försenat",
        "pafpekande": "lämnar kommunen ett påpekande enligt avtalet",
        "management": (
            "lämnas ärendet till ledningen för beslut om åtgärd, till exempel krav på "
            "åtgärdsplan, vite eller hävning av avtalet"
        ),
        "samarbejdsprocedure": "inleder kommunen samarbetsproceduren enligt avtalet",
        "anden-paamindelse": (
            "får ni en andra påminnelse, och kommunen kan registrera en brist som inleder "
            "samarbetsproceduren enligt avtalet"
        ),
    },
    "da": {
        "overdue": "får I en påmindelse om, at fristen er overskredet",
        "pafpekande": "giver kommunen en påtale efter kontrakten",
        "samarbejdsprocedure": "sætter kommunen samarbejdsproceduren i gang efter kontrakten",
        "anden-paamindelse": (
            "får I en ny påmindelse, og kommunen kan registrere en mangel, som sætter "
            "samarbejdsproceduren efter kontrakten i gang"
        ),
        "management": (
            "forelægges sagen for ledelsen, som beslutter, hvad der skal ske, fx krav om en "
            "handlingsplan, bod eller ophævelse af kontrakten"
        ),
    },
}
_JOINERS = {"sv": ("därefter", "och till sist"), "da": ("derefter", "og til sidst")}
_FALLBACK = {"sv": "följer kommunen upp enligt avtalet: {}", "da": "følger kommunen op: {}"}


def consequence(steps: Iterable[str] | str, ladder: Sequence[EscalationStep], language: str) -> str:
    """The plan's escalation ladder as one clause: "får ni en påminnelse …, därefter lämnar
    kommunen ett påpekande … och till sist lämnas ärendet till ledningen …". `steps` are the
    titles a workflow passed; each is matched to the plan's step to know its kind. A step of a
    kind without a wording here is said by its title."""
    lang = _lang(language)
    titles = [steps] if isinstance(steps, str) else list(steps)
    kinds = {s.title: s.kind for s in ladder}
    clauses = []
    for title in titles:
        clause = _STEP_CLAUSES[lang].get(kinds.get(str(title), ""))
        clauses.append(clause or _FALLBACK[lang].format(inline_title(str(title))))
    if not clauses:
        return _FALLBACK[lang].format("").rstrip(": ")
    then, last = _JOINERS[lang]
    if len(clauses) == 1:
        return clauses[0]
    middle = "".join(f", {then} {c}" for c in clauses[1:-1])
    return f"{clauses[0]}{middle} {last} {clauses[-1]}"


# --- case references ---------------------------------------------------------------------------


def application_ref(application_id: str, language: str) -> str:
    """ "ansökan nr 2" for `application-<part>-2` (the provider is named beside it)."""
    match = re.search(r"-([0-9]+)$", str(application_id))
    word = "ansökan" if _lang(language) == "sv" else "ansøgning"
    return f"{word} nr {match.group(1)}" if match else word


def plan_obligation(plan: Plan | None, key: str | None) -> Obligation | None:
    if plan is None or key is None:
        return None
    return next((o for o in plan.known_obligations if o.key == key), None)
