"""Exports checked against the HSDS 3.1 JSON schemas shipped in catalog/hsds/schema,
offline, as a partner receiving the file would check it."""

import json
import socket
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from jsonschema import Draft202012Validator

from catalog.hsds import export_services, import_services
from catalog.hsds.validation import (
    schema_registry,
    validate,
    validate_service,
    validate_services,
)
from tests.catalog.hsds_data import demo_catalog, page_of, record_named, self_contained

pytestmark = pytest.mark.django_db

SENIOR_CARD = "老年人优待证办理"


@pytest.fixture
def no_network(monkeypatch):
    """The schemas refer to each other by raw.githubusercontent.com addresses: every one
    must be answered from the local files."""

    def refuse(*args, **kwargs):
        raise AssertionError("the validation tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_export_hsds_of_the_demo_catalog_validates_record_by_record(tmp_path, no_network):
    import_services(demo_catalog())
    target = tmp_path / "export.json"
    err = StringIO()
    call_command("export_hsds", str(target), "--validate", stdout=StringIO(), stderr=err)
    assert "校验通过：200条记录均符合HSDS 3.1。" in err.getvalue()
    records = json.loads(target.read_text(encoding="utf-8"))
    assert len(records) == 200
    assert validate_services(records) == []
    # A page of the HSDS API with full records (GET /services?full=true) is valid as well.
    assert validate("service_list", page_of(records[:20]), full=True) == []


def broken_export() -> tuple[int, list[dict]]:
    import_services(self_contained(demo_catalog(), SENIOR_CARD, "高龄老年人津贴申领"))
    records = export_services()
    index = records.index(record_named(records, SENIOR_CARD))
    record = records[index]
    del record["name"]
    record["status"] = "open"  # not one of HSDS's statuses
    record["colour"] = "red"  # not an HSDS property
    record["last_modified"] = "yesterday"
    record["phones"][0]["number"] = 12345
    return index, records


def test_a_broken_record_is_reported_at_its_json_path():
    index, records = broken_export()
    problems = validate_services(records)
    at = f"$[{index}]"
    assert [problem.path for problem in problems] == [
        at,
        at,
        f"{at}.last_modified",
        f"{at}.phones[0].number",
        f"{at}.status",
    ]
    messages = [problem.message for problem in problems]
    assert messages[0] == "'name' is a required property"
    assert messages[1] == "Additional properties are not allowed ('colour' was unexpected)"
    assert messages[2] == "'yesterday' is not a 'date-time'"
    assert messages[3] == "12345 is not of type 'string'"
    assert messages[4].startswith("'open' is not one of ['active'")
    # Every other record is left alone.
    assert all(problem.path.startswith(at) for problem in problems)


def test_unknown_properties_pass_only_when_not_strict():
    record = record_named(demo_catalog(), SENIOR_CARD)
    record["colour"] = "red"
    record["phones"][0]["extension_note"] = "转人工"
    assert [str(problem) for problem in validate_service(record)] == [
        "$: Additional properties are not allowed ('colour' was unexpected)",
        "$.phones[0]: Additional properties are not allowed ('extension_note' was unexpected)",
    ]
    assert validate_service(record, strict=False) == []


def test_a_page_needs_its_page_fields():
    records = demo_catalog()[:2]
    page = page_of(records)
    del page["empty"]  # required since HSDS 3.1.1
    page["total_items"] = "2"
    assert [str(problem) for problem in validate("service_list", page, full=True)] == [
        "$: 'empty' is a required property",
        "$.total_items: '2' is not of type 'integer'",
    ]
    # Without full=true a list item carries no arrays (phones, schedules…).
    assert validate("service_list", page_of(records))[0].message.startswith(
        "Additional properties are not allowed"
    )


def test_export_hsds_validate_refuses_to_write_a_broken_export(tmp_path, monkeypatch):
    index, records = broken_export()
    monkeypatch.setattr("catalog.management.commands.export_hsds.export_services", lambda: records)
    target = tmp_path / "export.json"
    err = StringIO()
    with pytest.raises(CommandError, match="导出未通过HSDS 3.1校验：共5个问题，未写出文件。"):
        call_command("export_hsds", str(target), "--validate", stdout=StringIO(), stderr=err)
    assert f"$[{index}].status: 'open' is not one of" in err.getvalue()
    assert not target.exists()


# The other endpoints of the HSDS API: organizations, services at locations, taxonomies.


def test_organization_records_and_their_services():
    record = record_named(demo_catalog(), SENIOR_CARD)
    organization = record["organization"]
    list_item = {key: value for key, value in record.items() if not isinstance(value, list)}
    del list_item["organization"]
    assert validate("organization", organization) == []
    assert validate("organization", {**organization, "services": [list_item]}) == []
    # A full service among the services only with ?full_service=true.
    full = {**organization, "services": [record]}
    assert validate("organization", full, full_service=True) == []
    assert validate("organization", full)[0].message.startswith(
        "Additional properties are not allowed ('attributes', 'contacts'"
    )
    # A list item of GET /organizations carries no arrays; with full=true it may.
    assert validate("organization_list", page_of([organization]), full=True) == []
    assert [str(problem) for problem in validate("organization_list", page_of([organization]))] == [
        "$.contents[0]: Additional properties are not allowed ('phones' was unexpected)"
    ]
    del organization["description"]
    assert [str(problem) for problem in validate("organization", organization)] == [
        "$: 'description' is a required property"
    ]


def test_service_at_location_records_and_list_items():
    record = record_named(demo_catalog(), SENIOR_CARD)
    link = record["service_at_locations"][0]
    one_to_one = {key: value for key, value in record.items() if not isinstance(value, list)}
    del one_to_one["organization"]
    assert validate("service_at_location", link) == []
    assert validate("service_at_location", {**link, "service": one_to_one}) == []
    assert validate("service_at_location_list", page_of([link]), full=True) == []
    # A list item: the location's and the service's one-to-one fields only.
    location = {
        key: value for key, value in link["location"].items() if not isinstance(value, list)
    }
    item = {**link, "location": location, "service": one_to_one}
    assert validate("service_at_location_list", page_of([item])) == []
    item["location"] = link["location"]
    assert [str(p) for p in validate("service_at_location_list", page_of([item]))] == [
        "$.contents[0].location: Additional properties are not allowed "
        "('accessibility', 'addresses', 'phones', 'schedules' were unexpected)"
    ]


def test_taxonomies_and_terms():
    record = record_named(demo_catalog(), SENIOR_CARD)
    term = record["attributes"][0]["taxonomy_term"]
    assert validate("taxonomy_term", term) == []
    assert validate("taxonomy", term["taxonomy_detail"]) == []
    assert validate("taxonomy_term_list", page_of([term])) == []
    assert validate("taxonomy_list", page_of([term["taxonomy_detail"]])) == []
    term["taxonomy_id"] = "jiamenkou-topic"
    assert [str(p) for p in validate("taxonomy_term_list", page_of([term]))] == [
        "$.contents[0].taxonomy_id: 'jiamenkou-topic' is not a 'uuid'"
    ]


def test_the_official_document_addresses_are_answered_locally(no_network):
    remote = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
    record = record_named(demo_catalog(), SENIOR_CARD)
    registry = schema_registry()
    # compiled/service.json (not vendored) is service.json: a full record fits it, and a
    # record without a name does not.
    service = Draft202012Validator({"$ref": remote + "compiled/service.json"}, registry=registry)
    assert service.is_valid(record)
    assert not service.is_valid({"id": record["id"]})
    # compiled/organization.json is organization.json with its services.
    organization = Draft202012Validator(
        {"$ref": remote + "compiled/organization.json"}, registry=registry
    )
    assert organization.is_valid({**record["organization"], "services": [record]})
    assert not organization.is_valid({**record["organization"], "services": [{"id": "x"}]})
