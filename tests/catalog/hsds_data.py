"""The district's HSDS catalog in ../shared/data, for tests (skipped when it is absent)."""

import copy
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings

SHARED_DIR = settings.SHARED_DATA_DIR.parent
VALIDATOR = SHARED_DIR / "hsds" / "validate.py"


@cache
def _shared_catalog() -> tuple:
    path = settings.SHARED_DATA_DIR / "catalog-hsds.json"
    if not path.exists():
        return ()
    return tuple(json.loads(path.read_text(encoding="utf-8")))


def shared_catalog() -> list[dict]:
    """A fresh deep copy of the 200 records, so a test may spoil it freely."""
    records = _shared_catalog()
    if not records:
        pytest.skip(
            f"{settings.SHARED_DATA_DIR} is absent: the shared catalog sits beside the project"
        )
    return copy.deepcopy(list(records))


def record_named(records: list[dict], name: str) -> dict:
    return next(record for record in records if record["name"] == name)


def self_contained(records: list[dict], *names: str) -> list[dict]:
    """The named records plus, for each organisation their centers belong to, one record
    that carries it, so the file references nothing outside itself."""
    chosen = [record_named(records, name) for name in names]
    carried = {record["organization"]["id"] for record in chosen if "organization" in record}
    for record in list(chosen):
        for link in record.get("service_at_locations", []):
            org_id = link["location"].get("organization_id")
            if org_id and org_id not in carried:
                chosen.append(
                    next(r for r in records if r.get("organization", {}).get("id") == org_id)
                )
                carried.add(org_id)
    return chosen


def validate(kind: str, document, tmp_path: Path, *flags: str) -> subprocess.CompletedProcess:
    """Run the official offline HSDS validator on ``document``."""
    if not VALIDATOR.exists():
        pytest.skip(f"{VALIDATOR} is absent")
    path = tmp_path / f"{kind}.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(VALIDATOR), "--strict", *flags, kind, str(path)],
        capture_output=True,
        text=True,
    )
