"""`lov serve`'s state under var/ is readable by its owner only.

var/ holds the records database, Temporal's database and log, every e-mail the sink caught and
the codec token: names, e-mail addresses and report figures. The umask covers what is created
from now on (also by the dev server, which inherits it); `restrict` fixes what an older version
left readable.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600
TOKEN_FILE = "codec-token"


def private_umask() -> None:
    """New files 0600 and folders 0700 for this process and the processes it starts."""
    os.umask(PRIVATE_UMASK)


def make_private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    path.chmod(DIR_MODE)


# What lovflow keeps directly in var/ (SQLite adds -wal, -shm, -journal to the databases).
_OWN_FILES = ("lovflow.db*", "temporal.db*", "temporal.log", TOKEN_FILE)
_OWN_DIRS = ("mail",)


def restrict(var_dir: Path) -> None:
    """var_dir and what lovflow keeps in it: folders 0700, files 0600. Only lovflow's own
    entries, in case LOV_VAR_DIR names a folder that holds other things too; symbolic links are
    left alone (they may point at something that is not ours)."""
    make_private_dir(var_dir)
    paths = [p for pattern in _OWN_FILES for p in var_dir.glob(pattern)]
    for name in _OWN_DIRS:
        folder = var_dir / name
        if folder.is_dir() and not folder.is_symlink():
            folder.chmod(DIR_MODE)
            paths.extend(folder.iterdir())
    for path in paths:
        # A file may vanish meanwhile (the sink's .tmp being renamed, SQLite's -journal).
        with contextlib.suppress(FileNotFoundError):
            if path.is_symlink():
                continue
            path.chmod(DIR_MODE if path.is_dir() else FILE_MODE)


def read_or_create_token(path: Path) -> str:
    """The codec token in `path` (0600), made on first use. Kept across restarts, so a browser
    that has signed in once keeps decoding after `lov serve` restarts."""
    with contextlib.suppress(FileNotFoundError):
        token = path.read_text(encoding="ascii").strip()
        if token:
            path.chmod(FILE_MODE)
            return token
    token = secrets.token_urlsafe(32)
    # O_EXCL with the mode in the open itself: never a moment in which another user could read it.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(token + "\n")
    os.replace(tmp, path)
    return token
