"""A contract's state as people read it.

The contract workflow runs from the day it is registered, which may be months before the
contract's start date (an approved application with a later start). Until that date the
provider has no customers and owes nothing yet, so the contract reads "not started", never
"active" (issue 16: a placement went to a provider whose contract started three months later).
"""

from __future__ import annotations

from datetime import date
from typing import Final

NOT_STARTED: Final = "not-started"


def contract_state(recorded: str, contract_start: date, today: date) -> str:
    """`recorded` ("active", "terminating", "terminated") as of `today` (the plan's local date)."""
    if recorded == "active" and today < contract_start:
        return NOT_STARTED
    return recorded


def has_started(contract_start: date | None, on: date | None) -> bool:
    """Whether a contract starting `contract_start` is running on `on` (unknown either: yes)."""
    return contract_start is None or on is None or contract_start <= on
