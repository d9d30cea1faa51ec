"""Where an e-mail text lives: `templates/<language>/<name>.txt`.

Shared by the renderer (activities.rendering) and the application layer, which checks that a
plan's language has the texts a workflow will send before it starts one, without loading Jinja.
"""

from __future__ import annotations

from pathlib import Path


def template_name(language: str, name: str) -> str:
    """The template's name below the templates folder (the renderer's loader name)."""
    return f"{language}/{name}.txt"


def has_template(templates_dir: Path, language: str, name: str) -> bool:
    """Whether the text exists; a name that would leave the folder (`..`) never does, as for
    Jinja's loader."""
    pieces = template_name(language, name).split("/")
    if any(not p or p == ".." or "\\" in p for p in pieces):
        return False
    return Path(templates_dir, *pieces).is_file()
