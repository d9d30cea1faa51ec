"""E-mail texts from `templates/<language>/<name>.txt` (Jinja2, `subject` and `body` blocks).

Besides the context a workflow passes, every text has these helpers, bound to the e-mail's
language and, where the mail activity found it, the provider's plan (activities/wording.py):

- `datum(d)`, `klockslag(t)`: a date / a time in words, in the plan's time zone;
- `| inline_title`: a title inside a sentence (first letter lowercased unless an acronym);
- `field_title(key)`, `value(v)`, `document_name(path)`: what a provider submitted, as read;
- `for_period(period[, key])`, `period_name(period[, key])`: "för perioden 2026-T1" / "för
  räkenskapsåret 2025" when the obligation (the e-mail's, or the one keyed) covers the
  previous year;
- `closed_day(d)`: "en lördag", "midsommarafton" — why a plan's date moved;
- `consequence(escalation_steps)`: the escalation ladder as one clause;
- `application_ref(application_id)`: "ansökan nr 2".
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import jinja2.meta

from activities import wording
from models.domain.date_text import format_date
from models.domain.orgnr import label_of
from models.plans.schema import Plan
from models.runtime.templates import has_template, template_name

__all__ = ["FALLBACK_ESCALATION", "Renderer", "format_date"]

# An escalation kind without its own text falls back to this one.
FALLBACK_ESCALATION = "escalation"


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
        self._env.filters["inline_title"] = wording.inline_title
        self._shows: dict[tuple[str, str], bool] = {}

    def has(self, language: str, name: str) -> bool:
        return has_template(self._dir, language, name)

    def _resolved(self, language: str, name: str) -> str:
        if not self.has(language, name) and self.has(language, FALLBACK_ESCALATION):
            name = FALLBACK_ESCALATION
        return template_name(language, name)

    def shows(self, language: str, name: str, variable: str) -> bool:
        """Whether the text `name` would use the context value `variable` (e.g. the provider's
        `portal_link`), read from the template's source; False for a template that is missing."""
        key = (self._resolved(language, name), variable)
        if key not in self._shows:
            try:
                source, _, _ = self._env.loader.get_source(self._env, key[0])  # type: ignore[union-attr]
            except jinja2.TemplateNotFound:
                return False
            used = jinja2.meta.find_undeclared_variables(self._env.parse(source))
            self._shows[key] = variable in used
        return self._shows[key]

    def render(
        self,
        language: str,
        name: str,
        context: dict[str, Any],
        time_zone: str,
        plan: Plan | None = None,
        obligation: str | None = None,
    ) -> tuple[str, str]:
        """`plan` (when known) and `obligation` (its key) let keys be shown as the plan's
        titles; without them the texts still read, from the context alone."""
        template = self._env.get_template(self._resolved(language, name))
        helpers = _helpers(language, time_zone, plan, wording.plan_obligation(plan, obligation))
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


def _helpers(language: str, time_zone: str, plan: Plan | None, obligation: Any) -> dict[str, Any]:
    zone = ZoneInfo(time_zone)
    ladder = plan.escalation if plan is not None else ()
    calendar = plan.holiday_calendar if plan is not None else None

    def of(key: str | None) -> Any:
        """The obligation a list item names (the welcome mail's duties), else the e-mail's."""
        return wording.plan_obligation(plan, key) if key else obligation

    def datum(value: date | str) -> str:
        return format_date(value, language)

    def klockslag(value: datetime | str) -> str:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        local = value.astimezone(zone)
        return f"{format_date(local.date(), language)} kl. {local:%H:%M}"

    return {
        "datum": datum,
        "klockslag": klockslag,
        "field_title": lambda key: wording.field_title(key, obligation),
        "value": lambda v: wording.value_text(v, language),
        "document_name": wording.document_name,
        "for_period": lambda p, key=None: wording.for_period(p, of(key), language),
        "period_name": lambda p, key=None: wording.period_name(p, of(key), language),
        "closed_day": lambda d: wording.closed_day(d, calendar, language),
        "consequence": lambda steps: wording.consequence(steps, ladder, language),
        "application_ref": lambda a: wording.application_ref(a, language),
    }
