"""The API contract: schemathesis reads the site's own ``/api/openapi.json`` and sends the
requests it describes — valid ones, invalid ones and undeclared methods — to the Django
app in-process (WSGI, the test database, no network), then checks every answer against
the document: no server error, only documented status codes and content types, bodies
that match their schemas, valid requests accepted, invalid ones refused, and 405 with an
``Allow`` header for a method the document does not declare.

Bounded and repeatable: a fixed seed, derandomized, a few dozen examples per operation.
"""

import json
import re
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.utils import timezone
from jsonschema import Draft202012Validator

from activities.models import Kiosk
from catalog.api import openapi
from tests.district.builders import (
    build_center,
    build_home,
    build_notice,
    build_notice_index,
    build_street,
)
from tests.honors.builders import add_points, build_honor_board, participant
from tests.schemathesis_site import (  # noqa: F401 (keep_connection_open: a fixture)
    keep_connection_open,
    load_indexed_demo_services,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261201,
        "generation": {
            "mode": "all",
            "max-examples": 25,
            "deterministic": True,
            "database": "none",
        },
        "phases": {"stateful": {"enabled": False}},
        # Not the literals of the app's own source as values: they change with every commit
        # anywhere (a float constant in the search's code made "page=5.0" a valid integer).
        "analysis": {"constants": {"enabled": False}},
        "operations": [
            {
                # start and end are each valid alone, but together may span more than the
                # documented 92 days (or end before start): a 400 the schema cannot express.
                "include-path-regex": "^/api/activities/occurrences/?$",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "400", "404"],
                    }
                },
            },
        ],
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "positive_data_acceptance": {"enabled": True},
            "negative_data_rejection": {"enabled": True},
            "unsupported_method": {"enabled": True},
            "allow_header_conformance": {"enabled": True},
        },
    }
)


@pytest.fixture
def demo_site(db):
    """A street center with a notice and part of the demo catalog, indexed, in the test's
    transaction (about a second: each operation's examples run in one test)."""
    home = build_home()
    street = build_street(home, title="春华街道", slug="chunhua")
    center = build_center(
        street, code="HHD-CH", title="春华街道党群服务中心", kind="street", place=False
    )
    build_notice(build_notice_index(center), number=1, summary="测试摘要")
    Kiosk.objects.create(center=center, name="一楼大厅屏", slug="dating")  # the documented example
    # The kiosk's honors slide and its ranking: one entry with consent, one masked.
    build_honor_board(center, entries=[{"consent_given": True}, {"name": "李建国"}])
    add_points(participant(center), 20, day=timezone.localdate())
    load_indexed_demo_services()


# The document the site serves at /api/openapi.json (test_the_document_is_served).
schema = schemathesis.openapi.from_dict(openapi.document(), config=CONFIG)
schema.app = WSGIHandler()


@pytest.mark.usefixtures("demo_site")
@schema.parametrize()
def test_api_contract(case):
    case.call_and_validate()


@pytest.mark.django_db
def test_the_document_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(openapi.document()))


# What the contract test first found, spelled out.


def get(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    return response.json()


def assert_names(body, *parameters):
    assert [error["parameter"] for error in body["errors"]] == list(parameters)
    assert CHINESE.search(body["detail"]), body


@pytest.mark.parametrize(
    "url",
    [
        "/api/openapi.json",
        "/api/hsds/",
        "/api/hsds",
        f"/api/hsds/services/{openapi.EXAMPLE_SERVICE_ID}",
        f"/api/hsds/services/{openapi.EXAMPLE_SERVICE_ID}/",
        "/api/services/",
        "/api/services/search",
        "/api/v2/pages/",
        "/api/v2/pages/find/",
        "/api/activities/occurrences",
    ],
)
@pytest.mark.parametrize("method", ["post", "put", "delete"])
@pytest.mark.django_db
def test_an_undeclared_method_is_405_with_allow(client, url, method):
    # The test client skips CSRF checks unless asked to: a browser's POST would meet them.
    client.handler.enforce_csrf_checks = True
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD", "OPTIONS"}
    assert "POST" not in response["Allow"]
    assert CHINESE.search(response.json()["detail"])


@pytest.mark.parametrize("url", ["/api/hsds/services", "/api/hsds/taxonomies/"])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.django_db
def test_an_hsds_list_takes_get_and_post_only(client, url, method):
    client.handler.enforce_csrf_checks = True
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST", "HEAD", "OPTIONS"}
    assert CHINESE.search(response.json()["detail"])


@pytest.mark.usefixtures("demo_site")
def test_an_hsds_list_answers_a_post_as_its_get(client):
    # A client posting a search, as the official document allows, without a CSRF token.
    client.handler.enforce_csrf_checks = True
    query = urlencode({"search": "老年证", "per_page": 3})
    for url in ("/api/hsds/services", "/api/hsds/services/"):
        response = client.post(f"{url}?{query}")
        assert response.status_code == 200, response.content[:300]
        assert response.json() == get(client, f"{url}?{query}")


@pytest.mark.usefixtures("demo_site")
def test_a_page_id_that_is_not_a_number_is_400_naming_it(client):
    body = get(client, "/api/v2/pages/find/", {"id": "null"}, status=400)
    assert_names(body, "id")
    body = get(client, "/api/v2/pages/", {"child_of": "null", "limit": "99"}, status=400)
    assert_names(body, "limit", "child_of")


@pytest.mark.usefixtures("demo_site")
def test_a_page_nobody_has_is_404_naming_what_was_asked(client):
    body = get(client, "/api/v2/pages/find/", {"html_path": "/nowhere/"}, status=404)
    assert_names(body, "html_path")
    body = get(client, "/api/v2/pages/", {"child_of": "999999"}, status=404)
    assert_names(body, "child_of")


@pytest.mark.usefixtures("demo_site")
def test_a_page_found_by_its_path_redirects_to_its_details(client):
    response = client.get("/api/v2/pages/find/", {"html_path": "/chunhua/"})
    assert response.status_code == 302
    details = get(client, response["Location"])
    assert details["title"] == "春华街道"


@pytest.mark.usefixtures("demo_site")
def test_fields_of_another_page_type_are_left_out(client):
    body = get(client, "/api/v2/pages/", {"fields": "code,title"})
    assert body["items"] and all("code" not in item for item in body["items"])
    body = get(client, "/api/v2/pages/", {"type": "district.CenterPage", "fields": "code"})
    assert [item["code"] for item in body["items"]] == ["HHD-CH"]
    body = get(client, "/api/v2/pages/", {"fields": "cdoe"}, status=400)
    assert_names(body, "fields")


@pytest.mark.usefixtures("demo_site")
def test_child_of_and_descendant_of_together(client):
    street = get(client, "/api/v2/pages/", {"type": "district.StreetPage"})["items"][0]
    home_id = get(client, "/api/v2/pages/", {"type": "district.HomePage"})["items"][0]["id"]
    body = get(client, "/api/v2/pages/", {"child_of": street["id"], "descendant_of": home_id})
    assert [item["title"] for item in body["items"]] == ["春华街道党群服务中心"]


@pytest.mark.usefixtures("demo_site")
def test_walking_minutes_beyond_the_documented_120_are_refused(client):
    for params in ({"minutes": "121"}, {"q": "老年证", "near": "HHD-CH", "minutes": "121"}):
        body = get(client, "/api/services/search", params, status=400)
        assert_names(body, "minutes")
        assert body["errors"][0]["message"] == "步行分钟数必须在1到120之间，收到121。"
    get(client, "/api/services/search", {"near": "HHD-CH", "minutes": "120"})


@pytest.mark.usefixtures("demo_site")
def test_a_well_formed_code_or_id_nobody_has_is_404_a_malformed_one_400(client):
    unknown = "00000000-0000-0000-0000-000000000000"
    for url, parameter, malformed, missing in [
        ("/api/services/", "center", "春华", "HHD-99"),
        ("/api/services/search", "center", "春华", "HHD-99"),
        ("/api/services/search", "near", "91,200", "HHD-99"),
    ]:
        assert_names(get(client, url, {parameter: malformed}, status=400), parameter)
        assert_names(get(client, url, {parameter: missing}, status=404), parameter)
    assert_names(get(client, "/api/services/", {"page": "99"}, status=404), "page")
    assert_names(get(client, f"/api/services/{unknown[:-1]}", status=400), "service_id")
    # HSDS types its ids as any text: one that is not a UUID names nothing there is.
    for url, parameter in [
        ("/api/hsds/services", "organization_id"),
        ("/api/hsds/services", "taxonomy_term_id"),
        ("/api/hsds/organizations", "taxonomy_id"),
        ("/api/hsds/taxonomy_terms", "parent_id"),
        ("/api/hsds/service_at_locations", "organization_id"),
    ]:
        for value in ("x", unknown):
            assert_names(get(client, url, {parameter: value}, status=404), parameter)
    for path in ("services", "organizations", "taxonomies", "taxonomy_terms"):
        for value in ("x", unknown):
            assert CHINESE.search(get(client, f"/api/hsds/{path}/{value}", status=404)["detail"])


def fits(instance, schema: dict) -> bool:
    """``instance`` is valid against ``schema`` of the document (formats checked)."""
    components = openapi.document()["components"]
    validator = Draft202012Validator(
        {**schema, "components": components}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    return validator.is_valid(instance)


def shape(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


@pytest.mark.usefixtures("demo_site")
def test_each_kind_of_hsds_page_fits_its_own_shape(client):
    """A page of list items is no page of full records, and the other way round: what the
    document says of each parameter is told apart in the answers."""
    for url, params, own, other in [
        ("/api/hsds/services", {}, "HsdsServiceListPage", "HsdsFullServicePage"),
        ("/api/hsds/services", {"full": "true"}, "HsdsFullServicePage", "HsdsServiceListPage"),
        ("/api/hsds/services", {"minimal": "1"}, "HsdsMinimalServicePage", "HsdsFullServicePage"),
        # A fully nested organization may have nothing to nest, and a service at a location
        # need have no schedules: those list pages fit the full shapes too.
        ("/api/hsds/organizations", {}, "HsdsOrganizationListPage", None),
        (
            "/api/hsds/organizations",
            {"full": "true"},
            "HsdsFullOrganizationPage",
            "HsdsOrganizationListPage",
        ),
        (
            "/api/hsds/service_at_locations",
            {},
            "HsdsServiceAtLocationListPage",
            None,
        ),
        (
            "/api/hsds/service_at_locations",
            {"full": "true"},
            "HsdsFullServiceAtLocationPage",
            "HsdsServiceAtLocationListPage",
        ),
    ]:
        page = get(client, url, {**params, "per_page": 3})
        assert page["contents"], (url, params)
        assert fits(page, shape(own)), (url, params)
        assert other is None or not fits(page, shape(other)), (url, params)
    minimal = get(client, "/api/hsds/services", {"minimal": "true"})
    assert not fits(minimal["contents"][0], shape("HsdsService"))
    full_services = get(client, "/api/hsds/organizations", {"full": "true", "full_service": "true"})
    assert fits(full_services, shape("HsdsFullOrganizationPage"))
    services = [s for org in full_services["contents"] for s in org.get("services", [])]
    assert services and all(fits(s, shape("HsdsService")) for s in services)


@pytest.mark.usefixtures("demo_site")
def test_ndjson_lines_are_the_documented_records(client):
    """Schemathesis reads no ndjson: each line is checked here against the document."""
    paths = openapi.document()["paths"]
    for path in (p for p in paths if "post" in paths[p] and p.startswith("/api/hsds/")):
        content = paths[path]["get"]["responses"]["200"]["content"]
        for params in ({}, {"full": "true"}, {"minimal": "true"}):
            if not {*params} <= {p["name"] for p in paths[path]["get"]["parameters"]}:
                continue
            response = client.get(path, {**params, "format": "ndjson"})
            assert response.status_code == 200
            assert response["Content-Type"].split(";")[0] == "application/x-ndjson"
            lines = b"".join(response.streaming_content).decode().splitlines()
            records = [json.loads(line) for line in lines]
            page = get(client, path, {**params, "per_page": 100})
            assert records[: len(page["contents"])] == page["contents"], (path, params)
            assert len(records) == page["total_items"], (path, params)
            line = content["application/x-ndjson"]["schema"]
            assert all(fits(record, line) for record in records), (path, params)
