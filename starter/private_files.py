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


def restrict(var_dir: Path) -> None:
    """var_dir and everything below it: folders 0700, files 0600. Symbolic links are left alone
    (they may point outside var/, at something that is not ours)."""
    make_private_dir(var_dir)
    for root, dirs, files in os.walk(var_dir):
        for name in dirs:
            path = Path(root, name)
            if not path.is_symlink():
                path.chmod(DIR_MODE)
        for name in files:
            path = Path(root, name)
            if not path.is_symlink():
                # A file may vanish meanwhile (the sink's .tmp being renamed, SQLite's -journal).
                with contextlib.suppress(FileNotFoundError):
                    path.chmod(FILE_MODE)


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
