#!/usr/bin/env python3
"""Measure the paginated service lists as the catalog grows (issue 14: lists at scale).

    .venv/bin/python benchmarks/bench_lists.py --services 10000,100000 --postgresql
    .venv/bin/python benchmarks/bench_lists.py --services 10000            # SQLite file
    .venv/bin/python benchmarks/bench_lists.py --database-url postgres://…/built  # as is

For each size it builds a throwaway catalog the way ``benchmarks/bench_pages.py`` does
(its ``setup``: migrate, the demo district, ``var/bench/services-N.json`` imported, the
service list pages; the generated services are offered at the 9 demo centers), in a
temporary SQLite file or, with ``--postgresql``, in the PostgreSQL database
``bench_lists_<pid>`` (created for the size and dropped after it; ``--keep-database``
keeps it and prints its URL, to measure it again with ``--database-url``, which only
reads the database it is given and never drops it).

Then, in a fresh process and with ``django.test.Client`` (in process: no server, test
settings, DEBUG off; one request per URL to warm, one to count its SQL queries), it
requests each list up to ``--requests`` times in a row, at most ``--budget`` seconds a
URL, and prints p50/p95 (ms), queries, HTML size and what the page says it lists:

- the district list ``/fuwu/``: its first page, a page in the middle, its last page;
  one kind (``?kind=market``), and a filtered list (``--filters``) and its last page;
- a center's list (``--center-path``): first page and a page in the middle;
- with ``--open-now``, ``open_now=1`` on the district list, which is judged in Python over
  every service the other filters leave (catalog/filters.py): 45 s at 10,000 services on
  a loaded 2-CPU machine, so off by default;
- baselines in the same process: ``SELECT 1`` through Django's connection, and one
  service guide (a page about one object).

Speed goals (``/fuwu/`` under 300 ms p95 at 10,000 and 100,000 services on PostgreSQL,
issue 14) are read off the printed table, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

# bench_pages.py's catalog builder, measuring helpers and the pages it measures, shared
# with it (it imports only the standard library at the top).
from benchmarks import bench_pages as pages_benchmark  # noqa: E402

DISTRICT_PATH = pages_benchmark.DISTRICT_PATH
CENTER_PATH = pages_benchmark.CENTER_PATH
FILTERS = pages_benchmark.FILTERS
LISTED = pages_benchmark.LISTED
PAGES = re.compile(r"第 (\d+) 页 共 (\d+) 页")


def bench_pages():
    """bench_pages.py, shared with it."""
    return pages_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", default="10000", help="sizes, comma-separated")
    parser.add_argument("--postgresql", action="store_true", help="build in PostgreSQL")
    parser.add_argument(
        "--postgres-server", default="postgres://postgres@127.0.0.1:5432", help="for --postgresql"
    )
    parser.add_argument("--maintenance-db", default="postgres")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it after")
    parser.add_argument("--database-url", help="measure this built catalog, read only")
    parser.add_argument("--requests", type=int, default=40, help="requests per URL")
    parser.add_argument("--budget", type=float, default=20, help="seconds per URL, at most")
    parser.add_argument("--min-requests", type=int, default=5, help="even over budget")
    parser.add_argument(
        "--open-now", action="store_true", help="also ?open_now=1 (minutes at 100,000)"
    )
    parser.add_argument("--center-path", default=CENTER_PATH)
    parser.add_argument("--filters", default=FILTERS)
    parser.add_argument("--seed", type=int, default=1, help="of the generated catalogs")
    parser.add_argument("--bench-dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--_step", help=argparse.SUPPRESS)  # internal: one child process
    args = parser.parse_args()
    if args._step:
        spec = json.loads(args._step)
        step = {"setup": setup, "measure": measure}[spec.pop("step")]
        print(json.dumps(step(**spec)))
        return

    helpers = bench_pages().bench_import()
    started = time.perf_counter()
    results = []
    try:
        if args.database_url:
            results.append({"size": None, **measure_database(args.database_url, None, args)})
        else:
            for size in sorted(int(size) for size in args.services.split(",") if size.strip()):
                path, _made = helpers.ensure_file(size, args.seed, args.bench_dir)
                results.append({"size": size, **build_and_measure(helpers, size, path, args)})
    finally:
        if results:
            print_report(results, args, time.perf_counter() - started)


def build_and_measure(helpers, size: int, path: Path, args) -> dict:
    url = None
    if args.postgresql:
        url = f"{args.postgres_server}/bench_lists_{os.getpid()}_{size}"
    database = helpers.throwaway_database(url, args.maintenance_db)
    url = database.__enter__()
    try:
        with tempfile.TemporaryDirectory(prefix="bench_lists-media-") as media:
            log(f"{size:,} services: building {url}")
            built = run_child({"step": "setup", "url": url, "media": media, "path": str(path)})
            log(f"{size:,} services: built in {sum(built['seconds'].values()):.0f} s; measuring")
            measured = measure_database(url, media, args)
    finally:
        if args.keep_database and args.postgresql:
            log(f"kept {url}: measure it again with --database-url {url}; drop it after")
        else:
            database.__exit__(None, None, None)
    return {"built": built, **measured}


def measure_database(url: str, media: str | None, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_lists-media-") as spare:
        spec = {
            "step": "measure",
            "url": url,
            "media": media or spare,
            "center_path": args.center_path,
            "filters": args.filters,
            "requests": args.requests,
            "budget": args.budget,
            "min_requests": args.min_requests,
            "open_now": args.open_now,
        }
        return run_child(spec)


def log(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def run_child(spec: dict) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--_step", json.dumps(spec)]
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, check=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def setup(url: str, media: str, path: str) -> dict:
    return bench_pages().setup(url, media, path)


# -- measuring, in a fresh process ------------------------------------------------------------


def measure(
    url: str,
    media: str,
    center_path: str,
    filters: str,
    requests: int,
    budget: float,
    min_requests: int,
    open_now: bool,
) -> dict:
    pages_module = bench_pages()
    # The lists themselves are measured, not the page cache (bench_load.py measures both).
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    pages_module.django_setup(url, media)
    from django.db import connection
    from django.test import Client

    from catalog.models import Service

    client = Client()
    rows = [select_one(connection, requests)]
    first = pages_module.get(client, DISTRICT_PATH).content.decode()
    district_pages = page_count(first)
    center_first = pages_module.get(client, center_path).content.decode()
    filtered_first = pages_module.get(client, f"{DISTRICT_PATH}?{filters}").content.decode()
    guide = pages_module.guide_urls(center_path, 1)[0]
    # As gunicorn's pre_fork does in production (gunicorn.conf.py): what is loaded by now
    # goes to the collector's permanent generation. Without it every few requests a full
    # collection walks the ~200,000 objects of Django and Wagtail (150-200 ms here), which
    # the served site does not pay and which was the p95 of the longer pages.
    gc.freeze()
    urls = [
        ("service guide (baseline)", guide),
        ("/fuwu/ first page", DISTRICT_PATH),
        ("/fuwu/ middle page", f"{DISTRICT_PATH}?page={max(1, district_pages // 2)}"),
        ("/fuwu/ last page", f"{DISTRICT_PATH}?page={district_pages}"),
        ("/fuwu/ one kind", f"{DISTRICT_PATH}?kind=market"),
        ("/fuwu/ filtered", f"{DISTRICT_PATH}?{filters}"),
        (
            "/fuwu/ filtered, last page",
            f"{DISTRICT_PATH}?{filters}&page={page_count(filtered_first)}",
        ),
        ("center list first page", center_path),
        ("center list middle page", f"{center_path}?page={max(1, page_count(center_first) // 2)}"),
    ]
    if open_now:
        urls.append(("/fuwu/ open now (Python filter)", f"{DISTRICT_PATH}?open_now=1"))
    for name, page_url in urls:
        log(f"  {name}: {page_url}")
        rows.append(measure_url(client, connection, name, page_url, requests, budget, min_requests))
    return {
        "rows": rows,
        "services": Service.objects.count(),
        "versions": versions(connection),
        "vendor": connection.vendor,
    }


def page_count(content: str) -> int:
    found = PAGES.search(content)
    return int(found.group(2)) if found else 1


def select_one(connection, requests: int) -> dict:
    times = []
    with connection.cursor() as cursor:
        for _ in range(max(requests, 100)):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            times.append((time.perf_counter() - started) * 1000)
    return summarise("SELECT 1 (baseline)", "—", times, None, None, None, None)


def measure_url(client, connection, name, url, requests, budget, min_requests) -> dict:
    get = bench_pages().get
    response = get(client, url)  # warm
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        get(client, url)
    gc.collect()
    times, spent = [], 0.0
    while len(times) < requests and (spent <= budget or len(times) < min_requests):
        started = time.perf_counter()
        get(client, url)
        elapsed = time.perf_counter() - started
        times.append(elapsed * 1000)
        spent += elapsed
    content = response.content.decode()
    listed = LISTED.search(content)
    pages = PAGES.search(content)
    return summarise(
        name,
        url,
        times,
        len(queries),
        len(response.content) / 1024,
        int(listed.group(1)) if listed else None,
        f"{pages.group(1)}/{pages.group(2)}" if pages else "1/1",
    )


def summarise(name, url, times, queries, kb, listed, page) -> dict:
    percentile = bench_pages().percentile
    return {
        "name": name,
        "url": url,
        "n": len(times),
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "queries": queries,
        "kb": kb,
        "listed": listed,
        "page": page,
    }


def versions(connection) -> str:
    import django
    import wagtail

    if connection.vendor == "postgresql":
        database = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    return f"Django {django.get_version()}, Wagtail {wagtail.__version__}, {database}"


# -- the report ----------------------------------------------------------------------------


def print_report(results: list[dict], args, seconds: float) -> None:
    tree = bench_pages().source_tree()
    first = results[0]
    vendor = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[first["vendor"]]
    print(f"\n### Service lists on {vendor}\n")
    print(
        f"{first['versions']}; working tree {tree}; {os.cpu_count()} CPUs; in-process "
        f"`django.test.Client`, test settings (DEBUG off, local-memory cache); up to "
        f"{args.requests} requests a URL in a row, at most {args.budget:.0f} s a URL. "
        "×: p95 over the service guide's p95 in the same run.\n"
    )
    print(
        "| list | services | page | listed | requests | p50 ms | p95 ms | p95 × guide "
        "| queries | HTML KB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        guide = next(row for row in result["rows"] if row["name"].startswith("service guide"))
        for row in result["rows"]:
            listed = "—" if row["listed"] is None else f"{row['listed']:,}"
            queries = "—" if row["queries"] is None else str(row["queries"])
            kb = "—" if row["kb"] is None else f"{row['kb']:.0f}"
            page = row["page"] or "—"
            print(
                f"| {row['name']} | {result['services']:,} | {page} | {listed} | {row['n']} "
                f"| {row['p50']:.1f} | {row['p95']:.1f} | {row['p95'] / guide['p95']:.2f} "
                f"| {queries} | {kb} |"
            )
    load = os.getloadavg()[0]
    print(f"\nWhole run: {seconds / 60:.1f} min; load average at the end {load:.2f}.")


if __name__ == "__main__":
    main()
