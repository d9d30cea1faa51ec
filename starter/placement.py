"""`lov placement`: kundval — a customer's placement with a provider, the turordningslista, and
per-provider statistics.

PLACEMENT is the generated id printed by `start` (`placement-<12 hex>`). The customer is known
only by a pseudonymous reference (`--customer`, e.g. the case number); anything shaped like a
personnummer is refused. Bad input is one line on stderr naming the field, exit code 2, and
nothing changed; every change is an Update recorded with `--actor` (default: the OS user).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import typer

from models.ids import new_placement_id
from models.messages import placement as msg
from models.messages.placement import PlacementState, PlacementStatus
from models.runtime.settings import get_settings as _settings
from services import placements as pa
from services.words import PLACEMENT_STATES
from starter.client_run import echo_status
from starter.client_run import run_action as _run
from starter.client_run import run_change as _run_change
from starter.errors import fail_bad_input, or_bad_input
from starter.options import (
    ActorOpt,
    JsonOpt,
    OrgNrArg,
    date_option,
    org_nr_filter,
    plan_filter,
    state_option,
    value_option,
)
from starter.options import parse_actor as _actor
from starter.options import parse_date as _date
from starter.options import parse_org_nr as _org_nr
from starter.options import required as _required
from starter.output import echo_json as _echo_json
from starter.output import echo_json_or_none
from starter.records_read import run_query
from starter.request_id_option import RequestIdOpt, checked_request_id
from starter.table import echo_table

app = typer.Typer(
    name="placement",
    help="Kundval: placering hos utförare, val, byte, genomförandeplan, turordningslista. "
    "(Customer choice: placement, choice, switch, care plan, rotation list.)",
    no_args_is_help=True,
)
provider_app = typer.Typer(
    name="provider",
    help="Turordningslistan: godkända utförare per område och tjänst. (Rotation lists.)",
    no_args_is_help=True,
)
app.add_typer(provider_app, name="provider")

STATE_SV = PLACEMENT_STATES

PlacementArg = Annotated[
    str,
    typer.Argument(
        metavar="PLACERING",
        help="Placeringens id (placement-…), från start. (The placement id.)",
        show_default=False,
    ),
]
ROTATION_STATUS = "lov placement provider list"  # where a lost change to a list can be checked
PlanOpt = Annotated[
    str | None,
    value_option("--plan", "PLAN", "Plan (kommun); standard den konfigurerade."),
]
ProviderOpt = Annotated[
    str | None,
    value_option("--provider", "ORGNR", "Utförarens organisationsnummer."),
]
# The area and service type that name a rotation list (and a placement's).
AreaOpt = Annotated[str | None, typer.Option("--area", metavar="OMRÅDE")]
ServiceOpt = Annotated[str | None, typer.Option("--service", metavar="TJÄNST")]


def _plan_id(plan: str | None) -> str:
    settings = _settings()
    return or_bad_input(lambda: pa.plan_id(plan, settings.default_plan, settings.plans_dir))


def _hours(text: str | None) -> Decimal:
    hours = _required(text, "--hours", "22.5")
    return or_bad_input(lambda: pa.granted_hours(hours))


def status_text(s: PlacementStatus) -> str:
    lines = [
        f"Placering {s.placement_id}: {STATE_SV[s.state]}",
        f"  Kund {s.customer_ref} · {s.area} · {s.service_type} · {s.granted_hours} tim/månad"
        f" · beslut {s.decision_date.isoformat()}",
    ]
    if s.provider:
        via = "kundens val" if s.via == "choice" else "turordningslistan"
        start = s.provider_start.isoformat() if s.provider_start else "?"
        lines.append(f"  Utförare {s.provider_name} ({s.provider}) från {start}, via {via}")
    if s.choice_due:
        lines.append(
            f"  Val senast {s.choice_due.isoformat()}; annars gäller turordningslistan"
            + (f" ({s.rechoice_reason})" if s.rechoice_reason else "")
        )
    if s.pending_switch:
        p = s.pending_switch
        lines.append(f"  Byte till {p.name} ({p.org_nr}) från {p.effective.isoformat()}")
    if s.care_plan:
        c = s.care_plan
        if c.done_on:
            lines.append(f"  Genomförandeplan klar {c.done_on.isoformat()}")
        else:
            late = f" (försenad, steg {c.escalation_level})" if c.overdue else ""
            lines.append(f"  Genomförandeplan senast {c.due.isoformat()}{late}")
    if s.end_date:
        lines.append(f"  Avslutas {s.end_date.isoformat()}")
    return "\n".join(lines)


@app.command("start")
def start(
    customer: Annotated[
        str | None,
        value_option("--customer", "REF", "Pseudonym kundreferens (inte personnr)."),
    ] = None,
    area: AreaOpt = None,
    service: ServiceOpt = None,
    hours: Annotated[
        str | None, value_option("--hours", "TIMMAR", "Beviljad tid per månad.")
    ] = None,
    decision_date: Annotated[str | None, date_option("--decision-date", "Beslutsdatum.")] = None,
    start_date: Annotated[str | None, date_option("--start", "Önskat startdatum.")] = None,
    plan: PlanOpt = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Registrera ett biståndsbeslut; kunden väljer sedan utförare (choose).
    (Register a granted decision; the customer then chooses a provider.)"""
    who = _actor(actor)
    given = _required(customer, "--customer", "DNR-2031-0042")
    ref = or_bad_input(lambda: pa.customer_ref(given, "--customer"))
    the_area = _required(area, "--area", "Centrum")
    the_service = _required(service, "--service", "omvårdnad")
    granted = _hours(hours)
    decided = _date(decision_date, "--decision-date")
    begins = _date(start_date, "--start")
    or_bad_input(lambda: pa.check_start(decided, begins))
    settings = _settings()
    inp = msg.PlacementInput(
        customer_ref=ref,
        area=the_area,
        service_type=the_service,
        granted_hours=granted,
        decision_date=decided,
        start=begins,
        plan_id=_plan_id(plan),
        actor=who,
        search_attributes=settings.search_attributes,
    )
    or_bad_input(lambda: pa.check_input(inp))  # before connecting: nothing is sent if refused
    rid = checked_request_id(request_id)
    # The placement's id follows from the request id, so the line can name it.
    status = f"lov placement status {new_placement_id(rid)}"
    wid = _run_change(
        settings,
        lambda client: pa.start(client, settings.temporal_task_queue, inp),
        rid,
        status=status,
    )
    typer.echo(f"Placering registrerad (started): {wid} · {the_area} · {the_service}")


@app.command("choose")
def choose(
    placement: PlacementArg,
    provider: ProviderOpt = None,
    rotation: Annotated[
        bool,
        typer.Option("--rotation", help="Kunden avstår från att välja: turordningslistan."),
    ] = False,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Registrera kundens val av utförare, eller --rotation om kunden avstår.
    (Register the customer's choice, or --rotation when the customer declines.)"""
    who = _actor(actor)
    if (provider is None) == (not rotation):
        fail_bad_input("--provider/--rotation: ange det ena (give exactly one)")
    request = msg.ChooseRequest(
        provider=_org_nr(provider) if provider is not None else None, actor=who
    )
    s = _run_change(_settings(), lambda client: pa.choose(client, placement, request), request_id)
    if s.pending_switch:
        p = s.pending_switch
        typer.echo(f"Vald (chosen): {p.name} ({p.org_nr}) från {p.effective.isoformat()}")
    else:
        start = s.provider_start.isoformat() if s.provider_start else "?"
        typer.echo(f"Vald (chosen): {s.provider_name} ({s.provider}) från {start}")


@app.command("switch")
def switch(
    placement: PlacementArg,
    provider: ProviderOpt = None,
    effective: Annotated[
        str | None,
        date_option("--effective", "Från-datum, inom 7–14 dagar."),
    ] = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Kunden byter utförare (utan skäl); båda utförarna får besked.
    (The customer switches provider; both providers are told.)"""
    who = _actor(actor)
    org = _org_nr(_required(provider, "--provider", "556036-0793"))
    when: date | None = _date(effective, "--effective") if effective is not None else None
    request = msg.SwitchRequest(provider=org, effective=when, actor=who)
    s = _run_change(_settings(), lambda client: pa.switch(client, placement, request), request_id)
    assert s.pending_switch is not None
    p = s.pending_switch
    typer.echo(f"Byte registrerat (switch): till {p.name} ({p.org_nr}) från {p.effective}")


@app.command("plan-done")
def plan_done(
    placement: PlacementArg,
    done_on: Annotated[str | None, date_option("--date", "Standard i dag.")] = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Registrera att genomförandeplanen är upprättad. (The care plan is done.)"""
    who = _actor(actor)
    when = _date(done_on, "--date") if done_on is not None else None
    request = msg.CarePlanDoneRequest(done_on=when, actor=who)
    s = _run_change(
        _settings(), lambda client: pa.care_plan_done(client, placement, request), request_id
    )
    assert s.care_plan is not None and s.care_plan.done_on is not None
    typer.echo(f"Genomförandeplan registrerad (done): {s.care_plan.done_on.isoformat()}")


@app.command("end")
def end(
    placement: PlacementArg,
    end_date: Annotated[str | None, date_option("--date", "Sista dag; standard i dag.")] = None,
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT")] = "",
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Avsluta placeringen. (End the placement.)"""
    who = _actor(actor)
    why = _required(reason, "--reason", '"Beslutet upphör"')
    when = _date(end_date, "--date") if end_date is not None else None
    request = msg.EndRequest(end_date=when, reason=why, actor=who)
    s = _run_change(_settings(), lambda client: pa.end(client, placement, request), request_id)
    typer.echo(f"Placeringen avslutas (ending): {s.placement_id} · sista dag {s.end_date}")


@app.command("status")
def status(placement: PlacementArg, as_json: JsonOpt = False) -> None:
    """Visa placeringen. (Show the placement.)"""
    echo_status(_settings(), lambda client: pa.status(client, placement), as_json, status_text)


@app.command("stats")
def stats(plan: PlanOpt = None, as_json: JsonOpt = False) -> None:
    """Statistik per utförare: beslut, beviljade timmar, andel aktuella genomförandeplaner.
    (Per-provider statistics, seed 003 §2.2.)"""
    plan_id = _plan_id(plan)
    rows = _run(_settings(), lambda client: pa.statistics(client, plan_id))
    if as_json:
        typer.echo("[" + ",".join(r.model_dump_json() for r in rows) + "]")
        return
    for r in rows:
        typer.echo(
            f"{r.org_nr} {r.name}: {r.decisions} beslut · {r.granted_hours} tim/månad · "
            f"{r.care_plans_current} aktuella genomförandeplaner ({r.share_current * 100:.0f} %)"
        )


def _provider_and_actor(org_nr: str, actor: str | None) -> tuple[str, str]:
    """A list change's provider and who asks, checked in that order."""
    return _org_nr(org_nr), _actor(actor)


@provider_app.command("add")
def provider_add(
    org_nr: OrgNrArg,
    area: AreaOpt = None,
    service: ServiceOpt = None,
    plan: PlanOpt = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Sätt en utförare med avtal sist på turordningslistan. (Add a provider to a list.)"""
    org, who = _provider_and_actor(org_nr, actor)
    entry = msg.RotationEntry(
        org_nr=org,
        area=_required(area, "--area", "Centrum"),
        service_type=_required(service, "--service", "omvårdnad"),
        actor=who,
    )
    plan_id = _plan_id(plan)
    settings = _settings()
    _run_change(
        settings,
        lambda client: pa.add_provider(
            client, settings.temporal_task_queue, plan_id, entry, settings.search_attributes
        ),
        request_id,
        status=ROTATION_STATUS,
    )
    typer.echo(f"Tillagd (added): {org} · {entry.area} · {entry.service_type}")


@provider_app.command("remove")
def provider_remove(
    org_nr: OrgNrArg,
    area: AreaOpt = None,
    service: ServiceOpt = None,
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT")] = "",
    plan: PlanOpt = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Ta bort en utförare från en lista (eller alla). (Remove a provider from lists.)"""
    org, who = _provider_and_actor(org_nr, actor)
    if (area is None) != (service is None):
        fail_bad_input("--area/--service: ange båda eller ingen (both or neither)")
    removal = msg.ProviderRemoval(
        org_nr=org, area=area, service_type=service, reason=reason.strip(), actor=who
    )
    plan_id = _plan_id(plan)
    _run_change(
        _settings(),
        lambda client: pa.remove_provider(client, plan_id, removal),
        request_id,
        status=ROTATION_STATUS,
    )
    typer.echo(f"Borttagen (removed): {org}")


@provider_app.command("list")
def provider_list(plan: PlanOpt = None, as_json: JsonOpt = False) -> None:
    """Visa turordningslistorna; först står den som är näst på tur. (Show the lists.)"""
    plan_id = _plan_id(plan)
    s = _run(_settings(), lambda client: pa.rotation_status(client, plan_id))
    if as_json:
        _echo_json(s)
        return
    for q in s.lists:
        names = [f"{p} {s.names.get(p, '')}".strip() for p in q.providers]
        typer.echo(f"{q.area} / {q.service_type}: " + (" → ".join(names) or "(tom)"))


@app.command("list")
def list_placements(
    plan: Annotated[
        str | None,
        plan_filter(
            "Placeringar enligt planen, även de som väntar på kundens val. "
            "(Placements on the plan, awaiting a choice included.)"
        ),
    ] = None,
    org_nr: Annotated[
        str | None,
        org_nr_filter("Utföraren som har placeringen eller tar över den. (The provider.)"),
    ] = None,
    state: Annotated[str | None, state_option(s.value for s in PlacementState)] = None,
    area: Annotated[
        str | None,
        value_option("--area", "OMRÅDE", "Ett område. (One area.)"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Lista placeringar ur databasen: kundreferens (pseudonym), område, tjänst, utförare och
    genomförandeplan. (List placements from the records database; customers appear only by
    their pseudonymous reference.)"""
    org = _org_nr(org_nr) if org_nr is not None else None
    settings = _settings()
    found = run_query(
        lambda: pa.list_placements(settings, plan=plan, org_nr=org, state=state, area=area)
    )
    if not echo_json_or_none(
        found, as_json, lambda r: r.as_json(), "Inga placeringar. (No placements.)"
    ):
        return
    headers = (
        "Placering",
        "Kund",
        "Område",
        "Tjänst",
        "Tim/mån",
        "Läge",
        "Utförare",
        "Genomförandeplan",
    )
    rows = []
    for r in found:
        p = r.placement
        care = ""
        if p.status == "active":
            care = (
                f"klar {p.care_plan_done_on.isoformat()}"
                if p.care_plan_done_on
                else f"senast {p.care_plan_due.isoformat()}"
                if p.care_plan_due
                else ""
            )
        rows.append(
            (
                p.placement_id,
                r.customer_ref,
                p.area,
                p.service_type,
                str(p.granted_hours),
                STATE_SV[PlacementState(p.status)],
                p.org_nr or "",
                care,
            )
        )
    echo_table(headers, rows, right={4})
    typer.echo(f"{len(found)} placeringar (placements)")
