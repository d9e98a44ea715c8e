"""The HSDS API at /api/hsds as a partner's client written only from Open Referral's
OpenAPI document uses it: every list and record validates strictly against the HSDS 3.1
schemas (catalog.hsds.validation), every service can be paged through or streamed whole,
and the filters give exactly the records they name.

The expected subsets are worked out from the catalog's HSDS export (what each record says
of itself: its attributes, organization, last_modified, locations and their coordinates),
not from the code that filters.
"""

import json
import math
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from catalog.hsds import export_services, import_services
from catalog.hsds.validation import validate
from search.indexing import rebuild_index
from search.models import SynonymSet
from search.seeding import load_synonym_seed
from tests.catalog.hsds_data import demo_catalog, with_their_organizations

pytestmark = pytest.mark.django_db

API = "/api/hsds"
SERVICES = 40
SENIOR_CARD = "老年人优待证办理"  # alternate name 老年证
BEIJING = timezone(timedelta(hours=8))
NDJSON = "application/x-ndjson"

#: Each list endpoint: the validation kind of its pages, and its variants as
#: (query parameters, validate() keywords).
LISTS = {
    "services": (
        "service_list",
        [({}, {}), ({"full": "true"}, {"full": True}), ({"minimal": "true"}, {})],
    ),
    "organizations": (
        "organization_list",
        [
            ({}, {}),
            ({"full": "true"}, {"full": True}),
            ({"full_service": "true"}, {"full_service": True}),
            ({"full": "true", "full_service": "true"}, {"full": True, "full_service": True}),
        ],
    ),
    "taxonomies": ("taxonomy_list", [({}, {})]),
    "taxonomy_terms": ("taxonomy_term_list", [({}, {})]),
    "service_at_locations": (
        "service_at_location_list",
        [({}, {}), ({"full": "true"}, {"full": True})],
    ),
}
#: Each detail endpoint: the validation kind of its records, and its variants.
DETAILS = {
    "services": ("service", [({}, {})]),
    "organizations": (
        "organization",
        [({}, {}), ({"full_service": "true"}, {"full_service": True})],
    ),
    "taxonomies": ("taxonomy", [({}, {})]),
    "taxonomy_terms": ("taxonomy_term", [({}, {})]),
    "service_at_locations": ("service_at_location", [({}, {})]),
}


@pytest.fixture
def records() -> list[dict]:
    """Part of the demo catalog (every status; each organisation their centers name),
    imported and indexed for search; the catalog's HSDS export of it."""
    catalog = demo_catalog()
    chosen = catalog[:SERVICES] + [r for r in catalog[SERVICES:] if r["status"] != "active"]
    import_services(with_their_organizations(catalog, chosen))
    load_synonym_seed(SynonymSet)
    rebuild_index(progress=False)
    return export_services()


def get(client, path: str, params=None, status: int = 200) -> dict:
    response = client.get(API + path, params or {})
    assert response.status_code == status, (path, params, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()


def assert_valid(kind: str, document, where, **keywords):
    problems = validate(kind, document, **keywords)
    assert problems == [], (where, [str(problem) for problem in problems[:5]])


def every_page(client, path: str, params=None, per_page: int = 7) -> list[dict]:
    """Every item of a list, page after page as the Page object says, each page checked."""
    items, number = [], 1
    while True:
        page = get(client, path, {**(params or {}), "page": number, "per_page": per_page})
        assert page["page_number"] == number
        assert page["size"] == len(page["contents"])
        assert page["first_page"] == (number == 1)
        assert page["empty"] == (page["total_items"] == 0)
        items += page["contents"]
        if page["last_page"]:
            assert page["total_pages"] == max(number, 1) or page["total_items"] == 0
            assert len(items) == page["total_items"]
            return items
        assert page["size"] == per_page
        number += 1


def ndjson_lines(client, path: str, params=None) -> list[dict]:
    response = client.get(API + path, {**(params or {}), "format": "ndjson"})
    assert response.status_code == 200, (path, params)
    assert response["Content-Type"].startswith(NDJSON), response["Content-Type"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.endswith("\n") or not body
    return [json.loads(line) for line in body.splitlines()]


def ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


def page_of(items: list[dict]) -> dict:
    return {
        "total_items": len(items),
        "total_pages": 1,
        "page_number": 1,
        "size": len(items),
        "first_page": True,
        "last_page": True,
        "empty": not items,
        "contents": items,
    }


# -- every response valid -----------------------------------------------------------------


@pytest.mark.parametrize("endpoint", LISTS)
def test_every_list_page_and_record_validates_strictly(client, records, endpoint):
    kind, variants = LISTS[endpoint]
    for params, keywords in variants:
        page = get(client, f"/{endpoint}", {**params, "per_page": 100})
        assert page["total_items"] > 0, endpoint
        assert_valid(kind, page, (endpoint, params), **keywords)
        if params.get("minimal"):
            # "aim to return all services within one page"
            assert page["size"] == page["total_items"] == len(records)
            assert {tuple(sorted(item)) for item in page["contents"]} <= {
                ("id", "last_modified", "name", "status"),
                ("id", "name", "status"),
            }
    detail_kind, detail_variants = DETAILS[endpoint]
    for item in every_page(client, f"/{endpoint}", per_page=100):
        for params, keywords in detail_variants:
            record = get(client, f"/{endpoint}/{item['id']}", params)
            assert record["id"] == item["id"]
            assert_valid(detail_kind, record, (endpoint, item["id"], params), **keywords)


def test_a_service_record_is_the_exported_record(client, records):
    for record in records[:10]:
        assert get(client, f"/services/{record['id']}") == record


def test_an_organization_lists_its_services(client, records):
    expected: dict[str, set] = {}
    for record in records:
        expected.setdefault(record["organization_id"], set()).add(record["id"])
    for organization_id, services in expected.items():
        plain = get(client, f"/organizations/{organization_id}")
        full = get(client, f"/organizations/{organization_id}", {"full_service": "true"})
        assert set(ids(plain["services"])) == services
        assert set(ids(full["services"])) == services
        by_id = {record["id"]: record for record in records}
        assert all(service == by_id[service["id"]] for service in full["services"])


@pytest.mark.parametrize("endpoint", LISTS)
def test_ndjson_streams_every_record_each_a_valid_item(client, records, endpoint):
    kind, variants = LISTS[endpoint]
    for params, keywords in variants:
        total = get(client, f"/{endpoint}", {**params, "per_page": 1})["total_items"]
        lines = ndjson_lines(client, f"/{endpoint}", params)
        assert len(lines) == total, (endpoint, params)
        assert len(set(ids(lines))) == total
        # Each line is the item the json page carries.
        first_page = get(client, f"/{endpoint}", {**params, "per_page": 100})["contents"]
        assert lines[: len(first_page)] == first_page
        for index, line in enumerate(lines):
            assert_valid(kind, page_of([line]), (endpoint, params, index), **keywords)


# -- paging and filtering -------------------------------------------------------------------


def test_paging_through_every_service_gives_each_once_in_a_stable_order(client, records):
    first = every_page(client, "/services", per_page=7)
    again = every_page(client, "/services", per_page=7)
    assert ids(first) == ids(again)
    assert len(set(ids(first))) == len(first) == len(records)
    assert set(ids(first)) == set(ids(records))
    # Another page size, the same order.
    assert ids(every_page(client, "/services", per_page=13)) == ids(first)
    assert ids(ndjson_lines(client, "/services")) == ids(first)


def service_terms(record: dict) -> set[str]:
    return {attribute["taxonomy_term_id"] for attribute in record.get("attributes", [])}


def service_taxonomies(record: dict) -> set[str]:
    return {
        attribute["taxonomy_term"]["taxonomy_id"]
        for attribute in record.get("attributes", [])
        if "taxonomy_term" in attribute
    }


def links_of(records: list[dict], services: set[str]) -> set[str]:
    return {
        link["id"]
        for record in records
        if record["id"] in services
        for link in record.get("service_at_locations", [])
    }


def organizations_of(records: list[dict], services: set[str]) -> set[str]:
    return {record["organization_id"] for record in records if record["id"] in services}


def assert_subsets(client, records, params: dict, services: set[str], organizations=True):
    """The services, their services at locations and (when the document defines the
    parameter there) their organizations, as the filter gives them."""
    assert set(ids(every_page(client, "/services", params))) == services, params
    assert set(ids(every_page(client, "/service_at_locations", params))) == links_of(
        records, services
    ), params
    if organizations:
        assert set(ids(every_page(client, "/organizations", params))) == organizations_of(
            records, services
        ), params


def test_filter_by_taxonomy_term(client, records):
    terms: dict[str, set] = {}
    for record in records:
        for term in service_terms(record):
            terms.setdefault(term, set()).add(record["id"])
    assert len(terms) > 10
    # Every term some service carries, and one of them in ndjson too.
    for term, services in sorted(terms.items()):
        assert_subsets(client, records, {"taxonomy_term_id": term}, services)
    term, services = sorted(terms.items())[0]
    lines = ndjson_lines(client, "/services", {"taxonomy_term_id": term})
    assert set(ids(lines)) == services


def test_filter_by_taxonomy(client, records):
    taxonomies: dict[str, set] = {}
    for record in records:
        for taxonomy in service_taxonomies(record):
            taxonomies.setdefault(taxonomy, set()).add(record["id"])
    assert len(taxonomies) >= 4
    for taxonomy, services in taxonomies.items():
        assert_subsets(client, records, {"taxonomy_id": taxonomy}, services)
        terms = every_page(client, "/taxonomy_terms", {"taxonomy_id": taxonomy})
        assert terms and {term["taxonomy_id"] for term in terms} == {taxonomy}


def test_filter_by_organization(client, records):
    providers: dict[str, set] = {}
    for record in records:
        providers.setdefault(record["organization_id"], set()).add(record["id"])
    assert len(providers) > 3
    for organization, services in providers.items():
        assert_subsets(client, records, {"organization_id": organization}, services, False)


def test_filter_by_modified_after(client, records):
    moments = sorted(datetime.fromisoformat(record["last_modified"]) for record in records)
    middle = moments[len(moments) // 2]
    for value, since in [
        (middle.isoformat(), middle),
        (middle.astimezone(UTC).isoformat(), middle),
        # A date alone is that day from midnight, Beijing time.
        (middle.date().isoformat(), datetime.combine(middle.date(), datetime.min.time(), BEIJING)),
    ]:
        services = {
            record["id"]
            for record in records
            if datetime.fromisoformat(record["last_modified"]) >= since
        }
        assert 0 < len(services) < len(records)
        assert_subsets(client, records, {"modified_after": value}, services, False)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance on a sphere of the Earth's mean radius."""
    (lat1, lng1), (lat2, lng2) = [tuple(map(math.radians, point)) for point in (a, b)]
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def test_filter_by_postcode_and_proximity(client, records):
    links = [
        link
        for record in records
        for link in record.get("service_at_locations", [])
        if "location" in link
    ]
    by_postcode: dict[str, set] = {}
    points: dict[str, tuple[float, float]] = {}
    for link in links:
        location = link["location"]
        for address in location.get("addresses", []):
            by_postcode.setdefault(address["postal_code"], set()).add(location["id"])
        if "latitude" in location:
            points[location["id"]] = (location["latitude"], location["longitude"])
    assert len(by_postcode) >= 3
    for postcode, locations in by_postcode.items():
        expected = {link["id"] for link in links if link["location_id"] in locations}
        found = every_page(client, "/service_at_locations", {"postcode": postcode})
        assert set(ids(found)) == expected, postcode
    # Around the postcode with the most centers: the centroid of its located centers, and a
    # radius midway between two of the distances (no center on the boundary).
    postcode, locations = max(by_postcode.items(), key=lambda item: len(item[1]))
    located = [points[location] for location in locations if location in points]
    centroid = (
        sum(point[0] for point in located) / len(located),
        sum(point[1] for point in located) / len(located),
    )
    distances = sorted({round(metres(centroid, point), 1) for point in points.values()})
    radii = 0
    for near, far in zip(distances, distances[1:], strict=False):
        if far - near > 50 and near > 0:
            radii += 1
            radius = (near + far) / 2
            inside = {loc for loc, point in points.items() if metres(centroid, point) <= radius}
            expected = {link["id"] for link in links if link["location_id"] in inside}
            found = every_page(
                client,
                "/service_at_locations",
                {"postcode": postcode, "proximity": str(round(radius))},
            )
            assert set(ids(found)) == expected, (postcode, radius)
    assert radii >= 2
    # Beyond the district, everything; a postcode no located place has, not found; a
    # proximity that is no number, refused.
    found = every_page(
        client, "/service_at_locations", {"postcode": postcode, "proximity": "50000"}
    )
    assert set(ids(found)) == {link["id"] for link in links if link["location_id"] in points}
    body = get(
        client, "/service_at_locations", {"postcode": "999999", "proximity": "500"}, status=404
    )
    assert [error["parameter"] for error in body["errors"]] == ["postcode"]
    body = get(
        client, "/service_at_locations", {"postcode": postcode, "proximity": "近"}, status=400
    )
    assert [error["parameter"] for error in body["errors"]] == ["proximity"]


def test_search_in_chinese(client, records):
    senior_card = next(record for record in records if record["name"] == SENIOR_CARD)
    found = get(client, "/services", {"search": "老年证"})["contents"]
    assert SENIOR_CARD in [item["name"] for item in found]
    assert senior_card["id"] in ids(every_page(client, "/services", {"search": "老年证"}))
    organizations = every_page(client, "/organizations", {"search": "老年证"})
    assert senior_card["organization_id"] in ids(organizations)
    links = every_page(client, "/service_at_locations", {"search": "老年证"})
    assert {link["id"] for link in senior_card["service_at_locations"]} <= set(ids(links))
    assert all(link["service_id"] in ids(found) for link in links)
    # Nothing matches nonsense: an empty page, not an error.
    page = get(client, "/services", {"search": "量子纠缠"})
    assert page["empty"] and page["contents"] == [] and page["total_items"] == 0


# -- the HTTP surface -------------------------------------------------------------------------


def every_path(client) -> list[str]:
    paths = ["/"]
    for endpoint in LISTS:
        paths.append(f"/{endpoint}")
        first = get(client, f"/{endpoint}", {"per_page": 1})["contents"][0]
        paths.append(f"/{endpoint}/{first['id']}")
    return paths


def test_unslashed_and_slashed_forms_both_answer(client, records):
    for path in every_path(client):
        bare = path.rstrip("/")
        unslashed = client.get(API + bare)
        slashed = client.get(API + bare + "/")
        assert unslashed.status_code == slashed.status_code == 200, path
        assert unslashed.json() == slashed.json(), path


def test_post_lists_answer_like_get(client, records):
    client.handler.enforce_csrf_checks = True  # as a partner's client meets the site
    for endpoint, (_kind, variants) in LISTS.items():
        for params, _ in variants:
            query = "&".join(f"{key}={value}" for key, value in {**params, "per_page": 5}.items())
            response = client.post(f"{API}/{endpoint}?{query}")
            assert response.status_code == 200, (endpoint, response.content[:300])
            assert response.json() == get(client, f"/{endpoint}", {**params, "per_page": 5})


def test_put_and_delete_are_405_with_allow(client, records):
    client.handler.enforce_csrf_checks = True
    for path in every_path(client):
        is_list = path.strip("/") in LISTS
        for method in (client.put, client.delete, client.patch):
            response = method(API + path)
            assert response.status_code == 405, (method, path)
            allowed = set(response["Allow"].replace(" ", "").split(","))
            assert {"GET", "HEAD", "OPTIONS"} <= allowed, path
            assert ("POST" in allowed) == is_list, path
            assert response.json()["detail"]


def test_the_root_names_the_version_the_profile_and_the_openapi_document(client, records):
    for root in (API, API + "/"):
        about = get(client, root[len(API) :] or "")
        assert about["version"] == "3.1"
        for url in (about["profile"], about["openapi_url"]):
            assert url.startswith("http")
            assert client.get(url).status_code == 200, url


def test_an_unknown_or_malformed_id_is_404(client, records):
    for endpoint in LISTS:
        for unknown in (str(uuid.uuid4()), "x", "null"):
            body = get(client, f"/{endpoint}/{unknown}", status=404)
            assert body["detail"]
