"""Rules for values people type: actors, short texts, links and dates, stated once.

A request message marks each field with its rule (`actor: Actor`, `link: Url`, `due: Day` …);
`check_request` applies the marks, naming the first field that is wrong. The Update validators,
the CLI and the scenario loader all call it, so the three refuse the same values before
anything is written or sent.

The marks are plain `Annotated` metadata that pydantic ignores on purpose: a history recorded
before a rule existed may hold a value the rule now refuses (a 150-character actor was stored
fine on SQLite), and decoding such a history on replay must not fail. Validators do not run on
replay, so checking there is safe.

Why each rule exists:
- text longer than its column (models.domain.limits) makes a record activity fail forever on
  PostgreSQL;
- a link with a line break breaks the calendar file (.ics) for good;
- a date far outside the municipality's horizon overflows the calendar arithmetic
  (`OverflowError` in `load_year`), again forever.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from models.domain.limits import KEY_LEN, LINK_LEN, NAME_LEN
from models.domain.mailsafe import BREAKS_OR_CONTROLS

if TYPE_CHECKING:
    # Only checked messages are pydantic models; the CLI's option parsing uses the rules here
    # without them (a records read starts without pydantic).
    from pydantic import BaseModel

# Contracts, decisions and meetings of a municipality fall well inside this; anything outside
# is a typing mistake (9999-12-31, 0001-01-01) that the calendar code cannot date.
EARLIEST = date(1990, 1, 1)
LATEST = date(2100, 12, 31)


class Rule:
    """A mark on a message field; `check` raises ValueError (without the field name)."""

    def check(self, value: Any) -> None:  # pragma: no cover - every rule overrides it
        raise NotImplementedError


def check_length(value: str, limit: int) -> None:
    if len(value) > limit:
        raise ValueError(f"högst {limit} tecken (at most {limit} characters), fick {len(value)}")


def check_one_line(value: str, limit: int) -> None:
    if BREAKS_OR_CONTROLS.search(value):
        raise ValueError(
            "får inte innehålla radbrytningar eller styrtecken (one line, no control characters)"
        )
    check_length(value, limit)


def check_actor(value: str) -> str:
    """Who asked: one line of at most KEY_LEN characters (the audit tables' actor column)."""
    if not value.strip():
        raise ValueError("får inte vara tomt (must not be empty)")
    check_one_line(value, KEY_LEN)
    return value


def check_url(value: str) -> str:
    """A link to a digital meeting: http(s), one line, no spaces, fits its column."""
    if BREAKS_OR_CONTROLS.search(value) or any(ch.isspace() for ch in value):
        raise ValueError(
            "inte en länk: innehåller mellanslag, radbrytning eller styrtecken "
            "(not a link: spaces, line breaks or control characters)"
        )
    check_length(value, LINK_LEN)
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise ValueError(
            "inte en länk som börjar med https:// eller http:// (must be an http(s) link)"
        )
    return value


def usable_link(value: str) -> str:
    """A stored link as a calendar file or an e-mail may carry it: the link (stripped) if it
    passes the URL rule, else "".

    Workflows that were running before the rule existed may hold a link with a line break; the
    calendar library refuses it (for ever, on every retry) and in an e-mail it would add a line
    of its own. Leaving it out lets the invitation go out all the same.
    """
    try:
        return check_url(value.strip()) if value.strip() else ""
    except ValueError:
        return ""


def check_date(value: date) -> date:
    """A date (or the day of a date-time) between EARLIEST and LATEST."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValueError(
            f"måste ligga mellan {EARLIEST.isoformat()} och {LATEST.isoformat()} "
            f"(date out of range), fick {day.isoformat()}"
        )
    return value


def check_year(value: int) -> int:
    if not EARLIEST.year <= value <= LATEST.year:
        raise ValueError(
            f"måste ligga mellan {EARLIEST.year} och {LATEST.year} (year out of range), "
            f"fick {value}"
        )
    return value


@dataclass(frozen=True)
class _ActorRule(Rule):
    def check(self, value: Any) -> None:
        check_actor(value)


@dataclass(frozen=True)
class _LineRule(Rule):
    limit: int

    def check(self, value: Any) -> None:
        check_one_line(value, self.limit)


@dataclass(frozen=True)
class _UrlRule(Rule):
    def check(self, value: Any) -> None:
        # The workflow strips the link; empty: no link (on a reschedule: keep the earlier one).
        if value.strip():
            check_url(value.strip())


@dataclass(frozen=True)
class _DateRule(Rule):
    def check(self, value: Any) -> None:
        check_date(value)


IN_RANGE = _DateRule()
Actor = Annotated[str, _ActorRule()]
# Short one-line texts that go into a KEY_LEN column (areas, service types, owners, invoices).
Key = Annotated[str, _LineRule(KEY_LEN)]
OptionalKey = Annotated[str | None, _LineRule(KEY_LEN)]
Keys = Annotated[list[str], _LineRule(KEY_LEN)]
Place = Annotated[str, _LineRule(NAME_LEN)]
Url = Annotated[str, _UrlRule()]
Day = Annotated[date, IN_RANGE]
OptionalDay = Annotated[date | None, IN_RANGE]
Moment = Annotated[datetime, IN_RANGE]


def check_request(message: BaseModel, prefix: str = "") -> None:
    """Apply every marked rule of `message` and of the messages inside it.

    Raises ValueError `"<field>: <what is wrong>"`, the field as a dotted path
    (`actions[2].due`), never quoting the refused text itself.
    """
    for name, info in type(message).model_fields.items():
        value = getattr(message, name)
        path = f"{prefix}{name}"
        rules = [m for m in info.metadata if isinstance(m, Rule)]
        if rules and value is not None:
            items = value if isinstance(value, list | tuple) else [value]
            for i, item in enumerate(items):
                where = f"{path}[{i}]" if items is value else path
                for rule in rules:
                    try:
                        rule.check(item)
                    except ValueError as err:
                        raise ValueError(f"{where}: {err}") from None
        _check_nested(value, path)


def _check_nested(value: Any, path: str) -> None:
    from pydantic import BaseModel  # loaded already: `value` is a field of a message

    if isinstance(value, BaseModel):
        check_request(value, f"{path}.")
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for i, item in enumerate(value):
            if isinstance(item, BaseModel):
                check_request(item, f"{path}[{i}].")
