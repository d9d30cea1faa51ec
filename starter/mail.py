"""`lov mail failures|outages`: what the mail activity recorded when e-mail did not go through.

Read from the records database (`mail_failures`, `mail_outages`, revisions 0006 and 0008). A
failure is either refused (the server said no) or uncertain (sent 1 + LOV_SMTP_UNCERTAIN_RESENDS
times and never answered: it may have arrived). The administrator has been told of each by
e-mail already; this is where to look afterwards, and what an auditor reads.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import typer

from models.runtime.settings import get_settings as _settings
from services import mail
from starter.options import JsonOpt
from starter.output import echo_json_or_none
from starter.records_read import run_query

app = typer.Typer(
    help="E-post som inte gick fram: avvisade utskick och avbrott. "
    "(Undeliverable e-mail and mail server outages.)",
    no_args_is_help=True,
)
LOCAL = ZoneInfo("Europe/Stockholm")


def _local(at: datetime | None) -> str:
    return at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if at else "–"


@app.command("failures")
def failures(as_json: JsonOpt = False) -> None:
    """Utskick som e-postservern avvisade för gott, eller som aldrig besvarades; de skickas inte
    igen. (E-mails the server refused for good, or never answered; they are not sent again.)"""
    found = run_query(lambda: mail.failures(_settings()))
    if not echo_json_or_none(
        found, as_json, mail.failure_json, "Inga avvisade utskick. (No refused e-mail.)"
    ):
        return
    for f in found:
        told = "administratören underrättad" if f.notice_key else "ej underrättad"
        if f.uncertain:
            what = "osäkert om det kom fram (uncertain)"
        else:
            what = f"till {', '.join(f.refused) or '–'}"
        typer.echo(f"{_local(f.at)}  {f.kind}  {f.org_nr or '–'}  {what}  ({told})")
        typer.echo(f"    {f.error}")


@app.command("outages")
def outages(as_json: JsonOpt = False) -> None:
    """Avbrott då inga utskick gick att skicka. (Stretches when no e-mail could be sent.)"""
    found = run_query(lambda: mail.outages(_settings()))
    if not echo_json_or_none(found, as_json, mail.outage_json, "Inga avbrott. (No outages.)"):
        return
    for o in found:
        state = "pågår" if o.ended_at is None else f"slut {_local(o.ended_at)}"
        told = ", administratören underrättad" if o.notified_at else ""
        typer.echo(
            f"{_local(o.started_at)} – {_local(o.last_failure_at)}  {o.failures} försök  "
            f"({state}{told})"
        )
        typer.echo(f"    {o.last_error}")
