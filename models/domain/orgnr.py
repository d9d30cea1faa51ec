"""Swedish organisationsnummer: 10 digits, Luhn-checked, written NNNNNN-NNNN."""

from __future__ import annotations

import re

from models.domain.quote import short

# ASCII digits only: `\d` would also match full-width and other Unicode digits, and the same
# company written with them would get a second contract (another workflow id).
_PATTERN = re.compile(r"^([0-9]{6})-?([0-9]{4})$")


class OrgNrError(ValueError):
    pass


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def normalize_org_nr(value: str) -> str:
    """Canonical `NNNNNN-NNNN`, or OrgNrError saying what is wrong."""
    match = _PATTERN.match(value.strip())
    if not match:
        raise OrgNrError(f"{short(value)} is not an organisationsnummer (10 digits, NNNNNN-NNNN)")
    digits = match.group(1) + match.group(2)
    if not _luhn_ok(digits):
        raise OrgNrError(f"{short(value)} has a wrong check digit")
    return f"{match.group(1)}-{match.group(2)}"


def org_digits(org_nr: str) -> str:
    """The form used in workflow ids: digits only."""
    return org_nr.replace("-", "")
