"""A bound on what a request to the portal may send, enforced before the form is read.

The CSRF check reads every POST's form before any route runs, and Starlette spools uploaded files
to disk without a limit, so the per-document limit (services/documents.py) alone would let one
request fill the disk. This middleware refuses a portal request whose body is larger than
MAX_DOCUMENTS documents of LOV_PORTAL_UPLOAD_MB and a margin for the fields: by its
Content-Length at once (413), and a body without one (chunked) as soon as it grows past the
bound. Keep a limit at the reverse proxy too (docs/DEPLOYMENT.md).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# More documents than any plan asks of one duty; the fields' margin on top.
MAX_DOCUMENTS = 10
MARGIN = 1024 * 1024
PREFIX = "/portal"
_REFUSED = "Det som skickades är för stort. Inget har sparats.".encode()


class TooLarge(Exception):
    pass


class PortalBodyLimit:
    def __init__(self, app: ASGIApp, upload_mb: int) -> None:
        self.app = app
        self.max_bytes = MAX_DOCUMENTS * upload_mb * 1024 * 1024 + MARGIN

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _refuse(send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except TooLarge:
            if not started:
                await _refuse(send)


async def _refuse(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(_REFUSED)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _REFUSED})
