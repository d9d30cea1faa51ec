"""The secret that signs the web desk's session cookies (LOV_WEB_SECRET_KEY).

Set it (the same in every `lov web` process behind the proxy); unset, the desk uses one it
generated once under var/, as `lov serve` does for the provider-id key. Never printed or logged.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from models.runtime.secret_file import create_once
from models.runtime.settings import InvalidSetting, Settings

SETTING = "LOV_WEB_SECRET_KEY"
KEY_FILE = "web-secret.key"
MIN_CHARS = 32


def key_file(settings: Settings) -> Path:
    return settings.var_dir / KEY_FILE


def web_secret(settings: Settings) -> str:
    """The configured secret, else the generated one under var/ (made now if missing).
    InvalidSetting when the configured one is too short to be a secret."""
    if settings.web_secret_key is not None and settings.web_secret_key.get_secret_value():
        value = settings.web_secret_key.get_secret_value().strip()
        if len(value) < MIN_CHARS:
            raise InvalidSetting(f"{SETTING}: minst {MIN_CHARS} tecken (too short)")
        return value
    path = key_file(settings)
    create_once(path, lambda: secrets.token_urlsafe(48))
    value = path.read_text().strip()
    if len(value) < MIN_CHARS:
        raise InvalidSetting(f"{SETTING}: {path} är skadad (damaged); ta bort filen")
    return value
