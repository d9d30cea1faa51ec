"""`lov user`: the desk's local accounts (add, passwd, disable), in the records database.

A password is read from stdin with --password-stdin (one line, for scripts), else generated and
printed once: it is never stored or logged anywhere but as an argon2 hash. A password an
administrator sets for someone else (`passwd`, `add --one-time`) is one-time: the desk asks for
a new one at the next login.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from models.runtime.settings import get_settings
from services import users
from starter.records_db import records_url
from starter.records_read import run_query

app = typer.Typer(
    name="user",
    help="Konton för webbdesken (lov web): lägg till, byt lösenord, stäng av. "
    "(Local accounts of the web desk.)",
    no_args_is_help=True,
)

UsernameArg = Annotated[str, typer.Argument(metavar="USERNAME", help="Användarnamn. (Username.)")]
PasswordStdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Läs lösenordet (en rad) från stdin i stället för att skapa ett. "
        "(Read the password from stdin instead of generating one.)",
    ),
]


def _stdin_password(given: bool) -> str | None:
    if not given:
        return None
    return sys.stdin.readline().rstrip("\r\n")


def _shown_once(username: str, password: str | None) -> None:
    if password is not None:
        typer.echo(
            f"Lösenord för {username} (visas bara nu, lämna det säkert till användaren): {password}"
        )


@app.command("add")
def add(
    username: UsernameArg,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            metavar="administrator|manager|auditor|case_officer",
            help="Roll. (Role.)",
        ),
    ],
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="TEXT", help="Namn som visas. (Display name.)"),
    ] = None,
    password_stdin: PasswordStdinOpt = False,
    one_time: Annotated[
        bool,
        typer.Option(
            "--one-time",
            help="Engångslösenord: användaren väljer ett eget vid första inloggningen. "
            "(One-time password: changed at the first login.)",
        ),
    ] = False,
) -> None:
    """Lägg till ett konto. (Add an account.)"""
    settings = get_settings()
    records_url(settings)
    password = _stdin_password(password_stdin)
    account, generated = run_query(
        lambda: users.on_records(
            settings, lambda store: users.add_user(store, username, role, name, password, one_time)
        )
    )
    typer.echo(f"Konto skapat: {account.username} ({account.role_title}, {account.display_name})")
    _shown_once(account.username, generated)


@app.command("passwd")
def passwd(username: UsernameArg, password_stdin: PasswordStdinOpt = False) -> None:
    """Sätt ett nytt engångslösenord: användaren väljer ett eget vid nästa inloggning.
    (Reset to a one-time password, changed at the next login.)"""
    settings = get_settings()
    records_url(settings)
    password = _stdin_password(password_stdin)
    generated = run_query(
        lambda: users.on_records(
            settings, lambda store: users.set_password(store, username, password)
        )
    )
    typer.echo(
        f"Nytt engångslösenord satt för {username.strip().lower()} "
        "(byts vid nästa inloggning i webbdesken)"
    )
    _shown_once(username.strip().lower(), generated)


@app.command("disable")
def disable(username: UsernameArg) -> None:
    """Stäng av ett konto: det kan inte längre logga in. (Disable an account.)"""
    settings = get_settings()
    records_url(settings)
    run_query(lambda: users.on_records(settings, lambda store: users.disable(store, username)))
    typer.echo(f"Kontot {username.strip().lower()} är avstängt")
