"""`python -m starter …` runs the `lov` CLI (useful without the console script on PATH), through
the resident CLI process when one runs, as the console script does (starter/launch.py)."""

import sys

from starter.resident import run_resident

if __name__ == "__main__":
    code = run_resident(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from models.runtime.setting_errors import exit_on_invalid_settings
    from starter.cli import _requested, build_app

    # Same name in help texts as the console script; only the named command is loaded.
    with exit_on_invalid_settings():
        build_app(_requested(sys.argv[1:]))(prog_name="lov")
