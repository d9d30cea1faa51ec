"""Obligations that are overdue now, on the dev server, where time does not skip.

A contract never opens an occurrence whose deadline has already passed; so a test opens
past-due occurrences itself, the way the contract's opening activity does, with the plan's own
schedule rules. Their workflows go overdue (and escalate) as soon as they start."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from temporalio.client import Client

from activities.opening import OpeningActivities
from activities.plans import PlanActivities
from models.domain.calendar import deadline_schedule
from models.ids import contract_workflow_id
from models.messages.contract import LoadYearRequest, OpenObligations
from models.messages.obligation import ObligationInput

ZONE = ZoneInfo("Europe/Stockholm")


async def open_past_due(
    client: Client,
    task_queue: str,
    plans_dir: Path,
    *,
    plan_id: str,
    org_nr: str,
    contract_start: date,
    year: int,
    days_ago: int,
    ref: str | None = None,
    obligations: set[str] | None = None,
) -> list[str]:
    """The plan year's obligations (those named in `obligations`, else all; the first
    occurrence of each) opened again as if they fell due `days_ago` days ago, in period
    `<year>-X`; `ref`: a sole trader's key, which
    names the workflows as the contract would. Returns the workflow ids."""
    plans = PlanActivities(plans_dir)
    loaded = await plans.load_year(
        LoadYearRequest(plan_id=plan_id, contract_start=contract_start, year=year)
    )
    past = datetime.now(ZONE).date() - timedelta(days=days_ago)
    inputs: list[ObligationInput] = []
    for occ in loaded.occurrences:
        # One per obligation: all share the period `<year>-X`, so a second would be the same id.
        if (obligations is not None and occ.obligation not in obligations) or any(
            i.occurrence.obligation == occ.obligation for i in inputs
        ):
            continue
        rules = loaded.rules[occ.obligation]
        moved = occ.model_copy(
            update={
                "period": f"{past.year}-X",
                "nominal_due": past,
                "due": past,
                "schedule": deadline_schedule(rules, past),
            }
        )
        inputs.append(
            ObligationInput(
                org_nr=org_nr,
                provider_name="Sen AB",
                contract_workflow_id=contract_workflow_id(org_nr, ref),
                plan_id=loaded.plan_id,
                plan_version=loaded.plan_version,
                language=loaded.language,
                occurrence=moved,
                obligation=loaded.obligations[occ.obligation],
                rules=rules,
                roles=loaded.roles,
                administrator_role=loaded.administrator_role,
                provider_ref=ref,
            )
        )
    opening = OpeningActivities(client, task_queue)
    return await opening.open_obligations(OpenObligations(obligations=inputs))
