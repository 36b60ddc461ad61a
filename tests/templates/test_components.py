"""Pages compose the shared template components (anchang/jinja2/includes/): status badges,
empty states, tables that turn into cards on a phone and figure cards are drawn there
alone, so the next app's pages look and behave like these; and pages call only what the
Jinja2 environment and their imports give them (one URL helper, `url()`)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from jinja2 import nodes

BASE = Path(settings.BASE_DIR)
INCLUDES = BASE / "jinja2" / "includes"
PAGES = sorted(p for p in BASE.glob("**/jinja2/**/*.html") if INCLUDES not in p.parents)
IDS = [str(p.relative_to(BASE)) for p in PAGES]

# Markup only a component writes: (what, pattern, the macro to use instead)
BY_HAND = [
    ("a badge", re.compile(r'class="[^"]*\bbadge\b'), "includes/badges.html"),
    ("a table of cards", re.compile(r"\btable-cards\b"), "card_table in includes/lists.html"),
    ("a figure card", re.compile(r"\bfigure-card\b"), "figure in includes/lists.html"),
]


def _env():
    return engines["jinja2"].env


def _parse(path: Path) -> nodes.Template:
    return _env().parse(path.read_text(encoding="utf-8"))


def _render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_there_are_pages_and_components():
    assert len(PAGES) > 30
    assert {"badges.html", "empty.html", "lists.html", "forms.html"} <= {
        p.name for p in INCLUDES.iterdir()
    }


@pytest.mark.parametrize("path", PAGES, ids=IDS)
def test_a_page_writes_no_component_by_hand(path):
    text = path.read_text(encoding="utf-8")
    found = [
        f"line {text.count(chr(10), 0, m.start()) + 1}: {what}, use {macro}"
        for what, pattern, macro in BY_HAND
        for m in pattern.finditer(text)
    ]
    assert found == []


@pytest.mark.parametrize("path", PAGES, ids=IDS)
def test_an_empty_list_says_so_through_includes_empty(path):
    """A for loop's else (what a list shows when it has nothing) calls a macro of
    includes/empty.html (or card_table's `empty`); it writes no markup itself."""
    by_hand = []
    for loop in _parse(path).find_all(nodes.For):
        for node in loop.else_:
            for data in node.find_all(nodes.TemplateData):
                if "<" in data.data:
                    by_hand.append(f"line {data.lineno}: {data.data.strip()[:60]}")
    assert by_hand == []


@pytest.mark.parametrize(
    "path",
    [*PAGES, *sorted(INCLUDES.glob("*.html"))],
    ids=lambda p: str(p.relative_to(BASE)),
)
def test_a_template_calls_only_the_environment_and_its_imports(path):
    """`url_of(...)` or `reverse(...)` would fail only when the page renders: one URL idiom,
    `url(name, *args)`, and the other helpers the environment lists."""
    tree = _parse(path)
    known = set(_env().globals) | {"caller", "super"}
    for node in tree.find_all((nodes.FromImport, nodes.Macro, nodes.Assign)):
        if isinstance(node, nodes.FromImport):
            known |= {n if isinstance(n, str) else n[1] for n in node.names}
        elif isinstance(node, nodes.Macro):
            known.add(node.name)
        elif isinstance(node.target, nodes.Name):  # `{% set badge = badge_html %}`
            known.add(node.target.name)
    unknown = {
        f"line {call.lineno}: {call.node.name}()"
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Name) and call.node.name not in known
    }
    assert unknown == set()


def test_badges_keep_a_status_to_one_colour():
    source = (
        '{% from "includes/badges.html" import badge, count_badge, flag_kind %}'
        '{{ badge("A") }}|{{ badge("B", "warning", "t", title="x", tag="small", cls="me-1") }}|'
        '{{ count_badge(3, "info", "n", more=True) }}|{{ flag_kind("burst", "Bursts") }}'
    )
    assert _render(source).split("|") == [
        '<span class="badge text-bg-light border">A</span>',
        '<small class="badge text-bg-warning me-1" title="x" data-testid="t">B</small>',
        '<span class="badge text-bg-info" data-testid="n">3+</span>',
        '<span class="badge text-bg-warning">Bursts</span>',
    ]


def test_a_table_of_cards_heads_its_columns_and_says_when_it_is_empty():
    source = (
        '{% from "includes/lists.html" import card_table %}'
        '{% call(r) card_table(rows, ["Name", ("Days", "text-end"), ""], testid="t",'
        ' empty="None.") %}<tr><td data-label="Name">{{ r }}</td></tr>{% endcall %}'
    )
    html = re.sub(r">\s+<", "><", _render(source, rows=["<x>"]))
    assert '<thead><tr><th>Name</th><th class="text-end">Days</th><th></th></tr></thead>' in html
    assert '<tr><td data-label="Name">&lt;x&gt;</td></tr>' in html
    assert html.startswith('<table class="table table-sm table-cards" data-testid="t">')
    empty = re.sub(r">\s+<", "><", _render(source, rows=[]))
    assert '<tbody><tr><td colspan="3" class="text-muted">None.</td></tr></tbody>' in empty
