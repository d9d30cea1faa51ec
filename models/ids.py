"""Every workflow id lovflow builds, and the parsers that read them back.

Workflow ids are stored in Temporal histories and name running workflows: a format changed here
would start a second workflow for the same thing, or lose the running one. So each format is
written once, here, and tests/models/test_ids.py pins it byte for byte.

| kind        | id                                                  |
|-------------|-----------------------------------------------------|
| contract    | `contract-<part>`                                   |
| obligation  | `obligation-<part>-<obligation key>-<period>`       |
| meeting     | `meeting-<part>-<year>-<window>`                    |
| application | `application-<part>-<n>`                            |
| recovery    | `recovery-<part>-<year>-<nnn>` (`<part>-<year>-<nnn>` is the case id) |
| placement   | `placement-<12 hex digits>` (says nothing about the customer) |
| rotation    | `rotation-<plan slug>` (one per municipality)       |
| portal link | `portal-link-<part>-<UTC yyyymmddThhmmssZ>` (one "send me a new link" e-mail) |
| finding     | `finding-<part>-<year>-<nnn>` (`<part>-<year>-<nnn>` is the finding id) |
| municipal duties | `municipal-duties-<plan slug>` (the municipality's own tasks, one per plan) |

`<part>` names the provider: the org nr's ten digits for a company (a Danish provider's CVR-nummer:
its eight digits, in the same place); for a sole trader, whose org
nr is a personnummer, the opaque key `ef-<16 hex>` (models.domain.provider_id) passed as `ref`.
`ref` is None for a company, and for contracts started before the key existed, so their ids (and
histories) stay as they were.

Pure functions only: workflow code imports this module (through imports_passed_through).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from datetime import UTC, datetime

from models.domain.orgnr import OrgNrError, normalize_org_nr, org_digits

CONTRACT_PREFIX = "contract-"
OBLIGATION_PREFIX = "obligation-"
MEETING_PREFIX = "meeting-"
APPLICATION_PREFIX = "application-"
RECOVERY_PREFIX = "recovery-"
PLACEMENT_PREFIX = "placement-"
ROTATION_PREFIX = "rotation-"
PORTAL_LINK_PREFIX = "portal-link-"
FINDING_PREFIX = "finding-"

# The provider part of an id: org nr digits (10, or a CVR's 8), or a sole trader's opaque key.
_PART = r"[0-9]{10}|[0-9]{8}|ef-[0-9a-f]{16}"
_APPLICATION_ID = re.compile(rf"^application-({_PART})-([1-9][0-9]{{0,3}})$")
_CASE_ID = re.compile(rf"^(?:recovery-)?({_PART})-([0-9]{{4}})-([0-9]{{3,}})$")
_FINDING_ID = re.compile(rf"^(?:finding-)?({_PART})-([0-9]{{4}})-([0-9]{{3,}})$")
_PLACEMENT_ID = re.compile(r"^placement-[0-9a-f]{12}$")


class ApplicationRefError(ValueError):
    pass


class CaseIdError(ValueError):
    pass


class FindingIdError(ValueError):
    pass


# --- the provider -------------------------------------------------------------------------------


def id_part(org_nr: str, ref: str | None = None) -> str:
    """What names the provider inside workflow ids."""
    return ref or org_digits(org_nr)


def search_value(org_nr: str, ref: str | None = None) -> str:
    """The LovOrgNr search attribute's value: the org nr, or the opaque key instead of it."""
    return ref or org_nr


# --- contracts, obligations, meetings -----------------------------------------------------------


def contract_workflow_id(org_nr: str, ref: str | None = None) -> str:
    return f"{CONTRACT_PREFIX}{id_part(org_nr, ref)}"


def contract_id_part(workflow_id: str) -> str:
    """The provider part of a contract's id: the part its obligations and meetings are named by
    (the opaque key, or the digits for a company and for a contract from before the key)."""
    return workflow_id.removeprefix(CONTRACT_PREFIX)


def obligation_workflow_id(org_nr: str, key: str, period: str, ref: str | None = None) -> str:
    """`obligation-<part>-<key>-<period>`, e.g. obligation-5560360793-self-inspection-2027-T1."""
    return f"{OBLIGATION_PREFIX}{id_part(org_nr, ref)}-{key}-{period}"


def meeting_workflow_id(org_nr: str, period: str, ref: str | None = None) -> str:
    """`meeting-<part>-<year>-<window label>`, e.g. meeting-5560360793-2027-H1."""
    return f"{MEETING_PREFIX}{id_part(org_nr, ref)}-{period}"


def is_meeting_id(text: str) -> bool:
    return text.strip().startswith(MEETING_PREFIX)


# --- applications -------------------------------------------------------------------------------


def application_workflow_id(org_nr: str, number: int, ref: str | None = None) -> str:
    """`application-<part>-<n>`: the n-th application from this org nr."""
    return f"{APPLICATION_PREFIX}{id_part(normalize_org_nr(org_nr), ref)}-{number}"


def parse_application_id(text: str) -> tuple[str, int]:
    """The org nr (NNNNNN-NNNN) — or a sole trader's opaque key — and number of an application
    id; ApplicationRefError if not one."""
    match = _APPLICATION_ID.match(text.strip())
    if match is None:
        raise ApplicationRefError(
            f"not an application id (application-<orgnr>-<n>) or org nr: {text!r}"
        )
    if match.group(1).startswith("ef-"):
        return match.group(1), int(match.group(2))
    try:
        org_nr = normalize_org_nr(match.group(1))
    except OrgNrError as err:
        raise ApplicationRefError(str(err)) from None
    return org_nr, int(match.group(2))


# --- recoveries ---------------------------------------------------------------------------------


def case_id_for(org_nr: str, year: int, number: int, ref: str | None = None) -> str:
    """`<part>-<year>-<nnn>`: numbered per provider and year, e.g. 5560360793-2027-001."""
    return f"{id_part(org_nr, ref)}-{year}-{number:03d}"


def recovery_workflow_id(case_id: str) -> str:
    return f"{RECOVERY_PREFIX}{case_id}"


def parse_case_id(text: str) -> str:
    """The case id from what was typed (the workflow id is accepted too); CaseIdError if not
    one."""
    match = _CASE_ID.match(text.strip())
    if not match:
        raise CaseIdError(f"{text!r} is not a case id (e.g. 5560360793-2027-001, shown by start)")
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}"


# --- findings (brister) ----------------------------------------------------------------------


def finding_id_for(org_nr: str, year: int, number: int, ref: str | None = None) -> str:
    """`<part>-<year>-<nnn>`: numbered per provider and year, e.g. 5560360793-2027-001."""
    return f"{id_part(org_nr, ref)}-{year}-{number:03d}"


def finding_workflow_id(finding_id: str) -> str:
    return f"{FINDING_PREFIX}{finding_id}"


def parse_finding_id(text: str) -> str:
    """The finding id from what was typed (the workflow id is accepted too); FindingIdError if
    not one."""
    match = _FINDING_ID.match(text.strip())
    if not match:
        raise FindingIdError(
            f"{text!r} is not a finding id (e.g. 5560360793-2027-001, shown by register)"
        )
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}"


# --- placements and the rotation list -----------------------------------------------------------


def new_placement_id(request_id: str | None = None) -> str:
    """A generated id: says nothing about the customer. Derived from the CLI's request id when
    there is one, so a retried start names the same placement instead of a second one."""
    if request_id is None:
        return f"{PLACEMENT_PREFIX}{uuid.uuid4().hex[:12]}"
    digest = hashlib.sha256(f"placement:{request_id}".encode()).hexdigest()
    return f"{PLACEMENT_PREFIX}{digest[:12]}"


def is_placement_id(text: str) -> bool:
    return bool(_PLACEMENT_ID.match(text.strip()))


def slug(text: str) -> str:
    """`Norra Centrum` → `norra-centrum`; å/ä/ö folded, for workflow ids and list keys."""
    folded = unicodedata.normalize("NFKD", text.strip().casefold())
    ascii_text = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def list_key(area: str, service_type: str) -> str:
    """The rotation list of one area and service type. Not a workflow id, but kept in the
    rotation workflow's state (and histories) under this name, so it is as fixed as one."""
    return f"{slug(area)}/{slug(service_type)}"


def rotation_workflow_id(plan_id: str) -> str:
    """One rotation workflow per municipality (plan): it owns every list of that municipality."""
    return f"{ROTATION_PREFIX}{slug(plan_id)}"


# --- the portal's "send me a new link" e-mail ---------------------------------------------------


def portal_link_workflow_id(org_nr: str, at: datetime, ref: str | None = None) -> str:
    """`portal-link-<part>-<UTC second>`, e.g. portal-link-5560360793-20270104T093000Z: one per
    provider and second, so a form sent twice in the same second sends one e-mail."""
    return f"{PORTAL_LINK_PREFIX}{id_part(org_nr, ref)}-{at.astimezone(UTC):%Y%m%dT%H%M%SZ}"


# --- the municipality's own duties (issue 19) ---------------------------------------------------

MUNICIPAL_DUTIES_PREFIX = "municipal-duties-"


def municipal_duties_workflow_id(plan_id: str) -> str:
    """One municipal duties workflow per plan (municipality): `municipal-duties-<plan slug>`."""
    return f"{MUNICIPAL_DUTIES_PREFIX}{slug(plan_id)}"
