"""The content security policy allows no inline style or script (style-src 'self',
script-src 'self'): every template, page or htmx fragment, is checked for the constructs
the browser would refuse, and htmx is configured never to write a style attribute."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    p for p in (REPO / "anchang").rglob("*.html") if {"templates", "jinja2"} & set(p.parts)
)
# A style attribute, an inline event handler (onclick=...), a <script> without src, a
# <style> block, or a javascript: URL: each is refused by the CSP (or needs a nonce).
STYLE_ATTR = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
HANDLER_ATTR = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*\snonce=)[^>]*>", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style(?![^>]*\snonce=)[^>]*>", re.IGNORECASE)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)
CHECKS = {
    "style attribute": STYLE_ATTR,
    "inline event handler": HANDLER_ATTR,
    "inline <script>": INLINE_SCRIPT,
    "<style> block": STYLE_TAG,
    "javascript: URL": JS_URL,
}


def test_there_are_templates_to_check():
    assert len(TEMPLATES) >= 30
    assert any(p.name == "_review_record.html" for p in TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_template_holds_what_the_csp_refuses(path):
    text = path.read_text(encoding="utf-8")
    found = [
        f"{what}: {m.group(0)[:80]!r}" for what, rx in CHECKS.items() for m in rx.finditer(text)
    ]
    assert not found, f"{path.relative_to(REPO)}: " + "; ".join(found)


def test_htmx_never_writes_a_style_attribute():
    """htmx copies `attributesToSettle` (by default class, style, width, height) from the old
    element onto the swapped-in one; with `style` among them a swap (posting a review
    comment) set style="" and the browser logged a CSP violation."""
    base = (REPO / "anchang" / "jinja2" / "base.html").read_text(encoding="utf-8")
    meta = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", base)
    assert meta, "base.html must configure htmx"
    config = json.loads(meta.group(1))
    assert config.get("includeIndicatorStyles") is False  # htmx would add a <style> block
    assert config.get("allowEval") is False
    assert "style" not in config.get("attributesToSettle", ["style"])
