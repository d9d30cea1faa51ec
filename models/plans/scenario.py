"""Scenario files for `lov simulate` (docs/SCENARIOS.md): providers, dated administrator actions."""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from models.domain.file_input import MAX_SCENARIO_BYTES, FileInputError, load_toml
from models.domain.inputs import IN_RANGE, Actor, Day, OptionalDay, check_request
from models.domain.mail_fields import EmailAddress, OneLine
from models.domain.orgnr import OrgNrError, normalize_org_nr
from models.domain.quote import short
from models.plans.loader import PlanError, load_plan
from models.plans.schema import Plan

Action = Literal[
    # obligations and the contract (`lov contract …`)
    "submit",
    "accept",
    "request-completion",
    "waive",
    "extend",
    "terminate",
    "change-contact",
    # follow-up meetings (`lov meeting …`)
    "meeting-schedule",
    "meeting-reschedule",
    "meeting-minutes",
    "meeting-cancel",
    # återkrav (`lov recovery …`)
    "recovery-start",
    "recovery-respond",
    "recovery-decide",
    "recovery-settle",
    "recovery-paid",
    # kundval (`lov placement …`, `lov placement provider …`)
    "placement-start",
    "placement-choose",
    "placement-switch",
    "placement-plan-done",
    "placement-end",
    "rotation-add",
    "rotation-remove",
    # applications (`lov application …`)
    "application-submit",
    "application-assess",
    "application-request-completion",
    "application-complete",
    "application-decide",
    # findings, brister (`lov finding …`)
    "finding-register",
    "finding-respond",
    "finding-request-action-plan",
    "finding-submit-action-plan",
    "finding-verify",
    "finding-decide",
    "finding-close",
    # the municipality's own tasks (`lov task done`)
    "task-done",
]
_MEETING_TIME = {"year", "duration", "place", "link", "reason"}
# Per action: the keys it needs and the keys it may have besides (on, action and actor always).
# A key the action does not use is an error, so a typo or a misplaced key never goes unnoticed.
ACTION_KEYS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    action: (frozenset(needed), frozenset(optional))
    for action, needed, optional in (
        ("submit", {"provider", "obligation", "period"}, {"fields", "documents", "note"}),
        ("accept", {"provider", "obligation", "period"}, {"note"}),
        ("request-completion", {"provider", "obligation", "period", "new_due", "note"}, set()),
        ("waive", {"provider", "obligation", "period", "reason"}, set()),
        ("extend", {"provider", "obligation", "period", "new_due", "reason"}, set()),
        ("terminate", {"provider", "reason"}, {"end_date", "kind"}),
        ("change-contact", {"provider", "email"}, set()),
        ("meeting-schedule", {"provider", "window", "at"}, _MEETING_TIME),
        ("meeting-reschedule", {"provider", "window", "at"}, _MEETING_TIME),
        (
            "meeting-minutes",
            {"provider", "window", "summary"},
            {"year", "attendees", "action_items"},
        ),
        ("meeting-cancel", {"provider", "window", "reason"}, {"year"}),
        ("recovery-start", {"provider", "case", "lines"}, {"subject"}),
        ("recovery-respond", {"case", "response"}, {"comment"}),
        ("recovery-decide", {"case", "decision"}, {"amount", "lines", "reason"}),
        ("recovery-settle", {"case"}, {"invoice", "set_off"}),
        ("recovery-paid", {"case"}, {"note"}),
        (
            "placement-start",
            {"placement", "customer", "area", "service", "hours", "decision_date", "start_date"},
            set(),
        ),
        ("placement-choose", {"placement"}, {"provider", "rotation"}),
        ("placement-switch", {"placement", "provider"}, {"effective"}),
        ("placement-plan-done", {"placement"}, {"done_on"}),
        ("placement-end", {"placement", "reason"}, {"end_date"}),
        ("rotation-add", {"provider", "area", "service"}, set()),
        ("rotation-remove", {"provider"}, {"area", "service", "reason"}),
        (
            "application-submit",
            {"provider", "name", "email", "services", "areas"},
            {"documents", "requested_start"},
        ),
        ("application-assess", {"provider", "requirements", "met"}, {"note", "notes"}),
        ("application-request-completion", {"provider", "items"}, {"due", "note"}),
        ("application-complete", {"provider"}, {"documents", "note"}),
        ("application-decide", {"provider", "approve"}, {"reason", "contract_start"}),
        (
            "finding-register",
            {"provider", "finding", "requirement", "what"},
            {"severity", "source", "evidence"},
        ),
        ("finding-respond", {"finding", "comment"}, set()),
        ("finding-request-action-plan", {"finding", "due"}, {"note"}),
        ("finding-submit-action-plan", {"finding", "summary"}, set()),
        ("finding-verify", {"finding", "remedied"}, {"note"}),
        ("finding-decide", {"finding", "sanction", "reason"}, {"amount"}),
        ("finding-close", {"finding", "reason"}, set()),
        ("task-done", {"task", "result"}, {"provider", "period", "done_on", "by", "findings"}),
    )
}
# Keys every event has.
_COMMON_KEYS = {"on", "action", "actor"}
# Actions on one occurrence need its obligation and period; the others act on the contract.
_ITEM_ACTIONS = {"submit", "accept", "request-completion", "waive", "extend"}
MEETING_ACTION_OBLIGATION = "meeting-action"
# Who acts in a scenario when it names no one (`actor` of the scenario or of an event): a
# named administrator, as the CLI records its user, never the anonymous "system".
DEFAULT_ACTOR = "LOV-handläggare (simulering)"
# An event given as a bare date happens at this local time (office hours).
DEFAULT_EVENT_TIME = time(10, 0)
# The time-skipping server's default workflow execution timeout is ten years.
MAX_SCENARIO_DAYS = 3620
_PREFIX = re.compile(r"^([a-z_][a-z0-9_.\[\]]*): ")


class ScenarioError(ValueError):
    def __init__(self, file: str, key: str, message: str) -> None:
        super().__init__(f"{file}: {key}: {message}")
        self.file, self.key, self.message = file, key, message


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioProvider(_Strict):
    org_nr: str
    name: OneLine = Field(min_length=1)
    email: EmailAddress
    contract_start: Day

    @field_validator("org_nr")
    @classmethod
    def _org_nr(cls, value: str) -> str:
        try:
            return normalize_org_nr(value)
        except OrgNrError as err:
            raise ValueError(str(err)) from err


class ScenarioActionItem(_Strict):
    """An action item in a meeting's minutes (`lov meeting minutes --action`)."""

    owner: str
    due: Day
    text: str


class ScenarioEvent(_Strict):
    on: Annotated[date | datetime, IN_RANGE]
    action: Action
    # Unset in the file: the scenario's `actor` (filled in by Scenario).
    actor: Actor = DEFAULT_ACTOR
    # The provider acted on (an applicant for application-*; the chosen one for placements).
    provider: str | None = None
    # obligations and the contract
    obligation: str | None = None
    period: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    documents: list[str] = Field(default_factory=list)
    new_due: OptionalDay = None
    end_date: OptionalDay = None
    kind: Literal["uppsagning", "havning"] = "uppsagning"
    reason: str = ""
    note: str = ""
    email: EmailAddress | None = None
    # meetings: the window (H1) of `year` (default: the year of `on`)
    window: str | None = None
    year: int | None = None
    at: Annotated[datetime | None, IN_RANGE] = None
    duration: int = 90
    place: str | None = None
    link: str | None = None
    summary: str = ""
    attendees: list[str] = Field(default_factory=list)
    action_items: list[ScenarioActionItem] = Field(default_factory=list)
    # recoveries: `case` is the scenario's own name for a case, given when it is started
    case: str | None = None
    lines: list[str] = Field(default_factory=list)
    subject: str = ""
    response: Literal["accept", "dispute"] | None = None
    comment: str = ""
    decision: Literal["confirm", "adjust", "withdraw"] | None = None
    amount: str | int | float | None = None
    invoice: str | None = None
    set_off: bool = False
    # placements: `placement` is the scenario's own name for one, given when it is started
    placement: str | None = None
    customer: str | None = None
    area: str | None = None
    service: str | None = None
    hours: str | int | float | None = None
    decision_date: OptionalDay = None
    start_date: OptionalDay = None
    rotation: bool = False
    effective: OptionalDay = None
    done_on: OptionalDay = None
    # applications (addressed by the applicant's org nr in `provider`: its latest application)
    name: OneLine | None = None
    services: list[str] = Field(default_factory=list)
    areas: list[str] = Field(default_factory=list)
    requested_start: OptionalDay = None
    requirements: list[str] = Field(default_factory=list)
    met: bool | None = None
    notes: dict[str, str] = Field(default_factory=dict)
    items: list[str] = Field(default_factory=list)
    due: OptionalDay = None
    approve: bool | None = None
    contract_start: OptionalDay = None
    # findings: `finding` is the scenario's own name for one, given when it is registered
    finding: str | None = None
    requirement: str | None = None
    severity: str = "medium"
    source: str = "own"
    what: str = ""
    evidence: str = ""
    remedied: bool | None = None
    sanction: str | None = None
    # the municipality's own tasks: `task` is the duty's key in the plan's [municipal] section,
    # `period` its period (default: the year of `on`), `provider` for a duty done at each
    # provider; `by` who did it (default: the event's actor), `done_on` when (default: `on`).
    task: str | None = None
    by: str | None = None
    result: str = ""
    findings: list[str] = Field(default_factory=list)

    @field_validator("provider")
    @classmethod
    def _org_nr(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalize_org_nr(value)
        except OrgNrError as err:
            raise ValueError(str(err)) from err

    @model_validator(mode="after")
    def _needs(self) -> ScenarioEvent:
        needed, optional = ACTION_KEYS[self.action]
        for key in sorted(self.model_fields_set - _COMMON_KEYS - needed - optional):
            takes = ", ".join(sorted(needed | optional))
            raise ValueError(f"{key}: not used by action {self.action!r} (it takes {takes})")
        for key in sorted(needed):
            value = getattr(self, key)
            if value is None or (isinstance(value, str | list | dict) and not value):
                if key == "note" and self.action == "request-completion":
                    raise ValueError("note: required for request-completion (what is missing)")
                raise ValueError(f"{key}: required for action {self.action!r}")
            if isinstance(value, str) and not value.strip():
                raise ValueError(f"{key}: required for action {self.action!r}")
        return self

    def item(self) -> tuple[str, str] | None:
        """The occurrence acted on (obligation, period), for actions on one."""
        if self.action in _ITEM_ACTIONS and self.obligation and self.period:
            return self.obligation, self.period
        return None


class Scenario(_Strict):
    plan: str | None = None
    start: Day
    until: Day
    # The administrator who starts the contracts and performs every event that names no one.
    actor: Actor = DEFAULT_ACTOR
    providers: list[ScenarioProvider] = Field(min_length=1)
    events: list[ScenarioEvent] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _events_act_as_the_scenario(cls, data: Any) -> Any:
        """An event without an `actor` is performed by the scenario's administrator."""
        if not isinstance(data, dict) or not isinstance(data.get("events"), list):
            return data
        actor = data.get("actor", DEFAULT_ACTOR)
        events = [{"actor": actor} | e if isinstance(e, dict) else e for e in data["events"]]
        return {**data, "events": events}

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        # The same rules as the CLI and the Update validators (dates, actors): names the key.
        check_request(self)
        if self.until <= self.start:
            raise ValueError("until: must be after start")
        if (self.until - self.start).days > MAX_SCENARIO_DAYS:
            raise ValueError(
                "until: at most 9 years and 11 months after start (the time-skipping test "
                "server ends every workflow after ten years)"
            )
        known = {p.org_nr for p in self.providers}
        if len(known) != len(self.providers):
            raise ValueError("providers: each org_nr may appear once")
        # An applicant becomes a provider once approved: events may act on it as on the others.
        applicants = {e.provider for e in self.events if e.action == "application-submit"}
        for i, event in enumerate(self.events):
            if event.provider is not None and event.provider not in known | applicants:
                raise ValueError(
                    f"events[{i}].provider: {event.provider} is not in providers (nor an "
                    "applicant of an application-submit event)"
                )
            day = event.on.date() if isinstance(event.on, datetime) else event.on
            if not self.start <= day <= self.until:
                raise ValueError(f"events[{i}].on: {day} is outside start..until")
        return self


def _key_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def load_scenario(path: Path, plans_dir: Path, default_plan: str) -> tuple[Scenario, Plan, str]:
    """The scenario, its plan and the plan reference to run it with; or ScenarioError naming
    the file and key."""
    name = str(path)
    try:
        raw = load_toml(path, MAX_SCENARIO_BYTES)
    except FileInputError as err:
        raise ScenarioError(name, "file", str(err)) from None
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(name, "toml", str(err)) from None
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        key = _key_path(tuple(first["loc"]))
        # Model-level checks start their message with the offending key ("until: …").
        prefixed = _PREFIX.match(message)
        if prefixed:
            key = f"{key}.{prefixed.group(1)}" if key else prefixed.group(1)
            message = message[prefixed.end() :]
        raise ScenarioError(name, key or "scenario", message) from None
    plan_ref = scenario.plan or default_plan
    if scenario.plan and not Path(scenario.plan).is_absolute() and scenario.plan.endswith(".toml"):
        # A plan path in a scenario is relative to the scenario file.
        candidate = (path.parent / scenario.plan).resolve()
        plan_ref = str(candidate) if candidate.exists() else scenario.plan
    try:
        plan = load_plan(plan_ref, plans_dir)
    except PlanError as err:
        raise ScenarioError(name, "plan", str(err)) from None
    # A meeting's action items for the provider are occurrences too, of an obligation the
    # meeting workflow adds (workflows/meeting.py ACTION_OBLIGATION), not the plan.
    keys = {ob.key for ob in plan.obligations} | {MEETING_ACTION_OBLIGATION}
    for i, event in enumerate(scenario.events):
        if event.obligation and event.obligation not in keys:
            raise ScenarioError(
                name,
                f"events[{i}].obligation",
                f"{short(event.obligation)} is not in plan {plan.id} ({', '.join(sorted(keys))})",
            )
    return scenario, plan, plan_ref


def event_instant(event: ScenarioEvent, zone_name: str) -> datetime:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)
    if isinstance(event.on, datetime):
        return event.on if event.on.tzinfo else event.on.replace(tzinfo=zone)
    return datetime.combine(event.on, DEFAULT_EVENT_TIME, zone)
