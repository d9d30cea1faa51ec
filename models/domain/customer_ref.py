"""The customer reference: one rule for every place a customer is named (placements, claim lines).

Customers are known by pseudonymous references only (e.g. the case number in the municipality's
verksamhetssystem). Two checks, in this order:

1. Not a personnummer or samordningsnummer. A personal identity number may be written with any
   separator — `850101-1234`, `850101_1234`, `8501.01.1234`, `19850101/1234`, `850101--1234` —
   so separators are removed first (everything that is not a letter or a digit), and then any
   run of ten or more digits is refused: ten or twelve digits is the number itself, a longer run
   contains one. Neither the check digit nor the date is required: a mistyped identity number is
   still personal data, and a pseudonymous case number has no reason to carry ten digits in a
   row. The value is never repeated in the error: it may be a real personnummer and end up in a
   log.
2. The shape: 1–40 characters, letters (å, ä, ö too), digits and `. _ / -`, starting with a
   letter or a digit (what the records' columns hold).

The error has two wordings, because two interfaces have printed them for years and scripts and
tests match them: `str(err)` is the placement's (`lov placement start --customer`), `err.swedish`
the claim line's (`lov recovery start --line`, `customer_ref` column).
"""

from __future__ import annotations

import re

# Any Unicode decimal digit counts (a full-width "８５０１０１" is still the number).
_DIGIT_RUN = re.compile(r"\d{10,}")
_SEPARATORS = re.compile(r"[\W_]+")
_SHAPE = re.compile(r"^[A-Za-z0-9ÅÄÖåäö][A-Za-z0-9ÅÄÖåäö_./-]{0,39}$")
MAX_LENGTH = 40

_PERSONAL_EN = "looks like a personnummer; give a pseudonymous reference (e.g. the case number)"
_PERSONAL_SV = (
    "ser ut som ett personnummer; ange kundens pseudonyma referens, t.ex. K-1042 "
    "(looks like a personal identity number; use the pseudonymous reference)"
)
_SHAPE_EN = "1–40 characters: letters, digits and . _ / - (a pseudonymous reference)"


class CustomerRefError(ValueError):
    """A customer reference that is not acceptable; `personal` when it looks like a
    personnummer (the value is then in neither text)."""

    def __init__(self, personal: bool, value: str) -> None:
        super().__init__(_PERSONAL_EN if personal else _SHAPE_EN)
        self.personal = personal
        self.swedish = (
            _PERSONAL_SV
            if personal
            else f"1–40 tecken: bokstäver, siffror, - _ . / (letters, digits, - _ . /), fick "
            f"{value!r}"
        )


def looks_like_personnummer(text: str) -> bool:
    """True if `text`, with its separators removed, holds ten or more digits in a row."""
    return bool(_DIGIT_RUN.search(_SEPARATORS.sub("", text)))


def check_customer_ref(value: str, *, strip: bool = True) -> str:
    """The pseudonymous customer reference (stripped unless `strip` is False, when surrounding
    blanks are refused as a bad shape), or CustomerRefError."""
    text = value.strip() if strip else value
    if looks_like_personnummer(text):
        raise CustomerRefError(True, text)
    if not _SHAPE.fullmatch(text):
        raise CustomerRefError(False, text)
    return text
