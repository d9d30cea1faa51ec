"""The municipality's own duties in a plan (issue 19, point 1): checks the municipality makes
itself — a tillsynsbesök at each provider, the yearly kundundersökning, the political
re-approval of the tilsyn policy — owned by a municipal role, with a schedule, reminders to the
owner and escalation to the owner's manager.

In the plan file they live under `[municipal]`, apart from the provider's `[[obligations]]`:

    [municipal.roles.quality-controller]
    title = "Kvalitetscontroller"
    email = "kvalitet@kommun.example"
    manager = "management"        # a role of [roles] or [municipal.roles]; escalation goes there

    [[municipal.duties]]
    key = "tillsynsbesok"
    title = "Tillsynsbesök hos utföraren"
    owner = "quality-controller"
    scope = "provider"            # one task per active provider; "municipality": one task
    escalate_after_days = 14
    [municipal.duties.schedule]   # the obligations' schedule vocabulary (annual / periodic)
    kind = "annual"
    due = { month = 11, day = 30 }

The cross-references (owner, manager) are checked by `check_references`, called from
`Plan`'s validator so that an error names its key path in the file.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.domain.mail_fields import EmailAddress
from models.domain.quote import short

if TYPE_CHECKING:
    from models.plans.schema import Schedule

KEY_RE = r"^[a-z][a-z0-9-]*$"
SCOPES = ("provider", "municipality")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MunicipalRole(_Strict):
    """A role in the municipality's own organisation: who does a duty, and whom a late duty is
    escalated to (`manager`, a key of `[roles]` or `[municipal.roles]`; none: the plan's
    administrator)."""

    title: str = Field(min_length=1, description="shown to people, e.g. 'Kvalitetscontroller'")
    email: EmailAddress
    manager: str | None = None


class MunicipalDuty(_Strict):
    key: str = Field(pattern=KEY_RE)
    title: str = Field(min_length=1)
    description: str = ""
    owner: str = Field(description="key of a [municipal.roles] role")
    scope: Literal["provider", "municipality"] = "municipality"
    # The obligations' schedule vocabulary (models.plans.schema, which completes this model).
    schedule: Schedule
    # Days before the due date the owner is reminded (default: the plan's reminder_offsets_days).
    reminder_offsets_days: tuple[int, ...] | None = None
    # Days after the due date the task, still not done, goes to the owner's manager.
    escalate_after_days: int = Field(default=7, ge=1, le=365)

    @field_validator("reminder_offsets_days")
    @classmethod
    def _offsets(cls, value: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if value is None:
            return None
        if any(v < 0 or v > 365 for v in value):
            raise ValueError("reminder offsets must be between 0 and 365 days")
        if len(set(value)) != len(value):
            raise ValueError("reminder offsets must be unique")
        return tuple(sorted(value, reverse=True))

    @model_validator(mode="after")
    def _cycle(self) -> MunicipalDuty:
        schedule = self.schedule
        # A municipality-wide duty has no contract to count a cycle from: every N years needs
        # the municipality's own anchor year.
        if (
            self.scope == "municipality"
            and getattr(schedule, "every_years", 1) > 1
            and getattr(schedule, "anchor", None) == "contract-start"
        ):
            raise ValueError(
                "schedule.anchor: a municipality duty every few years needs an anchor year"
            )
        return self


class Municipal(_Strict):
    roles: dict[str, MunicipalRole] = Field(default_factory=dict)
    duties: tuple[MunicipalDuty, ...] = ()

    @field_validator("roles")
    @classmethod
    def _role_keys(cls, roles: dict[str, MunicipalRole]) -> dict[str, MunicipalRole]:
        for key in roles:
            if not re.match(KEY_RE, key):
                raise ValueError(f"role key {short(key)} must match {KEY_RE}")
            if key == "provider":
                raise ValueError("'provider' is not a municipal role")
        return roles

    def duty(self, key: str) -> MunicipalDuty:
        for duty in self.duties:
            if duty.key == key:
                return duty
        raise KeyError(key)


def check_references(municipal: Municipal, plan_roles: set[str]) -> None:
    """Owners are municipal roles, managers roles of the plan; duty keys unique. Messages start
    with the key path, as the plan loader reports them."""
    own = ", ".join(sorted(municipal.roles)) or "none"
    for key, role in municipal.roles.items():
        if role.manager is not None and role.manager not in plan_roles | set(municipal.roles):
            raise ValueError(
                f"municipal.roles.{key}.manager: unknown role {short(role.manager)} "
                f"(roles: {', '.join(sorted(plan_roles | set(municipal.roles)))})"
            )
        if role.manager == key:
            raise ValueError(f"municipal.roles.{key}.manager: a role is not its own manager")
    keys = [d.key for d in municipal.duties]
    if len(set(keys)) != len(keys):
        raise ValueError(f"municipal.duties: keys must be unique, got {keys}")
    for i, duty in enumerate(municipal.duties):
        if duty.owner not in municipal.roles:
            raise ValueError(
                f"municipal.duties[{i}].owner: {short(duty.owner)} of duty {duty.key} is not "
                f"a role in [municipal.roles] (roles: {own})"
            )


__all__ = ["SCOPES", "Municipal", "MunicipalDuty", "MunicipalRole", "check_references"]

# schema.py defines `Schedule` and rebuilds MunicipalDuty with it; imported here so that
# importing this module alone also leaves the models complete.
import models.plans.schema  # noqa: E402, F401
