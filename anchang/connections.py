"""A PostgreSQL connection the server ended, noticed without a round trip.

Django's CONN_HEALTH_CHECKS runs `SELECT 1` when a request first uses a connection it
reuses: one round trip of the ~11 a request of the load mix makes, costing the app and the
server ~55 µs each (issue 15, docs/performance.md). Instead, when a request starts, the
socket of each idle PostgreSQL connection is polled without waiting: an idle connection has
nothing to read, so a readable or hung-up socket means the server ended it (a restart, a
failover, `pg_terminate_backend`, an idle timeout) and the connection is closed; the
request opens a new one. SQLite has no server to lose (settings.py keeps its connection).
"""

from __future__ import annotations

import select

from django.db import connections


def drop_ended_connections(**_kwargs) -> None:
    """request_started's receiver (AnchangConfig.ready)."""
    for connection in connections.all(initialized_only=True):
        raw = connection.connection
        if connection.vendor != "postgresql" or raw is None or connection.in_atomic_block:
            continue
        if raw.closed or _ended(raw):
            connection.close()


def _ended(raw) -> bool:
    from psycopg import pq

    if raw.pgconn.status != pq.ConnStatus.OK:
        return True
    if raw.info.transaction_status != pq.TransactionStatus.IDLE:
        return False  # mid-transaction (not a request's start): left to Django
    poll = select.poll()
    poll.register(raw.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poll.poll(0))
