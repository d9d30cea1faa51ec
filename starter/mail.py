"""`lov mail failures|outages`: what the mail activity recorded when e-mail did not go through.

Read from the records database (`mail_failures`, `mail_outages`, revisions 0006 and 0008). A
failure is either refused (the server said no) or uncertain (sent 1 + LOV_SMTP_UNCERTAIN_RESENDS
times and never answered: it may have arrived). The administrator has been told of each by
e-mail already; this is where to look afterwards, and what an auditor reads.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import typer

from models.records.db import DatabaseNotMigrated, check_current, make_engine, make_session_factory
from models.records.mail_incidents import MailFailureRecord, MailIncidentStore, MailOutageRecord
from models.runtime.settings import get_settings as _settings
from starter.errors import fail
from starter.options import JsonOpt
from starter.records_db import records_url

app = typer.Typer(
    help="E-post som inte gick fram: avvisade utskick och avbrott. "
    "(Undeliverable e-mail and mail server outages.)",
    no_args_is_help=True,
)
LOCAL = ZoneInfo("Europe/Stockholm")
T = TypeVar("T")


def _read(query: Callable[[MailIncidentStore], Awaitable[T]]) -> T:
    settings = _settings()
    records_url(settings)  # exit 2 if there is no database; never create an empty one

    async def read() -> T:
        # An unmigrated database has no such tables: say that, not an SQL error.
        await check_current(settings.resolved_database_url)
        engine = make_engine(settings.resolved_database_url)
        try:
            return await query(MailIncidentStore(make_session_factory(engine)))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(read())
    except DatabaseNotMigrated as err:
        fail(str(err))
    except Exception as err:  # noqa: BLE001 - the CLI boundary: one line, exit 1
        fail(f"databasen (records database): {' '.join(str(err).split())[:300]}")


def _local(at: datetime | None) -> str:
    return at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if at else "–"


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _failure_json(f: MailFailureRecord) -> dict[str, Any]:
    return {
        "key": f.idempotency_key,
        "message_id": f.message_id,
        "kind": f.kind,
        "org_nr": f.org_nr,
        "workflow_id": f.workflow_id,
        "reason": f.reason,
        "refused": f.refused,
        "error": f.error,
        "at": _iso(f.at),
        "administrator_told": f.notice_key is not None,
    }


def _outage_json(o: MailOutageRecord) -> dict[str, Any]:
    return {
        "started_at": _iso(o.started_at),
        "last_failure_at": _iso(o.last_failure_at),
        "ended_at": _iso(o.ended_at),
        "failures": o.failures,
        "declared": o.declared_at is not None,
        "administrator_told": o.notified_at is not None,
        "last_error": o.last_error,
    }


@app.command("failures")
def failures(as_json: JsonOpt = False) -> None:
    """Utskick som e-postservern avvisade för gott, eller som aldrig besvarades; de skickas inte
    igen. (E-mails the server refused for good, or never answered; they are not sent again.)"""
    found = _read(lambda store: store.list_failures())
    if as_json:
        typer.echo(json.dumps([_failure_json(f) for f in found], ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("Inga avvisade utskick. (No refused e-mail.)")
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
    found = _read(lambda store: store.list_outages())
    if as_json:
        typer.echo(json.dumps([_outage_json(o) for o in found], ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("Inga avbrott. (No outages.)")
        return
    for o in found:
        state = "pågår" if o.ended_at is None else f"slut {_local(o.ended_at)}"
        told = ", administratören underrättad" if o.notified_at else ""
        typer.echo(
            f"{_local(o.started_at)} – {_local(o.last_failure_at)}  {o.failures} försök  "
            f"({state}{told})"
        )
        typer.echo(f"    {o.last_error}")
