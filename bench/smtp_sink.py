"""An SMTP server in a process of its own, counting the messages it accepts.

The simulation measures the worker, and in production the SMTP relay is another machine: an
in-process server (aiosmtpd on a thread) would charge the relay's parsing to the worker's one
interpreter lock. This keeps it on the same machine (it still competes for the two cores) but
out of the measured process.

`python -m bench.smtp_sink PORT` prints "ready" once it listens and, on SIGTERM, the number of
messages it accepted.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from typing import Any

from aiosmtpd.controller import Controller

from starter.ports import free_port


class _Counter:
    def __init__(self) -> None:
        self.messages = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        return "250 OK"


def _serve(port: int) -> None:
    counter = _Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    stop = asyncio.Event()

    async def wait() -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()

    asyncio.run(wait())
    controller.stop()
    print(counter.messages, flush=True)


class SinkProcess:
    """The sink as a child process: `start()` returns its port, `stop()` the message count."""

    def __init__(self) -> None:
        self.port = free_port()
        self._proc: subprocess.Popen[str] | None = None

    def start(self) -> int:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "bench.smtp_sink", str(self.port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        if self._proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP sink did not start")
        return self.port

    def stop(self) -> int:
        assert self._proc is not None and self._proc.stdout is not None
        self._proc.send_signal(signal.SIGTERM)
        out, _ = self._proc.communicate(timeout=30)
        return int(out.strip() or 0)


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
