"""The port check of `lov serve` (starter.ports.port_in_use): a listener counts, a connection
left in TIME_WAIT by a process that has gone (crash, restart) does not."""

from __future__ import annotations

import socket

from starter.ports import port_in_use
from tests.support.helpers import leave_time_wait, tcp_states


def test_a_listener_counts_as_in_use() -> None:
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = int(listener.getsockname()[1])
        assert port_in_use(port)
    assert not port_in_use(port)


def test_a_connection_in_time_wait_does_not_count() -> None:
    port = leave_time_wait()
    assert "TIME_WAIT" in tcp_states(port) and "LISTEN" not in tcp_states(port)
    # What a bind without SO_REUSEADDR (the old check) sees: "in use" although nothing listens.
    with socket.socket() as plain:
        try:
            plain.bind(("127.0.0.1", port))
            plain_refused = False
        except OSError:
            plain_refused = True
    assert plain_refused, "the kernel refuses a plain bind next to TIME_WAIT"
    assert not port_in_use(port)
    # And a server binding as servers do can take it.
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen()
        assert port_in_use(port)
