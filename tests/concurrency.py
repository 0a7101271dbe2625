"""Real threads for the race tests (PostgreSQL: row locks do nothing on SQLite)."""

import threading
import time

from django.db import connection

JOIN_TIMEOUT = 20  # seconds for all the threads of one run_together, in total


def run_together(*calls):
    """Run each call in its own thread, started at once; return results or exceptions.

    Fails the test if a thread is still running after JOIN_TIMEOUT (a deadlock or a lock
    that is never released)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=JOIN_TIMEOUT)
            results[index] = call()
        except Exception as exc:  # the test inspects it
            results[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(i, c), daemon=True) for i, c in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + JOIN_TIMEOUT
    for thread in threads:
        thread.join(timeout=max(0, deadline - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    assert not stuck, f"{stuck} of {len(threads)} threads still running: a deadlock?"
    return results
