"""Schedules' holiday rules and dated exceptions in HSDS: attributes of the schedule
(taxonomy jiamenkou-schedule), read into the structured fields and written back out; the
vendored demo catalog carries them."""

import copy
import json
import subprocess
import sys
from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from catalog.clock import clock_at
from catalog.demo import CATALOG_PATH
from catalog.hsds import HsdsImportError, export_services, import_services
from catalog.hsds.validation import validate_services
from catalog.models import (
    Location,
    LocationSchedule,
    Service,
    ServiceAtLocationSchedule,
    ServiceSchedule,
    Taxonomy,
    TaxonomyTerm,
)
from catalog.taxonomy_seed import seed_taxonomies, term_id

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_CATALOG = CATALOG_PATH
SCRIPT = CATALOG_PATH.parent.parent / "structure_schedules.py"
CHUNHUILI = "春晖里社区党群服务中心"  # 法定节假日照常开放（春节除夕至正月初二除外）
HAITANGYUAN = "海棠苑社区党群服务中心"  # 法定节假日休息，调休工作日正常办公
SENIOR_CARD = "老年人优待证办理"  # its own hours rest on holidays
SCHEDULE_FIELDS = (
    "id",
    "kind",
    "freq",
    "byday",
    "bymonthday",
    "interval",
    "dtstart",
    "opens_at",
    "closes_at",
    "valid_from",
    "valid_to",
    "timezone",
    "description",
    "notes",
    "closed_on_holidays",
    "open_on_makeup_workdays",
)


@cache
def _demo_text() -> str:
    return DEMO_CATALOG.read_text(encoding="utf-8")


def demo_catalog() -> list[dict]:
    return json.loads(_demo_text())


def schedule_rows() -> dict:
    rows = {}
    for model in (LocationSchedule, ServiceSchedule, ServiceAtLocationSchedule):
        for values in model.objects.values(*SCHEDULE_FIELDS):
            rows[values["id"]] = values
    return rows


def without_attribute_order(record: dict) -> dict:
    return {**record, "attributes": sorted(record.get("attributes", []), key=lambda a: a["id"])}


def location_named(records: list[dict], name: str) -> tuple[int, int, dict]:
    """Where the location ``name`` first appears, and the location itself, made the one
    object every record embeds (so an edit of it is the same everywhere, as it must be)."""
    found = None
    for index, record in enumerate(records):
        for link_index, link in enumerate(record.get("service_at_locations", [])):
            if link["location"]["name"] == name:
                found = found or (index, link_index, link["location"])
                link["location"] = found[2]
    if found is None:
        raise LookupError(name)
    return found


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


# -- the vendored demo catalog ---------------------------------------------------------


def test_the_demo_catalog_imports_its_holiday_rules_and_the_spring_festival_closure():
    summary = import_services(demo_catalog())
    assert summary.created == 200

    chunhuili = Location.objects.get(name=CHUNHUILI)
    rows = list(chunhuili.schedules.all())
    closure = rows[-1]
    assert (closure.kind, closure.valid_from, closure.valid_to, closure.description) == (
        "closed",
        date(2027, 2, 5),
        date(2027, 2, 7),
        "春节除夕至正月初二休息",
    )
    assert (closure.opens_at, closure.closes_at) == (None, None)
    assert not any(row.closed_on_holidays for row in rows)

    festival = clock_at(at(2027, 2, 6, 10, 0)).status(rows)
    assert not festival.is_open
    assert festival.reason == "春节除夕至正月初二休息"
    assert festival.label == "今日闭馆"
    assert clock_at(at(2026, 10, 2, 10, 0)).status(rows).is_open  # 国庆: open as usual
    assert clock_at(at(2027, 2, 8, 10, 0)).status(rows).is_open  # 初三: open again

    haitangyuan = list(Location.objects.get(name=HAITANGYUAN).schedules.all())
    assert all(row.closed_on_holidays and row.open_on_makeup_workdays for row in haitangyuan)
    national_day = clock_at(at(2026, 10, 2, 10, 0)).status(haitangyuan)
    assert (national_day.is_open, national_day.reason) == (False, "国庆节休息")
    assert clock_at(at(2026, 10, 10, 15, 0)).status(haitangyuan).is_open  # make-up Saturday

    senior_card = Service.objects.get(name=SENIOR_CARD)
    assert [row.closed_on_holidays for row in senior_card.schedules.all()] == [True, True]
    # Schedules whose notes say nothing of holidays carry no rules.
    assert ServiceSchedule.objects.filter(closed_on_holidays=False).count() == 140
    assert ServiceAtLocationSchedule.objects.filter(closed_on_holidays=True).count() == 0


def test_the_demo_catalog_keeps_its_notes_and_one_closure_per_location():
    records = demo_catalog()
    index, link_index, location = location_named(records, CHUNHUILI)
    notes = [schedule.get("notes") for schedule in location["schedules"]]
    assert notes[0] == "法定节假日照常开放（春节除夕至正月初二除外）。"
    closures = {
        schedule["id"]
        for record in records
        for link in record["service_at_locations"]
        for schedule in link["location"]["schedules"]
        if any(a["taxonomy_term"]["code"] == "closed" for a in schedule.get("attributes", []))
    }
    assert len(closures) == 2  # 春晖里 and 向阳街道, each one id however often embedded


def test_the_conversion_script_is_idempotent(tmp_path):
    copy_path = tmp_path / "catalog-hsds.json"
    copy_path.write_text(_demo_text(), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(copy_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "无需更改" in result.stdout
    assert copy_path.read_text(encoding="utf-8") == _demo_text()


def test_the_conversion_script_turns_notes_into_attributes(tmp_path):
    records = demo_catalog()
    for record in records:
        for schedule in record.get("schedules", []):
            schedule.pop("attributes", None)
        for link in record["service_at_locations"]:
            location = link["location"]
            location["schedules"] = [
                {key: value for key, value in schedule.items() if key != "attributes"}
                for schedule in location["schedules"]
                if "valid_from" not in schedule
            ]
    legacy = tmp_path / "legacy.json"
    legacy.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    subprocess.run([sys.executable, str(SCRIPT), str(legacy)], check=True, capture_output=True)
    assert legacy.read_text(encoding="utf-8") == _demo_text()


# -- round trip and schema ----------------------------------------------------------------


def test_import_export_import_keeps_every_schedule_field_and_the_file_itself():
    original = demo_catalog()
    import_services(copy.deepcopy(original))
    first = schedule_rows()
    exported = export_services()
    by_id = {record["id"]: record for record in exported}
    for record in original:
        assert without_attribute_order(by_id[record["id"]]) == without_attribute_order(record), (
            record["name"]
        )
    import_services(exported)
    assert schedule_rows() == first


def test_exported_dated_exceptions_validate_against_the_hsds_schema():
    import_services(demo_catalog())
    location = Location.objects.get(name=HAITANGYUAN)
    LocationSchedule.objects.create(
        location=location,
        kind="special_hours",
        valid_from=date(2027, 2, 10),
        valid_to=date(2027, 2, 10),
        opens_at=time(9, 0),
        closes_at=time(12, 0),
        description="春节期间特别开放",
        sort_order=5,
    )
    exported = export_services(Service.objects.filter(service_at_locations__location=location))
    record = exported[0]
    schedules = next(
        link["location"]["schedules"]
        for link in record["service_at_locations"]
        if link["location"]["name"] == HAITANGYUAN
    )
    special = schedules[-1]
    assert {key: special[key] for key in ("valid_from", "valid_to", "opens_at", "closes_at")} == {
        "valid_from": "2027-02-10",
        "valid_to": "2027-02-10",
        "opens_at": "09:00+08:00",
        "closes_at": "12:00+08:00",
    }
    assert special["description"] == "春节期间特别开放"
    assert "freq" not in special
    [attribute] = special["attributes"]
    assert attribute["link_id"] == special["id"]
    assert attribute["link_entity"] == "schedule"
    assert attribute["taxonomy_term_id"] == str(term_id("jiamenkou-schedule", "special_hours"))
    assert attribute["taxonomy_term"]["name"] == "特定日期特别开放时间"

    everything = export_services()
    closure = next(
        schedule
        for one in everything
        for link in one["service_at_locations"]
        for schedule in link["location"]["schedules"]
        if schedule.get("description") == "春节除夕至正月初二休息"
    )
    assert "opens_at" not in closure and "closes_at" not in closure
    assert [a["taxonomy_term"]["code"] for a in closure["attributes"]] == ["closed"]

    assert [str(problem) for problem in validate_services(everything)] == []


# -- refused input: the JSON path, a Chinese message, nothing saved -----------------------


def refused(records) -> list[str]:
    before = schedule_rows()
    with pytest.raises(HsdsImportError) as error:
        import_services(records)
    assert schedule_rows() == before, "a refused import saved something"
    return [str(problem) for problem in error.value.problems]


@pytest.fixture
def imported():
    records = demo_catalog()
    import_services(copy.deepcopy(records))
    return records


def test_an_unknown_schedule_term_is_refused_at_its_path(imported):
    records = imported
    index, link_index, location = location_named(records, HAITANGYUAN)
    attribute = location["schedules"][1]["attributes"][0]
    attribute["taxonomy_term_id"] = "00000000-0000-0000-0000-000000000002"
    attribute["taxonomy_term"]["id"] = "00000000-0000-0000-0000-000000000002"
    attribute["taxonomy_term"]["code"] = "closed_on_rainy_days"
    attribute["taxonomy_term"]["name"] = "雨天休息"
    path = f"$[{index}].service_at_locations[{link_index}].location.schedules[1].attributes[0]"
    assert refused(records) == [
        f"{path}.taxonomy_term_id: 未知的分类词“雨天休息”：请先在分类体系中添加。"
    ]


def test_a_term_of_another_taxonomy_on_a_schedule_is_refused(imported):
    records = imported
    schedule = records[0]["schedules"][0]
    topic = next(a for a in records[0]["attributes"] if a["link_type"] == "topic")
    schedule["attributes"][0]["taxonomy_term_id"] = topic["taxonomy_term_id"]
    del schedule["attributes"][0]["taxonomy_term"]
    [problem] = refused(records)
    assert problem.startswith("$[0].schedules[0].attributes[0].taxonomy_term_id: “养老”")
    assert "应为分类体系 jiamenkou-schedule 的分类词" in problem


def test_a_schedule_rule_among_a_services_attributes_is_refused(imported):
    records = imported
    records[0]["attributes"].append(copy.deepcopy(records[0]["schedules"][0]["attributes"][0]))
    index = len(records[0]["attributes"]) - 1
    assert refused(records) == [
        f"$[0].attributes[{index}].taxonomy_term_id: "
        "“法定节假日休息”是时间安排的属性，应写在 schedules[].attributes 中。"
    ]


def test_exceptions_without_their_dates_or_hours_are_refused(imported):
    records = imported
    index, link_index, location = location_named(records, CHUNHUILI)
    closure = location["schedules"][1]
    del closure["valid_from"]
    del closure["valid_to"]
    special = records[0]["schedules"][0]
    special["attributes"] = [
        {
            "id": "7f1b3a52-0a4e-4f57-9b0f-3d3f6c7a0001",
            "taxonomy_term_id": str(term_id("jiamenkou-schedule", "special_hours")),
        }
    ]
    special["valid_from"] = "2027-02-10"
    del special["closes_at"]
    problems = refused(records)
    place = f"$[{index}].service_at_locations[{link_index}].location.schedules[1]"
    assert (
        f"{place}.valid_from: “特定日期闭馆”必须填写生效日期（valid_from），即哪一天起。"
        in problems
    )
    assert (
        "$[0].schedules[0].closes_at: 特定日期特别开放时间必须填写开始时间和结束时间。" in problems
    )
    assert len(problems) == 2


def test_a_schedule_without_attributes_is_regular_hours_that_ignore_holidays():
    records = demo_catalog()
    for schedule in records[0]["schedules"]:
        del schedule["attributes"]
    import_services(records)
    rows = list(Service.objects.get(name=SENIOR_CARD).schedules.all())
    assert {(row.kind, row.closed_on_holidays, row.open_on_makeup_workdays) for row in rows} == {
        ("regular", False, False)
    }
    # The notes still say 法定节假日休息; nobody reads them any more.
    assert "法定节假日休息" in rows[0].notes


def test_the_schedule_taxonomy_is_seeded_once_whatever_runs_again():
    seed_taxonomies(Taxonomy, TaxonomyTerm)
    seed_taxonomies(Taxonomy, TaxonomyTerm, names={"jiamenkou-schedule"})
    terms = TaxonomyTerm.objects.of("jiamenkou-schedule").order_by("sort_order")
    assert [(t.code, t.name) for t in terms] == [
        ("closed_on_holidays", "法定节假日休息"),
        ("open_on_makeup_workdays", "调休上班日按工作日开放"),
        ("closed", "特定日期闭馆"),
        ("special_hours", "特定日期特别开放时间"),
    ]
    assert terms[0].id == term_id("jiamenkou-schedule", "closed_on_holidays")
