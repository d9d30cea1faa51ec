"""`lov simulate SCENARIO.toml [--json]`: scenarios docs/SCENARIOS.md, output docs/SIMULATION.md."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

from models.domain.provider_id import ProviderIdError
from models.plans.scenario import ScenarioError, load_scenario
from models.runtime.settings import get_settings
from models.runtime.temporal import TemporalSetupError
from starter.errors import fail, fail_bad_input
from starter.simulation import run_simulation


def simulate(
    scenario: Annotated[Path, typer.Argument(help="Scenariofil (TOML), se docs/SCENARIOS.md.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="En JSON-rad per händelse, i tidsordning.")
    ] = False,
) -> None:
    """Simulera ett scenario på Temporals tidshoppande testserver (åren går på sekunder).

    Kör de riktiga arbetsflödena och aktiviteterna; e-post går till en SMTP-server i processen
    och registren till en tillfällig databas. (Runs a scenario with years passing in seconds.)
    """
    settings = get_settings()
    try:
        loaded, plan, plan_ref = load_scenario(scenario, settings.plans_dir, settings.default_plan)
        sim = asyncio.run(run_simulation(loaded, plan, plan_ref, settings, str(scenario)))
    except ScenarioError as err:
        fail_bad_input(str(err))
    except TemporalSetupError as err:
        fail(str(err))
    except ProviderIdError as err:
        fail_bad_input(str(err))
    for entry in sim.sorted_entries():
        if as_json:
            typer.echo(json.dumps(entry, ensure_ascii=False, default=str))
        else:
            typer.echo(_line(entry))


# The key naming what an entry concerns when it is not an occurrence of an obligation.
_SUBJECTS = ("meeting", "case", "placement", "application", "finding", "task")


def _line(entry: dict[str, object]) -> str:
    what = entry["type"]
    item = (
        f"{entry.get('obligation', '')} {entry.get('period', '')}".strip()
        or " ".join(str(entry[key]) for key in _SUBJECTS if entry.get(key))
        or " / ".join(str(entry[key]) for key in ("area", "service") if entry.get(key))
    )
    if what == "email":
        detail = f"e-post {entry['kind']:<20} till {', '.join(entry['to'])}  {entry['subject']}"  # type: ignore[arg-type]
    elif what == "escalation":
        detail = f"eskalering nivå {entry['level']} ({entry['title']})  {item}"
    elif what == "status":
        due = f"  (förfallodag {entry['due']})" if entry.get("due") else ""
        detail = f"status {entry['status']:<21} {item}{due}"
    elif what == "error":
        detail = f"AVVISAT {entry['action']}: {entry['error']}"
    else:
        detail = f"åtgärd {entry['action']} ({entry['actor']})  {item}"
    return f"{entry['at']}  {entry['provider'] or '–'}  {detail}"
