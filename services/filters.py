"""Checked filters of the application layer's lists (`--plan`, `--state`, `--search`): a bad
value is refused with `ActionError` naming the filter before anything is read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from services.errors import ActionError

SEARCH_MAX = 100


def plan_filter(plan: str | None, plans_dir: Path) -> str | None:
    """A `--plan` filter names a plan of the plans directory (a typo would list nothing)."""
    if plan is None:
        return None
    # Here, not at the top: the plan schema (pydantic) is not needed by a list without --plan.
    from models.plans.loader import list_plans

    known = list_plans(plans_dir)
    if plan.strip() not in known:
        raise ActionError(
            "--plan", f"okänd plan (unknown plan) {plan!r}; kända: {', '.join(known) or 'inga'}"
        )
    return plan.strip()


def state_filter(state: str | None, states: Sequence[str]) -> str | None:
    """A `--state` filter is one of `states` (the values stored in the records)."""
    if state is None:
        return None
    value = state.strip().lower()
    if value not in states:
        raise ActionError(
            "--state", f"okänt läge (unknown state) {state!r}; ett av {', '.join(states)}"
        )
    return value


def search_filter(text: str | None) -> str | None:
    if text is None:
        return None
    value = " ".join(text.split())
    if not value:
        raise ActionError("--search", "får inte vara tomt (must not be empty)")
    if len(value) > SEARCH_MAX:
        raise ActionError("--search", f"högst {SEARCH_MAX} tecken (at most {SEARCH_MAX})")
    return value
