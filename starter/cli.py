"""`lov`: the administrators' command line. Each command group lives in its own module.

The modules are imported only when their command runs: `lov report compliance` or
`lov overdue` need neither the workflows nor the e-mail templates, and importing all of them
took longer than the reports themselves (docs/PERFORMANCE.md). `app` (the whole CLI, for
`--help` and the tests' CliRunner) is still available as before.
"""

from __future__ import annotations

import importlib
import sys
from functools import cache
from typing import Any

import typer

from models.runtime.setting_errors import exit_on_invalid_settings

# name → module whose `app` is the command group
GROUPS: dict[str, str] = {
    "plan": "starter.plan",
    "contract": "starter.contract",
    "application": "starter.application",
    "meeting": "starter.meeting",
    "placement": "starter.placement",
    "db": "starter.db",
    "mail": "starter.mail",
    "recovery": "starter.recovery",
    "finding": "starter.finding",
    "report": "starter.report",
    "provider": "starter.provider",
    "user": "starter.user",
    "task": "starter.task",
}
# name → (module, function) of a single command
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("starter.serve", "serve"),
    "audit": ("starter.audit", "audit"),
    "overdue": ("starter.overdue", "overdue"),
    "due": ("starter.due", "due"),
    "simulate": ("starter.simulate", "simulate"),
    "codec-server": ("starter.codec_server", "codec_server"),
    "web": ("starter.web", "web"),
    "resident": ("starter.resident_server", "resident"),
}


def _root() -> None:
    """lovflow: uppföljning av privata utförare (LOV / frit valg) med Temporal."""


@cache
def build_app(only: str | None = None) -> typer.Typer:
    """The CLI with every command, or with only the command `only` (same behaviour for it)."""
    cli = typer.Typer(
        name="lov",
        help="lovflow: uppföljning av privata utförare (LOV / frit valg) med Temporal.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    # A callback keeps `lov <command>` a group even when only one command is registered.
    cli.callback()(_root)
    for name, module in GROUPS.items():
        if only in (None, name):
            cli.add_typer(importlib.import_module(module).app, name=name)
    for name, (module, function) in COMMANDS.items():
        if only in (None, name):
            cli.command(name)(getattr(importlib.import_module(module), function))
    return cli


def __getattr__(name: str) -> Any:
    if name == "app":
        return build_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _requested(argv: list[str]) -> str | None:
    """The command named first on the command line, if it is a known one."""
    for arg in argv:
        if arg.startswith("-"):
            return None  # an option before the command (--help): show everything
        return arg if arg in GROUPS or arg in COMMANDS else None
    return None


def main() -> None:
    with exit_on_invalid_settings():
        build_app(_requested(sys.argv[1:]))()
