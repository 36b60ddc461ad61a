"""Database functions Django lacks, written natively for each database we run on."""

from django.db.models import BigIntegerField, Func, IntegerField, Value


def bigint(value: int) -> Value:
    """An integer for arithmetic with a BIGINT column (`F("received_total") + bigint(fen)`).

    A bare Python int in an expression becomes an IntegerField value, which Django's
    PostgreSQL backend binds (server-side binding) as psycopg's Int4: a value past 2**31 is
    cut to its low 32 bits, silently (¥30,000,000 in fen is 3e9). Typed BIGINT, it is not."""
    return Value(value, output_field=BigIntegerField())


class MonthDay(Func):
    """A date's month and day as the integer MMDD (23 November is 1123), for anniversaries
    (birthdays, care dates).

    Django's month/day lookups call a Python function per row on SQLite; this stays in C,
    and it is deterministic (IMMUTABLE on PostgreSQL), so an index can be built on it.
    """

    output_field = IntegerField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores dates as ISO text ('YYYY-MM-DD') in SQLite.
        template = (
            "(CAST(substr(%(expressions)s, 6, 2) AS INTEGER) * 100"
            " + CAST(substr(%(expressions)s, 9, 2) AS INTEGER))"
        )
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        # extract(field, date) is IMMUTABLE, to_char() is not: only this can be indexed.
        template = (
            "(EXTRACT(MONTH FROM %(expressions)s) * 100"
            " + EXTRACT(DAY FROM %(expressions)s))::integer"
        )
        return super().as_sql(compiler, connection, template=template, **extra)


def month_day(day) -> int:
    """MonthDay in Python: the same MMDD integer for a date."""
    return day.month * 100 + day.day
