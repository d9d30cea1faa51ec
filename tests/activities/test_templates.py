"""Every Swedish e-mail text has a Danish counterpart that renders with the same context.

A Danish plan (plans/herning.toml) sends from templates/da/; a text missing there fails the mail
activity (or falls back to the generic escalation text). The context each text needs is derived
from the Swedish template itself: names passed to datum()/klockslag() get dates/times, names looped
over or joined get lists, names compared with string constants get each of those constants, and
names tested by `{% if %}` are rendered both set and empty, so every branch is rendered once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2 import meta, nodes

from activities.rendering import Renderer
from models.runtime.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
# Helpers the renderer gives every text (activities/rendering.py); those taking a date first.
DATE_HELPERS = {"datum", "closed_day"}
HELPERS = DATE_HELPERS | {
    "klockslag",
    "field_title",
    "value",
    "document_name",
    "for_period",
    "period_name",
    "consequence",
    "application_ref",
}
# What the renderer adds for a context with an org_nr: the word for its kind (a CVR-nummer).
ORG_NR_LABELS = {"org_nr_label", "org_nr_heading"}
BLOCKS = {"subject", "body"}
# Swedish texts that need no Danish counterpart, with the reason. None today: `pafpekande` is a
# kind only Swedish plans use, but a Danish plan may name it too and then gets a *påtale*.
SWEDISH_ONLY: dict[str, str] = {}
# Danish texts without a Swedish counterpart, and the Swedish text whose context they get:
# Herning's level-2 escalation kinds (the samarbejdsprocedure before issue 19, still rendered for
# contracts that reached it; the second reminder since), rendered like any escalation.
DANISH_ONLY = {"samarbejdsprocedure": "escalation", "anden-paamindelse": "escalation"}

# Same parsing options as the Renderer, so the raw blocks are what production renders.
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["inline_title"] = str


def _names(language: str) -> set[str]:
    return {p.stem for p in (TEMPLATES / language).glob("*.txt")}


def _ast(language: str, name: str) -> nodes.Template:
    assert _ENV.loader is not None
    source, _, _ = _ENV.loader.get_source(_ENV, f"{language}/{name}.txt")
    return _ENV.parse(source)


def _required(language: str, name: str) -> set[str]:
    used = meta.find_undeclared_variables(_ast(language, name))
    if used & ORG_NR_LABELS:
        assert "org_nr" in used, f"{language}/{name}: an org nr label without the org nr"
    return used - HELPERS - ORG_NR_LABELS


class _Item(dict[str, str]):
    """A list element whose attributes (`k.title`, `a.due`) are all defined."""

    dates: frozenset[str] = frozenset()

    def __missing__(self, key: str) -> str:
        return "2027-05-31" if key in self.dates else f"<{key}>"

    def __str__(self) -> str:
        return "<rad>"


def _contexts(name: str) -> Iterator[dict[str, Any]]:
    """Contexts that together render every branch of the Swedish text `name`."""
    tree = _ast("sv", name)
    required = _required("sv", name)
    dates: set[str] = set()
    times: set[str] = set()
    lists: set[str] = set()
    mappings: set[str] = set()
    tested: set[str] = set()
    item_dates: set[str] = set()  # attributes of list elements shown with datum()
    constants: dict[str, set[str]] = {}
    for call in tree.find_all(nodes.Call):
        fn, arg = call.node, call.args[0] if call.args else None
        if isinstance(fn, nodes.Name) and fn.name in DATE_HELPERS | {"klockslag"}:
            if isinstance(arg, nodes.Getattr):
                item_dates.add(arg.attr)
            elif isinstance(arg, nodes.Name):
                (dates if fn.name in DATE_HELPERS else times).add(arg.name)
        elif isinstance(fn, nodes.Name) and fn.name == "consequence":
            if isinstance(arg, nodes.Name):
                lists.add(arg.name)
        elif isinstance(fn, nodes.Getattr) and fn.attr == "items":
            if isinstance(fn.node, nodes.Name):
                mappings.add(fn.node.name)
    for loop in tree.find_all(nodes.For):
        if isinstance(loop.iter, nodes.Name):
            lists.add(loop.iter.name)
    for f in tree.find_all(nodes.Filter):
        if f.name == "join" and isinstance(f.node, nodes.Name):
            lists.add(f.node.name)
    for cmp in tree.find_all(nodes.Compare):
        for op in cmp.ops:
            if isinstance(cmp.expr, nodes.Name) and isinstance(op.expr, nodes.Const):
                constants.setdefault(cmp.expr.name, set()).add(str(op.expr.value))
    for cond in tree.find_all(nodes.If):
        test = cond.test.node if isinstance(cond.test, nodes.Not) else cond.test
        if isinstance(test, nodes.Name):
            tested.add(test.name)

    item = type("_DatedItem", (_Item,), {"dates": frozenset(item_dates)})()

    def value(var: str) -> Any:
        if var in dates:
            return "2027-04-20"
        if var in times:
            return "2027-04-21T06:30:00+00:00"
        if var in lists:
            return [item, item]
        if var in mappings:
            return {"<nyckel>": "<värde>"}
        return f"<{var}>"

    base = {var: value(var) for var in required}
    compared = sorted(constants)
    choices = [[*sorted(constants[v]), "<annat>"] for v in compared]
    for combo in itertools.product(*choices):
        for filled in (True, False):
            ctx = {**base, **dict(zip(compared, combo, strict=True))}
            if not filled:
                for var in tested - set(compared):
                    ctx[var] = [] if var in lists else {} if var in mappings else ""
            yield ctx


def _raw_subject(language: str, name: str, context: dict[str, Any]) -> str:
    template = _ENV.get_template(f"{language}/{name}.txt")
    helpers = {name: lambda v: str(v) for name in HELPERS}
    return "".join(template.blocks["subject"](template.new_context({**context, **helpers})))


SWEDISH = sorted(_names("sv"))


def test_every_swedish_text_has_a_danish_one() -> None:
    missing = set(SWEDISH) - _names("da") - set(SWEDISH_ONLY)
    assert not missing, f"templates/da lacks {sorted(missing)}"
    assert not set(SWEDISH_ONLY) & _names("da"), "a Swedish-only text has a Danish one after all"
    assert _names("da") - set(SWEDISH) == set(DANISH_ONLY)


@pytest.mark.parametrize(
    ("name", "sv_name"),
    [(n, n) for n in SWEDISH if n not in SWEDISH_ONLY] + sorted(DANISH_ONLY.items()),
)
def test_danish_text_renders_with_the_swedish_context(name: str, sv_name: str) -> None:
    renderer = Renderer(TEMPLATES)
    # The Danish text needs nothing the workflow does not already give the Swedish one.
    extra = _required("da", name) - _required("sv", sv_name)
    assert not extra, f"da/{name} needs {sorted(extra)}, which sv/{sv_name} does not"
    for language, template in (("sv", sv_name), ("da", name)):
        assert set(_ENV.get_template(f"{language}/{template}.txt").blocks) == BLOCKS
    contexts = list(_contexts(sv_name))
    for ctx in contexts:
        for language, template in (("sv", sv_name), ("da", name)):
            subject, body = renderer.render(language, template, ctx, "Europe/Copenhagen")
            assert subject and body.strip(), f"{language}/{template}: empty subject or body"
            raw = _raw_subject(language, template, ctx).strip()
            assert "\n" not in raw, f"{language}/{template}: subject spans lines: {raw!r}"
    source = (TEMPLATES / "da" / f"{name}.txt").read_text(encoding="utf-8")
    # Swedish letters in a Danish text are a sign of an untranslated line.
    assert not set("äöÄÖ") & set(source), f"da/{name} contains Swedish letters"


def test_danish_dates_in_a_rendered_danish_text() -> None:
    """The Danish text is picked (not a fallback) and dates follow Danish style."""
    ctx = next(_contexts("placement-new"))
    subject, body = Renderer(TEMPLATES).render("da", "placement-new", ctx, "Europe/Copenhagen")
    assert subject == "Ny bestilling: hjemmehjælp fra 20. april 2027"
    assert "Døgnrytmeplanen" in body and "<admin_email>" in body


@pytest.mark.parametrize(
    ("org_nr", "line"),
    [("12345674", "CVR-nummer: 12345674"), ("556036-0793", "Organisationsnummer: 556036-0793")],
)
def test_a_danish_text_names_the_identifier_by_its_kind(org_nr: str, line: str) -> None:
    # A provider under a Danish plan has a CVR-nummer; one from before keeps its org nr's name.
    ctx = {**next(_contexts("overdue")), "org_nr": org_nr}
    _, body = Renderer(TEMPLATES).render("da", "overdue", ctx, "Europe/Copenhagen")
    assert line in body.splitlines()
    assert "CVR/organisationsnummer" not in body


def test_derived_contexts_cover_each_branch() -> None:
    """The branch variants really differ: a withdrawn decision reads differently from a claim."""
    renderer = Renderer(TEMPLATES)
    subjects = {
        renderer.render("da", "recovery-decision", ctx, "Europe/Copenhagen")[0]
        for ctx in _contexts("recovery-decision")
    }
    assert subjects == {
        "Tilbagebetalingskrav <case_id>: kravet frafaldes",
        "Afgørelse om tilbagebetalingskrav <case_id>: <amount>",
    }


def test_unknown_variable_in_a_danish_text_would_fail(tmp_path: Path) -> None:
    """StrictUndefined is what makes the render test meaningful: a typo is an error."""
    (tmp_path / "da").mkdir()
    (tmp_path / "da" / "x.txt").write_text(
        "{% block subject %}{{ titel }}{% endblock %}{% block body %}b{% endblock %}"
    )
    with pytest.raises(jinja2.UndefinedError):
        Renderer(tmp_path).render("da", "x", {"title": "t"}, "Europe/Copenhagen")
