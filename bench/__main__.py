"""`python -m bench [--quick] [--sections …] [--out FILE] [--label TEXT]`

Runs the benchmark sections one after another in one process, writes every figure to a JSON
file and prints a summary table. Asserts nothing about timings: the figures go into
docs/PERFORMANCE.md, before and after each fix.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import cli, live, machine, overdue, reporting, simulation
from bench import web as web_desk
from bench.common import PROJECT_ROOT

SECTIONS = ("simulation", "history", "live", "reporting", "overdue", "cli", "web")


@dataclass(frozen=True)
class Sizes:
    sim_contracts: int
    sim_years: int
    history_years: int
    live_contracts: int
    report_providers: int
    report_years: int
    overdue_providers: int
    repeat: int
    cli_repeat: int  # fresh processes per CLI command (and of the floor): the median's sample
    # The web desk (section 6): providers × years of records, fetches of each page measured.
    web_providers: int = 1000
    web_years: int = 10
    web_samples: int = 40


FULL = Sizes(10, 5, 20, 1000, 1000, 10, 1000, 3, 7)
QUICK = Sizes(1, 1, 2, 10, 5, 1, 5, 1, 1, web_providers=5, web_years=2, web_samples=3)


async def run_sections(
    sizes: Sizes, sections: list[str], workdir: Path, live_lead: float | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sections:
        t0 = time.perf_counter()
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        section_dir = workdir / name
        section_dir.mkdir()
        try:
            out[name] = await _section(name, sizes, section_dir, live_lead)
        except Exception as err:  # one broken section must not lose the others' figures
            logging.exception("bench: section %s failed", name)
            out[name] = {"error": f"{type(err).__name__}: {err}"}
        out[name]["section_seconds"] = round(time.perf_counter() - t0, 1)
    return out


async def _section(
    name: str, sizes: Sizes, section_dir: Path, live_lead: float | None
) -> dict[str, Any]:
    if name == "simulation":
        return await simulation.throughput(sizes.sim_contracts, sizes.sim_years)
    if name == "history":
        return await simulation.history_bound(sizes.history_years, section_dir)
    if name == "live":
        lead = (
            timedelta(seconds=live_lead) if live_lead else live.default_lead(sizes.live_contracts)
        )
        return await live.run(sizes.live_contracts, lead, section_dir)
    if name == "reporting":
        return await reporting.run(
            sizes.report_providers, sizes.report_years, sizes.repeat, section_dir
        )
    if name == "cli":
        return await cli.run(sizes.cli_repeat, section_dir)
    if name == "web":
        return await web_desk.run(
            sizes.web_providers, sizes.web_years, sizes.web_samples, section_dir
        )
    return await overdue.run(sizes.overdue_providers, 5, 2, sizes.repeat, section_dir)


def _get(d: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


# (label, path in the result, unit, target as text)
SUMMARY: tuple[tuple[str, str, str, str], ...] = (
    ("simulation: lovflow", "simulation.lovflow.contract_years_per_second", "contract-years/s", ""),
    (
        "simulation: bare baseline",
        "simulation.baseline.contract_years_per_second",
        "contract-years/s",
        "",
    ),
    ("simulation: ratio to baseline", "simulation.ratio_to_baseline", "", ">= 0.7"),
    (
        "simulation: ratio, one process",
        "simulation.topologies.single.ratio_to_baseline",
        "",
        "",
    ),
    ("history: contract run, max events", "history.contract_run_events_max", "events", "bounded"),
    ("history: contract run, max bytes", "history.contract_run_bytes_max", "bytes", "bounded"),
    (
        "history: obligation/meeting, max events",
        "history.obligation_and_meeting_histories.events_max",
        "events",
        "bounded",
    ),
    (
        "history: unanswered obligation, max events",
        "simulation.lovflow.obligation_histories.events_max",
        "events",
        "bounded",
    ),
    ("live: start all contracts", "live.start_all_seconds", "s", "< 60"),
    ("live: all obligations open", "live.all_obligations_open_seconds", "s", ""),
    ("live: worker RSS, all open", "live.worker_rss_mib_all_open", "MiB", ""),
    ("live: worker RSS, peak", "live.worker_rss_mib_peak", "MiB", ""),
    ("live: idle worker CPU", "live.idle_worker_cpu_share", "cores", "~0"),
    ("live: idle server CPU", "live.idle_server_cpu_share", "cores", "~0"),
    ("live: reminders received", "live.reminders_received", "", "= contracts"),
    ("live: reminder delay p50", "live.reminder_delay_p50_seconds", "s", ""),
    ("live: reminder delay p99", "live.reminder_delay_p99_seconds", "s", "< 60"),
    *(
        row
        for database, key in (("SQLite", "sqlite"), ("PostgreSQL", "postgresql"))
        for row in (
            (
                f"report compliance, {database} (CLI)",
                f"reporting.{key}.cli_report_compliance_seconds",
                "s",
                "< 2",
            ),
            (
                f"report compliance, {database} (query+matrix)",
                f"reporting.{key}.compliance_matrix_seconds",
                "s",
                "",
            ),
        )
    ),
    *(
        (
            f"web {page} page, {database}, {stat}",
            f"web.{key}.pages.{page}.{stat}_ms",
            "ms",
            "< 200" if stat == "p95" else "",
        )
        for database, key in (("SQLite", "sqlite"), ("PostgreSQL", "postgresql"))
        for page in ("start", "provider", "compliance")
        for stat in ("p50", "p95")
    ),
    ("lov overdue (CLI)", "overdue.cli_overdue_seconds", "s", "< 2"),
    ("lov overdue (visibility query)", "overdue.overdue_items_seconds", "s", ""),
    ("CLI floor: import temporalio.client", "cli.floor_seconds", "s", ""),
    ("CLI floor: import temporalio.client, CPU", "cli.floor_cpu_seconds", "s", ""),
    *(
        row
        for command in cli.commands("ORGNR", "YYYY-MM")
        for row in (
            (f"{command.name} (CLI)", f"cli.commands.{command.name}.seconds", "s", ""),
            (
                f"{command.name}, ratio to floor",
                f"cli.commands.{command.name}.ratio_to_floor",
                "",
                f"<= {cli.GOAL_RATIO}",
            ),
            (
                f"{command.name}, CPU ratio to floor",
                f"cli.commands.{command.name}.cpu_ratio_to_floor",
                "",
                "",
            ),
            (
                f"{command.name} via lov resident (CLI)",
                f"cli.resident.commands.{command.name}.seconds",
                "s",
                "",
            ),
            (
                f"{command.name} via lov resident, ratio to floor",
                f"cli.resident.commands.{command.name}.ratio_to_floor",
                "",
                f"<= {cli.GOAL_RATIO}",
            ),
        )
    ),
)


def summary(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for label, path, unit, target in SUMMARY:
        value = _get(result["sections"], path)
        if value is not None:
            rows.append({"figure": label, "value": value, "unit": unit, "target": target})
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    width = max([len(r["figure"]) for r in rows] + [6])
    lines = [f"{'figure':<{width}}  {'value':>12}  {'unit':<17} target"]
    for r in rows:
        lines.append(f"{r['figure']:<{width}}  {r['value']!s:>12}  {r['unit']:<17} {r['target']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated, from {','.join(SECTIONS)} (default: all)",
    )
    parser.add_argument("--out", type=Path, help="result file (default var/bench/<time>.json)")
    parser.add_argument(
        "--live-lead",
        type=float,
        help="seconds from start to the reminders' minute in the live section (default: sized)",
    )
    parser.add_argument("--label", default="", help="e.g. before / after, kept in the result")
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        print(f"--sections: unknown section(s) {', '.join(unknown)}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING)
    sizes = QUICK if args.quick else FULL
    started = datetime.now(UTC)
    out = args.out or PROJECT_ROOT / "var" / "bench" / f"{started:%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "label": args.label,
        "mode": "quick" if args.quick else "full",
        "started_at": started.isoformat(),
        "machine": machine.describe(),
        "sizes": sizes.__dict__,
    }
    with tempfile.TemporaryDirectory(prefix="lov-bench-") as tmp:
        result["sections"] = asyncio.run(run_sections(sizes, sections, Path(tmp), args.live_lead))
    result["machine"]["load_average_after"] = machine.describe()["load_average"]
    result["summary"] = summary(result)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table(result["summary"]))
    print(f"\nresultat (result): {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
