"""Many rows of one model inserted at once, their ids set, without Django's per-value SQL
compiler: `bulk_create` builds each value's SQL through the full expression machinery
(~20 µs a value), an import's customer has seventy. Values are prepared by each field's own
`pre_save` and `get_db_prep_save`, as `save()` prepares them, in multi-row
`INSERT … RETURNING id` statements (SQLite ≥ 3.35 and PostgreSQL return the ids in row order,
as Django's own bulk_create relies on). No signals, like bulk_create."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models

from anchang.prepared import execute_unprepared

PARAMS_MAX = 30_000  # below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters
# Values that go to the database as they are, by the field's kind: a str to a text column,
# an int or bool to an integer one (or a key), None anywhere. Anything else (dates, decimals,
# JSON, a value of another type) is prepared by the field itself.
_TEXT = (models.CharField, models.TextField)
_INTEGER = (models.IntegerField, models.BooleanField, models.ForeignKey)
_AS_IS = {"text": (str, type(None)), "int": (int, bool, type(None))}


def _plan(model: type[models.Model]) -> list[tuple[models.Field, str, tuple | None]]:
    """(field, attname, the types its value may have to go as it is) per column."""
    plan = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        kind = None
        if not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)):
            if isinstance(field, _TEXT):
                kind = "text"
            elif isinstance(field, _INTEGER):
                kind = "int"
        plan.append((field, field.attname, _AS_IS.get(kind) if kind else None))
    return plan


def insert_rows(
    model: type[models.Model], objs: Sequence[models.Model], using: str = "default"
) -> None:
    if not objs:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    plan = _plan(model)
    fields = [field for field, _attname, _types in plan]
    pk = model._meta.pk
    columns = ", ".join(quote(f.column) for f in fields)
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, PARAMS_MAX // len(fields))
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        _copy(connection, model, objs, plan, using)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            batch = objs[start : start + per_statement]
            for obj in batch:
                obj._prepare_related_fields_for_save(operation_name="insert_rows")
            params = [value for obj in batch for value in _values(obj, plan, connection)]
            marks = ", ".join([row_marks] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {marks} RETURNING {quote(pk.column)}",  # noqa: S608 - names from _meta
                params,
            )
            for obj, (pk_value,) in zip(batch, cursor.fetchall(), strict=True):
                _saved(obj, pk.attname, pk_value, using)


def _values(obj, plan, connection, add: bool = True) -> list:
    values = []
    for field, attname, as_is in plan:
        value = getattr(obj, attname)
        if as_is is None or type(value) not in as_is:
            value = field.get_db_prep_save(field.pre_save(obj, add), connection)
        values.append(value)
    return values


def _saved(obj, attname: str, pk_value, using: str) -> None:
    setattr(obj, attname, pk_value)
    obj._state.adding = False
    obj._state.db = using


def _copy(connection, model, objs, plan, using) -> None:
    """PostgreSQL: ids drawn from the table's sequence, the rows sent by COPY (a statement of
    thousands of bound parameters costs more to bind than the rows cost to write)."""
    quote = connection.ops.quote_name
    pk = model._meta.pk
    table = model._meta.db_table
    columns = ", ".join([quote(pk.column), *(quote(f.column) for f, _a, _t in plan)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [quote(table), pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        # Raw psycopg: its errors made Django's (a taken phone is an IntegrityError to retry).
        copying = cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN")
        with connection.wrap_database_errors, copying as copy:
            for obj, pk_value in zip(objs, ids, strict=True):
                obj._prepare_related_fields_for_save(operation_name="insert_rows")
                copy.write_row([pk_value, *_values(obj, plan, connection)])
                _saved(obj, pk.attname, pk_value, using)


def insert_history(
    model: type[models.Model], pks: Sequence[int], *, when, user_id: int | None, reason: str,
    kind: str = "+", using: str = "default",
) -> None:  # fmt: skip
    """simple_history's row for each saved row of `pks` ("+" created, "~" changed), as a
    save() writes one, copied by the database from the rows themselves (INSERT … SELECT):
    no model instance is built for it, and nothing crosses the wire but the ids."""
    if not pks:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    history = model.history.model  # type: ignore[attr-defined]
    tracked = [quote(f.column) for f in history.tracked_fields]
    meta = history._meta
    extra = ["history_date", "history_user", "history_type", "history_change_reason"]
    columns = ", ".join([*tracked, *(quote(meta.get_field(n).column) for n in extra)])
    values = [
        meta.get_field("history_date").get_db_prep_value(when, connection),
        user_id,
        kind,
        reason[: meta.get_field("history_change_reason").max_length or None],
    ]
    source = quote(model._meta.db_table)
    key = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 1000):
            part = list(pks[start : start + 1000])
            # An IN list, not `= ANY(array)`: PostgreSQL planned that one slower (46 ms a
            # thousand ids against 17).
            execute_unprepared(
                cursor,
                f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 - names from _meta
                f"SELECT {', '.join(tracked)}, %s, %s, %s, %s FROM {source} "
                f"WHERE {key} IN ({', '.join(['%s'] * len(part))}) ORDER BY {key}",
                [*values, *part],
            )


def update_rows(
    model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str] = (),
    using: str = "default",
) -> None:  # fmt: skip
    """The columns of these saved rows (`fields`, else all) written from the objects, as
    save() writes them (auto_now fields set), in one statement (PostgreSQL: `UPDATE … FROM
    unnest(arrays)`; SQLite: `UPDATE … FROM (VALUES …)` per few hundred rows) rather than a
    statement per row, or bulk_update's CASE per column per row. No signals."""
    if not objs:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    plan = [p for p in _plan(model) if not fields or p[0].name in fields]
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    rows = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="update_rows")
        rows.append([obj.pk, *_values(obj, plan, connection, add=False)])
    columns = [quote(f.column) for f, _a, _t in plan]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array a column (unnest), cast to the column's type: a few parameters,
            # where a VALUES list of thousands costs psycopg more to parse than the write.
            types = [model._meta.pk, *(f for f, _a, _t in plan)]
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in types)
            names = ", ".join(f"c{n}" for n in range(len(types)))
            sets = ", ".join(f"{c} = v.c{n}" for n, c in enumerate(columns, start=1))
            # The ids again as `= ANY`: the table is read through its key whatever the planner
            # believes of its size (a table it thinks small, it hashes whole to join).
            arrays_in = [list(column) for column in zip(*rows, strict=True)]
            execute_unprepared(
                cursor,
                f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v({names}) "  # noqa: S608 - names from _meta
                f"WHERE {table}.{key} = v.c0 AND {table}.{key} = ANY(%s)",
                [*arrays_in, arrays_in[0]],
            )
            return
        # SQLite names a VALUES list's columns column1 (the id), column2, …
        sets = ", ".join(f"{c} = v.column{n}" for n, c in enumerate(columns, start=2))
        row_marks = "(" + ", ".join(["%s"] * (len(plan) + 1)) + ")"
        per_statement = max(1, PARAMS_MAX // (len(plan) + 1))
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            execute_unprepared(
                cursor,
                f"UPDATE {table} SET {sets} "  # noqa: S608 - names from _meta
                f"FROM (VALUES {', '.join([row_marks] * len(batch))}) AS v "
                f"WHERE {table}.{key} = v.column1",
                [value for row in batch for value in row],
            )


class Maker:
    """Many unsaved instances of one model, each from the model's defaults and a few values:
    `make(name=…, owner=…)`. Django's keyword `__init__` asks every field for its default on
    every instance (~70 µs for a customer's 71 fields); the defaults are asked once here and
    handed over by position, as the ORM builds the rows it reads (~10 µs). A default that is
    made fresh each time (a `dict` for a JSON field) still is. Keys and related objects are
    set through their descriptors, as the keyword `__init__` sets them."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        fields = model._meta.concrete_fields
        self.defaults = [f.get_default() for f in fields]
        self.fresh = [
            (n, f) for n, f in enumerate(fields) if f.has_default() and callable(f.default)
        ]

    def __call__(self, **values) -> models.Model:
        args = self.defaults.copy()
        for n, field in self.fresh:
            args[n] = field.get_default()
        obj = self.model(*args)
        for name, value in values.items():
            setattr(obj, name, value)
        return obj
