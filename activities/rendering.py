"""E-mail texts from `templates/<language>/<name>.txt` (Jinja2, `subject` and `body` blocks)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from models.domain.orgnr import label_of
from models.runtime.templates import has_template, template_name

_MONTHS = {
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "da": "januar februar marts april maj juni juli august september oktober november december",
}
# An escalation kind without its own text falls back to this one.
FALLBACK_ESCALATION = "escalation"


def format_date(value: date | str, language: str = "sv") -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    month = _MONTHS.get(language, _MONTHS["sv"]).split()[value.month - 1]
    sep = ". " if language == "da" else " "
    return f"{value.day}{sep}{month} {value.year}"


class Renderer:
    def __init__(self, templates_dir: Path) -> None:
        self._dir = templates_dir
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def has(self, language: str, name: str) -> bool:
        return has_template(self._dir, language, name)

    def render(
        self, language: str, name: str, context: dict[str, Any], time_zone: str
    ) -> tuple[str, str]:
        if not self.has(language, name) and self.has(language, FALLBACK_ESCALATION):
            name = FALLBACK_ESCALATION
        template = self._env.get_template(template_name(language, name))
        zone = ZoneInfo(time_zone)

        def datum(value: date | str) -> str:
            return format_date(value, language)

        def klockslag(value: datetime | str) -> str:
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            local = value.astimezone(zone)
            return f"{format_date(local.date(), language)} kl. {local:%H:%M}"

        helpers: dict[str, Any] = {"datum": datum, "klockslag": klockslag}
        org_nr = context.get("org_nr")
        if isinstance(org_nr, str):
            # The provider's identifier by its kind: a Danish provider's is a CVR-nummer.
            word = label_of(org_nr)
            helpers |= {"org_nr_label": word, "org_nr_heading": word[:1].upper() + word[1:]}
        ctx = template.new_context({**context, **helpers})
        subject = "".join(template.blocks["subject"](ctx)).strip()
        ctx = template.new_context({**context, **helpers})
        body = "".join(template.blocks["body"](ctx)).strip() + "\n"
        # A header must be one line; a template's stray newline must not break the message.
        return " ".join(subject.split()), body
