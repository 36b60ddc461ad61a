"""Hot reads compiled once per process, then run with each request's values (issue 15).

Building a queryset and compiling it to SQL cost more CPU than running it: a customer
card's nine ORM queries spent ~0.4 ms each in Django's SQL compiler, for statements that
differ from one request to the next only in their values. A read declared with `@prepared`
is compiled once per shape, with stand-in values (sentinels) where the caller's values go;
each later call binds the caller's values into the same statement and runs it through
Django's own iterables, so instances, select_related, values() and prefetch_related come
out as the ORM makes them.

    @prepared
    def _key_dates(customer_id: int) -> QuerySet[KeyDate]:
        return KeyDate.objects.filter(customer_id=customer_id).order_by("date")

    dates = _key_dates(customer_id=customer.pk)          # a list

The arguments, by keyword only:
- bound, like SQL parameters: `int`, a tuple of ints (its length is part of the shape;
  duplicates are dropped as the ORM's `__in` drops them), `datetime`, `date`;
- a str named in `@prepared(text=(...))`, compared as is (an API token's key);
- everything else (str, bool, None, an enum, a tuple of those), and the arguments named in
  `@prepared(shape=(...))` (a LIMIT), is part of the shape: the build function may branch
  on it, and each value compiles once.

Nothing ambient may shape the statement: a lookup that compiles the active time zone or
language into the SQL (`__date`, `Trunc*` on a datetime) keeps the first caller's. The
prepared reads compare datetimes with moments the caller computed (`start_of(today)`).

A bound value the builder transforms (`id + 1` in Python, a LIMIT, a `__contains`) never
reaches the SQL as itself; the first compile notices and raises, naming the argument.
Under tests (settings.ANCHANG_CHECK_PREPARED) every call is also built and compiled the
ordinary way and must give the same statement and parameters: the whole suite, on both
databases, is the oracle.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

M = TypeVar("M")

# Stand-ins no real value takes: inside a 32-bit integer column's range (the ORM turns an
# out-of-range lookup into "no rows" before any SQL), far above any id this product makes.
_INT_SENTINEL = 1_987_650_000
_DATETIME_SENTINEL = datetime(1903, 3, 5, 7, 9, 11, tzinfo=UTC)
_DATE_SENTINEL = date(1903, 3, 5)
# The text of every stand-in holds one of these, and a value made from one most likely keeps
# it (pk + 1, "%pk%", a day later): such a constant would stay in the statement whatever
# the caller's value.
_MARKS = (str(_INT_SENTINEL)[:6], "1903-")


def _marked(value) -> bool:
    text = str(value)
    return any(mark in text for mark in _MARKS)


_MAX_SHAPES = 64  # per read and thread: tuple lengths vary, the shapes stay few


class PreparedError(Exception):
    """A read declared @prepared that cannot be: a programming error, raised at once."""


class _Query:
    """Stands for the compiled query inside a QuerySet: Django's iterables ask it for a
    compiler and read its names (values()); it hands out the one compiled already."""

    def __init__(self, query, compiler) -> None:
        self._query = query
        self._compiler = compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler

    def __getattr__(self, name: str) -> Any:
        return getattr(self._query, name)


class _Shape:
    """One compiled statement: its SQL, the parameters with the caller's slots marked, and
    the compiler Django's iterables read the row layout from."""

    def __init__(self, queryset: QuerySet, slots: dict[Any, tuple[int, Callable]]) -> None:
        self.queryset = queryset
        self.empty = False
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            self.sql, params = compiler.as_sql()
        except EmptyResultSet:
            self.empty = True
            return
        self.params: list[tuple[int, Callable] | None] = []
        self.constants = list(params)
        self.derived = _marked(self.sql)  # a LIMIT from a bound value
        for param in params:
            kind = type(param)
            if kind is not int and kind is not bool and isinstance(param, int):
                # psycopg's Int8, which Django's PostgreSQL backend wraps bigints in: the
                # caller's value is wrapped the same way.
                slot = slots.get((int, int(param)))
                slot = slot and (slot[0], kind)
            else:
                slot = slots.get((kind, param))
            self.params.append(slot)
            self.derived |= slot is None and _marked(param)
        # The converters the compiler works out from the selected columns on every run.
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        compiler.get_converters = lambda expressions: converters
        self.compiler = compiler
        self.query = _Query(queryset.query, compiler)

    def bind(self, values: list) -> list:
        return [
            constant if slot is None else slot[1](values[slot[0]])
            for constant, slot in zip(self.constants, self.params, strict=True)
        ]

    def run(self, values: list) -> list:
        sql, params = self.sql, self.bind(values)
        self.compiler.as_sql = lambda *args, **kwargs: (sql, params)
        template = self.queryset
        queryset = template.__class__(model=template.model, query=self.query, using=template.db)
        queryset._iterable_class = template._iterable_class
        queryset._fields = template._fields
        queryset._prefetch_related_lookups = template._prefetch_related_lookups
        return list(queryset)


def _identity(value):
    return value


class Prepared(Generic[M]):
    def __init__(
        self, build: Callable[..., QuerySet], shape: frozenset[str], text: frozenset[str]
    ) -> None:
        self.build = build
        self.shape = shape
        self.text = text
        self.name = f"{build.__module__}.{build.__qualname__}"
        self._local = threading.local()  # compilers hold their thread's connection
        functools.update_wrapper(self, build)

    def __call__(self, **kwargs) -> list:
        key: list = []
        values: list = []
        for name, value in kwargs.items():
            how = self._how(name, value)
            if how == "one":
                key.append((name, type(value)))
                values.append(value)
            elif how == "ids":
                value = tuple(dict.fromkeys(value))
                key.append((name, tuple, len(value)))
                values.extend(value)
            else:
                key.append((name, value))
        shapes = self._shapes()
        shape_key = tuple(key)
        shape = shapes.get(shape_key)
        if shape is None:
            shape = self._compile(kwargs)
            if len(shapes) >= _MAX_SHAPES:
                shapes.pop(next(iter(shapes)))
            shapes[shape_key] = shape
        if shape.empty:
            return list(self.build(**kwargs))
        if getattr(settings, "ANCHANG_CHECK_PREPARED", False):
            self._check(shape, kwargs, values)
        return shape.run(values)

    def _how(self, name: str, value) -> str:
        """How an argument enters the statement: "one" bound value, "ids" (a tuple of ints,
        each bound), or "shape" (compiled in; each value its own statement)."""
        kind = type(value)
        if name in self.shape:
            return "shape"
        if kind in (int, datetime, date) or (kind is str and name in self.text):
            return "one"
        if kind is tuple and all(type(v) is int for v in value):
            return "ids"
        return "shape"

    def _shapes(self) -> dict:
        connection = connections["default"]
        shapes = getattr(self._local, "shapes", None)
        if shapes is None or self._local.connection is not connection:
            shapes = self._local.shapes = {}
            self._local.connection = connection
        return shapes

    def _compile(self, kwargs: dict) -> _Shape:
        """Builds the queryset with stand-ins in the bound places and marks where each one
        lands among the compiled statement's parameters."""
        connection = connections["default"]
        ops = connection.ops
        standins: dict = {}
        slots: dict[Any, tuple[int, Callable]] = {}
        number = 0

        def standin(value):
            nonlocal number
            kind = type(value)
            if kind is int:
                made = _INT_SENTINEL + number
                slots[(int, made)] = (number, _identity)
            elif kind is str:
                made = f"{_MARKS[0]}-text-{number}"
                slots[(str, made)] = (number, _identity)
            elif kind is datetime:
                made = _DATETIME_SENTINEL + timedelta(microseconds=number + 1)
                if value.tzinfo is None:
                    made = made.replace(tzinfo=None)
                slots[(datetime, made)] = (number, _identity)
                adapted = ops.adapt_datetimefield_value(made)
                slots.setdefault((type(adapted), adapted), (number, ops.adapt_datetimefield_value))
            else:
                made = _DATE_SENTINEL + timedelta(days=number)
                slots[(date, made)] = (number, _identity)
                adapted = ops.adapt_datefield_value(made)
                slots.setdefault((type(adapted), adapted), (number, ops.adapt_datefield_value))
            number += 1
            return made

        names: list[str] = []
        for name, value in kwargs.items():
            how = self._how(name, value)
            if how == "one":
                standins[name] = standin(value)
                names.append(name)
            elif how == "ids":
                standins[name] = tuple(standin(v) for v in dict.fromkeys(value))
                names.extend([name] * len(standins[name]))
            else:
                standins[name] = value
        queryset = self.build(**standins)
        if not isinstance(queryset, QuerySet):
            raise PreparedError(f"{self.name} returned {type(queryset).__name__}, not a QuerySet")
        if queryset._known_related_objects:
            raise PreparedError(f"{self.name}: build from Model.objects, not a related manager")
        shape = _Shape(queryset, slots)
        if not shape.empty and shape.derived:
            bound = ", ".join(sorted(set(names)))
            raise PreparedError(
                f"{self.name}: a value made from {bound} reached the SQL instead of "
                "the value itself (transformed, or a LIMIT): pass it as part of the shape\n"
                f"  {shape.sql} {shape.constants!r}"
            )
        return shape

    def _check(self, shape: _Shape, kwargs: dict, values: list) -> None:
        queryset = self.build(**kwargs)
        try:
            sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:
            sql, params = None, ()
        bound = shape.bind(values)
        if (sql, list(params)) != (shape.sql, bound):
            raise PreparedError(
                f"{self.name} with {kwargs!r} compiles differently from its prepared shape:\n"
                f"  ORM:      {sql} {list(params)!r}\n  prepared: {shape.sql} {bound!r}"
            )
        if queryset._prefetch_related_lookups != shape.queryset._prefetch_related_lookups:
            raise PreparedError(f"{self.name}: prefetches differ between shapes")


def prepared(
    build: Callable[..., QuerySet[M]] | None = None,
    *,
    shape: tuple[str, ...] = (),
    text: tuple[str, ...] = (),
):
    """Declares a hot read compiled once per shape (see the module's docstring): `@prepared`,
    `@prepared(shape=("limit",))` to make ints such as a LIMIT part of the shape, and
    `@prepared(text=("key",))` to bind a str (an API token's key) instead."""
    if build is None:
        return lambda function: Prepared(function, frozenset(shape), frozenset(text))
    return Prepared(build, frozenset(shape), frozenset(text))


def unprepared_rows(queryset: QuerySet) -> list[tuple]:
    """A values_list() read whose statement PostgreSQL must plan with its values each time,
    never as a prepared statement: a long `IN (…)` of text (a chunk's 500 phones) planned
    generically compares every row with every value (140 ms where planned with the values,
    hashed, it takes 4 ms). The rows as the database gives them (no field converters: for
    plain text, numbers and keys)."""
    sql, params = queryset.query.sql_with_params()
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        execute_unprepared(cursor, sql, params)
        return cursor.fetchall()


def execute_unprepared(cursor, sql: str, params) -> None:
    """Run a statement on Django's cursor without letting psycopg prepare it (PostgreSQL):
    for statements of many values (a bulk write, a long IN list), which a generic plan
    serves badly and a prepared copy per connection only holds memory for."""
    connection = cursor.db
    if connection.vendor == "postgresql":
        with connection.wrap_database_errors:
            cursor.cursor.execute(sql, params, prepare=False)
    else:
        cursor.execute(sql, params)
