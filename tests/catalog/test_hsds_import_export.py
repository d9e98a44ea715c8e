"""HSDS 3.1 interchange: the district's catalog goes in and comes out unchanged."""

import json
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.hsds import HsdsImportError, export_services, import_services
from catalog.models import Location, Organization, Service, ServiceKind, TaxonomyTerm
from tests.catalog.hsds_data import demo_catalog, record_named, self_contained
from tests.district.builders import build_center, build_home, build_street

pytestmark = pytest.mark.django_db


def without_attribute_order(record: dict) -> dict:
    """HSDS attributes are a set of classifications; their order carries no meaning."""
    return {**record, "attributes": sorted(record.get("attributes", []), key=lambda a: a["id"])}


def test_the_demo_catalog_imports_with_its_kinds_organisations_and_centers():
    summary = import_services(demo_catalog())
    assert (summary.created, summary.updated) == (200, 0)
    counts = {kind: Service.objects.filter(kind=kind).count() for kind in ServiceKind}
    assert counts == {"government": 60, "public_welfare": 55, "market": 40, "low_cost": 45}
    assert Organization.objects.count() == 79
    assert Location.objects.count() == 9
    senior_card = Service.objects.get(name="老年人优待证办理")
    assert senior_card.alternate_name == "老年证"
    assert senior_card.is_immediate is False
    assert senior_card.most_visits == 1
    assert [t.code for t in senior_card.topics.all()] == ["elderly_care"]
    assert senior_card.application_steps()[0].startswith("申请人本人")


def test_locations_are_linked_to_the_centers_with_the_same_code():
    home = build_home()
    center = build_center(build_street(home), code="HHD-CH-01", place=False)
    import_services(demo_catalog())
    assert Location.objects.get(external_identifier="HHD-CH-01").center_id == center.id
    assert Service.objects.at_center(center).count() == 54


def test_export_of_an_import_round_trips_without_loss():
    original = demo_catalog()
    import_services(original)
    exported = export_services()
    assert len(exported) == 200
    by_id = {record["id"]: record for record in exported}
    for record in original:
        assert without_attribute_order(by_id[record["id"]]) == without_attribute_order(record), (
            record["name"]
        )


def test_importing_twice_leaves_one_copy_updated_in_place():
    records = demo_catalog()
    import_services(records)
    record_named(records, "老年人优待证办理")["description"] = "更新后的服务内容。"
    summary = import_services(records)
    assert (summary.created, summary.updated) == (0, 200)
    assert Service.objects.count() == 200
    assert Organization.objects.count() == 79
    service = Service.objects.get(id=record_named(records, "老年人优待证办理")["id"])
    assert service.description == "更新后的服务内容。"
    assert service.required_documents.count() == 4


def test_the_commands_import_and_export_files(tmp_path):
    source = tmp_path / "catalog.json"
    source.write_text(json.dumps(demo_catalog(), ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("import_hsds", str(source), stdout=out)
    assert "新增 200 项服务" in out.getvalue()
    target = tmp_path / "export.json"
    call_command("export_hsds", str(target), stdout=StringIO())
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 200


def test_a_location_whose_organisation_is_nowhere_is_refused():
    record = record_named(demo_catalog(), "老年人优待证办理")
    problems = refused([record])
    links = record["service_at_locations"]
    assert len(problems) == len(links)
    for index, link in enumerate(links):
        location = link["location"]
        assert problems[index] == (
            f"$[0].service_at_locations[{index}].location.organization_id: "
            f"所属单位 {location['organization_id']} 既不在文件中，也不在服务目录里。"
        )


# -- malformed input: refused as a whole, every problem reported with its JSON path ----


@pytest.fixture
def existing_service():
    """A service already in the catalog, which a refused import must leave alone."""
    import_services(self_contained(demo_catalog(), "老年人优待证办理"))
    return Service.objects.get(name="老年人优待证办理")


def refused(records) -> list[str]:
    before = Service.objects.count()
    with pytest.raises(HsdsImportError) as error:
        import_services(records)
    assert Service.objects.count() == before, "a refused import saved something"
    return [str(problem) for problem in error.value.problems]


def sample(count: int) -> list[dict]:
    """The catalog's first ``count`` records, at $[0]…, plus the records carrying the
    organisations their centers belong to, so only the spoiled value is wrong."""
    records = demo_catalog()
    return self_contained(records, *(record["name"] for record in records[:count]))


def test_not_json_is_refused_with_its_position(tmp_path, existing_service):
    path = tmp_path / "broken.json"
    path.write_text('[{"id": "x",', encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="未做任何修改"):
        call_command("import_hsds", str(path), stderr=err)
    assert "$: 文件不是有效的JSON（第1行第13列）。" in err.getvalue()
    assert Service.objects.get(id=existing_service.id).name == existing_service.name


def test_a_json_object_instead_of_an_array_is_refused(existing_service):
    from catalog.hsds import parse_json

    with pytest.raises(HsdsImportError, match="JSON数组"):
        parse_json('{"id": "1"}')


def test_missing_required_fields_are_each_reported(existing_service):
    records = sample(3)
    del records[0]["name"]
    del records[1]["status"]
    records[2]["description"] = ""
    problems = refused(records)
    assert "$[0].name: 缺少必填字段。" in problems
    assert any(p.startswith("$[1].status: 状态“”无效") for p in problems)
    assert "$[2].description: 缺少必填字段。" in problems
    assert Service.objects.get(id=existing_service.id).description == existing_service.description


def test_an_unknown_taxonomy_term_is_refused():
    records = sample(2)
    topic = next(a for a in records[1]["attributes"] if a["link_type"] == "topic")
    topic["taxonomy_term_id"] = "00000000-0000-0000-0000-000000000001"
    topic["taxonomy_term"]["id"] = "00000000-0000-0000-0000-000000000001"
    topic["taxonomy_term"]["code"] = "astrology"
    topic["taxonomy_term"]["name"] = "星座运势"
    index = records[1]["attributes"].index(topic)
    assert refused(records) == [
        f"$[1].attributes[{index}].taxonomy_term_id: 未知的分类词“星座运势”：请先在分类体系中添加。"
    ]


def test_an_embedded_term_that_disagrees_with_its_id_is_refused():
    records = sample(3)

    def attribute(record, link_type):
        index, found = next(
            (index, found)
            for index, found in enumerate(record["attributes"])
            if found["link_type"] == link_type
        )
        return f"$[{records.index(record)}].attributes[{index}]", found

    # The embedded term is another term altogether…
    path_0, topic_0 = attribute(records[0], "topic")
    _, kind_0 = attribute(records[0], "service_kind")
    topic_0["taxonomy_term"]["id"] = kind_0["taxonomy_term_id"]
    # …the same id with another code…
    path_1, topic_1 = attribute(records[1], "topic")
    topic_1["taxonomy_term"]["code"] = "astrology"
    # …or the same term placed in another taxonomy.
    path_2, kind_2 = attribute(records[2], "service_kind")
    kind_2["taxonomy_term"]["taxonomy"] = "jiamenkou-topic"
    kind_2["taxonomy_term"]["taxonomy_id"] = str(uuid.UUID(int=7))
    term_1, term_2 = topic_1["taxonomy_term"], kind_2["taxonomy_term"]
    term_2_taxonomy = TaxonomyTerm.objects.get(id=kind_2["taxonomy_term_id"]).taxonomy

    assert refused(records) == [
        f"{path_0}.taxonomy_term.id: 与 taxonomy_term_id（{topic_0['taxonomy_term_id']}）"
        "不一致：一个属性只能指向一个分类词。",
        f"{path_1}.taxonomy_term.code: 分类词代码“astrology”与 taxonomy_term_id "
        f"所指的分类词“{term_1['name']}”不一致（应为“"
        f"{TaxonomyTerm.objects.get(id=topic_1['taxonomy_term_id']).code}”）。",
        f"{path_2}.taxonomy_term.taxonomy: 分类体系“jiamenkou-topic”与 taxonomy_term_id "
        f"所指的分类词“{term_2['name']}”不一致（应为“{term_2_taxonomy.name}”）。",
        f"{path_2}.taxonomy_term.taxonomy_id: 分类体系id“{uuid.UUID(int=7)}”与 "
        f"taxonomy_term_id 所指的分类词“{term_2['name']}”不一致（应为“{term_2_taxonomy.id}”）。",
    ]


def test_bad_dates_and_times_are_refused_with_their_paths():
    records = sample(1)
    records[0]["assured_date"] = "2026-02-30"
    records[0]["schedules"][0]["opens_at"] = "25:00+08:00"
    records[0]["cost_options"][0]["valid_from"] = "yesterday"
    records[0]["last_modified"] = "2026-11-01 09:00"
    problems = refused(records)
    assert "$[0].assured_date: “2026-02-30”不是有效日期，应为YYYY-MM-DD。" in problems
    assert (
        "$[0].schedules[0].opens_at: “25:00+08:00”不是有效时间，应为HH:MM，如09:00+08:00。"
        in problems
    )
    assert "$[0].cost_options[0].valid_from: “yesterday”不是有效日期，应为YYYY-MM-DD。" in problems
    assert "$[0].last_modified: “2026-11-01 09:00”缺少时区，如+08:00。" in problems


def test_a_schedule_closing_before_it_opens_is_refused():
    records = sample(1)
    records[0]["schedules"][0]["closes_at"] = "08:00+08:00"
    assert refused(records) == ["$[0].schedules[0].closes_at: 结束时间必须晚于开始时间。"]


def test_duplicate_ids_are_refused():
    records = sample(2)
    records[1]["id"] = records[0]["id"]
    problems = refused(records)
    assert "$[1].id: id重复：与 $[0].id 相同。" in problems


def test_a_low_cost_service_priced_at_or_above_market_is_refused():
    records = demo_catalog()
    service = next(
        r
        for r in records
        if any(
            a["link_type"] == "guide" and a["taxonomy_term"]["code"] == "market_reference_price"
            for a in r["attributes"]
        )
    )
    reference = next(
        a["value"]
        for a in service["attributes"]
        if a["taxonomy_term"]["code"] == "market_reference_price"
    )
    service["cost_options"][0]["amount"] = float(reference)
    index = records.index(service)
    problems = refused(records)
    assert problems == [
        f"$[{index}].cost_options[0].amount: 低偿服务价格{reference}元不低于市场参考价{reference}元，不能按低偿服务登记。"
    ]


def test_every_problem_of_a_file_is_reported_at_once():
    records = sample(3)
    records[0]["assured_date"] = "not a date"
    records[2]["id"] = "not-a-uuid"
    problems = refused(records)
    assert len(problems) == 2
    assert problems[0].startswith("$[0].assured_date")
    assert problems[1] == "$[2].id: “not-a-uuid”不是有效的UUID。"


def test_paths_stay_right_after_a_record_that_is_not_an_object():
    record = record_named(demo_catalog(), "老年人优待证办理")
    record["service_at_locations"][0]["location"] = None
    problems = refused(["not a record", record])
    assert problems[0] == "$[0]: 应为服务记录对象。"
    assert (
        "$[1].service_at_locations[0].location: 服务地点不存在，请提供完整的location。" in problems
    )
