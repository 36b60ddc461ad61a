"""Prepared reads (anchang/prepared.py): the same rows as the ORM's queryset, whatever the
values, on both databases; a read that cannot be prepared fails at its first call."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anchang.customers.models import Customer, KeyDate
from anchang.prepared import PreparedError, prepared, unprepared_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(world):
    made = [
        world.customer(project, owner, f"客户{n}")
        for n, (project, owner) in enumerate(
            [(world.p1, world.consultants["p1"][0]), (world.p1, world.consultants["p1"][1]),
             (world.p2, world.consultants["p2"][0]), (world.p3, None)]
        )
    ]  # fmt: skip
    for n, customer in enumerate(made):
        for days in range(n + 1):
            KeyDate.objects.create(customer=customer, kind="other", date=date(2026, 1, 1 + days))
    return made


def _rows(objects) -> list:
    return [(o.pk, o.name, o.owner.username if o.owner else None, o.project.code) for o in objects]


@prepared
def _in_projects(*, projects: tuple, owner: int, mine: bool):
    found = Customer.objects.filter(project_id__in=projects)
    if mine:  # a shape argument: each value compiles once
        found = found.filter(owner_id=owner)
    return found.select_related("owner", "project").order_by("-id")


def test_rows_and_related_objects_match_the_orm_for_every_value(world, customers):
    projects = [world.p1.pk, world.p2.pk, world.p3.pk]
    owners = [c.pk for pair in world.consultants.values() for c in pair]
    for n in range(1, 4):
        for chosen in (tuple(projects[:n]), tuple(projects[-n:])):
            for owner in owners:
                for mine in (False, True):
                    orm = Customer.objects.filter(project_id__in=chosen)
                    if mine:
                        orm = orm.filter(owner_id=owner)
                    expected = _rows(orm.select_related("owner", "project").order_by("-id"))
                    got = _in_projects(projects=chosen, owner=owner, mine=mine)
                    assert _rows(got) == expected


def test_a_compiled_shape_runs_without_compiling_again(world, customers, settings):
    settings.ANCHANG_CHECK_PREPARED = False
    _in_projects(projects=(world.p1.pk,), owner=1, mine=False)
    compiled = []
    import django.db.models.sql.compiler as sql_compiler

    original = sql_compiler.SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self)
        return original(self, *args, **kwargs)

    sql_compiler.SQLCompiler.as_sql = counting
    try:
        with CaptureQueriesContext(connection) as queries:
            _in_projects(projects=(world.p2.pk,), owner=1, mine=False)
    finally:
        sql_compiler.SQLCompiler.as_sql = original
    assert compiled == [] and len(queries) == 1


def test_duplicate_ids_bind_as_the_orm_binds_them(world, customers):
    twice = (world.p1.pk, world.p1.pk, world.p2.pk)
    assert _rows(_in_projects(projects=twice, owner=0, mine=False)) == _rows(
        Customer.objects.filter(project_id__in=twice)
        .select_related("owner", "project")
        .order_by("-id")
    )


@prepared
def _dates(*, customer: int, since: date):
    return KeyDate.objects.filter(customer_id=customer, date__gte=since).order_by("date")


@prepared
def _created(*, after, project: int):
    return Customer.objects.filter(project_id=project, created_at__gte=after).values_list(
        "pk", flat=True
    )


def test_dates_and_datetimes_bind_as_the_database_stores_them(world, customers):
    for customer in customers:
        for day in range(1, 6):
            since = date(2026, 1, day)
            got = [d.date for d in _dates(customer=customer.pk, since=since)]
            expected = list(
                KeyDate.objects.filter(customer=customer, date__gte=since)
                .order_by("date")
                .values_list("date", flat=True)
            )
            assert got == expected
    now = timezone.now()
    for after in (now - timedelta(days=1), now + timedelta(days=1)):
        expected = list(Customer.objects.filter(project=world.p1, created_at__gte=after)
                        .values_list("pk", flat=True))  # fmt: skip
        assert _created(after=after, project=world.p1.pk) == expected


@prepared
def _counts(*, projects: tuple):
    return (
        Customer.objects.filter(project_id__in=projects)
        .values("project_id")
        .annotate(n=Count("id"))
        .order_by("project_id")
    )


def test_values_and_annotations(world, customers):
    ids = (world.p1.pk, world.p2.pk, world.p3.pk)
    assert _counts(projects=ids) == list(
        Customer.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(n=Count("id"))
        .order_by("project_id")
    )


@prepared
def _with_dates(*, project: int):
    return Customer.objects.filter(project_id=project).prefetch_related("key_dates").order_by("id")


def test_prefetches_run_on_the_prepared_rows(world, customers):
    got = _with_dates(project=world.p1.pk)
    with CaptureQueriesContext(connection) as queries:
        dates = [[d.date for d in c.key_dates.all()] for c in got]
    assert len(queries) == 0
    assert dates == [
        [d.date for d in c.key_dates.order_by("id")]
        for c in Customer.objects.filter(project=world.p1).order_by("id")
    ]


def test_an_empty_id_list_is_no_rows(world, customers):
    assert _in_projects(projects=(), owner=1, mine=False) == []


def test_a_value_transformed_on_its_way_to_the_sql_is_refused():
    @prepared
    def shifted(*, pk: int):
        return Customer.objects.filter(pk=pk + 1)

    @prepared
    def limited(*, n: int):
        return Customer.objects.order_by("id")[:n]

    @prepared
    def contains(*, word: int):
        return Customer.objects.filter(name__contains=word)

    for read, values in ((shifted, {"pk": 1}), (limited, {"n": 5}), (contains, {"word": 3})):
        with pytest.raises(PreparedError, match="instead of the value itself"):
            read(**values)


def test_a_related_manager_is_refused(customers):
    @prepared
    def dates_of(*, customer: int):
        return Customer.objects.get(pk=customers[0].pk).key_dates.filter(id__gt=customer)

    with pytest.raises(PreparedError, match="related manager"):
        dates_of(customer=0)


def test_the_check_catches_a_build_that_branches_on_a_bound_value(world, customers):
    """Branching on a bound value would run one branch's SQL for every value: under tests
    each call is compiled by the ORM too, and this one differs."""

    @prepared
    def branching(*, pk: int):
        if pk > 1_000_000:
            return Customer.objects.filter(pk=pk)
        return Customer.objects.filter(pk=pk, owner__isnull=False)

    with pytest.raises(PreparedError, match="compiles differently"):
        branching(pk=customers[0].pk)


def test_each_thread_compiles_for_its_own_connection(world, customers):
    expected = _rows(_in_projects(projects=(world.p1.pk,), owner=0, mine=False))
    seen = []

    def other():
        try:
            seen.append(_in_projects._shapes() is not None and _in_projects._local.__dict__)
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    # The other thread found no compiled shape of this one's (its connection differs).
    assert seen and "shapes" in seen[0] and seen[0]["shapes"] == {}
    assert expected


@prepared(shape=("limit",))
def _first(*, project: int, limit: int):
    return Customer.objects.filter(project_id=project).order_by("id")[:limit]


def test_an_int_declared_part_of_the_shape_may_be_a_limit(world, customers):
    for limit in (1, 2, 5):
        for project in (world.p1, world.p2):
            expected = list(Customer.objects.filter(project=project).order_by("id")[:limit])
            assert _first(project=project.pk, limit=limit) == expected


@prepared
def _history_of(*, customer: int):
    # A BigIntegerField: PostgreSQL's backend wraps its values (psycopg's Int8).
    return Customer.history.model.objects.filter(id=customer).order_by("history_id")


def test_a_wrapped_bigint_binds_wrapped_the_same_way(customers):
    for customer in customers:
        expected = list(customer.history.order_by("history_id").values_list("pk", flat=True))
        assert [h.pk for h in _history_of(customer=customer.pk)] == expected


@prepared(text=("name",))
def _named(*, name: str):
    return Customer.objects.filter(name=name).order_by("id")


def test_a_str_named_as_text_is_bound_and_compiles_once(customers):
    for customer in customers:
        assert _named(name=customer.name) == [customer]
    assert len(_named._shapes()) == 1
    assert _named(name="没有这个人") == []


def test_an_unprepared_read_gives_the_orms_rows_and_is_never_prepared(customers):
    """unprepared_rows: a long IN list of text planned with its values each time. Run more
    often than psycopg's threshold, PostgreSQL holds no prepared statement of it."""
    phones = [c.phone for c in customers] + [f"+8613{n:09d}" for n in range(600)]
    query = (
        Customer.objects.filter(phone__in=phones).order_by("pk").values_list("phone", "owner_id")
    )
    expected = list(query)  # once: the ORM's own run is prepared from the fifth
    for _ in range(8):
        assert unprepared_rows(query) == expected
    if connection.vendor == "postgresql":
        sql = query.query.sql_with_params()[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            held = [row[0] for row in cursor.fetchall()]
        table = Customer._meta.db_table
        assert not [s for s in held if table in s and s.count("$") >= 600], sql[:80]
