"""A PostgreSQL connection the server ended is noticed when the next request starts, with
no `SELECT 1` round trip (anchang/connections.py); a live one is kept."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.core.signals import request_started
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from anchang.connections import drop_ended_connections

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid: int) -> None:
    """Ends the backend from another session, as a restart or an administrator would."""
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)  # the goodbye reaches the socket


def test_the_health_check_round_trip_is_off():
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is False


def test_an_ended_connection_is_replaced_when_a_request_starts():
    pid = _backend_pid()
    _terminate(pid)
    request_started.send(sender=None)
    assert _backend_pid() != pid


def test_without_the_check_the_next_request_would_fail():
    """What the receiver prevents (the test fails if the termination went unnoticed)."""
    pid = _backend_pid()
    _terminate(pid)
    with pytest.raises(OperationalError):
        _backend_pid()
    connection.close()


def test_a_live_connection_is_kept_and_asked_nothing():
    pid = _backend_pid()
    with CaptureQueriesContext(connection) as queries:
        drop_ended_connections()
    assert _backend_pid() == pid
    assert len(queries) == 0
