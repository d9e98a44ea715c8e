#!/usr/bin/env python3
"""Measure how well the residents' search (search/) ranks, against Wagtail's stock search.

    .venv/bin/python benchmarks/bench_search_relevance.py                  # SQLite
    .venv/bin/python benchmarks/bench_search_relevance.py --database postgresql
    .venv/bin/python benchmarks/bench_search_relevance.py --json
    .venv/bin/python benchmarks/bench_search_relevance.py --fail-under 0.85   # exit 1 below

It builds a throwaway database (a temporary SQLite file, or a PostgreSQL database created
for the run and dropped after it, by default ``bench_search_relevance_<pid>`` on
``postgres://postgres@127.0.0.1:5432``; see ``--postgres-url``), migrates it, loads the
starter synonyms and imports the demo catalog (``catalog/demo/data/catalog-hsds.json``,
or ``--catalog``), then builds both indexes from empty: ours
(``search.indexing.rebuild_index``) and the stock one (Wagtail's database backend, i.e.
``modelsearch``, for ``catalog.Service``). Each step runs in a fresh process, with the
helpers of ``benchmarks/bench_search_speed.py``.

Every query of the relevance set (``benchmarks/relevance_set.json``, read with
``benchmarks/relevance.py``) is then run through

- ours: ``search_catalog({"q": query}, log=False)``, the names of its first page (10) as
  a resident sees it: the hits, then the related services (``CatalogSearch.related``:
  services matching some of the words, listed after a first page that every word fills
  only partly; not counted in the total);
- stock: ``backend.search(query, Service.objects.filter(status__in=VISIBLE_STATUSES))``,
  the names of its first 10 results,

and scored with ``benchmarks/relevance.py``'s ``evaluate``: nDCG@10, recall@10 and the
share of queries without any result, overall and per category, for both, with the ratio
ours/stock measured in the same run; then ours per kind (needs in everyday words, colloquial
names, slips …), over all the queries of the kind and over the held-out ones alone (written
without looking at the search's answers). The queries where ours scores an nDCG@10 below
``--failure-below`` (0.5) are listed with our top 3, to tune the search by. ``--json``
prints the same as JSON. Exit status 1 when our overall nDCG@10 is below the gate
(``--fail-under``, by default 0.95, issue 15's), else 0.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
K = 10
TOP = 3  # hits shown for each failing query
ENGINES = ("ours", "stock")
METRICS = (("ndcg", "nDCG@10"), ("recall", "recall@10"), ("zero_result_rate", "no result"))


def speed():
    """benchmarks/bench_search_speed.py: building the catalog and both indexes, the two
    searches, and (through it) bench_import's throwaway databases."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import bench_search_speed

    return bench_search_speed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--postgres-url",
        help="the PostgreSQL database to create and drop "
        "(default postgres://postgres@127.0.0.1:5432/bench_search_relevance_<pid>)",
    )
    parser.add_argument("--maintenance-db", default="postgres")
    parser.add_argument("--catalog", type=Path, help="HSDS file (default: the demo catalog)")
    parser.add_argument(
        "--set",
        type=Path,
        help="relevance set JSON (default: benchmarks/relevance_set.json); a tuner may leave "
        "a held-out batch out of sight with a copy that omits it",
    )
    parser.add_argument(
        "--failure-below", type=float, default=0.5, help="list queries ours scores below this"
    )
    parser.add_argument(
        "--fail-under",
        type=float,
        default=None,
        help="exit 1 when our overall nDCG@10 is below this (default: the gate, 0.95)",
    )
    parser.add_argument(
        "--stock-as-shipped",
        action="store_true",
        help="skip the SQLite workaround that lets the stock backend match UUID ids",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--_step", help=argparse.SUPPRESS)  # internal: one child process
    args = parser.parse_args()
    if args._step:
        spec = json.loads(args._step)
        bench = speed()
        steps = {"setup": bench.setup, "index": bench.build_index, "evaluate": evaluate_both}
        print(json.dumps(steps[spec.pop("step")](**spec)))
        return

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    bench = speed()
    started = time.perf_counter()
    tree = bench.bench_pages().source_tree()
    url = bench.postgres_url(args.postgres_url, "relevance")
    with bench.helpers().throwaway_database(
        url if args.database == "postgresql" else None, args.maintenance_db
    ) as db_url:
        log(f"{args.database}: migrating and importing the catalog")
        catalog = str(args.catalog.resolve()) if args.catalog else None
        built = run_child({"step": "setup", "url": db_url, "path": catalog})
        indexes = {}
        for which in ENGINES:
            log(f"{args.database}: building the {which} index")
            indexes[which] = run_child(
                {
                    "step": "index",
                    "url": db_url,
                    "which": which,
                    "stock_as_shipped": args.stock_as_shipped,
                }
            )
        log(f"{args.database}: running the relevance set")
        result = run_child(
            {
                "step": "evaluate",
                "url": db_url,
                "failure_below": args.failure_below,
                "set_path": str(args.set.resolve()) if args.set else None,
            }
        )
    trees = sorted({tree, bench.bench_pages().source_tree()})
    result = {
        "database": args.database,
        **result,
        "catalog": {key: built[key] for key in ("source", "summary", "services", "synonym_sets")},
        "index_seconds": {which: indexes[which]["seconds"] for which in ENGINES},
        "stock_uuid_fix": args.database == "sqlite" and not args.stock_as_shipped,
        "trees": trees,
        "seconds": time.perf_counter() - started,
        "set": str(args.set) if args.set else "benchmarks/relevance_set.json",
    }
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print_report(result, args.failure_below)
    ours = result["engines"]["ours"]["ndcg"]
    bar = speed_relevance().GATE if args.fail_under is None else args.fail_under
    if ours < bar:
        print(f"\nour nDCG@{K} {ours:.3f} is below --fail-under {bar}", file=sys.stderr)
        sys.exit(1)


def speed_relevance():
    """benchmarks/relevance.py (the set, the measures, the gate)."""
    speed()  # puts the project on sys.path
    from benchmarks import relevance

    return relevance


def log(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def run_child(spec: dict) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--_step", json.dumps(spec)]
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, check=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- scoring, in a fresh process --------------------------------------------------------


def evaluate_both(url: str, failure_below: float, set_path: str | None = None) -> dict:
    bench = speed()
    bench.django_setup(url)
    from django.db import connection

    from benchmarks import relevance

    entries = list(relevance.load_relevance_set(set_path))
    stock = bench.stock_searcher()
    searches = {
        "ours": first_page_names,
        "stock": lambda query: [service.name for service in stock(query, limit=K)],
    }
    engines, ranked, errors = {}, {}, {}
    for engine, search in searches.items():
        ranked[engine], errors[engine] = {}, {}

        def recorded(query, engine=engine, search=search):
            try:
                names = search(query)
            except Exception as error:  # a query the engine cannot parse counts as no result
                errors[engine][query] = f"{type(error).__name__}: {error}"[:200]
                connection.close()  # a failed statement may leave the transaction broken
                names = []
            ranked[engine][query] = names
            return names

        engines[engine] = relevance.evaluate(recorded, entries, k=K)
    held_out = [entry for entry in entries if entry.get("held_out")]
    held_out_figures = relevance.evaluate(lambda query: ranked["ours"][query], held_out, k=K)

    per_query = []
    for entry in entries:
        query, expected = entry["query"], entry["expected"]
        row = {
            "query": query,
            "kind": relevance.kind_of(entry),
            "category": entry.get("category", ""),
            "held_out": bool(entry.get("held_out")),
            "expected": expected,
        }
        for engine in ENGINES:
            names = ranked[engine].get(query, [])
            row[engine] = {
                "ndcg": relevance.ndcg_at_k(names, expected, K),
                "recall": relevance.recall_at_k(names, expected, K),
                "top": names[:K],
            }
            if query in errors[engine]:
                row[engine]["error"] = errors[engine][query]
        per_query.append(row)
    failures = [row for row in per_query if row["ours"]["ndcg"] < failure_below]
    failures.sort(key=lambda row: (row["ours"]["ndcg"], row["category"], row["query"]))
    if connection.vendor == "postgresql":
        database = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    return {
        "queries": len(entries),
        "versions": database,
        "engines": {engine: summary(figures) for engine, figures in engines.items()},
        "held_out": {"queries": len(held_out), **summary(held_out_figures)},
        "errors": {engine: len(found) for engine, found in errors.items()},
        "failures": failures,
        "per_query": per_query,
    }


def first_page_names(query: str) -> list[str]:
    """The names of our first page for ``query`` as the search page shows them: the hits,
    then the related services."""
    from search.catalog import search_catalog

    result, _ = search_catalog({"q": query, "page_size": str(K)}, log=False)
    return [hit.service.name for hit in [*result.hits, *result.related]]


def summary(figures: dict) -> dict:
    """``evaluate``'s answer without its per-query rows (``per_query`` above has them),
    the per-category no-result share under the same key as the overall one."""
    figures = {key: value for key, value in figures.items() if key != "per_query"}
    for grouping in ("per_kind", "per_category"):
        figures[grouping] = {
            value: {"zero_result_rate": values.get("zero"), **values}
            for value, values in figures.get(grouping, {}).items()
        }
    return json.loads(json.dumps(figures, default=str))


# -- the report ----------------------------------------------------------------------------


def print_report(result: dict, failure_below: float) -> None:
    ours, stock = result["engines"]["ours"], result["engines"]["stock"]
    catalog = result["catalog"]
    print(
        f"\n### Search relevance on {result['versions']}: ours (search/) against Wagtail's "
        "stock database backend\n"
    )
    print(
        f"{result['queries']} queries of {result['set']}; the demo catalog "
        f"({catalog['services']} services), {catalog['synonym_sets']} synonym sets; working "
        f"tree {', '.join(result['trees'])}. Ours: `search_catalog({{'q': query}}, log=False)`, "
        "first page (10): hits, then related services; stock: `backend.search(query, visible services)[:10]`. "
        "×: ours over stock, same run.\n"
    )
    if result["stock_uuid_fix"]:
        print(f"{speed().STOCK_FIX_NOTE}.\n")
    header = "| category | queries |"
    rule = "|---|---:|"
    for _, label in METRICS:
        header += f" {label} ours | stock | × |"
        rule += "---:|---:|---:|"
    print(header)
    print(rule)
    rows = [("all", result["queries"], ours, stock)]
    categories = ours.get("per_category", {})
    for category in sorted(categories):
        figures = categories[category]
        rows.append(
            (
                category,
                figures.get("count", ""),
                figures,
                stock.get("per_category", {}).get(category, {}),
            )
        )
    for category, count, mine, theirs in rows:
        line = f"| {category} | {count} |"
        for key, _ in METRICS:
            line += (
                f" {fraction(mine.get(key))} | {fraction(theirs.get(key))} "
                f"| {ratio(mine.get(key), theirs.get(key))} |"
            )
        print(line)
    print_kinds(result)
    if any(result["errors"].values()):
        print(
            "\nQueries an engine raised an error on (counted as no result): "
            + ", ".join(f"{engine} {count}" for engine, count in result["errors"].items())
        )
    seconds = result["index_seconds"]
    print(
        f"\nIndexes built in {seconds['ours']:.1f} s (ours) and {seconds['stock']:.1f} s "
        f"(stock); whole run {result['seconds']:.0f} s."
    )
    failures = result["failures"]
    print(
        f"\n{len(failures)} {'query' if len(failures) == 1 else 'queries'} where ours scores nDCG@{K} below {failure_below} "
        f"(worst first; our top {TOP}):\n"
    )
    if failures:
        print(f"| query | category | nDCG ours | nDCG stock | expected first | our top {TOP} |")
        print("|---|---|---:|---:|---|---|")
        for row in failures:
            top = " / ".join(row["ours"]["top"][:TOP]) or "(no result)"
            print(
                f"| {row['query']} | {row['category']} | {row['ours']['ndcg']:.2f} "
                f"| {row['stock']['ndcg']:.2f} | {row['expected'][0] if row['expected'] else '—'} "
                f"| {top} |"
            )
    if len(result["trees"]) > 1:
        print(
            "\n**Warning: the working tree changed during the run**: the figures may mix "
            "two versions of the code; run it again."
        )


def print_kinds(result: dict) -> None:
    """Ours per kind of query, over all the queries of a kind and over the held-out ones."""
    ours, stock = result["engines"]["ours"], result["engines"]["stock"]
    held_out = result.get("held_out", {})
    print(
        f"\nPer kind of query (issue 15): nDCG@{K} of ours over all the kind's queries and over "
        f"the {held_out.get('queries', 0)} held-out ones (written without looking at the "
        "search's answers); the gate is on the overall figure above.\n"
    )
    print(
        f"| kind | queries | nDCG@{K} ours | stock | recall@{K} ours | no result ours "
        f"| held out | nDCG@{K} held out | recall@{K} held out |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    kinds = ours.get("per_kind", {})
    rows = [(kind, kinds[kind]) for kind in speed_relevance().KINDS if kind in kinds]
    rows += [(kind, kinds[kind]) for kind in sorted(set(kinds) - {kind for kind, _ in rows})]
    rows.append(("held out, all", None))
    for kind, figures in rows:
        if figures is None:
            mine, theirs, count = {}, {}, ""
            kept = {"count": held_out.get("queries", 0), **held_out}
        else:
            mine, count = figures, figures.get("count", "")
            theirs = stock.get("per_kind", {}).get(kind, {})
            kept = held_out.get("per_kind", {}).get(kind, {})
        print(
            f"| {kind} | {count} | {fraction(mine.get('ndcg'))} | {fraction(theirs.get('ndcg'))} "
            f"| {fraction(mine.get('recall'))} | {fraction(mine.get('zero_result_rate'))} "
            f"| {kept.get('count', 0)} | {fraction(kept.get('ndcg'))} "
            f"| {fraction(kept.get('recall'))} |"
        )


def fraction(value) -> str:
    return "—" if value is None else f"{value:.3f}"


def ratio(value, baseline) -> str:
    if value is None or not baseline:
        return "—"
    return f"{value / baseline:.2f}"


if __name__ == "__main__":
    main()
