"""`lov`: the administrators' command line. Each command group lives in its own module."""

from __future__ import annotations

import typer

from starter import contract, db, plan, serve, simulate

app = typer.Typer(
    name="lov",
    help="lovflow: uppföljning av privata utförare (LOV / frit valg) med Temporal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(plan.app, name="plan")
app.add_typer(contract.app, name="contract")
app.add_typer(db.app, name="db")
app.command("serve")(serve.serve)
app.command("simulate")(simulate.simulate)


def main() -> None:
    app()
