"""A submitted document as the desk, the portal and `lov provider show` list it: its title in the
plan, file name, size and SHA-256. Apart from services/duties.py, so that `lov provider show`
lists documents without loading the plan machinery (tests/cli/test_startup_imports.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    key: str
    title: str
    filename: str
    size: int
    sha256: str


def document_facts(doc: dict[str, Any], titles: dict[str, str]) -> DocumentFacts:
    """A recorded document reference ({name, path, sha256, size}) with its title in the plan."""
    key = str(doc.get("name", ""))
    return DocumentFacts(
        key=key,
        title=titles.get(key, key),
        filename=Path(str(doc.get("path", ""))).name,
        size=int(doc.get("size", 0)),
        sha256=str(doc.get("sha256", "")),
    )
