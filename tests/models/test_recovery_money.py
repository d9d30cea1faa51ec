"""The återkrav arithmetic (models.domain.money) as properties: Decimal only, rounded to öre."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.domain.money import (
    ClaimLine,
    ClaimLineError,
    calculation_lines,
    check_line,
    format_sek,
    line_amount,
    looks_like_personnummer,
    parse_decimal,
    total,
)

# Hours and rates as people give them: non-negative, at most two decimals.
hours = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=0, max_value=2000, places=2, allow_nan=False, allow_infinity=False)
lines = st.builds(
    ClaimLine,
    period=st.just("2027-03"),
    customer_ref=st.from_regex(r"K-[0-9]{1,5}", fullmatch=True),
    hours_billed=hours,
    hours_approved=hours,
    hourly_rate=rates,
)


def reference(line: ClaimLine) -> Decimal:
    """Exact rational arithmetic, then round half up to öre by hand."""
    excess = Fraction(line.hours_billed) - Fraction(line.hours_approved)
    exact = max(Fraction(0), excess) * Fraction(line.hourly_rate)
    ore = exact * 100
    rounded = int(ore) + (1 if ore - int(ore) >= Fraction(1, 2) else 0)
    return Decimal(rounded) / 100


@given(st.lists(lines, max_size=30))
def test_total_is_the_sum_of_the_lines(claim: list[ClaimLine]) -> None:
    assert total(claim) == sum((line_amount(line) for line in claim), Decimal(0))
    # What the calculation shows adds up to what is asked for.
    assert calculation_lines(claim)[-1] == f"Summa att återbetala: {format_sek(total(claim))}"


@given(st.lists(lines, max_size=30))
def test_never_negative(claim: list[ClaimLine]) -> None:
    assert total(claim) >= 0
    assert all(line_amount(line) >= 0 for line in claim)


@given(lines)
def test_approved_at_least_billed_gives_zero(line: ClaimLine) -> None:
    covered = line.model_copy(update={"hours_approved": line.hours_billed + line.hours_approved})
    assert line_amount(covered) == 0
    assert line_amount(covered).as_tuple().exponent == -2


@given(lines)
def test_rounded_to_ore_as_the_reference(line: ClaimLine) -> None:
    amount = line_amount(line)
    assert isinstance(amount, Decimal)
    assert amount.as_tuple().exponent == -2  # exactly two decimal places
    assert amount == reference(line)


@given(st.lists(lines, max_size=10))
def test_total_has_two_decimals(claim: list[ClaimLine]) -> None:
    assert total(claim).as_tuple().exponent == -2


def test_half_ore_rounds_up() -> None:
    # 0.01 h × 0.50 kr = 0.005 kr → 0.01 kr (ROUND_HALF_UP, not banker's rounding)
    line = ClaimLine(
        period="2027-03",
        customer_ref="K-1",
        hours_billed=Decimal("1.01"),
        hours_approved=Decimal("1"),
        hourly_rate=Decimal("0.50"),
    )
    assert line_amount(line) == Decimal("0.01")
    line = line.model_copy(update={"hourly_rate": Decimal("2.50")})  # 0.025 → 0.03
    assert line_amount(line) == Decimal("0.03")


def test_format_sek() -> None:
    assert format_sek(Decimal("1234567.5")) == "1 234 567,50 kr"
    assert format_sek(Decimal("0")) == "0,00 kr"
    assert format_sek(Decimal("963.745")) == "963,75 kr"


@pytest.mark.parametrize(
    "text",
    ["19121212-1212", "121212-1212", "191212121212", "1212121212", "K 121212+1212", "701263-2384"],
)
def test_personnummer_is_refused(text: str) -> None:
    assert looks_like_personnummer(text)
    line = ClaimLine(
        period="2027-03",
        customer_ref=text,
        hours_billed=Decimal(1),
        hours_approved=Decimal(0),
        hourly_rate=Decimal(1),
    )
    with pytest.raises(ClaimLineError, match="customer_ref: ser ut som ett personnummer"):
        check_line(line)


@pytest.mark.parametrize("text", ["K-1042", "KUND-2027-0042", "A12", "12345678"])
def test_pseudonymous_references_pass(text: str) -> None:
    assert not looks_like_personnummer(text)


@pytest.mark.parametrize(
    ("field", "update", "message"),
    [
        ("hours_billed", {"hours_billed": Decimal("-0.5")}, "får inte vara negativt"),
        ("hours_approved", {"hours_approved": Decimal("1.005")}, "högst två decimaler"),
        ("hourly_rate", {"hourly_rate": Decimal("-1")}, "får inte vara negativt"),
        ("period", {"period": "2027-13"}, "ÅÅÅÅ-MM"),
        ("customer_ref", {"customer_ref": "K 1"}, "1–40 tecken"),
    ],
)
def test_bad_lines_name_the_column(field: str, update: dict[str, object], message: str) -> None:
    line = ClaimLine(
        period="2027-03",
        customer_ref="K-1",
        hours_billed=Decimal(2),
        hours_approved=Decimal(1),
        hourly_rate=Decimal(100),
    ).model_copy(update=update)
    with pytest.raises(ClaimLineError, match=message) as caught:
        check_line(line)
    assert caught.value.field == field


def test_parse_decimal_accepts_comma_and_refuses_text() -> None:
    assert parse_decimal("385,50", "hourly_rate") == Decimal("385.50")
    assert parse_decimal(" 12.5 ", "hours_billed") == Decimal("12.5")
    with pytest.raises(ClaimLineError, match="hours_billed: inte ett tal"):
        parse_decimal("tolv", "hours_billed")
