"""One customer-reference rule (models.domain.customer_ref) for placements and claim lines: the
same references accepted and refused, each with the wording its interface has always shown."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.domain.customer_ref import CustomerRefError, check_customer_ref
from models.domain.money import ClaimLine, ClaimLineError, check_line


def _claim_line_error(ref: str) -> str | None:
    line = ClaimLine(
        period="2031-03",
        customer_ref=ref,
        hours_billed=Decimal(2),
        hours_approved=Decimal(1),
        hourly_rate=Decimal(100),
    )
    try:
        check_line(line)
    except ClaimLineError as err:
        return str(err)
    return None


@pytest.mark.parametrize("ref", ["K", "Ö-12", "DNR-2031-0042", "kund.17", "VO/2031/553", "x" * 40])
def test_accepted_for_both(ref: str) -> None:
    assert check_customer_ref(ref) == ref
    assert _claim_line_error(ref) is None


@pytest.mark.parametrize("ref", ["K 1", "-K1", "x" * 41, "K#1", ""])
def test_a_bad_shape_is_refused_by_both(ref: str) -> None:
    with pytest.raises(CustomerRefError) as caught:
        check_customer_ref(ref)
    assert not caught.value.personal
    assert str(caught.value).startswith("1–40 characters")
    assert (_claim_line_error(ref) or "").startswith("customer_ref: 1–40 tecken")


@pytest.mark.parametrize(
    "ref", ["123456-7890", "19121212-1212", "K 121212+1212", "８５０１０１１２３４"]
)
def test_a_personnummer_is_refused_by_both_and_never_repeated(ref: str) -> None:
    with pytest.raises(CustomerRefError) as caught:
        check_customer_ref(ref)
    err = caught.value
    assert err.personal
    assert str(err).startswith("looks like a personnummer")
    assert err.swedish.startswith("ser ut som ett personnummer")
    assert ref not in str(err) and ref not in err.swedish
    assert (_claim_line_error(ref) or "").startswith("customer_ref: ser ut som ett personnummer")


def test_blanks_around_a_claim_line_reference_are_a_bad_shape() -> None:
    # A placement's reference is typed and trimmed; a claim line keeps its cell as given.
    assert check_customer_ref(" K-1 ") == "K-1"
    assert (_claim_line_error(" K-1") or "").startswith("customer_ref: 1–40 tecken")
