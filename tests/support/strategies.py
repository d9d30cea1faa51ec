"""Hypothesis strategies shared by the input-rule tests (test support, not a test module)."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

# Separators a personnummer is written with, alone or doubled.
SEPARATORS = ["", "-", "+", " ", "_", ".", "/", "--", " - ", "__", "/-", "\t"]


# A personnummer as customer references are written in practice (separators, century, a
# prefix, a samordningsnummer): each must be refused for placements and recoveries alike.
WRITTEN_PERSONNUMMER = [
    "850101-1234",
    "850101_1234",
    "850101.1234",
    "850101/1234",
    "850101--1234",
    "85-01-01-1234",
    "8501.01.1234",
    "19850101_1234",
    "K_850101_1234",
    "K_850101.1234",
    "850161-1234",  # samordningsnummer
    "850161/1234",
    "123456-7890",  # refused for placements, accepted for recoveries before
]


def luhn_complete(nine: str) -> str:
    """Nine ASCII digits and the check digit that makes them a valid org nr (10 digits)."""
    for last in "0123456789":
        digits = nine + last
        total = 0
        for i, ch in enumerate(digits):
            n = int(ch) * (2 if i % 2 == 0 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable: one check digit always fits")


@st.composite
def personnummer(draw: st.DrawFn) -> str:
    """A personnummer or samordningsnummer (day + 60), 10 or 12 digits, written with any
    separators between its digit groups."""
    born = draw(st.dates(date(1900, 1, 1), date(2030, 12, 31)))
    day = born.day + (60 if draw(st.booleans()) else 0)
    year = f"{born.year:04d}" if draw(st.booleans()) else f"{born.year % 100:02d}"
    tail = draw(st.text("0123456789", min_size=4, max_size=4))
    groups = [year, f"{born.month:02d}", f"{day:02d}", tail]
    seps = [draw(st.sampled_from(SEPARATORS)) for _ in range(3)]
    return "".join(g + s for g, s in zip(groups, [*seps, ""], strict=True))


@st.composite
def org_nr_in_other_digits(draw: st.DrawFn) -> str:
    """A valid org nr with at least one digit written in another script (full-width, Arabic-
    Indic …): the same company, so it must never be accepted as a different one."""
    digits = luhn_complete(draw(st.text("0123456789", min_size=9, max_size=9)))
    position = draw(st.integers(0, 9))
    other = draw(st.characters(categories=["Nd"]).filter(lambda ch: not ch.isascii()))
    changed = digits[:position] + other + digits[position + 1 :]
    return f"{changed[:6]}-{changed[6:]}" if draw(st.booleans()) else changed


# Dates the calendar code cannot handle or that are surely typing mistakes.
OUT_OF_RANGE_DATES = st.dates(max_value=date(1989, 12, 31)) | st.dates(min_value=date(2101, 1, 1))
