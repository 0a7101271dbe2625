"""`make bench`: seed a chain in a fresh PostgreSQL database, serve it with gunicorn as in
production, drive it with wrk over loopback, measure pgbench's limit for the same sale, time
every report over the year, then print the table and write bench/results/results.json.

Every target is a ratio of two figures measured in this run, since the machine is shared.
"""

import argparse
import datetime as dt
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
import urllib.request
import zoneinfo
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
GATEWAY_SECRET = "bench-gateway-secret"  # noqa: S105 - a loopback-only bench value
TIMEZONE = "America/Mexico_City"
# Production's command (README.md), on a loopback port.
GUNICORN = ["-m", "gunicorn", "config.wsgi", "-w", "5"]
REPORT_RUNS = 3


def parse_args(parser: argparse.ArgumentParser | None = None):
    parser = parser or argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bench_pos")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=int, default=20, help="seconds of each load")
    parser.add_argument("--warmup", type=int, default=3, help="seconds before each load")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--registers", type=int, default=20)
    parser.add_argument("--history-lines", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--reuse", action="store_true", help="keep the last run's database")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    return parser.parse_args()


def server_env(args) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{args.server}/{args.database}",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "CACHE_URL": args.cache_url,
        "IDENTITY_HEADERS_SECRET": GATEWAY_SECRET,
        # Throttling stays on (a cache round trip a request) at a rate the load stays under.
        "THROTTLE_USER_RATE": "1000000/minute",
        "LOG_LEVEL": "WARNING",
    }


# Seeding


def recreate_database(args) -> None:
    import psycopg

    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.database}"')


def seed(args):
    from django.core.management import call_command
    from django.db import connection

    from bench.history import history_write
    from bench.seed import seed_shop

    started = time.monotonic()
    recreate_database(args)
    call_command("migrate", verbosity=0)
    shop = seed_shop(products=args.products, registers=args.registers)
    seeded = time.monotonic()
    today = dt.datetime.now(zoneinfo.ZoneInfo(TIMEZONE)).date()
    lines = history_write(
        shop=shop, lines=args.history_lines, days=args.days, today=today, timezone=TIMEZONE
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # a database in service has its statistics
    connection.close()
    return shop, {
        "seconds_shop": round(seeded - started, 1),
        "seconds_history": round(time.monotonic() - seeded, 1),
        "history_lines": lines,
    }


def write_load_data(shop, folder: Path) -> None:
    """The files load.lua reads: who calls (company, secret, admin, cashiers) and the catalog."""
    people = [f"{shop.company_id} {GATEWAY_SECRET}", f"{shop.admin_id} 0"]
    people += [f"{till.cashier_id} {till.register_id}" for till in shop.tills]
    (folder / "identities.txt").write_text("\n".join(people) + "\n")
    (folder / "catalog.txt").write_text(
        "".join(f"{pk} {cents} {barcode}\n" for pk, cents, barcode in shop.products)
    )


def contiguous_start(ids: list[int]) -> int:
    """pgbench picks registers and products by offset from the first id."""
    ordered = sorted(ids)
    if ordered != list(range(ordered[0], ordered[0] + len(ordered))):
        sys.exit("pgbench needs contiguous ids; recreate the database (drop --reuse).")
    return ordered[0]


# Measuring


def cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def server_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [master, *map(int, children)]


def wrk(args, mode: str, extra: str, seconds: int) -> dict:
    command = [
        "wrk",
        f"-t{args.connections}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(BENCH / "load.lua"),
        f"http://127.0.0.1:{args.port}",
        "--",
        mode,
        str(args.out),
        extra,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    return json.loads(line.removeprefix("BENCH "))


def checkpoint(args) -> None:
    """Flush what earlier work left in PostgreSQL's buffers, so that no load pays for the one
    before it (or for the seeding): a checkpoint spreads its writes over most of
    checkpoint_timeout, five minutes by default, which is when the next loads run."""
    import psycopg

    with psycopg.connect(f"{args.server}/{args.database}", autocommit=True) as conn:
        conn.execute("CHECKPOINT")


def load(args, server, name: str, mode: str, extra: str) -> dict:
    checkpoint(args)
    wrk(args, mode, extra, args.warmup)
    pids = server_pids(server.pid)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before, (busy_before, total_before) = cpu_seconds(pids), machine_ticks()
    result = wrk(args, mode, extra, args.duration)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_after, total_after = machine_ticks()
    seconds = result["duration_us"] / 1e6
    loadgen = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    errors = sum(result["errors"].values())
    row = {
        "name": name,
        "connections": args.connections,
        "requests": result["requests"],
        "errors": errors,
        "seconds": round(seconds, 2),
        "rps": round(result["requests"] / seconds, 1),
        "p50_ms": result["latency_us"]["p50"] / 1000,
        "p95_ms": result["latency_us"]["p95"] / 1000,
        "p99_ms": result["latency_us"]["p99"] / 1000,
        "mean_ms": round(result["latency_us"]["mean"] / 1000, 3),
        "max_ms": result["latency_us"]["max"] / 1000,
        # In cores: 1.0 is one core busy for the whole load.
        "loadgen_cores": round(loadgen / seconds, 2),
        "server_cores": round((cpu_seconds(pids) - server_before) / seconds, 2),
        "machine_busy": round((busy_after - busy_before) / (total_after - total_before), 2),
    }
    print(f"  {name}: {row['rps']} req/s, p50 {row['p50_ms']} ms, errors {errors}", flush=True)
    return row


def pgbench(args, shop) -> dict:
    folder = args.out / "pgbench"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("log*"):
        old.unlink()
    variables = {
        "company": shop.company_id,
        "first_register": contiguous_start([till.register_id for till in shop.tills]),
        "first_product": contiguous_start([pk for pk, _, _ in shop.products]),
        "products": len(shop.products),
    }
    command = ["pgbench", "-n", f"-c{args.connections}", f"-j{args.connections}"]
    command += ["-f", str(BENCH / "sale.pgbench")]
    for name, value in variables.items():
        command += ["-D", f"{name}={value}"]
    database = f"{args.server}/{args.database}"
    checkpoint(args)
    subprocess.run([*command, f"-T{args.warmup}", database], capture_output=True, check=True)  # noqa: S603
    busy_before, total_before = machine_ticks()
    output = subprocess.run(  # noqa: S603
        [*command, f"-T{args.duration}", "-l", f"--log-prefix={folder}/log", database],
        capture_output=True,
        text=True,
        check=True,
        cwd=folder,
    ).stdout
    busy_after, total_after = machine_ticks()
    latencies = sorted(int(line.split()[2]) for log in folder.glob("log*") for line in log.open())
    tps = float(re.search(r"tps = ([0-9.]+) \(without initial", output).group(1))
    failed = int(re.search(r"number of failed transactions: (\d+)", output).group(1))

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] / 1000

    row = {
        "name": "pgbench sale_3",
        "connections": args.connections,
        "requests": len(latencies),
        "errors": failed,
        "seconds": args.duration,
        "rps": round(tps, 1),
        "p50_ms": percentile(50),
        "p95_ms": percentile(95),
        "p99_ms": percentile(99),
        "mean_ms": round(statistics.fmean(latencies) / 1000, 3),
        "max_ms": latencies[-1] / 1000,
        "loadgen_cores": None,
        "server_cores": None,
        "machine_busy": round((busy_after - busy_before) / (total_after - total_before), 2),
    }
    print(f"  pgbench: {row['rps']} tps, p50 {row['p50_ms']} ms", flush=True)
    return row


def report_query(args, group_by: str) -> str:
    today = dt.datetime.now(zoneinfo.ZoneInfo(TIMEZONE)).date()
    since = today - dt.timedelta(days=args.days)
    return f"/api/v1/reports/sales?from={since}&to={today}&group_by={group_by}"


def time_reports(args, shop) -> dict:
    """Each grouping over the whole year, one request at a time: the worst of a few runs."""
    from analytics.selectors import GROUPS

    headers = {
        "X-User-Id": str(shop.admin_id),
        "X-Company-Id": str(shop.company_id),
        "X-Gateway-Secret": GATEWAY_SECRET,
    }
    timings = {}
    for group_by in GROUPS:
        url = f"http://127.0.0.1:{args.port}{report_query(args, group_by)}"
        seconds = []
        for _ in range(REPORT_RUNS + 1):
            request = urllib.request.Request(url, headers=headers)
            started = time.monotonic()
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                body = json.load(response)
            seconds.append(time.monotonic() - started)
        timings[group_by] = {
            "max_s": round(max(seconds[1:]), 3),
            "median_s": round(statistics.median(seconds[1:]), 3),
            "first_s": round(seconds[0], 3),
            "rows": len(body["rows"]),
            "sales_count": body["totals"]["sales_count"],
        }
        print(f"  report {group_by}: worst {timings[group_by]['max_s']} s", flush=True)
    return timings


class Gunicorn:
    """Production's gunicorn on a loopback port, serving the checkout at `root`."""

    def __init__(self, args, env, root: Path = ROOT):
        self.args = args
        self.env = env
        self.root = root

    def __enter__(self):
        log = (self.args.out / "gunicorn.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own server on loopback
            [sys.executable, *GUNICORN, "-b", f"127.0.0.1:{self.args.port}"],
            cwd=self.root,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                url = f"http://127.0.0.1:{self.args.port}/bench/fixed"
                with urllib.request.urlopen(url, timeout=1):
                    return self.process
            except OSError:
                time.sleep(0.2)
        self.process.kill()
        sys.exit("gunicorn did not start; see bench/results/gunicorn.log")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


# Results


def ratios(rows: dict, reports: dict) -> list[dict]:
    slowest = max(reports, key=lambda group: reports[group]["max_s"])
    return [
        {
            "target": "API sales of 3 lines / pgbench sale (req/s)",
            "ratio": rows["sale_3"]["rps"] / rows["pgbench"]["rps"],
            "goal": ">= 0.50",
            "met": rows["sale_3"]["rps"] / rows["pgbench"]["rps"] >= 0.5,
        },
        {
            "target": "20-line sale / 3-line sale (p50 latency)",
            "ratio": rows["sale_20"]["p50_ms"] / rows["sale_3"]["p50_ms"],
            "goal": "< 1.50",
            "met": rows["sale_20"]["p50_ms"] / rows["sale_3"]["p50_ms"] < 1.5,
        },
        {
            "target": "barcode lookup / bare Django view (req/s)",
            "ratio": rows["lookup"]["rps"] / rows["bare"]["rps"],
            "goal": ">= 0.30",
            "met": rows["lookup"]["rps"] / rows["bare"]["rps"] >= 0.3,
        },
        {
            "target": f"slowest year report ({slowest}), seconds",
            "ratio": reports[slowest]["max_s"],
            "goal": "< 1.00",
            "met": reports[slowest]["max_s"] < 1.0,
        },
    ]


def print_table(rows: dict, reports: dict, targets: list[dict]) -> None:
    header = (
        f"{'load':<16}{'conns':>6}{'requests':>10}{'errors':>8}{'req/s':>10}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'wrk cores':>11}{'server cores':>14}"
        f"{'machine busy':>14}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for row in rows.values():
        loadgen = "" if row["loadgen_cores"] is None else f"{row['loadgen_cores']:.2f}"
        server = "" if row["server_cores"] is None else f"{row['server_cores']:.2f}"
        print(
            f"{row['name']:<16}{row['connections']:>6}{row['requests']:>10}{row['errors']:>8}"
            f"{row['rps']:>10.1f}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}{row['p99_ms']:>9.2f}"
            f"{loadgen:>11}{server:>14}{row['machine_busy']:>13.0%}"
        )
    print(f"\n{'report over the year':<24}{'worst s':>9}{'median s':>10}{'rows':>7}{'sales':>9}")
    for group_by, timing in reports.items():
        print(
            f"{group_by:<24}{timing['max_s']:>9.3f}{timing['median_s']:>10.3f}"
            f"{timing['rows']:>7}{timing['sales_count']:>9}"
        )
    print(f"\n{'target':<48}{'measured':>10}{'goal':>10}{'met':>6}")
    for target in targets:
        met = "yes" if target["met"] else "NO"
        print(f"{target['target']:<48}{target['ratio']:>10.2f}{target['goal']:>10}{met:>6}")


def main() -> None:
    args = parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    env = server_env(args)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from bench.seed import Shop, Till

    shop_file = args.out / "shop.json"
    if args.reuse and shop_file.exists():
        saved = json.loads(shop_file.read_text())
        shop = Shop(**{**saved["shop"], "tills": [Till(**t) for t in saved["shop"]["tills"]]})
        seeding = saved["seeding"]
        print("Reusing the seeded database", args.database, flush=True)
    else:
        print(f"Seeding {args.database} ...", flush=True)
        shop, seeding = seed(args)
        shop_file.write_text(json.dumps({"shop": asdict(shop), "seeding": seeding}))
        print(f"  seeded in {seeding['seconds_shop'] + seeding['seconds_history']} s", flush=True)
    write_load_data(shop, args.out)

    rows = {}
    with Gunicorn(args, env) as server:
        print("Loading", flush=True)
        rows["bare"] = load(args, server, "bare view", "get", "/bench/fixed")
        rows["lookup"] = load(args, server, "barcode lookup", "lookup", "")
        rows["sale_3"] = load(args, server, "sale 3 lines", "sale", "3")
        rows["pgbench"] = pgbench(args, shop)
        rows["sale_20"] = load(args, server, "sale 20 lines", "sale", "20")
        rows["report"] = load(args, server, "report by day", "get", report_query(args, "day"))
        reports = time_reports(args, shop)
    targets = ratios(rows, reports)
    print_table(rows, reports, targets)
    results = {
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config": {
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "gunicorn": " ".join(GUNICORN[1:]),
            "products": args.products,
            "registers": args.registers,
            "days": args.days,
        },
        "seeding": seeding,
        "loads": rows,
        "reports": reports,
        "targets": targets,
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWritten {args.out / 'results.json'}")


if __name__ == "__main__":
    main()
