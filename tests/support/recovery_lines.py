"""Recovery (återkrav) lines used by the recovery workflow tests and the fuzz tests."""

from __future__ import annotations

from decimal import Decimal

from models.domain.money import ClaimLine

# 2.5 h × 385.50 = 963.75; 1.25 h × 412.40 = 515.50; 0 (approved ≥ billed) → 1 479.25 kr.
LINES = [
    ClaimLine(
        period="2031-01",
        customer_ref="K-1042",
        hours_billed=Decimal("12.5"),
        hours_approved=Decimal("10"),
        hourly_rate=Decimal("385.50"),
    ),
    ClaimLine(
        period="2031-01",
        customer_ref="K-2077",
        hours_billed=Decimal("20.25"),
        hours_approved=Decimal("19"),
        hourly_rate=Decimal("412.40"),
    ),
    ClaimLine(
        period="2031-02",
        customer_ref="K-1042",
        hours_billed=Decimal("8"),
        hours_approved=Decimal("9"),
        hourly_rate=Decimal("385.50"),
    ),
]
