"""Refusals in Swedish. The workflows' validators answer in English ("new_due: must be after
today"), which the CLI prints as it is; the desk shows its users plain Swedish, so the known
phrasings are reworded here. Anything not known is shown as it came (it is still one line naming
the field)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from web.render import sv_date
from web.words import state


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
]


def in_swedish(message: str, extra: Rewordings | None = None) -> str:
    """`message` in Swedish: the page's own wordings (`extra`) first, then the known ones."""
    for pattern, reword in [*(extra or []), *_REWORDED]:
        found = pattern.fullmatch(message.strip())
        if found:
            return reword(found)
    return message
