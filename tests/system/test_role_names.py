"""Roles are data: who may do what is read from anchang/permissions.yaml through policies,
so no role name is written in the code or the templates outside the matrix and its loader.

The scan reads Python with its syntax tree and templates with Jinja2's lexer, so a role name
in a comment, a docstring or the page's text is not code; and `consultant`, which is also
the name of a field (a registration's or a follow-up's consultant), is not a role where it
names a field: a positional argument (`select_related("consultant")`), an item of a list or
a key of a dict that also holds other names (`fields = ["consultant", "medium"]`), a
subscript (`data["consultant"]`). Everywhere else (a comparison, a set, a list of role names,
a `role=`/`roles=` argument, an assignment, a return) a role name is a decision written in
code, and fails here with its file and line.
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

import pytest
from jinja2 import Environment

from anchang import permissions
from anchang.org.models import Role

PACKAGE = Path(permissions.__file__).resolve().parent
ROLE_NAMES = frozenset(Role.values) | frozenset(permissions.matrix()["roles"])
# The matrix and its loader, the Role choices (the database field's), the documentation's
# labels, and the demo's data (the demo grants every role by name). Migrations and tests too.
ALLOWED = (
    "org/models.py",
    "permissions.py",
    "permissions_doc.py",
    "demo/",
    "management/commands/demo.py",
)


def _allowed(relative: str) -> bool:
    return "/migrations/" in f"/{relative}" or any(
        relative == entry or (entry.endswith("/") and relative.startswith(entry))
        for entry in ALLOWED
    )


def _is_role(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in ROLE_NAMES


def _names_role_class(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "Role") or (
        isinstance(node, ast.Attribute) and node.attr == "Role"
    )


def _names_a_field(constant: ast.Constant, parent: ast.AST) -> bool:
    """Whether the role-like string names a field here rather than a role (module doc)."""
    if isinstance(parent, ast.Call):
        return constant in parent.args and not _names_role_class(parent.func)
    if isinstance(parent, ast.List | ast.Tuple):
        return not all(_is_role(e) for e in parent.elts)
    if isinstance(parent, ast.Dict) and constant in parent.keys:
        return not all(k is not None and _is_role(k) for k in parent.keys)
    if isinstance(parent, ast.Subscript):
        return parent.slice is constant
    if isinstance(parent, ast.keyword):
        return "role" not in (parent.arg or "")
    # an app's label, URL namespace or rules-section key (the care app and the care role
    # share a name, as docs/architecture.md#layers lays the apps out)
    if isinstance(parent, ast.Assign):
        names = {t.id for t in parent.targets if isinstance(t, ast.Name)}
        if names & {"label", "app_name", "key"}:
            return True
    return isinstance(parent, ast.Expr)  # a bare string statement says nothing


def scan_python(source: str) -> list[tuple[int, str]]:
    """(line, what) for each role name written as code in this Python source."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _names_role_class(node.value)
            and node.attr.isupper()
        ):
            found.append((node.lineno, f"Role.{node.attr}"))
        elif _is_role(node) and not _names_a_field(node, parents.get(node)):
            found.append((node.lineno, repr(node.value)))
    return sorted(found)


_JINJA = Environment(autoescape=True)  # only its lexer is used


_GETTEXT = {"_", "gettext", "ngettext", "pgettext"}


def scan_template(source: str) -> list[tuple[int, str]]:
    """(line, what) for each role name in a template's code (not its HTML, its text or a
    message to translate)."""
    tokens = [(line, kind, value) for line, kind, value in _JINJA.lex(source)
              if kind != "whitespace"]  # fmt: skip
    found = []
    for i, (line, kind, value) in enumerate(tokens):
        translated = i >= 2 and tokens[i - 1][2] == "(" and tokens[i - 2][2] in _GETTEXT
        if kind == "string" and value[1:-1] in ROLE_NAMES and not translated:
            found.append((line, value))
    return found


def _sources():
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE).as_posix()
        if not path.is_file() or _allowed(relative) or "/static/" in f"/{relative}":
            continue
        if path.suffix == ".py":
            yield relative, scan_python
        elif "jinja2" in path.relative_to(PACKAGE).parts[:-1]:
            yield relative, scan_template


def test_no_role_name_outside_the_matrix():
    found = [
        f"anchang/{relative}:{line}: {what}"
        for relative, scan in _sources()
        for line, what in scan((PACKAGE / relative).read_text(encoding="utf-8"))
    ]
    assert not found, (
        "role names in code: put who may do what in anchang/permissions.yaml and ask a "
        "policy (templates: a flag the view computes from one):\n" + "\n".join(found)
    )


def test_the_scan_sees_every_scanned_kind():
    """The test above reads Python and templates, in apps and the project."""
    scanned = {relative for relative, _scan in _sources()}
    assert "home.py" in scanned and "pool/views.py" in scanned
    assert "jinja2/home.html" in scanned and "pool/jinja2/pool/list.html" in scanned
    assert not any(_allowed(relative) for relative in scanned)


@pytest.mark.parametrize(
    "planted",
    [
        'managed = projects_where(actor, {"manager", "admin"})',
        'is_manager = "manager" in roles',
        'ROLE = "manager"',
        'staff = User.objects.filter(memberships__role="manager")',
        'owners = project_staff(project=p, roles=["consultant", "manager"])',
        "if Role.MANAGER in roles:\n    pass",
        'role = Role("manager")',
        "def f(role='manager'):\n    return role == 'manager'",
    ],
)
def test_a_planted_role_name_is_found(planted):
    found = scan_python(f"x = 1\n{planted}\n")
    assert found and all(line >= 2 for line, _what in found), found


@pytest.mark.parametrize(
    "field_use",
    [
        'rows = qs.select_related("consultant", "medium")',
        'fields = ["consultant", "idempotency_key"]',
        'value = request.GET.get("consultant")',
        'errors["consultant"] = "?"',
        'row = {"consultant": user.pk, "consultant_name": str(user)}',
        'param = OpenApiParameter("consultant", int)',
        "# the consultant's manager sees it",
        'def f():\n    """Only for an admin."""',
    ],
)
def test_a_field_named_like_a_role_is_not_a_role(field_use):
    assert scan_python(field_use) == []


def test_the_template_scan_reads_code_not_markup():
    source = (
        '<select name="consultant" id="review-consultant">{{ _("consultant") }}</select>\n'
        '{% if "consultant" in roles %}<p>admin</p>{% endif %}\n'
    )
    assert scan_template(source) == [(2, '"consultant"')]


def test_the_allow_list_names_the_matrix_its_loader_and_data():
    assert _allowed("org/models.py") and _allowed("demo/build.py")
    assert _allowed("org/migrations/0001_initial.py")
    assert not _allowed("org/selectors.py") and not _allowed("pool/views.py")


# The matrix and the Role choices name the same roles.


def test_every_role_of_the_matrix_is_a_role_choice_and_back():
    matrix = permissions.matrix()
    assert set(matrix["roles"]) == set(Role.values)
    for section in ("pages", "duties"):
        for name, holders in matrix[section].items():
            assert set(holders) <= set(Role.values), f"{section}.{name}: {holders}"


def test_the_matrix_refuses_unknown_or_inconsistent_role_lists():
    matrix = permissions.matrix()
    cases = [
        (("pages", "pool"), ["consultant", "intern"], "unknown roles"),
        (("duties", "own_customers"), ["consultant", "auditor"], "view its own"),
        (("duties", "claim_from_pool"), ["consultant", "clerk"], "owns it"),
    ]
    for (section, name), holders, message in cases:
        data = copy.deepcopy(matrix)
        data[section][name] = holders
        with pytest.raises(permissions.MatrixError, match=message):
            permissions.validate(data)
    data = copy.deepcopy(matrix)
    del data["duties"]["reviewed"]
    with pytest.raises(permissions.MatrixError, match="missing"):
        permissions.validate(data)


def test_pages_and_duties_the_code_asks_for_are_in_the_matrix():
    """A name the file lacks would deny everyone silently (fail closed), so a typo is caught
    here rather than by a user."""
    matrix = permissions.matrix()
    asked = {"pages": set(), "duties": set()}
    pattern = re.compile(r"""(open_page\([^)]*page=|page_roles\(|duty_roles\()["'](\w+)["']""")
    for path in PACKAGE.rglob("*.py"):
        for kind, name in pattern.findall(path.read_text(encoding="utf-8")):
            asked["duties" if kind.startswith("duty") else "pages"].add(name)
    assert asked["pages"] and asked["duties"]
    for section, names in asked.items():
        assert names <= set(matrix[section]), f"{section}: {sorted(names - set(matrix[section]))}"
