#!/usr/bin/env python3
"""Time the open-now filter (只看现在能办的) over the whole district (issue 14: lists at scale).

    .venv/bin/python benchmarks/bench_open_now.py --services 10000           # SQLite file
    .venv/bin/python benchmarks/bench_open_now.py --database-url sqlite:///…  # as built

It builds a throwaway catalog of ``--services`` generated services as
``benchmarks/bench_pages.py`` does (migrate, the demo district, ``var/bench/services-N.json``
imported, the service list pages) in a temporary SQLite file, unless ``--database-url``
names one already built (read only). Then, in a fresh process, for a few moments and with
and without a center it times:

- ``one by one``: every service fetched with ``OPENING_PREFETCH`` and asked
  ``clock.service_open(service, location_id)`` (what ``open_service_ids`` did before);
- ``bulk``: ``catalog.clock.open_service_ids`` (plain rows, the rule asked once per
  distinct set of rows), checked to give the same ids;
- the district list ``/fuwu/?open_now=1`` through ``django.test.Client`` (test settings),
  with ``bulk`` and with ``one by one`` patched in its place;
- baselines: ``SELECT 1`` and counting the services.

Figures are printed, with ratios against ``one by one``, never asserted; report them with
the load average (printed too).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_pages as pages_benchmark  # noqa: E402

MOMENTS = {
    "Friday 10:00": "2026-11-20T10:00:00+08:00",
    "Friday 12:30 (lunch)": "2026-11-20T12:30:00+08:00",
    "National Day 10:00": "2026-10-02T10:00:00+08:00",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=10000)
    parser.add_argument("--database-url", help="a catalog already built, read only")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one-by-one", type=int, default=1, help="its runs per case")
    parser.add_argument("--bulk", type=int, default=5, help="its runs per case")
    parser.add_argument("--_step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._step:
        print(json.dumps(measure(**json.loads(args._step))))
        return
    helpers = pages_benchmark.bench_import()
    spec = {"one_by_one": args.one_by_one, "bulk": args.bulk}
    with tempfile.TemporaryDirectory(prefix="bench_open_now-media-") as media:
        if args.database_url:
            result = run_child({"url": args.database_url, "media": media, **spec})
        else:
            path, _ = helpers.ensure_file(args.services, args.seed, helpers.BENCH_DIR)
            with helpers.throwaway_database(None, "postgres") as url:
                pages_benchmark.log(f"{args.services} services: building the database")
                built = pages_benchmark.run_child(
                    {"step": "setup", "url": url, "media": media, "path": str(path)}
                )
                pages_benchmark.log(f"built in {sum(built['seconds'].values()):.0f} s")
                result = run_child({"url": url, "media": media, **spec})
    report(result)


def run_child(spec: dict) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--_step", json.dumps(spec)]
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, check=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def best_of(runs: int, action) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(max(runs, 1)):
        started = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - started)
    return best * 1000, result


def measure(url: str, media: str, one_by_one: int, bulk: int) -> dict:
    pages_benchmark.django_setup(url, media)
    from datetime import datetime

    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalog.clock import clock_at, open_service_ids
    from catalog.models import Location, Service, ServiceAtLocation
    from catalog.opening import OPENING_PREFETCH

    def select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()

    services = Service.objects.all()
    busiest = (
        ServiceAtLocation.objects.values("location_id")
        .annotate(links=Count("pk"))
        .order_by("-links", "location_id")
        .first()
    )
    center = Location.objects.get(pk=busiest["location_id"])  # the center offering most
    cases = []
    for label, moment in MOMENTS.items():
        clock = clock_at(datetime.fromisoformat(moment))
        for location_id in (None, center.pk):

            def old(clock=clock, location_id=location_id):
                return [
                    s.pk
                    for s in services.prefetch_related(*OPENING_PREFETCH)
                    if clock.service_open(s, location_id)
                ]

            def new(clock=clock, location_id=location_id):
                return open_service_ids(services, clock, location_id)

            old_ms, old_ids = best_of(one_by_one, old)
            with CaptureQueriesContext(connection) as queries:
                new_ids = new()
            new_ms, new_ids = best_of(bulk, new)
            cases.append(
                {
                    "case": f"{label}, {'one center' if location_id else 'district'}",
                    "open": len(new_ids),
                    "same": sorted(map(str, old_ids)) == sorted(map(str, new_ids)),
                    "one_by_one_ms": old_ms,
                    "bulk_ms": new_ms,
                    "bulk_queries": len(queries),
                }
            )
    client = Client()
    client.get("/fuwu/?open_now=1")  # warm
    page_ms, response = best_of(3, lambda: client.get("/fuwu/?open_now=1"))

    def one_by_one_ids(services, clock, location_id=None):
        return [
            s.pk
            for s in services.prefetch_related(*OPENING_PREFETCH)
            if clock.service_open(s, location_id)
        ]

    with mock.patch("catalog.filters.open_service_ids", one_by_one_ids):
        old_page_ms, _ = best_of(one_by_one, lambda: client.get("/fuwu/?open_now=1"))
    return {
        "services": services.count(),
        "centers": Location.objects.count(),
        "cases": cases,
        "page_ms": page_ms,
        "old_page_ms": old_page_ms,
        "page_status": response.status_code,
        "select_one_ms": best_of(20, select_one)[0],
        "count_ms": best_of(5, services.count)[0],
        "database": connection.vendor,
        "load": os.getloadavg(),
    }


def report(result: dict) -> None:
    print(
        f"{result['services']} services, {result['centers']} centers, {result['database']}; "
        f"load average {' '.join(f'{x:.2f}' for x in result['load'])} (at the end)"
    )
    print(f"{'case':42} {'open':>6} {'one by one':>12} {'bulk':>10} {'ratio':>7} queries same")
    for case in result["cases"]:
        ratio = case["one_by_one_ms"] / case["bulk_ms"] if case["bulk_ms"] else float("inf")
        print(
            f"{case['case']:42} {case['open']:>6} {case['one_by_one_ms']:>9.0f} ms "
            f"{case['bulk_ms']:>7.0f} ms {ratio:>6.1f}x {case['bulk_queries']:>7} {case['same']}"
        )
    print(
        f"/fuwu/?open_now=1: {result['page_ms']:.0f} ms (best of 3), "
        f"{result['old_page_ms']:.0f} ms with one by one "
        f"(HTTP {result['page_status']}); SELECT 1: {result['select_one_ms']:.2f} ms; "
        f"count(*): {result['count_ms']:.1f} ms"
    )


if __name__ == "__main__":
    main()
