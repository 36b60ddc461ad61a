"""The customer tally's upkeep (models.CustomerTally): the triggers that write its entries,
the tick's folding of them, and a rebuild from the customers.

Triggers, not services, write the entries: a customer's project, owner, state and next
follow-up change through many doors (a registration, a follow-up, the pool's reclaim, a
hand-out, an UPDATE of many rows, a migration), and a count missed by one of them would be
wrong on the manager's board until someone noticed. The database sees every one.

The triggers live outside migrations because SQLite drops a table's triggers when a later
migration rebuilds the table: after every `migrate` (post_migrate, apps.py)
`tally_triggers_ensure` puts them back if any is missing or differs, and rebuilds the tally
in the same transaction."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from django.db import connections, transaction

from anchang.customers.choices import FOLLOWED_STATES
from anchang.customers.models import TALLY_NO_OWNER, TALLY_NOT_DUE, Customer, CustomerTally

logger = logging.getLogger(__name__)

CUSTOMERS = Customer._meta.db_table
TALLY = CustomerTally._meta.db_table
# The columns that decide a customer's key; an UPDATE touching none of them writes nothing.
KEY_COLUMNS = ("project_id", "owner_id", "state", "next_follow_up_on")


def _key(row: str) -> str:
    """The tally's key columns for `row` (NEW, OLD or the table): one expression for the
    triggers and the rebuild, so they cannot disagree."""
    states = ", ".join(f"'{s}'" for s in sorted(FOLLOWED_STATES))
    return (
        f"{row}.project_id, COALESCE({row}.owner_id, {TALLY_NO_OWNER}), "
        f"CASE WHEN {row}.state IN ({states}) AND {row}.next_follow_up_on IS NOT NULL "
        f"THEN {row}.next_follow_up_on ELSE '{TALLY_NOT_DUE.isoformat()}' END"
    )


def _entry(row: str, change: int) -> str:
    return (
        f"INSERT INTO {TALLY} (project_id, owner_id, due_on, customers) "  # noqa: S608 - constants
        f"VALUES ({_key(row)}, {change});"
    )


def _changed() -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in KEY_COLUMNS)


def _sqlite_triggers(tag: str) -> dict[str, str]:
    changed = _changed().replace("IS DISTINCT FROM", "IS NOT")
    columns, on = ", ".join(KEY_COLUMNS), CUSTOMERS
    return {
        f"customers_tally_{tag}_insert": f"AFTER INSERT ON {on} BEGIN {_entry('NEW', 1)} END",
        f"customers_tally_{tag}_delete": f"AFTER DELETE ON {on} BEGIN {_entry('OLD', -1)} END",
        f"customers_tally_{tag}_update": (
            f"AFTER UPDATE OF {columns} ON {CUSTOMERS} WHEN {changed} "
            f"BEGIN {_entry('OLD', -1)} {_entry('NEW', 1)} END"
        ),
    }


def _postgres_function(tag: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION customers_tally_{tag}() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {_entry('OLD', -1)} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_entry('NEW', 1)} END IF; "
        "RETURN NULL; END $$"
    )


def _postgres_triggers(tag: str) -> dict[str, str]:
    run = f"FOR EACH ROW EXECUTE FUNCTION customers_tally_{tag}()"
    columns = ", ".join(KEY_COLUMNS)
    return {
        f"customers_tally_{tag}_insert": f"AFTER INSERT OR DELETE ON {CUSTOMERS} {run}",
        f"customers_tally_{tag}_update": (
            f"AFTER UPDATE OF {columns} ON {CUSTOMERS} FOR EACH ROW WHEN ({_changed()}) "
            f"EXECUTE FUNCTION customers_tally_{tag}()"
        ),
    }


def _tag() -> str:
    """A short digest of the triggers' definition: a trigger of another definition (the
    followed states changed) has another name, so `ensure` replaces it."""
    text = _key("NEW") + _changed()
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _existing(cursor, vendor: str) -> set[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [CUSTOMERS],
        )
    else:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [CUSTOMERS],
        )
    return {name for (name,) in cursor.fetchall() if name.startswith("customers_tally_")}


def tally_triggers_ensure(using: str = "default") -> bool:
    """Create the tally's triggers if any is missing or differs, and rebuild the tally in
    the same transaction (no customer write can fall between them). True if it did.
    Otherwise it only empties the tally when no customer is left (after a flush)."""
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise NotImplementedError(f"customer tally triggers for {vendor}")
    tag = _tag()
    wanted = (_sqlite_triggers if vendor == "sqlite" else _postgres_triggers)(tag)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        existing = _existing(cursor, vendor)
        if existing == set(wanted):
            # Django's flush deletes tables in set order: when the customers go after the
            # tally, their delete triggers leave -1 entries behind. No customers, no tally.
            cursor.execute(
                f"DELETE FROM {TALLY} WHERE NOT EXISTS (SELECT 1 FROM {CUSTOMERS})"  # noqa: S608
            )
            return False
        for name in existing:
            on = "" if vendor == "sqlite" else f" ON {CUSTOMERS}"
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        if vendor == "postgresql":
            cursor.execute(
                "SELECT p.oid::regprocedure::text FROM pg_proc p "
                "WHERE p.proname LIKE 'customers\\_tally\\_%%' AND p.proname <> %s",
                [f"customers_tally_{tag}"],
            )
            for (function,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {function}")
            cursor.execute(_postgres_function(tag))
        for name, body in wanted.items():
            cursor.execute(f"CREATE TRIGGER {name} {body}")
        _rebuild(cursor)
    logger.info("customer tally triggers (re)created: %s", ", ".join(sorted(wanted)))
    return True


def _rebuild(cursor) -> None:
    cursor.execute(f"DELETE FROM {TALLY}")  # noqa: S608 - constants
    cursor.execute(
        f"INSERT INTO {TALLY} (project_id, owner_id, due_on, customers) "  # noqa: S608
        f"SELECT {_key(CUSTOMERS)}, COUNT(*) FROM {CUSTOMERS} GROUP BY 1, 2, 3"
    )


def tally_rebuild(using: str = "default") -> None:
    """Recount the tally from the customers: after rows were loaded with triggers off (a
    bulk load with PostgreSQL's session_replication_role = replica)."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Writers wait for the recount instead of adding entries it would count twice.
            cursor.execute(f"LOCK TABLE {CUSTOMERS} IN SHARE ROW EXCLUSIVE MODE")
        _rebuild(cursor)


# The keys with more than one entry, or whose entries cancel out.
_LOOSE = (
    f"SELECT project_id, owner_id, due_on FROM {TALLY} {{where}} "  # noqa: S608
    "GROUP BY project_id, owner_id, due_on HAVING COUNT(*) > 1 OR SUM(customers) = 0"
)


def tally_fold(now: datetime | None = None) -> int:
    """Fold each key's entries into one row (the tick, every minute): the board then sums
    about one row per consultant and day. Returns how many entries it removed."""
    connection = connections["default"]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement, one snapshot: an entry committed meanwhile is neither deleted
            # nor summed, so it stays to be folded next time.
            cursor.execute(
                f"WITH folded AS (DELETE FROM {TALLY} WHERE (project_id, owner_id, due_on) "  # noqa: S608
                f"IN ({_LOOSE.format(where='')}) "
                "RETURNING project_id, owner_id, due_on, customers), "
                f"kept AS (INSERT INTO {TALLY} (project_id, owner_id, due_on, customers) "
                "SELECT project_id, owner_id, due_on, SUM(customers) FROM folded "
                "GROUP BY project_id, owner_id, due_on HAVING SUM(customers) <> 0 RETURNING 1) "
                "SELECT (SELECT COUNT(*) FROM folded) - (SELECT COUNT(*) FROM kept)"
            )
            return cursor.fetchone()[0]
        # SQLite: the transaction holds the only write lock, so nothing is added between the
        # statements; the new rows' ids are above `last`.
        cursor.execute(f"SELECT MAX(id) FROM {TALLY}")  # noqa: S608
        last = cursor.fetchone()[0]
        if last is None:
            return 0
        loose = _LOOSE.format(where=f"WHERE id <= {int(last)}")
        cursor.execute(
            f"INSERT INTO {TALLY} (project_id, owner_id, due_on, customers) "  # noqa: S608
            f"SELECT project_id, owner_id, due_on, SUM(customers) FROM {TALLY} "
            f"WHERE id <= {int(last)} AND (project_id, owner_id, due_on) IN ({loose}) "
            "GROUP BY project_id, owner_id, due_on HAVING SUM(customers) <> 0"
        )
        added = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {TALLY} WHERE id <= {int(last)} "  # noqa: S608
            f"AND (project_id, owner_id, due_on) IN ({loose})"
        )
        return cursor.rowcount - added
