"""Is this text a personnummer or samordningsnummer? One rule for every customer reference.

Customers are known by pseudonymous references only (placements, claim lines). A personal
identity number may be written with any separator — `850101-1234`, `850101_1234`,
`8501.01.1234`, `19850101/1234`, `850101--1234` — so separators are removed first (everything
that is not a letter or a digit), and then any run of ten or more digits is refused: ten or
twelve digits is the number itself, a longer run contains one. Neither the check digit nor the
date is required: a mistyped identity number is still personal data, and a pseudonymous case
number has no reason to carry ten digits in a row.
"""

from __future__ import annotations

import re

# Any Unicode decimal digit counts (a full-width "８５０１０１" is still the number).
_DIGIT_RUN = re.compile(r"\d{10,}")
_SEPARATORS = re.compile(r"[\W_]+")


def looks_like_personnummer(text: str) -> bool:
    """True if `text`, with its separators removed, holds ten or more digits in a row."""
    return bool(_DIGIT_RUN.search(_SEPARATORS.sub("", text)))
