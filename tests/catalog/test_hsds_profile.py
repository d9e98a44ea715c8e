"""The catalog's HSDS profile (catalog/hsds/profile/), as a partner meets it: the page that
/api/hsds/ names, listing every taxonomy and term of the catalog; the modifications served
as JSON; merged into the core HSDS 3.1 schemas, a schema that the demo catalog's export
meets and that refuses a record breaking one of the profile's rules though HSDS accepts it."""

import copy
import json
import re
from html import escape

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator

from catalog.hsds import export_services, import_services
from catalog.hsds.conventions import GUIDE_FIELDS, GUIDE_TAXONOMY
from catalog.hsds.profile import api_document, definition, files, schemas
from catalog.hsds.profile.merge import merge_patch
from catalog.hsds.validation import validate_service
from catalog.taxonomy_seed import TAXONOMIES, term_id
from tests.catalog.hsds_data import demo_catalog
from tests.catalog.test_api import api_routes

PROFILE_URL = "/api/hsds/profile/"


# --- the page ----------------------------------------------------------------------------


def section_of(content: str, taxonomy: str) -> str:
    """The page's section on ``taxonomy``, its white space collapsed."""
    start = content.index(f'<section aria-labelledby="{taxonomy}">')
    return re.sub(r"\s+", " ", content[start : content.index("</section>", start)])


@pytest.mark.django_db
def test_the_page_lists_every_taxonomy_and_every_term_of_the_seed(client):
    response = client.get(PROFILE_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "<h1>海河东区家门口 HSDS 扩展规范（Profile）</h1>" in content
    for name, (description, terms) in TAXONOMIES.items():
        section = section_of(content, name)
        assert escape(description) in section
        for code, term_name, term_description in terms:
            row = f'<th scope="row"><code>{code}</code></th> <td>{escape(term_name)}</td>'
            assert row in section, f"{name}: term {code} is missing"
            assert escape(term_description) in section
            assert str(term_id(name, code)) in section


@pytest.mark.django_db
def test_the_page_says_what_each_guide_attribute_holds(client):
    content = client.get(PROFILE_URL).content.decode()
    guide = section_of(content, GUIDE_TAXONOMY)
    assert sorted(definition.GUIDE_VALUES) == sorted(GUIDE_FIELDS)
    for rule in definition.GUIDE_VALUES.values():
        assert escape(rule.text) in guide
    assert '<th scope="col">属性值</th>' in guide


@pytest.mark.django_db
def test_the_page_links_to_every_file_of_the_profile(client):
    content = client.get(PROFILE_URL).content.decode()
    for name in definition.patches():
        assert f'href="{PROFILE_URL}profile/{name}"' in content
    for name in definition.data():
        assert f'href="{PROFILE_URL}profile/data/{name}"' in content
    assert f'href="{PROFILE_URL}schema/service.json"' in content
    assert f'href="{PROFILE_URL}README.md"' in content


@pytest.mark.django_db
def test_the_api_root_names_the_profile(client):
    assert reverse("catalog_api:hsds_profile") == PROFILE_URL == definition.PROFILE_PATH
    root = client.get("/api/hsds/").json()
    assert root["profile"] == "http://testserver" + PROFILE_URL
    assert client.get(root["profile"]).status_code == 200


@pytest.mark.django_db
def test_the_page_is_read_only(client):
    response = client.post(PROFILE_URL)
    assert response.status_code == 405
    assert "GET" in response["Allow"]


# --- the files ---------------------------------------------------------------------------


def test_the_files_in_the_repository_are_what_the_definition_makes():
    assert files.stale() == [], (
        "catalog/hsds/profile/profile/ is out of step with the taxonomies or the rules; "
        "write it again (see catalog/hsds/profile/files.py)"
    )


@pytest.mark.django_db
def test_every_modification_and_data_file_is_served_as_json(client):
    for name, patch in definition.patches().items():
        response = client.get(reverse("catalog_api:hsds_profile_patch", args=[name[:-5]]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content) == patch
    for name, records in definition.data().items():
        response = client.get(f"{PROFILE_URL}profile/data/{name}")
        assert response.status_code == 200
        assert json.loads(response.content) == records


@pytest.mark.django_db
def test_every_merged_schema_is_served_as_json(client):
    for name in schemas.schema_names():
        response = client.get(reverse("catalog_api:hsds_profile_schema", args=[name[:-5]]))
        assert response.status_code == 200, name
        assert json.loads(response.content) == schemas.schema(name)


@pytest.mark.django_db
def test_an_unknown_file_is_a_json_404(client):
    response = client.get(f"{PROFILE_URL}schema/servise.json")
    assert response.status_code == 404
    assert "servise.json" in response.json()["detail"]
    assert "service.json" in response.json()["detail"]
    assert client.get(f"{PROFILE_URL}profile/phone.json").status_code == 404


@pytest.mark.django_db
def test_the_readme_is_served(client):
    response = client.get(f"{PROFILE_URL}README.md")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    text = response.content.decode()
    for name in TAXONOMIES:
        assert f"`{name}`" in text
    for code in GUIDE_FIELDS:
        assert f"`{code}`" in text


def test_merge_patch_follows_rfc_7386():
    # The examples of RFC 7386's appendix A.
    cases = [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"a": "foo"}, "bar", "bar"),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ]
    for target, patch, result in cases:
        original = copy.deepcopy(target)
        assert merge_patch(target, patch) == result
        assert target == original


def test_every_merged_schema_is_valid_json_schema():
    for name in schemas.schema_names():
        if name != "openapi.json":
            Draft202012Validator.check_schema(schemas.schema(name))
    openapi = schemas.schema("openapi.json")
    assert openapi["info"]["version"] == definition.PROFILE_VERSION
    assert "license" not in openapi["info"]
    assert "/services" in openapi["paths"]


def test_the_default_data_validates_against_the_profile():
    data = definition.data()
    assert len(data["taxonomy.json"]) == len(TAXONOMIES)
    assert len(data["taxonomy_term.json"]) == sum(len(terms) for _, terms in TAXONOMIES.values())
    for kind in ("taxonomy", "taxonomy_term"):
        for record in data[f"{kind}.json"]:
            assert schemas.validate(kind, record) == []


# --- the rules ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_catalogs_export_conforms_to_the_profile():
    import_services(demo_catalog())
    records = export_services()
    assert len(records) == 200
    assert schemas.validate_services(records) == []


def attributes_of(record, link_type):
    return [a for a in record["attributes"] if a["link_type"] == link_type]


def term_of(record, code):
    return next(a for a in record["attributes"] if a["taxonomy_term"]["code"] == code)


def has_term(record, code):
    return any(a["taxonomy_term"]["code"] == code for a in record["attributes"])


def every_schedule(record):
    """Each schedule of the service, its locations and its services at locations, with
    its JSON path."""
    for index, schedule in enumerate(record.get("schedules", [])):
        yield f"$.schedules[{index}]", schedule
    for place, link in enumerate(record.get("service_at_locations", [])):
        at = f"$.service_at_locations[{place}]"
        for index, schedule in enumerate(link.get("schedules", [])):
            yield f"{at}.schedules[{index}]", schedule
        for index, schedule in enumerate(link["location"].get("schedules", [])):
            yield f"{at}.location.schedules[{index}]", schedule


def schedule_with(record, code):
    """The path and the first schedule with the schedule rule ``code``, or None."""
    return next(
        (
            (path, schedule)
            for path, schedule in every_schedule(record)
            if any(a["taxonomy_term"]["code"] == code for a in schedule.get("attributes", []))
        ),
        None,
    )


def attribute(taxonomy_name, code, link_id, value=None):
    """An attribute as the exporter writes it, from the profile's own description."""
    taxonomy = next(t for t in definition.taxonomies() if t.name == taxonomy_name)
    term = next(t for t in taxonomy.terms if t.code == code)
    made = {
        "id": str(term_id(taxonomy_name, code)),  # any uuid will do
        "link_id": link_id,
        "link_type": taxonomy.link_type,
        "link_entity": taxonomy.link_entity,
        "taxonomy_term_id": term.id,
        "taxonomy_term": {
            "id": term.id,
            "code": code,
            "name": term.name,
            "description": term.description,
            "taxonomy": taxonomy.name,
            "taxonomy_id": taxonomy.id,
        },
    }
    if value is not None:
        made["value"] = value
    return made


def topic_labelled_audience(record):
    term_of(record, "elderly_care")["link_type"] = "audience"
    return "$.attributes"


def kind_with_a_topics_term(record):
    kind = attributes_of(record, "service_kind")[0]
    kind["taxonomy_term_id"] = str(term_id("jiamenkou-topic", "elderly_care"))
    kind["taxonomy_term"]["id"] = kind["taxonomy_term_id"]
    return "$.attributes"


def code_not_of_the_term(record):
    term_of(record, "online")["taxonomy_term"]["code"] = "mobile"
    return "$.attributes"


def visits_in_words(record):
    term_of(record, "visits")["value"] = "两次"
    return "$.attributes"


def price_with_unit(record):
    term_of(record, "market_reference_price")["value"] = "120元"
    return "$.attributes"


def online_without_url(record):
    del term_of(record, "online")["value"]
    return "$.attributes"


def topic_with_a_value(record):
    term_of(record, "elderly_care")["value"] = "是"
    return "$.attributes"


def no_kind(record):
    record["attributes"].remove(attributes_of(record, "service_kind")[0])
    return "$.attributes"


def two_kinds(record):
    record["attributes"].append(attribute("jiamenkou-service-kind", "market", record["id"]))
    return "$.attributes"


def low_cost_without_reference_price(record):
    record["attributes"].remove(term_of(record, "market_reference_price"))
    return "$.attributes"


def government_with_reference_price(record):
    record["attributes"].append(
        attribute("jiamenkou-guide", "market_reference_price", record["id"], "100")
    )
    return "$.attributes"


def government_charging(record):
    record["cost_options"][0]["amount"] = 5
    return "$.cost_options[0].amount"


def government_fees_not_free(record):
    record["fees_description"] = "按成本收取"
    return "$.fees_description"


def schedule_rule_on_the_service(record):
    record["attributes"].append(attribute("jiamenkou-schedule", "closed_on_holidays", record["id"]))
    return f"$.attributes[{len(record['attributes']) - 1}]"


def closed_day_with_hours(record):
    path, schedule = schedule_with(record, "closed")
    schedule.update(opens_at="09:00+08:00", closes_at="12:00+08:00")
    return path


def closed_day_with_holiday_rule(record):
    path, schedule = schedule_with(record, "closed")
    schedule["attributes"].append(
        attribute("jiamenkou-schedule", "closed_on_holidays", schedule["id"])
    )
    return f"{path}.attributes"


def special_hours_without_closing_time(record):
    path, schedule = schedule_with(record, "closed")
    schedule["attributes"] = [attribute("jiamenkou-schedule", "special_hours", schedule["id"])]
    schedule["opens_at"] = "09:00+08:00"
    return path


def topic_on_a_schedule(record):
    path, schedule = schedule_with(record, "closed_on_holidays")
    schedule["attributes"].append(attribute("jiamenkou-topic", "health", schedule["id"]))
    return f"{path}.attributes[{len(schedule['attributes']) - 1}]"


# Each breakage, and the demo service it is tried on: a record it applies to.
BREAKAGES = {
    topic_labelled_audience: lambda r: has_term(r, "elderly_care"),
    kind_with_a_topics_term: lambda r: True,
    code_not_of_the_term: lambda r: has_term(r, "online"),
    visits_in_words: lambda r: has_term(r, "visits"),
    price_with_unit: lambda r: has_term(r, "market_reference_price"),
    online_without_url: lambda r: has_term(r, "online"),
    topic_with_a_value: lambda r: has_term(r, "elderly_care"),
    no_kind: lambda r: True,
    two_kinds: lambda r: has_term(r, "government"),
    low_cost_without_reference_price: lambda r: has_term(r, "low_cost"),
    government_with_reference_price: lambda r: has_term(r, "government"),
    government_charging: lambda r: has_term(r, "government") and r.get("cost_options"),
    government_fees_not_free: lambda r: has_term(r, "government"),
    schedule_rule_on_the_service: lambda r: True,
    closed_day_with_hours: lambda r: schedule_with(r, "closed") is not None,
    closed_day_with_holiday_rule: lambda r: schedule_with(r, "closed") is not None,
    special_hours_without_closing_time: lambda r: schedule_with(r, "closed") is not None,
    topic_on_a_schedule: lambda r: schedule_with(r, "closed_on_holidays") is not None,
}


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda breakage: breakage.__name__)
def test_the_profile_refuses_a_record_that_hsds_accepts(breakage):
    record = next(r for r in demo_catalog() if BREAKAGES[breakage](r))
    assert schemas.validate_service(record) == []
    path = breakage(record)
    assert validate_service(record) == [], "the broken record should still be valid HSDS"
    problems = schemas.validate_service(record)
    assert problems, f"{breakage.__name__} was not refused"
    assert any(problem.path.startswith(path) for problem in problems), problems


# --- the API's own document --------------------------------------------------------------


def test_the_api_document_paths_are_the_profiles_routes():
    routes = {route for route in api_routes() if route.startswith(PROFILE_URL)}
    assert set(api_document.paths()) == routes


@pytest.mark.django_db
def test_every_name_the_api_document_allows_is_served(client):
    for path, item in api_document.paths().items():
        if "parameters" in item:
            names = item["parameters"][0]["schema"]["enum"]
            urls = [path.replace("{name}", name) for name in names]
        else:
            urls = [path]
        for url in urls:
            assert client.get(url).status_code == 200, url
