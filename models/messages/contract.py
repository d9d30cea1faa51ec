"""Messages of the contract workflow: its input, admin requests, status, the year plan and record
writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from models.domain.calendar import CalendarRules, MeetingWindow, Occurrence
from models.domain.inputs import Actor, Day, Key
from models.domain.mail_fields import EmailAddress, OneLine
from models.messages.common import HeldMailStatus, Message, Provider, Termination
from models.messages.meeting import (
    MeetingInput,
)
from models.messages.obligation import (
    ItemStatus,
    ObligationInput,
    ObligationSummary,
)
from models.plans.schema import Obligation, Role


class ContractInput(Message):
    provider: Provider
    contract_start: Day
    plan_id: str
    search_attributes: bool = True
    # Carried across continue-as-new; absent on the first run.
    year: int | None = None
    items: dict[str, ItemStatus] = Field(default_factory=dict)
    done_before: dict[str, int] = Field(default_factory=dict)
    plan_versions: dict[int, str] = Field(default_factory=dict)
    termination: Termination | None = None
    # Duties of the year the contract was registered in whose deadline had already passed: not
    # requested (nobody was told of them); the administrator may request each with a new due
    # date. Keyed as `items`.
    not_requested: dict[str, Occurrence] = Field(default_factory=dict)
    # The opaque key naming a sole trader in ids and search attributes (models.domain.provider_id);
    # None for a company (and contracts from before it): the org nr names it there.
    provider_ref: str | None = None
    # Who started the contract (the CLI's --actor or OS user, the administrator approving an
    # application), recorded with "contract-started". None in histories from before it was
    # recorded, and on continue-as-new: then "system", as before.
    actor: Actor | None = None
    # A contract started directly (`lov contract start`), not from an approved application
    # (whose decision mail already tells the provider): its first run mails the provider the
    # year's duties and dates. Absent (False) in inputs from before the welcome mail.
    welcome: bool = False


class RequestDutyRequest(Message):
    """Asks for a duty that was not requested when the contract was registered (its deadline
    had passed), with a new due date (moved to a business day like every deadline)."""

    obligation: Key
    period: Key
    due: Day
    actor: Actor


class TerminateRequest(Message):
    end_date: Day
    kind: Literal["uppsagning", "havning"]
    reason: str
    actor: Actor
    # Who gave notice, for the notice's wording: the municipality (as before this field) or the
    # provider (an uppsägning only; a hävning is always the municipality's).
    by: Literal["kommun", "utforare"] = "kommun"


class ChangeContactRequest(Message):
    email: EmailAddress
    name: OneLine | None = None
    actor: Actor


class ContractStatus(Message):
    workflow_id: str
    provider: Provider
    plan_id: str
    contract_start: date
    year: int
    # The workflow reports "active" from registration on; the application layer reads it as
    # "not-started" before contract_start (models.domain.contract_state).
    state: Literal["active", "terminating", "terminated", "not-started"]
    termination: Termination | None
    plan_versions: dict[int, str]
    obligations: dict[str, ObligationSummary]
    # The plan's time zone: whose calendar says which day it is for this contract.
    time_zone: str = "Europe/Stockholm"
    # Duties whose deadline had passed when the contract was registered (ContractInput).
    not_requested: list[Occurrence] = Field(default_factory=list)
    # E-mails held until office hours (workflows/office_hours.py); none in older results.
    mail_held: list[HeldMailStatus] = Field(default_factory=list)


class OpenObligations(Message):
    obligations: list[ObligationInput]
    # Added with the follow-up meetings; absent in requests recorded before them.
    meetings: list[MeetingInput] = Field(default_factory=list)


class LoadYearRequest(Message):
    plan_id: str
    contract_start: date
    # The follow-up year to load; None on a contract's first run: the year being followed up
    # at `at` in the plan's time zone (the next one once it has been prepared).
    year: int | None = None
    at: datetime | None = None
    end_date: date | None = None


class YearPlan(Message):
    year: int
    plan_id: str
    plan_version: str
    plan_digest: str
    language: str
    time_zone: str
    roles: dict[str, Role]
    administrator_role: str
    next_year_at: datetime
    occurrences: list[Occurrence]
    obligations: dict[str, Obligation]
    rules: dict[str, CalendarRules]
    # Added with the follow-up meetings; absent in results recorded before them.
    meetings: list[MeetingWindow] = Field(default_factory=list)
    # The plan's calendar and office hours (when e-mails go out); absent in older results.
    calendar: CalendarRules | None = None


class ContractRecord(Message):
    workflow_id: str
    provider: Provider
    plan_id: str
    contract_start: date
    at: datetime


class ContractYearRecord(Message):
    workflow_id: str
    year: int
    plan_id: str
    plan_version: str
    at: datetime


class ContractStateRecord(Message):
    workflow_id: str
    org_nr: str
    state: Literal["active", "terminating", "terminated"]
    at: datetime
    termination: Termination | None = None


class ContactChange(Message):
    org_nr: str
    name: str
    email: str
    at: datetime
