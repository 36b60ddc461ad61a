"""A badge drawn in Python (anchang/jinja2env.py `badge`) reads exactly as the macro it
replaced: the macro is kept here as the reference and both draw every combination."""

from __future__ import annotations

import itertools

import pytest
from django.template import engines
from django.utils.translation import gettext_lazy

MACRO = """\
{% set TONES = {
  "light": "text-bg-light border",
  "nav": "text-bg-light",
  "reached": "text-bg-success-subtle text-success-emphasis border",
  "grade": "grade-badge",
} %}
{% macro badge(text, tone="light", testid=None, title=None, tag="span", cls=None) -%}
<{{ tag }} class="badge {{ TONES.get(tone) or "text-bg-" ~ tone }}\
{% if cls %} {{ cls }}{% endif %}"\
{% if title %} title="{{ title }}"{% endif %}{% if testid %} data-testid="{{ testid }}"{% endif %}\
>{{ text }}</{{ tag }}>
{%- endmacro %}"""

TEXTS = ["A", "", None, 0, 12, "<b>&\"'", gettext_lazy("Overdue"), "客户"]
TONES = ["light", "nav", "reached", "grade", "warning", "", None, '"x&']
OPTIONAL = [None, "", 't<&>"', gettext_lazy("Owner")]


def _both(**kwargs) -> tuple[str, str]:
    env = engines["jinja2"].env
    call = "badge(" + ", ".join(f"{k}={k}" for k in kwargs) + ")"
    macro = env.from_string(MACRO + "{{ " + call + " }}").render(kwargs)
    python = env.from_string('{% from "includes/badges.html" import badge %}{{ ' + call + " }}")
    return macro.strip(), python.render(kwargs).strip()


@pytest.mark.parametrize("text, tone", list(itertools.product(TEXTS, TONES)))
def test_text_and_tone(text, tone):
    macro, python = _both(text=text, tone=tone)
    assert python == macro


@pytest.mark.parametrize(
    "testid, title, cls", list(itertools.product(OPTIONAL, OPTIONAL, OPTIONAL))
)
def test_the_optional_attributes(testid, title, cls):
    macro, python = _both(text="B", testid=testid, title=title, cls=cls)
    assert python == macro
    macro, python = _both(text="B", tone="nav", testid=testid, title=title, cls=cls, tag="small")
    assert python == macro


def test_positional_arguments_as_the_pages_write_them():
    env = engines["jinja2"].env
    for call in ['badge("A")', 'badge("A", "grade")', 'badge("A", "warning", "tid")',
                 'badge("A", "warning", "tid", "T", "small", "c")']:  # fmt: skip
        macro = env.from_string(MACRO + "{{ " + call + " }}").render().strip()
        python = env.from_string('{% from "includes/badges.html" import badge %}{{ ' + call + " }}")
        assert python.render().strip() == macro, call
