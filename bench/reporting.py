"""Section 4 (database part): `lov report compliance` over many providers and years of records.

The records are written straight into the database (bulk inserts, the shape the workflows
write: occurrences, their audit trail, submissions, placements), so the benchmark measures the
report, not the minutes it would take to produce ten years of records through Temporal.
"""

from __future__ import annotations

import json
import os
import random
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.common import PROJECT_ROOT, lov_args, org_nrs, postgres_database, run_process, timed
from models.domain.calendar import occurrences
from models.ids import contract_workflow_id, obligation_workflow_id
from models.plans.loader import load_plan
from models.plans.schema import Obligation
from models.records.db import make_engine, make_session_factory, upgrade
from models.records.store import RecordStore
from models.records.tables import (
    AuditEvent,
    Contract,
    ObligationOccurrence,
    Placement,
    Provider,
    Submission,
)
from models.runtime.settings import Settings
from services.reports import compliance_matrix, plan_infos

CHUNK = 5_000


def _field_value(kind: str, due: date) -> Any:
    return {"count": 3, "percent": 87.5, "bool": True, "date": due.isoformat()}.get(kind, "ok")


def _fields(ob: Obligation, due: date) -> dict[str, Any]:
    return {f.key: _field_value(f.type, due) for f in ob.fields}


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, clock(hour, 0), UTC)


def seed_rows(providers: int, years: int, first_year: int) -> dict[type, list[dict[str, Any]]]:
    """Rows for `providers` × `years` of the Sundsvall plan: most items accepted (some late),
    a few waived, a few still missing with their escalations' audit events."""
    plan = load_plan("sundsvall", PROJECT_ROOT / "plans")
    obligations = {ob.key: ob for ob in plan.obligations}
    rng = random.Random(4)
    start = date(first_year, 1, 1)
    created = _at(start)
    rows: dict[type, list[dict[str, Any]]] = {
        Provider: [],
        Contract: [],
        ObligationOccurrence: [],
        AuditEvent: [],
        Submission: [],
        Placement: [],
    }
    for n, org in enumerate(org_nrs(providers)):
        rows[Provider].append(
            {
                "org_nr": org,
                "name": f"Omsorg {n:04d} AB",
                "email": f"kontakt{n}@omsorg.example",
                "created_at": created,
                "updated_at": created,
            }
        )
        rows[Contract].append(
            {
                "workflow_id": contract_workflow_id(org),
                "org_nr": org,
                "plan_id": plan.id,
                "start_date": start,
                "status": "active",
                "created_at": created,
                "updated_at": created,
            }
        )
        for p in range(20):
            rows[Placement].append(
                {
                    "placement_id": f"placement-{org[:6]}{org[7:]}{p:02d}",
                    "customer_ref": f"DNR-{n}-{p}",
                    "area": "Centrum",
                    "service_type": "omvårdnad",
                    "granted_hours": Decimal("22.50"),
                    "decision_date": start,
                    "status": "active" if p % 5 else "ended",
                    "org_nr": org,
                    "care_plan_current": p % 3 != 0,
                    "created_at": created,
                    "updated_at": created,
                }
            )
        for year in range(first_year, first_year + years):
            for occ in occurrences(plan, start, year):
                wid = obligation_workflow_id(org, occ.obligation, occ.period)
                roll = rng.random()
                late = rng.choice([0, 0, 0, 2, 9]) if roll < 0.9 else None
                status = "accepted" if late is not None else ("waived" if roll < 0.95 else "open")
                opened = occ.due - timedelta(days=40)
                events = [("opened", opened)] + [
                    ("reminder", occ.due - timedelta(days=d)) for d in (30, 14, 3)
                ]
                details: dict[str, Any] = {"obligation": occ.obligation, "period": occ.period}
                submitted_at = accepted_at = None
                if late is not None:
                    day = occ.due + timedelta(days=late) if late else occ.due - timedelta(days=2)
                    submitted_at, accepted_at = _at(day), _at(day + timedelta(days=3))
                    events += [("submitted", day), ("accepted", day + timedelta(days=3))]
                    rows[Submission].append(
                        {
                            "idempotency_key": f"{wid}:submission:1",
                            "workflow_id": wid,
                            "org_nr": org,
                            "obligation": occ.obligation,
                            "period": occ.period,
                            "submitted_at": submitted_at,
                            "fields": _fields(obligations[occ.obligation], occ.due),
                            "documents": [],
                            "actor": "anna",
                        }
                    )
                elif status == "waived":
                    events.append(("waived", occ.due + timedelta(days=1)))
                else:
                    events += [
                        ("overdue", occ.due + timedelta(days=1)),
                        ("escalation-1", occ.due + timedelta(days=1)),
                        ("escalation-2", occ.due + timedelta(days=14)),
                    ]
                rows[ObligationOccurrence].append(
                    {
                        "workflow_id": wid,
                        "org_nr": org,
                        "obligation": occ.obligation,
                        "period": occ.period,
                        "nominal_due": occ.nominal_due,
                        "due": occ.due,
                        "recipient": occ.recipient,
                        "status": status,
                        "overdue": status == "open",
                        "escalation_level": 2 if status == "open" else 0,
                        "submitted_at": submitted_at,
                        "accepted_at": accepted_at,
                        "created_at": _at(opened),
                        "updated_at": _at(events[-1][1]),
                    }
                )
                for i, (event, day) in enumerate(events, start=1):
                    extra = {"late_days": late, "submission": 1} if event == "submitted" else {}
                    rows[AuditEvent].append(
                        {
                            "idempotency_key": f"{wid}:event:{i}",
                            "at": _at(day),
                            "org_nr": org,
                            "workflow_id": wid,
                            "event_type": event,
                            "actor": "system",
                            "details": {**details, "status": status, **extra},
                        }
                    )
    return rows


async def seed(url: str, rows: dict[type, list[dict[str, Any]]]) -> float:
    """Bulk insert; returns seconds taken."""
    t0 = time.perf_counter()
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            for table, table_rows in rows.items():
                for i in range(0, len(table_rows), CHUNK):
                    await conn.execute(insert(table), table_rows[i : i + CHUNK])
    finally:
        await engine.dispose()
    return time.perf_counter() - t0


async def _cli(url: str, *args: str) -> tuple[float, str]:
    env = {**os.environ, "LOV_DATABASE_URL": url, "LOV_CONFIG": "/nonexistent/lov.toml"}
    done = await run_process(lov_args(*args), env)
    if done.code != 0:
        raise RuntimeError(f"lov {' '.join(args)} failed: {done.err.decode()[-500:]}")
    return done.wall, done.out.decode()


async def measure_database(url: str, providers: int, years: int, repeat: int) -> dict[str, Any]:
    first_year = 2027
    rows = seed_rows(providers, years, first_year)
    await upgrade(url)
    seed_seconds = await seed(url, rows)
    year = first_year + years - 1
    as_of = date(year, 12, 31)
    settings = Settings(database_url=url)
    plans = plan_infos(settings)
    engine = make_engine(url)
    try:
        store = RecordStore(make_session_factory(engine))
        facts_s, facts = await timed(lambda: store.compliance_facts(year), repeat)
        matrix_s, matrix = await timed(lambda: compliance_matrix(store, year, as_of, plans), repeat)
    finally:
        await engine.dispose()
    cli_times = []
    output = ""
    for _ in range(repeat):
        took, output = await _cli(
            url, "report", "compliance", "--year", str(year), "--as-of", as_of.isoformat(), "--json"
        )
        cli_times.append(took)
    reported = len(json.loads(output)["providers"])
    # The interpreter and CLI start-up alone (`lov --help` loads every command); not in the
    # quick mode, which only checks that the bench runs.
    help_s = (await _cli(url, "--help"))[0] if repeat > 1 else 0.0
    return {
        "providers": providers,
        "years": years,
        "rows": {str(getattr(t, "__tablename__", t)): len(r) for t, r in rows.items()},
        "seed_seconds": round(seed_seconds, 2),
        "report_year": year,
        "compliance_facts_seconds": round(facts_s, 3),
        "compliance_facts_rows": len(facts),
        "compliance_matrix_seconds": round(matrix_s, 3),
        "matrix_providers": len(matrix.rows),
        "cli_report_compliance_seconds": round(sorted(cli_times)[len(cli_times) // 2], 3),
        "cli_report_providers": reported,
        "cli_startup_seconds": round(help_s, 3),
    }


async def run(providers: int, years: int, repeat: int, workdir: Path) -> dict[str, Any]:
    result: dict[str, Any] = {}
    sqlite_path = workdir / "reporting.db"
    sqlite_path.unlink(missing_ok=True)
    result["sqlite"] = await measure_database(
        f"sqlite+aiosqlite:///{sqlite_path}", providers, years, repeat
    )
    result["sqlite"]["database_bytes"] = sqlite_path.stat().st_size
    sqlite_path.unlink(missing_ok=True)
    async with postgres_database() as pg_url:
        if pg_url is None:
            result["postgresql"] = {"skipped": "PostgreSQL not reachable on 127.0.0.1:5432"}
        else:
            result["postgresql"] = await measure_database(pg_url, providers, years, repeat)
            result["postgresql"]["database_bytes"] = await _pg_size(pg_url)
    return result


async def _pg_size(url: str) -> int:
    from sqlalchemy import text

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            size = (
                await conn.execute(text("SELECT pg_database_size(current_database())"))
            ).scalar()
            return int(size or 0)
    finally:
        await engine.dispose()
