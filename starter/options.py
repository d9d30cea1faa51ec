"""The CLI's shared arguments and options, and parsing their values: one rule each, one message.

Every refusal is one line naming the option, exit code 2 (starter/errors.py). Free of Temporal
imports, so a command that only reads the records starts quickly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from models.domain.inputs import check_actor, check_date
from models.domain.orgnr import OrgNrError, normalize_org_nr
from starter.errors import fail_bad_input, or_bad_input

DATE_METAVAR = "ÅÅÅÅ-MM-DD"


def value_option(name: str, metavar: str, help: str) -> Any:
    """An option taking a value whose default (None or empty) is not worth showing in --help."""
    return typer.Option(name, metavar=metavar, help=help, show_default=False)


def date_option(name: str, help: str) -> Any:
    """An option taking a day ÅÅÅÅ-MM-DD (read with parse_date)."""
    return value_option(name, DATE_METAVAR, help)


def state_option(values: Iterable[str]) -> Any:
    """A list command's --state filter, naming the states it takes."""
    return value_option("--state", "LÄGE", "Ett läge: " + ", ".join(values) + ". (One state.)")


def org_nr_filter(help: str = "En utförare. (One provider.)") -> Any:
    """A list command's --org-nr filter."""
    return value_option("--org-nr", "ORGNR", help)


def plan_filter(help: str) -> Any:
    """A list command's --plan filter (a plan id)."""
    return value_option("--plan", "PLAN", help)


OrgNrArg = Annotated[
    str,
    typer.Argument(
        metavar="ORGNR",
        help="Utförarens organisationsnummer, NNNNNN-NNNN, eller danska CVR-nummer, 8 siffror. "
        "(The provider's org nr, or a Danish CVR number.)",
        show_default=False,
    ),
]
ActorOpt = Annotated[
    str | None,
    typer.Option(
        "--actor",
        metavar="NAMN",
        help="Vem som begär ändringen; sparas i historiken. Standard: inloggad användare. "
        "(Who asks; recorded in the history; default the OS user.)",
        show_default=False,
    ),
]
JsonOpt = Annotated[
    bool,
    typer.Option("--json", help="Skriv JSON i stället för text. (Print JSON.)"),
]
PlanOpt = Annotated[
    str | None,
    typer.Option(
        "--plan",
        metavar="PLAN",
        help="Uppföljningsplan (id i plans/ eller sökväg). (Follow-up plan id or path.)",
        show_default=False,
    ),
]
PlanFilterOpt = Annotated[
    str | None,
    plan_filter(
        "Bara avtal enligt denna plan (planens id, t.ex. sundsvall). "
        "(Only contracts on this plan id.)"
    ),
]
OrgNrFilterOpt = Annotated[str | None, org_nr_filter()]

# The municipalities' calendar day: what "this month" and "this year" mean to the CLI.
LOCAL = ZoneInfo("Europe/Stockholm")

_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def required(value: str | None, option: str, example: str) -> str:
    """A non-blank option value, stripped; or exit 2 with an example."""
    if value is None or not value.strip():
        fail_bad_input(f"{option}: krävs (required), t.ex. {option} {example}")
    return value.strip()


def parse_org_nr(text: str) -> str:
    """An org nr (or personnummer) in the form NNNNNN-NNNN, or a CVR-nummer (8 digits); or exit
    2 naming org_nr. Which of the two the plan needs is checked once the plan is known
    (services/org_nr.py)."""
    try:
        return normalize_org_nr(text)
    except OrgNrError as err:
        fail_bad_input(f"org_nr: {err}")


def parse_actor(value: str | None) -> str:
    """--actor, or the OS user; either way what models.domain.inputs allows (it fits the
    records)."""
    if value is None:
        import getpass  # only here: a read command (lov plan, the lists) never asks for the user

        try:
            value = getpass.getuser()
        except (OSError, KeyError):
            fail_bad_input("--actor: okänd användare (cannot tell the OS user); ange --actor NAMN")
    try:
        return check_actor(value.strip())
    except ValueError as err:
        fail_bad_input(f"--actor: {err}")


def parse_date(text: str | None, option: str) -> date:
    """An ISO date within models.domain.inputs' range, or exit 2 naming the option."""
    if text is None or not text.strip():
        fail_bad_input(f"{option}: krävs (required), t.ex. {option} 2027-04-20")
    return or_bad_input(lambda: date_value(text, option))


def date_value(text: str, option: str) -> date:
    """An ISO date within models.domain.inputs' range; else a ValueError whose text is the one
    line naming the option (for a command that reports it its own way, as `lov plan` does)."""
    value = text.strip()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{option}: inte ett datum ÅÅÅÅ-MM-DD (not a date), fick {value!r}"
        ) from None
    try:
        return check_date(day)
    except ValueError as err:
        raise ValueError(f"{option}: {err}") from None


def parse_month(text: str, option: str) -> tuple[date, date]:
    """A month ÅÅÅÅ-MM: its first and last day, or exit 2 naming the option."""
    value = text.strip()
    found = _MONTH.match(value)
    if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1:
        fail_bad_input(f"{option}: inte en månad ÅÅÅÅ-MM (not a month), fick {value!r}")
    year, month = int(found.group(1)), int(found.group(2))
    try:
        first = check_date(date(year, month, 1))
        following = date(year + month // 12, month % 12 + 1, 1)
        last = check_date(date.fromordinal(following.toordinal() - 1))
    except ValueError as err:
        fail_bad_input(f"{option}: {err}")
    return first, last


def local_today() -> date:
    """Today in the municipalities' time zone."""
    return datetime.now(LOCAL).date()
