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
from models.domain.mailsafe import EmailAddress, OneLine
from models.domain.orgnr import OrgNrError, normalize_org_nr
from models.domain.quote import short
from models.plans.loader import PlanError, load_plan
from models.plans.schema import Plan

Action = Literal[
    "submit",
    "accept",
    "request-completion",
    "waive",
    "extend",
    "terminate",
    "change-contact",
]
# Actions on one occurrence need its obligation and period; the others act on the contract.
_ITEM_ACTIONS = {"submit", "accept", "request-completion", "waive", "extend"}
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


class ScenarioEvent(_Strict):
    on: Annotated[date | datetime, IN_RANGE]
    provider: str
    action: Action
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
    actor: Actor = "simulering"

    @field_validator("provider")
    @classmethod
    def _org_nr(cls, value: str) -> str:
        try:
            return normalize_org_nr(value)
        except OrgNrError as err:
            raise ValueError(str(err)) from err

    @model_validator(mode="after")
    def _needs(self) -> ScenarioEvent:
        if self.action in _ITEM_ACTIONS:
            if not self.obligation:
                raise ValueError(f"obligation: required for action {self.action!r}")
            if not self.period:
                raise ValueError(f"period: required for action {self.action!r}")
        if self.action in ("extend", "request-completion") and self.new_due is None:
            raise ValueError(f"new_due: required for action {self.action!r}")
        if self.action in ("extend", "waive", "terminate") and not self.reason.strip():
            raise ValueError(f"reason: required for action {self.action!r}")
        if self.action == "request-completion" and not self.note.strip():
            raise ValueError("note: required for request-completion (what is missing)")
        if self.action == "change-contact" and not self.email:
            raise ValueError("email: required for change-contact")
        return self


class Scenario(_Strict):
    plan: str | None = None
    start: Day
    until: Day
    providers: list[ScenarioProvider] = Field(min_length=1)
    events: list[ScenarioEvent] = Field(default_factory=list)

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
        for i, event in enumerate(self.events):
            if event.provider not in known:
                raise ValueError(f"events[{i}].provider: {event.provider} is not in providers")
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
    keys = {ob.key for ob in plan.obligations}
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
