"""`lov audit`: what the municipality did about one provider, from records and histories.

The timeline and its check against Temporal's histories are services.audit's; this module
parses the options and prints the timeline (text, CSV or the sealed JSON export), and exits 1
when records and histories differ. `lov audit verify` and `lov audit keygen` work on files and
keys only (models.domain.audit, models.domain.audit_signing).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from temporalio.client import Client

from models.domain.audit import (
    TimelineEntry,
    UnknownKeyError,
    VerifyError,
    one_line,
    to_csv,
    verify_export,
    with_callers,
)
from models.domain.audit_signing import (
    SigningKeyError,
    check_key_id,
    new_key_pair,
    public_keys,
    signer,
)
from models.domain.file_input import MAX_AUDIT_EXPORT_BYTES, FileInputError, read_text
from models.runtime.settings import get_settings as _settings
from services.audit import Agreement, check_histories, sealed_export, selected, store_timeline
from services.municipal_words import MUNICIPAL_EVENTS, task_audit_text, task_concerns
from services.words import finding_audit_text
from starter.client_run import run_action as _run
from starter.errors import fail, fail_bad_input
from starter.options import parse_date as _date
from starter.options import parse_org_nr as _org_nr
from starter.records_db import records_url

LOCAL = ZoneInfo("Europe/Stockholm")


# --- the command --------------------------------------------------------------------------------


def _text(entries: list[TimelineEntry], plans_dir: Path | None = None) -> str:
    lines = []
    for e in entries:
        item = f"{e.obligation} {e.period}" if e.obligation else (e.workflow_id or "")
        summary = e.summary()
        if e.source == "event" and e.type.startswith("finding-") and e.details.get("finding"):
            # A finding's steps and decisions in words: what, by whom, why, the amount.
            item = f"Brist {e.details['finding']}"
            summary = finding_audit_text(e.type, e.details)
        elif e.source == "event" and e.type in MUNICIPAL_EVENTS and plans_dir is not None:
            # The municipality's own task (issue 19): its title and what was done, in words.
            item = task_concerns(e.details, plans_dir)
            summary = task_audit_text(e.type, e.details, plans_dir)
        # Values come from records (actors, notes, subjects): one entry is always one line.
        who = e.actor + (f" (OS-användare {e.caller})" if e.caller else "")
        # The time as in the CSV and the export (presented(): local, with offset).
        lines.append(one_line(f"{e.at.isoformat()} · {item} · {summary} · av {who}"))
    return "\n".join(lines)


def audit(
    target: Annotated[
        str,
        typer.Argument(
            metavar="ORGNR|verify|keygen",
            help="Utförarens organisationsnummer, 'verify' följt av en exportfil, eller "
            "'keygen' för ett nytt nyckelpar att försegla exporter med. "
            "(The provider's org nr, 'verify FILE', or 'keygen'.)",
            show_default=False,
        ),
    ],
    file: Annotated[
        Path | None,
        typer.Argument(metavar="[FIL]", help="Exportfil att kontrollera. (Export to verify.)"),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            metavar="ÅÅÅÅ",
            help="Uppföljningsår: redovisningar och möten för året, även de som hanteras året "
            "efter. (Follow-up year: its duties and meetings, whenever they were handled.)",
            show_default=False,
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="ÅÅÅÅ-MM-DD",
            help="Från och med, efter när det hände. (From date, by event time.)",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to", metavar="ÅÅÅÅ-MM-DD", help="Till och med, efter när det hände. (To date.)"
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Arkivexport: JSON-rader med hashkedja. (Archivable JSON.)"),
    ] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV. (Spreadsheet.)")] = False,
    records_only: Annotated[
        bool,
        typer.Option(
            "--records-only",
            help="Jämför inte med Temporals historik. (Skip the check against histories.)",
        ),
    ] = False,
    key_id: Annotated[
        str | None,
        typer.Option(
            "--key-id",
            metavar="ID",
            help="Med keygen: nyckelns id, t.ex. 2027-01. (Key id for keygen; default today.)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Tidslinje för en utförare: allt som förfallit, påminnelser, inlämningar, granskningar,
    eskaleringar och beslut, och vem som gjorde vad; kontrolleras mot Temporals historik.
    `lov audit verify FIL` kontrollerar en arkiverad JSON-export; `lov audit keygen` skapar
    nyckelparet som exporterna förseglas med.
    (One provider's timeline, checked against the histories; `verify FILE` checks an export;
    `keygen` makes the key pair that seals exports.)"""
    if key_id is not None and target != "keygen":
        fail_bad_input(f"--key-id: bara med keygen (only with keygen), fick {key_id!r}")
    if target == "keygen":
        _keygen(key_id)
        return
    if target == "verify":
        _verify(file)
        return
    if file is not None:
        fail_bad_input(f"FIL: bara med verify (only with verify), fick {file}")
    if as_json and as_csv:
        fail_bad_input("--json/--csv: välj det ena (choose one)")
    org = _org_nr(target)
    first = _date(start, "--from") if start else None
    last = _date(end, "--to") if end else None
    if first and last and last < first:
        fail_bad_input("--to: före --from (before --from)")
    if year is not None and not 2000 <= year <= 2100:
        fail_bad_input(f"--year: orimligt år (implausible year), fick {year}")
    settings = _settings()
    try:
        # Before anything is read: a key that cannot be used is a setting to fix, not a failure.
        seal_with = signer(settings) if as_json else None
    except SigningKeyError as err:
        fail_bad_input(str(err))
    records_url(settings)  # exit 2 if there is no database; never create an empty one
    try:
        entries = asyncio.run(store_timeline(settings.resolved_database_url, org))
    except Exception as err:  # the database is the one source we cannot do without
        fail(f"Registret (records database): {' '.join(str(err).split())}")
    agreement: Agreement | None = None
    if not records_only:

        async def action(client: Client) -> Agreement:
            return await check_histories(client, org, entries)

        agreement = _run(settings, action)
        entries = with_callers(entries, agreement.callers)
    shown = selected(entries, LOCAL, year, first, last)
    if as_json:
        generated = datetime.now(LOCAL).replace(microsecond=0)
        typer.echo(sealed_export(org, shown, generated, agreement, seal_with, year, first, last))
        if seal_with is None:
            typer.echo(
                "obs: exporten är inte förseglad (not sealed): ingen LOV_AUDIT_SIGNING_KEY är "
                "satt, "
                "så `lov audit verify` kan inte visa att den är oförändrad. Skapa en nyckel med "
                "`lov audit keygen`.",
                err=True,
            )
    elif as_csv:
        typer.echo(to_csv(shown), nl=False)
    else:
        typer.echo(
            _text(shown, settings.plans_dir) or f"Inget registrerat för {org} (nothing recorded)."
        )
        if agreement is not None and agreement.agrees:
            typer.echo(
                f"Register och historik stämmer överens (records and histories agree): "
                f"{agreement.events} händelser, {agreement.emails} e-post, "
                f"{agreement.workflows} arbetsflöden, {agreement.runs} körningar."
            )
    if agreement is not None and not agreement.agrees:
        diff = agreement.only_in_records[:3] + agreement.only_in_history[:3]
        lost = agreement.unrecorded_workflows
        fail(
            "Register och historik skiljer sig (records and histories differ): "
            f"{len(agreement.only_in_records)} bara i registret, "
            f"{len(agreement.only_in_history)} bara i historiken, t.ex. {', '.join(diff)}"
            + (
                f"; {len(lost)} arbetsflöden saknas i registret (workflows missing from the "
                f"records): {', '.join(lost[:5])}"
                if lost
                else ""
            )
        )


def _keygen(key_id: str | None) -> None:
    kid = key_id if key_id is not None else datetime.now(UTC).date().isoformat()
    try:
        check_key_id(kid, "--key-id")
    except SigningKeyError as err:
        fail_bad_input(str(err))
    private, public = new_key_pair()
    # Printed once, for the operator to put in the secret store; settings never print it again.
    typer.echo(
        "# Nytt nyckelpar för revisionsexporter (new audit signing key pair). Den privata nyckeln\n"
        "# är hemlig: lägg den i hemlighetsförrådet, inte i en delad fil. Den publika nyckeln ska\n"
        "# finnas kvar i LOV_AUDIT_PUBLIC_KEYS så länge exporter förseglade med den arkiveras.\n"
        f"LOV_AUDIT_SIGNING_KEY_ID={kid}\n"
        f"LOV_AUDIT_SIGNING_KEY={private}\n"
        f"LOV_AUDIT_PUBLIC_KEYS={json.dumps({kid: public})}"
    )


def _verify(file: Path | None) -> None:
    if file is None:
        fail_bad_input("FIL: ange exportfilen (give the export file): lov audit verify FIL")
    try:
        text = read_text(file, MAX_AUDIT_EXPORT_BYTES)
    except FileInputError as err:
        fail_bad_input(f"FIL: kan inte läsa {file} (cannot read): {err}")
    try:
        keys = public_keys(_settings())
    except SigningKeyError as err:
        fail_bad_input(str(err))
    try:
        verified = verify_export(text, keys)
    except FileInputError as err:  # a line nested too deeply, a number too long
        fail_bad_input(f"FIL: {file}: {err}")
    except UnknownKeyError as err:
        fail(f"Exporten är förseglad med en okänd nyckel (unknown key id): {file}: {err}")
    except VerifyError as err:
        fail(f"Exporten är ändrad (the export has been altered): {file}: {err}")
    if not verified.sealed:
        # The chain holds, but anyone can recompute a chain: without a seal there is nothing to
        # show the file is what lovflow exported. Not a success, so scripts do not accept it.
        fail(
            f"Exporten är inte förseglad (not sealed): {file}: kedjan är hel men signatur saknas, "
            "så ändringar kan ha dolts genom att kedjan räknats om "
            f"({verified.org_nr}, {verified.entries} poster)"
        )
    typer.echo(
        f"OK: {file} är oförändrad (intact) och förseglad med nyckel {verified.key_id} "
        f"(sealed): {verified.org_nr}, {verified.entries} poster"
    )
