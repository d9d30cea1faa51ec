"""The desk as an OpenID Connect client of the municipality's identity provider, through
Authlib: authorization code flow with PKCE (S256), and state and nonce kept in the signed
session until the provider sends the browser back.

At the callback Authlib checks the state against the session (a callback the desk did not start
is refused), exchanges the code with the client secret and the PKCE verifier, and validates the
ID token: its signature against the provider's JWKS (fetched from the discovery document, again
when a key id is unknown), the issuer (exactly LOV_OIDC_ISSUER), the audience (the client id),
expiry and issue time (two minutes' leeway for clocks), and the nonce. What the claims mean for
the desk is services/sign_in.py's business; this module only says whether they can be trusted.
The discovery document is read at the first login, so the desk starts while the provider is down.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.starlette_client import OAuth
from fastapi import Request
from fastapi.responses import Response
from joserfc.errors import JoseError as JoseRfcError

from models.runtime.oidc import OidcConfig, oidc_config
from models.runtime.settings import Settings

log = logging.getLogger("lovflow.web.oidc")
NAME = "kommun"
TIMEOUT_S = 10.0
FAILED = "Inloggningen kunde inte slutföras. Du har inte loggats in. Försök igen."
UNREACHABLE = (
    "Kommunens inloggning svarar inte just nu. Du har inte loggats in. Försök igen om en stund."
)


class SignOnFailed(Exception):
    """The callback cannot be trusted or completed; the message is the page's text."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class SingleSignOn:
    def __init__(self, config: OidcConfig) -> None:
        self.config = config
        self.client: Any = OAuth().register(
            NAME,
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=config.metadata_url,
            client_kwargs={
                "scope": config.scopes,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "timeout": TIMEOUT_S,
            },
        )

    @property
    def claims_options(self) -> dict[str, Any]:
        """What the ID token must say besides its signature and nonce (Authlib's options)."""
        return {
            "iss": {"essential": True, "values": [self.config.issuer]},
            "aud": {"essential": True, "values": [self.config.client_id]},
            "exp": {"essential": True},
        }

    async def start(self, request: Request) -> Response:
        """The redirect to the provider's login (state, nonce and PKCE verifier kept in the
        session)."""
        # One login in flight per browser: an abandoned one's state would otherwise stay in the
        # cookie for an hour, and a few of them make it too large for the browser to keep.
        for key in [k for k in request.session if k.startswith(f"_state_{NAME}_")]:
            del request.session[key]
        try:
            response: Response = await self.client.authorize_redirect(
                request, self.config.redirect_uri
            )
        except Exception as err:  # noqa: BLE001 - httpx or httpx2 (Authlib's choice), or bad JSON
            log.warning("OpenID provider metadata unavailable: %s", type(err).__name__)
            raise SignOnFailed(UNREACHABLE, 502) from None
        return response

    async def finish(self, request: Request) -> Mapping[str, Any]:
        """The validated ID token's claims of this callback; SignOnFailed otherwise."""
        try:
            token = await self.client.authorize_access_token(
                request, claims_options=self.claims_options
            )
        except (AuthlibBaseError, JoseRfcError, ValueError, KeyError) as err:
            # Logged without the token or the query (they carry the code and personal data).
            log.warning("OpenID callback refused: %s %s", type(err).__name__, _reason(err))
            raise SignOnFailed(FAILED, 400) from None
        except Exception as err:  # noqa: BLE001 - the HTTP client's errors (httpx or httpx2)
            log.warning("OpenID provider unreachable at the callback: %s", type(err).__name__)
            raise SignOnFailed(UNREACHABLE, 502) from None
        claims = token.get("userinfo")
        if not isinstance(claims, Mapping):
            log.warning("OpenID callback refused: no ID token")
            raise SignOnFailed(FAILED, 400)
        return claims


def _reason(err: Exception) -> str:
    return str(getattr(err, "error", "") or getattr(err, "description", "") or "")[:100]


def single_sign_on(settings: Settings) -> SingleSignOn | None:
    """The configured client, None without OpenID Connect settings; InvalidSetting when they
    are incomplete (at start-up)."""
    config = oidc_config(settings)
    return SingleSignOn(config) if config is not None else None
