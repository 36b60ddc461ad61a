"""Code and documents cite the repository's own pages by anchor (`docs/domain.md#pool`):
every cited anchor exists, nothing cites the playbook or design notes that live outside the
repository, and docs/domain.md lists every project setting and names only code that exists."""

from __future__ import annotations

import importlib
import re
from functools import cache
from pathlib import Path

from django.conf import settings

from anchang.org.rules import DEFAULT_RULES, flatten

REPO = Path(settings.REPO_DIR)
DOCS = REPO / "docs"
SCANNED_DIRS = ("anchang", "tests", "docs", "scripts", "bench")
SCANNED_FILES = ("README.md", "Makefile", "pyproject.toml", "babel.cfg")
SUFFIXES = {".py", ".html", ".md", ".yaml", ".yml", ".toml", ".txt", ".cfg", ".ini"}
NOT_OURS = {"vendor", "node_modules", "__pycache__"}
# The playbook and the design notes the first issues were written against: not in the
# repository, so a citation of them is one no reader can follow. Cite docs/domain.md and
# docs/architecture.md instead.
OUTSIDE = re.compile(r"\b(?:DOMAIN|DESIGN)\.md\b")
CITATION = re.compile(r"\bdocs/([a-z0-9_-]+\.md)#([A-Za-z0-9_-]+)")
# A Markdown link inside docs/: `[pool](#pool)` or `[grades](domain.md#grading)`.
DOC_LINK = re.compile(r"\]\(([a-z0-9_-]+\.md)?#([A-Za-z0-9_-]+)\)")
EXPLICIT_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")
HEADING = re.compile(r"#{1,6}\s+(.+?)\s*#*\s*$")
# Code docs/domain.md names as where a rule is built: `customers.rules.is_late`,
# `anchang.followups.loss`, `anchang/pool/rules.py`.
CODE_NAME = re.compile(
    r"`((?:anchang\.)?(?:org|audit|customers|followups|pool|scheduler)\.[A-Za-z_][\w.]*)`"
)
CODE_PATH = re.compile(r"`(anchang/[\w/]+\.(?:py|yaml))`")


def _files() -> list[Path]:
    found = [REPO / name for name in SCANNED_FILES if (REPO / name).is_file()]
    for folder in SCANNED_DIRS:
        found += [
            path
            for path in sorted((REPO / folder).rglob("*"))
            if path.suffix in SUFFIXES and path.is_file() and not NOT_OURS & set(path.parts)
        ]
    this = Path(__file__).resolve()
    return [path for path in found if path.resolve() != this]


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped (letters of
    any script, digits, `_` and `-` kept), spaces to hyphens."""
    text = re.sub(r"<[^>]+>", "", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@cache
def anchors(doc: Path) -> frozenset[str]:
    """Explicit `<a id="…">` anchors and the headings' own, outside code blocks."""
    text = doc.read_text(encoding="utf-8")
    found = set(EXPLICIT_ANCHOR.findall(text))
    seen: dict[str, int] = {}
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        heading = None if in_code else HEADING.match(line)
        if heading:
            slug = _slug(heading.group(1))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            found.add(slug if count == 0 else f"{slug}-{count}")
    return frozenset(found)


def _citations() -> list[tuple[str, Path, str]]:
    """(where, cited document, anchor) for every anchor citation in code and documents."""
    out = []
    for path in _files():
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            where = f"{path.relative_to(REPO)}:{number}"
            for name, anchor in CITATION.findall(line):
                out.append((where, DOCS / name, anchor))
            if path.parent == DOCS and path.suffix == ".md":
                for name, anchor in DOC_LINK.findall(line):
                    out.append((where, DOCS / name if name else path, anchor))
    return out


def test_nothing_cites_pages_outside_the_repository():
    cited = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in _files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OUTSIDE.search(line)
    ]
    assert not cited, "cite docs/domain.md#… or docs/architecture.md#… instead:\n" + "\n".join(
        cited
    )


def test_every_cited_anchor_exists():
    citations = _citations()
    # The code cites the domain page (about thirty places): an empty list means the
    # pattern broke, not that all is well.
    assert sum(1 for where, _doc, _a in citations if where.startswith("anchang/")) >= 10
    broken = [
        f"{where}: {doc.relative_to(REPO)}#{anchor}"
        for where, doc, anchor in citations
        if not doc.is_file() or anchor not in anchors(doc)
    ]
    assert not broken, "no such page or anchor:\n" + "\n".join(broken)


def test_anchors_are_found_as_github_makes_them():
    assert _slug("6. Ownership, assignment and loss") == "6-ownership-assignment-and-loss"
    assert _slug("Grades (意向等级)") == "grades-意向等级"
    assert _slug("`anchang tick`") == "anchang-tick"


def test_the_domain_page_lists_every_project_setting():
    text = (DOCS / "domain.md").read_text(encoding="utf-8")
    missing = [key for key in flatten(DEFAULT_RULES) if f"`{key}`" not in text]
    assert not missing, f"docs/domain.md#project-settings lacks {missing}"


def _resolves(name: str) -> bool:
    """Whether a dotted name is a module of the package, or an attribute of one."""
    parts = name.removeprefix("anchang.").split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module("anchang." + ".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def test_the_domain_page_names_code_that_exists():
    """Where a rule is built, by module and name: a move or a rename updates the page."""
    text = (DOCS / "domain.md").read_text(encoding="utf-8")
    settings_keys = set(flatten(DEFAULT_RULES))
    names = {n for n in CODE_NAME.findall(text) if n not in settings_keys}
    assert len(names) >= 20
    missing = sorted(n for n in names if not _resolves(n))
    missing += sorted(p for p in set(CODE_PATH.findall(text)) if not (REPO / p).is_file())
    assert not missing, f"docs/domain.md names code that is not there: {missing}"
