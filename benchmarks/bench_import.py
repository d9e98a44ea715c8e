#!/usr/bin/env python3
"""Benchmark the HSDS import against a throwaway database.

    .venv/bin/python benchmarks/bench_import.py                       # 1000 and 10000, SQLite
    .venv/bin/python benchmarks/bench_import.py --services 1000,10000,100000
    .venv/bin/python benchmarks/bench_import.py --services 10000 \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_import

For each size it imports ``var/bench/services-N.json`` (made with
``benchmarks/generate_services.py`` when missing; ~14.7 KB a record, so 100,000 records
are 1.5 GB) into an empty catalog and prints: the time to read and check the file
(streamed with ``iter_records``), the time to write it, the total, services per second
and the peak memory (resident set) of the importing process. ``--updates`` also times a
second import of the same file, which updates every row in place.

The baseline is the original writer, one ``update_or_create``/``create`` per row
(``benchmarks/baseline_import.py``), run in the same session on ``--baseline-services``
records (default 1000; 0 to skip), and the new writer's speed is given as a multiple of
it.

The database is never the project's: without ``--database-url`` it is a temporary SQLite
file, deleted afterwards. With a PostgreSQL URL the database named there (e.g.
``bench_import``, never one somebody else uses) is created for the run and dropped at
the end, through a short connection to the server's maintenance database
(``--maintenance-db``, default ``postgres``) that only issues CREATE/DROP DATABASE.
Each measurement runs in a fresh process, on an emptied catalog, so that memory peaks
and caches do not carry over.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "benchmarks" / "generate_services.py"
BENCH_DIR = ROOT / "var" / "bench"
SETTINGS = "jiamenkou.settings.test"
# Never benchmark in these: the project's own database and those other people use.
FORBIDDEN_DATABASES = {"postgres", "template0", "template1", "test_postgres", "jiamenkou"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", default="1000,10000", help="sizes, comma-separated")
    parser.add_argument(
        "--baseline-services", type=int, default=1000, help="size for the old writer (0: none)"
    )
    parser.add_argument("--database-url", help="a PostgreSQL database to create and drop")
    parser.add_argument("--maintenance-db", default="postgres")
    parser.add_argument("--updates", action="store_true", help="also time a re-import")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bench-dir", type=Path, default=BENCH_DIR)
    parser.add_argument(
        "--delete-generated", action="store_true", help="delete the files this run generated"
    )
    parser.add_argument("--_one", help=argparse.SUPPRESS)  # internal: one measurement
    args = parser.parse_args()
    if args._one:
        print(json.dumps(measure(**json.loads(args._one))))
        return

    sizes = [int(size) for size in args.services.split(",") if size.strip()]
    runs = [("new", size) for size in sizes]
    if args.baseline_services:
        if args.baseline_services not in sizes:
            runs.insert(0, ("new", args.baseline_services))
        runs.append(("baseline", args.baseline_services))
    generated = []
    files = {}
    for size in sorted({size for _, size in runs}):
        files[size], made = ensure_file(size, args.seed, args.bench_dir)
        if made:
            generated.append(files[size])

    with throwaway_database(args.database_url, args.maintenance_db) as url:
        backend = "postgresql" if url.startswith("postgres") else "sqlite"
        prepare(url)
        results = []
        for writer, size in runs:
            spec = {"url": url, "path": str(files[size]), "writer": writer}
            spec["updates"] = args.updates and writer == "new"
            print(f"… {backend}: {writer} writer, {size} services", file=sys.stderr, flush=True)
            results += run_child(spec)
    print_table(backend, results)
    for path in generated if args.delete_generated else ():
        path.unlink()
        print(f"deleted {path}", file=sys.stderr)


# -- files and databases ------------------------------------------------------------------


def ensure_file(size: int, seed: int, bench_dir: Path) -> tuple[Path, bool]:
    path = bench_dir / (f"services-{size}.json" if seed == 1 else f"services-{size}-{seed}.json")
    if path.exists():
        return path, False
    bench_dir.mkdir(parents=True, exist_ok=True)
    print(f"… generating {path}", file=sys.stderr, flush=True)
    command = [sys.executable, str(GENERATOR), "--services", str(size), "--seed", str(seed)]
    subprocess.run([*command, "--output", str(path)], check=True, cwd=ROOT)
    return path, True


class throwaway_database:
    """A temporary SQLite file, or the named PostgreSQL database created and dropped."""

    def __init__(self, url: str | None, maintenance_db: str):
        self.url, self.maintenance_db = url, maintenance_db
        self.sqlite_dir = None

    def __enter__(self) -> str:
        if not self.url:
            self.sqlite_dir = tempfile.TemporaryDirectory(prefix="bench_import-")
            return f"sqlite:///{self.sqlite_dir.name}/bench.sqlite3"
        parts = urlsplit(self.url)
        if not parts.scheme.startswith("postgres"):
            sys.exit(
                "--database-url: only PostgreSQL URLs (a temporary SQLite file is the default)"
            )
        self.name = parts.path.lstrip("/")
        if not self.name or self.name in FORBIDDEN_DATABASES or self.name.startswith("test_"):
            sys.exit(f"--database-url: refusing to use the database “{self.name}”")
        self.maintenance_url = urlunsplit(parts._replace(path=f"/{self.maintenance_db}"))
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
        self._admin(f'CREATE DATABASE "{self.name}"')
        return self.url

    def __exit__(self, *exc_info):
        if self.sqlite_dir:
            self.sqlite_dir.cleanup()
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.maintenance_url, autocommit=True) as connection:
            connection.execute(sql)


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("ELASTICSEARCH_URL", None)
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()


def prepare(url: str) -> None:
    """Migrate the throwaway database (in a child process, like every measurement)."""
    code = (
        "import sys; sys.argv = ['bench']; "
        "from benchmarks.bench_import import django_setup; "
        f"django_setup({url!r}); "
        "from django.core.management import call_command; "
        "call_command('migrate', verbosity=0)"
    )
    print("… migrating the throwaway database", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def empty_catalog() -> None:
    """Delete what an import writes (the taxonomy stays): the tables of the models the
    importer saves, and the search and reference index entries."""
    from django.core.management.color import no_style
    from django.db import connection
    from django.db.models import Model
    from wagtail.models import ReferenceIndex
    from wagtail.search.models import IndexEntry

    from catalog.hsds import reader
    from catalog.models import Service, Taxonomy, TaxonomyTerm

    models = {
        value
        for value in vars(reader).values()
        if isinstance(value, type) and issubclass(value, Model) and not value._meta.abstract
    } - {Taxonomy, TaxonomyTerm}
    models |= {Service.topics.through, Service.audiences.through, ReferenceIndex, IndexEntry}
    tables = sorted(model._meta.db_table for model in models)
    connection.ops.execute_sql_flush(
        connection.ops.sql_flush(no_style(), tables, allow_cascade=True)
    )


# -- one measurement, in its own process ----------------------------------------------------


def run_child(spec: dict) -> list[dict]:
    command = [sys.executable, str(Path(__file__).resolve()), "--_one", json.dumps(spec)]
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, check=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(url: str, path: str, writer: str, updates: bool) -> list[dict]:
    django_setup(url)
    from django.db import connection

    from catalog.hsds import iter_records
    from catalog.hsds.reader import read_records
    from catalog.hsds.writer import write

    if writer == "baseline":
        from benchmarks.baseline_import import baseline_write as write  # noqa: F811

    empty_catalog()
    results = []
    for label in ["new", "new, again (updates)"] if updates else [writer]:
        rss_before = peak_rss_mb()
        started = time.perf_counter()
        reader, services = read_records(iter_records(path))
        if reader.problems:
            raise SystemExit("\n".join(map(str, reader.problems[:20])))
        checked = time.perf_counter()
        summary = write(reader, services)
        written = time.perf_counter()
        count = len(services)
        del reader, services
        results.append(
            {
                "writer": label,
                "services": count,
                "read": checked - started,
                "write": written - checked,
                "total": written - started,
                "peak_rss_mb": peak_rss_mb(),
                "rss_before_mb": rss_before,
                "summary": str(summary),
                "vendor": connection.vendor,
            }
        )
    return results


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# -- the table ----------------------------------------------------------------------------


def print_table(backend: str, results: list[dict]) -> None:
    header = (
        f"{'database':<11}{'writer':<22}{'services':>9}{'read+check s':>14}{'write s':>10}"
        f"{'total s':>10}{'services/s':>12}{'peak RSS MB':>13}"
    )
    print(header)
    print("-" * len(header))
    for row in results:
        print(
            f"{backend:<11}{row['writer']:<22}{row['services']:>9}{row['read']:>14.2f}"
            f"{row['write']:>10.2f}{row['total']:>10.2f}"
            f"{row['services'] / row['total']:>12.0f}{row['peak_rss_mb']:>13.0f}"
        )
    baseline = next((row for row in results if row["writer"] == "baseline"), None)
    new = baseline and next(
        (r for r in results if r["writer"] == "new" and r["services"] == baseline["services"]),
        None,
    )
    if baseline and new:
        overall = (new["services"] / new["total"]) / (baseline["services"] / baseline["total"])
        writing = (new["services"] / new["write"]) / (baseline["services"] / baseline["write"])
        print(
            f"\nnew vs baseline at {baseline['services']} services, records/s: "
            f"{overall:.1f}× overall, {writing:.1f}× for the write phase"
        )
    print(
        "(peak RSS: the importing process, Django included; before reading: "
        + ", ".join(f"{row['rss_before_mb']:.0f}" for row in results)
        + " MB)"
    )


if __name__ == "__main__":
    main()
