"""docs/CLI.md names every command `lov` has, and nothing cites the DESIGN.md that is not in the
repository: the contracts other tools rely on are documented where the code is."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from models.runtime.settings import PROJECT_ROOT
from starter.cli import build_app

CLI_DOC = PROJECT_ROOT / "docs" / "CLI.md"


def _commands(command: object, path: tuple[str, ...]) -> list[str]:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        return [" ".join(path)]
    found = [" ".join(path)] if len(path) > 1 else []
    for name, sub in subcommands.items():
        found += _commands(sub, (*path, name))
    return found


def test_every_command_is_in_the_cli_reference() -> None:
    text = CLI_DOC.read_text(encoding="utf-8")
    commands = _commands(get_command(build_app()), ("lov",))
    assert "lov contract submit" in commands and "lov placement provider add" in commands
    missing = [c for c in commands if f"`{c}" not in text]
    assert missing == [], f"not in docs/CLI.md: {missing}"


def test_the_documents_cited_exist_and_design_md_is_not_cited() -> None:
    sources = [
        p
        for folder in ("models", "services", "starter", "workflows", "activities", "docs", "tests")
        for p in (PROJECT_ROOT / folder).rglob("*")
        if p.suffix in (".py", ".md") and p != Path(__file__)
    ] + [PROJECT_ROOT / "README.md", PROJECT_ROOT / "worker.py"]
    citing = [str(p.relative_to(PROJECT_ROOT)) for p in sources if "DESIGN.md" in p.read_text()]
    assert citing == []
    for name in ("CLI.md", "PLAN_FORMAT.md", "SCENARIOS.md", "SIMULATION.md"):
        assert Path(PROJECT_ROOT / "docs" / name).is_file(), name
