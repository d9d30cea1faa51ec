"""The desk served by uvicorn in a thread of its own (its own event loop), for a real browser
driven synchronously by Selenium from the test: while the test waits on the browser, the desk
goes on answering. Plain HTTP on 127.0.0.1, so the session cookie is not Secure."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from models.runtime.settings import Settings
from web.app import create_app


@contextmanager
def desk_thread(settings: Settings, port: int) -> Iterator[str]:
    """The desk on `port` (known beforehand, e.g. to register its address with an identity
    provider) until the block ends; yields its address."""
    import uvicorn

    plain = settings.model_copy(
        update={"web_host": "127.0.0.1", "web_port": port, "web_secure_cookies": False}
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(plain), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="desk", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the desk did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
