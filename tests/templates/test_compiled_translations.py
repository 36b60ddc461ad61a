"""Constant translations are looked up when a template is compiled, once per language
(anchang/jinja2env.py): a page reads exactly as it did with every call made at render time,
in every language, and a template compiled in one language never serves another."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.template import engines
from django.utils import translation

from anchang.demo.build import build_demo
from anchang.org.models import Role, User
from tests.system.test_no_raw_codes import VisibleText, _followable

# Per response, not per template: CSRF tokens (masked afresh for each render) and nonces.
_PER_RESPONSE = re.compile(r"[A-Za-z0-9_-]{32,}")


@pytest.fixture
def env():
    environment = engines["jinja2"].env
    yield environment
    environment.compile_translations = True


def _render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return engines["jinja2"].from_string(source).render(context)


CASES = """\
{{ _("Customers") }}|{{ gettext("Log out") }}|{{ pgettext("grade", "A") }}
|{{ _("Not <b>in</b> the catalogue & raw") }}|{{ _("100%% sure") }}
|{{ _("Customers") ~ v }}|{{ (_("Customers") ~ v)|length }}|{{ _("Customers")|upper }}
|{{ _("%(n)s customers", n=v) }}|{{ _(v) }}
"""
# A template that names its own `_` or `gettext` keeps its calls as they are.
SHADOWED = """\
{% macro shown(_) %}{{ _("kept") }}{% endmacro %}{{ shown(title) }}|{{ _("Customers") }}
{% for gettext in [upper] %}{{ gettext("loop") }}{% endfor %}
"""


@pytest.mark.parametrize("source", [CASES, SHADOWED], ids=["constants", "shadowed"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_template_renders_the_same_compiled_or_not(env, language, source):
    context = {"v": "<i>&", "title": str.title, "upper": str.upper}
    env.compile_translations = False
    at_render = _render(source, language, **context)
    env.compile_translations = True
    compiled = _render(source, language, **context)
    assert compiled == at_render


def test_what_the_cases_cover(env):
    text = _render(CASES, "en", v="<i>&")
    assert "Not &lt;b&gt;in&lt;/b&gt; the catalogue &amp; raw" in text
    assert "100% sure" in text and "Customers&lt;i&gt;&amp;" in text
    with translation.override("en"):
        code = env.compile(CASES, raw=True)
    assert code.count("context.call(") == 2  # the two with a value: `n=v` and `_(v)`
    text = _render(SHADOWED, "en", title=str.title, upper=str.upper)
    assert "Kept" in text and "LOOP" in text


def test_the_constant_calls_are_gone_from_the_compiled_code(env):
    with translation.override("zh-hans"):
        code = env.compile('{{ _("Customers") }}{{ _("%(n)s", n=1) }}', raw=True)
    assert "客户" in code
    assert code.count("context.call(") == 1  # only the call with a value left to format


def test_each_language_has_its_own_compiled_template(env, client, db):
    for language, word in [("zh-hans", "登录"), ("en", "Log in"), ("zh-hans", "登录")]:
        client.cookies["django_language"] = language
        page = client.get("/login/").content.decode()
        assert f'lang="{"zh-CN" if language == "zh-hans" else language}"' in page
        assert word in page, language


@pytest.mark.slow
def test_every_page_reads_the_same_compiled_or_not(env, client, db):
    """The oracle: each page a consultant and a manager can reach, in both languages,
    rendered with the translations compiled in and with every call made at render time."""
    demo = build_demo(seed=2026, customers_per_consultant=3)
    compared = set()
    for role in (Role.CONSULTANT, Role.MANAGER):
        client.force_login(User.objects.get(username=demo.logins[role]))
        for language in ("zh-hans", "en"):
            client.cookies["django_language"] = language
            compared |= _crawl_comparing(client, env)
        client.logout()
    assert {"home", "customers:list", "customers:detail"} <= compared, compared
    assert len(compared) > 20, compared


def _crawl_comparing(client, env) -> set[str]:
    queue, seen, names = ["/"], set(), set()
    while queue and len(names) < 60:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        target = _followable(urlsplit(path).path, admin=False)
        if target is None or target[0] in names:
            continue
        names.add(target[0])
        pages = []
        for compiled in (True, False):
            env.compile_translations = compiled
            response = client.get(path)
            pages.append(_PER_RESPONSE.sub("…", response.content.decode()))
        env.compile_translations = True
        assert pages[0] == pages[1], path
        if "html" not in response.get("Content-Type", ""):
            continue
        parser = VisibleText()
        parser.feed(pages[0])
        for href in parser.links:
            parts = urlsplit(urljoin(path, href))
            if not parts.netloc and parts.scheme in ("", "http"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return names
