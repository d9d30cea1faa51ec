"""Reading a submission from the command line: `--field KEY=VALUE`, `--fields-file` and
`--document KEY=PATH`. Each refusal is one line naming the option or field, exit code 2."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from models.domain.file_input import (
    MAX_FIELDS_BYTES,
    FileInputError,
    parse_json,
    parse_toml,
    read_text,
)
from models.domain.quote import short
from models.messages.obligation import DocumentRef
from services.calls import ActionError, document_ref
from starter.errors import fail_bad_input


def pair(text: str, option: str, example: str) -> tuple[str, str]:
    """`KEY=VALUE`, split; or exit 2 with an example."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        fail_bad_input(f"{option}: väntade NYCKEL=VÄRDE (expected key=value), t.ex. {example}")
    return key.strip(), value


def fields_file(path: Path) -> dict[str, Any]:
    """The report fields of a .json or .toml file: a mapping of numbers, booleans and texts."""
    option = "--fields-file"
    if path.suffix not in (".json", ".toml"):
        fail_bad_input(f"{option}: {path} måste vara .json eller .toml (must be .json/.toml)")
    try:
        text = read_text(path, MAX_FIELDS_BYTES)
        data = parse_json(text) if path.suffix == ".json" else parse_toml(text)
    except FileInputError as err:
        fail_bad_input(f"{option}: {path}: {err}")
    except (ValueError, tomllib.TOMLDecodeError) as err:
        fail_bad_input(f"{option}: {path}: {' '.join(str(err).split())}")
    if not isinstance(data, dict):
        fail_bad_input(f"{option}: {path} ska innehålla en tabell/ett objekt (must be a mapping)")
    values: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, date):
            value = value.isoformat()
        if not isinstance(value, str | int | float | bool):
            fail_bad_input(
                f"fields.{key}: i {path}: ska vara tal, true/false eller text (must be a "
                f"number, true/false or text), fick {short(value)}"
            )
        values[str(key)] = value
    return values


def documents(specs: list[str]) -> list[DocumentRef]:
    """`--document KEY=PATH` values: each file's path, size and SHA-256 (the file stays put)."""
    refs: list[DocumentRef] = []
    for spec in specs:
        key, path = pair(spec, "--document", "self-inspection-report=rapport.pdf")
        if not path.strip():
            fail_bad_input(f"documents.{key}: sökväg saknas (path missing)")
        try:
            refs.append(document_ref(key, Path(path).expanduser()))
        except ActionError as err:
            fail_bad_input(str(err))
    return refs
