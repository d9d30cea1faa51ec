"""The tests mirror the packages: every test module lives in the folder of what it tests, shared
fixtures and helpers live in tests/support/, and no module imports a test module (a test module
imported elsewhere runs its fixtures and tests twice and couples unrelated tests)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
MIRRORED = {"workflows", "activities", "models", "services", "cli", "system", "web"}
# This module guards the layout of the whole tree, so it sits at the top.
TOP_LEVEL_TESTS = {"test_tree.py"}


def python_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "histories" not in p.parts)


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # `from tests.cli import test_contract` imports a test module too.
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_no_module_imports_a_test_module() -> None:
    offenders = {
        f"{path.relative_to(TESTS)}: {name}"
        for path in python_files()
        for name in imported_modules(path)
        if name.split(".")[0] == "tests" and name.split(".")[-1].startswith("test_")
    }
    assert offenders == set()


def test_every_test_module_is_in_a_mirrored_folder() -> None:
    misplaced = []
    for path in TESTS.rglob("test_*.py"):
        parts = path.relative_to(TESTS).parts
        if parts in {(name,) for name in TOP_LEVEL_TESTS}:
            continue
        if len(parts) < 2 or parts[0] not in MIRRORED:
            misplaced.append(str(path.relative_to(TESTS)))
    assert misplaced == []
    for folder in MIRRORED:
        assert (TESTS / folder / "__init__.py").is_file(), folder


def test_support_holds_no_tests() -> None:
    assert sorted(p.name for p in (TESTS / "support").rglob("test_*.py")) == []
    assert (TESTS / "support" / "__init__.py").is_file()
