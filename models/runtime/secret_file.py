"""A secret kept in a file under var/, written once (mode 0600) and never overwritten."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def create_once(path: Path, new_value: Callable[[], str]) -> None:
    """Writes `new_value()` to `path` unless the file exists. O_EXCL: two processes starting
    at once cannot overwrite each other's secret; the second keeps the first one's."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as out:
        out.write(new_value() + "\n")
