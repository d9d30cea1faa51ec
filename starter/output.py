"""Printing what a command found: plain text tables for people, JSON for scripts."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import typer
from pydantic import BaseModel


def echo_json(model: BaseModel) -> None:
    typer.echo(model.model_dump_json(indent=2))


def echo_data(data: Any) -> None:
    """Plain data (dicts, lists, dates, amounts) as indented JSON."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_iso))


def _iso(value: Any) -> str:
    """Dates and times in ISO form; amounts (Decimal) as exact text, never a float."""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
