"""Shared fixtures: Temporal servers, a real SMTP server, real databases.

Servers are session-scoped and started lazily (only when a test asks for them), as in
temporalio/sdk-python's own tests; everything else is per test.
"""

from __future__ import annotations

import functools
import os
import socket
import uuid
import warnings
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.workflow import UnfinishedSignalHandlersWarning, UnfinishedUpdateHandlersWarning

from models.runtime.temporal import (
    DEV_SERVER_BINARY,
    TEST_SERVER_BINARY,
    find_binary,
    local_env_search_attributes,
)
from tests.support.cli_runner import cli_worker
from tests.support.helpers import ReceivedMail

# Fixtures kept with their helpers in tests/support/, offered to every test module here so no
# module imports a fixture (or another test module) to use it.
pytest_plugins = [
    "tests.support.application_cli",
    "tests.support.browser",
    "tests.support.contract_cli",
    "tests.support.finding_cli",
    "tests.support.db_fixtures",
    "tests.support.desk_process",
    "tests.support.meeting_desk",
    "tests.support.oidc_provider",
    "tests.support.portal",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files holding slow or browser tests come first. With `--dist loadfile
    --no-loadscope-reorder` (the Makefile) pytest-xdist hands out files in this order, so the
    long ones start at once and the many short files fill the tail on both processes instead of
    one process finishing a 30-second file alone at the end. The order within a file stays."""
    heavy = {
        item.nodeid.split("::")[0]
        for item in items
        if item.get_closest_marker("slow") or item.get_closest_marker("browser")
    }
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in heavy)


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Every test reads the settings anew: the CLI caches them per process (get_settings), and
    under pytest-xdist a process runs other files' tests first, in no fixed order."""
    from models.runtime.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# --- Temporal -----------------------------------------------------------------------------------


@pytest_asyncio.fixture(scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """Time-skipping test server: years of timers pass in seconds. No custom search attributes
    (it has no visibility store), so settings.search_attributes must be False with it."""
    environment = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(find_binary(TEST_SERVER_BINARY)),
        data_converter=pydantic_data_converter,
    )
    try:
        yield environment
    finally:
        await environment.shutdown()


@pytest_asyncio.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """Real dev server (in-memory SQLite) with lovflow's search attributes registered."""
    environment = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(find_binary(DEV_SERVER_BINARY)),
        search_attributes=local_env_search_attributes(),
        data_converter=pydantic_data_converter,
        dev_server_extra_args=[
            # Without this a freshly registered attribute may be unknown for a few seconds.
            "--dynamic-config-value",
            "system.forceSearchAttributesCacheRefreshOnRead=true",
        ],
    )
    try:
        yield environment
    finally:
        await environment.shutdown()


# --- mail ---------------------------------------------------------------------------------------


@pytest.fixture
def smtp_server() -> Iterator[ReceivedMail]:
    """A real SMTP server on a free port; `.messages`, `.clear()`, `await .wait_for(n)`."""
    server = ReceivedMail()
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- `lov` against a worker on the dev server -------------------------------------------------


@pytest.fixture
def worker_for(
    dev_env: WorkflowEnvironment,
    smtp_server: ReceivedMail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., AbstractAsyncContextManager[dict[str, str]]]:
    """`async with worker_for(name=…, default_plan=…) as env:` tests.support.cli_runner.cli_worker
    on the dev server with this test's SMTP server, tmp dir and environment."""

    return functools.partial(cli_worker, dev_env.client, smtp_server, tmp_path, monkeypatch)


# --- databases ----------------------------------------------------------------------------------

# Admin connection used to create a throw-away database per test. Trust auth on loopback, as on
# the project's machines; override for other setups.
POSTGRES_ADMIN_DSN = os.environ.get(
    "LOV_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _postgres_listening() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest_asyncio.fixture
async def postgres_url() -> AsyncIterator[str]:
    """SQLAlchemy URL of a fresh, empty PostgreSQL database, dropped after the test.

    Skips (visibly) when no server listens on 127.0.0.1:5432, unless LOV_REQUIRE_POSTGRES=1
    (set by .ci/run, which starts the server) turns that into a failure.
    """
    if not _postgres_listening():
        reason = "PostgreSQL svarar inte på 127.0.0.1:5432 (not running)"
        if os.environ.get("LOV_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    import asyncpg

    name = f"lovflow_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = make_url(POSTGRES_ADMIN_DSN).set(drivername="postgresql+asyncpg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """The records database, once on SQLite and once on PostgreSQL (fresh and empty each)."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    return url


# --- Temporal's "unfinished handlers" warnings are test failures --------------------------------
# The SDK warns (from the worker's threads) when a workflow completes while an update or signal
# handler is still running: the caller of that update never gets an answer. pyproject's
# filterwarnings turns them into errors outside tests; during a test we record them instead (an
# exception inside the worker would only fail the workflow task and retry it until the timeout)
# and fail the test with the SDK's message.

_HANDLER_WARNINGS: tuple[type[Warning], ...] = (
    UnfinishedUpdateHandlersWarning,
    UnfinishedSignalHandlersWarning,
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    with warnings.catch_warnings(record=True) as caught:
        for category in _HANDLER_WARNINGS:
            warnings.simplefilter("always", category)
        try:
            result = yield
        finally:
            handler_warnings = [w for w in caught if issubclass(w.category, _HANDLER_WARNINGS)]
            others = [w for w in caught if not issubclass(w.category, _HANDLER_WARNINGS)]
    # Hand every other warning back to pytest's own filters and summary.
    for w in others:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    if handler_warnings:
        pytest.fail(
            "Temporal: arbetsflöde avslutades med oavslutade handlers (unfinished handlers):\n"
            + "\n".join(str(w.message) for w in handler_warnings),
            pytrace=False,
        )
    return result
