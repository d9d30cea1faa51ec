"""`python -m starter …` runs the `lov` CLI (useful without the console script on PATH)."""

from starter.cli import app

if __name__ == "__main__":
    # Same name in help texts as the console script.
    app(prog_name="lov")
