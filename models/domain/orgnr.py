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


# `ref` below is the provider's opaque key (models.domain.provider_id) for a sole trader, whose org
# nr
# is a personnummer; None for a company, whose ids keep the org nr digits exactly as before (and
# for contracts started before the key existed, so their histories replay unchanged).


def id_part(org_nr: str, ref: str | None = None) -> str:
    """What names the provider inside workflow ids."""
    return ref or org_digits(org_nr)


def search_value(org_nr: str, ref: str | None = None) -> str:
    """The LovOrgNr search attribute's value: the org nr, or the opaque key instead of it."""
    return ref or org_nr


def contract_workflow_id(org_nr: str, ref: str | None = None) -> str:
    return f"contract-{id_part(org_nr, ref)}"


def obligation_workflow_id(org_nr: str, key: str, period: str, ref: str | None = None) -> str:
    return f"obligation-{id_part(org_nr, ref)}-{key}-{period}"


def meeting_workflow_id(org_nr: str, period: str, ref: str | None = None) -> str:
    """`meeting-<orgnr digits>-<year>-<window label>`, e.g. meeting-5560360793-2027-H1."""
    return f"meeting-{id_part(org_nr, ref)}-{period}"
