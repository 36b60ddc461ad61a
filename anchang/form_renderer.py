"""The form renderer: the common widgets drawn in Python, Jinja2 for the other widgets it
has, Django templates for the rest.

Django ships Jinja2 copies of the form widgets only; the admin's and contrib.auth's widgets
(`admin/widgets/*`, `auth/widgets/read_only_password_hash.html`) exist as Django templates
alone, and under the plain Jinja2 renderer every admin add/change page answered 500.

Inputs, selects and text areas are drawn from the context Django's widget builds, as its
Jinja2 templates draw them (`DRAWN`, with the template sources they mirror; a test renders
every combination both ways and fails if Django's templates change): through the templates
a select cost ~100 µs and an input ~30, and the customer list's filter draws seven widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from django import forms
from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from markupsafe import escape

_WIDGETS = "django/forms/widgets/"
_OPTION = _WIDGETS + "select_option.html"


def _attrs(attrs: dict) -> str:
    # attrs.html: False leaves the attribute out, True writes its name alone.
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = f' value="{escape(value)}"' if value != None else ""  # noqa: E711 - the template's test
    return (
        f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _option(option: dict) -> str:
    return (
        f'<option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
        f"{escape(option['label'])}</option>"
    )


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape(group_name)}">')
        for option in options:
            if option["template_name"] != _OPTION:
                return None  # an option drawn by a template of its own: the templates draw all
            parts.append("\n  " + _option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    value = escape(widget["value"]) if widget["value"] else ""
    attrs = _attrs(widget["attrs"])
    return f'<textarea name="{escape(widget["name"])}"{attrs}>\n{value}</textarea>'


_INPUT_SOURCE = (
    '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %}'
    ' value="{{ widget.value }}"{% endif %}{% include "django/forms/widgets/attrs.html" %}>'
)
# Each template drawn here: (its source in Django's Jinja2 widgets, the drawing).
DRAWN: dict[str, tuple[str, Callable[[dict], str | None]]] = {
    _WIDGETS + "input.html": (_INPUT_SOURCE, _input),
    **{
        f"{_WIDGETS}{kind}.html": ('{% include "django/forms/widgets/input.html" %}', _input)
        for kind in (
            "text",
            "number",
            "email",
            "url",
            "password",
            "hidden",
            "date",
            "datetime",
            "time",
            "checkbox",
            "search",
            "tel",
            "color",
        )
    },  # fmt: skip
    _WIDGETS + "select.html": (
        '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
        "{% for group_name, group_choices, group_index in widget.optgroups %}"
        '{% if group_name %}\n  <optgroup label="{{ group_name }}">{% endif %}'
        "{% for widget in group_choices %}\n  {% include widget.template_name %}{% endfor %}"
        "{% if group_name %}\n  </optgroup>{% endif %}{% endfor %}\n</select>",
        _select,
    ),
    _WIDGETS + "textarea.html": (
        '<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>\n'
        "{% if widget.value %}{{ widget.value }}{% endif %}</textarea>",
        _textarea,
    ),
}
# What the drawings above assume of the templates they include.
INCLUDED = {
    _WIDGETS + "attrs.html": (
        "{% for name, value in widget.attrs.items() %}{% if value is not sameas False %}"
        ' {{ name }}{% if value is not sameas True %}="{{ value }}"{% endif %}{% endif %}'
        "{% endfor %}"
    ),
    _OPTION: (
        '<option value="{{ widget.value }}"{% include "django/forms/widgets/attrs.html" %}>'
        "{{ widget.label }}</option>"
    ),
}


class JinjaFirstRenderer(Jinja2):
    draw_in_python = True  # False: every widget through its template (the tests compare)

    def render(self, template_name, context, request=None):
        drawn = DRAWN.get(template_name) if self.draw_in_python else None
        html = drawn[1](context["widget"]) if drawn else None
        if html is None:
            return super().render(template_name, context, request=request)
        return html.strip()  # as BaseRenderer.render strips the template's output

    @cached_property
    def _django(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)


class IsoDateInput(forms.DateInput):
    """The one date widget: `<input type="date">` reads and writes ISO dates (2026-05-17)
    only. With the language's format (1980/05/17 in zh-Hans) the browser showed an empty
    field, and saving the form erased the date it held."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
