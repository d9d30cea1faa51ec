"""`lov serve`'s var/ is for its owner only (starter.private_files)."""

from __future__ import annotations

import os
from pathlib import Path

from starter.private_files import TOKEN_FILE, read_or_create_token, restrict


def mode(path: Path) -> int:
    return path.lstat().st_mode & 0o777


def test_restrict_tightens_lovflows_own_files_and_leaves_the_rest(tmp_path: Path) -> None:
    var = tmp_path / "var"
    (var / "mail").mkdir(parents=True)
    own = [
        var / "lovflow.db",
        var / "lovflow.db-wal",
        var / "temporal.db",
        var / "temporal.db-shm",
        var / "temporal.log",
        var / TOKEN_FILE,
        var / "mail" / "20270101T000000.000000Z-a.eml",
    ]
    other = var / "notes.txt"  # LOV_VAR_DIR may name a folder with other things in it
    outside = tmp_path / "outside.txt"
    for path in [*own, other, outside]:
        path.write_text("x")
        path.chmod(0o644)
    (var / "mail" / "link.eml").symlink_to(outside)
    var.chmod(0o755)
    (var / "mail").chmod(0o755)

    restrict(var)

    assert mode(var) == 0o700 and mode(var / "mail") == 0o700
    assert {p.name: mode(p) for p in own} == {p.name: 0o600 for p in own}
    assert mode(other) == 0o644
    assert mode(outside) == 0o644, "a symbolic link's target is not ours"


def test_token_is_made_once_0600_and_kept(tmp_path: Path) -> None:
    path = tmp_path / TOKEN_FILE
    old_umask = os.umask(0o022)
    try:
        token = read_or_create_token(path)
    finally:
        os.umask(old_umask)
    assert len(token) >= 32 and path.read_text().strip() == token
    assert mode(path) == 0o600
    assert not [p for p in tmp_path.iterdir() if p != path], "no temporary file left"
    path.chmod(0o644)
    assert read_or_create_token(path) == token
    assert mode(path) == 0o600
