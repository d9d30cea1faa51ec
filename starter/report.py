"""`lov report compliance`: who delivered what, on time, in one follow-up year.

The matrix is built by services.reports (from the records database); this module parses the
options and prints it as text, JSON or one self-contained HTML page.
"""

from __future__ import annotations

import asyncio
import html
from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from models.domain.compliance import (
    FINDING_WORDS,
    STATES,
    Matrix,
    finding_cells,
    finding_headers,
    finding_line,
    matrix_csv,
    matrix_json,
)
from models.domain.file_input import FileInputError, check_output_target, write_text
from models.domain.municipal_figures import (
    MUNICIPAL_WORDS,
    municipal_headers,
    municipal_line,
    role_lines,
)
from models.runtime.settings import get_settings
from services.errors import ActionError
from services.reports import compliance as compliance_report
from services.reports import report_plan, report_year
from starter.errors import fail, fail_bad_input
from starter.options import parse_date
from starter.records_db import records_url

app = typer.Typer(
    name="report",
    help="Rapporter för chefer och revisorer. (Reports for managers and auditors.)",
    no_args_is_help=True,
)
LOCAL = ZoneInfo("Europe/Stockholm")
COLOURS = {
    "on_time": "#cdebd3",
    "late": "#ffe6a7",
    "awaiting_completion": "#fde2c8",
    "missing": "#f5b7b1",
    "waived": "#d6e4f0",
    "not_due": "#f2f2f2",
}


# The report's words in the plans' language (Matrix.language).
WORDS = {
    "sv": {
        "heading": "Efterlevnad",
        "report": "Efterlevnadsrapport",
        "as_of": "per",
        "as_of_long": "Läge per",
        "due": "förfaller",
        "total": "Summa",
        "providers": "utförare",
        "columns": "redovisningar",
        "created": "skapad",
        "provider": "Utförare",
        "stats": "Statistik per utförare",
        "measure": "Mått",
        "value": "Värde",
    },
    "da": {
        "heading": "Efterlevelse",
        "report": "Efterlevelsesrapport",
        "as_of": "pr.",
        "as_of_long": "Status pr.",
        "due": "forfalder",
        "total": "I alt",
        "providers": "leverandører",
        "columns": "indberetninger",
        "created": "oprettet",
        "provider": "Leverandør",
        "stats": "Statistik pr. leverandør",
        "measure": "Mål",
        "value": "Værdi",
    },
}


def matrix_text(m: Matrix) -> str:
    w = WORDS[m.language]
    width = max([len(r.name) for r in m.rows] + [10])
    lines = [f"{w['heading']} {m.year} ({w['as_of']} {m.as_of.isoformat()})"]
    for col in m.columns:
        lines.append(f"  [{col.key}] {col.title}, {w['due']} {col.due.isoformat()}")
    for row in m.rows:
        note = f" · {row.contract_note}" if row.contract_note else ""
        lines.append(f"{row.name:<{width}} {row.org_nr}{note}")
        for col in m.columns:
            cell = row.cells.get(col.key)
            if cell is not None:
                lines.append(f"    {col.key:<36} {cell.label(m.language)}")
        totals = ", ".join(f"{m.state_text(s)} {n}" for s, n in row.totals.items() if n)
        lines.append(f"    {w['total']}: {totals}")
        lines.extend(f"    {label}: {value}" for label, value in row.stats.items())
        if (found := finding_line(row.findings, m.language)) is not None:
            lines.append(f"    {found}")
        if (tasks := municipal_line(row.municipal_tasks, m.language)) is not None:
            lines.append(f"    {tasks}")
    lines.extend(role_lines(m.municipal, m.language, m.year))
    return "\n".join(lines)


def matrix_html(m: Matrix, generated: datetime) -> str:
    e = html.escape
    w = WORDS[m.language]
    head = "".join(
        f'<th scope="col" title="{e(c.title)}">{e(c.title)}<br><small>{e(c.period)} · '
        f"{c.due.isoformat()}</small></th>"
        for c in m.columns
    )
    head += "".join(f'<th scope="col" class="total">{e(m.state_text(s))}</th>' for s in STATES)
    body = []
    for row in m.rows:
        cells = []
        for col in m.columns:
            cell = row.cells.get(col.key)
            if cell is None:
                cells.append('<td class="none" data-state="">–</td>')
            else:
                cells.append(
                    f'<td class="{cell.state}" data-state="{cell.state}" data-days="{cell.days}">'
                    f"{e(cell.label(m.language))}</td>"
                )
        totals = "".join(f'<td class="total">{row.totals[s]}</td>' for s in STATES)
        note = (
            f'<br><small class="contract">{e(row.contract_note)}</small>'
            if row.contract_note
            else ""
        )
        body.append(
            f'<tr data-org-nr="{e(row.org_nr)}" data-contract="{e(row.contract_status or "")}">'
            f'<th scope="row">{e(row.name)}<br>'
            f"<small>{e(row.org_nr)}</small>{note}</th>{''.join(cells)}{totals}</tr>"
        )
    col_totals = m.column_totals()
    foot = "".join(
        '<td class="total">'
        + " · ".join(f"{m.state_text(s)} {n}" for s, n in col_totals[c.key].items() if n)
        + "</td>"
        for c in m.columns
    )
    legend = "".join(
        f'<li><span class="swatch {s}"></span>{e(m.state_text(s))}</li>' for s in STATES
    )
    stats_rows = "".join(
        f'<tr><th scope="row">{e(r.name)}</th><td>{e(label)}</td><td>{e(str(value))}</td></tr>'
        for r in m.rows
        for label, value in r.stats.items()
    )
    stats = (
        f'<h2>{w["stats"]}</h2><table class="stats"><thead><tr><th>{w["provider"]}</th>'
        f"<th>{w['measure']}</th><th>{w['value']}</th></tr></thead><tbody>{stats_rows}</tbody>"
        "</table>"
        if stats_rows
        else ""
    )
    finding_rows = "".join(
        f'<tr data-org-nr="{e(r.org_nr)}"><th scope="row">{e(r.name)}</th>'
        + "".join(f"<td>{e(c)}</td>" for c in finding_cells(r.findings, m.language))
        + "</tr>"
        for r in m.rows
        if r.findings.opened
    )
    findings = (
        f'<h2>{FINDING_WORDS[m.language]["findings"]}</h2><table class="findings"><thead><tr>'
        f"<th>{w['provider']}</th>"
        + "".join(f"<th>{e(h)}</th>" for h in finding_headers(m.language))
        + f"</tr></thead><tbody>{finding_rows}</tbody></table>"
        if finding_rows
        else ""
    )
    municipal = _municipal_html(m)
    swatches = "".join(f".{s}{{background:{c}}}" for s, c in COLOURS.items())
    return f"""<!DOCTYPE html>
<html lang="{m.language}">
<head>
<meta charset="utf-8">
<title>{w["report"]} {m.year}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}
th,td{{border:1px solid #bbb;padding:.35em .6em;text-align:center;font-size:.9em}}
th[scope=row]{{text-align:left}}
td.total,th.total{{background:#fafafa;font-weight:600}}
{swatches}
.swatch{{display:inline-block;width:1em;height:1em;margin-right:.4em;border:1px solid #999;
vertical-align:middle}}
ul.legend{{list-style:none;padding:0;display:flex;gap:1.5em}}
</style>
</head>
<body>
<h1>{w["report"]} {m.year}</h1>
<p>{w["as_of_long"]} {m.as_of.isoformat()} · {len(m.rows)} {w["providers"]} ·
{len(m.columns)} {w["columns"]} · {w["created"]} {generated.astimezone(LOCAL):%Y-%m-%d %H:%M}</p>
<ul class="legend">{legend}</ul>
<table class="matrix">
<thead><tr><th scope="col">{w["provider"]}</th>{head}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody>
<tfoot><tr><th scope="row">{w["total"]}</th>{foot}{"<td></td>" * len(STATES)}</tr></tfoot>
</table>
{stats}
{findings}
{municipal}
</body>
</html>
"""


@app.command("compliance")
def compliance(
    year: Annotated[
        int | None,
        typer.Option("--year", metavar="ÅÅÅÅ", help="Uppföljningsår (krävs). (Year, required.)"),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="ÅÅÅÅ-MM-DD",
            help="Läge per datum; standard i dag. (As of; default today.)",
            show_default=False,
        ),
    ] = None,
    html_file: Annotated[
        Path | None,
        typer.Option("--html", metavar="FIL", help="Skriv en HTML-rapport. (Write HTML.)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv JSON. (Print JSON.)")] = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Skriv CSV, en rad per utförare. (Print CSV.)")
    ] = False,
    plan: Annotated[
        str | None,
        typer.Option(
            "--plan",
            metavar="PLAN",
            help="Bara utförare som följer planen. (Only providers following this plan.)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Matris utförare × redovisningar för ett år: i tid, sen, inväntar komplettering, saknas,
    eftergiven, ej förfallen; avslutade avtal markeras.
    (Providers × obligations for a year, with totals and per-provider statistics.)"""
    if sum((as_json, as_csv, html_file is not None)) > 1:
        fail_bad_input("--json/--csv/--html: välj ett av dem (choose one)")
    try:
        the_year = report_year(year)
    except ActionError as err:
        fail_bad_input(str(err))
    day = parse_date(as_of, "--as-of") if as_of else datetime.now(LOCAL).date()
    if html_file is not None:
        try:
            check_output_target(html_file)
        except FileInputError as err:
            fail_bad_input(f"--html: {html_file}: {err}")
    settings = get_settings()
    try:
        plan = report_plan(plan, settings)
    except ActionError as err:
        fail_bad_input(str(err))
    records_url(settings)  # exit 2 if there is no database; never create an empty one
    try:
        matrix = asyncio.run(compliance_report(settings, the_year, day, plan))
    except Exception as err:
        fail(f"Registret (records database): {' '.join(str(err).split())}")
    if html_file is not None:
        try:
            write_text(html_file, matrix_html(matrix, datetime.now(LOCAL)))
        except FileInputError as err:
            fail_bad_input(f"--html: {html_file}: {err}")
        typer.echo(f"Rapport skriven (written): {html_file}")
    elif as_json:
        typer.echo(matrix_json(matrix), nl=False)
    elif as_csv:
        typer.echo(matrix_csv(matrix), nl=False)
    else:
        typer.echo(matrix_text(matrix))


def _municipal_html(m: Matrix) -> str:
    """The municipality's own tasks of the year: per plan and role, then per provider."""
    if not m.municipal:
        return ""
    e = html.escape
    w = MUNICIPAL_WORDS[m.language]
    figures = [w[f] for f in ("on_time", "late", "not_done", "escalated")]
    head = "".join(f"<th>{e(h)}</th>" for h in figures)
    roles = "".join(
        f'<tr data-role="{e(r.owner)}"><th scope="row">{e(r.title)}</th><td>{e(r.plan_id)}</td>'
        + "".join(f"<td>{c}</td>" for c in r.figures.cells())
        + "</tr>"
        for r in m.municipal
    )
    at_provider = "".join(
        f'<tr data-org-nr="{e(r.org_nr)}"><th scope="row">{e(r.name)}</th>'
        + "".join(f"<td>{c}</td>" for c in r.municipal_tasks.cells())
        + "</tr>"
        for r in m.rows
        if r.municipal_tasks.total
    )
    providers = (
        f'<table class="municipal-providers"><thead><tr><th>{WORDS[m.language]["provider"]}</th>'
        + "".join(f"<th>{e(h)}</th>" for h in municipal_headers(m.language))
        + f"</tr></thead><tbody>{at_provider}</tbody></table>"
        if at_provider
        else ""
    )
    return (
        f'<h2>{e(w["heading"])}</h2><table class="municipal"><thead><tr><th>{w["role"]}</th>'
        f"<th>{w['plan']}</th>{head}</tr></thead><tbody>{roles}</tbody></table>{providers}"
    )
