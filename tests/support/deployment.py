"""The deployment files read as data: docker-compose.yml's services and environment, the
Dockerfile's command and environment, the compose secrets."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]


COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"


DOCKERFILE = PROJECT_ROOT / "Dockerfile"


# The secrets compose insists on (${VAR:?…}); any value will do for checking the structure.
COMPOSE_SECRETS = {
    "POSTGRES_PASSWORD": "pg-secret",
    "TEMPORAL_DB_PASSWORD": "temporal-secret",
    "LOVFLOW_DB_PASSWORD": "lovflow-secret",
    "LOV_CODEC_KEYS": '{"2027-01": "LLMU6qFdltQ6B9msMx240tXjbJBO1R9S0Tg7G/CRAL4="}',
    "LOV_CODEC_SERVER_TOKEN": "codec-token-secret",
    "LOV_PROVIDER_ID_KEY": "p3W0wUQ1ZyJ9Yx8m3C9Jm1bq4n0v8tS2yZ6Q4h5K7aE=",
    "LOV_WEB_SECRET_KEY": "web-desk-session-secret-0123456789abcdef",
    # Not a secret, but required all the same: the portal's public address.
    "LOV_PORTAL_URL": "https://lov.kommun.example/portal",
}


_VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}."""

    def replace(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        current = env.get(name)
        if op in (":-", "-"):
            unset = current is None or (op == ":-" and current == "")
            return arg if unset else str(current)
        if op in (":?", "?"):
            if current is None or (op == ":?" and current == ""):
                raise KeyError(f"{name}: {arg}")
            return current
        return current or ""

    return _VARIABLE.sub(replace, value).replace("$$", "$")


def load_compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def services() -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = load_compose()["services"]
    return result


def environment(service: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """A service's environment with compose's defaults applied (and `env` as the .env file)."""
    raw = services()[service].get("environment", {})
    if isinstance(raw, list):  # the "KEY=value" list form
        raw = dict(item.split("=", 1) for item in raw)
    values = COMPOSE_SECRETS | (env or {})
    return {key: interpolate(str(value), values) for key, value in raw.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or not stripped:
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = pending + stripped
        pending = ""
        keyword, _, arguments = full.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def dockerfile_command() -> list[str]:
    """ENTRYPOINT + CMD of the image, as Docker runs them (exec form only: no shell between)."""
    parts: dict[str, list[str]] = {"ENTRYPOINT": [], "CMD": []}
    for keyword, arguments in dockerfile_instructions():
        if keyword in parts:
            value = json.loads(arguments)
            assert isinstance(value, list), f"{keyword} must use the exec (JSON) form"
            parts[keyword] = [str(v) for v in value]
    return parts["ENTRYPOINT"] + parts["CMD"]


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, arguments in dockerfile_instructions():
        if keyword == "ENV":
            # Comments inside a continued ENV were dropped above; the rest is KEY=value pairs.
            for pair in shlex.split(arguments):
                key, _, value = pair.partition("=")
                env[key] = value
    return env
