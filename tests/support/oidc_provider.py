"""A real OpenID provider for the single sign-on tests: the npm package `oidc-provider` run by
Node (tests/support/oidc/provider.mjs) on a free port of 127.0.0.1, with the desk registered as a
client and two people who can log in: one whose groups map to the administrator role, one whose
groups map to nothing.

Its npm packages are installed from package-lock.json (`npm ci`) the first time, into
tests/support/oidc/node_modules (not committed). The provider signs ID tokens with an RSA key
made here, so a test can also sign a token as the provider would, with claims the provider
would never put in it (another audience, an expired one).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from joserfc.jwk import RSAKey
from pydantic import SecretStr

from models.runtime.settings import Settings
from tests.support.helpers import free_port

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "lov-desk"
CLIENT_SECRET = "testklientens-hemlighet-0123456789"
GROUPS_CLAIM = "groups"
ADMIN_GROUP = "LOV-administratorer"
ROLE_MAP = {ADMIN_GROUP: "administrator", "LOV-revisorer": "auditor"}


@dataclass(frozen=True)
class Person:
    login: str
    password: str
    name: str
    groups: tuple[str, ...]


ANNA = Person("anna.sso", "Anna-Loggar-In-1", "Anna Ståhlberg", (ADMIN_GROUP, "Alla-anställda"))
UNMAPPED = Person("ulf.utan", "Ulf-Har-Ingen-Roll-2", "Ulf Utanför", ("Alla-anställda",))
PEOPLE = (ANNA, UNMAPPED)


@dataclass(frozen=True)
class Provider:
    issuer: str
    key: RSAKey  # the provider's signing key (private)

    def desk_settings(self, settings: Settings, desk_base_url: str, **more: Any) -> Settings:
        """`settings` with single sign-on through this provider, for a desk at that address."""
        return settings.model_copy(
            update={
                "oidc_issuer": self.issuer,
                "oidc_client_id": CLIENT_ID,
                "oidc_client_secret": SecretStr(CLIENT_SECRET),
                "oidc_redirect_base_url": desk_base_url,
                "oidc_scopes": "openid profile email groups",
                "oidc_roles_claim": GROUPS_CLAIM,
                "oidc_role_map": ROLE_MAP,
                **more,
            }
        )


def _require_node() -> None:
    """Skip where Node is missing, unless CI (LOV_REQUIRE_BROWSER, set by .ci/run) says the
    machine must have it."""
    if shutil.which("node") and shutil.which("npm"):
        return
    reason = "node/npm saknas (missing): the OpenID provider tests need them"
    if os.environ.get("LOV_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def install_packages() -> None:
    """`npm ci` once: only when node_modules lacks the provider."""
    _require_node()
    installed = OIDC_DIR / "node_modules" / "oidc-provider" / "package.json"
    if installed.is_file():
        return
    # Two pytest-xdist workers may get here at once; `npm ci` first deletes node_modules.
    with (OIDC_DIR.parent / ".oidc-npm.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not installed.is_file():
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=OIDC_DIR,
                check=True,
                timeout=300,
                stdin=subprocess.DEVNULL,
            )


@contextmanager
def oidc_provider(
    workdir: Path, redirect_uris: list[str], port: int | None = None
) -> Iterator[Provider]:
    """The provider, listening until the block ends, with the desk as a client that may be
    sent back to `redirect_uris`."""
    install_packages()
    port = port or free_port()
    key = RSAKey.generate_key(2048, parameters={"alg": "RS256", "use": "sig"}, private=True)
    key.ensure_kid()
    config = {
        "port": port,
        "jwks": {"keys": [key.as_dict(private=True)]},
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
            }
        ],
        "users": {
            p.login: {
                "password": p.password,
                "claims": {
                    "name": p.name,
                    "preferred_username": p.login,
                    "email": f"{p.login}@kommunen.example",
                    "groups": list(p.groups),
                },
            }
            for p in PEOPLE
        },
    }
    workdir.mkdir(parents=True, exist_ok=True)
    config_file = workdir / "oidc-provider.json"
    config_file.write_text(json.dumps(config))
    log = workdir / "oidc-provider.log"
    issuer = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["node", str(OIDC_DIR / "provider.mjs"), str(config_file)],
            cwd=OIDC_DIR,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while f"oidc-provider ready {issuer}" not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the OpenID provider did not start:\n{log.read_text()}")
            time.sleep(0.05)
        yield Provider(issuer, key)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def oidc_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """The provider for route tests: the desk client of tests/support/desk.py (BASE_URL)."""
    from models.runtime.oidc import CALLBACK_PATH
    from tests.support.desk import BASE_URL

    with oidc_provider(tmp_path_factory.mktemp("oidc"), [BASE_URL + CALLBACK_PATH]) as provider:
        yield provider


async def log_in_at_provider(authorize_url: str, person: Person, back_to: str) -> str:
    """What a browser does at the provider: follow its redirects to the login form, log in as
    `person`, and follow on until it is sent back to an address starting with `back_to`; that
    address (the desk's callback with code and state)."""
    import httpx

    async with httpx.AsyncClient(follow_redirects=False, timeout=15) as browser:
        response = await browser.get(authorize_url)
        for _ in range(10):
            if response.is_redirect:
                location = str(response.next_request.url) if response.next_request else ""
                if location.startswith(back_to):
                    return location
                response = await browser.get(location)
            elif response.status_code == 200 and 'name="login"' in response.text:
                response = await browser.post(
                    response.url, data={"login": person.login, "password": person.password}
                )
            else:
                break
    raise AssertionError(f"the provider answered {response.status_code}: {response.text[:500]}")
