"""The OpenID Connect settings as one checked value (`oidc_config`), for web/oidc.py.

Not configured (no issuer and no client id) is the embedded default: local accounts only.
Half a configuration, a role map naming no desk role or a client secret that cannot be read is
an InvalidSetting at start-up, naming the setting and never quoting the secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from models.records.tables.users import USER_ROLES
from models.runtime.settings import InvalidSetting, Settings

CALLBACK_PATH = "/login/oidc/callback"
MAX_SECRET_FILE_BYTES = 4096


@dataclass(frozen=True, slots=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    scopes: str
    roles_claim: str
    role_map: dict[str, str]
    local_login: bool

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def _http_url(value: str, setting: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidSetting(f"{setting}: inte en http(s)-adress (not an http(s) URL)")
    return value.strip()


def _secret(settings: Settings) -> str:
    if settings.oidc_client_secret is not None:
        value = settings.oidc_client_secret.get_secret_value().strip()
        if value:
            return value
    path = settings.oidc_client_secret_file
    if path is None:
        raise InvalidSetting(
            "LOV_OIDC_CLIENT_SECRET: saknas (missing); sätt den eller LOV_OIDC_CLIENT_SECRET_FILE"
        )
    try:
        with path.expanduser().open("rb") as stream:
            data = stream.read(MAX_SECRET_FILE_BYTES + 1)
    except OSError as err:
        raise InvalidSetting(
            f"LOV_OIDC_CLIENT_SECRET_FILE: {path}: kan inte läsas ({err.strerror})"
        ) from None
    value = data.decode("utf-8", errors="replace").strip()
    if not value or len(data) > MAX_SECRET_FILE_BYTES:
        raise InvalidSetting(f"LOV_OIDC_CLIENT_SECRET_FILE: {path}: tom eller för stor")
    return value


def oidc_config(settings: Settings) -> OidcConfig | None:
    """The checked configuration, or None when OpenID Connect is not configured."""
    if not settings.oidc_issuer and not settings.oidc_client_id:
        return None
    if not settings.oidc_issuer or not settings.oidc_client_id:
        missing = "LOV_OIDC_ISSUER" if not settings.oidc_issuer else "LOV_OIDC_CLIENT_ID"
        raise InvalidSetting(f"{missing}: saknas (missing; both or neither)")
    if not settings.oidc_redirect_base_url:
        raise InvalidSetting(
            "LOV_OIDC_REDIRECT_BASE_URL: saknas (missing): the desk's public address"
        )
    if "openid" not in settings.oidc_scopes.split():
        raise InvalidSetting("LOV_OIDC_SCOPES: måste innehålla openid (must include openid)")
    for value, role in settings.oidc_role_map.items():
        if role not in USER_ROLES:
            raise InvalidSetting(
                f"LOV_OIDC_ROLE_MAP: {value!r} ger okänd roll {role!r}; "
                f"välj {', '.join(USER_ROLES)}"
            )
    if not settings.oidc_role_map:
        raise InvalidSetting("LOV_OIDC_ROLE_MAP: tom (empty): no one could log in")
    base = _http_url(settings.oidc_redirect_base_url, "LOV_OIDC_REDIRECT_BASE_URL").rstrip("/")
    return OidcConfig(
        issuer=_http_url(settings.oidc_issuer, "LOV_OIDC_ISSUER"),
        client_id=settings.oidc_client_id,
        client_secret=_secret(settings),
        redirect_uri=base + CALLBACK_PATH,
        scopes=" ".join(settings.oidc_scopes.split()),
        roles_claim=settings.oidc_roles_claim,
        role_map=dict(settings.oidc_role_map),
        local_login=settings.oidc_local_login,
    )
