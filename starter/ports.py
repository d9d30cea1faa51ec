"""Local ports for in-process servers."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server listens on `host:port` (or holds it bound).

    Binds with SO_REUSEADDR, as the servers themselves do (Go's listeners, asyncio, http.server):
    without it, a connection left in TIME_WAIT by a process that has just exited (a crash, a
    restart) made the port look taken for a minute although nothing listened. A live listener
    still refuses the bind on Linux, so it still counts.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False
