"""A TCP proxy in the test's event loop: the records database "goes down" when it is cut
(listener closed, open connections dropped) and comes back when it is started again, on the
same port, exactly like a database server restart or a network partition seen by the worker.

`cut_after(marker)` cuts at the worst moment for a client: right after a request containing
`marker` has gone to the server, before any answer gets back (the server carries the request
out; the client never learns it did)."""

from __future__ import annotations

import asyncio
import contextlib
import zlib

from tests.support.helpers import free_port


def _readable(data: bytes) -> bytes:
    """`data` with every gzip member in it unpacked as well: gRPC clients compress messages."""
    parts = [data]
    start = data.find(b"\x1f\x8b\x08")
    while start != -1:
        try:
            parts.append(zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[start:]))
        except zlib.error:
            pass
        start = data.find(b"\x1f\x8b\x08", start + 1)
    return b"".join(parts)


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._marker: bytes | None = None
        self._holding = False  # answers are dropped from here on, until the cut
        self.cut_done = asyncio.Event()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, self.host, self.port)

    def cut_after(self, marker: bytes) -> None:
        """Cut as soon as a request containing `marker` has been passed on to the server."""
        self._marker = marker
        self._holding = False
        self.cut_done.clear()

    async def cut(self) -> None:
        """Stop listening and drop every open connection."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(
            self._pipe(reader, up_writer, upstream=True),
            self._pipe(up_reader, writer, upstream=False),
            return_exceptions=True,
        )

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, upstream: bool
    ) -> None:
        try:
            while data := await reader.read(65536):
                if not upstream and self._holding:
                    continue  # the answer is lost on the way back
                writer.write(data)
                await writer.drain()
                if upstream and self._marker is not None and self._marker in _readable(data):
                    self._marker = None
                    self._holding = True
                    asyncio.get_running_loop().create_task(self._cut_soon(writer))
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.transport.abort()

    async def _cut_soon(self, upstream: asyncio.StreamWriter) -> None:
        # Let the request reach the server and the server act on it, then cut.
        while upstream.transport.get_write_buffer_size():
            await asyncio.sleep(0.01)
        await asyncio.sleep(1.0)
        await self.cut()
        self._holding = False
        self.cut_done.set()
