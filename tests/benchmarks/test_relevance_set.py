"""The relevance set is checked against the catalog before it scores anything: a query that
expects a service no search can find (a misspelt name, a defunct service) would count
against the search forever, whatever it did."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.models.services import VISIBLE_STATUSES

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT / "benchmarks" / "relevance.py"
CATALOG = ROOT / "catalog" / "demo" / "data" / "catalog-hsds.json"
RELEVANCE_SET = ROOT / "benchmarks" / "relevance_set.json"

sys.path.insert(0, str(ROOT / "benchmarks"))
import relevance  # noqa: E402


def check(relevance_set: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHECKER), "--set", str(relevance_set), "--data", str(CATALOG)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def service_named(status: str) -> str:
    records = json.loads(CATALOG.read_text(encoding="utf-8"))
    return next(record["name"] for record in records if record["status"] == status)


def test_the_projects_set_passes_the_check():
    result = check(RELEVANCE_SET)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


@pytest.mark.parametrize(
    "expected, complaint",
    [
        (lambda: "没有这个服务", "no service is named '没有这个服务'"),
        (lambda: service_named("defunct"), "is defunct, never found by a search"),
    ],
    ids=["unknown name", "defunct service"],
)
def test_a_query_expecting_a_service_no_search_finds_is_refused(tmp_path, expected, complaint):
    entries = json.loads(RELEVANCE_SET.read_text(encoding="utf-8"))
    entries[0] = {**entries[0], "query": "只为此测试", "expected": [expected()]}
    broken = tmp_path / "relevance_set.json"
    broken.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    result = check(broken)
    assert result.returncode == 1
    assert "'只为此测试'" in result.stderr and complaint in result.stderr


def test_services_of_every_status_the_search_shows_may_be_expected():
    # The checker runs without Django, so it keeps its own list: it must be the site's.
    assert {str(status) for status in VISIBLE_STATUSES} == relevance.FINDABLE_STATUSES
    entries = json.loads(RELEVANCE_SET.read_text(encoding="utf-8"))[:1]
    for status in relevance.FINDABLE_STATUSES:
        entry = {**entries[0], "expected": [service_named(status)]}
        assert relevance.problems([entry], relevance.catalog_statuses(CATALOG)) == [
            f"only 1 queries; at least {relevance.MIN_QUERIES} are needed"
        ]
