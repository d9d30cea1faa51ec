"""The `lov` client's fast path: hand the command to a resident CLI process when one runs.

A `lov` command is a fresh Python process, and most of its time is imports: Typer, pydantic,
the settings, the messages and SQLAlchemy cost about twice what the Temporal client itself does
(docs/PERFORMANCE.md §5). `lov serve` (and, in production, `lov resident`) keeps one process
with all of that imported and waiting on a Unix socket under var/ (starter/resident_server.py).
This module, which imports only the standard library and the location settings, connects to
it, passes its argument list, working directory, environment and its own stdin, stdout and
stderr (SCM_RIGHTS), and exits with the command's exit code. The resident process forks a child
per command that runs exactly what `lov` would have run, with the caller's environment, so
settings, output, prompts on the terminal and exit codes are the same.

Nothing is run twice: the command is handed over only when the connection is made and the
whole request is sent; before that `lov` runs it itself as before, after that the resident's
answer (or its failure) is the answer. LOV_RESIDENT=0 turns the fast path off.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from pathlib import Path

# The commands worth handing over: short commands that read or change one thing. Long-running
# ones (serve, web, simulate, the codec server, the mail sink) and those that prompt on the
# terminal (`lov user passwd`) run in their own process as before.
HANDED_OVER = frozenset(
    {
        "application",
        "audit",
        "contract",
        "due",
        "finding",
        "meeting",
        "overdue",
        "placement",
        "plan",
        "provider",
        "recovery",
        "report",
        "task",
    }
)
SWITCH = "LOV_RESIDENT"
SOCKET_NAME = "cli.sock"
# Bytes of a request header, at most: argv, cwd and an environment fit many times over.
MAX_REQUEST = 1 << 20


def socket_path(var_dir: Path) -> Path:
    """Where the resident CLI listens: var/run/cli.sock (var/ is the owner's only)."""
    return var_dir / "run" / SOCKET_NAME


def wanted(argv: list[str]) -> bool:
    if os.environ.get(SWITCH, "").strip().lower() in {"0", "false", "no", "off"}:
        return False
    return bool(argv) and argv[0] in HANDED_OVER and "--help" not in argv


def _connect() -> socket.socket | None:
    from models.runtime.locations import read_locations

    locations = read_locations()
    if locations is None:
        return None  # settings the full CLI must judge (and explain)
    path = socket_path(locations.var_dir)
    if not path.exists():
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()  # a socket left by a stopped process: run the command here
        return None
    return sock


def encode_request(argv: list[str]) -> bytes:
    body = json.dumps(
        {
            "argv": argv,
            "cwd": os.getcwd(),
            "env": dict(os.environ),
            "encoding": [sys.stdout.encoding, sys.stderr.encoding],
        }
    ).encode()
    return len(body).to_bytes(4, "big") + body


def run_resident(argv: list[str]) -> int | None:
    """The command's exit code when the resident process ran it; None when `lov` must run it
    itself (no resident process, or the request could not be handed over)."""
    if not wanted(argv):
        return None
    sock = _connect()
    if sock is None:
        return None
    with sock:
        try:
            request = encode_request(argv)
            for fd in (0, 1, 2):
                os.fstat(fd)  # a closed stdio descriptor cannot be passed: run it here
            sent = socket.send_fds(sock, [request], [0, 1, 2])
            sock.sendall(request[sent:])
        except OSError:
            return None  # nothing was handed over: the server only runs a whole request
        return _await_answer(sock)


def _await_answer(sock: socket.socket) -> int:
    reader = sock.makefile("rb")
    child: int | None = None

    def forward(signum: int, _frame: object) -> None:
        # Ctrl-C and a service manager's TERM reach the command, as they would in-process.
        if child is not None:
            try:
                os.kill(child, signum)
            except ProcessLookupError:
                pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    for line in reader:
        if line.startswith(b"P"):
            child = int(line[1:])
        elif line.startswith(b"X"):
            return int(line[1:])
    sys.stderr.write(
        "lov: den körande CLI-processen svarade inte (the resident CLI process ended without "
        "an answer); kör kommandot igen med LOV_RESIDENT=0\n"
    )
    return 1
