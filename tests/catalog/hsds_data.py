"""The demo district's HSDS catalog (catalog/demo/data/catalog-hsds.json), for tests."""

import copy
import json
from functools import cache

from catalog.demo import CATALOG_PATH


@cache
def _demo_catalog() -> tuple:
    return tuple(json.loads(CATALOG_PATH.read_text(encoding="utf-8")))


def demo_catalog() -> list[dict]:
    """A fresh deep copy of the 200 records, so a test may spoil it freely."""
    return copy.deepcopy(list(_demo_catalog()))


def record_named(records: list[dict], name: str) -> dict:
    return next(record for record in records if record["name"] == name)


def self_contained(records: list[dict], *names: str) -> list[dict]:
    """The named records plus, for each organisation their centers belong to, one record
    that carries it, so the file references nothing outside itself."""
    return with_their_organizations(records, [record_named(records, name) for name in names])


def with_their_organizations(records: list[dict], chosen: list[dict]) -> list[dict]:
    """``chosen`` plus, for each organisation their centers belong to, one record of
    ``records`` that carries it."""
    chosen = list(chosen)
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


def page_of(records: list[dict]) -> dict:
    """The records as one HSDS page (``GET /services?full=true`` with every service)."""
    return {
        "total_items": len(records),
        "total_pages": 1,
        "page_number": 1,
        "size": len(records),
        "first_page": True,
        "last_page": True,
        "empty": not records,
        "contents": records,
    }
