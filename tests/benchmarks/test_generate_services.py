"""benchmarks/generate_services.py writes records that follow the demo catalog's conventions.

The generator lives outside the Django apps, so these tests need no database; they run the
script as the benchmarks do, through its command line, and check what it writes with the
project's HSDS validation.
"""

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from catalog.demo import CATALOG_PATH
from catalog.hsds.validation import validate, validate_service
from tests.catalog.hsds_data import page_of

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "generate_services.py"
COUNT = 60


def run_generator(output: Path, seed: int = 1) -> subprocess.CompletedProcess:
    command = [sys.executable, str(SCRIPT), "--services", str(COUNT), "--seed", str(seed)]
    return subprocess.run(
        [*command, "--output", str(output)], cwd=ROOT, capture_output=True, text=True, check=True
    )


def kind_of(record: dict) -> str:
    (kind,) = [
        a["taxonomy_term"]["code"] for a in record["attributes"] if a["link_type"] == "service_kind"
    ]
    return kind


@pytest.fixture(scope="module")
def generator():
    """The script as a module, for its convention checks (it is not an installed package)."""
    spec = importlib.util.spec_from_file_location("generate_services", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "services.json"
    result = run_generator(path)
    assert result.stdout.startswith(f"wrote {COUNT} services to {path}")
    return path


@pytest.fixture(scope="module")
def records(output) -> list[dict]:
    return json.loads(output.read_text(encoding="utf-8"))


def test_file_is_a_json_array_with_one_record_per_line(output, records):
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    assert len(lines) == COUNT + 2
    assert len(records) == COUNT


def test_page_of_records_passes_strict_hsds_validation(records):
    assert [str(problem) for problem in validate("service_list", page_of(records), full=True)] == []


def test_single_record_passes_strict_service_validation(records):
    assert validate_service(records[-1]) == []


def test_ids_and_names_are_unique(records):
    assert len({r["id"] for r in records}) == COUNT
    assert len({r["name"] for r in records}) == COUNT


def test_all_four_service_kinds_occur(records):
    kinds = Counter(kind_of(r) for r in records)
    assert set(kinds) == {"government", "public_welfare", "market", "low_cost"}


def test_low_cost_amounts_stay_below_the_market_reference_price(records):
    low_cost = [r for r in records if kind_of(r) == "low_cost"]
    assert low_cost
    for record in low_cost:
        (reference,) = [
            float(a["value"])
            for a in record["attributes"]
            if a["taxonomy_term"]["code"] == "market_reference_price"
        ]
        amounts = [c["amount"] for c in record["cost_options"] if "amount" in c]
        assert amounts and all(amount < reference for amount in amounts), record["name"]


def test_records_follow_the_readme_conventions(generator, records):
    # Checked together with the demo records: their organisations, locations and terms
    # must keep identical content, and no generated id may reuse a demo service's id.
    demo = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    assert generator.check_records([*demo, *records]) == []
    assert generator.check_records(records, strict=True) == []


def test_free_services_cost_nothing_and_say_so(records):
    free = [r for r in records if kind_of(r) in ("government", "public_welfare")]
    assert free
    for record in free:
        assert "不收费" in record["fees_description"], record["name"]
        for option in record["cost_options"]:
            assert (option["amount"], option["amount_description"]) == (0, "不收费")
            assert option["currency"] == "CNY"


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path, output):
    again = tmp_path / "again.json"
    other = tmp_path / "other.json"
    run_generator(again, seed=1)
    run_generator(other, seed=2)
    assert again.read_bytes() == output.read_bytes()
    assert other.read_bytes() != output.read_bytes()
