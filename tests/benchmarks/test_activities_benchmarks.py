"""benchmarks/activities_expansion.py runs end to end at a small size: the project's
expansion and both naive baselines find the same sessions, and the table gives each
way's time against the project's in the same run (no timing is asserted).

benchmarks/activities_programme.py builds, migrates and loads a database of its own
(minutes), so it is run by hand as the README says; its query-count claim is tested per
page in tests/activities (programme pages, feeds)."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPANSION = ROOT / "benchmarks" / "activities_expansion.py"


def test_the_expansion_benchmark_compares_three_ways_that_agree():
    run = subprocess.run(
        [
            sys.executable,
            str(EXPANSION),
            "--activities",
            "12",
            "--exceptions",
            "6",
            "--rounds",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "12 recurring activities, 6 exceptions" in run.stdout
    assert "the three ways agree: yes" in run.stdout
    rows = re.findall(r"^\| (.+?) \| ([\d.]+) \| ([\d.]+) \|$", run.stdout, re.MULTILINE)
    assert [name for name, _ms, _ratio in rows] == [
        "recurrence (`plan_occurrences`)",
        "baseline: expand from start + filter",
        "baseline: expand again per day",
    ]
    assert rows[0][2] == "1.00"
