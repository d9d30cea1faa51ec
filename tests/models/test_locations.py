"""The location settings read without pydantic (models/runtime/locations.py) are the ones
`Settings` reads: same names, same defaults, same resolved values from the same environment
and settings file; anything else is left to `Settings`, which refuses it as before."""

from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path

import pytest
from pydantic import ValidationError

from models.runtime.locations import DEFAULTS, LocationSettings, read_locations
from models.runtime.settings import Settings


@pytest.fixture(autouse=True)
def _no_lov_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.upper().startswith("LOV_"):
            monkeypatch.delenv(key)
    # No settings file unless a test writes one.
    monkeypatch.setenv("LOV_CONFIG", str(tmp_path / "absent.toml"))


def test_settings_declares_every_location_setting_with_its_default() -> None:
    for f in fields(LocationSettings):
        assert f.name in Settings.model_fields, f.name
        assert Settings.model_fields[f.name].default == getattr(DEFAULTS, f.name), f.name


@pytest.mark.parametrize(
    ("env", "toml"),
    [
        ({}, None),
        ({"LOV_HOME": "{tmp}/home"}, None),
        ({"LOV_HOME": "{tmp}/home", "LOV_VAR_DIR": "state"}, None),
        ({"LOV_VAR_DIR": "{tmp}/abs"}, None),
        ({"LOV_DATABASE_URL": "postgresql://u@db/lov", "LOV_DEFAULT_PLAN": "aarhus"}, None),
        ({"lov_plans_dir": "{tmp}/plans"}, None),
        ({"LOV_HOME": "{tmp}/home"}, 'var_dir = "state"\nplans_dir = "{tmp}/p"\n'),
        # The environment wins over the file; other settings in either are not in the way.
        (
            {"LOV_VAR_DIR": "{tmp}/env", "LOV_SMTP_HOST": "relay"},
            'var_dir = "{tmp}/file"\ndefault_plan = "odense"\nsmtp_port = 25\n',
        ),
    ],
)
def test_read_locations_resolves_what_settings_resolves(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], toml: str | None
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value.format(tmp=tmp_path))
    if toml is not None:
        config = tmp_path / "lov.toml"
        config.write_text(toml.format(tmp=tmp_path), encoding="utf-8")
        monkeypatch.setenv("LOV_CONFIG", str(config))

    light = read_locations()

    assert light is not None
    full = Settings().locations
    assert light == full
    assert light.resolved_database_url == full.resolved_database_url
    assert light.database_setting == full.database_setting


@pytest.mark.parametrize(
    ("env", "toml"),
    [
        ({}, "var_dir = 7\n"),  # not text: Settings says so
        ({"LOV_VAR_DIR": ""}, None),  # empty: whatever pydantic makes of it
        ({"LOV_VAR_DIR": "a", "lov_var_dir": "b"}, None),  # twice
        ({}, "var_dir = [\n"),  # not TOML: Settings' one-line refusal
    ],
)
def test_anything_but_plain_text_is_left_to_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], toml: str | None
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if toml is not None:
        config = tmp_path / "lov.toml"
        config.write_text(toml, encoding="utf-8")
        monkeypatch.setenv("LOV_CONFIG", str(config))

    assert read_locations() is None


def test_a_location_setting_that_is_not_text_is_refused_by_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "lov.toml"
    config.write_text("var_dir = 7\n", encoding="utf-8")
    monkeypatch.setenv("LOV_CONFIG", str(config))

    assert read_locations() is None
    with pytest.raises(ValidationError, match="var_dir"):
        Settings()
