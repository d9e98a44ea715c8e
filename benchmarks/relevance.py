"""Relevance of service search: the hand-made query set and the measures that score it.

``relevance_set.json`` (beside this file) lists queries residents type, each with the services
that should come first, most relevant first::

    {"query": "老年证", "kind": "colloquial", "category": "colloquial",
     "expected": ["老年人优待证办理"], "note": "...", "held_out": true}

Kinds, as issue 15 names them: ``need`` (a need in everyday words: 水管漏了), ``colloquial``
(the everyday name of a card, a document, an allowance: 医保卡), ``slip`` (typos, homophones,
pinyin, initials: 低宝, gongzufang), plus ``named`` (the service's own words) and ``script``
(traditional characters). Categories, finer: word, colloquial, need, pinyin, initials,
traditional, typo, name, mixed. ``held_out`` marks queries written from a resident's point of
view and the catalog alone, without looking at how the search answers them (issue 15), and
not used since to tune the search; ``tuned`` marks queries written so whose failures the
lexicon was then tuned on (no longer held out). A held-out query stays held out only until
its failures lead to a change: then mark it ``tuned`` and write fresh ones.

The helpers are pure Python (no Django), so a benchmark can score any search function that
takes a query and returns service names, best first::

    from benchmarks.relevance import evaluate, load_relevance_set

    report = evaluate(my_search, load_relevance_set(), k=10)

Run this file to check the set against the demo catalog (every expected name is a service a
search can find, enough queries, counts per category)::

    python benchmarks/relevance.py [--set FILE] [--data catalog/demo/data/catalog-hsds.json]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

RELEVANCE_SET = Path(__file__).resolve().parent / "relevance_set.json"
CATALOG = Path(__file__).resolve().parents[1] / "catalog" / "demo" / "data" / "catalog-hsds.json"

CATEGORIES = (
    "word",
    "colloquial",
    "need",
    "pinyin",
    "initials",
    "traditional",
    "typo",
    "name",
    "mixed",
)
KINDS = ("need", "colloquial", "slip", "named", "script")
#: The kind of an entry that names none (sets written before kinds).
KIND_OF_CATEGORY = {
    "need": "need",
    "colloquial": "colloquial",
    "typo": "slip",
    "pinyin": "slip",
    "initials": "slip",
    "mixed": "slip",
    "word": "named",
    "name": "named",
    "traditional": "script",
}
#: Below this overall nDCG@10 the relevance benchmark fails (issue 15's gate).
GATE = 0.95
MIN_QUERIES = 60
MAX_EXPECTED = 5
#: Pinyin and initials are typed on a kiosk keyboard: lower-case letters, maybe spaces.
PINYIN_QUERY = re.compile(r"[a-z]+( [a-z]+)*")


def load_relevance_set(path: str | Path | None = None) -> list[dict]:
    """The entries of the relevance set (default: ``relevance_set.json`` beside this file).

    Raises ``ValueError`` when the file is not a list of entries each with a non-empty
    ``query``, a ``category`` and a non-empty ``expected`` list of distinct names."""
    path = Path(path) if path is not None else RELEVANCE_SET
    with path.open(encoding="utf-8") as file:
        data = json.load(file)
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of entries, got {type(data).__name__}")
    for index, entry in enumerate(data):
        where = f"{path.name}[{index}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: an entry must be an object")
        for key in ("query", "category", "expected"):
            if key not in entry:
                raise ValueError(f"{where}: missing {key!r}")
        query, category, expected = entry["query"], entry["category"], entry["expected"]
        if not isinstance(query, str) or not query.strip():
            raise ValueError(f"{where}: 'query' must be a non-empty string")
        if not isinstance(category, str) or not category.strip():
            raise ValueError(f"{where} ({query}): 'category' must be a non-empty string")
        if (
            not isinstance(expected, list)
            or not expected
            or not all(isinstance(name, str) and name for name in expected)
        ):
            raise ValueError(f"{where} ({query}): 'expected' must be a non-empty list of names")
        if len(set(expected)) != len(expected):
            raise ValueError(f"{where} ({query}): 'expected' lists a name twice")
    return data


def kind_of(entry: dict) -> str:
    """The entry's ``kind``, or the one its category implies."""
    return entry.get("kind") or KIND_OF_CATEGORY.get(entry["category"], entry["category"])


def _top_k(ranked_names: Iterable[str], k: int) -> list[str | None]:
    """The first ``k`` results, a name repeated further down replaced by ``None``: a repeat
    keeps its rank (it took a place on the page) but earns nothing a second time."""
    top: list[str | None] = []
    seen: set[str] = set()
    for name in ranked_names:
        if len(top) >= k:
            break
        top.append(None if name in seen else name)
        seen.add(name)
    return top


def ndcg_at_k(ranked_names: Sequence[str], expected: Sequence[str], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the first ``k`` results.

    Graded relevance from the order of ``expected``: the i-th expected name (0-based) has
    gain ``len(expected) - i``; any other name has gain 0. Rank r (1-based) is discounted by
    ``log2(r + 1)``. The ideal ranking is ``expected`` in its own order."""
    if not expected:
        raise ValueError("ndcg_at_k needs at least one expected name")
    if k <= 0:
        return 0.0
    gain = {name: len(expected) - index for index, name in enumerate(expected)}
    dcg = sum(
        gain.get(name, 0) / math.log2(rank + 1)
        for rank, name in enumerate(_top_k(ranked_names, k), start=1)
        if name is not None
    )
    ideal = sum(
        (len(expected) - index) / math.log2(index + 2) for index in range(min(k, len(expected)))
    )
    return dcg / ideal


def recall_at_k(ranked_names: Sequence[str], expected: Sequence[str], k: int = 10) -> float:
    """Share of the expected names found among the first ``k`` results."""
    if not expected:
        raise ValueError("recall_at_k needs at least one expected name")
    found = set(_top_k(ranked_names, k)) & set(expected)
    return len(found) / len(set(expected))


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def evaluate(search: Callable[[str], Iterable[str]], entries: Iterable[dict], k: int = 10) -> dict:
    """Run ``search`` (query → service names, best first) on every entry and score it.

    Returns ``{"ndcg", "recall", "zero_result_rate", "per_kind", "per_category",
    "per_query"}``: means over all queries; per kind and per category the same means, the
    share of queries with no result (``zero``) and the number of queries (``count``); per
    query its scores and the first three names returned (``top``)."""
    per_query: list[dict] = []
    zero_flags: list[bool] = []
    for entry in entries:
        ranked = [str(name) for name in search(entry["query"])]
        expected = entry["expected"]
        per_query.append(
            {
                "query": entry["query"],
                "kind": kind_of(entry),
                "category": entry["category"],
                "ndcg": ndcg_at_k(ranked, expected, k),
                "recall": recall_at_k(ranked, expected, k),
                "top": ranked[:3],
            }
        )
        zero_flags.append(not ranked)

    def grouped(key: str) -> dict[str, dict]:
        indexes_of: dict[str, list[int]] = {}
        for index, row in enumerate(per_query):
            indexes_of.setdefault(row[key], []).append(index)
        return {
            value: {
                "ndcg": _mean([per_query[i]["ndcg"] for i in indexes]),
                "recall": _mean([per_query[i]["recall"] for i in indexes]),
                "zero": _mean([float(zero_flags[i]) for i in indexes]),
                "count": len(indexes),
            }
            for value, indexes in indexes_of.items()
        }

    return {
        "ndcg": _mean([row["ndcg"] for row in per_query]),
        "recall": _mean([row["recall"] for row in per_query]),
        "zero_result_rate": _mean([float(flag) for flag in zero_flags]),
        "per_kind": grouped("kind"),
        "per_category": grouped("category"),
        "per_query": per_query,
    }


# Validation of the set against the catalog ------------------------------------------------


#: The HSDS statuses of services the search shows (``catalog.models.services``'s
#: ``VISIBLE_STATUSES``, whose values a test checks these against: this module runs
#: without Django). A defunct service is never found, so no query may expect it.
FINDABLE_STATUSES = frozenset({"active", "temporarily closed", "inactive"})


def catalog_statuses(path: str | Path = CATALOG) -> dict[str, str]:
    """The service names of an HSDS catalog file (a JSON list of service records), each
    with its status."""
    with Path(path).open(encoding="utf-8") as file:
        records = json.load(file)
    return {record["name"]: record.get("status", "active") for record in records}


def problems(entries: Sequence[dict], statuses: dict[str, str]) -> list[str]:
    """What is wrong with a loaded relevance set, given the catalog's service names and
    their statuses (:func:`catalog_statuses`)."""
    found: list[str] = []
    if len(entries) < MIN_QUERIES:
        found.append(f"only {len(entries)} queries; at least {MIN_QUERIES} are needed")
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"[{index}] {entry['query']!r}"
        if entry["category"] not in CATEGORIES:
            found.append(f"{where}: unknown category {entry['category']!r}")
        if entry.get("kind") not in KINDS:
            found.append(f"{where}: kind must be one of {', '.join(KINDS)}")
        if entry["query"] in seen:
            found.append(f"{where}: the query is listed twice")
        seen.add(entry["query"])
        if len(entry["expected"]) > MAX_EXPECTED:
            found.append(f"{where}: more than {MAX_EXPECTED} expected services")
        for name in entry["expected"]:
            if name not in statuses:
                found.append(f"{where}: no service is named {name!r}")
            elif statuses[name] not in FINDABLE_STATUSES:
                found.append(f"{where}: {name!r} is {statuses[name]}, never found by a search")
        if entry["category"] in ("pinyin", "initials") and not PINYIN_QUERY.fullmatch(
            entry["query"]
        ):
            found.append(f"{where}: {entry['category']} queries are lower-case latin letters")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the relevance set against a catalog.")
    parser.add_argument("--set", type=Path, default=RELEVANCE_SET, help="relevance set JSON")
    parser.add_argument("--data", type=Path, default=CATALOG, help="HSDS catalog JSON")
    args = parser.parse_args(argv)

    try:
        entries = load_relevance_set(args.set)
    except ValueError as error:
        print(f"invalid relevance set: {error}", file=sys.stderr)
        return 1
    statuses = catalog_statuses(args.data)
    counts = Counter(entry["category"] for entry in entries)
    kinds = Counter(kind_of(entry) for entry in entries)
    held_out = Counter(kind_of(entry) for entry in entries if entry.get("held_out"))
    print(f"{len(entries)} queries against {len(statuses)} services in {args.data.name}")
    print("kinds (held out):")
    for kind in [*KINDS, *sorted(set(kinds) - set(KINDS))]:
        print(f"  {kind:<12} {kinds.get(kind, 0):>3} ({held_out.get(kind, 0)})")
    print("categories:")
    for category in [*CATEGORIES, *sorted(set(counts) - set(CATEGORIES))]:
        print(f"  {category:<12} {counts.get(category, 0):>3}")
    found = problems(entries, statuses)
    for problem in found:
        print(f"problem: {problem}", file=sys.stderr)
    if found:
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
