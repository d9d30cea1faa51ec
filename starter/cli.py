"""`lov`: the administrators' command line. Each command group lives in its own module."""

from __future__ import annotations

import typer

from starter import (
    application,
    audit,
    codec_server,
    contract,
    db,
    mail,
    meeting,
    overdue,
    placement,
    plan,
    recovery,
    report,
    serve,
    simulate,
)

app = typer.Typer(
    name="lov",
    help="lovflow: uppföljning av privata utförare (LOV / frit valg) med Temporal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(plan.app, name="plan")
app.add_typer(contract.app, name="contract")
app.add_typer(application.app, name="application")
app.add_typer(meeting.app, name="meeting")
app.add_typer(placement.app, name="placement")
app.add_typer(db.app, name="db")
app.add_typer(mail.app, name="mail")
app.add_typer(recovery.app, name="recovery")
app.add_typer(report.app, name="report")
app.command("serve")(serve.serve)
app.command("audit")(audit.audit)
app.command("overdue")(overdue.overdue)
app.command("simulate")(simulate.simulate)
app.command("codec-server")(codec_server.codec_server)


def main() -> None:
    app()
