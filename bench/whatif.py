"""Product variants tried in the bench process only: a proposed fix before it is made,
or an earlier shape to show what a change bought. A what-if is applied (a function
patched in memory, an index created in the bench database), the page operations are
timed again under its name, and it is undone. No product file is touched.
Names combine with "+": `--what-if unfolded-scope+phone-index`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from django.db import connection
from django.db.models import Q

from anchang import permissions
from anchang.customers import selectors
from anchang.customers.models import CustomerPhone


def unfolded_customers_q(actor, action: str) -> Q | None:
    """`customers_q` as it was before f3f5844: one clause per (grant, relation), OR-ed.
    A manager's filter was `(owner = m AND project_id IN (p)) OR project_id IN (p)`,
    which SQLite answers with a MULTI-INDEX OR over the whole project and a sort."""
    clauses = []
    for grant in selectors.actor_grants(actor):
        for relation in permissions.allowed_relations(grant.role, action):
            if relation == "own":
                clauses.append(Q(project_id__in=grant.project_ids, owner_id=actor.pk))
            elif relation == "same_project":
                clauses.append(Q(project_id__in=grant.project_ids))
            elif relation == "other_project":
                clauses.append(Q(project_id__in=grant.region_project_ids))
            elif relation == "other_region":
                clauses.append(Q(project_id__in=grant.company_project_ids))
            else:
                raise ValueError(relation)
    if not clauses:
        return None
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return combined


@contextmanager
def unfolded_scope() -> Iterator[None]:
    original = selectors.customers_q
    selectors.customers_q = unfolded_customers_q
    try:
        yield
    finally:
        selectors.customers_q = original


@contextmanager
def phone_index() -> Iterator[None]:
    """An index on CustomerPhone.phone alone: the full-phone search looks a phone up
    without its project, which the (project, phone) unique index cannot serve."""
    table = CustomerPhone._meta.db_table
    column = CustomerPhone._meta.get_field("phone").column
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
        if any(c["index"] and c["columns"] == [column] for c in constraints.values()):
            raise Unsupported("phone-index: the product already has this index")
        cursor.execute(f'CREATE INDEX bench_whatif_phone ON "{table}" ("{column}")')
        cursor.execute(f'ANALYZE "{table}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX bench_whatif_phone")
            cursor.execute(f'ANALYZE "{table}"')


@contextmanager
def no_stats() -> Iterator[None]:
    """SQLite without planner statistics, as a database the product never analyses would
    be: sqlite_stat1 is emptied (each request opens a new connection, which reads it)."""
    if connection.vendor != "sqlite":
        raise Unsupported("no-stats: PostgreSQL's autovacuum keeps statistics itself")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl, idx, stat FROM sqlite_stat1")
        saved = cursor.fetchall()
        cursor.execute("DELETE FROM sqlite_stat1")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)", saved
            )


class Unsupported(Exception):
    """This what-if does not apply to this database."""


# --- My day (issue 4) ---------------------------------------------------------------------
#
# The variants share one replacement of followups.selectors.my_day, switched by flags, so
# they combine with "+". The product's my_day is copied as of 4872bef; only the flagged
# parts differ.

_MY_DAY_FLAGS: set[str] = set()
# What the agenda lists show: the page (home.html) and the API (AgendaCustomerSerializer).
AGENDA_FIELDS = ("id", "project_id", "owner_id", "state", "name", "name_pinyin", "grade",
                 "next_follow_up_on", "created_at")  # fmt: skip


def _start_of(day):
    from datetime import datetime, time

    from django.utils import timezone

    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def my_day_variant(actor, today=None):
    from datetime import timedelta

    from django.db.models import Count, Exists, OuterRef, Q
    from django.utils import timezone

    from anchang.followups import selectors as s
    from anchang.followups.models import FollowUp

    today = today or timezone.localdate()
    mine = s._mine(actor)
    mine = (
        mine.only(*AGENDA_FIELDS) if "columns" in _MY_DAY_FLAGS else mine.select_related("project")
    )
    due = list(mine.filter(next_follow_up_on=today).order_by("name_pinyin")[: s.AGENDA_LIMIT])
    overdue = list(
        mine.filter(next_follow_up_on__lt=today).order_by("next_follow_up_on")[: s.AGENDA_LIMIT]
    )
    for customer in overdue:
        customer.days_overdue = (today - customer.next_follow_up_on).days
    counts = {}
    if "counts" in _MY_DAY_FLAGS:
        counts = (
            mine.filter(next_follow_up_on__lte=today)
            .order_by()
            .aggregate(
                due=Count("pk", filter=Q(next_follow_up_on=today)),
                overdue=Count("pk", filter=Q(next_follow_up_on__lt=today)),
            )
        )
    has_followup = FollowUp.objects.filter(customer=OuterRef("pk"))
    since = today - timedelta(days=s.NEW_WITHIN_DAYS)
    if "range" in _MY_DAY_FLAGS:
        # The same customers, compared with the local midnight as a moment: no date cast.
        recent = mine.filter(created_at__gte=_start_of(since))
    else:
        recent = mine.filter(created_at__date__gte=since)
    new = list(recent.filter(~Exists(has_followup)).order_by("-created_at")[: s.AGENDA_LIMIT])
    day = s.MyDay(today, due, overdue, new, s.care_dates_ahead(actor, today))
    day.counts = counts
    from anchang.followups.review_selectors import reviews_received

    day.reviews_received = reviews_received(actor, today)
    from anchang.followups.revisit_selectors import revisit_tasks_due

    day.revisit_tasks = revisit_tasks_due(actor, today)
    from anchang.pool.selectors import pool_warnings

    day.pool_warnings = pool_warnings(actor)
    return day


def care_dates_in_python(actor, today):
    """care_dates_ahead with the month/day match done in Python on the dates alone: SQLite
    has no EXTRACT, so Django calls a Python function per row and clause (8 days x month
    and day); reading the (id, date) pairs and matching them here calls none."""
    from datetime import timedelta

    from anchang.customers.models import KeyDate
    from anchang.followups import selectors as s

    window = {today + timedelta(days=i) for i in range(s.CARE_WINDOW_DAYS + 1)}
    month_days = {(d.month, d.day) for d in window}
    if (2, 28) in month_days:
        month_days.add((2, 29))
    mine = s._mine(actor)
    born = [
        pk
        for pk, birthday in mine.filter(birthday__isnull=False).values_list("pk", "birthday")
        if (birthday.month, birthday.day) in month_days
    ]
    out = []
    for customer in mine.filter(pk__in=born).only("id", "name", "birthday")[: s.AGENDA_LIMIT]:
        out.append((s._next_occurrence(customer.birthday, today), "birthday", customer))
    dates = KeyDate.objects.filter(customer__in=mine.values("pk"))
    matched = [
        pk for pk, day in dates.values_list("pk", "date") if (day.month, day.day) in month_days
    ]
    for key_date in (
        KeyDate.objects.filter(pk__in=matched)
        .select_related("customer")
        .only("date", "kind", "note", "customer__id", "customer__name")[: s.AGENDA_LIMIT]
    ):
        label = key_date.get_kind_display() + (f" · {key_date.note}" if key_date.note else "")
        out.append((s._next_occurrence(key_date.date, today), label, key_date.customer))
    return sorted(out, key=lambda item: (item[0], item[2].name))


@contextmanager
def _patched(targets: list[tuple[object, str, object]]) -> Iterator[None]:
    saved = [(obj, name, getattr(obj, name)) for obj, name, _new in targets]
    for obj, name, new in targets:
        setattr(obj, name, new)
    try:
        yield
    finally:
        for obj, name, old in saved:
            setattr(obj, name, old)


@contextmanager
def _my_day_flag(flag: str) -> Iterator[None]:
    from anchang import home
    from anchang.followups import selectors as s

    _MY_DAY_FLAGS.add(flag)
    try:
        with _patched([(s, "my_day", my_day_variant), (home, "my_day", my_day_variant)]):
            yield
    finally:
        _MY_DAY_FLAGS.discard(flag)


@contextmanager
def agenda_range() -> Iterator[None]:
    """New customers without a first follow-up: `created_at >= local midnight 14 days ago`
    instead of `created_at__date >= day` (a date cast per row: a Python function on SQLite)."""
    with _my_day_flag("range"):
        yield


@contextmanager
def agenda_columns() -> Iterator[None]:
    """The agenda lists read only the columns they show, not 80 columns and the project."""
    with _my_day_flag("columns"):
        yield


@contextmanager
def care_in_python() -> Iterator[None]:
    from anchang.followups import selectors as s

    with _patched([(s, "care_dates_ahead", care_dates_in_python)]):
        yield


@contextmanager
def sqlite_mmap() -> Iterator[None]:
    """SQLite reads the database file through a memory map (PRAGMA mmap_size) instead of
    read() calls into a 2 MB page cache that every request's new connection starts empty."""
    if connection.vendor != "sqlite":
        raise Unsupported("sqlite-mmap: SQLite only")
    options = connection.settings_dict["OPTIONS"]
    saved = options["init_command"]
    options["init_command"] = saved + "PRAGMA mmap_size=17179869184;"  # 16 GiB: the whole file
    connection.close()
    try:
        yield
    finally:
        options["init_command"] = saved
        connection.close()


@contextmanager
def agenda_shown(shown: int) -> Iterator[None]:
    """`agenda-N`: My day lists at most N rows per section (the rest a tap away), with the
    due and overdue totals from one count query so the badges still say how many."""
    from anchang import home
    from anchang.followups import review_selectors, revisit_selectors
    from anchang.followups import selectors as s
    from anchang.pool import selectors as pool_selectors

    _MY_DAY_FLAGS.add("counts")
    try:
        with _patched(
            [
                (s, "my_day", my_day_variant),
                (home, "my_day", my_day_variant),
                (s, "AGENDA_LIMIT", shown),
                (revisit_selectors, "MY_DAY_LIMIT", shown),
                (review_selectors, "RECEIVED_LIMIT", shown),
                (pool_selectors, "WARNINGS_LIMIT", shown),
            ]
        ):
            yield
    finally:
        _MY_DAY_FLAGS.discard("counts")


@contextmanager
def _index(name: str, model, fields: list[str]) -> Iterator[None]:
    """An index created in the bench database for the what-if, then dropped: the same as
    running `--extra-sql "CREATE INDEX ..."`, but compared in the same run."""
    import sys
    import time

    table = model._meta.db_table
    columns = ", ".join(f'"{model._meta.get_field(f).column}"' for f in fields)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE INDEX {name} ON "{table}" ({columns})')
        cursor.execute(f'ANALYZE "{table}"')
    seconds = time.perf_counter() - started
    print(f"[whatif] CREATE INDEX {name} ON {table} ({columns}): {seconds:.1f} s with ANALYZE",
          file=sys.stderr, flush=True)  # fmt: skip
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX {name}")
            cursor.execute(f'ANALYZE "{table}"')


@contextmanager
def review_index() -> Iterator[None]:
    """FollowUp (project, entered_at): the review queue asks for a project's follow-ups
    entered since the manager's cursor, oldest first; the (project, -occurred_at) index
    makes it read every follow-up of the last 5 weeks and sort them."""
    from anchang.followups.models import FollowUp

    with _index("bench_whatif_review", FollowUp, ["project", "entered_at"]):
        yield


@contextmanager
def board_index() -> Iterator[None]:
    """Customer (project, owner, state, next_follow_up_on, created_at): the team's overdue
    board counts a project's customers per owner from the index alone, and My day's reads
    of the consultant's active customers need no table rows."""
    from anchang.customers.models import Customer

    fields = ["project", "owner", "state", "next_follow_up_on", "created_at"]
    with _index("bench_whatif_board", Customer, fields):
        yield


WHAT_IFS = {
    "review-index": review_index,
    "board-index": board_index,
    "sqlite-mmap": sqlite_mmap,
    "unfolded-scope": unfolded_scope,
    "phone-index": phone_index,
    "no-stats": no_stats,
    "agenda-range": agenda_range,
    "agenda-columns": agenda_columns,
    "care-in-python": care_in_python,
}


@contextmanager
def applied(name: str) -> Iterator[None]:
    with ExitStack() as stack:
        for part in name.split("+"):
            shown = re.fullmatch(r"agenda-(\d+)", part)
            if shown:
                stack.enter_context(agenda_shown(int(shown[1])))
                continue
            if part not in WHAT_IFS:
                known = ", ".join([*WHAT_IFS, "agenda-N"])
                raise SystemExit(f"bench: unknown what-if {part!r} (known: {known})")
            stack.enter_context(WHAT_IFS[part]())
        yield


# Which operations a what-if can change (bench/measure.py times only these again).
SCOPES = {
    "unfolded-scope": {"intake"},
    "phone-index": {"intake"},
    "no-stats": {"intake", "my-day", "manager"},
    "agenda-range": {"my-day"},
    "agenda-columns": {"my-day"},
    "care-in-python": {"my-day"},
    "sqlite-mmap": {"my-day", "manager"},
    "review-index": {"manager"},
    "board-index": {"my-day", "manager"},
}


def scope(name: str) -> set[str]:
    every = {"intake", "my-day", "manager"}
    return set().union(
        *(
            {"my-day"} if re.fullmatch(r"agenda-\d+", part) else SCOPES.get(part, every)
            for part in name.split("+")
        )
    )
