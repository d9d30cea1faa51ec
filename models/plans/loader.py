"""Reading plan files: `plans/<id>.toml` (or any path) → a validated `Plan`, or one clear error.

A municipality's administrator edits these files by hand, so every refusal names the file, the key
path in plan terms (`obligations[2] (annual-report).fields[0].key`) and what is wrong, on one line.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from models.domain.file_input import MAX_PLAN_BYTES, FileInputError, parse_toml, read_bytes
from models.domain.quote import short
from models.plans.schema import KEY_RE, Plan

# Plan validators that check cross-references report "<key path>: <what is wrong>".
_PATH_PREFIX = re.compile(
    r"^(?P<path>[a-z_][a-z0-9_]*(?:\[\d+\])?(?: \([a-z0-9-]+\))?"
    r"(?:\.[a-z_][a-z0-9_-]*(?:\[\d+\])?)*): (?P<message>.+)$",
    re.DOTALL,
)
_TOML_POSITION = re.compile(
    r"^(?P<message>.*?)\s*\(at (?P<where>line \d+, column \d+|end of document)\)$"
)
# Friendlier wording for the pydantic error types a hand-edited plan hits most.
_MESSAGES = {
    "missing": "required key is missing",
    "extra_forbidden": "unknown key (check the spelling)",
}


class PlanError(ValueError):
    """A plan that cannot be used. `str()` is one line: `<file>: <key>: <what is wrong>`."""

    def __init__(self, file: str | Path, key: str, message: str) -> None:
        self.file = str(file)
        self.key = key
        self.message = " ".join(message.split())  # one line, whatever the source said
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


def list_plans(plans_dir: Path) -> list[str]:
    """Plan ids available in `plans_dir` (file stems of `*.toml`), sorted."""
    if not plans_dir.is_dir():
        return []
    return sorted(p.stem for p in plans_dir.glob("*.toml") if p.is_file())


def _is_path(ref: str) -> bool:
    return ref.endswith(".toml") or "/" in ref or "\\" in ref


def resolve_plan_path(ref: str, plans_dir: Path) -> Path:
    """A plan id from `plans_dir`, or a path to a `.toml` file, → the file's path."""
    if _is_path(ref):
        path = Path(ref)
        if not path.is_file():
            raise PlanError(ref, "(file)", "no such plan file")
        return path
    if not re.match(KEY_RE, ref):
        raise PlanError(ref, "(plan)", f"not a plan id (ids match {KEY_RE}) nor a .toml path")
    path = plans_dir / f"{ref}.toml"
    if not path.is_file():
        available = ", ".join(list_plans(plans_dir)) or "none"
        raise PlanError(path, "(plan)", f"unknown plan {ref!r} (available: {available})")
    return path


def plan_digest(path: str | Path) -> str:
    """Short sha256 of the file bytes: records which exact plan text a follow-up year used."""
    return hashlib.sha256(read_bytes(Path(path), MAX_PLAN_BYTES)).hexdigest()[:16]


def load_plan(ref: str, plans_dir: Path | None = None) -> Plan:
    """Reads and validates a plan; raises PlanError naming the file, key and problem."""
    if plans_dir is None:
        from models.runtime.settings import get_settings

        plans_dir = get_settings().plans_dir
    path = resolve_plan_path(ref, plans_dir)
    try:
        # Bounded read and nesting/key-count check first: a hostile plan is refused at once.
        raw = read_bytes(path, MAX_PLAN_BYTES)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise PlanError(path, "(file)", f"not UTF-8 text ({err.reason})") from None
        data = parse_toml(text)
    except FileInputError as err:
        raise PlanError(path, "(file)", str(err)) from None
    except tomllib.TOMLDecodeError as err:
        match = _TOML_POSITION.match(str(err))
        where, what = (match["where"], match["message"]) if match else ("(toml)", str(err))
        raise PlanError(path, where, f"TOML syntax error: {what}") from None
    try:
        plan = Plan.model_validate(data)
    except ValidationError as err:
        raise _plan_error(path, data, err) from None
    if _inside(path, plans_dir) and plan.id != path.stem:
        raise PlanError(path, "id", f"{plan.id!r} must equal the file name {path.stem!r}")
    return plan


def _inside(path: Path, plans_dir: Path) -> bool:
    return path.resolve().parent == plans_dir.resolve()


def _plan_error(path: Path, data: dict[str, Any], err: ValidationError) -> PlanError:
    """The first validation error, with its location spelled as a plan key path."""
    errors = err.errors(include_url=False)
    first = errors[0]
    key = _key_path(first["loc"], data)
    message = _MESSAGES.get(first["type"], first["msg"])
    if first["type"] == "value_error":
        message = message.removeprefix("Value error, ")
        # A validator on a container names the key within it (see models.plans.schema).
        found = _PATH_PREFIX.match(message)
        if found:
            inner, message = found["path"], found["message"]
            key = f"{key}.{inner}" if key else inner
    elif first["type"] not in ("missing", "extra_forbidden") and _scalar(first.get("input")):
        message = f"{message} (got {short(first['input'])})"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    return PlanError(path, key or "(plan)", message)


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float | bool)


def _key_path(loc: tuple[int | str, ...], data: Any) -> str:
    """`("obligations", 2, "schedule", "annual", "due")` → `obligations[2] (key).schedule.due`.

    Walks the TOML data alongside the location so it can drop what pydantic adds that is not in
    the file (discriminator tags such as `annual`, union branch names) and name list items by
    their `key` at the top level, where an index alone is hard to find in a long file.
    """
    text = ""
    node: Any = data
    for depth, item in enumerate(loc):
        if isinstance(item, int):
            text += f"[{item}]"
            node = node[item] if isinstance(node, list) and 0 <= item < len(node) else None
            if depth == 1 and isinstance(node, dict) and isinstance(node.get("key"), str):
                text += f" ({node['key']})"
            continue
        if isinstance(node, dict) and item not in node:
            if node.get("kind") == item:
                continue  # discriminated union: pydantic reports the tag, the file has none
            if not re.fullmatch(r"[A-Za-z0-9_-]+", item):
                continue  # union branch such as "literal['contract-start']" or "int"
        elif node is not None and not isinstance(node, dict):
            break  # below a scalar only union branch names follow
        text += f".{item}" if text else item
        node = node.get(item) if isinstance(node, dict) else None
    return text
