"""The application workflow's refusals in plain Swedish, with skallkrav named by their titles.

Its validators answer in English with the plan's keys ("skallkrav: not yet assessed: f-skatt,
insurance"), which the CLI prints as they are; a person at the desk reads titles, not keys, so
the known phrasings are reworded here and each key in them is replaced by its title. Anything
else goes on to web.refusals (the phrasings every workflow shares)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from services.errors import ActionError
from web.words import application

_Reword = Callable[[re.Match[str], Callable[[str], str]], str]

_REWORDED: list[tuple[re.Pattern[str], _Reword]] = [
    (
        re.compile(r"the application is still being registered"),
        lambda m, t: "ansökan registreras fortfarande; försök igen om en stund",
    ),
    (
        re.compile(r"cannot [\w ]+, the application is already (\w+)"),
        lambda m, t: f"ansökan är redan {application(m.group(1))}",
    ),
    (
        re.compile(r"the item is already (\w+)"),
        lambda m, t: f"ansökan är redan {application(m.group(1))}",
    ),
    (
        re.compile(r"not yet assessed: (.+)"),
        lambda m, t: f"alla skallkrav är inte bedömda än; kvar: {t(m.group(1))}",
    ),
    (
        re.compile(r"not met: (.+)"),
        lambda m, t: f"skallkrav som inte är uppfyllda: {t(m.group(1))}",
    ),
    (
        re.compile(r"must not be empty \(skallkrav (.+)\)"),
        lambda m, t: f"skriv varför kravet inte är uppfyllt ({t(m.group(1))})",
    ),
    (
        re.compile(r"a komplettering is already outstanding; register it with complete first"),
        lambda m, t: "en komplettering är redan begärd; registrera den som kommit in först",
    ),
    (
        re.compile(r"a komplettering is outstanding; approve once it has been completed"),
        lambda m, t: "en komplettering väntar; ansökan kan godkännas när den har kommit in",
    ),
    (
        re.compile(r"no komplettering has been requested"),
        lambda m, t: "ingen komplettering är begärd",
    ),
    (re.compile(r"name at least one missing item"), lambda m, t: "skriv minst en sak som saknas"),
    (
        re.compile(r"at most (\d+) days from today"),
        lambda m, t: f"högst {m.group(1)} dagar från i dag",
    ),
    (re.compile(r"required for approval"), lambda m, t: "krävs för att godkänna ansökan"),
    (re.compile(r"must not be in the past"), lambda m, t: "får inte vara tidigare än i dag"),
    (
        re.compile(r"give the documents received, or a note on what was received"),
        lambda m, t: "skriv vad som kom in",
    ),
]
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def in_swedish(err: ActionError, titles: Mapping[str, str]) -> ActionError:
    """The same refusal (same field) in Swedish, each skallkrav key replaced by its title."""

    def titled(keys: str) -> str:
        return _KEY.sub(lambda k: titles.get(k.group(0), k.group(0)), keys.strip("'\""))

    for pattern, reword in _REWORDED:
        found = pattern.fullmatch(err.message.strip())
        if found:
            return ActionError(err.field, reword(found, titled))
    return err
