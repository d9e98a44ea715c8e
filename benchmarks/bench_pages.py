#!/usr/bin/env python3
"""Measure the latency of the resident-facing service pages as the catalog grows.

    .venv/bin/python benchmarks/bench_pages.py                    # 200 and 10000, SQLite
    .venv/bin/python benchmarks/bench_pages.py --services 200,10000,100000 \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_pages
    .venv/bin/python benchmarks/bench_pages.py --requests 20 --budget 10   # quicker

For each catalog size it builds a throwaway database (a temporary SQLite file, or with
``--database-url`` the PostgreSQL database named there, created for the size and dropped
after it; never ``var/db.sqlite3``, ``postgres`` or ``test_*``), migrates it, loads the
demo district (``load_district``), imports the services and creates the service list
pages (``load_service_list_pages``). The 200 size is the demo catalog shipped with the
project (``catalog/demo/data/catalog-hsds.json``); any other size is
``var/bench/services-N.json``, made with ``benchmarks/generate_services.py`` when
missing (~14.7 KB a record: 100,000 records are 1.5 GB; ``--delete-generated`` removes
the files this run made). The generated services are offered at the 9 demo centers.
Databases and files are made with the helpers of ``benchmarks/bench_import.py``
(``throwaway_database``, ``ensure_file``, ``django_setup``), as the import benchmark does.

Then, in a fresh process and with ``django.test.Client`` (in process: no network, no
server; test settings, DEBUG off, local-memory cache warmed by one request per URL), it
requests ``--requests`` times in a row each (after one request per URL to warm the
caches and one to count its SQL queries, ``CaptureQueriesContext``, outside the timings):

- a center's service list (``--center-path``, default ``/chunhua/haitangyuan/fuwu/``),
- the same list filtered (``?topic=elderly_care&cost=free``),
- a service guide of that center (``--guides`` ids: the center's visible services in id
  order, evenly spaced, so the same catalog always gives the same ids),
- the district-wide list ``/fuwu/``, which lists every service, unpaginated. It is
  reported in a table of its own.

A page stops being requested once it has used ``--budget`` seconds and has at least
``--min-requests`` samples, so that a list of 100,000 services does not run for hours;
the table gives the number of requests each figure comes from.

It prints, for each page and size: p50 and p95 latency (ms), SQL queries per request,
the HTML size, the number of services the page lists, and each figure as a multiple of
the same page measured on the 200-service demo catalog in the same run (the baseline,
always measured). The tables are Markdown, ready to paste into the README. A warning
follows them when the working tree (commit, changes and new files) changed during the
run, since the sizes would then not compare the same code.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import platform
import re
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = 200  # the demo catalog
CENTER_PATH = "/chunhua/haitangyuan/fuwu/"
DISTRICT_PATH = "/fuwu/"
FILTERS = "topic=elderly_care&cost=free"
PAGES = ("center list", "center list, filtered", "service guide", "district list")
LISTED = re.compile(r"共 (\d+) 项服务")


def bench_import():
    """The throwaway-database helpers of benchmarks/bench_import.py, shared with it."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import bench_import

    return bench_import


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", default="200,10000", help="sizes, comma-separated")
    parser.add_argument("--requests", type=int, default=50, help="requests per page")
    parser.add_argument(
        "--budget", type=float, default=30, help="seconds per page and size, at most"
    )
    parser.add_argument("--min-requests", type=int, default=5, help="even over budget")
    parser.add_argument("--guides", type=int, default=10, help="service guide ids to cycle")
    parser.add_argument("--center-path", default=CENTER_PATH)
    parser.add_argument("--filters", default=FILTERS, help="query string of the filtered list")
    parser.add_argument("--database-url", help="a PostgreSQL database to create and drop")
    parser.add_argument("--maintenance-db", default="postgres")
    parser.add_argument("--seed", type=int, default=1, help="of the generated catalogs")
    parser.add_argument("--bench-dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument(
        "--delete-generated", action="store_true", help="delete the files this run generated"
    )
    parser.add_argument("--_step", help=argparse.SUPPRESS)  # internal: one child process
    args = parser.parse_args()
    if args._step:
        spec = json.loads(args._step)
        step = {"setup": setup, "measure": measure}[spec.pop("step")]
        print(json.dumps(step(**spec)))
        return

    # Terminated, still print what was measured and drop the database (the child dies
    # with the parent: subprocess.run kills it when interrupted).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    helpers = bench_import()
    sizes = sorted({BASELINE, *(int(size) for size in args.services.split(",") if size.strip())})
    results, generated = [], []
    started = time.perf_counter()
    load_before = os.getloadavg()
    try:
        for size in sizes:
            path = None  # the baseline: the demo catalog
            if size != BASELINE:
                # Looked up only now: a file shared with other benchmarks may come and go.
                path, made = helpers.ensure_file(size, args.seed, args.bench_dir)
                if made:
                    generated.append(path)
            tree = source_tree()
            result = {"size": size, **measure_size(helpers, size, path, args)}
            results.append({**result, "trees": {tree, source_tree()}})
    finally:
        if results:
            environment = {
                "seconds": time.perf_counter() - started,
                "load": (load_before, os.getloadavg()),
                "requests": args.requests,
                "budget": args.budget,
            }
            print_report(results, environment)
        for path in generated if args.delete_generated else ():
            path.unlink(missing_ok=True)
            log(f"deleted {path}")


def measure_size(helpers, size: int, path: Path | None, args) -> dict:
    """Build a database with ``size`` services and measure it, each in a child process."""
    with (
        helpers.throwaway_database(args.database_url, args.maintenance_db) as url,
        tempfile.TemporaryDirectory(prefix="bench_pages-media-") as media,
    ):
        log(f"{size} services: building the database")
        spec = {"url": url, "media": media}
        built = run_child({"step": "setup", **spec, "path": path and str(path)})
        log(f"{size} services: built in {sum(built['seconds'].values()):.0f} s; measuring")
        measured = run_child(
            {
                "step": "measure",
                **spec,
                "center_path": args.center_path,
                "filters": args.filters,
                "requests": args.requests,
                "budget": args.budget,
                "min_requests": args.min_requests,
                "guides": args.guides,
            }
        )
    return {**built, **measured}


def source_tree() -> str:
    """A fingerprint of the working tree (commit, changes, new files): the code measured."""
    digest = hashlib.sha1()
    for command in (["rev-parse", "HEAD"], ["diff", "HEAD"]):
        git = subprocess.run(["git", *command], cwd=ROOT, capture_output=True, check=False)
        digest.update(git.stdout)
    new = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    for name in sorted(filter(None, new.stdout.split(b"\0"))):
        digest.update(name)
        file = ROOT / os.fsdecode(name)
        digest.update(file.read_bytes() if file.is_file() else b"")
    return digest.hexdigest()[:12]


def log(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def run_child(spec: dict) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--_step", json.dumps(spec)]
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, check=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def django_setup(url: str, media: str) -> None:
    """Test settings (DEBUG off, local-memory cache) on the throwaway database; uploaded
    files (the centers' demo images) go to the run's temporary media folder."""
    bench_import().django_setup(url)
    from django.conf import settings

    test_media = Path(settings.MEDIA_ROOT)  # an empty folder the test settings made
    settings.MEDIA_ROOT = media
    if test_media != Path(media) and not any(test_media.iterdir()):
        test_media.rmdir()


# -- building one catalog, in its own process -----------------------------------------------


def setup(url: str, media: str, path: str | None) -> dict:
    django_setup(url, media)
    from django.core.management import call_command

    from catalog import hsds
    from catalog.demo import CATALOG_PATH, load_service_list_pages
    from district.demo.loader import load_district

    # The records file is opened first, so that it may be deleted while this runs.
    source = Path(path) if path else CATALOG_PATH
    if hasattr(hsds, "iter_records"):
        records = hsds.iter_records(source)
    else:
        records = hsds.parse_json(source.read_bytes())

    seconds = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seconds["migrate"] = time.perf_counter() - started

    started = time.perf_counter()
    load_district(password=secrets.token_urlsafe(12))
    seconds["district"] = time.perf_counter() - started

    started = time.perf_counter()
    summary = hsds.import_services(records)
    seconds["import"] = time.perf_counter() - started

    started = time.perf_counter()
    load_service_list_pages()
    seconds["pages"] = time.perf_counter() - started
    return {"seconds": seconds, "summary": str(summary), "source": str(source)}


# -- measuring, in a fresh process ------------------------------------------------------------


def measure(
    url: str,
    media: str,
    center_path: str,
    filters: str,
    requests: int,
    budget: float,
    min_requests: int,
    guides: int,
) -> dict:
    django_setup(url, media)
    import django
    import wagtail
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    urls = {
        "center list": [center_path],
        "center list, filtered": [f"{center_path}?{filters}"],
        "service guide": guide_urls(center_path, guides),
        "district list": [DISTRICT_PATH],
    }
    pages = {}
    for name, page_urls in urls.items():
        log(f"  {name}")
        # One request per URL warms the caches; one more counts its queries, warm.
        responses = [get(client, page_url) for page_url in page_urls]
        counts = []
        for page_url in page_urls:
            with CaptureQueriesContext(connection) as queries:
                get(client, page_url)
            counts.append(len(queries.captured_queries))
        gc.collect()
        times, spent = [], 0.0
        while len(times) < requests and (spent <= budget or len(times) < min_requests):
            started = time.perf_counter()
            get(client, page_urls[len(times) % len(page_urls)])
            elapsed = time.perf_counter() - started
            times.append(elapsed * 1000)
            spent += elapsed
        listed = LISTED.search(responses[0].content.decode())
        pages[name] = {
            "url": page_urls[0],
            "urls": len(page_urls),
            "kb": sum(len(response.content) for response in responses) / len(responses) / 1024,
            "listed": int(listed.group(1)) if listed else None,
            "n": len(times),
            "p50": percentile(times, 0.50),
            "p95": percentile(times, 0.95),
            "queries": (min(counts), max(counts)),
        }
        del responses
    if connection.vendor == "postgresql":
        database = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    versions = f"Python {platform.python_version()}, Django {django.get_version()}"
    versions += f", Wagtail {wagtail.__version__}, {database}"
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "pages": pages,
        "versions": versions,
        "vendor": connection.vendor,
        "peak_rss_mb": peak_rss_mb,
    }


def guide_urls(center_path: str, count: int) -> list[str]:
    """Guides of ``count`` of the center's visible services, evenly spaced in id order."""
    from catalog.filters import VISIBLE_STATUSES
    from catalog.models import ServiceListPage

    page = ServiceListPage.objects.get(url_path__endswith=center_path)
    ids = list(
        page.base_services(page.get_center())
        .filter(status__in=VISIBLE_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        raise SystemExit(f"{center_path}: the center offers no service to open a guide of")
    step = len(ids) / min(count, len(ids))
    return [f"{center_path}{ids[int(i * step)]}/" for i in range(min(count, len(ids)))]


def get(client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: HTTP {response.status_code}")
    return response


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# -- the report ----------------------------------------------------------------------------


def print_report(results: list[dict], environment: dict) -> None:
    baseline = results[0]
    vendor = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[baseline["vendor"]]
    sizes = ", ".join(f"{result['size']:,}" for result in results)
    trees = set().union(*(result["trees"] for result in results))
    print(f"\n### Service pages on {vendor}: {sizes} services\n")
    print(
        f"{baseline['versions']}; working tree {', '.join(sorted(trees))}; "
        f"{os.cpu_count()} CPUs; in-process `django.test.Client`, "
        f"test settings (DEBUG off, local-memory cache, warmed); up to "
        f"{environment['requests']} requests a page in a row, at most "
        f"{environment['budget']:.0f} s a page. ×: the figure over the same page's on the "
        f"{BASELINE}-service demo catalog, measured in the same run.\n"
    )
    print_table(results, [name for name in PAGES if name != "district list"])
    print(
        f"\nDistrict-wide list `{DISTRICT_PATH}` (every service of the district on one page, "
        "unpaginated):\n"
    )
    print_table(results, ["district list"])

    print(
        "\nBuilding each database (seconds), and the peak memory of the measuring process "
        "(resident set, MB; the largest page sets it):\n"
    )
    print(
        "| services | migrate | district | import | service list pages | measuring, peak RSS "
        "| import summary |"
    )
    print("|---:|---:|---:|---:|---:|---:|---|")
    for result in results:
        seconds = result["seconds"]
        print(
            f"| {result['size']:,} | {seconds['migrate']:.1f} | {seconds['district']:.1f} "
            f"| {seconds['import']:.1f} | {seconds['pages']:.1f} | {result['peak_rss_mb']:,.0f} "
            f"| {result['summary']} |"
        )
    if len(trees) > 1:
        print(
            "\n**Warning: the working tree changed during the run** (the code measured: "
            + "; ".join(f"{r['size']:,}: {', '.join(sorted(r['trees']))}" for r in results)
            + "). The sizes do not compare the same code: run it again."
        )
    before, after = environment["load"]
    print(
        f"\nWhole run: {environment['seconds'] / 60:.1f} min; load average "
        f"{before[0]:.2f} before, {after[0]:.2f} after."
    )


def print_table(results: list[dict], names: list[str]) -> None:
    print(
        "| page | services | listed | requests | p50 ms | p95 ms | queries | HTML KB "
        "| p50 × | p95 × | queries × |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    base = results[0]["pages"]
    for name in names:
        for result in results:
            page = result["pages"][name]
            low, high = page["queries"]
            queries = str(low) if low == high else f"{low}–{high}"
            listed = "—" if page["listed"] is None else f"{page['listed']:,}"
            label = name if page["urls"] == 1 else f"{name} ({page['urls']} ids)"
            print(
                f"| {label} | {result['size']:,} | {listed} | {page['n']} "
                f"| {page['p50']:.1f} | {page['p95']:.1f} | {queries} | {page['kb']:,.0f} "
                f"| {ratio(page['p50'], base[name]['p50'])} "
                f"| {ratio(page['p95'], base[name]['p95'])} "
                f"| {ratio(high, base[name]['queries'][1])} |"
            )


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}" if baseline else "—"


if __name__ == "__main__":
    main()
