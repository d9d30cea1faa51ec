"""The plan's `[findings]` section: what a finding (brist) may cite and how it is followed up.

A finding is registered against a provider (from a review, a visit, a survey, a meeting or on
the municipality's own initiative) and cites one of the plan's `requirements` (a skallkrav of
the plan, an avtal clause or a law). The finding workflow (workflows/finding.py) sends a notice
with kommunicering (`response_days`), asks for an åtgärdsplan by a date within
`action_plan_min_days`..`action_plan_max_days`, reminds the provider `reminder_days` before it,
and when deadlines pass or the verification fails the administrator decides along the
`sanctions` ladder: påpekande → prisavdrag or vite (amounts in kronor) → proposal of hävning.

Its own module (imported by models.plans.schema) so the plan schema grows by one field; the
cross-checks against the rest of the plan (skallkrav keys, roles) are `check_findings`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.domain.quote import short
from models.domain.sanctions import (
    AMOUNT_KINDS,
    LADDER_ORDER,
    CollectMethod,
    SanctionKind,
    amount_problem,
)

_KEY_RE = r"^[a-z][a-z0-9-]*$"

RequirementKind = Literal["skallkrav", "avtal", "lag"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Requirement(_Strict):
    """A requirement a finding can cite. `kind = "skallkrav"`: `key` is one of the plan's
    skallkrav, whose title is used when none is given here."""

    key: str = Field(pattern=_KEY_RE)
    kind: RequirementKind
    title: str = ""
    # Where it is written, as people cite it: "Avtalet punkt 7.3", "SoL 3 kap. 1 §".
    reference: str = ""


class SanctionStep(_Strict):
    kind: SanctionKind
    title: str = Field(min_length=1)
    # Prisavdrag/vite: the amount in kronor the decision proposes (a decision may set another).
    amount: Decimal | None = None
    # Roles told besides the provider and the administrator (hävning: management).
    notify: tuple[str, ...] = ()
    # Prisavdrag/vite: how the decided amount is collected. "invoice": listed for the finance
    # system (`lov finding sanctions`). Absent: recorded only; collecting it is manual.
    collect: CollectMethod | None = None

    @field_validator("amount")
    @classmethod
    def _kronor(cls, value: Decimal | None) -> Decimal | None:
        if value is not None:
            reason = amount_problem(value)
            if reason:
                raise ValueError(reason)
        return value

    @model_validator(mode="after")
    def _amount_kind(self) -> SanctionStep:
        if self.amount is not None and self.kind not in AMOUNT_KINDS:
            raise ValueError(f"amount: only a prisavdrag or vite has an amount, not {self.kind}")
        if self.collect is not None and self.kind not in AMOUNT_KINDS:
            raise ValueError(f"collect: only a prisavdrag or vite is collected, not a {self.kind}")
        return self


class Findings(_Strict):
    # What the procedure is called in the plan's language ("Bristhantering",
    # "Samarbejdsprocedure"): shown by `lov finding show`.
    procedure: str = Field(default="Bristhantering", min_length=1)
    requirements: tuple[Requirement, ...] = Field(min_length=1)
    # Kommunicering: days the provider has to respond to a notice before a decision.
    response_days: int = Field(default=14, ge=1, le=90)
    # The åtgärdsplan's due date, set by the administrator, lies within these many days.
    action_plan_min_days: int = Field(default=14, ge=1, le=365)
    action_plan_max_days: int = Field(default=60, ge=1, le=365)
    # Reminders to the provider these many days before the åtgärdsplan is due.
    reminder_days: tuple[int, ...] = ()
    # Role told of a proposal of hävning (management); default the plan's administrator.
    decider_role: str | None = None
    sanctions: tuple[SanctionStep, ...] = Field(min_length=1)

    @field_validator("reminder_days")
    @classmethod
    def _reminders(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(v < 1 or v > 365 for v in value):
            raise ValueError("reminder days must be between 1 and 365")
        if len(set(value)) != len(value):
            raise ValueError("reminder days must be unique")
        return tuple(sorted(value, reverse=True))

    @model_validator(mode="after")
    def _consistent(self) -> Findings:
        if self.action_plan_max_days < self.action_plan_min_days:
            raise ValueError("action_plan_max_days: must not be less than action_plan_min_days")
        keys = [r.key for r in self.requirements]
        if len(set(keys)) != len(keys):
            raise ValueError(f"requirements: keys must be unique, got {keys}")
        kinds = [s.kind for s in self.sanctions]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"sanctions: each kind at most once, got {kinds}")
        if kinds != sorted(kinds, key=LADDER_ORDER.index):
            raise ValueError(
                f"sanctions: the ladder goes påpekande → prisavdrag → vite → havning, got {kinds}"
            )
        if kinds[0] != "pafpekande":
            raise ValueError("sanctions: the ladder starts with a pafpekande")
        if self.reminder_days and self.reminder_days[0] >= self.action_plan_max_days:
            raise ValueError("reminder_days: each must be less than action_plan_max_days")
        return self

    def requirement(self, key: str) -> Requirement | None:
        return next((r for r in self.requirements if r.key == key), None)

    def sanction(self, kind: str) -> SanctionStep | None:
        return next((s for s in self.sanctions if s.kind == kind), None)


def check_findings(findings: Findings, skallkrav: dict[str, str], roles: set[str]) -> None:
    """The section against the rest of the plan: skallkrav keys (key → title) and role keys.
    Raises ValueError starting with the key path."""
    names = ", ".join(sorted(roles))
    for i, req in enumerate(findings.requirements):
        if req.kind == "skallkrav" and req.key not in skallkrav:
            raise ValueError(
                f"findings.requirements[{i}].key: no skallkrav {short(req.key)} in the plan "
                f"(skallkrav: {', '.join(sorted(skallkrav)) or 'none'})"
            )
        if req.kind != "skallkrav" and not req.title.strip():
            raise ValueError(
                f"findings.requirements[{i}].title: must not be empty for a requirement of kind "
                f"{req.kind} ({short(req.key)})"
            )
    if findings.decider_role is not None and findings.decider_role not in roles:
        raise ValueError(
            f"findings.decider_role: unknown role {short(findings.decider_role)} (roles: {names})"
        )
    for i, step in enumerate(findings.sanctions):
        for role in step.notify:
            if role not in roles:
                raise ValueError(
                    f"findings.sanctions[{i}].notify: unknown role {short(role)} (roles: {names})"
                )


def requirement_title(findings: Findings, skallkrav: dict[str, str], key: str) -> str:
    """The title a requirement is cited by: its own, else its skallkrav's."""
    req = findings.requirement(key)
    if req is None:
        return key
    return req.title.strip() or skallkrav.get(key, key)
