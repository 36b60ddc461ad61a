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
from anchang.org.selectors import actor_grants


def unfolded_customers_q(actor, action: str) -> Q | None:
    """`customers_q` as it was before f3f5844: one clause per (grant, relation), OR-ed.
    A manager's filter was `(owner = m AND project_id IN (p)) OR project_id IN (p)`,
    which SQLite answers with a MULTI-INDEX OR over the whole project and a sort."""
    clauses = []
    for grant in actor_grants(actor):
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


# --- My day and the manager's pages (issue 4) ---------------------------------------------
#
# Earlier what-ifs here (new customers by date range, birthdays without a per-row Python
# function on SQLite, only the shown columns, fewer rows shown, the board and review-queue
# indexes) are in the product since 733c1e1, f7db371 and ac138bc; docs/performance.md has
# their figures.


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
def sqlite_mmap() -> Iterator[None]:
    """SQLite reads the database file through a memory map (PRAGMA mmap_size) instead of
    read() calls into a 2 MB page cache that every request's new connection starts empty."""
    if connection.vendor != "sqlite":
        raise Unsupported("sqlite-mmap: SQLite only")
    options = connection.settings_dict["OPTIONS"]
    saved = options["init_command"]
    if "mmap_size" in saved:
        raise Unsupported("sqlite-mmap: the product already sets mmap_size")
    options["init_command"] = saved + "PRAGMA mmap_size=17179869184;"  # 16 GiB: the whole file
    connection.close()
    try:
        yield
    finally:
        options["init_command"] = saved
        connection.close()


@contextmanager
def agenda_shown(shown: int) -> Iterator[None]:
    """`agenda-N`: every My day section lists at most N rows (overdue, due today, new
    customers, review comments, revisit tasks, pool warnings); the counts stay exact."""
    from anchang.followups.my_day import selectors as s
    from anchang.followups.reviews import selectors as review_selectors
    from anchang.followups.revisits import selectors as revisit_selectors
    from anchang.pool import selectors as pool_selectors

    with _patched(
        [
            (s, "OVERDUE_SHOWN", shown),
            (s, "DUE_SHOWN", shown),
            (s, "NEW_SHOWN", shown),
            (revisit_selectors, "MY_DAY_LIMIT", shown),
            (review_selectors, "RECEIVED_LIMIT", shown),
            (pool_selectors, "WARNINGS_LIMIT", shown),
        ]
    ):
        yield


@contextmanager
def _index(name: str, model, fields: list[str]) -> Iterator[None]:
    """An index created in the bench database for the what-if, then dropped: the same as
    running `--extra-sql "CREATE INDEX ..."`, but compared in the same run."""
    import sys
    import time

    table = model._meta.db_table
    names = [model._meta.get_field(f).column for f in fields]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    if any(c["index"] and c["columns"] == names for c in constraints.values()):
        raise Unsupported(f"{name}: the product already has this index")
    columns = ", ".join(f'"{column}"' for column in names)
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
