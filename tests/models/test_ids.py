"""Workflow id formats, byte for byte: histories and running workflows are named by them, so a
changed format would orphan every running workflow of that kind (models.ids)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.domain.orgnr import normalize_org_nr
from models.domain.provider_id import ProviderIds
from models.ids import (
    ApplicationRefError,
    CaseIdError,
    application_workflow_id,
    case_id_for,
    contract_id_part,
    contract_workflow_id,
    id_part,
    is_meeting_id,
    is_placement_id,
    list_key,
    meeting_workflow_id,
    new_placement_id,
    obligation_workflow_id,
    parse_application_id,
    parse_case_id,
    portal_link_workflow_id,
    recovery_workflow_id,
    rotation_workflow_id,
    search_value,
)

COMPANY = "556036-0793"
# A sole trader's org nr is a personnummer: ids carry the opaque key computed from it.
SOLE_TRADER = "121212-1212"
REF = ProviderIds(bytes(32)).ref(SOLE_TRADER)


def _luhn_complete(nine: str) -> str:
    for last in "0123456789":
        digits = nine + last
        total = sum(
            (n - 9 if n > 9 else n)
            for n in (int(c) * (2 if i % 2 == 0 else 1) for i, c in enumerate(digits))
        )
        if total % 10 == 0:
            return f"{digits[:6]}-{digits[6:]}"
    raise AssertionError("unreachable")


org_nrs = st.text("0123456789", min_size=9, max_size=9).map(_luhn_complete)
refs = st.text("0123456789abcdef", min_size=16, max_size=16).map(lambda h: f"ef-{h}")
optional_refs = st.none() | refs


def test_the_sole_traders_key_has_the_shape_ids_expect() -> None:
    assert REF is not None and REF.startswith("ef-") and len(REF) == 19


def test_company_ids() -> None:
    assert id_part(COMPANY) == "5560360793"
    assert search_value(COMPANY) == COMPANY
    assert contract_workflow_id(COMPANY) == "contract-5560360793"
    assert obligation_workflow_id(COMPANY, "self-inspection", "2027-T1") == (
        "obligation-5560360793-self-inspection-2027-T1"
    )
    assert obligation_workflow_id(COMPANY, "annual-report", "2027") == (
        "obligation-5560360793-annual-report-2027"
    )
    assert meeting_workflow_id(COMPANY, "2027-H1") == "meeting-5560360793-2027-H1"
    assert application_workflow_id(COMPANY, 3) == "application-5560360793-3"
    # The application id accepts the org nr unnormalised, as typed.
    assert application_workflow_id("5560360793", 12) == "application-5560360793-12"
    assert case_id_for(COMPANY, 2027, 1) == "5560360793-2027-001"
    assert case_id_for(COMPANY, 2027, 1234) == "5560360793-2027-1234"
    assert recovery_workflow_id("5560360793-2027-001") == "recovery-5560360793-2027-001"


def test_sole_trader_ids_carry_the_key_never_the_personnummer() -> None:
    assert REF is not None
    ids = [
        contract_workflow_id(SOLE_TRADER, REF),
        obligation_workflow_id(SOLE_TRADER, "self-inspection", "2027-T1", REF),
        meeting_workflow_id(SOLE_TRADER, "2027-H2", REF),
        application_workflow_id(SOLE_TRADER, 2, REF),
        recovery_workflow_id(case_id_for(SOLE_TRADER, 2027, 7, REF)),
    ]
    assert ids == [
        f"contract-{REF}",
        f"obligation-{REF}-self-inspection-2027-T1",
        f"meeting-{REF}-2027-H2",
        f"application-{REF}-2",
        f"recovery-{REF}-2027-007",
    ]
    assert not any("1212121212" in i or SOLE_TRADER in i for i in ids)
    assert search_value(SOLE_TRADER, REF) == REF
    # Without a key (a contract from before it existed) the digits name it, as they always did.
    assert contract_workflow_id(SOLE_TRADER) == "contract-1212121212"


def test_placement_and_rotation_ids() -> None:
    # Derived from the request id, so a retried start names the same placement.
    assert new_placement_id("req-1") == new_placement_id("req-1") != new_placement_id("req-2")
    digest = hashlib.sha256(b"placement:req-1").hexdigest()[:12]
    assert new_placement_id("req-1") == f"placement-{digest}"
    fresh = new_placement_id()
    assert is_placement_id(fresh) and fresh != new_placement_id()
    assert is_placement_id(" placement-0123456789ab ")
    for bad in ("placement-0123456789AB", "placement-0123456789a", "placement-", "rotation-x"):
        assert not is_placement_id(bad), bad
    assert rotation_workflow_id("sundsvall") == "rotation-sundsvall"
    assert rotation_workflow_id("Östra Göinge") == "rotation-ostra-goinge"
    assert list_key("Norra Centrum", "Hemtjänst – service") == "norra-centrum/hemtjanst-service"


def test_meeting_ids_are_recognised() -> None:
    assert is_meeting_id(meeting_workflow_id(COMPANY, "2027-H1"))
    assert not is_meeting_id(COMPANY)


@given(org_nrs, st.integers(1, 9999), optional_refs)
def test_parse_application_id_inverts_the_builder(
    org_nr: str, number: int, ref: str | None
) -> None:
    wid = application_workflow_id(org_nr, number, ref)
    assert parse_application_id(wid) == (ref or normalize_org_nr(org_nr), number)
    assert parse_application_id(f"  {wid}\n") == (ref or org_nr, number)


@given(org_nrs, st.integers(1990, 2100), st.integers(1, 9999), optional_refs)
def test_parse_case_id_inverts_the_builder(
    org_nr: str, year: int, number: int, ref: str | None
) -> None:
    case = case_id_for(org_nr, year, number, ref)
    assert parse_case_id(case) == case
    assert parse_case_id(recovery_workflow_id(case)) == case


@given(org_nrs, optional_refs)
def test_contract_id_part_inverts_the_builder(org_nr: str, ref: str | None) -> None:
    part = contract_id_part(contract_workflow_id(org_nr, ref))
    assert part == id_part(org_nr, ref)
    # The part names the contract's obligations exactly as the contract itself does.
    assert obligation_workflow_id(org_nr, "k", "2027", part) == obligation_workflow_id(
        org_nr, "k", "2027", ref
    )


@pytest.mark.parametrize(
    "text",
    [
        "application-5560360793-0",  # numbers start at 1
        "application-5560360793-10000",
        "application-556036-0793-1",
        "application-5560360794-1",  # wrong check digit
        "application-ef-0123-1",
        "contract-5560360793",
        "",
    ],
)
def test_parse_application_id_refuses(text: str) -> None:
    with pytest.raises(ApplicationRefError):
        parse_application_id(text)


@pytest.mark.parametrize(
    "text", ["5560360793-27-1", "5560360793-2027-01", "meeting-5560360793-2027-001", "x"]
)
def test_parse_case_id_refuses(text: str) -> None:
    with pytest.raises(CaseIdError, match="is not a case id"):
        parse_case_id(text)


def test_portal_link_ids_name_the_provider_by_its_part_and_the_utc_second() -> None:
    at = datetime(2027, 1, 4, 10, 30, 5, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert portal_link_workflow_id(COMPANY, at) == "portal-link-5560360793-20270104T093005Z"
    assert portal_link_workflow_id(SOLE_TRADER, at, REF) == f"portal-link-{REF}-20270104T093005Z"
    assert "1212121212" not in portal_link_workflow_id(SOLE_TRADER, at.astimezone(UTC), REF)


def test_finding_ids_are_numbered_per_provider_and_year() -> None:
    from models.ids import FindingIdError, finding_id_for, finding_workflow_id, parse_finding_id

    finding = finding_id_for(COMPANY, 2031, 7)
    assert finding == "5560360793-2031-007"
    assert finding_workflow_id(finding) == "finding-5560360793-2031-007"
    assert parse_finding_id(" finding-5560360793-2031-007 ") == finding
    assert finding_id_for(SOLE_TRADER, 2031, 1, REF) == f"{REF}-2031-001"
    with pytest.raises(FindingIdError, match="is not a finding id"):
        parse_finding_id("recovery-5560360793-2031-007")


def test_municipal_duties_ids_are_one_per_plan() -> None:
    from models.domain.municipal_calendar import task_id
    from models.ids import municipal_duties_workflow_id

    assert municipal_duties_workflow_id("nordanstig") == "municipal-duties-nordanstig"
    # Task ids live in the workflow's state and histories: as fixed as workflow ids.
    assert task_id("kundundersokning", "2027") == "kundundersokning-2027"
    assert task_id("tillsynsbesok", "2027", "5560360793") == "tillsynsbesok-2027-5560360793"
