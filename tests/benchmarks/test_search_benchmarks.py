"""The search benchmarks run end to end at a tiny size and print figures for both backends.

benchmarks/bench_search_relevance.py and benchmarks/bench_search_speed.py are scripts
that build their own throwaway SQLite databases in child processes, so these tests run
them as the README does, through their command line, and read what they print. Each run
takes about a minute (migrations, two indexes, the relevance set).
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RELEVANCE = ROOT / "benchmarks" / "bench_search_relevance.py"
SPEED = ROOT / "benchmarks" / "bench_search_speed.py"
RELEVANCE_SET = ROOT / "benchmarks" / "relevance_set.json"
CATEGORIES = ("word", "colloquial", "need", "pinyin", "initials", "traditional", "typo", "name")
NUMBER = r"(?:\d[\d,]*\.\d+|—)"


def run(script: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def table_rows(stdout: str, first_cell: str) -> list[list[str]]:
    """The Markdown table rows whose first cell is ``first_cell``, split into cells."""
    rows = []
    for line in stdout.splitlines():
        if line.startswith(f"| {first_cell} |"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


@pytest.fixture(scope="module")
def relevance_table():
    result = run(RELEVANCE, "--fail-under", "0")
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def relevance_json():
    """``--json`` with a bar no search reaches: the figures, then exit status 1."""
    result = run(RELEVANCE, "--json", "--fail-under", "1.01")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "is below --fail-under 1.01" in result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def speed_table(tmp_path_factory):
    bench_dir = tmp_path_factory.mktemp("bench")
    result = run(
        SPEED,
        *("--services", "300", "--database", "sqlite", "--repeat", "1"),
        *("--bench-dir", str(bench_dir), "--delete-generated"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert not list(bench_dir.iterdir()), "the generated catalog was not deleted"
    return result.stdout


def test_relevance_prints_both_backends_overall_and_per_category(relevance_table):
    assert "nDCG@10 ours | stock | × | recall@10 ours | stock | × |" in relevance_table
    (overall,) = table_rows(relevance_table, "all")
    queries = len(json.loads(RELEVANCE_SET.read_text(encoding="utf-8")))
    assert overall[1] == str(queries)
    # nDCG, recall and no-result share, each for ours, stock and their ratio.
    assert len(overall) == 2 + 3 * 3
    for cell in overall[2:]:
        assert re.fullmatch(NUMBER, cell), overall
    ours_ndcg, stock_ndcg = float(overall[2]), float(overall[3])
    assert 0 <= stock_ndcg <= 1 and 0 < ours_ndcg <= 1
    for category in CATEGORIES:
        assert table_rows(relevance_table, category), f"no row for {category}"
    assert "where ours scores nDCG@10 below 0.5" in relevance_table


def test_relevance_json_has_the_figures_of_both_and_fails_under_the_bar(relevance_json):
    assert relevance_json["database"] == "sqlite"
    assert relevance_json["catalog"]["services"] > 0
    for engine in ("ours", "stock"):
        figures = relevance_json["engines"][engine]
        for key in ("ndcg", "recall", "zero_result_rate"):
            assert 0 <= figures[key] <= 1
        assert set(figures["per_category"]) >= set(CATEGORIES)
    assert len(relevance_json["per_query"]) == relevance_json["queries"]
    for row in relevance_json["failures"]:
        assert row["ours"]["ndcg"] < 0.5
        assert len(row["ours"]["top"]) <= 10


def test_speed_prints_latency_of_both_backends_and_their_ratio(speed_table):
    engines = {row[2]: row for row in table_rows(speed_table, "sqlite") if len(row) == 14}
    assert set(engines) == {
        "ours, run_query",
        "ours, search_catalog",
        "ours, repeated (result cache)",
        "stock (modelsearch)",
    }
    for name, row in engines.items():
        assert row[1] == "300"
        samples = int(row[4])
        assert samples == int(row[3]) - int(row[11])  # one timed run a query, errors aside
        p50, p95 = float(row[5].replace(",", "")), float(row[6].replace(",", ""))
        assert 0 < p50 <= p95
        if name != "stock (modelsearch)":
            assert re.fullmatch(NUMBER, row[12]) and row[12] != "—"  # p50 ours / stock
    (built,) = [row for row in table_rows(speed_table, "sqlite") if len(row) == 12]
    assert built[1] == "300"
    assert float(built[3]) > 0 and float(built[7]) >= 0  # ours and stock build seconds
    assert "Slowest query" in speed_table
