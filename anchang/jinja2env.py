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
  `date(format)`, `linebreaksbr`, `truncatechars(n)`, which convert
  aware datetimes to local time first, as Django's filters do.

A value printed with `{{ }}` that is a method or function (a template written for
Django's engine, which calls them for you) is an error, not the text "<bound method…>".
"""

from __future__ import annotations

import types
from datetime import date, datetime

from django.conf import settings
from django.template import defaultfilters
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.functional import Promise
from jinja2 import ChainableUndefined, Environment
from markupsafe import escape

from anchang.templatetags.anchang_forms import widget
from anchang.templatetags.local_dates import FORMATS
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


def language_choices() -> list[dict]:
    """The languages the footer offers, each with its own name (Django's
    `{% get_language_info_list %}`)."""
    return [translation.get_language_info(code) for code, _name in settings.LANGUAGES]


def environment(**options) -> Environment:
    options.setdefault("extensions", []).append("jinja2.ext.i18n")
    options.pop("autoescape", None)  # pages always escape, whatever the settings say
    # A missing value prints nothing and so do its attributes, as in Django's engine, in
    # production and under ANCHANG_DEBUG alike (Django's backend picks DebugUndefined there).
    options["undefined"] = ChainableUndefined
    env = Environment(autoescape=True, finalize=_finalize, **options)
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        _escaped(translation.gettext),
        _escaped(translation.ngettext),
        newstyle=True,
        pgettext=_escaped(translation.pgettext),
        npgettext=_escaped(translation.npgettext),
    )
    env.globals.update(
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
    )
    return env
