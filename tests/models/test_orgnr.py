"""models.domain.orgnr: a provider's identifier by the plan's country — a Swedish
organisationsnummer (Luhn) or a Danish CVR-nummer (modulus 11) — checked against the rules as
stated in tests.support.helpers, not as the module computes them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.domain.orgnr import (
    OrgNrError,
    kind_of,
    label,
    label_of,
    normalize_for_country,
    normalize_org_nr,
)
from models.ids import (
    case_id_for,
    contract_workflow_id,
    obligation_workflow_id,
    parse_application_id,
    parse_case_id,
)
from tests.support.helpers import CVR_WEIGHTS, cvr_check_digit, random_cvr, random_org_nr

# CVR numbers as municipalities print them (Københavns Kommune 64942212 among them), each
# checked by hand against the rule: e.g. 6·2+4·7+9·6+4·5+2·4+2·3+1·2+2·1 = 132 = 12·11.
KNOWN_CVR = ["64942212", "29189919", "29190925", "10103940"]


@pytest.mark.parametrize("cvr", KNOWN_CVR)
def test_known_cvr_numbers_are_valid(cvr: str) -> None:
    assert sum(int(d) * w for d, w in zip(cvr, CVR_WEIGHTS, strict=True)) % 11 == 0
    assert normalize_org_nr(cvr) == cvr
    assert normalize_for_country(cvr, "DK") == cvr
    assert kind_of(cvr) == "DK"


@given(seven=st.text("0123456789", min_size=7, max_size=7), last=st.integers(0, 9))
def test_cvr_rule_is_modulus_11_with_the_stated_weights(seven: str, last: int) -> None:
    valid = cvr_check_digit(seven) == last
    if valid:
        assert normalize_for_country(seven + str(last), "DK") == seven + str(last)
    else:
        with pytest.raises(OrgNrError, match="wrong check digit"):
            normalize_for_country(seven + str(last), "DK")


@pytest.mark.parametrize("written", ["DK{}", "dk {}", "{}", " {} "])
def test_a_cvr_is_read_in_its_usual_written_forms(written: str) -> None:
    cvr = random_cvr()
    assert normalize_org_nr(written.format(cvr)) == cvr
    spaced = " ".join(cvr[i : i + 2] for i in range(0, 8, 2))
    assert normalize_org_nr(spaced) == cvr


def test_a_valid_cvr_is_refused_under_a_swedish_plan_with_the_kind_needed() -> None:
    cvr = random_cvr()
    with pytest.raises(OrgNrError) as caught:
        normalize_for_country(cvr, "SE")
    assert str(caught.value).startswith(
        f"{cvr} är ett CVR-nummer, men planen gäller Sverige och kräver ett organisationsnummer "
        "(NNNNNN-NNNN)"
    )


def test_an_organisationsnummer_is_refused_under_a_danish_plan() -> None:
    org = random_org_nr()
    assert normalize_for_country(org, "SE") == org
    with pytest.raises(OrgNrError, match="planen gäller Danmark och kräver ett CVR-nummer"):
        normalize_for_country(org, "DK")


@pytest.mark.parametrize("text", ["1234567", "123456789", "DK1234567X", "12-34-56-74", "DK"])
def test_neither_kind_is_refused_naming_both(text: str) -> None:
    with pytest.raises(OrgNrError, match="organisationsnummer .* or a CVR-nummer"):
        normalize_org_nr(text)


def test_full_width_digits_never_make_a_cvr() -> None:
    cvr = random_cvr()
    with pytest.raises(OrgNrError):
        normalize_org_nr(cvr.translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"}))


def test_labels_follow_the_country_and_the_kind() -> None:
    assert (label("SE"), label("DK")) == ("organisationsnummer", "CVR-nummer")
    assert label_of(random_cvr()) == "CVR-nummer"
    assert label_of(random_org_nr()) == label_of("") == "organisationsnummer"


def test_ids_carry_the_cvr_digits_where_the_org_nr_digits_go() -> None:
    cvr = random_cvr()
    assert contract_workflow_id(cvr) == f"contract-{cvr}"
    assert obligation_workflow_id(cvr, "k", "2027") == f"obligation-{cvr}-k-2027"
    assert parse_application_id(f"application-{cvr}-2") == (cvr, 2)
    case = case_id_for(cvr, 2027, 1)
    assert case == f"{cvr}-2027-001" and parse_case_id(f"recovery-{case}") == case
    # The Swedish format is unchanged.
    assert contract_workflow_id("556036-0793") == "contract-5560360793"
