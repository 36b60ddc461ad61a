"""Shared fixtures. State is built through the real services, never raw inserts."""

from __future__ import annotations

import copy
import fcntl
import functools
import itertools
import os
import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from anchang.customers.models import Customer, Medium
from anchang.customers.services import (
    customer_create,
    media_ensure_defaults,
    registration_submit,
)
from anchang.org.models import Company, Project, Region, Role, User
from anchang.org.services import membership_grant, staff_create

PASSWORD = "correct-horse-battery-9"


def _instrument_jinja2() -> None:
    """The test client's `response.context` for pages rendered by Jinja2 too: Django sends
    `template_rendered` from its own engine only (django.test.utils.instrumented_test_render)."""
    from django.template.backends import jinja2 as backend
    from django.test.signals import template_rendered

    render = backend.Template.render

    def instrumented(self, context=None, request=None):
        context = {} if context is None else context
        html = render(self, context, request)  # adds request, csrf and the processors' keys
        template_rendered.send(sender=self, template=self, context=context)
        return html

    backend.Template.render = instrumented


_instrument_jinja2()
# The first example pays for imports and metadata loading; deadlines would be flaky.
hypothesis_settings.register_profile("anchang", deadline=None, max_examples=200)
hypothesis_settings.load_profile("anchang")
_phones = itertools.count(1)
# A real hash per test user would dominate the suite's time; production keeps PBKDF2.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def next_phone() -> str:
    return f"1349{next(_phones) + 5_000_000:07d}"


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    # Every prepared read is also compiled by the ORM and must match (anchang/prepared.py).
    settings.ANCHANG_CHECK_PREPARED = True
    # Background work (an import's commit) runs when the request's transaction commits.
    settings.ANCHANG_BACKGROUND = "inline"
    # The manifest storage needs collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def make_user(username: str, name: str | None = None) -> User:
    return staff_create(username=username, name=name or username, password=PASSWORD)


@dataclass
class World:
    """Company with regions east (projects p1, p2) and south (p3); staff per role."""

    company: Company
    east: Region
    south: Region
    p1: Project
    p2: Project
    p3: Project
    # two consultants per project, so every customer has a possible new owner
    consultants: dict[str, tuple[User, User]] = field(default_factory=dict)

    def grant(self, user: User, role: str) -> User:
        scope_kwargs = {
            "project": {"project": self.p1},
            "region": {"region": self.east},
            "company": {},
        }
        from anchang import permissions

        scope = permissions.role_scope(role) or "project"
        membership_grant(user=user, role=role, company=self.company, **scope_kwargs[scope])
        return user

    def medium(self, project: Project) -> Medium:
        return Medium.objects.filter(project=project).order_by("id").first()

    def register(self, actor: User, project: Project | None = None, **overrides):
        """A valid call registration through the real service; override any field."""
        project = project or self.p1
        data = {
            "kind": "call",
            "name": "张三",
            "gender": "m",
            "phone": next_phone(),
            "medium_id": self.medium(project).pk,
            "content": "来电咨询三居室价格和交房时间",
            "occurred_at": timezone.now() - timedelta(minutes=5),
        }
        data.update(overrides)
        return registration_submit(actor=actor, project=project, **data)

    def customer(self, project: Project, owner: User | None, name: str) -> Customer:
        return customer_create(
            actor=owner or self.consultants[project.code][0],
            project=project,
            name=name,
            phone=next_phone(),
            owner=owner,
        )


def _build_world() -> World:
    company = Company.objects.create(name="测试集团", code="test")
    east = Region.objects.create(company=company, name="华东", code="east")
    south = Region.objects.create(company=company, name="华南", code="south")
    p1 = Project.objects.create(region=east, name="一号楼盘", code="p1", kind="real_estate")
    p2 = Project.objects.create(region=east, name="二号门店", code="p2", kind="home_improvement")
    p3 = Project.objects.create(region=south, name="三号4S店", code="p3", kind="dealership")
    w = World(company=company, east=east, south=south, p1=p1, p2=p2, p3=p3)
    for project in (p1, p2, p3):
        media_ensure_defaults(project=project)
        pair = []
        for i in (1, 2):
            user = make_user(f"{project.code}c{i}", f"{project.name}顾问{i}")
            membership_grant(user=user, role=Role.CONSULTANT, company=company, project=project)
            pair.append(user)
        w.consultants[project.code] = tuple(pair)
    return w


class _SharedWorld:
    """One World for a run of consecutive tests that ask for it, as Django's setUpTestData.

    Building it is ~70 queries, and about 2,000 tests ask for it. It is built once in a
    transaction opened before the test's own (pytest-django's TestCase runs its test in a
    savepoint inside it), so whatever a test writes is rolled back and the next test finds
    the World as built; each test gets a deep copy of the Python objects. The transaction
    is rolled back before any test that does not ask for the World, or needs committed data
    (transactional tests, live_server), or carries its own django_db marker: those see the
    database as before. Per process, so each xdist worker has its own.

    A world_layer fixture is shared the same way, one level up: its set-up is built in a
    savepoint on the World for consecutive tests with the same parameters, and rolled back
    before a test with others, or without it.
    """

    def __init__(self) -> None:
        self.atomic = None
        self.blocker = None  # pytest-django's django_db_blocker, once a test asked
        self.world: World | None = None
        self.layer: tuple | None = None  # (key, atomic, (world, value)) of a world_layer

    @staticmethod
    def fits(item: pytest.Item) -> bool:
        names = set(getattr(item, "fixturenames", ()))
        return (
            "world" in names
            and item.get_closest_marker("django_db") is None
            and not names & {"transactional_db", "live_server", "django_db_reset_sequences"}
        )

    @staticmethod
    def _open():
        from django.db import transaction

        atomic = transaction.atomic()
        # As TestCase marks its own: durable blocks inside a test are allowed.
        atomic._from_testcase = True
        atomic.__enter__()
        return atomic

    @staticmethod
    def _roll_back(atomic) -> None:
        from django.db import transaction

        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)

    def get(self, blocker, layer=None) -> tuple[World, object] | None:
        """(World, the layer's value) for a test, copied; None when the test's own
        transaction is open already (it builds its World in it). `layer` is (key, build)."""
        from django.db import connection
        from django.test import override_settings

        with blocker.unblock():
            if self.world is not None and not connection.in_atomic_block:
                self.atomic, self.world, self.layer = None, None, None  # connection closed
            if self.world is None:
                if connection.in_atomic_block:
                    return None
                self.blocker = blocker
                self.atomic = self._open()
                try:
                    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                        self.world = _build_world()
                except BaseException:
                    self.discard()
                    raise
            if self.layer is not None and (layer is None or self.layer[0] != layer[0]):
                self._roll_back(self.layer[1])
                self.layer = None
            if layer is None:
                return copy.deepcopy((self.world, None))
            if self.layer is None:
                atomic = self._open()
                try:
                    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                        world = copy.deepcopy(self.world)
                        self.layer = (layer[0], atomic, (world, layer[1](world)))
                except BaseException:
                    self._roll_back(atomic)
                    raise
            return copy.deepcopy(self.layer[2])

    def discard(self) -> None:
        if self.atomic is None:
            return
        with self.blocker.unblock():
            if self.layer is not None:
                self._roll_back(self.layer[1])
            self._roll_back(self.atomic)
        self.atomic, self.world, self.layer = None, None, None


_shared_world = _SharedWorld()
_layers: dict[str, tuple] = {}  # fixture name -> (build, parameter names)
_world_key = pytest.StashKey[World]()
_layer_key = pytest.StashKey[object]()


def world_layer(*params: str):
    """Make `build(world, **params)` a fixture shared like the World: built once for
    consecutive tests with the same values of `params` (parameters of the test), each test
    getting a deep copy, its writes rolled back. For set-up on top of the World that many
    parametrized cases repeat."""

    def decorate(build):
        _layers[build.__name__] = (build, params)

        @pytest.fixture(name=build.__name__)
        def layer(request, world):
            if _layer_key in request.node.stash:
                return request.node.stash[_layer_key]
            return build(world, **{p: request.getfixturevalue(p) for p in params})

        return layer

    return decorate


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before any fixture of the test: the previous test's fixtures are gone, so the shared
    # World's transaction is the only one open.
    if not _SharedWorld.fits(item):
        _shared_world.discard()


@pytest.fixture(scope="session")
def _shared_world_done(django_db_setup):
    # Torn down before the test databases are destroyed.
    yield
    _shared_world.discard()


@pytest.fixture(autouse=True)
def _shared_world_open(request):
    # Autouse, so it runs before `db` opens the test's transaction (fixtures a test names
    # come after every autouse one).
    if not _SharedWorld.fits(request.node):
        return
    layer = None
    for name, (build, params) in _layers.items():
        if name in request.fixturenames:
            values = {p: request.node.callspec.params[p] for p in params}
            layer = ((name, tuple(values.items())), functools.partial(build, **values))
    request.getfixturevalue("_shared_world_done")
    shared = _shared_world.get(request.getfixturevalue("django_db_blocker"), layer)
    if shared is not None:
        request.node.stash[_world_key], value = shared
        if layer is not None:
            request.node.stash[_layer_key] = value


@pytest.fixture
def world(request, db) -> World:
    if _world_key in request.node.stash:
        return request.node.stash[_world_key]
    return _build_world()


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build) -> Path:
    """A folder `build(folder)` fills once per test run, shared by the pytest-xdist workers:
    the first to ask builds it under a lock, the others wait for it and reuse it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's own folder, above each worker's
    folder, done = base / name, base / f"{name}.done"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a worker that failed half-way
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


# make test's PostgreSQL run repeats only the tests that reach the database
# (--database-tests-only). A test without database access (pytest-django refuses it any)
# answers the same on both, so it runs once, on SQLite: the templates' components, the
# schema's shape, pure rules, the deploy checks' subprocesses.
_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="leave out the tests that cannot reach the database (for a second database)",
    )


def reaches_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    marked = item.get_closest_marker("django_db") or item.get_closest_marker("postgres_only")
    return marked is not None or bool(_DATABASE_FIXTURES & fixtures)


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--database-tests-only"):
        return
    left = [item for item in items if not reaches_database(item)]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = [item for item in items if reaches_database(item)]


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"


# --- Personal data in the logs (issue 5): every log line written during the run is scanned
# at the end; an unmasked mobile or ID number fails the run. Under pytest-xdist the workers
# share the log folder, and the controller (which starts before them and finishes after
# them) scans it once.
_log_starts: dict = {}


def _log_files():
    return sorted(Path(settings.LOG_DIR).glob("*.log*"))


def _xdist_worker(config) -> bool:
    return hasattr(config, "workerinput")


def pytest_sessionstart(session):
    if _xdist_worker(session.config):
        return
    _log_starts.update({path: path.stat().st_size for path in _log_files()})


_log_report: list[str] = []


def pytest_sessionfinish(session, exitstatus):
    if _xdist_worker(session.config):
        return
    from tests.pii_scan import scan_files

    starts = {path: _log_starts.get(path, 0) for path in _log_files()}
    lines, hits = scan_files(starts)
    _log_report.append(f"log scan: {lines} log lines written, {len(hits)} with personal data")
    _log_report.extend(f"  {hit}" for hit in hits[:20])
    if hits and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    for line in _log_report:
        terminalreporter.write_line(line, red=line.startswith("  "))
