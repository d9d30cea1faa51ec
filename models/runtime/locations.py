"""Where an installation keeps its settings file, records database and plans; readable without
pydantic.

`lov due`, `lov provider` and the other commands that only read the records need five settings
of the fifty. Building the whole `Settings` (pydantic-settings, and with it pydantic) was about
a third of their start-up (docs/PERFORMANCE.md §5). `Settings` declares these five fields with
the defaults of `LocationSettings` and resolves them through `Locations`, so both read them the
same way; `read_locations()` reads them from the same environment and settings file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Protocol

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENV_PREFIX = "LOV_"
HOME_SETTING = "LOV_HOME"
CONFIG_SETTING = "LOV_CONFIG"


def home_dir() -> Path:
    """The installation directory that holds `lov.toml` and `var/`: LOV_HOME, else the directory
    this code is installed in. Never the working directory, so `lov` finds the same settings
    and records database wherever it is started."""
    value = os.environ.get(HOME_SETTING, "").strip()
    return Path(value).expanduser().resolve() if value else PROJECT_ROOT


def config_file() -> Path:
    explicit = os.environ.get(CONFIG_SETTING, "").strip()
    return Path(explicit).expanduser() if explicit else home_dir() / "lov.toml"


@dataclass(frozen=True, slots=True)
class LocationSettings:
    """The location settings and their defaults; `Settings` declares its fields of the same
    names with these defaults (tests/models/test_locations.py ties the two)."""

    home: Path | None = None
    var_dir: Path = Path("var")
    plans_dir: Path = PROJECT_ROOT / "plans"
    default_plan: str = "sundsvall"
    database_url: str | None = None


DEFAULTS = LocationSettings()
LOCATION_NAMES = tuple(f.name for f in fields(LocationSettings))


def resolved_var_dir(home: Path | None, var_dir: Path) -> Path:
    """A relative var_dir is under the installation (`home`, else home_dir()), not under
    wherever `lov` happens to be started: a command run from another directory would otherwise
    create and read a second, empty var/."""
    return var_dir if var_dir.is_absolute() else (home or home_dir()) / var_dir


@dataclass(frozen=True, slots=True)
class Locations:
    """The location settings resolved: all a command that reads the records needs."""

    var_dir: Path
    var_dir_given: bool  # set in the environment or the settings file (names it in messages)
    plans_dir: Path
    default_plan: str
    database_url: str | None

    @property
    def database_setting(self) -> str:
        """The setting that names the records database, for messages about it."""
        if self.database_url:
            return "LOV_DATABASE_URL"
        return "LOV_VAR_DIR" if self.var_dir_given else HOME_SETTING

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.var_dir / 'lovflow.db').resolve()}"

    def require_records(self) -> str:
        """The records database URL for a command that reads or changes records, or
        DatabaseMissing when it is a SQLite file that does not exist: only `lov serve` and
        `lov db upgrade` create one."""
        # SQLAlchemy (URL parsing) only for the commands that use the records.
        from models.records.db import require_database

        require_database(self.resolved_database_url, self.database_setting)
        return self.resolved_database_url


class RecordsConfig(Protocol):
    """What the application layer's record reads take: `Settings` or `Locations`."""

    @property
    def plans_dir(self) -> Path: ...

    def require_records(self) -> str: ...


def read_locations() -> Locations | None:
    """The location settings from the environment (any case, as pydantic-settings reads it)
    over the settings file, resolved as `Settings` resolves them. None whenever a value is
    anything but plain text (not a string, empty, a name given twice) or the file cannot be
    read: then the caller builds `Settings`, whose refusal is the one to show. The other
    settings are not read, so not checked: a command that uses none of them runs."""
    given: dict[str, object] = {}
    path = config_file()
    if path.is_file():
        from models.domain.file_input import MAX_CONFIG_BYTES, load_toml

        try:
            data = load_toml(path, MAX_CONFIG_BYTES)
        except Exception:  # noqa: BLE001 - Settings reports it
            return None
        for key, value in data.items():
            if key.lower() in LOCATION_NAMES:
                if key != key.lower():
                    return None
                given[key] = value
    env_names = {f"{ENV_PREFIX}{name}".lower(): name for name in LOCATION_NAMES}
    found_in_env: set[str] = set()
    for key, value in os.environ.items():
        name = env_names.get(key.lower())
        if name is None:
            continue
        if name in found_in_env:
            return None  # LOV_VAR_DIR and lov_var_dir: which one wins is pydantic's business
        found_in_env.add(name)
        given[name] = value
    if any(not isinstance(v, str) or not v or v != v.strip() for v in given.values()):
        return None
    text: dict[str, str] = {k: str(v) for k, v in given.items()}
    home = Path(text["home"]).expanduser().resolve() if "home" in text else DEFAULTS.home
    var_dir = Path(text["var_dir"]) if "var_dir" in text else DEFAULTS.var_dir
    return Locations(
        var_dir=resolved_var_dir(home, var_dir),
        var_dir_given="var_dir" in text,
        plans_dir=Path(text["plans_dir"]) if "plans_dir" in text else DEFAULTS.plans_dir,
        default_plan=text.get("default_plan", DEFAULTS.default_plan),
        database_url=text.get("database_url", DEFAULTS.database_url),
    )
