"""Follow-up plan schema: a municipality's uppföljningsplan as data (`plans/<id>.toml`).

A plan says *what* is due *when* and *to whom*; `models.domain.calendar` turns it into concrete
dated
occurrences. Everything is validated strictly (unknown keys are errors) so a typo in a plan file is
refused with the key that is wrong instead of silently producing no reminders.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.domain.mail_fields import EmailAddress
from models.domain.quote import short
from models.plans.findings import Findings, check_findings

KEY_RE = r"^[a-z][a-z0-9-]*$"
PROVIDER_ROLE = "provider"
"""The provider's contact address is not in the plan; it comes from the contract."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(Strict):
    title: str = Field(min_length=1, description="shown to people, e.g. 'LOV-administratör'")
    email: EmailAddress  # goes into To: one plain address (models.domain.mailsafe)


class MonthDay(Strict):
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _real_day(self) -> MonthDay:
        # 2024 is a leap year, so 29 February is allowed here and clamped in non-leap years.
        try:
            date(2024, self.month, self.day)
        except ValueError:
            raise ValueError(f"day: month {self.month} has no day {self.day}") from None
        return self


class Period(Strict):
    """One period within a year, e.g. a tertial or half-year."""

    label: str = Field(pattern=r"^[A-Z][A-Z0-9]*$", description="T1, H2, Q3 …")
    start: MonthDay
    end: MonthDay
    due: MonthDay

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        # Periods lie within one calendar year; a reversed range would silently date nothing.
        if (self.end.month, self.end.day) < (self.start.month, self.start.day):
            raise ValueError("end: must not be before start")
        if (self.due.month, self.due.day) < (self.start.month, self.start.day):
            raise ValueError("due: must not be before start")
        return self


class FirstOccurrence(Strict):
    """Which occurrences a contract owes in its first months.

    - `min-lead-days`: owed when the contract started at least `days` before the nominal due date.
    - `full-period`: owed only when the contract was running on the first day of the period.
    - `due-after-start`: owed whenever the due date falls after the contract start.
    """

    rule: Literal["min-lead-days", "full-period", "due-after-start"] = "min-lead-days"
    days: int = Field(default=60, ge=0, le=730)


class AnnualSchedule(Strict):
    kind: Literal["annual"]
    due: MonthDay
    # Optional window start (e.g. KKIK measured in September/October); defaults to 1 January.
    opens: MonthDay | None = None
    every_years: int = Field(default=1, ge=1, le=10)
    # "contract-start": years start+every, start+2·every … (the application already
    # supplied the documents); an integer: a fixed municipal cycle, years anchor + k·every.
    anchor: Literal["contract-start"] | Annotated[int, Field(ge=2000, le=2100)] = "contract-start"
    # Restricts the schedule to the years the administration opts in (KKIK). Empty = all years.
    only_years: tuple[int, ...] = ()

    @model_validator(mode="after")
    def _window(self) -> AnnualSchedule:
        if self.opens and (self.opens.month, self.opens.day) > (self.due.month, self.due.day):
            raise ValueError("opens: must not be after due")
        return self


class PeriodicSchedule(Strict):
    kind: Literal["periodic"]
    periods: tuple[Period, ...] = Field(min_length=1)

    @field_validator("periods")
    @classmethod
    def _unique_labels(cls, periods: tuple[Period, ...]) -> tuple[Period, ...]:
        labels = [p.label for p in periods]
        if len(set(labels)) != len(labels):
            raise ValueError(f"period labels must be unique, got {labels}")
        return periods


Schedule = Annotated[AnnualSchedule | PeriodicSchedule, Field(discriminator="kind")]

# The municipality's own duties (issue 19) use the same schedules; their module completes its
# models with `Schedule` here.
from models.plans.municipal_duties import (  # noqa: E402
    Municipal,
    MunicipalDuty,
    MunicipalRole,
    check_references,
)

MunicipalDuty.model_rebuild(_types_namespace={"Schedule": Schedule})
Municipal.model_rebuild()


FieldType = Literal["count", "text", "bool", "percent", "date"]
# The types a range (`min`/`max`) and a comparison (`[[checks]]`) apply to.
NUMERIC_TYPES = ("count", "percent")
PERCENT_RANGE = (0, 100)


class ReportField(Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    type: FieldType = "count"
    required: bool = True
    # Optional bounds of a count or percent (inclusive). A count is never below 0 and a percent
    # always lies within 0–100; these narrow that. Optional with a default: plans are copied into
    # workflow inputs (ObligationInput.obligation), and stored histories have no such key.
    min: int | float | None = None
    max: int | float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> ReportField:
        if self.min is None and self.max is None:
            return self
        if self.type not in NUMERIC_TYPES:
            raise ValueError(f"min/max: only for a count or percent field, not {self.type!r}")
        low, high = self.bounds()
        if high is not None and low > high:
            raise ValueError("min: must not be greater than max")
        if self.type == "count" and any(
            isinstance(b, float) and not b.is_integer() for b in (self.min, self.max)
        ):
            raise ValueError("min/max: a count's bounds are whole numbers")
        if self.type == "count" and self.min is not None and self.min < 0:
            raise ValueError("min: a count is never below 0")
        if self.type == "percent" and any(
            b is not None and not PERCENT_RANGE[0] <= b <= PERCENT_RANGE[1]
            for b in (self.min, self.max)
        ):
            raise ValueError("min/max: a percent lies within 0–100")
        return self

    def bounds(self) -> tuple[int | float, int | float | None]:
        """The inclusive range a count or percent must lie in (no upper bound: None)."""
        if self.type == "percent":
            low, high = PERCENT_RANGE
            return (
                low if self.min is None else self.min,
                high if self.max is None else self.max,
            )
        return (0 if self.min is None else self.min, self.max)


class FieldCheck(Strict):
    """A rule between two numeric fields of one submission: `field` at most (or at least)
    `other`, e.g. the customers with a current care plan at most the customers. Checked only
    when both are given. Shares computed from counts (compliance report) stay within 100 %."""

    field: str
    at_most: str | None = None
    at_least: str | None = None

    @model_validator(mode="after")
    def _one_comparison(self) -> FieldCheck:
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError("give exactly one of at_most and at_least")
        return self

    @property
    def other(self) -> str:
        other = self.at_most if self.at_most is not None else self.at_least
        assert other is not None
        return other


class Document(Strict):
    key: str = Field(pattern=KEY_RE)
    title: str
    required: bool = True


class Obligation(Strict):
    key: str = Field(pattern=KEY_RE)
    title: str
    description: str = ""
    recipient: str = Field(description="role key that receives the submission")
    schedule: Schedule
    documents: tuple[Document, ...] = ()
    fields: tuple[ReportField, ...] = ()
    # Rules between fields (optional, default none: see ReportField.min on stored inputs).
    checks: tuple[FieldCheck, ...] = ()
    reminder_offsets_days: tuple[int, ...] | None = None
    first_occurrence: FirstOccurrence | None = None
    # What happens to an occurrence due after a termination's end date.
    after_termination: Literal["cancel", "keep"] = "cancel"
    # The recipient (e.g. the förvaltningsekonom for the årsredovisning) is told when the duty
    # is late, with the ladder's own roles; a plan can opt out per obligation.
    late_notices_to_recipient: bool = True
    # What the duty reports on: its own period (default), or the fiscal year before its follow-up
    # year ("previous-year": the årsredovisning due 31 July 2026 is for räkenskapsåret 2025), as
    # the e-mails say.
    covers: Literal["period", "previous-year"] = "period"

    @field_validator("reminder_offsets_days")
    @classmethod
    def _offsets(cls, value: tuple[int, ...] | None) -> tuple[int, ...] | None:
        # Validated here (not in Plan) so the error names this obligation's key path.
        return None if value is None else _check_offsets(value)

    @model_validator(mode="after")
    def _something_to_submit(self) -> Obligation:
        if not self.documents and not self.fields:
            raise ValueError("an obligation needs at least one document or report field")
        for name, items in (("documents", self.documents), ("fields", self.fields)):
            keys = [i.key for i in items]
            if len(set(keys)) != len(keys):
                raise ValueError(f"{name}: keys must be unique, got {keys}")
        types = {f.key: f.type for f in self.fields}
        for i, check in enumerate(self.checks):
            for name, key in (("field", check.field), ("other", check.other)):
                if types.get(key) not in NUMERIC_TYPES:
                    which = (
                        name
                        if name == "field"
                        else ("at_most" if check.at_most is not None else "at_least")
                    )
                    raise ValueError(
                        f"checks[{i}].{which}: {short(key)} is not a count or percent field of "
                        f"this obligation"
                    )
            if check.field == check.other:
                raise ValueError(f"checks[{i}]: a field compared with itself")
            if types[check.field] != types[check.other]:
                raise ValueError(f"checks[{i}]: compares a count with a percent")
        return self


class EscalationStep(Strict):
    level: int = Field(ge=1)
    after_days: int = Field(ge=0, le=365, description="days after the due date")
    kind: str = Field(pattern=KEY_RE, description="template/kind, e.g. overdue, pafpekande")
    title: str
    notify: tuple[str, ...] = Field(min_length=1, description="role keys, 'provider' allowed")


class Skallkrav(Strict):
    key: str = Field(pattern=KEY_RE)
    title: str
    description: str = ""
    evidence: str = ""


class OfficeHours(Strict):
    start: time = time(8, 0)
    end: time = time(16, 30)
    send_at: time = time(9, 0)

    @model_validator(mode="after")
    def _ordered(self) -> OfficeHours:
        if not (self.start <= self.send_at < self.end):
            raise ValueError("send_at must lie within start..end")
        return self


class Meetings(Strict):
    per_year: int = Field(default=2, ge=0, le=12)
    windows: tuple[Period, ...] = ()
    # Role that calls the meetings (Sundsvall: the quality controller); default the administrator.
    organizer: str | None = None

    @model_validator(mode="after")
    def _windows(self) -> Meetings:
        if self.windows and len(self.windows) != self.per_year:
            raise ValueError(f"windows: {len(self.windows)} given for per_year = {self.per_year}")
        labels = [w.label for w in self.windows]
        if len(set(labels)) != len(labels):
            raise ValueError(f"windows: labels must be unique, got {labels}")
        return self


class Kundval(Strict):
    """Customer choice (kundval, seed 001): the customer's placement with a provider.

    Days are calendar days; a genomförandeplan due date that falls on a holiday moves to the next
    business day like every other deadline.
    """

    # The provider writes the genomförandeplan with the customer within this many days of start.
    care_plan_days: int = Field(default=14, ge=1, le=90)
    care_plan_reminder_days: tuple[int, ...] = (7, 2)
    # A switch of provider takes effect within this window (Strängnäs: 7–14 days).
    switch_min_days: int = Field(default=7, ge=0, le=60)
    switch_max_days: int = Field(default=14, ge=0, le=90)
    # Time a customer has to choose (again, after a provider's termination) before the
    # turordningslista assigns the provider next in turn.
    choice_days: int = Field(default=14, ge=1, le=90)
    # Who contacts the customer (biståndshandläggare); default the plan's administrator.
    case_officer_role: str | None = None

    @field_validator("care_plan_reminder_days")
    @classmethod
    def _offsets(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return _check_offsets(value)

    @model_validator(mode="after")
    def _window(self) -> Kundval:
        if self.switch_max_days < self.switch_min_days:
            raise ValueError("switch_max_days: must not be less than switch_min_days")
        return self


class Plan(Strict):
    id: str = Field(pattern=KEY_RE)
    name: str
    version: str = Field(min_length=1, description="bumped on every revision; recorded per year")
    country: Literal["SE", "DK", "NO", "FI"] = "SE"
    language: Literal["sv", "da"] = "sv"
    time_zone: str = "Europe/Stockholm"
    holiday_calendar: Literal["SE", "DK", "NO", "FI", "none"] = "SE"
    office_hours: OfficeHours = OfficeHours()
    reminder_offsets_days: tuple[int, ...] = (30, 7, 1)
    first_occurrence: FirstOccurrence = FirstOccurrence()
    # The contract workflow prepares follow-up year Y on this day of Y-1 (and loads the plan then).
    prepare_next_year_on: MonthDay = MonthDay(month=12, day=1)
    administrator_role: str = "lov-admin"
    roles: dict[str, Role] = Field(min_length=1)
    escalation: tuple[EscalationStep, ...] = Field(min_length=1)
    skallkrav: tuple[Skallkrav, ...] = ()
    decision_weeks: int = Field(default=12, ge=1, le=52)
    response_days: int = Field(default=14, ge=1, le=90)
    meetings: Meetings = Meetings()
    kundval: Kundval = Kundval()
    # Findings (brister), kommunicering and the sanction ladder (models/plans/findings.py).
    findings: Findings | None = None
    obligations: tuple[Obligation, ...] = Field(min_length=1)
    # The municipality's own duties and the roles that own them (models.plans.municipal_duties).
    municipal: Municipal = Municipal()
    # Provider duties taken out of the plan file (issue 19: they stood in for the
    # municipality's own checks). Never scheduled again; kept so that a contract whose current
    # year still runs one (its obligation workflow holds its own copy) is still shown the
    # duty's title, fields and recipient by the portal, the desk and the CLI.
    retired_obligations: tuple[Obligation, ...] = ()

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {short(value)}") from err
        return value

    @field_validator("reminder_offsets_days")
    @classmethod
    def _offsets(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return _check_offsets(value)

    @field_validator("roles")
    @classmethod
    def _role_keys(cls, roles: dict[str, Role]) -> dict[str, Role]:
        for key in roles:
            if not re.match(KEY_RE, key):
                raise ValueError(f"role key {short(key)} must match {KEY_RE}")
            if key == PROVIDER_ROLE:
                raise ValueError("'provider' is reserved: its address comes from the contract")
        return roles

    @model_validator(mode="after")
    def _references(self) -> Plan:
        known = set(self.roles) | {PROVIDER_ROLE}
        # Messages start with the offending key path ("<path>: …"); plan_loader reports it.
        roles = ", ".join(sorted(self.roles))
        if self.administrator_role not in self.roles:
            raise ValueError(
                f"administrator_role: {short(self.administrator_role)} is not a role "
                f"(roles: {roles})"
            )
        organizer = self.meetings.organizer
        if organizer is not None and organizer not in self.roles:
            raise ValueError(
                f"meetings.organizer: unknown role {short(organizer)} (roles: {roles})"
            )
        officer = self.kundval.case_officer_role
        if officer is not None and officer not in self.roles:
            raise ValueError(
                f"kundval.case_officer_role: unknown role {short(officer)} (roles: {roles})"
            )
        keys = [o.key for o in self.obligations]
        if len(set(keys)) != len(keys):
            raise ValueError(f"obligations: keys must be unique, got {keys}")
        for i, ob in enumerate(self.obligations):
            if ob.recipient not in self.roles:
                raise ValueError(
                    f"obligations[{i}] ({ob.key}).recipient: unknown role {short(ob.recipient)}"
                    f" (roles: {roles})"
                )
        levels = [s.level for s in self.escalation]
        if levels != list(range(1, len(levels) + 1)):
            raise ValueError(f"escalation: levels must be 1, 2, 3 … in order, got {levels}")
        days = [s.after_days for s in self.escalation]
        if days != sorted(days):
            raise ValueError("escalation: after_days must not decrease from one level to the next")
        for i, step in enumerate(self.escalation):
            for role in step.notify:
                if role not in known:
                    raise ValueError(
                        f"escalation[{i}].notify: unknown role {short(role)} "
                        f"(roles: {roles}, provider)"
                    )
        req = [k.key for k in self.skallkrav]
        if len(set(req)) != len(req):
            raise ValueError(f"skallkrav: keys must be unique, got {req}")
        if self.findings is not None:
            check_findings(self.findings, {k.key: k.title for k in self.skallkrav}, set(self.roles))
        retired = {o.key for o in self.retired_obligations}
        if retired & set(keys):
            raise ValueError(
                f"retired_obligations: {sorted(retired & set(keys))} are still obligations"
            )
        for i, ob in enumerate(self.retired_obligations):
            if ob.recipient not in self.roles:
                raise ValueError(
                    f"retired_obligations[{i}] ({ob.key}).recipient: unknown role "
                    f"{short(ob.recipient)} (roles: {roles})"
                )
        check_references(self.municipal, set(self.roles))
        return self

    @property
    def known_obligations(self) -> tuple[Obligation, ...]:
        """The plan's duties and those retired from it: what records may name (titles)."""
        return (*self.obligations, *self.retired_obligations)

    def obligation(self, key: str) -> Obligation:
        """A duty of the plan, or one retired from it (still running for earlier contracts)."""
        for ob in self.known_obligations:
            if ob.key == key:
                return ob
        raise KeyError(key)

    def municipal_email(self, role: str) -> str:
        """The address of a municipal role, or of a plan role (a manager may be either)."""
        found = self.municipal.roles.get(role)
        return found.email if found is not None else self.roles[role].email

    def role_email(self, role: str) -> str:
        return self.roles[role].email


def _check_offsets(value: tuple[int, ...]) -> tuple[int, ...]:
    if any(v < 0 or v > 365 for v in value):
        raise ValueError("reminder offsets must be between 0 and 365 days")
    if len(set(value)) != len(value):
        raise ValueError("reminder offsets must be unique")
    return tuple(sorted(value, reverse=True))


__all__ = [
    "AnnualSchedule",
    "Document",
    "EscalationStep",
    "FieldCheck",
    "FirstOccurrence",
    "Kundval",
    "MonthDay",
    "Municipal",
    "MunicipalDuty",
    "MunicipalRole",
    "Obligation",
    "OfficeHours",
    "Period",
    "PeriodicSchedule",
    "Plan",
    "PROVIDER_ROLE",
    "ReportField",
    "Role",
    "Skallkrav",
    "date",
]
