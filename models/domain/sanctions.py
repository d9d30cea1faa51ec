"""The sanction ladder's kinds and the rule for their amounts (kronor), shared by the plan
schema (models/plans/findings.py), the finding workflow's validator and the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

SanctionKind = Literal["pafpekande", "prisavdrag", "vite", "havning"]
# The ladder's order: a plan lists its steps in this order (each kind at most once).
LADDER_ORDER: tuple[SanctionKind, ...] = ("pafpekande", "prisavdrag", "vite", "havning")
# The kinds that carry an amount in kronor.
AMOUNT_KINDS: tuple[SanctionKind, ...] = ("prisavdrag", "vite")
MAX_AMOUNT = Decimal("10000000")
# How a decided amount is collected, where the plan says (`collect` on a ladder step):
# "invoice" lists the decision for the finance system (`lov finding sanctions`). No
# "recovery": an återkrav (workflows/recovery.py) is hours billed but not approved, with its
# own notice and kommunicering, so a vite already decided after kommunicering does not fit it.
CollectMethod = Literal["invoice"]


def invoice_reference(finding_id: str, decision_number: int) -> str:
    """The reference the finance system invoices a decided amount by: the finding and the
    decision's number on it, so the same decision always gets the same reference."""
    return f"{finding_id}-B{decision_number}"


def amount_problem(value: Decimal) -> str | None:
    """Why `value` is not a positive sum in kronor (at most two decimals), or None."""
    if not value.is_finite():
        return "must be a number"
    if value <= 0:
        return "must be a positive sum in kronor"
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return "at most two decimals (kronor and öre)"
    if value > MAX_AMOUNT:
        return "unreasonably large"
    return None
