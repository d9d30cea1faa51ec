"""Customer choice (kundval): placements, the turordningslista and per-provider statistics.

A *placement* is one granted decision (biståndsbeslut) carried out by one provider at a time. The
customer chooses among the providers approved for the decision's area and service type; one who
declines is given the provider next in turn on the rotation list (turordningslista). The list is
pure data here (`RotationQueue`), so its fairness is property-tested without Temporal; the
rotation workflow owns the only live copy.

Personal data: a customer is known only by a pseudonymous reference chosen by the municipality
(e.g. the case number in its verksamhetssystem). Anything shaped like a personnummer is refused
(models.domain.customer_ref), and even the pseudonymous reference stays out of workflow ids,
search attributes and e-mail subjects: placements are identified by a generated id.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import Field

from models.domain.calendar import CalendarRules
from models.domain.inputs import Actor, Day, Key, OptionalDay, OptionalKey
from models.messages.common import HeldMailStatus, Message
from models.plans.schema import Role

# Granted hours per month: at most 744 (31 × 24), two decimals.
MAX_HOURS = Decimal("744")


# --- the rotation list (pure) -------------------------------------------------------------------


class RotationQueue(Message):
    """A turordningslista: `providers[0]` is next in turn.

    The provider given a customer goes to the back; a newly approved provider joins at the back
    (behind everyone already waiting); a removed provider leaves without reordering the rest. So
    between two turns of any provider, every provider eligible all that time gets exactly one.
    """

    area: str
    service_type: str
    providers: tuple[str, ...] = ()
    assigned: int = 0  # customers given by rotation so far

    def with_provider(self, org_nr: str) -> RotationQueue:
        if org_nr in self.providers:
            return self
        return self.model_copy(update={"providers": (*self.providers, org_nr)})

    def without(self, org_nr: str) -> RotationQueue:
        return self.model_copy(
            update={"providers": tuple(p for p in self.providers if p != org_nr)}
        )

    def take_turn(
        self, exclude: str | None = None, skip: frozenset[str] = frozenset()
    ) -> tuple[str, RotationQueue]:
        """The provider next in turn (passing over `exclude`, the customer's current provider,
        and `skip`, providers whose contract has not started; both keep their places), and the
        list after that turn."""
        chosen = next((p for p in self.providers if p != exclude and p not in skip), None)
        if chosen is None:
            raise LookupError("no provider on the rotation list")
        rest = tuple(p for p in self.providers if p != chosen)
        return chosen, self.model_copy(
            update={"providers": (*rest, chosen), "assigned": self.assigned + 1}
        )


# --- plan and workflow messages -----------------------------------------------------------------


class PlacementPlan(Message):
    """What a placement needs from the plan, loaded once when it starts (by an activity)."""

    plan_id: str
    plan_version: str
    language: str
    time_zone: str
    rules: CalendarRules  # genomförandeplan: kundval reminder offsets, the plan's ladder
    roles: dict[str, Role]
    administrator_role: str
    case_officer_role: str
    care_plan_days: int
    switch_min_days: int
    switch_max_days: int
    choice_days: int


class LoadPlacementPlan(Message):
    plan_id: str


class PlacementState(StrEnum):
    AWAITING_CHOICE = "awaiting_choice"
    ACTIVE = "active"
    ENDED = "ended"


class PlacementInput(Message):
    placement_id: str = ""  # set by the starter: the workflow id
    customer_ref: str
    area: Key
    service_type: Key
    granted_hours: Decimal = Field(ge=0, le=MAX_HOURS, decimal_places=2)
    decision_date: Day
    start: Day
    plan_id: str
    actor: Actor
    search_attributes: bool = True


class ChooseRequest(Message):
    """The customer's choice; `provider=None`: the customer declines, the rotation list applies."""

    provider: str | None = None
    actor: Actor


class SwitchRequest(Message):
    provider: str
    effective: OptionalDay = None  # default: the earliest the plan allows
    actor: Actor


class CarePlanDoneRequest(Message):
    done_on: OptionalDay = None  # default today
    actor: Actor


class EndRequest(Message):
    end_date: OptionalDay = None  # default today
    reason: str
    actor: Actor


class ProviderTerminated(Message):
    """From the termination hook: the provider's contract ends on `end_date`."""

    org_nr: str
    end_date: date


class PendingSwitch(Message):
    org_nr: str
    name: str
    effective: date
    via: Literal["choice", "rotation"]
    requested_at: datetime
    ref: str | None = None  # as Assignment.ref


class CarePlan(Message):
    """The genomförandeplan owed by the current provider since its start."""

    org_nr: str
    start: date
    due: date
    done_on: date | None = None
    overdue: bool = False
    escalation_level: int = 0


class PlacementStatus(Message):
    placement_id: str
    plan_id: str
    registered: bool  # the plan is loaded; administrators may act
    customer_ref: str
    area: str
    service_type: str
    granted_hours: Decimal
    decision_date: date
    state: PlacementState
    provider: str | None
    provider_name: str | None
    provider_start: date | None
    via: Literal["choice", "rotation"] | None
    choice_due: date | None
    rechoice_reason: str | None
    pending_switch: PendingSwitch | None
    care_plan: CarePlan | None
    end_date: date | None
    history: list[str]
    # E-mails held until office hours (workflows/office_hours.py); none in older results.
    mail_held: list[HeldMailStatus] = Field(default_factory=list)


class PlacementSummary(Message):
    """What the rotation workflow keeps per current placement, for the statistics query."""

    placement_id: str
    org_nr: str | None
    granted_hours: Decimal
    active: bool
    care_plan_current: bool


class PlacementWrite(Message):
    """The placement's row in the records database, as of `at`."""

    placement_id: str
    customer_ref: str
    area: str
    service_type: str
    granted_hours: Decimal
    decision_date: date
    status: PlacementState
    org_nr: str | None
    pending_org_nr: str | None = None  # a switch under way, to this provider
    provider_start: date | None
    care_plan_due: date | None
    care_plan_done_on: date | None
    care_plan_current: bool
    end_date: date | None
    at: datetime
    # The placement's plan; None from a workflow before it was recorded (leaves the row's plan).
    plan_id: str | None = None


class PlacementReport(Message):
    """The row, and one audit event (org nr optional: a placement may have no provider yet)."""

    write: PlacementWrite
    event_key: str
    event: str
    actor: str
    details: dict[str, object] = Field(default_factory=dict)


class PlacementTermination(Message):
    """The termination hook's work: a provider's contract ends."""

    org_nr: str
    plan_id: str
    end_date: date


# --- rotation workflow messages -------------------------------------------------------------


class RotationEntry(Message):
    """A provider on (or off) one list; also the approval/termination signals' argument."""

    org_nr: str
    name: str = ""
    area: Key
    service_type: Key
    actor: Actor = "system"
    # The provider's contract start (set on approval): the list passes the provider over for
    # placements that begin before it. None: unknown (added by hand, or before this field).
    starts_on: date | None = None


class ProviderRemoval(Message):
    """Off every list (termination), or off one list when area and service type are given."""

    org_nr: str
    area: OptionalKey = None
    service_type: OptionalKey = None
    reason: str = ""
    actor: Actor = "system"


class AssignRequest(Message):
    """`key` makes it idempotent: a retried activity gets the same provider, the list advances
    once."""

    key: str
    plan_id: str = ""  # which municipality's rotation workflow (for the activity)
    area: Key
    service_type: Key
    chosen: str | None = None
    exclude: str | None = None  # the current provider: a switch is to another one
    # The day the provider would take over: providers whose contract starts later are passed
    # over (None, as in requests from before this field: no such check).
    on: date | None = None


class Assignment(Message):
    org_nr: str
    name: str
    via: Literal["choice", "rotation"]
    sequence: int  # n-th rotation turn on that list; 0 for a choice
    # A sole trader's opaque key for the LovOrgNr search attribute (models.domain.provider_id),
    # filled
    # in by the assign_provider activity (workflow code never holds the secret); None otherwise.
    ref: str | None = None


class RotationInput(Message):
    plan_id: str
    search_attributes: bool = True
    # Carried across continue-as-new.
    lists: dict[str, RotationQueue] = Field(default_factory=dict)
    names: dict[str, str] = Field(default_factory=dict)
    given: dict[str, Assignment] = Field(default_factory=dict)
    placements: dict[str, PlacementSummary] = Field(default_factory=dict)
    starts: dict[str, date] = Field(default_factory=dict)  # org nr → contract start


class ProviderStatistics(Message):
    """Seed 003 §2.2: decisions, granted hours, share of current genomförandeplaner."""

    org_nr: str
    name: str
    decisions: int
    granted_hours: Decimal
    care_plans_current: int
    share_current: Decimal  # 0–1, two decimals


class RotationStatus(Message):
    workflow_id: str
    plan_id: str
    lists: list[RotationQueue]
    names: dict[str, str]


def statistics(
    placements: list[PlacementSummary], names: dict[str, str]
) -> list[ProviderStatistics]:
    """Per provider, over its current (active) placements."""
    found: dict[str, list[PlacementSummary]] = {}
    for p in placements:
        if p.active and p.org_nr:
            found.setdefault(p.org_nr, []).append(p)
    result = []
    for org_nr in sorted(found):
        items = found[org_nr]
        current = sum(1 for p in items if p.care_plan_current)
        result.append(
            ProviderStatistics(
                org_nr=org_nr,
                name=names.get(org_nr, ""),
                decisions=len(items),
                granted_hours=sum((p.granted_hours for p in items), Decimal("0")),
                care_plans_current=current,
                share_current=(Decimal(current) / Decimal(len(items))).quantize(Decimal("0.01")),
            )
        )
    return result
