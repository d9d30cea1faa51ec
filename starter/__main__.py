"""`python -m starter …` runs the `lov` CLI (useful without the console script on PATH)."""

import sys

from models.runtime.setting_errors import exit_on_invalid_settings
from starter.cli import _requested, build_app

if __name__ == "__main__":
    # Same name in help texts as the console script; only the named command is loaded.
    with exit_on_invalid_settings():
        build_app(_requested(sys.argv[1:]))(prog_name="lov")
