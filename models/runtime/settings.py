"""Runtime settings: one object, read from `LOV_*` environment variables and an optional TOML file.

The embedded default (`lov serve`) needs no settings at all; production switches each part to an
external service by setting its address.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

# The location settings and the settings' errors live in pydantic-free modules (read commands
# use them without building Settings); they are still importable from here.
from models.runtime.locations import (
    DEFAULTS,
    HOME_SETTING,
    PROJECT_ROOT,
    Locations,
    config_file,
    home_dir,
    resolved_var_dir,
)
from models.runtime.setting_errors import DatabaseMissing, InvalidSetting, exit_on_invalid_settings

__all__ = [
    "HOME_SETTING",
    "PROJECT_ROOT",
    "DatabaseMissing",
    "InvalidSetting",
    "Settings",
    "check_settings",
    "describe_invalid",
    "exit_on_invalid_settings",
    "get_settings",
    "home_dir",
    "settings_refusal",
]

# pydantic-settings' "error parsing value for field "codec_keys" from source …"
_SETTINGS_FIELD = re.compile(r'field "([A-Za-z0-9_]+)"')


class Settings(BaseSettings):
    # hide_input_in_errors: a refused value must not be echoed in the error (it may be a secret).
    model_config = SettingsConfigDict(env_prefix="LOV_", extra="forbid", hide_input_in_errors=True)

    # The installation directory: lov.toml and var/ are found there (home_dir()). Read from the
    # environment before the settings file is, since it locates that file.
    # The location settings (home, var_dir, plans_dir, default_plan, database_url) take their
    # defaults from models.runtime.locations, which read commands use without pydantic.
    home: Path | None = Field(
        default=DEFAULTS.home,
        description="installation directory holding lov.toml and var/; unset = where lovflow "
        "is installed (never the working directory)",
    )
    # Where runtime state lives in the embedded default (Temporal's SQLite, records, mail); a
    # relative path is under `home`.
    var_dir: Path = DEFAULTS.var_dir
    plans_dir: Path = DEFAULTS.plans_dir
    templates_dir: Path = PROJECT_ROOT / "templates"
    default_plan: str = DEFAULTS.default_plan

    # Temporal. No address means "start the embedded dev server" for `lov serve`.
    temporal_address: str | None = None
    temporal_namespace: str = "default"
    temporal_task_queue: str = "lovflow"
    temporal_tls: bool = False
    temporal_tls_ca_cert: Path | None = None
    temporal_tls_client_cert: Path | None = None
    temporal_tls_client_key: Path | None = None
    temporal_api_key: SecretStr | None = None
    embedded_temporal_port: int = 7233
    embedded_ui_port: int = 8233
    # Search attributes are only usable where they are registered (not on the time-skipping
    # test server, which has no visibility store).
    search_attributes: bool = True

    # Records database. None means SQLite under var_dir.
    database_url: str | None = DEFAULTS.database_url

    # Mail. No host means "start the embedded SMTP sink" for `lov serve`.
    smtp_host: str | None = None
    smtp_port: int = 8025
    smtp_starttls: bool = False
    smtp_use_tls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = 30.0
    # A message the relay received whole but never answered (a timeout or a lost connection
    # after its content went out) may have arrived: it is resent at most this many times, the
    # first resend after LOV_SMTP_UNCERTAIN_DELAY_MINUTES and each later one four times as long
    # after the one before; then the administrator is told it may not have arrived.
    smtp_uncertain_resends: int = Field(default=2, ge=0, le=10)
    smtp_uncertain_delay_minutes: float = Field(default=30.0, gt=0)
    # CA certificate (PEM) that signed the relay's certificate, for a municipality's own CA;
    # unset = the system's CA store. Used with STARTTLS and implicit TLS alike.
    smtp_tls_ca_cert: Path | None = None
    mail_from: str = "LOV-uppföljning <lov-noreply@lovflow.invalid>"
    mail_domain: str = Field(default="lovflow.invalid", description="domain part of Message-IDs")
    # Sends failing for longer than this (server down, 4xx replies) are recorded as an outage,
    # and the administrator is told once the server accepts mail again.
    mail_outage_threshold_hours: float = Field(default=4.0, ge=0)

    # Payload encryption (models.runtime.codec). Key id -> base64 of a 32-byte AES key, e.g.
    # LOV_CODEC_KEYS='{"2027-01": "…"}'. No keys: payloads are stored as plain JSON (the
    # embedded default); every process that talks to the same Temporal needs the same keys.
    codec_keys: dict[str, SecretStr] = Field(default_factory=dict)
    # The key new payloads are encrypted with; may be left out when there is only one key.
    codec_active_key: str | None = None
    # `lov codec-server`: lets the Web UI show decrypted payloads to those who may see them.
    # The token is required (a codec server without one decrypts for anyone who reaches it);
    # `lov serve` without one makes var/codec-token.
    codec_server_host: str = "127.0.0.1"
    codec_server_port: int = 8081
    codec_server_cors_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8233", "http://localhost:8233"]
    )
    codec_server_token: SecretStr | None = None
    # Secret behind the opaque key that names a sole trader (enskild firma, whose org nr is a
    # personnummer) in workflow ids and search attributes (models.domain.provider_id): base64 of 32
    # random bytes, the same in every process. Unset: `lov serve` generates one under var/.
    provider_id_key: SecretStr | None = None

    # Audit exports (`lov audit --json`) are sealed with this Ed25519 private key (base64 of 32
    # bytes, from `lov audit keygen`) under this key id; unset = exports are not sealed, and
    # `lov audit verify` reports them as such. A secret like the others: never printed.
    audit_signing_key: SecretStr | None = None
    audit_signing_key_id: str | None = None
    # Public keys by id that `lov audit verify` accepts, e.g. LOV_AUDIT_PUBLIC_KEYS='{"2027-01":
    # "…"}'. Keep retired keys here: exports sealed with them must still verify. The public half
    # of the signing key is always accepted.
    audit_public_keys: dict[str, str] = Field(default_factory=dict)

    # The web desk (`lov web`, web/). Sessions are signed cookies: every `lov web` process
    # behind the reverse proxy needs the same secret (base64 or any long random text). Unset:
    # `lov web` and `lov serve` generate one once under var/ (web-secret.key, mode 0600), which
    # serves one host; set it when several hosts run the desk.
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    web_secret_key: SecretStr | None = None
    # The session cookie is sent over HTTPS only. `lov serve` turns this off for its desk on
    # http://127.0.0.1; behind a reverse proxy that terminates TLS keep it on.
    web_secure_cookies: bool = True
    web_session_hours: float = Field(default=8.0, gt=0, le=24 * 30)
    # The provider portal (web/portal/): its address in the e-mails that ask a provider to act
    # (unset = the desk's own address + /portal, which is right for `lov serve`), how long a
    # link in such an e-mail works, and how long a provider's visit lasts once it has opened.
    portal_url: str | None = None
    portal_link_days: int = Field(default=30, ge=1, le=365)
    portal_session_minutes: int = Field(default=60, ge=5, le=24 * 60)
    # Documents uploaded in the portal (services/documents.py), kept by their SHA-256: unset =
    # `documents/` under the var dir; in production a directory on backed-up storage.
    document_dir: Path | None = None
    portal_upload_mb: int = Field(default=20, ge=1, le=100)

    # Login through the municipality's OpenID Connect provider (web/oidc.py, services/sign_in.py).
    # Configured when the issuer and client id are set; the client secret comes from
    # LOV_OIDC_CLIENT_SECRET or a file (LOV_OIDC_CLIENT_SECRET_FILE, e.g. a container secret).
    oidc_issuer: str | None = Field(
        default=None, description="issuer URL; its /.well-known/openid-configuration is read"
    )
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_client_secret_file: Path | None = None
    # The desk's public address as the browser sees it (behind the proxy); the provider sends
    # the browser back to <this>/login/oidc/callback, which must be registered there.
    oidc_redirect_base_url: str | None = None
    oidc_scopes: str = "openid profile email"
    # The ID token claim that carries roles or groups (a dotted path reaches into an object,
    # e.g. Keycloak's realm_access.roles), and which of its values give which desk role.
    oidc_roles_claim: str = "groups"
    oidc_role_map: dict[str, str] = Field(default_factory=dict)
    # With OpenID Connect configured, local accounts can log in only when this is on (a
    # break-glass administrator while the identity provider is down).
    oidc_local_login: bool = False

    # Workflows a worker keeps in memory (about 0.5 MiB each). Those that wake together (a
    # reminder minute: every obligation and its contract) must fit, or each wake-up replays
    # its history into a fresh sandbox; the SDK's default of 1,000 made that the limit at
    # 1,000 contracts (docs/PERFORMANCE.md).
    worker_max_cached_workflows: int = Field(default=2500, ge=1)
    # What a worker process runs. "all" is one process for everything (`lov serve`, small
    # municipalities). "workflows" and "activities" split them: workflow tasks are short and
    # CPU-bound in one interpreter, activities wait on the database and SMTP; in processes of
    # their own they use two cores instead of sharing one interpreter lock, and each kind can be
    # scaled on its own (docs/PERFORMANCE.md, docs/DEPLOYMENT.md).
    worker_role: Literal["all", "workflows", "activities"] = "all"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment wins over the file so that one deployment file can be overridden per host.
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = config_file()
        if path.is_file():
            _check_config_file(path)
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    _var_dir_given: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _var_dir_under_home(self) -> Settings:
        self._var_dir_given = "var_dir" in self.model_fields_set
        if self.home is not None:
            self.home = self.home.expanduser().resolve()
        self.var_dir = resolved_var_dir(self.home, self.var_dir)
        return self

    @property
    def locations(self) -> Locations:
        """The location settings, resolved as the read commands resolve them without pydantic."""
        return Locations(
            var_dir=self.var_dir,
            var_dir_given=self._var_dir_given,
            plans_dir=self.plans_dir,
            default_plan=self.default_plan,
            database_url=self.database_url,
        )

    @property
    def database_setting(self) -> str:
        """The setting that names the records database, for messages about it."""
        return self.locations.database_setting

    def require_records(self) -> str:
        """The records database URL for a command that reads or changes records, or
        DatabaseMissing when it is a SQLite file that does not exist: only `lov serve` and
        `lov db upgrade` create one."""
        return self.locations.require_records()

    @property
    def resolved_database_url(self) -> str:
        return self.locations.resolved_database_url

    @property
    def portal_base(self) -> str:
        """The portal's address without a trailing slash: LOV_PORTAL_URL, else the desk's."""
        if self.portal_url and self.portal_url.strip():
            return self.portal_url.strip().rstrip("/")
        host = "127.0.0.1" if self.web_host in ("0.0.0.0", "::", "") else self.web_host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.web_port}/portal"

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    def redacted(self) -> dict[str, Any]:
        """Settings as a dict that is safe to log: secrets stay masked (SecretStr fields dump as
        asterisks; the database URL's password is masked here)."""
        data = self.model_dump(mode="json")
        if self.database_url:
            from sqlalchemy.engine import make_url
            from sqlalchemy.exc import ArgumentError

            try:
                data["database_url"] = make_url(self.database_url).render_as_string(
                    hide_password=True
                )
            except ArgumentError:
                data["database_url"] = "**********"
        return data


def check_settings(settings: Settings) -> None:
    """What pydantic cannot check on its own: the encryption keys are usable. At start-up, so
    that a mistyped key ends the program with one line instead of failing at the first
    payload (the same check runs when the data converter is built)."""
    _check_certificates(settings)
    if not settings.codec_keys and not settings.codec_active_key:
        return
    from models.runtime.codec import CodecError, codec_from_keys  # cryptography: only when used

    try:
        codec_from_keys(
            {kid: v.get_secret_value() for kid, v in settings.codec_keys.items()},
            settings.codec_active_key,
        )
    except CodecError as err:
        raise InvalidSetting(str(err)) from None


def _check_certificates(settings: Settings) -> None:
    """Certificate files are read bounded now, so a path to a device, a folder or a huge file
    is one line at start-up, not a process reading until it is killed (models.runtime.certificates).
    The SMTP CA is also loaded as ssl will load it at the first e-mail."""
    from models.runtime.certificates import CertificateError, ca_context, read_certificate

    files = {
        "LOV_TEMPORAL_TLS_CA_CERT": settings.temporal_tls_ca_cert,
        "LOV_TEMPORAL_TLS_CLIENT_CERT": settings.temporal_tls_client_cert,
        "LOV_TEMPORAL_TLS_CLIENT_KEY": settings.temporal_tls_client_key,
    }
    try:
        for setting, path in files.items():
            if path is not None:
                read_certificate(path, setting)
        if settings.smtp_tls_ca_cert is not None:
            ca_context(settings.smtp_tls_ca_cert, "LOV_SMTP_TLS_CA_CERT")
    except CertificateError as err:
        raise InvalidSetting(str(err)) from None


def _check_config_file(path: Path) -> None:
    """The settings file read as every other file input (models.domain.file_input): bounded, nesting
    checked, syntax errors one line; pydantic-settings then reads it again (it is small)."""
    import tomllib

    from models.domain.file_input import MAX_CONFIG_BYTES, FileInputError, load_toml

    try:
        load_toml(path, MAX_CONFIG_BYTES)
    except (FileInputError, tomllib.TOMLDecodeError) as err:
        raise InvalidSetting(f"LOV_CONFIG: {path}: {' '.join(str(err).split())}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    settings = Settings()
    check_settings(settings)
    return settings


def describe_invalid(err: ValidationError) -> str:
    """One line naming each refused setting by its environment variable and field, never its
    value (it may be a secret; `hide_input_in_errors` keeps it out of the message too)."""
    parts = []
    for error in err.errors():
        field = ".".join(str(p) for p in error["loc"]) or "?"
        parts.append(f"LOV_{field.upper()} ({field}): {error['msg']}")
    return "Ogiltig inställning (invalid setting): " + "; ".join(parts)


def settings_refusal(err: Exception) -> str | None:
    """The one line `exit_on_invalid_settings` prints for `err`, or None when `err` is not a
    refusal of the settings (it is raised on)."""
    if isinstance(err, ValidationError):
        return describe_invalid(err) if err.title == Settings.__name__ else None
    if isinstance(err, SettingsError):
        # pydantic-settings could not even parse a value (LOV_CODEC_KEYS that is not JSON); its
        # message names the field and source, never the value.
        field = _SETTINGS_FIELD.search(str(err))
        name = field.group(1) if field else "?"
        return (
            f"Ogiltig inställning (invalid setting): LOV_{name.upper()} ({name}): kan inte "
            "tolkas (cannot be parsed; lists and tables are written as JSON)"
        )
    return None
