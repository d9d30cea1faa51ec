"""Side effects (mail, records, plan files), as activities bound to their dependencies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from models.settings import Settings


def build_activities(settings: Settings) -> Sequence[Callable[..., Any]]:
    """Every activity the worker registers, bound to `settings` (database, SMTP, plan files)."""
    return []
