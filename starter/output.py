"""Printing what a command found: plain text tables for people, JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import typer

if TYPE_CHECKING:
    from pydantic import BaseModel  # the read commands print plain data, without pydantic

T = TypeVar("T")


def echo_json(model: BaseModel) -> None:
    typer.echo(model.model_dump_json(indent=2))


def echo_data(data: Any) -> None:
    """Plain data (dicts, lists, dates, amounts) as indented JSON."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_iso))


def echo_json_or_none(
    found: Sequence[T], as_json: bool, to_json: Callable[[T], Any], none: str
) -> bool:
    """What every list command prints first: with --json the array of `to_json(item)`, with
    nothing found the line `none`. True when the items are left to print as text."""
    if as_json:
        echo_data([to_json(item) for item in found])
        return False
    if not found:
        typer.echo(none)
        return False
    return True


def _iso(value: Any) -> str:
    """Dates and times in ISO form; amounts (Decimal) as exact text, never a float."""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
