"""Message and plan fields checked by models.domain.mailsafe's rules as pydantic validates them.

Apart from the rules, so that the rules are usable without pydantic (the CLI's option parsing,
models.domain.inputs): a command that only reads the records starts without it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from models.domain.mailsafe import check_email, check_line

EmailAddress = Annotated[str, AfterValidator(check_email)]
OneLine = Annotated[str, AfterValidator(check_line)]
