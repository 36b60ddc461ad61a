"""Product variants tried in the bench process only: a proposed fix before it is made,
or an earlier shape to show what a change bought. A what-if is applied (a function
patched in memory, an index created in the bench database), the page operations are
timed again under its name, and it is undone. No product file is touched.
Names combine with "+": `--what-if unfolded-scope+phone-index`.
"""

from __future__ import annotations

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


WHAT_IFS = {"unfolded-scope": unfolded_scope, "phone-index": phone_index, "no-stats": no_stats}


@contextmanager
def applied(name: str) -> Iterator[None]:
    with ExitStack() as stack:
        for part in name.split("+"):
            if part not in WHAT_IFS:
                raise SystemExit(f"bench: unknown what-if {part!r} (known: {', '.join(WHAT_IFS)})")
            stack.enter_context(WHAT_IFS[part]())
        yield
