"""models/runtime/oidc.py: the single sign-on settings, checked at start-up; a secret from the
environment or a file, never quoted in a refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from models.runtime.oidc import CALLBACK_PATH, oidc_config
from models.runtime.settings import InvalidSetting, Settings

SECRET = "klienthemlighet-som-inte-far-synas"
GOOD: dict[str, Any] = {
    "oidc_issuer": "https://login.kommunen.example/realms/lov",
    "oidc_client_id": "lov-desk",
    "oidc_client_secret": SecretStr(SECRET),
    "oidc_redirect_base_url": "https://lov.kommunen.example/",
    "oidc_role_map": {"LOV-admin": "administrator"},
}


def _settings(**values: Any) -> Settings:
    return Settings().model_copy(update={**GOOD, **values})


def test_not_configured_is_local_accounts_only() -> None:
    assert oidc_config(Settings().model_copy(update={"oidc_issuer": None})) is None


def test_a_complete_configuration() -> None:
    config = oidc_config(_settings())
    assert config is not None
    assert config.redirect_uri == "https://lov.kommunen.example" + CALLBACK_PATH
    assert config.metadata_url == (
        "https://login.kommunen.example/realms/lov/.well-known/openid-configuration"
    )
    assert config.client_secret == SECRET and not config.local_login


def test_the_secret_may_come_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text(SECRET + "\n")
    config = oidc_config(_settings(oidc_client_secret=None, oidc_client_secret_file=path))
    assert config is not None and config.client_secret == SECRET


@pytest.mark.parametrize(
    ("values", "setting"),
    [
        ({"oidc_client_id": None}, "LOV_OIDC_CLIENT_ID"),
        ({"oidc_issuer": None}, "LOV_OIDC_ISSUER"),
        ({"oidc_issuer": "login.kommunen.example"}, "LOV_OIDC_ISSUER"),
        ({"oidc_redirect_base_url": None}, "LOV_OIDC_REDIRECT_BASE_URL"),
        ({"oidc_scopes": "profile email"}, "LOV_OIDC_SCOPES"),
        ({"oidc_role_map": {"LOV-admin": "kung"}}, "LOV_OIDC_ROLE_MAP"),
        ({"oidc_role_map": {}}, "LOV_OIDC_ROLE_MAP"),
        ({"oidc_client_secret": None}, "LOV_OIDC_CLIENT_SECRET"),
        (
            {"oidc_client_secret": None, "oidc_client_secret_file": Path("/nonexistent/x")},
            "LOV_OIDC_CLIENT_SECRET_FILE",
        ),
    ],
)
def test_an_unusable_configuration_names_its_setting(values: dict[str, Any], setting: str) -> None:
    with pytest.raises(InvalidSetting) as caught:
        oidc_config(_settings(**values))
    assert str(caught.value).startswith(setting + ":")
    assert SECRET not in str(caught.value)
