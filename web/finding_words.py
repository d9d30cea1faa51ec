"""Findings' refusals on the desk: the finding workflow's validators and services/findings.py
answer in English, as the CLI prints them; the desk shows them in Swedish (the desk's refusals
are Swedish only so far, web/refusals.py)."""

from __future__ import annotations

import re
from datetime import date

from web.refusals import Rewordings
from web.render import sv_date
from web.texts import text

_D = r"(\d{4}-\d\d-\d\d)"


def _day(match: re.Match[str], group: int) -> str:
    return sv_date(date.fromisoformat(match.group(group)), "sv")


def _state(value: str) -> str:
    return text(f"finding.state.{value}", "sv") if value else value


WORDS: Rewordings = [
    (
        re.compile(r"write KRAV: what was found.*", re.S),
        lambda m: "skriv kravet, ett kolon och vad som har funnits",
    ),
    (
        re.compile(r"not a requirement of the plan (\S+): .*", re.S),
        lambda m: f"inte ett krav i utförarens plan ({m.group(1)}); välj ett i listan",
    ),
    (
        re.compile(r"the plan (\S+) has no \[findings\] section"),
        lambda m: f"utförarens plan ({m.group(1)}) har inga regler för brister",
    ),
    (re.compile(r"one of .*, got .*", re.S), lambda m: "välj ett av alternativen i listan"),
    (
        re.compile(r"at most (\d+) characters(, got \d+)?"),
        lambda m: f"högst {m.group(1)} tecken",
    ),
    (
        re.compile(rf"the plan allows an åtgärdsplan due {_D} to {_D} .*", re.S),
        lambda m: (
            f"planen tillåter en sista dag för åtgärdsplanen från {_day(m, 1)} till {_day(m, 2)}"
        ),
    ),
    (
        re.compile(r"an åtgärdsplan cannot be asked for now \(status is (\w+)\)"),
        lambda m: f"en åtgärdsplan kan inte begäras nu: bristen är {_state(m.group(1))}",
    ),
    (
        re.compile(r"no åtgärdsplan to verify \(status is (\w+)\)"),
        lambda m: f"det finns ingen åtgärdsplan att kontrollera: bristen är {_state(m.group(1))}",
    ),
    (
        re.compile(r"no åtgärdsplan is asked for \(status is (\w+)\)"),
        lambda m: f"ingen åtgärdsplan är begärd: bristen är {_state(m.group(1))}",
    ),
    (re.compile(r"the finding is closed"), lambda m: "bristen är redan avslutad"),
    (
        re.compile(rf"the provider may respond until {_D} .*", re.S),
        lambda m: (
            f"utföraren får yttra sig till och med {_day(m, 1)} (kommunicering); "
            "besluta därefter eller när svaret har registrerats"
        ),
    ),
    (
        re.compile(r"the plan's ladder has (.*), not (\w+)"),
        lambda m: "planens sanktionstrappa har inte den sanktionen; välj en i listan",
    ),
    (
        re.compile(r"a (\w+) needs an amount in kronor \(the plan sets none\)"),
        lambda m: "ange ett belopp i kronor (planen anger inget)",
    ),
    (re.compile(r"an? (\w+) has no amount"), lambda m: "den sanktionen har inget belopp"),
    (re.compile(r"must be a positive sum in kronor"), lambda m: "måste vara ett positivt belopp"),
    (re.compile(r"at most two decimals.*"), lambda m: "högst två decimaler (kronor och ören)"),
    (re.compile(r"unreasonably large"), lambda m: "orimligt stort"),
    (
        re.compile(r"the notice is still being sent; try again in a moment"),
        lambda m: "underrättelsen skickas just nu; försök igen om en stund",
    ),
    (
        re.compile(r"the provider's response is already registered.*"),
        lambda m: "utförarens svar är redan registrerat",
    ),
]
