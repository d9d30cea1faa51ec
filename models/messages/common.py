"""Messages every concept shares: the base class, a provider's contact, a termination, a deadline to
date and a refused record's report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from models.domain.calendar import CalendarRules
from models.domain.mail_fields import EmailAddress, OneLine
from models.plans.schema import Role


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)


class Provider(Message):
    org_nr: str
    # Both end up in e-mail headers (To, subjects): one address, one line (models.domain.mailsafe).
    name: OneLine
    email: EmailAddress


class ContractItemInput(Message):
    """The fields every workflow a contract starts for one of its items (an obligation
    occurrence, a follow-up meeting) is given first; each subclass adds its own after them, so
    a subclass's fields, and its JSON, keep their order."""

    org_nr: str
    provider_name: str
    contract_workflow_id: str
    plan_id: str
    plan_version: str
    language: str


class Termination(Message):
    end_date: date
    kind: Literal["uppsagning", "havning"]
    reason: str
    actor: str
    requested_at: datetime


class DeadlineRequest(Message):
    rules: CalendarRules
    due: date


class OfficeHoursRequest(Message):
    """When an e-mail due at `at` goes out to people (models.domain.calendar
    office_hours_send_time): at once inside office hours, else the next working morning."""

    rules: CalendarRules
    at: datetime


class HeldMailStatus(Message):
    """An e-mail held until office hours (workflows/office_hours.py), as a status shows it."""

    kind: str
    to_roles: list[str]
    send_at: datetime


class DataErrorReport(Message):
    """A record the database refused for good (activities/data_errors.py): the workflow went on
    without it, and the administrator is told once under `key`."""

    key: str
    workflow_id: str
    workflow_type: str
    activity: str
    error: str
    at: datetime
    org_nr: str | None = None
    # The plan the failing workflow follows, when its input says (workflows.common.call): the
    # notice goes to that plan's administrator; without them, to the default plan's.
    plan_id: str | None = None
    roles: dict[str, Role] | None = None
