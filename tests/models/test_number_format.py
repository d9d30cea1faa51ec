"""Numbers as the plan's readers write them (models.domain.number_format): decimal comma,
thousands grouped by a space (Swedish) or a point (Danish), shares with one decimal."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from models.domain.number_format import decimal_text, percent_text


def test_swedish_and_danish_notation() -> None:
    assert decimal_text(Decimal("1234.50"), "sv") == "1 234,50"
    assert decimal_text(Decimal("1234.50"), "da") == "1.234,50"
    assert decimal_text(Decimal("-1234567.5"), "sv") == "-1 234 567,5"
    assert decimal_text(40, "sv") == "40"
    assert decimal_text("12.25", "sv", 1) == "12,3"  # half up, as a person rounds
    assert percent_text(35, 41, "sv") == "85,4 %"
    assert percent_text(30, 20, "da") == "150,0 %"
    assert percent_text(1, 0, "sv") is None and percent_text("x", 3, "sv") is None


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
    st.sampled_from(["sv", "da"]),
)
def test_the_text_reads_back_as_the_same_number(value: Decimal, language: str) -> None:
    text = decimal_text(value, language)
    group = " " if language == "sv" else "."
    assert "." not in text.replace(group, "") or language == "da"
    assert Decimal(text.replace(group, "").replace(",", ".")) == value
