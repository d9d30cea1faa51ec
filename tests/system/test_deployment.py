"""The production deployment: docker-compose.yml, the Dockerfile, docs/DEPLOYMENT.md.

Docker cannot run containers on the project's machines, so the compose file is checked as data
(services, pinned images, wiring, health checks, start order), validated by `docker compose
config` where that binary exists, and the worker image's command is run as it is written in the
Dockerfile, outside Docker, with the compose worker's environment pointed at local services:
tests/system/test_deployment_workers.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from models.runtime.settings import Settings
from models.runtime.temporal import codec, search_attribute_types
from models.runtime.web_secret import web_secret
from tests.support.deployment import (
    COMPOSE_FILE,
    COMPOSE_SECRETS,
    PROJECT_ROOT,
    dockerfile_command,
    dockerfile_env,
    dockerfile_instructions,
    environment,
    interpolate,
    load_compose,
    services,
)

DEPLOYMENT_DOC = PROJECT_ROOT / "docs" / "DEPLOYMENT.md"


ONE_OFFS = {"temporal-schema", "temporal-setup", "lovflow-migrate"}
LONG_RUNNING = {
    "postgresql",
    "temporal",
    "temporal-ui",
    "lovflow-worker",
    "lovflow-codec",
    "web",
    "mailpit",
}


# --- reading the files ------------------------------------------------------------------------


def image_tag(image: str) -> tuple[str, str]:
    name, _, tag = image.rpartition(":")
    return (name, tag) if name and "/" not in tag else (image, "")


def project_version() -> str:
    data = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return str(data["project"]["version"])


# --- the compose file ---------------------------------------------------------------------------


def test_compose_has_every_service_of_the_deployment() -> None:
    assert set(services()) == ONE_OFFS | LONG_RUNNING


def test_every_image_is_pinned_and_lovflow_is_built_from_the_dockerfile() -> None:
    for name, service in services().items():
        image = service.get("image")
        assert image, f"{name}: no image"
        repository, tag = image_tag(image)
        assert tag and tag != "latest", f"{name}: image {image!r} is not pinned"
        assert re.match(r"v?\d+(\.\d+)+$", tag), f"{name}: {image!r} pins no version"
        if repository == "lovflow":
            assert tag == project_version(), f"{name}: lovflow image tag is not the version"
            assert service["build"]["context"] == "."
            assert (PROJECT_ROOT / service["build"]["dockerfile"]).is_file()
    images = {name: image_tag(s["image"])[0] for name, s in services().items()}
    assert images["temporal"] == "temporalio/server", "server + admin-tools, not auto-setup"
    assert images["temporal-schema"] == images["temporal-setup"] == "temporalio/admin-tools"
    assert images["temporal-ui"] == "temporalio/ui"
    assert images["postgresql"] == "postgres"
    assert images["mailpit"] == "axllent/mailpit"
    # Server and admin-tools must be the same Temporal version: the schema belongs to the server.
    assert (
        image_tag(services()["temporal"]["image"])[1]
        == image_tag(services()["temporal-schema"]["image"])[1]
    )


def test_start_order_is_enforced_by_conditions() -> None:
    all_services = services()
    expected = {
        "temporal-schema": {"postgresql": "service_healthy"},
        "temporal": {"temporal-schema": "service_completed_successfully"},
        "temporal-setup": {"temporal": "service_healthy"},
        "temporal-ui": {"temporal": "service_healthy"},
        "lovflow-migrate": {"postgresql": "service_healthy"},
        "lovflow-worker": {
            "lovflow-migrate": "service_completed_successfully",
            "temporal": "service_healthy",
            "temporal-setup": "service_completed_successfully",
        },
        # Not on Temporal: the desk's pages read the records and answer while it is down.
        "web": {"lovflow-migrate": "service_completed_successfully"},
    }
    for name, dependencies in expected.items():
        declared = all_services[name].get("depends_on")
        assert isinstance(declared, dict), f"{name}: depends_on needs conditions"
        assert {k: v["condition"] for k, v in declared.items()} == dependencies, name
    for name, service in all_services.items():
        for dependency, spec in (service.get("depends_on") or {}).items():
            target = all_services[dependency]
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in target, f"{name} waits for {dependency}'s health check"
            if spec["condition"] == "service_completed_successfully":
                assert dependency in ONE_OFFS, f"{name} waits for {dependency} to exit"
    # The worker must not wait for the mail relay (the outbox retries) nor for a staging service.
    assert "mailpit" not in all_services["lovflow-worker"]["depends_on"]


def test_health_checks_and_restart_policies() -> None:
    all_services = services()
    for name in ("postgresql", "temporal", "mailpit", "web"):
        check = all_services[name]["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert check.get("retries", 0) >= 3 and check.get("interval"), name
    # PostgreSQL over TCP: the image's init phase listens on the Unix socket only.
    assert "-h 127.0.0.1" in all_services["postgresql"]["healthcheck"]["test"][1]
    for name in LONG_RUNNING:
        assert all_services[name].get("restart") == "unless-stopped", name
    for name in ONE_OFFS:
        # Restarting a one-off forever would hide a failed setup; bounded retries ride out races.
        assert str(all_services[name].get("restart", "no")).startswith(("no", "on-failure")), name


def test_volumes_are_named_and_mounted_files_exist() -> None:
    compose = load_compose()
    declared = set(compose.get("volumes") or {})
    assert "postgres-data" in declared
    assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["postgresql"]["volumes"]
    used: set[str] = set()
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith((".", "/")):
                assert (PROJECT_ROOT / source).exists(), f"{name}: {source} is not in the repo"
            else:
                assert source in declared, f"{name}: volume {source} is not declared"
                used.add(source)
    assert used == declared


def test_only_loopback_ports_are_published() -> None:
    for name, service in services().items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond the host"
    assert "ports" not in services()["postgresql"]
    assert "ports" not in services()["lovflow-worker"], "workers serve nobody"


def test_worker_settings_point_at_the_compose_services() -> None:
    env = environment("lovflow-worker")
    assert all(key.startswith("LOV_") for key in env)
    for key in env:
        field = key.removeprefix("LOV_").lower()
        assert field in Settings.model_fields, f"{key} is not a lovflow setting"
    all_services = services()

    host, port = env["LOV_TEMPORAL_ADDRESS"].split(":")
    assert host == "temporal" and f"127.0.0.1:{port}:{port}" in all_services["temporal"]["ports"]
    assert environment("temporal-setup")["TEMPORAL_ADDRESS"] == env["LOV_TEMPORAL_ADDRESS"]
    assert environment("temporal-ui")["TEMPORAL_ADDRESS"] == env["LOV_TEMPORAL_ADDRESS"]
    assert env["LOV_TEMPORAL_NAMESPACE"] == environment("temporal-setup")["LOV_TEMPORAL_NAMESPACE"]

    url = make_url(env["LOV_DATABASE_URL"])
    assert url.drivername == "postgresql+asyncpg"
    assert (url.host, url.port, url.database, url.username) == (
        "postgresql",
        5432,
        "lovflow",
        "lovflow",
    )
    assert url.password == COMPOSE_SECRETS["LOVFLOW_DB_PASSWORD"]
    assert environment("lovflow-migrate")["LOV_DATABASE_URL"] == env["LOV_DATABASE_URL"]

    assert env["LOV_SMTP_HOST"] == "mailpit" and env["LOV_SMTP_PORT"] == "1025"
    assert all_services["mailpit"]["profiles"] == ["staging"]
    relay = environment("lovflow-worker", {"LOV_SMTP_HOST": "smtp.kommun.example"})
    assert relay["LOV_SMTP_HOST"] == "smtp.kommun.example", ".env overrides the relay"

    plans = env["LOV_PLANS_DIR"]
    assert f"./plans:{plans}:ro" in all_services["lovflow-worker"]["volumes"]
    # The whole environment is a valid Settings object (types, no unknown keys).
    values: dict[str, Any] = {k.removeprefix("LOV_").lower(): v for k, v in env.items()}
    values["codec_keys"] = json.loads(values["codec_keys"])  # JSON in the environment
    settings = Settings.model_validate(values)
    assert settings.search_attributes and settings.smtp_port == 1025
    assert codec(settings) is not None, "workers encrypt payloads"


def test_missing_secrets_stop_compose_with_the_variable_named() -> None:
    with pytest.raises(KeyError, match="LOVFLOW_DB_PASSWORD"):
        interpolate(services()["lovflow-worker"]["environment"]["LOV_DATABASE_URL"], {})


def test_workers_scale_out_and_get_time_to_drain() -> None:
    worker = services()["lovflow-worker"]
    assert worker["deploy"]["replicas"] >= 2
    assert "container_name" not in worker, "a fixed name would forbid --scale"
    grace = int(str(worker["stop_grace_period"]).removesuffix("s"))
    from worker import GRACEFUL_SHUTDOWN

    assert grace > GRACEFUL_SHUTDOWN.total_seconds()


def test_migration_service_runs_lov_db_upgrade() -> None:
    migrate = services()["lovflow-migrate"]
    assert migrate["command"] == ["lov", "db", "upgrade"]
    scripts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    # The console script: through the resident CLI process when one runs, else the CLI itself.
    assert scripts["lov"] == "starter.launch:main"
    assert migrate["image"] == services()["lovflow-worker"]["image"]


def test_records_database_and_owner_are_created_at_init() -> None:
    script = (PROJECT_ROOT / "deploy" / "postgres" / "init-databases.sh").read_text()
    assert "CREATE DATABASE lovflow OWNER lovflow" in script
    assert "CREATE DATABASE temporal OWNER temporal" in script
    assert "CREATE DATABASE temporal_visibility OWNER temporal" in script
    mount = "./deploy/postgres/init-databases.sh:/docker-entrypoint-initdb.d/"
    assert any(v.startswith(mount) for v in services()["postgresql"]["volumes"])


def test_setup_registers_exactly_the_search_attributes_of_the_code() -> None:
    script = (PROJECT_ROOT / "deploy" / "temporal" / "setup-namespace.sh").read_text()
    registered = dict(re.findall(r"^create_attribute (\w+) (\w+)$", script, re.MULTILINE))
    assert registered == search_attribute_types()
    setup = services()["temporal-setup"]
    assert setup["command"] == ["/deploy/setup-namespace.sh"]
    assert "./deploy/temporal:/deploy:ro" in setup["volumes"]


def test_codec_server_shares_the_workers_keys_and_serves_the_web_ui() -> None:
    codec_env = environment("lovflow-codec")
    worker_env = environment("lovflow-worker")
    assert codec_env["LOV_CODEC_KEYS"] == worker_env["LOV_CODEC_KEYS"]
    assert codec_env["LOV_CODEC_ACTIVE_KEY"] == worker_env["LOV_CODEC_ACTIVE_KEY"]
    assert services()["lovflow-codec"]["command"] == ["lov", "codec-server"]
    port = codec_env["LOV_CODEC_SERVER_PORT"]
    assert f"127.0.0.1:{port}:{port}" in services()["lovflow-codec"]["ports"]
    ui = environment("temporal-ui")
    assert ui["TEMPORAL_CODEC_ENDPOINT"] == f"http://127.0.0.1:{port}"
    ui_port = services()["temporal-ui"]["ports"][0].split(":")[1]
    origins = json.loads(codec_env["LOV_CODEC_SERVER_CORS_ORIGINS"])
    assert f"http://127.0.0.1:{ui_port}" in origins
    # Without keys compose refuses to start rather than storing plain payloads.
    with pytest.raises(KeyError, match="LOV_CODEC_KEYS"):
        interpolate(services()["lovflow-codec"]["environment"]["LOV_CODEC_KEYS"], {})


def test_codec_server_needs_a_token_and_the_web_ui_is_read_only() -> None:
    """Auditors open the Web UI: it must not offer Reset, Terminate, Signal or Start, and the
    codec server must not decrypt for whoever reaches it."""
    assert environment("temporal-ui")["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"
    assert environment("lovflow-codec")["LOV_CODEC_SERVER_TOKEN"]
    with pytest.raises(KeyError, match="LOV_CODEC_SERVER_TOKEN"):
        interpolate(services()["lovflow-codec"]["environment"]["LOV_CODEC_SERVER_TOKEN"], {})
    example = (PROJECT_ROOT / "deploy" / "env.example").read_text()
    assert re.search(r"^LOV_CODEC_SERVER_TOKEN=$", example, re.MULTILINE)


def test_web_desk_runs_lov_web_with_the_workers_settings_and_its_own_secret() -> None:
    web = services()["web"]
    assert web["command"] == ["lov", "web"]
    assert web["image"] == services()["lovflow-worker"]["image"], "the workers' image"
    env = environment("web")
    worker = environment("lovflow-worker")
    shared = (
        "LOV_DATABASE_URL",
        "LOV_TEMPORAL_ADDRESS",
        "LOV_TEMPORAL_NAMESPACE",
        "LOV_TEMPORAL_TASK_QUEUE",
        "LOV_PLANS_DIR",
        "LOV_DEFAULT_PLAN",
        "LOV_PROVIDER_ID_KEY",  # the same keyed ids for sole traders as the workflows use
        "LOV_CODEC_KEYS",  # its Updates' payloads are encrypted like the workers'
        "LOV_CODEC_ACTIVE_KEY",
        "LOV_WEB_SECRET_KEY",  # the workers sign the portal links the desk checks
        "LOV_PORTAL_URL",
    )
    for key in shared:
        assert env[key] == worker[key], key
    assert f"./plans:{env['LOV_PLANS_DIR']}:ro" in web["volumes"]
    # The session key comes from .env; without it compose refuses to start.
    assert env["LOV_WEB_SECRET_KEY"] == COMPOSE_SECRETS["LOV_WEB_SECRET_KEY"]
    with pytest.raises(KeyError, match="LOV_WEB_SECRET_KEY"):
        interpolate(web["environment"]["LOV_WEB_SECRET_KEY"], {})
    example = (PROJECT_ROOT / "deploy" / "env.example").read_text()
    assert re.search(r"^LOV_WEB_SECRET_KEY=$", example, re.MULTILINE)

    values: dict[str, Any] = {
        k.removeprefix("LOV_").lower(): v for k, v in env.items() if k.startswith("LOV_")
    }
    assert set(values) <= set(Settings.model_fields), "only lovflow settings"
    values["codec_keys"] = json.loads(values["codec_keys"])
    settings = Settings.model_validate(values)
    assert web_secret(settings) == COMPOSE_SECRETS["LOV_WEB_SECRET_KEY"]
    assert settings.web_secure_cookies, "cookies only over HTTPS unless .env says otherwise"
    assert settings.web_host == "0.0.0.0", "reachable from the published port"
    # Published on loopback (for the reverse proxy) to the port the desk listens on.
    published = [interpolate(str(p), {}) for p in web["ports"]]
    assert published == [f"127.0.0.1:8000:{settings.web_port}"]
    assert interpolate(str(web["ports"][0]), {"WEB_PUBLISHED_PORT": "9000"}).startswith(
        "127.0.0.1:9000:"
    )
    assert f"127.0.0.1:{settings.web_port}/login" in " ".join(web["healthcheck"]["test"])
    # uvicorn trusts X-Forwarded-For only from the proxy named here (default: none but loopback).
    assert env["FORWARDED_ALLOW_IPS"] == "127.0.0.1"


def test_compose_config_validates_with_docker_compose() -> None:
    if shutil.which("docker") and (
        subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        command = ["docker", "compose"]
    elif shutil.which("docker-compose"):
        command = ["docker-compose"]
    else:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed here")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOV_", "COMPOSE_"))}
    env |= COMPOSE_SECRETS | {"COMPOSE_PROFILES": "staging"}
    result = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "config"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert set(resolved["services"]) == ONE_OFFS | LONG_RUNNING
    worker_env = resolved["services"]["lovflow-worker"]["environment"]
    assert "lovflow-secret@postgresql:5432/lovflow" in worker_env["LOV_DATABASE_URL"]

    # Without the secrets compose refuses to start, naming the first one missing.
    for name in COMPOSE_SECRETS:
        env.pop(name)
    missing = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "config"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode != 0
    assert "PASSWORD" in missing.stderr or "LOV_CODEC_KEYS" in missing.stderr


# --- the Dockerfile -----------------------------------------------------------------------------


def test_dockerfile_builds_a_non_root_python_311_image_running_the_worker() -> None:
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    runs = " ".join(args for keyword, args in instructions if keyword == "RUN")
    assert "pip install ." in runs
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users and users[-1] not in ("root", "0"), "the image must not run as root"
    assert dockerfile_command() == ["python", "worker.py"]
    assert ("WORKDIR", "/app") in instructions
    env = dockerfile_env()
    assert env["PYTHONPATH"] == "/app", "alembic/ and templates/ are found next to the code"
    assert env["LOV_CONFIG"] == "/etc/lovflow/lov.toml"


def test_dockerignore_keeps_state_and_secrets_out_of_the_image() -> None:
    ignored = {
        line.strip()
        for line in (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "var/", ".env", "lov.toml"} <= ignored
    # Everything the image needs at run time is sent to the build.
    for needed in ("worker.py", "alembic", "alembic.ini", "plans", "templates", "pyproject.toml"):
        assert needed not in ignored and f"{needed}/" not in ignored


# --- docs ---------------------------------------------------------------------------------------


def test_every_setting_is_documented_with_its_default() -> None:
    doc = DEPLOYMENT_DOC.read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"| `LOV_{name.upper()}` | `{name}` |" in doc, f"LOV_{name.upper()} is undocumented"
    result = subprocess.run(
        [sys.executable, "deploy/settings_table.py", "--check"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_table_check_detects_a_stale_table(tmp_path: Path) -> None:
    sys.path.insert(0, str(PROJECT_ROOT / "deploy"))
    try:
        import settings_table
    finally:
        sys.path.remove(str(PROJECT_ROOT / "deploy"))
    doc = DEPLOYMENT_DOC.read_text(encoding="utf-8")
    stale = doc.replace("| `LOV_SMTP_PORT` | `smtp_port` | `8025` |", "| `LOV_SMTP_PORT` | `25` |")
    assert stale != doc
    assert settings_table.rewrite(stale) == doc


def test_readme_links_the_deployment_guide() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Deployment" in readme and "docs/DEPLOYMENT.md" in readme


# --- replaying exported histories ---------------------------------------------------------------


def _replay(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "deploy/replay_histories.py", *map(str, paths)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_replay_script_accepts_the_recorded_histories() -> None:
    histories = PROJECT_ROOT / "tests" / "histories"
    result = _replay(histories)
    count = len(list(histories.glob("*.json")))
    assert result.returncode == 0, result.stderr
    assert f"{count} of {count} histories replay" in result.stdout


def test_replay_script_names_a_history_the_code_cannot_replay(tmp_path: Path) -> None:
    history = json.loads((PROJECT_ROOT / "tests" / "histories" / "obligation-t1.json").read_text())
    # As if the code now scheduled a different activity at the first step: nondeterminism.
    for event in history["events"]:
        if event["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED":
            event["activityTaskScheduledEventAttributes"]["activityType"]["name"] = "renamed"
            break
    broken = tmp_path / "obligation-broken.json"
    broken.write_text(json.dumps(history))
    result = _replay(PROJECT_ROOT / "tests" / "histories" / "obligation-t1.json", broken)
    assert result.returncode == 1
    assert str(broken) in result.stderr and "obligation-t1" not in result.stderr
    assert "1 of 2 histories replay" in result.stdout
    assert _replay(tmp_path / "empty-dir-does-not-exist").returncode == 1
    (tmp_path / "none").mkdir()
    assert _replay(tmp_path / "none").returncode == 2
