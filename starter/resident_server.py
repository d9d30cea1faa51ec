"""The resident CLI process (`lov resident`, started by `lov serve`): the CLI imported once,
a fork per command.

The parent imports every command module and what they import (Typer, pydantic, the settings
classes, the messages, the Temporal client, SQLAlchemy), then waits on a Unix socket under
var/run/ that only its owner can reach. For each request (starter/resident.py) it forks; the
child takes the caller's stdin, stdout and stderr, working directory and environment, runs the
command exactly as `lov` would, and reports its exit code. The parent never reads the settings,
opens a connection or starts a thread, so each child starts from a clean, single-threaded copy:
settings, database engines and the Temporal connection are made per command from the caller's
environment, as in a fresh process.

A forked child runs the code the parent loaded: after an upgrade, restart `lov serve` (or the
`lov resident` service) as the worker is restarted.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import signal
import socket
import struct
import sys
from pathlib import Path

from starter.resident import MAX_REQUEST

# Loaded before the first fork, so no command pays for them. Each is imported by some command
# anyway; the list only moves that cost from every command to the start of the process.
PRELOAD = (
    "pydantic",
    "pydantic_settings",
    "sqlalchemy.ext.asyncio",
    "aiosqlite",
    "temporalio.client",
    "temporalio.contrib.pydantic",
    "models.runtime.settings",
    "models.runtime.temporal",
    "services.providers",
    "services.due",
    "services.contracts",
)


def preload() -> None:
    from starter.cli import GROUPS, build_app

    build_app()  # every command module
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    del GROUPS


def listen(path: Path) -> socket.socket:
    """The socket, in a directory only the owner can enter; a socket left by a process that
    died is replaced, one that answers belongs to a running resident and is refused."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    if path.exists():
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(path))
        except OSError:
            path.unlink()
        else:
            probe.close()
            raise RuntimeError(f"{path} används redan av en annan lov resident (in use)")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o177)
    try:
        server.bind(str(path))
    finally:
        os.umask(old_umask)
    server.listen(16)
    return server


def same_user(conn: socket.socket) -> bool:
    """Only the owner's own processes may run commands here (the socket's mode says the same;
    this holds even if the directory's mode is changed)."""
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def serve_forever(path: Path, ready: str | None = None) -> None:
    preload()
    server = listen(path)
    # Children are reaped by the kernel; the parent never waits for one.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    # Stopped by `lov serve` or a service manager: leave no socket behind (finally below).
    signal.signal(signal.SIGTERM, _stop)
    try:
        # Inside the try: a SIGTERM right after the ready line still removes the socket.
        if ready:
            print(ready, flush=True)
        while True:
            conn, _ = server.accept()
            if not same_user(conn):
                conn.close()
                continue
            if os.fork() == 0:
                server.close()
                os._exit(_child(conn))
            conn.close()
    finally:
        server.close()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _stop(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def _read_request(conn: socket.socket) -> tuple[dict[str, object], list[int]] | None:
    data, fds, _flags, _addr = socket.recv_fds(conn, MAX_REQUEST + 4, 3)
    if len(fds) != 3 or len(data) < 4:
        return None
    size = int.from_bytes(data[:4], "big")
    if size > MAX_REQUEST:
        return None
    body = bytearray(data[4:])
    while len(body) < size:
        chunk = conn.recv(size - len(body))
        if not chunk:
            return None  # the client gave up: nothing runs
        body += chunk
    request = json.loads(body)
    return (request, fds) if isinstance(request, dict) else None


def _child(conn: socket.socket) -> int:
    """In the forked child: run one command as `lov` would; the exit code goes to the client."""
    for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        received = _read_request(conn)
    except (OSError, ValueError):
        received = None
    if received is None:
        return 2
    request, fds = received
    log = os.dup(2)  # the resident's own stderr, before the caller's takes its place
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    encodings = request.get("encoding") or ["utf-8", "utf-8"]
    assert isinstance(encodings, list)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
    sys.stdout = _text(1, str(encodings[0]))
    sys.stderr = _text(2, str(encodings[1]))
    os.chdir(str(request["cwd"]))
    env = request["env"]
    assert isinstance(env, dict)
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in env.items()})
    argv = [str(a) for a in request["argv"]]  # type: ignore[attr-defined]
    sys.argv = ["lov", *argv]
    conn.sendall(f"P{os.getpid()}\n".encode())
    code = _run(argv)
    # One line per command for the operator: the command's name and exit code only (its
    # arguments may be org numbers or names).
    os.write(log, f"lov resident: {argv[0] if argv else '-'} → {code}\n".encode())
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    with contextlib.suppress(OSError):
        conn.sendall(f"X{code}\n".encode())
    return code


def _text(fd: int, encoding: str) -> io.TextIOWrapper:
    raw = io.FileIO(fd, "w", closefd=False)
    return io.TextIOWrapper(raw, encoding=encoding, line_buffering=raw.isatty())


def _run(argv: list[str]) -> int:
    from models.runtime.settings import get_settings
    from starter.cli import main

    get_settings.cache_clear()  # never read in the parent; cleared all the same
    try:
        main()
    except SystemExit as exc:
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code
        print(exc.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BaseException:  # noqa: BLE001 - the traceback goes to the caller, as in-process
        import traceback

        traceback.print_exc()
        return 1
    return 0


READY = "lov resident: redo (ready)"


def resident() -> None:
    """Håll CLI:n laddad så att `lov`-kommandon startar snabbt (keep the CLI loaded).

    `lov serve` startar den själv; i produktion körs den som en egen tjänst bredvid workern,
    som samma användare som kör `lov`. Startas om efter en uppgradering, som workern."""
    from models.runtime.settings import get_settings
    from starter.resident import socket_path

    var_dir = get_settings().var_dir.resolve()
    try:
        serve_forever(socket_path(var_dir), ready=READY)
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        print(f"lov resident: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
