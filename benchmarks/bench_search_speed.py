#!/usr/bin/env python3
"""Measure the residents' search (search/) against Wagtail's stock database search.

    .venv/bin/python benchmarks/bench_search_speed.py                        # 10,000, SQLite
    .venv/bin/python benchmarks/bench_search_speed.py --database sqlite,postgresql
    .venv/bin/python benchmarks/bench_search_speed.py --services 10000,100000 \\
        --database postgresql --json > var/bench/search-speed.json

For each database and catalog size it builds a throwaway database (a temporary SQLite
file, or a PostgreSQL database created for the run and dropped after it, by default
``bench_search_speed_<pid>`` on ``postgres://postgres@127.0.0.1:5432``; see
``--postgres-url``), migrates it, loads the starter synonyms
(``search.seeding.load_synonym_seed``) and imports ``var/bench/services-N.json`` (made
with ``benchmarks/generate_services.py`` when missing; ~14.7 KB a record, so 100,000
records are 1.5 GB; ``--delete-generated`` removes the files this run made; ``--keep-database`` keeps a
PostgreSQL catalog for the next run, see below). The import
runs with search indexing off (the stock backend's ``AUTO_UPDATE`` and our
``services_written`` receiver), so that both indexes are then built from empty, each in
a fresh process and timed:

- ours: ``search.indexing.rebuild_index`` (jieba, pinyin; visible services and pages),
- stock: Wagtail's database backend (``wagtail.search.backends.get_search_backend``,
  i.e. ``modelsearch``) rebuilt for ``catalog.Service`` as ``update_index`` does it (its
  rebuilder, ``add_items`` a thousand rows at a time, then the title norms).

Then, in another fresh process, every query of the relevance set
(``benchmarks/relevance_set.json``) is run once to warm up and ``--repeat`` times timed,
interleaved query by query, through:

- ``run_query``: our backend and the hit dressing (highlights, facets, total) on a query
  analysed beforehand, no logging;
- ``search_catalog``: the same with the analysis (``SearchParameters``: jieba, synonyms)
  included, as the search page calls it (``log=False``);
- repeated: ``search_catalog`` again with the database backend's result cache on, as a
  search residents asked before is answered while the index is unchanged (the first two
  run with the cache off, so they measure the search itself);
- stock: ``backend.search(q, Service.objects.filter(status__in=VISIBLE_STATUSES))``, its
  first 10 results fetched as model instances.

On PostgreSQL, ``ANALYZE`` runs first (``--no-analyze`` skips it): fresh from the bulk
load the planner has no statistics, which autovacuum would have gathered in service.

With ``--keep-database`` the PostgreSQL database of each size is named
``bench_search_speed_keep_<N>`` (not dropped after the run) and, when it already holds
the N services and our index, used again without importing or indexing (the 100,000
catalog takes some 20 minutes to build on two cores): the report then gives no build
times. Its migrations are brought up to date first (search's 0011 fills in what the
index needs from the entries themselves); rebuild it (drop the database) after a change
to what the index stores of each service, or to the generator.

``--baseline REV`` (a git revision, or the path of another tree) compares two trees'
``search_catalog`` instead, on the kept PostgreSQL catalog of the size given
(``--keep-database`` is implied; the catalog must already be built): one long-lived
process per tree, each importing its own tree's code, asked the same query in turn, every
query once to warm up and ``--repeat`` times timed, the two alternated query by query
(and which goes first alternated too), with the result cache off. It prints p50, p95,
mean and max for each tree and the working tree's over the baseline's, the slowest
queries, and every query whose answer differs: its first page (service ids in order),
total, whether the total is a lower bound, mode, suggestion, corrected reading and facet
counts.

It prints p50 and p95 latency (ms) over all samples, the mean SQL queries a search makes,
the slowest queries with how many services each matches,
the ratio ours/stock measured in the same run, and the index build times. ``--json``
prints the same figures as JSON instead. A warning follows when the working tree changed
during the run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASES = ("sqlite", "postgresql")
STOCK_CHUNK = 1000  # rows per add_items, as update_index does
STOCK_FIX_NOTE = (
    "SQLite: the stock backend as shipped finds no Service at all (it stores object_id as "
    "a UUID with dashes, the service table holds 32 hex digits: they never compare equal); "
    "the stock figures are with its Service ids rewritten without dashes "
    "(`fix_stock_uuid_ids`; `--stock-as-shipped` skips it)"
)
ENGINES = ("run_query", "search_catalog", "cached", "stock")
SLOWEST = 10  # queries listed in the report, per database and size
LABELS = {
    "run_query": "ours, run_query",
    "search_catalog": "ours, search_catalog",
    "cached": "ours, repeated (result cache)",
    "stock": "stock (modelsearch)",
}


def helpers():
    """The throwaway-database and file helpers of benchmarks/bench_import.py (and the
    working-tree fingerprint and percentile of bench_pages.py)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import bench_import

    return bench_import


def bench_pages():
    helpers()
    from benchmarks import bench_pages

    return bench_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", default="10000", help="sizes, comma-separated")
    parser.add_argument(
        "--database", default="sqlite", help="sqlite, postgresql or both, comma-separated"
    )
    parser.add_argument(
        "--postgres-url",
        help="the PostgreSQL database to create and drop "
        f"(default {POSTGRES_SERVER}/bench_search_speed_<pid>)",
    )
    parser.add_argument("--maintenance-db", default="postgres")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query")
    parser.add_argument("--seed", type=int, default=1, help="of the generated catalogs")
    parser.add_argument("--bench-dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument(
        "--delete-generated", action="store_true", help="delete the files this run generated"
    )
    parser.add_argument(
        "--stock-as-shipped",
        action="store_true",
        help="skip the SQLite workaround that lets the stock backend match UUID ids",
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="PostgreSQL: time the queries without running ANALYZE after the import first",
    )
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="PostgreSQL: keep each size's catalog as bench_search_speed_keep_<N> and use it "
        "again when it is already built (no import or index build timed then)",
    )
    parser.add_argument(
        "--baseline",
        help="compare search_catalog of this tree (a git revision or a path) against the "
        "working tree's on the kept PostgreSQL catalog, interleaved query by query",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--_step", help=argparse.SUPPRESS)  # internal: one child process
    parser.add_argument("--_serve", help=argparse.SUPPRESS)  # internal: one tree's searches
    args = parser.parse_args()
    if args._serve:
        serve(**json.loads(args._serve))
        return
    if args._step:
        spec = json.loads(args._step)
        steps = {"setup": setup, "migrate": migrate, "index": build_index, "latency": latency}
        step = steps[spec.pop("step")]
        print(json.dumps(step(**spec)))
        return

    databases = [name.strip() for name in args.database.split(",") if name.strip()]
    if not databases or set(databases) - set(DATABASES):
        parser.error(f"--database: one or more of {', '.join(DATABASES)}")
    sizes = [int(size) for size in args.services.split(",") if size.strip()]
    if not sizes or min(sizes) < 1:
        parser.error("--services: positive sizes, comma-separated")
    if args.repeat < 1:
        parser.error("--repeat: at least 1")

    # Terminated: still print what was measured and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    if args.baseline:
        if len(sizes) != 1:
            parser.error("--baseline: one size")
        compare_trees(args.baseline, sizes[0], args)
        return
    tools = helpers()
    results, generated = [], []
    started = time.perf_counter()
    load_before = os.getloadavg()
    try:
        for size in sizes:
            path, made = tools.ensure_file(size, args.seed, args.bench_dir)
            if made:
                generated.append(path)
            for database in databases:
                tree = bench_pages().source_tree()
                result = measure_size(database, size, path, args)
                results.append({**result, "trees": sorted({tree, bench_pages().source_tree()})})
    finally:
        if results:
            environment = {
                "seconds": time.perf_counter() - started,
                "load": [load_before, os.getloadavg()],
                "repeat": args.repeat,
                "cpus": os.cpu_count(),
            }
            if args.json:
                print(
                    json.dumps(
                        {"runs": results, "environment": environment},
                        indent=2,
                        ensure_ascii=False,
                    )
                )
            else:
                print_report(results, environment)
        for path in generated if args.delete_generated else ():
            path.unlink(missing_ok=True)
            log(f"deleted {path}")


def postgres_url(given: str | None, purpose: str, per_run: bool = True) -> str:
    if per_run:
        purpose = f"{purpose}_{os.getpid()}"
    return given or f"{POSTGRES_SERVER}/bench_search_{purpose}"


def measure_size(database: str, size: int, path: Path, args) -> dict:
    """Build a database with ``size`` services and measure it, each step in a child."""
    if database == "postgresql" and args.keep_database:
        url = postgres_url(args.postgres_url, f"speed_keep_{size}", per_run=False)
        kept = kept_database(url, args.maintenance_db, size)
        if kept is not None:
            log(f"{database}, {size:,} services: using the kept database {kept}")
            run_child({"step": "migrate", "url": url})
            measured = run_child(latency_spec(url, args))
            return {"database": database, "size": size, "reused": kept, **measured}
        database_context = kept_database_created(url, args.maintenance_db)
    else:
        url = postgres_url(args.postgres_url, "speed") if database == "postgresql" else None
        database_context = helpers().throwaway_database(url, args.maintenance_db)
    with database_context as db_url:
        log(f"{database}, {size:,} services: migrating and importing")
        built = run_child({"step": "setup", "url": db_url, "path": str(path)})
        log(f"{database}, {size:,} services: imported in {built['seconds']['import']:.0f} s")
        indexes = {}
        for which in ("ours", "stock"):
            indexes[which] = run_child(
                {
                    "step": "index",
                    "url": db_url,
                    "which": which,
                    "stock_as_shipped": args.stock_as_shipped,
                }
            )
            log(
                f"{database}, {size:,} services: {which} index in {indexes[which]['seconds']:.1f} s"
            )
        log(f"{database}, {size:,} services: timing the queries")
        measured = run_child(latency_spec(db_url, args))
    return {"database": database, "size": size, **built, "indexes": indexes, **measured}


def latency_spec(url: str, args) -> dict:
    return {"step": "latency", "url": url, "repeat": args.repeat, "analyze": not args.no_analyze}


def kept_database(url: str, maintenance_db: str, size: int) -> str | None:
    """The name of the kept PostgreSQL database at ``url`` when it holds ``size`` services
    and our index of them (a build that was interrupted is not used), else None."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    maintenance = urlunsplit(urlsplit(url)._replace(path=f"/{maintenance_db}"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            return None
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            services = connection.execute("SELECT COUNT(*) FROM catalog_service").fetchone()[0]
            entries = connection.execute(
                "SELECT COUNT(*) FROM search_searchentry WHERE source = 'service'"
            ).fetchone()[0]
    except psycopg.Error:
        return None
    return name if services == size and entries else None


def kept_database_created(url: str, maintenance_db: str):
    """The named PostgreSQL database, created afresh (dropped first) and kept after."""

    class Kept(helpers().throwaway_database):
        def __exit__(self, *exc_info):
            if exc_info[0] is not None:  # half built: not to be used again
                self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
            else:
                log(f"kept the database {self.name}")

    return Kept(url, maintenance_db)


def log(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def run_child(spec: dict) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--_step", json.dumps(spec)]
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, check=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def django_setup(url: str) -> None:
    """Test settings (DEBUG off) on the throwaway database; the empty media folder the
    test settings make in each process is removed again."""
    helpers().django_setup(url)
    from django.conf import settings

    media = Path(settings.MEDIA_ROOT)
    made_here = media.is_dir() and media.name.startswith("jiamenkou-test-media-")
    if made_here and not any(media.iterdir()):
        media.rmdir()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# -- building a catalog, in its own process ---------------------------------------------


def setup(url: str, path: str | None) -> dict:
    """Migrate, load the starter synonyms and import ``path`` (None: the demo catalog)
    with search indexing off."""
    django_setup(url)
    from django.conf import settings
    from django.core.management import call_command

    from catalog.demo import CATALOG_PATH
    from catalog.hsds import import_services, iter_records
    from catalog.models import Service
    from catalog.signals import services_written
    from search.models import SynonymSet
    from search.seeding import load_synonym_seed

    path = path or str(CATALOG_PATH)

    seconds = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seconds["migrate"] = time.perf_counter() - started
    load_synonym_seed(SynonymSet)  # migration 0003 did it already; adds any new seed set

    # Both indexes are built afterwards, from empty and timed: the import leaves them be.
    backends = getattr(settings, "WAGTAILSEARCH_BACKENDS", {}) or {}
    settings.WAGTAILSEARCH_BACKENDS = {
        name: {**params, "AUTO_UPDATE": False} for name, params in backends.items()
    } or {"default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}}
    services_written.disconnect(dispatch_uid="search-bulk")

    started = time.perf_counter()
    summary = import_services(iter_records(path))
    seconds["import"] = time.perf_counter() - started
    return {
        "seconds": seconds,
        "source": path,
        "summary": str(summary),
        "services": Service.objects.count(),
        "synonym_sets": SynonymSet.objects.count(),
        "import_peak_rss_mb": peak_rss_mb(),
    }


def migrate(url: str) -> dict:
    """Bring a kept database's migrations up to date (timed)."""
    django_setup(url)
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    return {"seconds": time.perf_counter() - started}


def build_index(url: str, which: str, stock_as_shipped: bool = False) -> dict:
    """Build one index from empty (ours, or the stock backend's for Service), timed."""
    django_setup(url)
    warm_up = fix_seconds = 0.0
    fixed = False
    if which == "ours":
        from search.analysis import analyse, pinyin_tokens
        from search.backends import get_search_backend
        from search.indexing import rebuild_index

        # Loading jieba's dictionaries and OpenCC is timed apart: a one-off per process.
        started = time.perf_counter()
        analyse("預熱 养老服务 yanglao")
        pinyin_tokens(["养老服务"])
        warm_up = time.perf_counter() - started
        started = time.perf_counter()
        counts = rebuild_index(progress=False)
        seconds = time.perf_counter() - started
        entries = get_search_backend().document_count("service")
    else:
        started = time.perf_counter()
        counts = {"services": rebuild_stock_index()}
        seconds = time.perf_counter() - started
        if not stock_as_shipped:
            started = time.perf_counter()
            fixed = fix_stock_uuid_ids()
            fix_seconds = time.perf_counter() - started
        entries = stock_entry_count()
    return {
        "seconds": seconds,
        "analyser_load_seconds": warm_up,
        "uuid_fixed": fixed,
        "uuid_fix_seconds": fix_seconds,
        "counts": counts,
        "entries": entries,
        "peak_rss_mb": peak_rss_mb(),
    }


_STOCK_MODEL = None


def stock_model():
    """Service as Wagtail's stock search indexes it: a proxy with the search fields the
    catalog's Service had while it was in Wagtail's index too (search/ is now its only
    search), so the baseline is measured as before. Its entries are Service's (a proxy
    shares its concrete model's content type)."""
    global _STOCK_MODEL
    if _STOCK_MODEL is None:
        from wagtail.search import index

        from catalog.models import Service

        class StockService(index.Indexed, Service):
            search_fields = [
                index.SearchField("name", boost=3),
                index.SearchField("alternate_name", boost=2),
                index.SearchField("keywords", boost=2),
                index.SearchField("description"),
                index.FilterField("kind"),
                index.FilterField("status"),
            ]

            class Meta:
                proxy = True
                app_label = "catalog"

        # The search app adds its index entries' relation to the indexed models it finds
        # when the apps are ready; this one is made later, so it is given it here (the
        # PostgreSQL backend queries through it).
        from modelsearch.abstract_models import TextIDGenericRelation
        from wagtail.search.models import IndexEntry

        TextIDGenericRelation(IndexEntry).contribute_to_class(StockService, "index_entries")
        _STOCK_MODEL = StockService
    return _STOCK_MODEL


def rebuild_stock_index() -> int:
    """Rebuild the stock backend's index of Service from empty, as ``update_index`` does
    for each model (its rebuilder, chunks of a thousand rows, the title norms at the end),
    with keyset pagination in place of its OFFSET chunks."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from wagtail.search.backends import get_search_backend
    from wagtail.search.models import IndexEntry

    Service = stock_model()
    backend = get_search_backend()
    content_type = ContentType.objects.get_for_model(Service)
    IndexEntry.objects.filter(content_type=content_type).delete()
    rebuilder = backend.rebuilder_class(backend.get_index_for_model(Service))
    index = rebuilder.start()
    index.add_model(Service)
    count, last = 0, None
    with transaction.atomic():
        objects = Service.get_indexed_objects().order_by("pk")
        while True:
            chunk = list((objects.filter(pk__gt=last) if last else objects)[:STOCK_CHUNK])
            if not chunk:
                break
            index.add_items(Service, chunk)
            count += len(chunk)
            last = chunk[-1].pk
    rebuilder.finish()
    return count


def fix_stock_uuid_ids() -> bool:
    """Make the stock index usable for Service on SQLite (a workaround, not stock code).

    The stock backend stores ``object_id`` as ``str(pk)``, a UUID with dashes, and finds
    the matching rows with ``catalog_service.id IN (SELECT object_id ...)``; Django keeps
    a UUIDField on SQLite as 32 hex digits without dashes, so the two never compare equal
    and every stock search of Service on SQLite finds nothing. Storing the ids without
    dashes (as the column holds them) lets the stock query match; PostgreSQL compares
    them as UUIDs and needs nothing."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from wagtail.search.models import IndexEntry

    from catalog.models import Service

    if connection.vendor != "sqlite":
        return False
    content_type = ContentType.objects.get_for_model(Service)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {IndexEntry._meta.db_table} SET object_id = REPLACE(object_id, '-', '') "
            "WHERE content_type_id = %s",
            [content_type.pk],
        )
    return True


def stock_entry_count() -> int:
    from django.contrib.contenttypes.models import ContentType
    from wagtail.search.models import IndexEntry

    from catalog.models import Service

    content_type = ContentType.objects.get_for_model(Service)
    return IndexEntry.objects.filter(content_type=content_type).count()


# -- the searches both sides run ----------------------------------------------------------


def load_queries() -> list[dict]:
    helpers()
    from benchmarks.relevance import load_relevance_set

    return list(load_relevance_set())


def stock_searcher():
    """A function running the stock backend on the visible services, first 10 as models."""
    from wagtail.search.backends import get_search_backend

    from catalog.filters import VISIBLE_STATUSES

    Service = stock_model()
    backend = get_search_backend()

    def search(query: str, *, limit: int = 10) -> list:
        visible = Service.objects.filter(status__in=VISIBLE_STATUSES)
        return list(backend.search(query, visible)[:limit])

    return search


# -- timing the queries, in a fresh process --------------------------------------------


def latency(url: str, repeat: int, analyze: bool = True) -> dict:
    django_setup(url)
    import django
    import wagtail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from search.backends import get_search_backend
    from search.backends.database import RESULT_CACHE_SECONDS
    from search.catalog import SearchParameters, run_query, search_catalog

    analyzed = analyze and connection.vendor == "postgresql"
    if analyzed:
        # Fresh from a bulk load, the planner has no statistics (it takes the catalog for
        # a few rows and picks nested loops); autovacuum analyses such tables within a
        # minute or so in service, so measure as it would have left them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    entries = load_queries()
    stock = stock_searcher()
    backend = get_search_backend()

    def call(engine: str, text: str, prepared):
        # Ours answers uncached, except "cached": the same search asked again while the
        # index is unchanged (its warm-up run filled the cache).
        backend.params["RESULT_CACHE_SECONDS"] = RESULT_CACHE_SECONDS if engine == "cached" else 0
        if engine == "cached":
            return len(search_catalog({"q": text}, log=False)[0].hits)
        if engine == "run_query":
            return len(run_query(prepared).hits)
        if engine == "search_catalog":
            return len(search_catalog({"q": text}, log=False)[0].hits)
        return len(stock(text))

    samples = {engine: [] for engine in ENGINES}
    per_query = []
    for entry in entries:
        text = entry["query"]
        prepared = SearchParameters({"q": text}).read()
        row = {"query": text, "category": entry.get("category", ""), "sql": {}, "hits": {}}
        errors = {}
        for engine in ENGINES:  # warm-up run, counting its SQL queries
            try:
                if engine == "cached":  # its queries counted as the timed runs make them
                    call(engine, text, prepared)
                with CaptureQueriesContext(connection) as queries:
                    row["hits"][engine] = call(engine, text, prepared)
                row["sql"][engine] = len(queries.captured_queries)
            except Exception as error:  # a query the engine cannot parse: reported
                errors[engine] = f"{type(error).__name__}: {error}"[:200]
                connection.close()  # a failed statement may leave the transaction broken
        backend.params["RESULT_CACHE_SECONDS"] = 0
        # How many services match, counted past the bound the search stops counting at.
        bound = backend.params.pop("COUNT_BOUND", None)
        backend.params["COUNT_BOUND"] = 0
        row["matches"] = search_catalog({"q": text}, log=False)[0].total
        backend.params.pop("COUNT_BOUND")
        if bound is not None:
            backend.params["COUNT_BOUND"] = bound
        times = {engine: [] for engine in ENGINES if engine not in errors}
        gc.collect()
        for _ in range(repeat):
            for engine in times:
                started = time.perf_counter()
                call(engine, text, prepared)
                times[engine].append((time.perf_counter() - started) * 1000)
        for engine, values in times.items():
            samples[engine] += values
        row["median_ms"] = {engine: median(values) for engine, values in times.items()}
        if errors:
            row["errors"] = errors
        per_query.append(row)

    percentile = bench_pages().percentile
    engines = {}
    for engine in ENGINES:
        values = samples[engine]
        answered = [row for row in per_query if engine in row["sql"]]
        slowest = max(answered, key=lambda row: row["median_ms"][engine], default=None)
        engines[engine] = {
            "n": len(values),
            "p50": percentile(values, 0.50) if values else None,
            "p95": percentile(values, 0.95) if values else None,
            "mean": sum(values) / len(values) if values else None,
            "max": max(values, default=None),
            "sql_mean": (
                sum(row["sql"][engine] for row in answered) / len(answered) if answered else None
            ),
            "zero_results": sum(1 for row in answered if not row["hits"][engine]),
            "errors": sum(1 for row in per_query if engine in row.get("errors", {})),
            "slowest": slowest and {"query": slowest["query"], "ms": slowest["median_ms"][engine]},
        }
    if connection.vendor == "postgresql":
        database = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    versions = f"Python {platform.python_version()}, Django {django.get_version()}"
    versions += f", Wagtail {wagtail.__version__}, {database}"
    return {
        "queries": len(entries),
        "engines": engines,
        "per_query": per_query,
        "versions": versions,
        "analyzed": analyzed,
        "latency_peak_rss_mb": peak_rss_mb(),
    }


def median(values: list[float]) -> float:
    return bench_pages().percentile(values, 0.5)


# -- two trees compared, query by query ------------------------------------------------------


def serve(tree: str, url: str, analyze: bool = False) -> None:
    """One tree's ``search_catalog`` on ``url``, answering the parent a JSON line per query
    read from standard input: the milliseconds it took (timed here, without the pipe)
    and the answer (:func:`answer_of`). The tree's own code is imported (it comes first
    on the path), not the working tree's."""
    # Whatever the code prints goes to standard error: standard output carries answers.
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    root = Path(tree)
    sys.path[:0] = [str(root / "site"), str(root)]
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiamenkou.settings.test"
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("ELASTICSEARCH_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    import search

    media = Path(settings.MEDIA_ROOT)  # the empty folder the test settings make
    if media.name.startswith("jiamenkou-test-media-") and not any(media.iterdir()):
        media.rmdir()
    from search.backends import get_search_backend
    from search.catalog import search_catalog

    if analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    backend = get_search_backend()
    backend.params["RESULT_CACHE_SECONDS"] = 0
    answers.write(json.dumps({"code": str(Path(search.__file__).parent)}) + "\n")
    for line in sys.stdin:
        text = json.loads(line)["query"]
        gc.collect()
        started = time.perf_counter()
        result, _ = search_catalog({"q": text}, log=False)
        milliseconds = (time.perf_counter() - started) * 1000
        answers.write(json.dumps({"ms": milliseconds, "answer": answer_of(result)}) + "\n")


def answer_of(result) -> dict:
    """What a resident sees of a search's first page, to compare two trees by."""
    correction = getattr(result, "correction", None)
    return {
        "ids": [str(hit.service.pk) for hit in result.hits],
        "total": result.total,
        "lower_bound": bool(getattr(result, "total_is_lower_bound", False)),
        "mode": str(result.mode),
        "suggestion": result.suggestion,
        "correction": correction.analysed.text if correction else "",
        "facets": {
            facet: [[value.value, value.count] for value in values]
            for facet, values in sorted(result.facets.items())
        },
    }


class TreeProcess:
    """A child process serving one tree's searches (:func:`serve`)."""

    def __init__(self, tree: Path, url: str, analyze: bool):
        spec = json.dumps({"tree": str(tree), "url": url, "analyze": analyze})
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--_serve", spec],
            cwd=tree,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.code = self._read()["code"]

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            sys.exit(f"the search process of {self.code_or_tree()} ended")
        return json.loads(line)

    def code_or_tree(self) -> str:
        return getattr(self, "code", "a tree")

    def search(self, text: str) -> dict:
        self.process.stdin.write(json.dumps({"query": text}) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def baseline_tree(given: str, into: Path) -> Path:
    """The tree to compare against: ``given`` itself when it is a folder, else the files
    of that git revision of this repository, exported into ``into``."""
    if Path(given).is_dir():
        return Path(given).resolve()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", given], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def compare_trees(baseline: str, size: int, args) -> None:
    """``--baseline``: the baseline's and the working tree's ``search_catalog`` on the kept
    catalog of ``size`` services, alternated query by query (see the module's doc)."""
    import tempfile

    url = postgres_url(args.postgres_url, f"speed_keep_{size}", per_run=False)
    if kept_database(url, args.maintenance_db, size) is None:
        sys.exit(f"--baseline: no built catalog of {size:,} services at {url} (--keep-database)")
    entries = load_queries()
    percentile = bench_pages().percentile
    load_before, started = os.getloadavg(), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as folder:
        tree = baseline_tree(baseline, Path(folder))
        # The working tree's migrations; the baseline's code reads the same tables.
        run_child({"step": "migrate", "url": url})
        sides = {
            "baseline": TreeProcess(tree, url, analyze=False),
            "working": TreeProcess(ROOT, url, analyze=not args.no_analyze),
        }
        for name, side in sides.items():
            log(f"{name}: {side.code}")
        samples = {name: [] for name in sides}
        rows = []
        try:
            for position, entry in enumerate(entries):
                text = entry["query"]
                warm = {name: side.search(text)["answer"] for name, side in sides.items()}
                times = {name: [] for name in sides}
                for run in range(args.repeat):
                    order = list(sides) if (position + run) % 2 == 0 else list(sides)[::-1]
                    for name in order:
                        times[name].append(sides[name].search(text)["ms"])
                for name, values in times.items():
                    samples[name] += values
                differs = sorted(
                    key for key in warm["baseline"] if warm["baseline"][key] != warm["working"][key]
                )
                rows.append(
                    {
                        "query": text,
                        "category": entry.get("category", ""),
                        "median_ms": {name: median(values) for name, values in times.items()},
                        "total": warm["working"]["total"],
                        "differs": differs,
                        "answers": warm if differs else None,
                    }
                )
                if (position + 1) % 100 == 0:
                    log(f"{position + 1} of {len(entries)} queries")
        finally:
            for side in sides.values():
                side.close()
    figures = {
        name: {
            "n": len(values),
            "p50": percentile(values, 0.50),
            "p95": percentile(values, 0.95),
            "mean": sum(values) / len(values),
            "max": max(values),
        }
        for name, values in samples.items()
        if values
    }
    report = {
        "baseline": baseline,
        "size": size,
        "queries": len(rows),
        "repeat": args.repeat,
        "figures": figures,
        "per_query": rows,
        "load": [load_before, os.getloadavg()],
        "seconds": time.perf_counter() - started,
        "tree": bench_pages().source_tree(),
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_comparison(report)


def print_comparison(report: dict) -> None:
    figures = report["figures"]
    print(
        f"\n### search_catalog, baseline {report['baseline']} against the working tree "
        f"({report['tree']}), {report['size']:,} services on PostgreSQL\n"
    )
    print(
        f"{report['queries']} queries of the relevance set, each once to warm up, then "
        f"{report['repeat']} times timed, the two trees alternated query by query; result "
        "cache off; ms over all samples.\n"
    )
    print("| tree | samples | p50 ms | p95 ms | mean ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in ("baseline", "working"):
        f = figures[name]
        print(
            f"| {name} | {f['n']} | {f['p50']:.1f} | {f['p95']:.1f} | {f['mean']:.1f} "
            f"| {f['max']:.1f} |"
        )
    print(
        "| working / baseline | | "
        + " | ".join(
            ratio(figures["working"][key], figures["baseline"][key])
            for key in ("p50", "p95", "mean", "max")
        )
        + " |"
    )
    rows = sorted(report["per_query"], key=lambda row: -row["median_ms"]["working"])
    print(f"\nThe {SLOWEST} slowest queries of the working tree (median of their runs):\n")
    print("| query | kind | total | baseline ms | working ms |")
    print("|---|---|---:|---:|---:|")
    for row in rows[:SLOWEST]:
        print(
            f"| {row['query']} | {row['category']} | {row['total']:,} "
            f"| {row['median_ms']['baseline']:.1f} | {row['median_ms']['working']:.1f} |"
        )
    differing = [row for row in report["per_query"] if row["differs"]]
    if differing:
        print(f"\n**{len(differing)} queries answered differently:**\n")
        for row in differing:
            print(f"- {row['query']}: {', '.join(row['differs'])}")
            for key in row["differs"]:
                print(f"  - baseline {key}: {row['answers']['baseline'][key]}")
                print(f"  - working  {key}: {row['answers']['working'][key]}")
    else:
        print(
            f"\nAll {report['queries']} answers identical (first page, total, lower bound, "
            "mode, suggestion, correction, facet counts)."
        )
    before, after = report["load"]
    print(
        f"\nWhole run: {report['seconds'] / 60:.1f} min; load average {before[0]:.2f} "
        f"before, {after[0]:.2f} after."
    )


# -- the report ----------------------------------------------------------------------------


def print_report(results: list[dict], environment: dict) -> None:
    trees = sorted({tree for result in results for tree in result["trees"]})
    print("\n### Search speed: ours (search/) against Wagtail's stock database backend\n")
    for version in sorted({result["versions"] for result in results}):
        print(f"- {version}")
    print(
        f"\nWorking tree {', '.join(trees)}; {environment['cpus']} CPUs; each relevance-set "
        f"query run once to warm up, then {environment['repeat']} times, the engines "
        "interleaved; ms over all samples. run_query: our backend + hit dressing "
        "(highlights, total, facets) on a query analysed beforehand; search_catalog: the "
        "same plus the analysis (jieba, synonyms), as the search page runs it, no logging; "
        "both with the result cache off; repeated: search_catalog with the result cache on, "
        "the query asked before (the local-memory cache unless REDIS_URL is set); "
        "stock: `backend.search(q, visible services)[:10]` as model instances. "
        "×: ours over stock, same run.\n"
    )
    print(
        "| database | services | engine | queries | samples | p50 ms | p95 ms | mean ms "
        "| max ms | SQL / search | no result | errors | p50 × | p95 × |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        stock = result["engines"]["stock"]
        for engine in ENGINES:
            figures = result["engines"][engine]
            ratios = ("—", "—")
            if engine != "stock":
                ratios = (
                    ratio(figures["p50"], stock["p50"]),
                    ratio(figures["p95"], stock["p95"]),
                )
            print(
                f"| {result['database']} | {result['size']:,} | {LABELS[engine]} "
                f"| {result['queries']} | {figures['n']} | {number(figures['p50'])} "
                f"| {number(figures['p95'])} | {number(figures['mean'])} "
                f"| {number(figures['max'])} | {number(figures['sql_mean'])} "
                f"| {figures['zero_results']} | {figures['errors']} | {ratios[0]} | {ratios[1]} |"
            )
    print("\nSlowest query (median of its runs), per engine:\n")
    print("| database | services | engine | query | ms |")
    print("|---|---:|---|---|---:|")
    for result in results:
        for engine in ENGINES:
            slowest = result["engines"][engine]["slowest"]
            if slowest:
                print(
                    f"| {result['database']} | {result['size']:,} | {LABELS[engine]} "
                    f"| {slowest['query']} | {slowest['ms']:.1f} |"
                )
    print(
        f"\nThe {SLOWEST} slowest queries through search_catalog (median of its runs), with "
        "how many services each matches (the total the page shows):\n"
    )
    print("| database | services | query | kind | matches | search_catalog ms | run_query ms |")
    print("|---|---:|---|---|---:|---:|---:|")
    for result in results:
        answered = [row for row in result["per_query"] if "search_catalog" in row["median_ms"]]
        answered.sort(key=lambda row: -row["median_ms"]["search_catalog"])
        for row in answered[:SLOWEST]:
            print(
                f"| {result['database']} | {result['size']:,} | {row['query']} "
                f"| {row['category']} | {row.get('matches', 0):,} "
                f"| {row['median_ms']['search_catalog']:.1f} "
                f"| {number(row['median_ms'].get('run_query'))} |"
            )
    built = [result for result in results if "indexes" in result]
    for result in results:
        if "reused" in result:
            print(
                f"\n{result['database']}, {result['size']:,}: the kept database "
                f"{result['reused']} was used again (`--keep-database`): no build times."
            )
    if built:
        print(
            "\nBuilding the indexes from empty (seconds; each in a fresh process, peak RSS in MB), "
            "after the import (indexing off). Ours indexes the visible services (defunct ones "
            "left out), the stock one every service; loading jieba and OpenCC (analyser load) is "
            "not in ours' time:\n"
        )
        print(
            "| database | services | import s | ours: rebuild_index s | analyser load s | entries "
            "| peak RSS | stock: Service s | entries | peak RSS | ours × | synonym sets |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for result in built:
            ours, stock = result["indexes"]["ours"], result["indexes"]["stock"]
            print(
                f"| {result['database']} | {result['size']:,} | {result['seconds']['import']:.1f} "
                f"| {ours['seconds']:.1f} | {ours['analyser_load_seconds']:.1f} | {ours['entries']:,} "
                f"| {ours['peak_rss_mb']:,.0f} "
                f"| {stock['seconds']:.1f} | {stock['entries']:,} | {stock['peak_rss_mb']:,.0f} "
                f"| {ratio(ours['seconds'], stock['seconds'])} | {result['synonym_sets']} |"
            )
    errors = [
        (result, row) for result in results for row in result["per_query"] if row.get("errors")
    ]
    if errors:
        print("\nQueries an engine failed on (left out of its timings):\n")
        for result, row in errors:
            for engine, error in row["errors"].items():
                print(
                    f"- {result['database']}, {result['size']:,}: {engine}, “{row['query']}”: {error}"
                )
    analyzed = [result for result in results if result.get("analyzed")]
    if analyzed:
        print(
            "\nPostgreSQL: `ANALYZE` ran before the queries were timed (as autovacuum does "
            "soon after a bulk load; `--no-analyze` skips it)."
        )
    fixed = [result for result in built if result["indexes"]["stock"].get("uuid_fixed")]
    if fixed:
        print(
            f"\n{STOCK_FIX_NOTE} (done after the timed stock build, in "
            + ", ".join(
                f"{r['indexes']['stock']['uuid_fix_seconds']:.1f} s at {r['size']:,}" for r in fixed
            )
            + ")."
        )
    if len(trees) > 1:
        print(
            "\n**Warning: the working tree changed during the run** "
            f"({', '.join(trees)}): the runs may not compare the same code; run it again."
        )
    before, after = environment["load"]
    print(
        f"\nWhole run: {environment['seconds'] / 60:.1f} min; load average "
        f"{before[0]:.2f} before, {after[0]:.2f} after."
    )


def number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def ratio(value: float | None, baseline: float | None) -> str:
    return f"{value / baseline:.2f}" if value is not None and baseline else "—"


if __name__ == "__main__":
    main()
