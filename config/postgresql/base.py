"""Django's PostgreSQL backend, with a health check that sends nothing while the connection is
quiet.

Django checks a persistent connection at the first query of each request by sending `SELECT 1`:
a round trip on every request, 63-67 us of the worker's CPU and 130 us of wall time measured
in-process (bench/README.md). A connection the server has dropped (a restart, a failover,
`pg_terminate_backend`) has something to read while idle: the server's termination message, or
the end of the stream. So the check looks at the socket first and sends `SELECT 1` only then,
or when the connection is not idle. A peer that vanished without closing its side still passes,
as it would pass the send of `SELECT 1`: the request's first query then waits on the socket as
that check's answer would have, and after a failed query Django closes the connection.

It also gives the cursor of the hand-written reads (`config.rows.fetch`), whose statements
PostgreSQL prepares.
"""

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and self._quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _quiet(self) -> bool:
        """Open, outside a transaction, and nothing arrived since the last answer."""
        raw = self.connection
        if raw.closed or raw.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return False
        readable, _, _ = select.select([raw.pgconn.socket], [], [], 0)
        return not readable

    def prepared_cursor(self):
        """A server-side-binding cursor whose statements are prepared on first use, wrapped as
        Django wraps its own (errors translated, queries logged when Django logs them). Only
        these cursors prepare: the ORM's bind on the client."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            raw = self.connection
            if raw.prepare_threshold is None:  # Django's default: psycopg prepares nothing
                raw.prepare_threshold = 0
            return self._prepare_cursor(psycopg.Cursor(raw))
