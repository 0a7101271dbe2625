"""Database faults against a throwaway PostgreSQL cluster this test starts itself.

initdb on a free loopback port in a temporary directory (never the machine's shared server);
gunicorn serves it; the cluster is stopped while requests run and started again; a worker is
killed in the middle of sales. Everything talks to 127.0.0.1 only.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from tests.http.conftest import ROOT, free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
RUNUSER = shutil.which("runuser") or "runuser"
PGREP = shutil.which("pgrep") or "pgrep"
pytestmark = [
    # Runs once, in the PostgreSQL pass of the suite (it needs no test database of its own).
    pytest.mark.postgres,
    pytest.mark.skipif(
        not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None or os.geteuid() != 0,
        reason="needs PostgreSQL 15 server binaries and root (to run them as the postgres user)",
    ),
]


def as_postgres(*args, check=True):
    return subprocess.run(  # noqa: S603 - our own cluster
        [RUNUSER, "-u", "postgres", "--", *args], check=check, capture_output=True, text=True
    )


class Cluster:
    def __init__(self, directory: Path, port: int):
        self.directory = directory
        self.port = port
        self.url = f"postgres://postgres@127.0.0.1:{port}/pos_fault"

    def start(self):
        as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.directory / "data"),
            "-o",
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1",
            "-l",
            str(self.directory / "log"),
            "-w",
            "start",
        )

    def stop(self):
        as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "fast", "-w", "stop"
        )


@pytest.fixture
def cluster():
    # Under /tmp itself: pytest's own temporary folders are not readable by the postgres user.
    directory = Path(tempfile.mkdtemp(prefix="pos-pgcluster-", dir="/tmp"))
    shutil.chown(directory, "postgres", "postgres")
    as_postgres(
        str(PG_BIN / "initdb"), "-D", str(directory / "data"), "-A", "trust", "-U", "postgres"
    )
    cluster = Cluster(directory, free_port())
    cluster.start()
    as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "pos_fault")
    yield cluster
    if (directory / "data" / "postmaster.pid").exists():
        cluster.stop()
    shutil.rmtree(directory, ignore_errors=True)


def server_env(cluster) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO")},
        "DATABASE_URL": cluster.url,
        "DEBUG": "false",
        "SECRET_KEY": "fault-tests-only-" + "f" * 40,
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "THROTTLE_USER_RATE": "100000/minute",
        "THROTTLE_BOOTSTRAP_RATE": "100/minute",
        "LOG_LEVEL": "ERROR",
    }


@pytest.fixture
def server(cluster):
    env = server_env(cluster)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn on loopback
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "3", "--timeout", "20", "--graceful-timeout", "5"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: requests.get(base + "/api/v1/health", timeout=1).status_code == 200)
    yield base, process, env
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail("condition not reached in time")


def shop(base: str) -> dict:
    """A company, a product with stock and an open shift, all over HTTP."""
    body = requests.post(
        base + "/api/v1/bootstrap",
        json={
            "company": {"name": "Fault Shop", "currency": "MXN", "timezone": "America/Mexico_City"},
            "admin": {"email": "fault@example.com"},
        },
        timeout=10,
    ).json()
    identity = {"X-User-Id": str(body["user_id"]), "X-Company-Id": str(body["company_id"])}
    product = requests.post(
        base + "/api/v1/products",
        json={"sku": "F1", "name": "Fault item", "price": "10.00"},
        headers=identity,
        timeout=10,
    ).json()
    requests.post(
        base + "/api/v1/stock/receipts",
        json={
            "location": body["location_id"],
            "lines": [{"product": product["id"], "quantity": "500", "unit_cost": "4.00"}],
        },
        headers=identity,
        timeout=10,
    ).raise_for_status()
    requests.post(
        base + "/api/v1/shifts",
        json={"register": body["register_id"], "opening_cash": "0"},
        headers=identity,
        timeout=10,
    ).raise_for_status()
    return {"identity": identity, "register": body["register_id"], "product": product["id"]}


def sell(base: str, data: dict, quantity="1"):
    return requests.post(
        base + "/api/v1/sales",
        json={
            "register": data["register"],
            "lines": [{"product": data["product"], "quantity": quantity}] * 3,
            "payments": [{"method": "cash", "amount": "100.00"}],
        },
        headers=data["identity"],
        timeout=20,
    )


def assert_sales_whole(base: str, data: dict, env: dict):
    """Every sale the server kept is whole, numbers are gapless, and the ledger balances."""
    sales = requests.get(
        base + "/api/v1/sales?page_size=500", headers=data["identity"], timeout=20
    ).json()["results"]
    for sale in sales:
        assert len(sale["lines"]) == 3 and len(sale["payments"]) == 1, sale
        assert sum(Decimal(line["total"]) for line in sale["lines"]) == Decimal(sale["total"])
    sequences = sorted(sale["receipt_sequence"] for sale in sales)
    assert sequences == list(range(1, len(sales) + 1))
    ledger = subprocess.run(
        [sys.executable, "manage.py", "check_ledger"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert ledger.returncode == 0, ledger.stderr
    return len(sales)


def test_database_down_answers_503_and_recovers_without_restart(cluster, server):
    base, process, env = server
    data = shop(base)
    assert sell(base, data).status_code == 201
    with ThreadPoolExecutor(6) as pool:
        in_flight = [pool.submit(sell, base, data) for _ in range(12)]
        cluster.stop()
        during = [future.result() for future in in_flight]
    for response in during:
        assert response.status_code in (201, 503), response.text
        if response.status_code == 503:
            assert response.json()["errors"][0]["code"] == "database_unavailable"
            assert "Traceback" not in response.text and "psycopg" not in response.text
    health = requests.get(base + "/api/v1/health", timeout=10)
    assert health.status_code == 503
    assert health.json() == {"status": "error", "database": "unavailable"}
    down = sell(base, data)
    assert down.status_code == 503 and down.json()["type"] == "server_error"

    cluster.start()
    wait_for(lambda: requests.get(base + "/api/v1/health", timeout=2).status_code == 200)
    assert process.poll() is None  # the same gunicorn, never restarted
    assert sell(base, data).status_code == 201
    assert_sales_whole(base, data, env)


def test_a_worker_killed_mid_sale_leaves_the_sale_whole_or_absent(cluster, server):
    base, process, env = server
    data = shop(base)
    workers = subprocess.run(  # noqa: S603
        [PGREP, "-P", str(process.pid)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert workers
    with ThreadPoolExecutor(8) as pool:
        in_flight = [pool.submit(sell, base, data) for _ in range(40)]
        time.sleep(0.3)
        for pid in workers:
            os.kill(int(pid), signal.SIGKILL)
        results = []
        for future in in_flight:
            try:
                results.append(future.result().status_code)
            except requests.RequestException:
                results.append("dropped")
    assert all(code in (201, 409, 502, 503, "dropped") for code in results), results
    wait_for(lambda: requests.get(base + "/api/v1/health", timeout=2).status_code == 200)
    assert process.poll() is None  # the master replaced its workers
    kept = assert_sales_whole(base, data, env)
    assert kept >= results.count(201)
    tally = sorted(Counter(results).items(), key=str)
    outcome = ", ".join(f"{count} x {code}" for code, count in tally)
    print(f"\n40 sales, every worker killed: {outcome}; {kept} sales kept, all whole")
