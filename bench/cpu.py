"""CPU a request costs in-process: the bench's requests through Django's test client (no HTTP,
no other process), against the database `make bench` seeded. Process CPU time moves much less
than wrk's rates on a shared machine, so this is how each change to a hot path is measured.

    .venv/bin/python -m bench.cpu lookup            # ms of CPU (and wall) a request, 3 rounds
    .venv/bin/python -m bench.cpu sale --lines 20 --requests 100
    .venv/bin/python -m bench.cpu sale --profile    # pyinstrument's tree, when installed
"""

import argparse
import json
import os
import random
import sys
import time

from bench.run import BENCH, ROOT, parse_args, server_env


def requests_of(kind: str, lines: int):
    """A function that makes one request of `kind` and checks its answer."""
    from django.test import Client

    people, catalog = (
        [row.split() for row in (BENCH / "results" / name).read_text().splitlines()]
        for name in ("identities.txt", "catalog.txt")
    )
    (company, secret), (cashier, register) = people[0], people[2]
    headers = {"X-Company-Id": company, "X-User-Id": cashier, "X-Gateway-Secret": secret}
    client = Client(headers=headers)
    picks = random.Random(7)  # noqa: S311 - which products to sell, not a secret

    def check(response, status: int):
        if response.status_code != status:
            sys.exit(f"{kind}: {response.status_code} {response.content[:500]!r}")

    def bare():
        check(client.get("/bench/fixed"), 200)

    def lookup():
        check(client.get("/api/v1/products", {"barcode": picks.choice(catalog)[2]}), 200)

    def sale():
        picked = picks.sample(catalog, lines)
        cents = sum(int(cents) for _, cents, _ in picked)
        cash = -(-(cents - 500) // 1000) * 1000  # as load.lua pays: 5.00 by card, cash rounded up
        body = {
            "register": int(register),
            "lines": [{"product": int(pk), "quantity": "1"} for pk, _, _ in picked],
            "payments": [
                {"method": "card", "amount": "5.00", "reference": "AUTH"},
                {"method": "cash", "amount": f"{cash // 100}.{cash % 100:02d}"},
            ],
        }
        check(client.post("/api/v1/sales", json.dumps(body), content_type="application/json"), 201)

    return {"bare": bare, "lookup": lookup, "sale": sale}[kind]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["bare", "lookup", "sale"])
    parser.add_argument("--lines", type=int, default=3, help="lines of each sale")
    parser.add_argument("--requests", type=int, default=200, help="requests a round")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    sys.argv = sys.argv[:1]  # the bench's own options, at their defaults
    os.environ.update({**server_env(parse_args()), "ALLOWED_HOSTS": "testserver"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    request = requests_of(args.kind, args.lines)
    for _ in range(20):  # warm-up: connections, caches, imports
        request()
    if args.profile:
        from pyinstrument import Profiler

        with Profiler(interval=0.0002) as profiler:
            for _ in range(args.requests):
                request()
        print(profiler.output_text(color=False))
        return
    cpu, wall = [], []
    for _ in range(3):
        started, clock = time.process_time(), time.perf_counter()
        for _ in range(args.requests):
            request()
        cpu.append((time.process_time() - started) / args.requests * 1000)
        wall.append((time.perf_counter() - clock) / args.requests * 1000)
    print(f"{args.kind}, ms a request: CPU " + " ".join(f"{ms:.2f}" for ms in cpu), end="")
    # Requests run one after another: the wall time adds the database's and Redis's work.
    print(", wall " + " ".join(f"{ms:.2f}" for ms in wall))


if __name__ == "__main__":
    main()
