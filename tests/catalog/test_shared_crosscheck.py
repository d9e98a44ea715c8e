"""Optional cross-check with the reference data the project's copies came from: ../shared
beside the checkout, where the demo catalog and the HSDS schemas are kept for several
projects. The shared catalog still imports and validates, it offers the same services as
the project's copy, and the vendored schemas are still its files, unedited.

Nothing required depends on ../shared: tests/conftest.py collects this file only when
../shared/data/catalog-hsds.json exists, and says in pytest's summary when it does not.
"""

import json
from pathlib import Path

import pytest

from catalog.demo import CATALOG_PATH
from catalog.hsds import import_services
from catalog.hsds.validation import SCHEMA_DIR, validate_services
from catalog.models import Service
from tests.conftest import SHARED_DIR

SHARED_CATALOG = SHARED_DIR / "data" / "catalog-hsds.json"
SHARED_SCHEMAS = SHARED_DIR / "hsds" / "schema"


def services(path: Path) -> dict[str, tuple]:
    return {
        record["id"]: (record["name"], record["status"])
        for record in json.loads(path.read_text(encoding="utf-8"))
    }


@pytest.mark.django_db
def test_the_shared_catalog_still_imports_and_validates():
    records = json.loads(SHARED_CATALOG.read_text(encoding="utf-8"))
    assert [str(problem) for problem in validate_services(records)[:20]] == []
    summary = import_services(records)
    assert (summary.created, Service.objects.count()) == (200, 200)


def test_the_demo_copy_offers_the_shared_services():
    assert services(CATALOG_PATH) == services(SHARED_CATALOG)


def test_the_vendored_schemas_are_the_shared_files_unedited():
    if not SHARED_SCHEMAS.is_dir():
        pytest.fail(f"{SHARED_SCHEMAS} is missing beside {SHARED_CATALOG}")
    shared = {
        str(p.relative_to(SHARED_SCHEMAS)): p.read_bytes() for p in SHARED_SCHEMAS.rglob("*.json")
    }
    ours = {str(p.relative_to(SCHEMA_DIR)): p.read_bytes() for p in SCHEMA_DIR.rglob("*.json")}
    assert sorted(ours) == sorted(shared)
    assert [name for name in sorted(ours) if ours[name] != shared[name]] == []
    licence = (SHARED_DIR / "hsds" / "LICENSE-HSDS.txt").read_bytes()
    assert (SCHEMA_DIR / "LICENSE-HSDS.txt").read_bytes() == licence
