"""A provider's identifier, by the country of the plan it works under.

- Sweden: organisationsnummer, 10 digits with a Luhn check digit, written NNNNNN-NNNN.
- Denmark: CVR-nummer, 8 digits, modulus 11 with weights 2, 7, 6, 5, 4, 3, 2, 1 (the weighted
  sum is divisible by 11), written as the 8 digits (`DK12345678` and `12 34 56 78` are read too).

The two have different lengths, so a value is one or the other by its shape: `normalize_org_nr`
reads either where the plan is not known yet (a command-line argument, a workflow validator,
the records), and `normalize_for_country` refuses the other country's kind once it is (starting
a contract, an application). Field names stay `org_nr` everywhere (stored histories hold them);
`label` is the word texts use for the kind. The canonical form is also what workflow ids carry:
a company's 10 digits (`contract-5560360793`, unchanged) or a CVR's 8 (`contract-12345674`).

Norway and Finland have no rule of their own here yet: a plan for either takes the Swedish one,
as before.
"""

from __future__ import annotations

import re
from typing import Final, Literal

from models.domain.quote import short

Kind = Literal["SE", "DK"]

# ASCII digits only: `\d` would also match full-width and other Unicode digits, and the same
# company written with them would get a second contract (another workflow id).
_SWEDISH = re.compile(r"^([0-9]{6})-?([0-9]{4})$")
_CVR = re.compile(r"^(?:DK ?)?([0-9]{2}) ?([0-9]{2}) ?([0-9]{2}) ?([0-9]{2})$", re.IGNORECASE)
_CVR_WEIGHTS: Final = (2, 7, 6, 5, 4, 3, 2, 1)

LABELS: Final[dict[Kind, str]] = {"SE": "organisationsnummer", "DK": "CVR-nummer"}
_FORMS: Final[dict[Kind, str]] = {"SE": "NNNNNN-NNNN", "DK": "8 siffror"}


class OrgNrError(ValueError):
    pass


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def cvr_ok(digits: str) -> bool:
    """The CVR modulus-11 rule on 8 ASCII digits."""
    return sum(int(d) * w for d, w in zip(digits, _CVR_WEIGHTS, strict=True)) % 11 == 0


def _read(value: str) -> tuple[Kind, str]:
    """(kind, canonical form), or OrgNrError: either country's identifier."""
    text = value.strip()
    swedish = _SWEDISH.match(text)
    if swedish:
        if not _luhn_ok(swedish.group(1) + swedish.group(2)):
            raise OrgNrError(f"{short(value)} has a wrong check digit")
        return "SE", f"{swedish.group(1)}-{swedish.group(2)}"
    cvr = _CVR.match(text)
    if cvr:
        digits = "".join(cvr.groups())
        if not cvr_ok(digits):
            raise OrgNrError(f"{short(value)} has a wrong check digit (CVR-nummer)")
        return "DK", digits
    raise OrgNrError(
        f"{short(value)} is not an organisationsnummer (10 digits, NNNNNN-NNNN) "
        "or a CVR-nummer (8 digits)"
    )


def normalize_org_nr(value: str) -> str:
    """Canonical form of either kind (`NNNNNN-NNNN`, or a CVR's 8 digits), or OrgNrError
    saying what is wrong. For where the plan's country is not known yet."""
    return _read(value)[1]


def kind_of(org_nr: str) -> Kind:
    """Which kind a (canonical or written) identifier is; OrgNrError if neither."""
    return _read(org_nr)[0]


def kind_for_country(country: str) -> Kind:
    """The kind of identifier providers under a plan of `country` have."""
    return "DK" if country == "DK" else "SE"


def label(country: str) -> str:
    """The word texts use for the identifier under a plan of `country`."""
    return LABELS[kind_for_country(country)]


def label_of(org_nr: str) -> str:
    """The word for this identifier's kind ("organisationsnummer", "CVR-nummer"), by its shape:
    what an e-mail about the provider calls it. Unreadable or empty: "organisationsnummer"."""
    try:
        return LABELS[kind_of(org_nr)]
    except OrgNrError:
        return LABELS["SE"]


def normalize_for_country(value: str, country: str) -> str:
    """Canonical form, if `value` is the identifier a provider under a plan of `country` has;
    OrgNrError naming the kind needed otherwise (a valid CVR under a Swedish plan, too)."""
    kind, canonical = _read(value)
    wanted = kind_for_country(country)
    if kind != wanted:
        raise OrgNrError(
            f"{canonical} är ett {LABELS[kind]}, men planen gäller "
            f"{'Danmark' if wanted == 'DK' else 'Sverige'} och kräver ett {LABELS[wanted]} "
            f"({_FORMS[wanted]}) (the wrong kind of identifier for the plan's country)"
        )
    return canonical


def org_digits(org_nr: str) -> str:
    """The form used in workflow ids: digits only."""
    return org_nr.replace("-", "")
