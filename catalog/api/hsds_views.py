"""The HSDS API as Open Referral's OpenAPI document lays it out (``catalog/hsds/schema/
openapi.json``): ``/`` about the API, and services, organizations, taxonomies, taxonomy
terms and services at locations, each as a paginated list (GET, and POST with the same
query parameters) and by id.

Every list is a :class:`Listing`: a filtered, stably ordered queryset and a function that
turns a batch of its rows into HSDS records, fetching what they need in a fixed number of
queries. The JSON form pages through it; ``format=ndjson`` streams all of it, one record
per line, batch by batch.
"""

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
    prefetch_related_objects,
)
from django.http import StreamingHttpResponse
from django.urls import reverse

from catalog.api.hsds import page_object, service_list_item
from catalog.api.hsds_params import SEARCH_LIMIT, HsdsParameters
from catalog.api.views import JsonView, error_response, json_response
from catalog.filters import services_in_taxonomy, services_with_term
from catalog.geo import locations_within
from catalog.hsds.exporter import (
    Exporter,
    export_services,
    location_fields,
    organization_fields,
    organization_lookups,
    service_at_location_lookups,
    service_fields,
    taxonomy_record,
    term_record,
)
from catalog.hsds.profile.definition import HSDS_VERSION
from catalog.models import (
    Organization,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from catalog.models.locations import LocationAddress

#: Rows rendered at a time when streaming ndjson.
STREAM_BATCH = 500
NDJSON = "application/x-ndjson; charset=utf-8"


@dataclass
class Listing:
    queryset: object
    render: Callable[[list], list[dict]]
    minimal: bool = False


class HsdsRootView(JsonView):
    """``GET /``: the HSDS version, the profile and this API's OpenAPI document."""

    def get(self, request):
        return json_response(
            {
                "version": HSDS_VERSION,
                "profile": request.build_absolute_uri(reverse("catalog_api:hsds_profile")),
                "openapi_url": request.build_absolute_uri(reverse("catalog_api:openapi")),
            }
        )


class HsdsListView(JsonView):
    """A list endpoint: GET, and POST with the same parameters (in the query string or a
    form body), as the official document defines both."""

    http_method_names = ["get", "post", "head", "options"]

    def get(self, request):
        params = HsdsParameters(self.parameters(request))
        output = params.format()
        listing = self.listing(params)
        page_request = params.page_request(minimal=listing.minimal)
        params.raise_problems()
        if output == "ndjson":
            return ndjson_response(listing)
        page = page_request.page_of(listing.queryset)
        return json_response(page_object(page, listing.render(list(page.object_list))))

    post = get

    @staticmethod
    def parameters(request):
        if request.method != "POST" or not request.POST:
            return request.GET
        merged = request.GET.copy()
        merged.update(request.POST)
        return merged

    def listing(self, params: HsdsParameters) -> Listing:
        raise NotImplementedError


def ndjson_response(listing: Listing) -> StreamingHttpResponse:
    """Every record of the listing, one JSON object per line, rendered a batch at a time."""
    rows = listing.queryset.iterator(chunk_size=STREAM_BATCH)

    def lines() -> Iterator[str]:
        while batch := list(islice(rows, STREAM_BATCH)):
            for record in listing.render(batch):
                yield json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"

    return StreamingHttpResponse(lines(), content_type=NDJSON)


class HsdsDetailView(JsonView):
    """An item by id. The official document's ids are any strings: one that is no UUID
    names nothing, so it is not found (404), like an unknown UUID."""

    not_found = "未找到该记录。"

    def get(self, request, id):
        try:
            pk = uuid.UUID(id)
        except ValueError:
            pk = None
        params = HsdsParameters(request.GET)
        record = self.record(pk, params) if pk else None
        params.raise_problems()
        if record is None:
            return error_response(404, self.not_found)
        return json_response(record)

    def record(self, pk, params: HsdsParameters) -> dict | None:
        raise NotImplementedError


# -- services ---------------------------------------------------------------------------


def service_filters(params: HsdsParameters, queryset):
    """``taxonomy_term_id``, ``taxonomy_id``, ``organization_id`` and ``modified_after``
    applied to services (``search`` is :func:`searched`, which also orders)."""
    term = params.reference(
        "taxonomy_term_id", TaxonomyTerm.objects.select_related("taxonomy"), "分类词"
    )
    taxonomy = params.reference("taxonomy_id", Taxonomy.objects.all(), "分类体系")
    organization = params.reference("organization_id", Organization.objects.all(), "服务提供方")
    modified_after = params.modified_after()
    if term is not None:
        queryset = services_with_term(queryset, term)
    if taxonomy is not None:
        queryset = services_in_taxonomy(queryset, taxonomy)
    if organization is not None:
        queryset = queryset.filter(organization=organization)
    if modified_after is not None:
        queryset = queryset.filter(last_modified__gte=modified_after)
    return queryset


def searched(queryset, text: str, field: str = "pk"):
    """``queryset`` narrowed to the services the residents' search finds for ``text``
    (``field`` leads from a row to its service), best first; by name without text."""
    from search.catalog import ranked_service_ids

    if not text:
        return queryset
    ranked = [uuid.UUID(pk) for pk in ranked_service_ids(text, SEARCH_LIMIT)]
    if not ranked:
        return queryset.none()
    rank = Case(
        *(When(**{field: pk}, then=Value(position)) for position, pk in enumerate(ranked)),
        output_field=IntegerField(),
    )
    return (
        queryset.filter(**{f"{field}__in": ranked})
        .annotate(search_rank=rank)
        .order_by("search_rank", *queryset.query.order_by)
    )


def render_service_items(services: list) -> list[dict]:
    prefetch_related_objects(services, "organization")
    return [service_list_item(service) for service in services]


def render_minimal_services(services: list) -> list[dict]:
    # name and status too: the official list item schema requires them.
    return [
        {key: item[key] for key in ("id", "name", "status", "last_modified") if key in item}
        for item in map(service_fields, services)
    ]


def render_full_services(services: list) -> list[dict]:
    return in_order(services, export_services(Service.objects.filter(pk__in=ids_of(services))))


def ids_of(rows: list) -> list:
    return [row.pk for row in rows]


def in_order(rows: list, records: list[dict]) -> list[dict]:
    by_id = {record["id"]: record for record in records}
    return [by_id[str(row.pk)] for row in rows]


class HsdsServiceListView(HsdsListView):
    """``/services``: list items (one-to-one fields); ``full`` whole records; ``minimal``
    only what tells a client which services changed, all in one page."""

    def listing(self, params):
        minimal = params.flag("minimal")
        full = params.flag("full")
        queryset = service_filters(params, Service.objects.order_by("name", "pk"))
        queryset = searched(queryset, params.text("search"))
        if minimal:
            return Listing(queryset, render_minimal_services, minimal=True)
        return Listing(queryset, render_full_services if full else render_service_items)


class HsdsServiceDetailView(HsdsDetailView):
    not_found = "未找到该服务。"

    def record(self, pk, params):
        records = export_services(Service.objects.filter(pk=pk))
        return records[0] if records else None


# -- organizations ----------------------------------------------------------------------


def organization_renderer(full: bool, full_service: bool) -> Callable[[list], list[dict]]:
    def render(organizations: list) -> list[dict]:
        if not (full or full_service):
            return [organization_fields(organization) for organization in organizations]
        prefetch_related_objects(organizations, *organization_lookups())
        services = Service.objects.filter(organization__in=ids_of(organizations))
        if full_service:
            records = export_services(services.order_by("name", "pk"))
        else:
            records = [service_fields(s) for s in services.order_by("name", "pk")]
        by_organization: dict[str, list[dict]] = {}
        for record in records:
            by_organization.setdefault(record["organization_id"], []).append(record)
        exporter = Exporter()
        return [
            exporter.organization_record(
                organization, by_organization.get(str(organization.pk), [])
            )
            for organization in organizations
        ]

    return render


class HsdsOrganizationListView(HsdsListView):
    def listing(self, params):
        full = params.flag("full")
        full_service = params.flag("full_service")
        organizations = Organization.objects.order_by("name", "pk")
        term = params.reference(
            "taxonomy_term_id", TaxonomyTerm.objects.select_related("taxonomy"), "分类词"
        )
        taxonomy = params.reference("taxonomy_id", Taxonomy.objects.all(), "分类体系")
        services = Service.objects.filter(organization=OuterRef("pk"))
        if term is not None:
            organizations = organizations.filter(Exists(services_with_term(services, term)))
        if taxonomy is not None:
            organizations = organizations.filter(Exists(services_in_taxonomy(services, taxonomy)))
        text = params.text("search")
        if text:
            from search.catalog import ranked_service_ids

            providers = Service.objects.filter(pk__in=ranked_service_ids(text, SEARCH_LIMIT))
            organizations = organizations.filter(
                Q(name__icontains=text)
                | Q(alternate_name__icontains=text)
                | Q(pk__in=providers.values("organization_id"))
            )
        return Listing(organizations, organization_renderer(full, full_service))


class HsdsOrganizationDetailView(HsdsDetailView):
    not_found = "未找到该服务提供方。"

    def record(self, pk, params):
        full_service = params.flag("full_service")
        organizations = list(Organization.objects.filter(pk=pk))
        if not organizations:
            return None
        return organization_renderer(True, full_service)(organizations)[0]


# -- taxonomies and terms ---------------------------------------------------------------


def render_taxonomies(taxonomies: list) -> list[dict]:
    return [taxonomy_record(taxonomy) for taxonomy in taxonomies]


def render_terms(terms: list) -> list[dict]:
    return [term_record(term) for term in terms]


def text_matches(queryset, text: str, *fields: str):
    if not text:
        return queryset
    matches = Q()
    for field in fields:
        matches |= Q(**{f"{field}__icontains": text})
    return queryset.filter(matches)


class HsdsTaxonomyListView(HsdsListView):
    def listing(self, params):
        taxonomies = text_matches(
            Taxonomy.objects.order_by("name", "pk"), params.text("search"), "name", "description"
        )
        return Listing(taxonomies, render_taxonomies)


class HsdsTaxonomyDetailView(HsdsDetailView):
    not_found = "未找到该分类体系。"

    def record(self, pk, params):
        taxonomy = Taxonomy.objects.filter(pk=pk).first()
        return taxonomy_record(taxonomy) if taxonomy else None


class HsdsTaxonomyTermListView(HsdsListView):
    """``/taxonomy_terms``. The catalog's terms have no parents (each taxonomy is flat), so
    every term is a top term and none is another's child."""

    def listing(self, params):
        terms = text_matches(
            TaxonomyTerm.objects.select_related("taxonomy").order_by(
                "taxonomy__name", "sort_order", "code", "pk"
            ),
            params.text("search"),
            "name",
            "code",
            "description",
        )
        taxonomy = params.reference("taxonomy_id", Taxonomy.objects.all(), "分类体系")
        params.flag("top_only")  # read for its errors: every term is a top term
        parent = params.reference("parent_id", TaxonomyTerm.objects.all(), "分类词")
        if taxonomy is not None:
            terms = terms.filter(taxonomy=taxonomy)
        if parent is not None:
            terms = terms.none()
        return Listing(terms, render_terms)


class HsdsTaxonomyTermDetailView(HsdsDetailView):
    not_found = "未找到该分类词。"

    def record(self, pk, params):
        term = TaxonomyTerm.objects.select_related("taxonomy").filter(pk=pk).first()
        return term_record(term) if term else None


# -- services at locations --------------------------------------------------------------


def service_at_location_renderer(full: bool) -> Callable[[list], list[dict]]:
    def render(links: list) -> list[dict]:
        if not full:
            prefetch_related_objects(links, "service", "location")
            return [
                {
                    "id": str(link.id),
                    "service_id": str(link.service_id),
                    "location_id": str(link.location_id),
                    **({"description": link.description} if link.description else {}),
                    "location": location_fields(link.location),
                    "service": service_fields(link.service),
                }
                for link in links
            ]
        prefetch_related_objects(links, *service_at_location_lookups())
        exporter = Exporter()
        return [
            exporter.service_at_location(link, service=service_fields(link.service))
            for link in links
        ]

    return render


class HsdsServiceAtLocationListView(HsdsListView):
    """``/service_at_locations``, filtered through their services, and by ``postcode``
    (the location's address) or, with ``proximity``, by metres from its centroid."""

    def listing(self, params):
        full = params.flag("full")
        postcode, place = params.place()
        links = ServiceAtLocation.objects.order_by("service__name", "location__name", "pk")
        filtered = service_filters(params, Service.objects.order_by())
        links = links.filter(service__in=filtered.values("pk"))
        if place is not None:
            near = locations_within(place.latitude, place.longitude, place.radius_m)
            links = links.filter(location__in=list(near))
        elif postcode:
            addresses = LocationAddress.objects.filter(
                location=OuterRef("location"), postal_code=postcode
            )
            links = links.filter(Exists(addresses))
        text = params.text("search")
        if text:
            links = searched(links, text, field="service_id")
        return Listing(links, service_at_location_renderer(full))


class HsdsServiceAtLocationDetailView(HsdsDetailView):
    not_found = "未找到该服务地点。"

    def record(self, pk, params):
        links = list(ServiceAtLocation.objects.filter(pk=pk))
        return service_at_location_renderer(True)(links)[0] if links else None
