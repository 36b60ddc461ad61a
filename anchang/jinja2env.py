"""The Jinja2 environment every page renders with (settings.TEMPLATES, first engine).

Django's template engine took two thirds of a page's CPU (docs/reliability.md); Jinja2
compiles a template to Python once and renders the same page several times faster. The
pages keep Django's helpers under the same names:

- `{{ _("Customers") }}`, `{{ _("%(n)s customers", n=total) }}`, `ngettext(...)`,
  `pgettext(...)`: Django's translations (newstyle gettext: the result is escaped and
  formatted with its keyword arguments, so the msgids stay those of `{% blocktrans %}`);
- `url(name, *args)` (the one way a page builds a URL: resolved once per name,
  anchang/templatetags/row_urls.py), `static(path)`, `{{ csrf_input }}` (Django's backend
  adds it with `request`);
- `phone(e164, full)`, `widget(field)`, and the filters `ymd_hm`, `ymd`, `md_hm`, `md`,
  `date(format)`, `linebreaksbr`, `truncatechars(n)`, `yuan` (fen as 1,234.00), which convert
  aware datetimes to local time first, as Django's filters do.

A value printed with `{{ }}` that is a method or function (a template written for
Django's engine, which calls them for you) is an error, not the text "<bound method…>".

A translation of a constant (`_("Customers")`, `pgettext("grade", "A")`, no values to
format) is looked up once, when the template is compiled, not on every render: the
environment compiles each template once per language (`_load_template` keys its cache by
the active language) and `_parse` replaces such calls with their translated text, escaped
and marked safe as the call would have returned it. A card made ~60 of these calls, each
through Jinja2's context, the i18n extension and Django's catalogue (issue 15).
"""

from __future__ import annotations

import types
import weakref
from datetime import date, datetime

from django.conf import settings
from django.template import defaultfilters
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.functional import Promise
from jinja2 import ChainableUndefined, Environment, nodes
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, escape

from anchang.templatetags.anchang_forms import widget
from anchang.templatetags.local_dates import FORMATS
from anchang.templatetags.money import yuan
from anchang.templatetags.phones import phone
from anchang.templatetags.row_urls import url

_CALLABLES = (types.MethodType, types.FunctionType, types.BuiltinMethodType)


def _finalize(value):
    if isinstance(value, _CALLABLES):
        raise TypeError(f"a template printed {value!r}: call it, e.g. name()")
    if isinstance(value, Promise):
        # A lazy string is made a str before escaping, as Django's engine does: a lazy
        # SafeString (the password validators' help list) then stays unescaped HTML.
        return str(value)
    return value


def _local(value):
    """Aware datetimes in the current time zone, as Django's date filters see them."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _strftime(pattern: str):
    def format_date(value) -> str:
        value = _local(value)
        return value.strftime(pattern) if isinstance(value, date) else ""

    return format_date


def _escaped(function):
    """A translation escaped as `{% trans %}` escapes it: Jinja2's newstyle gettext marks
    the translated text safe and escapes only the values formatted into it."""

    def translate(*args):
        return str(escape(function(*args)))

    return translate


def _date(value, fmt: str | None = None) -> str:
    return defaultfilters.date(_local(value), fmt)


# A tone is a Bootstrap colour name (primary, warning …: text-bg-<tone>) or one of these:
# light with a border (on a white page), light without one (on the blue menu bar), a
# reached follow-up's green, and the customer list's own grade colour (app.css).
BADGE_TONES = {
    "light": "text-bg-light border",
    "nav": "text-bg-light",
    "reached": "text-bg-success-subtle text-success-emphasis border",
    "grade": "grade-badge",
}


def _printed(value) -> Markup:
    """A value as `{{ value }}` prints it: finalized, then escaped."""
    return escape(_finalize(value))


def badge(text, tone="light", testid=None, title=None, tag="span", cls=None) -> Markup:
    """A status badge, the one way a page draws one (includes/badges.html exports it as
    `badge`). A function, not a macro: a Jinja2 macro call cost ~7 µs, and the customer
    list draws fifty, a tenth of its rendering."""
    classes = _printed(BADGE_TONES.get(tone) or f"text-bg-{tone}")
    extra = f" {_printed(cls)}" if cls else ""
    attributes = f' title="{_printed(title)}"' if title else ""
    if testid:
        attributes += f' data-testid="{_printed(testid)}"'
    tag = _printed(tag)
    return Markup(f'<{tag} class="badge {classes}{extra}"{attributes}>{_printed(text)}</{tag}>')  # noqa: S704 - every part escaped


def language_choices() -> list[dict]:
    """The languages the footer offers, each with its own name (Django's
    `{% get_language_info_list %}`)."""
    return [translation.get_language_info(code) for code, _name in settings.LANGUAGES]


class _ConstantTranslations(NodeTransformer):
    """`_("…")`, `gettext("…")` and `pgettext("…", "…")` with constant arguments and no
    values to format, replaced by what the call returns in `language`: the same escaped,
    safe text (newstyle gettext formats even without values, so `%%` still becomes `%`)."""

    _NAMES = {"_": "gettext", "gettext": "gettext", "pgettext": "pgettext"}

    def __init__(self, environment: Environment, language: str):
        self.environment, self.language = environment, language
        self.assigned: set[str] = set()

    def visit_Name(self, node: nodes.Name) -> nodes.Node:
        if node.ctx in ("store", "param"):
            self.assigned.add(node.name)  # a template's own `_` or `gettext`: left alone
        return node

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        function = node.node
        if not (
            isinstance(function, nodes.Name)
            and function.name in self._NAMES
            and function.name not in self.assigned
            and not node.kwargs
            and node.dyn_args is None
            and node.dyn_kwargs is None
            and node.args
            and all(isinstance(a, nodes.Const) and isinstance(a.value, str) for a in node.args)
        ):
            return node
        args = [a.value for a in node.args]
        kind = self._NAMES[function.name]
        if len(args) != (1 if kind == "gettext" else 2):
            return node
        callables = self.environment.anchang_translations
        with translation.override(self.language):
            try:
                # The callables return escaped text (`_escaped`); Jinja2's newstyle
                # gettext marks it safe and formats it, as here.
                if kind == "gettext":
                    text = Markup(callables["gettext"](args[0])) % {}  # noqa: S704
                else:
                    text = Markup(callables["pgettext"](*args)) % {"context": args[0]}  # noqa: S704
            except (KeyError, ValueError, TypeError):
                return node  # the call fails as it would have at render time
        return nodes.MarkSafe(nodes.Const(str(text)), lineno=node.lineno)


class AnchangEnvironment(Environment):
    """Compiles each template once per language, its constant translations looked up then
    (see the module's docstring)."""

    compile_translations = True

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        language = translation.get_language()
        if not self.compile_translations or language is None:
            return tree
        assigned = _ConstantTranslations(self, language)
        for node in tree.find_all(nodes.Name):  # names the template assigns, first
            assigned.visit_Name(node)
        return assigned.visit(tree)

    def _load_template(self, name, globals):  # noqa: A002 - Jinja2's own signature
        # Jinja2's own method with the language in the cache key (3.1's code otherwise).
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        language = translation.get_language() if self.compile_translations else None
        key = (weakref.ref(self.loader), name, language)
        if self.cache is not None:
            template = self.cache.get(key)
            if template is not None and (not self.auto_reload or template.is_up_to_date):
                if globals:
                    template.globals.update(globals)
                return template
        template = self.loader.load(self, name, self.make_globals(globals))
        if self.cache is not None:
            self.cache[key] = template
        return template


def environment(**options) -> Environment:
    options.setdefault("extensions", []).append("jinja2.ext.i18n")
    options.pop("autoescape", None)  # pages always escape, whatever the settings say
    # A missing value prints nothing and so do its attributes, as in Django's engine, in
    # production and under ANCHANG_DEBUG alike (Django's backend picks DebugUndefined there).
    options["undefined"] = ChainableUndefined
    env = AnchangEnvironment(autoescape=True, finalize=_finalize, **options)
    env.anchang_translations = {
        "gettext": _escaped(translation.gettext),
        "ngettext": _escaped(translation.ngettext),
        "pgettext": _escaped(translation.pgettext),
        "npgettext": _escaped(translation.npgettext),
    }
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        env.anchang_translations["gettext"],
        env.anchang_translations["ngettext"],
        newstyle=True,
        pgettext=env.anchang_translations["pgettext"],
        npgettext=env.anchang_translations["npgettext"],
    )
    env.globals.update(
        badge_html=badge,
        url=url,
        static=static,
        phone=phone,
        widget=widget,
        get_language=translation.get_language,
        language_choices=language_choices,
    )
    env.filters.update(
        {name: _strftime(pattern) for name, pattern in FORMATS.items()},
        date=_date,
        linebreaksbr=defaultfilters.linebreaksbr,
        truncatechars=defaultfilters.truncatechars,
        yuan=yuan,
    )
    return env
