"""Meeting links stored before the URL rule existed: left out of calendar files and e-mails.

New links are refused by the validators (models.domain.inputs `Url`), but a meeting workflow that
was
already running may hold one with a line break or another scheme, and keeps it on a reschedule
that gives no new link. Built into the calendar file, such a link fails the activity on every
retry (icalendar refuses it); in an e-mail it adds a line of its own. The activities building
both use `link_to_send` instead, so the invitation still goes out, without the link.
"""

from __future__ import annotations

import logging
from typing import Any

from models.domain.inputs import usable_link

logger = logging.getLogger(__name__)

# Meetings already logged by this worker process: the administrator needs to hear it once, not
# for the calendar file, the invitation and every reminder of the same meeting.
_logged: set[str] = set()


def link_to_send(link: str, meeting: str) -> str:
    """`link` if it is a usable http(s) link, else "" (and a log line, once per meeting)."""
    usable = usable_link(link)
    if link.strip() and not usable and meeting not in _logged:
        _logged.add(meeting)
        logger.warning(
            "Meeting %s: its stored link is not a usable http(s) link (it has a line break, "
            "spaces or another scheme, and was saved before links were checked). It is left out "
            "of the calendar file and the e-mails. Give the meeting a new link with "
            "`lov meeting reschedule … --link https://…`.",
            meeting,
        )
    return usable


def mail_context(context: dict[str, Any], meeting: str) -> dict[str, Any]:
    """The e-mail's context with an unusable `link` emptied and `link_left_out` set, so the text
    can say the link was left out. Contexts without a link are returned as they are."""
    if "link" not in context or not isinstance(context["link"], str):
        return context
    usable = link_to_send(context["link"], meeting)
    return {
        **context,
        "link": usable,
        "link_left_out": bool(context["link"].strip()) and not usable,
    }
