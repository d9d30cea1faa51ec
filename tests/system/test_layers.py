"""The layer rules (issue 20, point 3), read from the source: every import of every module of
workflows/, activities/, services/, starter/ and models/, including those inside functions,
`if TYPE_CHECKING:` blocks and `workflow.unsafe.imports_passed_through()` blocks.

- workflows/ import the standard library, temporalio, pydantic, domain rules, messages, the plan
  schema, ids, search attributes, the activity definitions they call and each other; nothing
  else (no records, settings or Temporal client: the sandbox would load them per run).
- activities/ never import workflows/ (they start a workflow by its type name: no cycle),
  services/ or the CLI.
- services/ (the application layer) import neither activities/ nor workflows/: they call
  Updates, Queries and workflow types by name. Nor the CLI: the desk and the portal call them.
- starter/ (the `lov` CLI) imports the application layer, models/ (messages, domain rules,
  plans, runtime) and its own helpers; the records layer only where noted in EXTRA_ALLOWED.
  Importing a workflow, an activity or the records layer would also cost every command its
  start-up time. The modules that run a worker are exempt (EXEMPT).
- web/ (the desk, `lov web`) follows starter/'s rule: the application layer, models/ (messages,
  domain rules, plans, runtime) and its own modules; never a workflow, an activity or the
  records layer (it holds the records store services/ opened, by services/' name for it).
- models/ imports none of the layers above it.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("workflows", "activities", "services", "starter", "web", "models")
# Top-level names that are lovflow's own code rather than a third-party distribution.
OWN = (*LAYERS, "worker", "bench", "tests")


@dataclass(frozen=True)
class Rule:
    layer: str
    # Own modules (a name and everything under it) the layer may import; None: any not forbidden.
    allowed: tuple[str, ...] | None
    forbidden: tuple[str, ...]
    # Third-party top-level packages it may import; None: any.
    third_party: tuple[str, ...] | None


RULES = (
    Rule(
        "workflows",
        allowed=(
            "workflows",
            "activities",  # the activity definitions they call (and their data errors)
            "models.domain",
            "models.messages",
            "models.plans.schema",
            "models.ids",
            "models.runtime.search_attributes",
        ),
        forbidden=(),
        third_party=("temporalio", "pydantic"),
    ),
    Rule(
        "activities",
        allowed=None,
        forbidden=("workflows", "services", "starter", "web", "worker"),
        third_party=None,
    ),
    Rule(
        "services",
        allowed=None,
        forbidden=("activities", "workflows", "starter", "web", "worker"),
        third_party=None,
    ),
    Rule(
        "starter",
        allowed=(
            "starter",
            "services",
            "models.messages",
            "models.domain",
            "models.plans",
            "models.runtime",
            "models.ids",
        ),
        forbidden=(),
        third_party=None,
    ),
    Rule(
        "web",
        allowed=(
            "web",
            "services",
            "models.messages",
            "models.domain",
            "models.plans",
            "models.runtime",
            "models.ids",
        ),
        forbidden=(),
        third_party=None,
    ),
    Rule(
        "models",
        allowed=None,
        forbidden=("services", "starter", "web", "activities", "workflows", "worker"),
        third_party=None,
    ),
)

# Modules that run a worker (or the servers a worker needs) in the CLI's process: they import
# what a worker imports, and only their own command pays for it.
EXEMPT: dict[str, str] = {
    "starter.serve": "`lov serve`: dev server, worker (worker.py), records database migrations",
    "starter.simulate": "`lov simulate`: the command over starter.simulation",
    "starter.simulation": "`lov simulate`'s engine: time-skipping server, worker, its own database",
}

# One module's imports beyond its layer's rule, and why.
EXTRA_ALLOWED: dict[str, tuple[str, ...]] = {
    # `lov db` administers the records database itself (migrations, its URL): its subject is
    # the records layer, not an application operation.
    "starter.db": ("models.records",),
    # `lov web` runs the desk: the web/ app is what the command serves.
    "starter.web": ("web",),
}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the five layers, by dotted name."""
    return {
        _module_name(path, root): path
        for layer in LAYERS
        for path in sorted((root / layer).rglob("*.py"))
    }


def imports(
    module: str, path: Path, known: set[str] | dict[str, Path]
) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import anywhere in the module's source.

    `from x import y` names the module x.y when that is one of `known`, else x. Relative imports
    are resolved; `importlib.import_module("literal")` counts as an import."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield (full if full in known else base), node.lineno
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value, node.lineno


def _rule(module: str) -> Rule:
    return next(r for r in RULES if _within(module, r.layer))


def broken(module: str, imported: str) -> bool:
    """Whether `module` importing `imported` breaks its layer's rule."""
    if module in EXEMPT:
        return False
    rule = _rule(module)
    top = imported.split(".")[0]
    if top in sys.stdlib_module_names:
        return False
    if top not in OWN:
        return rule.third_party is not None and top not in rule.third_party
    if any(_within(imported, f) for f in rule.forbidden):
        return True
    if rule.allowed is None:
        return False
    allowed = rule.allowed + EXTRA_ALLOWED.get(module, ())
    return not any(_within(imported, a) for a in allowed)


def violations(root: Path = ROOT) -> dict[tuple[str, str], str]:
    """(module, imported) → where, for every import that breaks a rule."""
    modules = project_modules(root)
    found: dict[tuple[str, str], str] = {}
    for module, path in modules.items():
        for imported, line in imports(module, path, modules):
            if broken(module, imported):
                found.setdefault((module, imported), f"{path.relative_to(root)}:{line}")
    return found


def test_no_import_breaks_a_layer_rule() -> None:
    new = violations()
    assert not new, "layer rule broken (tests/system/test_layers.py):\n" + "\n".join(
        f"  {where}: {module} imports {imported}"
        for (module, imported), where in sorted(new.items())
    )


def test_exemptions_name_existing_modules() -> None:
    modules = project_modules()
    assert set(EXEMPT) <= modules.keys()
    assert set(EXTRA_ALLOWED) <= modules.keys()
    assert all(_within(m, "starter") for m in EXEMPT)


def test_the_scan_sees_hidden_and_relative_imports(tmp_path: Path) -> None:
    """The imports that hid the activities ↔ workflows cycle are found: inside a function, under
    TYPE_CHECKING, in a pass-through block; relative and dynamic ones are resolved."""
    package = tmp_path / "activities"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "sibling.py").write_text("")
    source = package / "opening.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "import importlib\n"
        "from temporalio import workflow\n"
        "if TYPE_CHECKING:\n"
        "    from workflows.contract import ContractWorkflow\n"
        "with workflow.unsafe.imports_passed_through():\n"
        "    import services.calls\n"
        "def start() -> None:\n"
        "    from workflows import meeting\n"
        "    from . import sibling\n"
        "    importlib.import_module('starter.cli')\n",
        encoding="utf-8",
    )
    known = {"activities", "activities.sibling", "activities.opening", "workflows.meeting"}
    found = {name for name, _ in imports("activities.opening", source, known)}
    assert {
        "workflows.contract",
        "services.calls",
        "workflows.meeting",
        "activities.sibling",
        "starter.cli",
        "temporalio",
    } <= found
    assert {name for name in found if broken("activities.opening", name)} == {
        "workflows.contract",
        "services.calls",
        "workflows.meeting",
        "starter.cli",
    }


@pytest.mark.parametrize(
    ("module", "imported", "breaks"),
    [
        ("workflows.contract", "models.messages.contract", False),
        ("workflows.contract", "models.runtime.search_attributes", False),
        ("workflows.contract", "activities.mail", False),
        ("workflows.contract", "models.records.store", True),
        ("workflows.contract", "models.runtime.settings", True),
        ("workflows.contract", "sqlalchemy", True),
        ("workflows.contract", "services.calls", True),
        ("starter.contract", "services.calls", False),
        ("starter.contract", "workflows.contract", True),
        ("starter.contract", "activities.opening", True),
        ("starter.contract", "models.records.store", True),
        ("starter.db", "models.records.db", False),
        ("starter.serve", "worker", False),
        ("models.domain.orgnr", "services.calls", True),
        ("services.calls", "models.records.store", False),
        ("web.app", "services.record_reads", False),
        ("web.app", "models.records.db", True),
        ("web.pages.duties", "workflows.obligation", True),
        ("web.pages.duties", "activities.mail", True),
        ("services.users", "web.app", True),
    ],
)
def test_the_rule_table(module: str, imported: str, breaks: bool) -> None:
    assert broken(module, imported) is breaks
