"""Refusals in Swedish. The workflows' validators answer in English ("new_due: must be after
today"), which the CLI prints as it is; the desk shows its users plain Swedish, so the known
phrasings are reworded here. Anything not known is shown as it came (it is still one line naming
the field)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from web.render import sv_date
from web.words import meeting, state


def _day(text: str) -> str:
    return sv_date(date.fromisoformat(text))


# A known English phrasing and its Swedish wording (a page may add its own, `in_swedish(extra=)`).
Rewordings = list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]

_REWORDED: Rewordings = [
    (re.compile(r"must not be empty"), lambda m: "får inte vara tomt"),
    (re.compile(r"must be after today"), lambda m: "måste vara efter i dag"),
    (
        re.compile(r"must be after the current due date (\d{4}-\d\d-\d\d)"),
        lambda m: f"måste vara efter nuvarande förfallodag, {_day(m.group(1))}",
    ),
    (
        re.compile(r"at most two years after the current due date"),
        lambda m: "högst två år efter nuvarande förfallodag",
    ),
    (
        re.compile(r"required for request-completion"),
        lambda m: "krävs när komplettering begärs",
    ),
    (
        re.compile(r"nothing to review \(status is (\w+)\)"),
        lambda m: f"det finns inget att granska: skyldigheten är {state(m.group(1))}",
    ),
    (
        re.compile(r"submitted and awaiting review; review it instead"),
        lambda m: "inlämnad och väntar på granskning: granska den i stället",
    ),
    (
        re.compile(r"cannot \w+, the item is already (\w+)"),
        lambda m: f"går inte: skyldigheten är redan {state(m.group(1))}",
    ),
    (
        re.compile(r"already submitted and awaiting review"),
        lambda m: "redan inlämnad och väntar på granskning",
    ),
    (
        re.compile(r"the item is already (\w+)"),
        lambda m: f"skyldigheten är redan {state(m.group(1))}",
    ),
    # The input rules (models.domain.inputs) and the lists' filters (services/filters.py),
    # which name the CLI's options and say it in English too.
    (
        re.compile(r"måste ligga mellan (\d{4}-\d\d-\d\d) och (\d{4}-\d\d-\d\d) \(.*", re.S),
        lambda m: f"måste ligga mellan {_day(m.group(1))} och {_day(m.group(2))}",
    ),
    (
        re.compile(r"högst (\d+) tecken \(at most \d+ characters\).*", re.S),
        lambda m: f"högst {m.group(1)} tecken",
    ),
    (re.compile(r"före --from \(before --from\).*"), lambda m: "före från-datumet"),
    (re.compile(r"okänt läge \(unknown state\).*"), lambda m: "okänt läge: välj ett i listan"),
    # Meetings (services/meetings.py, written for the CLI's options, and the workflow's
    # validators).
    (re.compile(r"krävs \(required\), t\.ex\. .*", re.S), lambda m: "måste fyllas i"),
    (re.compile(r"inte en tid .*\(not a time\).*", re.S), lambda m: "ange datum och klockslag"),
    (
        re.compile(r"(.+); ange --reason för att boka ändå \(.*\)", re.S),
        lambda m: f"{m.group(1)}; ange ett skäl för att boka ändå",
    ),
    (
        re.compile(r"ange antingen --place eller --link.*"),
        lambda m: "ange antingen en plats eller en länk, inte båda",
    ),
    (re.compile(r"must be in the future"), lambda m: "tiden har redan varit"),
    (
        re.compile(
            r"(\d{4}-\d\d-\d\d) is outside the meeting window (\d{4}-\d\d-\d\d)"
            r"–(\d{4}-\d\d-\d\d); give a reason to hold it then"
        ),
        lambda m: (
            f"{_day(m.group(1))} ligger utanför mötesfönstret {_day(m.group(2))} – "
            f"{_day(m.group(3))}; ange ett skäl för att boka ändå"
        ),
    ),
    (
        re.compile(r"(.+); give a reason to hold it then"),
        lambda m: f"{m.group(1)}; ange ett skäl för att boka ändå",
    ),
    (re.compile(r"give a place or a link"), lambda m: "ange en plats eller en länk"),
    (
        re.compile(r"between (\d+) and (\d+) minutes"),
        lambda m: f"mellan {m.group(1)} och {m.group(2)} minuter",
    ),
    (
        re.compile(r"already scheduled; use reschedule to move it"),
        lambda m: "mötet är redan bokat: flytta det i stället",
    ),
    (
        re.compile(r"the meeting was cancelled; use schedule to book the window again"),
        lambda m: "mötet är inställt: boka en ny tid i stället",
    ),
    (re.compile(r"not scheduled yet; use schedule"), lambda m: "mötet är inte bokat än"),
    (
        re.compile(r"the meeting was never scheduled; schedule it and hold it first"),
        lambda m: "mötet har aldrig bokats, så det finns inget att föra protokoll över",
    ),
    (
        re.compile(r"the meeting has not taken place yet \(scheduled for (.+)\)"),
        lambda m: f"mötet har inte hållits än (bokat till {m.group(1)})",
    ),
    (
        re.compile(r"cannot [\w ]+ the meeting, it is already (\w+)"),
        lambda m: f"går inte: mötet är redan {meeting(m.group(1))}",
    ),
    (re.compile(r"at least one attendee"), lambda m: "ange minst en närvarande"),
    (re.compile(r"at most two years ahead"), lambda m: "högst två år framåt"),
]


def in_swedish(message: str, extra: Rewordings | None = None) -> str:
    """`message` in Swedish: the page's own wordings (`extra`) first, then the known ones."""
    for pattern, reword in [*(extra or []), *_REWORDED]:
        found = pattern.fullmatch(message.strip())
        if found:
            return reword(found)
    return message
