"""Every app has the same files, so whoever knows one app knows them all.

An app is a package under anchang/ with an apps.py. Each module in it is one of the file set
(docs/architecture.md#app-files) or an extra named below with its reason; an app that grows becomes
subpackages with the same files (followups/reviews/api.py), never prefixed modules
(review_api.py); a file of the set that outgrows itself becomes a package of that name
(customers/services/) whose modules are named after what they hold. Every app has its
policies.py and its errors.py. Known offenders are listed with the issue that removes them,
so the suite stays green while the parts land: a part that fixes one removes its line."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import anchang

ROOT = Path(anchang.__file__).parent

FILE_SET = {
    "models", "selectors", "services", "policies", "rules", "filters", "errors", "forms",
    "serializers", "views", "api", "tasks", "urls", "admin", "apps",
}  # fmt: skip
REQUIRED = ("policies", "errors")

# Allowed in any app or subpackage.
EXTRAS = {
    "__init__": "the package itself",
    "migrations": "Django's migrations",
    "choices": "an app's TextChoices, out of models.py when they outgrow it",
    "events": "the domain events the app's services publish for the apps above",
    "handlers": "the app's reactions to lower apps' events, subscribed in its apps.py",
}
# Allowed in one place only.
PLACED_EXTRAS = {
    "customers/phones.py": "the phone number as a value (parse, E.164, mask), used by every layer",
    "customers/search.py": "pinyin search keys of Chinese names: pure text functions",
    "org/login_guard.py": "django-axes' AppConfig under the name staff read (INSTALLED_APPS)",
    "org/auth_audit.py": "receivers of the log-in signals that only Django and axes send",
    "org/backends.py": "Django's log-in backend, reading the signed-in user as a prepared read",
    "audit/details.py": "the words of an entry's details, for the log page",
    "customers/scope.py": "where grants reach: the one decision selectors and policies share",
    "customers/profile.py": "the profile's pure reads, shared by selectors and services",
    "customers/phone_search.py": "the full-number search and the reveal cap: audited reads",
    "customers/card.py": "the registry of card sections the apps above add",
    "followups/my_day/sections.py": "the registry of My day sections the apps above add",
    "audit/context.py": "who acts from where: the value the middleware sets for the recorder",
    "assignment/imports/sheets.py": "a file as rows of text (.xlsx, .csv): no rule, no database",
    "care/backends": "the message providers' HTTP APIs behind one interface (care/backends)",
}
# Apps that are project glue rather than a domain: no actor decides, no error reaches one.
NOT_DOMAIN_APPS = {"scheduler": "tick's own bookkeeping: which periodic runs happened"}

# Known offenders, each removed by the part of its issue that fixes it.
KNOWN: dict[str, str] = {}

PREFIXED = re.compile(rf"^[a-z0-9]+(?:_[a-z0-9]+)*_({'|'.join(sorted(FILE_SET))})$")


def _modules(package: Path) -> list[tuple[str, Path]]:
    """(name, path) of the modules and subpackages directly in a package."""
    found = []
    for path in sorted(package.iterdir()):
        if path.is_dir() and (path / "__init__.py").exists():
            found.append((path.name, path))
        elif path.suffix == ".py":
            found.append((path.stem, path))
    return found


def _problems_in(package: Path, root: Path) -> dict[str, str]:
    problems = {}
    for name, path in _modules(package):
        where = str(path.relative_to(root))
        if name in FILE_SET or name in EXTRAS or where in PLACED_EXTRAS:
            continue  # a package of the set is a module split by size: its names are free
        if path.is_dir():  # a part of the app grown into a subpackage: the same files again
            problems |= _problems_in(path, root)
        elif PREFIXED.match(name):
            problems[where] = f"prefixed: a subpackage with {PREFIXED.match(name)[1]}.py"
        else:
            problems[where] = "not in the app file set (architecture.md) nor an extra"
    return problems


def shape_problems(root: Path = ROOT) -> dict[str, str]:
    problems = {}
    for app in sorted(p.parent for p in root.glob("*/apps.py")):
        problems |= _problems_in(app, root)
        if app.name in NOT_DOMAIN_APPS:
            continue
        for name in REQUIRED:
            if not (app / f"{name}.py").exists() and not (app / name).is_dir():
                problems[f"{app.name}/{name}.py"] = "missing"
    return problems


def test_every_app_has_the_same_files():
    problems = shape_problems()
    new = {where: why for where, why in problems.items() if where not in KNOWN}
    assert not new, new
    fixed = sorted(set(KNOWN) - set(problems))
    assert not fixed, f"fixed: remove them from KNOWN in this test: {fixed}"


def test_the_check_sees_a_prefixed_module_and_a_stray_one(tmp_path):
    app = tmp_path / "things"
    (app / "reviews").mkdir(parents=True)
    for name in ("__init__", "apps", "models", "policies", "errors", "thing_views"):
        (app / f"{name}.py").write_text("")
    for name in ("__init__", "api", "review_api", "helpers"):
        (app / "reviews" / f"{name}.py").write_text("")
    assert shape_problems(tmp_path) == {
        "things/thing_views.py": "prefixed: a subpackage with views.py",
        "things/reviews/review_api.py": "prefixed: a subpackage with api.py",
        "things/reviews/helpers.py": "not in the app file set (architecture.md) nor an extra",
    }


def test_every_module_of_a_split_package_has_a_layer():
    """The import contract places each module of api/ and audit/ on its own (they are split
    across layers); a module it does not name would escape the contract."""
    config = tomllib.loads((ROOT.parent / "pyproject.toml").read_text())
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    listed = {
        name.strip().strip("()")
        for layer in contract["layers"]
        for name in re.split(r"[:|]", layer)
    }
    for package in contract["exhaustive_ignores"]:
        for name, _path in _modules(ROOT / package):
            if name != "__init__":
                assert f"{package}.{name}" in listed, f"{package}.{name} has no layer"


# Tests mirror the code: tests/<app>/ (and tests/<app>/<subpackage>/) hold test_<layer>.py
# files named after the module they exercise, pages for views. Folders for what belongs to
# no one app:
TEST_FOLDERS = {
    "system": "whole-product checks: the matrix, every URL, every page, hostile input",
    "api": "the API door itself (anchang/api/): schema, errors, tokens, the typed client",
    "site": "the package's own modules (anchang/*.py): log-in, sessions, home, validators",
    "templates": "the Jinja2 environment, its filters and components (anchang/jinja2/)",
    "ops": "the commands and the embedded database: serve, backup, demo, deploy checks",
    "e2e": "browser journeys in headless Chromium",
}
TEST_NAMES = {"services", "selectors", "api", "pages"}  # pages: the views' HTML door
# Test modules about one rule across every layer and door, named after the rule.
TEST_TOPICS = {
    "pool/test_hold_cap.py": "the hold cap on every path that gives a consultant a customer",
    "audit/test_reconcile.py": "each reveal and export against its one audit entry",
    "followups/my_day/test_cadence_clock.py": "90 days of cadence on a frozen clock",
    "deals/test_opening_race.py": "opening day (开盘): one unit, one deal, N consultants at once",
    "deals/test_permission_matrix.py": "the matrix's deals section: role × action × relation",
    "assignment/reception/test_desk_race.py": "two desks, one turn: walk-ins taken at once",
    "assignment/imports/test_import_race.py": "an import and a registration of one phone at once",
    "care/backends/test_providers.py": "every provider backend against its local fake, alike",
}
TESTS = ROOT.parent / "tests"


def mirror_problems(tests: Path = TESTS, code: Path = ROOT) -> dict[str, str]:
    problems = {}
    for path in sorted(tests.rglob("*.py")):
        where = path.relative_to(tests)
        if where.parts[0] in TEST_FOLDERS or len(where.parts) == 1 or path.stem == "__init__":
            continue
        package = code.joinpath(*where.parts[:-1])
        if not (package / "__init__.py").exists():
            problems[str(where)] = "no app or subpackage of that name in anchang/"
        elif not (path.parent / "__init__.py").exists():
            problems[str(where)] = "folder without __init__.py (test module names repeat)"
        elif path.stem in ("__init__", "conftest", "helpers") or str(where) in TEST_TOPICS:
            continue
        elif not path.stem.startswith("test_"):
            problems[str(where)] = "only test_*.py, conftest.py and helpers.py"
        else:
            name = path.stem.removeprefix("test_")
            if name not in TEST_NAMES and not (package / f"{name}.py").exists():
                problems[str(where)] = f"no {name}.py beside the code it would test"
    return problems


def test_tests_mirror_the_code():
    assert not mirror_problems()


def test_the_mirror_check_sees_a_stray_test_module(tmp_path):
    code, tests = tmp_path / "anchang", tmp_path / "tests"
    for folder in (code / "things", tests / "things", tests / "gadgets"):
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text("")
    (code / "things" / "rules.py").write_text("")
    for name in ("test_services", "test_rules", "test_misc", "helpers"):
        (tests / "things" / f"{name}.py").write_text("")
    (tests / "gadgets" / "test_pages.py").write_text("")
    assert mirror_problems(tests, code) == {
        "things/test_misc.py": "no misc.py beside the code it would test",
        "gadgets/test_pages.py": "no app or subpackage of that name in anchang/",
    }
