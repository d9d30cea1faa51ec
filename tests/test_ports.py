"""The port check of `lov serve` (starter.ports.port_in_use): a listener counts, a connection
left in TIME_WAIT by a process that has gone (crash, restart) does not."""

from __future__ import annotations

import socket

from starter.ports import port_in_use


def _time_wait_on_a_free_port() -> int:
    """A port with nothing listening but a closed connection in TIME_WAIT on it, as a crashed
    server leaves it: the server side closes first, so its socket on the port waits."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = int(listener.getsockname()[1])
        client = socket.create_connection(("127.0.0.1", port))
        served, _ = listener.accept()
        served.sendall(b"bye")
        served.close()  # active close: this end goes to TIME_WAIT
        assert client.recv(3) == b"bye"
        client.close()
    return port


def _states(port: int) -> set[str]:
    """TCP states of sockets on 127.0.0.1:`port`, from /proc/net/tcp (hex)."""
    names = {"01": "ESTABLISHED", "06": "TIME_WAIT", "0A": "LISTEN", "08": "CLOSE_WAIT"}
    found = set()
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if int(local.split(":")[1], 16) == port:
                found.add(names.get(state, state))
    return found


def test_a_listener_counts_as_in_use() -> None:
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = int(listener.getsockname()[1])
        assert port_in_use(port)
    assert not port_in_use(port)


def test_a_connection_in_time_wait_does_not_count() -> None:
    port = _time_wait_on_a_free_port()
    assert "TIME_WAIT" in _states(port) and "LISTEN" not in _states(port)
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
