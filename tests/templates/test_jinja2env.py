"""Pages render with Jinja2 (anchang/jinja2env.py): every string they translate is in the
zh-Hans catalog, and no page is left on Django's engine."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from jinja2.ext import babel_extract

PO = Path(settings.BASE_DIR, "locale", "zh_Hans", "LC_MESSAGES", "django.po")
TEMPLATES = sorted(Path(settings.BASE_DIR).glob("**/jinja2/**/*.html"))
OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "false"}


def _catalog() -> set[tuple[str | None, str]]:
    """(context, msgid) of every message with a translation that is not fuzzy."""
    with PO.open("rb") as handle:
        return {
            (m.context, m.id if isinstance(m.id, str) else m.id[0])
            for m in read_po(handle)
            if m.id
            and m.string
            and (isinstance(m.string, str) or all(m.string))
            and "fuzzy" not in m.flags
        }


def test_there_are_jinja_templates():
    assert len(TEMPLATES) > 3


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_every_string_a_page_translates_is_in_the_catalog(template):
    translated = _catalog()
    keywords = ["_", "gettext", "ngettext", "pgettext", "npgettext"]
    with template.open("rb") as handle:
        found = list(babel_extract(handle, keywords, [], OPTIONS))
    missing = []
    for line, function, message, _comments in found:
        parts = [message] if isinstance(message, str) else list(message)
        context = parts.pop(0) if function in ("pgettext", "npgettext") else None
        if (context, parts[0]) not in translated:
            missing.append((line, parts[0]))
    assert missing == []
