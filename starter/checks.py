"""CLI checks for values that end up in e-mail headers (models.domain.mailsafe): refused on one line
naming the option, exit code 2, before anything is sent or written."""

from __future__ import annotations

from collections.abc import Callable

from models.domain.mailsafe import check_email, check_line
from starter.errors import fail_bad_input


def email_option(value: str, option: str) -> str:
    return _checked(check_email, value, option)


def line_option(value: str, option: str) -> str:
    return _checked(check_line, value, option)


def _checked(check: Callable[[str], str], value: str, option: str) -> str:
    text = value.strip()
    try:
        return check(text)
    except ValueError as err:
        fail_bad_input(f"{option}: {err}, fick {text!r}")
