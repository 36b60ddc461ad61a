"""Database functions Django lacks, written natively for each database we run on."""

from django.db.models import CharField, Func


class MonthDay(Func):
    """A date's month and day as 'MM-DD', for anniversaries (birthdays, care dates).

    Django's month/day lookups call a Python function per row on SQLite; this stays in C.
    """

    output_field = CharField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores dates as ISO text ('YYYY-MM-DD') in SQLite: month and day are 6..10.
        return super().as_sql(compiler, connection, template="substr(%(expressions)s, 6, 5)",
                              **extra)  # fmt: skip

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="to_char(%(expressions)s, 'MM-DD')",
                              **extra)  # fmt: skip
