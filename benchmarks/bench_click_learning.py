#!/usr/bin/env python3
"""Replay residents' clicks offline and measure what learning from them does to ranking
(search/learning.py), before the editors turn it on.

    .venv/bin/python benchmarks/bench_click_learning.py                  # SQLite
    .venv/bin/python benchmarks/bench_click_learning.py --database postgresql
    .venv/bin/python benchmarks/bench_click_learning.py --residents 8 --days 14 --seed 15
    .venv/bin/python benchmarks/bench_click_learning.py --json

It builds the throwaway database of ``benchmarks/bench_search_relevance.py`` (the demo
catalog, the starter synonyms, our index; each step in a fresh process, with the helpers
of ``benchmarks/bench_search_speed.py``), then, in one more process:

1. scores the relevance set (``benchmarks/relevance_set.json``, nDCG@10 of the first page)
   with learning off: *before*;
2. simulates residents' sessions from the set's judgments, spread over ``--days`` days:
   for each query, 2 to ``2 × --residents`` residents (each its own address and browser)
   search it (through ``search_catalog``, so the query log keeps what was shown) and read
   the first page from the top: a result at rank r is looked at with probability
   ``0.95 × 0.85^(r-1)`` (position bias); one the set expects is opened with probability
   0.8 for the first expected and 0.6 for the others, any other with probability
   ``--noise`` (0.05); after opening an expected result the resident stops with
   probability 0.7. Clicks go through ``search.querylog.record_click``, as the click view
   sends them, so the visitor hashes, the per-address budget and the one-vote rules apply;
3. recomputes the boosts (``search.learning.recompute_boosts``), turns learning on and
   scores the set again: *residents*;
4. adds one spammer: a script at one address that, every day, searches ``--spam-queries``
   of the set's queries and clicks 1,000 times in all (a new user agent each click) on the
   last result of each first page; recomputes and scores: *residents + spammer*;
5. forgets every vote, replays the spammer alone, recomputes and scores: *spammer alone*,
   and shows where its targets ended up.

The ratio to *before* is measured in the same run. Note that the residents act on the
very judgments the set scores, so *residents* shows what learning can do for residents
who agree with the set, not a figure for unseen queries.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
K = 10
SPAM_CLICKS = 1000
SPAM_ADDRESS = "203.0.113.66"
BROWSERS = (
    "Mozilla/5.0 (Linux; Android 13; V2219A) AppleWebKit/537.36 Chrome/116 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00) AppleWebKit/537.36 Mobile Safari",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36",
)
SCENARIOS = (
    ("before", "learning off (today's ranking)"),
    ("residents", "residents' clicks"),
    ("residents_spammer", "residents' clicks + one spammer"),
    ("spammer", "the spammer alone"),
)


def relevance_bench():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import bench_search_relevance

    return bench_search_relevance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--postgres-url",
        help="the PostgreSQL database to create and drop "
        "(default postgres://postgres@127.0.0.1:5432/bench_search_clicks_<pid>)",
    )
    parser.add_argument("--maintenance-db", default="postgres")
    parser.add_argument("--catalog", type=Path, help="HSDS file (default: the demo catalog)")
    parser.add_argument("--residents", type=int, default=8, help="mean residents per query")
    parser.add_argument("--days", type=int, default=14, help="days the sessions spread over")
    parser.add_argument("--noise", type=float, default=0.05, help="chance to open a wrong one")
    parser.add_argument("--spam-queries", type=int, default=5, help="queries the spammer hits")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--_step", help=argparse.SUPPRESS)  # internal: one child process
    args = parser.parse_args()
    if args._step:
        spec = json.loads(args._step)
        bench = relevance_bench().speed()
        steps = {"setup": bench.setup, "index": bench.build_index, "replay": replay}
        print(json.dumps(steps[spec.pop("step")](**spec), default=str))
        return

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    bench = relevance_bench().speed()
    started = time.perf_counter()
    url = bench.postgres_url(args.postgres_url, "clicks")
    with bench.helpers().throwaway_database(
        url if args.database == "postgresql" else None, args.maintenance_db
    ) as db_url:
        log(f"{args.database}: migrating and importing the catalog")
        catalog = str(args.catalog.resolve()) if args.catalog else None
        built = run_child({"step": "setup", "url": db_url, "path": catalog})
        log(f"{args.database}: building the index")
        run_child({"step": "index", "url": db_url, "which": "ours"})
        log(f"{args.database}: replaying residents' sessions")
        result = run_child(
            {
                "step": "replay",
                "url": db_url,
                "residents": args.residents,
                "days": args.days,
                "noise": args.noise,
                "spam_queries": args.spam_queries,
                "seed": args.seed,
            }
        )
    result = {
        "database": args.database,
        "catalog": {key: built[key] for key in ("source", "services", "synonym_sets")},
        **result,
        "seconds": time.perf_counter() - started,
    }
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print_report(result)


def log(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def run_child(spec: dict) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--_step", json.dumps(spec)]
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, check=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- the replay, in a fresh process ----------------------------------------------------------


def replay(url: str, residents: int, days: int, noise: float, spam_queries: int, seed: int):
    relevance_bench().speed().django_setup(url)
    import time_machine
    from django.core.cache import cache
    from django.utils import timezone

    from benchmarks import relevance
    from search.analysis import analyse_query
    from search.catalog import search_catalog
    from search.learning import (
        MAX_BOOST_LIMIT,
        VOTES_PER_ADDRESS_HOUR,
        forget_state,
        recompute_boosts,
    )
    from search.models import LearnedBoost, ResultVote, SearchLearningSettings
    from search.querylog import record_click

    entries = list(relevance.load_relevance_set())
    settings_row = SearchLearningSettings.objects.order_by("pk").first()
    settings_row = settings_row or SearchLearningSettings()
    settings_row.enabled = False
    settings_row.save()
    rng = random.Random(seed)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=days)
    end = start + timedelta(days=days)

    def first_page(query: str, log: bool):
        result, _ = search_catalog({"q": query, "page_size": str(K)}, log=log)
        return result

    def ranked(query: str) -> list[str]:
        return [hit.service.name for hit in first_page(query, log=False).hits]

    def score(scenario: str) -> dict:
        cache.clear()
        figures = relevance.evaluate(ranked, entries, k=K)
        per_query = {row["query"]: row["ndcg"] for row in figures["per_query"]}
        return {
            "ndcg": figures["ndcg"],
            "recall": figures["recall"],
            "per_category": {
                category: {"ndcg": values["ndcg"], "count": values["count"]}
                for category, values in figures["per_category"].items()
            },
            "per_query": per_query,
            "boosts": LearnedBoost.objects.count(),
            "votes": ResultVote.objects.count(),
            "scenario": scenario,
        }

    def switch(enabled: bool) -> None:
        settings_row.enabled = enabled
        settings_row.save()
        forget_state()

    scores = {"before": score("before")}

    # Residents: every session a search (learning off, as before it is turned on), then
    # the clicks of one resident reading down the page.
    sessions, clicks = [], 0
    for index, entry in enumerate(entries):
        expected = entry["expected"]
        for resident in range(rng.randint(2, max(2, 2 * residents))):
            moment = start + timedelta(
                days=rng.randrange(days), hours=rng.randrange(8, 21), minutes=rng.randrange(60)
            )
            address = f"10.{index % 250}.{resident % 250}.{rng.randrange(1, 250)}"
            sessions.append((moment, entry["query"], expected, address, rng.choice(BROWSERS)))
    sessions.sort(key=lambda session: session[0])
    for moment, query, expected, address, browser in sessions:
        with time_machine.travel(moment, tick=False):
            result = first_page(query, log=True)
            for rank, hit in enumerate(result.hits, start=1):
                if rng.random() > 0.95 * 0.85 ** (rank - 1):
                    break  # the resident stops reading
                name = hit.service.name
                wanted = name in expected
                chance = (0.8 if name == expected[0] else 0.6) if wanted else noise
                if rng.random() < chance:
                    record_click(result.log_id, hit.service.pk, address=address, user_agent=browser)
                    clicks += 1
                    if wanted and rng.random() < 0.7:
                        break
    resident_votes = ResultVote.objects.count()
    with time_machine.travel(end, tick=False):
        recompute_boosts()
    switch(True)
    scores["residents"] = score("residents")
    switch(False)

    # One spammer: every day, a burst of clicks on the last result of a few queries'
    # first pages, each with a new user agent, from one address.
    targets, ranks_before = [], {}
    candidates = [entry for entry in entries if len(first_page(entry["query"], False).hits) >= 2]
    for entry in rng.sample(candidates, min(spam_queries, len(candidates))):
        hits = first_page(entry["query"], log=False).hits
        targets.append((entry["query"], hits[-1].service.name, hits[-1].service.pk))
        ranks_before[entry["query"]] = len(hits)

    def spam() -> int:
        recorded = 0
        per_day = SPAM_CLICKS // days
        for day in range(days):
            moment = start + timedelta(days=day, hours=23)
            with time_machine.travel(moment, tick=False):
                logs = {query: first_page(query, log=True).log_id for query, _, _ in targets}
                for number in range(per_day + (1 if day < SPAM_CLICKS % days else 0)):
                    query, _, service_id = targets[number % len(targets)]
                    before = ResultVote.objects.count()
                    record_click(
                        logs[query],
                        service_id,
                        address=SPAM_ADDRESS,
                        user_agent=f"Mozilla/5.0 (X11; Linux x86_64) spam/{day}.{number}",
                    )
                    recorded += ResultVote.objects.count() - before
        return recorded

    spam_votes = spam()
    with time_machine.travel(end, tick=False):
        recompute_boosts()
    switch(True)
    scores["residents_spammer"] = score("residents_spammer")
    switch(False)

    ResultVote.objects.all().delete()
    cache.clear()  # the address's hourly budgets start again, as in a run of its own
    spam()
    with time_machine.travel(end, tick=False):
        recompute_boosts()
    switch(True)
    scores["spammer"] = score("spammer")
    spam_detail = []
    for query, name, service_id in targets:
        key = analyse_query(query).folded[:100]  # how the query log and the boosts say it
        found = LearnedBoost.objects.filter(key=key, service_id=service_id).first()
        names_after = ranked(query)
        spam_detail.append(
            {
                "query": query,
                "target": name,
                "boost": found.boost if found else 0.0,
                "voices": found.visitors if found else 0,
                "rank_before": ranks_before[query],
                "rank_after": names_after.index(name) + 1 if name in names_after else None,
                "ndcg_before": scores["before"]["per_query"][query],
                "ndcg_after": scores["spammer"]["per_query"][query],
            }
        )
    switch(False)

    def moved(scenario: str) -> dict:
        before, after = scores["before"]["per_query"], scores[scenario]["per_query"]
        return {
            "better": sum(after[q] > before[q] + 1e-9 for q in before),
            "worse": sum(after[q] < before[q] - 1e-9 for q in before),
        }

    from django.db import connection

    if connection.vendor == "postgresql":
        database = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    return {
        "versions": database,
        "queries": len(entries),
        "sessions": len(sessions),
        "clicks": clicks,
        "resident_votes": resident_votes,
        "spam_clicks": SPAM_CLICKS,
        "spam_votes": spam_votes,
        "votes_per_address_hour": VOTES_PER_ADDRESS_HOUR,
        "settings": {
            "max_boost": min(settings_row.max_boost, MAX_BOOST_LIMIT),
            "half_life_days": settings_row.half_life_days,
            "min_visitors": settings_row.min_visitors,
        },
        "days": days,
        "seed": seed,
        "scores": {
            name: {key: value for key, value in figures.items() if key != "per_query"}
            for name, figures in scores.items()
        },
        "moved": {name: moved(name) for name in scores if name != "before"},
        "spam_targets": spam_detail,
    }


# -- the report ----------------------------------------------------------------------------


def print_report(result: dict) -> None:
    scores, settings = result["scores"], result["settings"]
    before = scores["before"]["ndcg"]
    print(f"\n### Learning from clicks, replayed offline on {result['versions']}\n")
    print(
        f"{result['queries']} queries of benchmarks/relevance_set.json on the demo catalog "
        f"({result['catalog']['services']} services); {result['sessions']} simulated "
        f"residents' sessions over {result['days']} days ({result['clicks']} clicks, "
        f"{result['resident_votes']} votes); one spammer at one address: "
        f"{result['spam_clicks']} clicks with a new user agent each, "
        f"{result['spam_votes']} of its votes recorded (at most "
        f"{result['votes_per_address_hour']} an hour). Settings: cap ±{settings['max_boost']}, "
        f"half-life {settings['half_life_days']} days, at least {settings['min_visitors']} "
        f"voices. Seed {result['seed']}. ×: against learning off, same run.\n"
    )
    print("| scenario | nDCG@10 | × | recall@10 | boosts | queries better | worse |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, label in SCENARIOS:
        figures = scores[name]
        moved = result["moved"].get(name, {"better": "—", "worse": "—"})
        print(
            f"| {label} | {figures['ndcg']:.3f} | {figures['ndcg'] / before:.3f} "
            f"| {figures['recall']:.3f} | {figures['boosts']} | {moved['better']} "
            f"| {moved['worse']} |"
        )
    print("\nPer category (nDCG@10): learning off → residents' clicks → + spammer\n")
    print("| category | queries | off | residents | + spammer |")
    print("|---|---:|---:|---:|---:|")
    for category in sorted(scores["before"]["per_category"]):
        row = [scores[name]["per_category"][category]["ndcg"] for name, _ in SCENARIOS[:3]]
        count = scores["before"]["per_category"][category]["count"]
        print(f"| {category} | {count} | {row[0]:.3f} | {row[1]:.3f} | {row[2]:.3f} |")
    print("\nThe spammer alone, per target (the last result of the query's first page):\n")
    print("| query | target | boost | voices | rank before | after | nDCG before | after |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for row in result["spam_targets"]:
        print(
            f"| {row['query']} | {row['target']} | {row['boost']:+.3f} | {row['voices']} "
            f"| {row['rank_before']} | {row['rank_after'] or '—'} | {row['ndcg_before']:.3f} "
            f"| {row['ndcg_after']:.3f} |"
        )
    print(f"\nWhole run {result['seconds']:.0f} s.")


if __name__ == "__main__":
    main()
