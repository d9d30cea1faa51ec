"""The `lov` console script: the resident CLI process runs the command when one is there
(starter/resident.py), else this process loads the CLI and runs it. Imports only the standard
library until it knows which."""

from __future__ import annotations

import sys


def main() -> None:
    from starter.resident import run_resident

    code = run_resident(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from starter.cli import main as cli_main

    cli_main()
