"""config.postgresql: the health check at a request's start sends nothing on a quiet connection
in steady use, and still replaces one the server dropped."""

import os
import resource
import select
import time
from unittest import mock

import psycopg
import pytest
from django.core.signals import request_started
from django.db import connection, connections
from django.test import override_settings

from config import rows
from config.postgresql.base import QUIET_SECONDS

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _connection_not_past_its_max_age(monkeypatch):
    """Django closes a connection older than CONN_MAX_AGE (60 s) when a request starts, and a
    worker's connection in a long suite is older than that: these tests are about the health
    check, so that closing must not happen in them (it made them fail now and then)."""
    monkeypatch.setattr(connections["default"], "close_at", None, raising=False)


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def start_request():
    """What Django does as a request begins: old connections are looked at, and the next
    query runs the health check."""
    request_started.send(sender=None)
    assert connection.health_check_enabled and not connection.health_check_done


def health_checks_sent(query=backend_pid):
    """How many times `query`, the first of a request, had Django's check (SELECT 1) sent."""
    start_request()
    with mock.patch.object(connection, "is_usable", wraps=connection.is_usable) as asked:
        query()
    return asked.call_count


def test_a_quiet_connection_in_steady_use_is_not_asked_select_1():
    before = backend_pid()
    health_checks_sent()
    assert health_checks_sent() == 0
    assert connection.health_check_done
    assert backend_pid() == before


def test_a_connection_quiet_for_longer_than_the_bound_is_asked():
    backend_pid()
    connection.checked_at = time.monotonic() - QUIET_SECONDS - 1
    assert health_checks_sent() == 1
    assert health_checks_sent() == 0  # checked just now


def test_a_connection_the_server_dropped_is_replaced_before_the_query():
    dropped = backend_pid()
    socket = connection.connection.pgconn.socket
    with psycopg.connect(connection.connection.info.dsn, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [dropped])
    readable, _, _ = select.select([socket], [], [], 10)
    assert readable  # the server's termination message, or the stream's end
    replacement = []
    assert health_checks_sent(lambda: replacement.append(backend_pid())) == 1  # and no error
    assert replacement != [dropped]


def test_a_connection_inside_a_transaction_gets_the_full_check():
    backend_pid()
    connection.connection.execute("BEGIN")  # psycopg's own: Django does not know of it
    start_request()
    with (
        mock.patch.object(connection, "is_usable", return_value=True) as asked,
        connection.cursor(),
    ):
        pass
    assert asked.call_count == 1
    connection.connection.execute("ROLLBACK")


def test_a_socket_numbered_above_1023_is_looked_at_too():
    # select.select() refuses such descriptors; a worker with many files open has them.
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1200:
        pytest.skip(f"the open files limit ({soft}) leaves no descriptor above 1023")
    fillers = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        connection.close()
        backend_pid()
        assert connection.connection.pgconn.socket >= 1024
        assert health_checks_sent() == 0
    finally:
        connection.close()
        for fd in fillers:
            os.close(fd)


def test_the_prepared_cursor_reads_times_in_the_zone_django_reads_them():
    sql = "SELECT TIMESTAMPTZ '2026-12-01 12:00:00+00'"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        [(aware,)] = cursor.fetchall()
    assert rows.fetch(sql, []) == [(aware,)] and aware.tzinfo is not None
    with override_settings(USE_TZ=False):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            [(naive,)] = cursor.fetchall()
        assert naive.tzinfo is None
        assert rows.fetch(sql, []) == [(naive,)]
