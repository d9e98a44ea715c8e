"""Give the demo catalog's schedules their structured holiday rules and dated closures.

The district's catalog said how a schedule meets public holidays only in its notes, which
the catalog used to parse. This script writes it as HSDS attributes of the schedules
(taxonomy ``jiamenkou-schedule``, see ``catalog/taxonomy_seed.py``), keeping the notes
for people to read:

- a schedule whose notes say 法定节假日休息 gets ``closed_on_holidays`` and
  ``open_on_makeup_workdays``;
- a location whose schedules say 法定节假日照常开放（春节除夕至正月初二除外） gets one more
  schedule: closed from 除夕 to 正月初二 of the 2027 Spring Festival.

Run it from anywhere (standard library only; it rewrites the file in place, one record per
line as before, and running it again changes nothing)::

    python catalog/demo/structure_schedules.py [catalog/demo/data/catalog-hsds.json]

Ids are derived (uuid5), so the closure repeated inside every service that embeds the
location is the same schedule, and the importer sees one row.
"""

import json
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from catalog.taxonomy_seed import (  # noqa: E402  (standard library only)
    TAXONOMIES,
    TAXONOMY_URI,
    VERSION,
    attribute_id,
    taxonomy_id,
    term_id,
)

DATA_FILE = Path(__file__).resolve().parent / "data" / "catalog-hsds.json"

SCHEDULE_TAXONOMY = "jiamenkou-schedule"
LINK_TYPE = "schedule_rule"  # catalog.models.taxonomy.LINK_TYPES
LINK_ENTITY = "schedule"  # catalog.hsds.conventions.SCHEDULE_LINK_ENTITY

RESTS_ON_HOLIDAYS = "法定节假日休息"
OPEN_EXCEPT_SPRING_FESTIVAL = "照常开放（春节除夕至正月初二除外）"
HOLIDAY_RULES = ("closed_on_holidays", "open_on_makeup_workdays")
# 除夕 to 正月初二 of the Spring Festival after the catalog's reference date (2026-11-21).
SPRING_FESTIVAL_CLOSURE = {
    "valid_from": "2027-02-05",
    "valid_to": "2027-02-07",
    "description": "春节除夕至正月初二休息",
}


def term(code: str) -> dict:
    """The embedded taxonomy term, as the exporter writes it."""
    description, terms = TAXONOMIES[SCHEDULE_TAXONOMY]
    _, name, term_description = next(t for t in terms if t[0] == code)
    return {
        "id": str(term_id(SCHEDULE_TAXONOMY, code)),
        "code": code,
        "name": name,
        "description": term_description,
        "taxonomy": SCHEDULE_TAXONOMY,
        "taxonomy_id": str(taxonomy_id(SCHEDULE_TAXONOMY)),
        "language": "zh",
        "taxonomy_detail": {
            "id": str(taxonomy_id(SCHEDULE_TAXONOMY)),
            "name": SCHEDULE_TAXONOMY,
            "description": description,
            "uri": TAXONOMY_URI.format(name=SCHEDULE_TAXONOMY),
            "version": VERSION,
        },
    }


def attribute(schedule_id: str, code: str) -> dict:
    return {
        "id": str(attribute_id(schedule_id, SCHEDULE_TAXONOMY, code)),
        "link_id": schedule_id,
        "link_type": LINK_TYPE,
        "link_entity": LINK_ENTITY,
        "taxonomy_term_id": str(term_id(SCHEDULE_TAXONOMY, code)),
        "taxonomy_term": term(code),
    }


def with_holiday_rules(schedule: dict) -> dict:
    if RESTS_ON_HOLIDAYS in (schedule.get("notes") or ""):
        schedule["attributes"] = [attribute(schedule["id"], code) for code in HOLIDAY_RULES]
    return schedule


def spring_festival_closure(location: dict) -> dict:
    schedule_id = str(
        uuid.uuid5(
            uuid.UUID(location["id"]), f"schedule:closed:{SPRING_FESTIVAL_CLOSURE['valid_from']}"
        )
    )
    first = location["schedules"][0]
    return {
        "id": schedule_id,
        "location_id": location["id"],
        "timezone": first.get("timezone", 8),
        "valid_from": SPRING_FESTIVAL_CLOSURE["valid_from"],
        "valid_to": SPRING_FESTIVAL_CLOSURE["valid_to"],
        "description": SPRING_FESTIVAL_CLOSURE["description"],
        "attributes": [attribute(schedule_id, "closed")],
    }


def structure_location(location: dict) -> None:
    schedules = location.get("schedules") or []
    for schedule in schedules:
        with_holiday_rules(schedule)
    if any(OPEN_EXCEPT_SPRING_FESTIVAL in (s.get("notes") or "") for s in schedules):
        closure = spring_festival_closure(location)
        if all(s["id"] != closure["id"] for s in schedules):
            schedules.append(closure)


def structure(records: list[dict]) -> list[dict]:
    for record in records:
        for schedule in record.get("schedules") or []:
            with_holiday_rules(schedule)
        for link in record.get("service_at_locations") or []:
            for schedule in link.get("schedules") or []:
                with_holiday_rules(schedule)
            if isinstance(link.get("location"), dict):
                structure_location(link["location"])
    return records


def dump(records: list[dict]) -> str:
    """One record per line, as the district's catalog is written."""
    lines = (json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records)
    return "[\n" + ",\n".join(lines) + "\n]\n"


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DATA_FILE
    before = path.read_text(encoding="utf-8")
    after = dump(structure(json.loads(before)))
    if after != before:
        path.write_text(after, encoding="utf-8")
    print(f"{path}: {'已更新' if after != before else '无需更改'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
