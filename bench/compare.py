"""Two checkouts under the same loads, alternated on the database the last `make bench` seeded.

One run's figures move more on a shared machine than a change to a hot path does, so a change
is judged by serving the code before it and after it in turn, several rounds, and comparing
the rounds rather than two runs made minutes apart:

    git worktree add /tmp/before <commit>
    .venv/bin/python -m bench.compare /tmp/before . --rounds 3

Each round serves one checkout with production's gunicorn, then the other, and loads each
with the bare view, barcode lookups and sales of 3 and 20 lines (2 s of warm-up and 10 s a
load by default). Both checkouts run with this virtualenv's packages and this checkout's load
data (bench/results, written by `make bench`).
"""

import argparse
import statistics
import sys
from pathlib import Path

from bench.run import Gunicorn, load, parse_args, server_env

LOADS = [
    ("bare", "get", "/bench/fixed"),
    ("lookup", "lookup", ""),
    ("sale_3", "sale", "3"),
    ("sale_20", "sale", "20"),
]


def figures(rows: dict) -> dict:
    """What a round says: the three ratios and the workers' CPU a request, in ms."""
    cpu = {name: rows[name]["server_cores"] / rows[name]["rps"] * 1000 for name in rows}
    return {
        "lookup / bare view": rows["lookup"]["rps"] / rows["bare"]["rps"],
        "20-line / 3-line p50": rows["sale_20"]["p50_ms"] / rows["sale_3"]["p50_ms"],
        "3-line sales, req/s": rows["sale_3"]["rps"],
        "20-line sales, req/s": rows["sale_20"]["rps"],
        "CPU a lookup, ms": cpu["lookup"],
        "CPU a 3-line sale, ms": cpu["sale_3"],
        "CPU a 20-line sale, ms": cpu["sale_20"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="a checkout of the code before the change")
    parser.add_argument("after", type=Path, help="a checkout of the code after it")
    parser.add_argument("--rounds", type=int, default=3)
    parser.set_defaults(duration=10, warmup=2)
    args = parse_args(parser)
    env = server_env(args)
    versions = {"before": args.before.resolve(), "after": args.after.resolve()}
    for root in versions.values():
        if not (root / "bench" / "settings.py").exists():
            sys.exit(f"{root} is not a checkout with bench/ (bench/settings.py is missing)")
    rounds: dict[str, list[dict]] = {name: [] for name in versions}
    for number in range(1, args.rounds + 1):
        for name, root in versions.items():
            print(f"Round {number}, {name} ({root})", flush=True)
            with Gunicorn(args, env, root) as server:
                rows = {key: load(args, server, key, mode, extra) for key, mode, extra in LOADS}
            rounds[name].append(figures(rows))
    print(f"\n{'figure':24}" + "".join(f"{name:>30}" for name in versions))
    for figure in rounds["before"][0]:
        cells = []
        for name in versions:
            values = [round_[figure] for round_ in rounds[name]]
            shown = ", ".join(f"{value:.2f}" for value in values)
            cells.append(f"{shown} ({statistics.median(values):.2f})")
        print(f"{figure:24}" + "".join(f"{cell:>30}" for cell in cells))
    print("\nEach cell: the rounds in order (their median).")


if __name__ == "__main__":
    main()
