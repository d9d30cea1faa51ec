"""What may go into an e-mail header: one plain address, or one line of text.

E-mail header injection works by smuggling a line break ("\\r\\nBcc: someone@else") or a second
address ("a@b.se, someone@else") into a value that ends up in a header or in the envelope. The
values that come from people (provider names, contact addresses, plan roles, scenario files) are
checked here, at the model boundary, so a refused value never reaches a workflow, the records or
the mail activity; the mail activity checks its recipients again before sending, because the
records database could have been written by other means.
"""

from __future__ import annotations

import re

from models.domain.limits import NAME_LEN

# One addr-spec, no display name, no comments, no quoting: what an administrator types as a
# contact address. The local part is RFC 5322's dot-atom; the domain is dot-separated labels of
# letters (Unicode allowed: IDN domains), digits and inner hyphens. A domain without a dot
# (`lov@localhost`) is allowed: the CLI accepted it before, so running workflows may carry one
# in their input, and refusing it now would make their histories fail to replay.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
EMAIL_RE = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*$")
MAX_EMAIL_LENGTH = 254  # RFC 5321's path limit less the angle brackets
MAX_LINE_LENGTH = NAME_LEN  # the providers.name column
# Characters that end a line somewhere (email, str.splitlines, Unicode) or are controls.
BREAKS_OR_CONTROLS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def check_email(value: str) -> str:
    """The address itself, or ValueError saying what is wrong with it (without the value)."""
    if BREAKS_OR_CONTROLS.search(value):
        raise ValueError("inte en e-postadress: innehåller radbrytning eller styrtecken")
    if len(value) > MAX_EMAIL_LENGTH:
        raise ValueError(f"inte en e-postadress: längre än {MAX_EMAIL_LENGTH} tecken")
    if not EMAIL_RE.match(value):
        raise ValueError(
            "inte en e-postadress (one address like namn@exempel.se; no name, comma or spaces)"
        )
    return value


def check_line(value: str) -> str:
    """One line of text for a name or title: no line breaks or control characters."""
    if BREAKS_OR_CONTROLS.search(value):
        raise ValueError("får inte innehålla radbrytningar eller styrtecken (one line of text)")
    if len(value) > MAX_LINE_LENGTH:
        raise ValueError(f"högst {MAX_LINE_LENGTH} tecken")
    return value
