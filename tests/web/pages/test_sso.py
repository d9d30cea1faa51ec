"""Logging in through single sign-on (web/pages/sso.py) against a real OpenID provider
(tests/support/oidc_provider.py): the way in, and each refusal of the callback, after which
nobody is logged in."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import pytest_asyncio
from authlib.common.errors import AuthlibBaseError
from joserfc import jwt
from joserfc.errors import JoseError

from models.runtime.oidc import CALLBACK_PATH
from models.runtime.settings import Settings, get_settings
from services.sign_in import NO_ROLE
from tests.support.contract_cli import Lov
from tests.support.desk import (
    BASE_URL,
    PASSWORD,
    add_accounts,
    csrf_of,
    desk_client,
    log_in,
    token,
)
from tests.support.helpers import eventually, random_org_nr
from tests.support.listings import seed_records, settings_for
from tests.support.oidc_provider import (
    ANNA,
    CLIENT_ID,
    UNMAPPED,
    Person,
    Provider,
    log_in_at_provider,
)
from tests.support.plans import local_today
from web.oidc import single_sign_on

CALLBACK = BASE_URL + CALLBACK_PATH


@pytest_asyncio.fixture
async def settings(tmp_path: Path, oidc_idp: Provider) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "administrator")
    local = settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})
    return oidc_idp.desk_settings(local, BASE_URL)


@pytest_asyncio.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with desk_client(settings) as desk:
        yield desk


async def _to_provider(client: httpx.AsyncClient) -> str:
    start = await client.get("/login/oidc")
    assert start.status_code == 302
    return start.headers["location"]


async def _callback_url(client: httpx.AsyncClient, person: Person = ANNA) -> str:
    return await log_in_at_provider(await _to_provider(client), person, CALLBACK)


async def _not_logged_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert (response.status_code, response.headers["location"]) == (303, "/login")


async def test_the_login_page_offers_single_sign_on_and_no_local_login(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    page = await client.get("/login")
    assert "Logga in med kommunens inloggning" in page.text
    assert 'href="/login/oidc"' in page.text
    assert 'name="password"' not in page.text
    # A local account cannot log in either, though its password is right (the form and its
    # session from a desk that shows it, sent to this one).
    async with desk_client(settings.model_copy(update={"oidc_local_login": True})) as other:
        token = csrf_of((await other.get("/login")).text)
        client.cookies = other.cookies
    refused = await client.post(
        "/login", data={"username": "administrator", "password": PASSWORD, "csrf_token": token}
    )
    assert refused.status_code == 403
    assert "Logga in med kommunens inloggning" in refused.text
    await _not_logged_in(client)


async def test_local_login_stays_when_the_setting_allows_it(settings: Settings) -> None:
    allowed = settings.model_copy(update={"oidc_local_login": True})
    async with desk_client(allowed) as client:
        page = await client.get("/login")
        assert "Logga in med kommunens inloggning" in page.text and 'name="password"' in page.text
        assert (await log_in(client, "administrator")).status_code == 303


async def test_the_start_asks_the_provider_for_a_code_with_pkce_state_and_nonce(
    client: httpx.AsyncClient, oidc_idp: Provider
) -> None:
    location = await _to_provider(client)
    assert location.startswith(oidc_idp.issuer + "/auth?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert query["state"] and query["nonce"]


async def test_a_mapped_person_logs_in_with_the_role_and_name_of_the_provider(
    client: httpx.AsyncClient,
) -> None:
    callback = await client.get(await _callback_url(client))
    assert (callback.status_code, callback.headers["location"]) == (303, "/")
    start = await client.get("/")
    assert start.status_code == 200 and "<h1>Att göra</h1>" in start.text
    assert f"{ANNA.name} (administratör)" in start.text
    assert f"Välkommen, {ANNA.name}." in start.text
    # A single sign-on user has no password here to change.
    assert (await client.get("/password")).status_code == 404


async def test_a_person_with_no_mapped_group_is_refused_and_not_logged_in(
    client: httpx.AsyncClient,
) -> None:
    callback = await client.get(await _callback_url(client, UNMAPPED))
    assert callback.status_code == 403
    assert "Du har inte loggats in" in callback.text
    assert NO_ROLE.split(".")[0] in callback.text
    assert UNMAPPED.name not in callback.text
    await _not_logged_in(client)


async def test_a_callback_with_another_state_is_refused(client: httpx.AsyncClient) -> None:
    url = urlsplit(await _callback_url(client))
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    query["state"] = "x" + query["state"][1:]
    response = await client.get(f"{CALLBACK}?{urlencode(query)}")
    assert response.status_code == 400
    assert "Inloggningen kunde inte slutföras" in response.text
    await _not_logged_in(client)


async def test_a_callback_the_desk_did_not_start_is_refused(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    # Another browser's callback (a code and state it was given) in this browser's session.
    async with desk_client(settings) as other:
        stolen = await _callback_url(other)
    response = await client.get(stolen)
    assert response.status_code == 400
    await _not_logged_in(client)


async def test_a_callback_is_used_once(client: httpx.AsyncClient) -> None:
    url = await _callback_url(client)
    assert (await client.get(url)).status_code == 303
    await client.post("/logout", data={"csrf_token": ""})  # refused (no token): still logged in
    assert (await client.get("/")).status_code == 200
    again = await client.get(url)
    assert again.status_code == 400
    await _not_logged_in(client)


async def test_the_provider_refusing_is_refused_too(client: httpx.AsyncClient) -> None:
    location = await _to_provider(client)
    state = parse_qs(urlsplit(location).query)["state"][0]
    response = await client.get(f"{CALLBACK}?error=access_denied&state={state}")
    assert response.status_code == 400
    await _not_logged_in(client)


def _token(provider: Provider, **claims: object) -> str:
    now = int(time.time())
    payload = {
        "iss": provider.issuer,
        "sub": ANNA.login,
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": "n-0123456789",
        **claims,
    }
    return jwt.encode({"alg": "RS256", "kid": provider.key.kid}, payload, provider.key)


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"aud": "en-annan-app"}, id="another audience"),
        pytest.param({"iss": "http://127.0.0.1:1"}, id="another issuer"),
        pytest.param({"exp": int(time.time()) - 3600}, id="expired"),
        pytest.param({"nonce": "en-annan-nonce"}, id="another nonce"),
    ],
)
async def test_an_id_token_signed_by_the_provider_is_still_checked(
    settings: Settings, oidc_idp: Provider, claims: dict[str, object]
) -> None:
    """Tokens signed with the provider's own key (its JWKS fetched from the running provider),
    with the claims it would not give the desk: each is refused by the options the callback
    validates with; the same token with the right claims passes (so the check is real)."""
    sso = single_sign_on(settings)
    assert sso is not None
    good = await sso.client.parse_id_token(
        {"id_token": _token(oidc_idp)}, nonce="n-0123456789", claims_options=sso.claims_options
    )
    assert good["sub"] == ANNA.login
    with pytest.raises((AuthlibBaseError, JoseError)):
        await sso.client.parse_id_token(
            {"id_token": _token(oidc_idp, **claims)},
            nonce="n-0123456789",
            claims_options=sso.claims_options,
        )


async def test_an_id_token_signed_by_another_key_is_refused(
    settings: Settings, oidc_idp: Provider
) -> None:
    from joserfc.jwk import RSAKey

    forger = RSAKey.generate_key(2048, parameters={"alg": "RS256"}, private=True)
    forger.ensure_kid()
    sso = single_sign_on(settings)
    assert sso is not None
    for kid_of in (forger, oidc_idp.key):  # an unknown key id, and the provider's own key id
        token = jwt.encode(
            {"alg": "RS256", "kid": kid_of.kid},
            jwt.decode(_token(oidc_idp), oidc_idp.key).claims,
            forger,
        )
        with pytest.raises((AuthlibBaseError, JoseError)):
            await sso.client.parse_id_token(
                {"id_token": token}, nonce="n-0123456789", claims_options=sso.claims_options
            )


async def test_the_single_sign_on_user_is_the_actor_of_an_action(
    records_lov: Lov, oidc_idp: Provider
) -> None:
    """As a local account's username is: the provider's preferred_username is the actor the
    workflow records (on the dev server with a real worker, as in test_duties.py)."""
    lov = records_lov
    org = random_org_nr()
    await lov.start(org)
    result = await lov.cli(*lov.submit_args(org))
    assert result.exit_code == 0, result.stderr
    local = get_settings().model_copy(update={"var_dir": lov.tmp / "desk-var"})
    path = f"/providers/{org.replace('-', '')}/duties/annual-report/{lov.year}"
    async with desk_client(oidc_idp.desk_settings(local, BASE_URL)) as client:
        assert (await client.get(await _callback_url(client))).status_code == 303

        async def recorded() -> None:
            assert "inlämnad, väntar på granskning" in (await client.get(path)).text

        await eventually(recorded, timeout=20)
        response = await client.post(
            path + "/review",
            data={
                "csrf_token": await token(client, path),
                "outcome": "request-completion",
                "new_due": (local_today() + timedelta(days=14)).isoformat(),
                "note": "Underskrift saknas",
                "request_id": "sso-actor-1",
            },
        )
        assert response.status_code == 303, response.text

        async def reviewed_by_the_user() -> None:
            html = (await client.get(path)).text
            assert f"komplettering begärd av {ANNA.login}" in html, html

        await eventually(reviewed_by_the_user, timeout=20)


async def test_only_the_latest_login_started_can_finish(client: httpx.AsyncClient) -> None:
    """An abandoned start leaves nothing behind: the session (a cookie) does not grow."""
    first = await _to_provider(client)
    cookie = len(client.cookies["lov_session"])
    for _ in range(5):
        await _to_provider(client)
    assert len(client.cookies["lov_session"]) < cookie + 100
    stale = await log_in_at_provider(first, ANNA, CALLBACK)
    assert (await client.get(stale)).status_code == 400
    await _not_logged_in(client)


async def test_a_way_of_logging_in_turned_off_ends_its_sessions(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    # A local login made while local accounts were allowed, then sent to the desk without them.
    async with desk_client(settings.model_copy(update={"oidc_local_login": True})) as allowed:
        assert (await log_in(allowed, "administrator")).status_code == 303
        assert (await allowed.get("/")).status_code == 200
        client.cookies = allowed.cookies
    await _not_logged_in(client)
    # A single sign-on login, then sent to a desk without single sign-on.
    assert (await client.get(await _callback_url(client))).status_code == 303
    assert (await client.get("/")).status_code == 200
    without = settings.model_copy(update={"oidc_issuer": None, "oidc_client_id": None})
    async with desk_client(without) as local_only:
        local_only.cookies = client.cookies
        await _not_logged_in(local_only)
