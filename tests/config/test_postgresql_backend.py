"""config.postgresql: the health check at a request's start sends nothing on a quiet connection
and still replaces one the server dropped."""

import select
from unittest import mock

import psycopg
import pytest
from django.core.signals import request_started
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def start_request():
    """What Django does as a request begins: old connections are looked at, and the next
    query runs the health check."""
    request_started.send(sender=None)
    assert connection.health_check_enabled and not connection.health_check_done


def test_a_quiet_connection_is_not_asked_select_1():
    before = backend_pid()
    start_request()
    with mock.patch.object(connection, "is_usable", wraps=connection.is_usable) as asked:
        assert backend_pid() == before
    assert asked.call_count == 0
    assert connection.health_check_done


def test_a_connection_the_server_dropped_is_replaced_before_the_query():
    dropped = backend_pid()
    socket = connection.connection.pgconn.socket
    with psycopg.connect(connection.connection.info.dsn, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [dropped])
    readable, _, _ = select.select([socket], [], [], 10)
    assert readable  # the server's termination message, or the stream's end
    start_request()
    with mock.patch.object(connection, "is_usable", wraps=connection.is_usable) as asked:
        replacement = backend_pid()  # no error: a new connection answers
    assert asked.call_count == 1
    assert replacement != dropped


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
