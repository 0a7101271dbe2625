"""Django's PostgreSQL backend, with a health check that sends nothing while the connection is
in steady use and quiet.

Django checks a persistent connection at the first query of each request by sending `SELECT 1`:
a round trip on every request, 63-67 us of the worker's CPU and 130 us of wall time measured
in-process (bench/README.md). A connection the server has dropped (a restart, a failover,
`pg_terminate_backend`) has something to read while idle: the server's termination message, or
the end of the stream. So a connection checked (or opened) less than `QUIET_SECONDS` ago, idle,
with nothing to read, passes without `SELECT 1`; any other gets Django's check. The bound covers
what the socket can't show: a NAT or load balancer that forgot an idle connection says nothing
until the next packet arrives, and that packet should be `SELECT 1`, not the request's query.
Such devices forget after minutes of silence; under load, a worker's requests come well within
`QUIET_SECONDS` of each other and none of them sends `SELECT 1`.

It also gives the cursor of the hand-written reads (`config.rows.fetch`), whose statements
PostgreSQL prepares.
"""

import select
import time

import psycopg
from django.db.backends.postgresql import base, operations
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.utils.asyncio import async_unsafe
from psycopg import pq

QUIET_SECONDS = 5.0


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        """The logged text of a prepared cursor's statement too (the queries tests capture):
        psycopg keeps none for a statement bound on the server."""
        if isinstance(cursor, psycopg.ClientCursor):
            return super().last_executed_query(cursor, sql, params)
        try:
            return self.compose_sql(sql, params)
        except psycopg.errors.DataError:
            return None


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    checked_at = float("-inf")  # time.monotonic() when the connection was last known good

    def connect(self):
        super().connect()
        self.checked_at = time.monotonic()

    def close_if_health_check_failed(self):
        if (
            self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
            or self.pool
        ):
            return super().close_if_health_check_failed()
        now = time.monotonic()
        if now - self.checked_at < QUIET_SECONDS and self._quiet():
            self.health_check_done = True
        else:
            super().close_if_health_check_failed()  # a connection it closes is opened anew
        self.checked_at = now

    def _quiet(self) -> bool:
        """Open, outside a transaction, and nothing arrived since the last answer."""
        raw = self.connection
        if raw.closed or raw.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return False
        if not hasattr(select, "poll"):  # Windows: Django's check every time
            return False
        poller = select.poll()  # not select.select: it refuses descriptors from 1024
        poller.register(raw.pgconn.socket, select.POLLIN)
        return not poller.poll(0)

    @async_unsafe
    def prepared_cursor(self):
        """A server-side-binding cursor whose statements are prepared on first use, made and
        wrapped as Django makes its own (health check, connection, time zone, errors translated,
        queries logged when Django logs them). Only these cursors prepare: the ORM's bind on
        the client."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            raw = self.connection
            if raw.prepare_threshold is None:  # Django's default: psycopg prepares nothing
                raw.prepare_threshold = 0
            cursor = psycopg.Cursor(raw)
            loader = raw.adapters.get_loader(base.TIMESTAMPTZ_OID, pq.Format.TEXT)
            if self.timezone != loader.timezone:
                register_tzloader(self.timezone, cursor)
            return self._prepare_cursor(cursor)
