"""服务清单: the page a center publishes its services on, with each service's guide.

One routable page per center: ``./`` lists the services grouped by the four kinds, a page at a time,
``./<id>/`` shows one service as a service guide (办事指南), ``./<id>/correction/`` takes a
resident's correction report. Listing and guide run a fixed number of queries.
"""

from django.contrib import messages
from django.db import models
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

# catalog.clock, catalog.filters and catalog.forms import the models package, so the
# methods below import them when called.
from catalog.models.services import KIND_RANK, Service, ServiceAtLocation, ServiceKind
from catalog.models.settings import CatalogSettings

LISTING_PREFETCH = (
    "cost_options",
    "channels",
    "topics",
    "phones",
    "schedules",
    "service_at_locations__location__center",
    "service_at_locations__location__schedules",
    "service_at_locations__schedules",
)
#: Services per page of a service list: a phone screen's worth of scrolling a few times,
#: and a printed A4 sheet or two.
PER_PAGE = 25
#: Listing order: the four kinds in their fixed order, then by name (unique), then by
#: id, so that no service moves between pages from one request to the next. The index
#: ``catalog_service_listing_cost`` holds the visible services in this order.
LISTING_ORDER = (KIND_RANK, "name", "pk")
GUIDE_PREFETCH = (
    *LISTING_PREFETCH,
    "audiences",
    "required_documents",
    "service_at_locations__location__addresses",
    "service_at_locations__location__phones",
    "contacts__phones",
    "organization__phones",
)


class ServiceListPage(RoutablePageMixin, Page):
    intro = models.TextField(_("简介"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["district.CenterPage", "district.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("服务清单")
        verbose_name_plural = _("服务清单")

    # -- what the page lists ------------------------------------------------------

    def get_center(self):
        """The center this list belongs to, or None for the district-wide list."""
        from district.models import CenterPage

        return CenterPage.objects.filter(pk=self.get_parent().pk).first()

    def base_services(self, center):
        return Service.objects.all() if center is None else Service.objects.at_center(center)

    def filtered_services(self, request, center, clock=None):
        from catalog.filters import ServiceFilterSet

        filters = ServiceFilterSet(request.GET, queryset=self.base_services(center), clock=clock)
        services = filters.qs.select_related("organization").prefetch_related(*LISTING_PREFETCH)
        return filters, services

    def filtered_services_of(self, data, center, clock=None):
        from catalog.filters import ServiceFilterSet

        return ServiceFilterSet(data, queryset=self.base_services(center), clock=clock).qs

    # -- routes -------------------------------------------------------------------------

    @path("")
    def service_list(self, request):
        from catalog.clock import clock_at
        from jiamenkou.pagination import page_of

        center = self.get_center()
        clock = clock_at()  # once for the whole list
        filters, services = self.filtered_services(request, center, clock)
        location = getattr(center, "location", None) if center else None
        kind = filters.form.cleaned_data.get("kind") or None  # validated by filters.qs
        if location is not None and _only_kind_chosen(filters.form.cleaned_data):
            counts = _center_kind_counts(location)
        else:
            counts = self.kind_counts(request, center, clock, services, kind)
        total = counts.get(kind, 0) if kind else sum(counts.values())
        page = page_of(request, _listing_ids(services, kind), PER_PAGE, count=total)
        page.object_list = _in_order(services, list(page.object_list))
        for service in page.object_list:
            service.open_now = _open_now(service, clock, location)
        return self.render(
            request,
            context_overrides={
                "center": center,
                "filters": filters,
                "kind": kind,
                "kinds": [
                    {"kind": k.value, "label": k.label, "count": counts[k.value]}
                    for k in ServiceKind
                    if counts.get(k.value)
                ],
                "groups": _groups_by_kind(page.object_list),
                "services": page,
                "total": total,
                "all_kinds_total": sum(counts.values()),
                "topics": _terms("jiamenkou-topic"),
                "audiences": _terms("jiamenkou-audience"),
            },
        )

    def kind_counts(self, request, center, clock, services, kind) -> dict:
        """How many services of each kind the other filters leave (the kind links are
        facets: choosing one kind still shows how many the others have), in one
        GROUP BY query."""
        if kind:
            data = request.GET.copy()
            del data["kind"]
            services = self.filtered_services_of(data, center, clock)
        # COUNT(DISTINCT) only where a join can repeat a service (a center's list, each
        # service once however many windows it has there); a plain count is cheaper.
        distinct = services.query.distinct
        rows = services.order_by().values_list("kind").annotate(n=Count("pk", distinct=distinct))
        return {kind: n for kind, n in rows if kind in ServiceKind.values}

    @path("<uuid:service_id>/")
    def service_guide(self, request, service_id):
        from catalog.clock import clock_at
        from catalog.forms import CorrectionForm
        from catalog.jsonld import json_ld_script, service_json_ld

        center = self.get_center()
        service = self._get_service(center, service_id)
        stale_after = CatalogSettings.load(request_or_site=request).stale_after_days
        location = getattr(center, "location", None) if center else None
        links = list(service.service_at_locations.all())
        if location is not None:
            # This center's window first: that is where the resident reading this will go.
            links.sort(key=lambda link: link.location_id != location.pk)
        return self.render(
            request,
            template="catalog/service_guide_page.html",
            context_overrides={
                "center": center,
                "service": service,
                "links": links,
                "open_now": _open_now(service, clock_at(), location),
                "is_stale": service.is_stale(stale_after),
                "stale_after_days": stale_after,
                "json_ld": json_ld_script(service_json_ld(service, request.build_absolute_uri())),
                "correction_form": CorrectionForm(),
            },
        )

    @path("<uuid:service_id>/correction/")
    def correction(self, request, service_id):
        from catalog.forms import CorrectionForm
        from catalog.models.corrections import CorrectionReport
        from jiamenkou.security.ratelimit import (
            CORRECTION,
            RateLimited,
            client_address,
            enforce,
            too_many_requests,
        )

        center = self.get_center()
        service = self._get_service(center, service_id)
        if request.method == "POST":
            try:
                enforce((CORRECTION, client_address(request)))
            except RateLimited as refused:
                return too_many_requests(request, refused)
        form = CorrectionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            CorrectionReport.objects.create(service=service, center=center, **form.cleaned_data)
            messages.success(request, "谢谢您的反馈！工作人员核实后会尽快更正。")
            return redirect(
                self.url + self.reverse_subpage("service_guide", kwargs={"service_id": service.pk})
            )
        return self.render(
            request,
            template="catalog/correction_page.html",
            context_overrides={"center": center, "service": service, "correction_form": form},
        )

    def _get_service(self, center, service_id):
        from catalog.filters import VISIBLE_STATUSES

        services = self.base_services(center).filter(status__in=VISIBLE_STATUSES)
        service = (
            services.select_related("organization")
            .prefetch_related(*GUIDE_PREFETCH)
            .filter(pk=service_id)
            .first()
        )
        if service is None:
            raise Http404("没有找到这项服务")
        return service


def _only_kind_chosen(cleaned_data) -> bool:
    """Whether a list's filters leave every visible service of its kind (none chosen
    but the kind, which the counts set aside anyway)."""
    return not any(
        value and not (name == "kind" or (name == "open_now" and value != "1"))
        for name, value in cleaned_data.items()
    )


def _center_kind_counts(location) -> dict:
    """How many visible services of each kind a center offers, each service once: read off
    the index of its links' copies of their services' kind and visibility (no join to the
    services, whose number grows with the center). The same figures as ``kind_counts``
    on the center's list with no filter (tests/catalog/test_center_kind_counts.py)."""
    rows = (
        ServiceAtLocation.objects.filter(location=location, service_visible=True)
        .order_by()
        .values_list("service_kind")
        .annotate(n=Count("service", distinct=True))
    )
    return {kind: n for kind, n in rows if kind in ServiceKind.values}


def _listing_ids(services, kind=None):
    """The ids of ``services`` in listing order, read off the listing index: the database
    walks (kind, name, id) in order and stops after the page, instead of sorting every
    service; only the page's 25 services are then read whole. With one kind chosen, the
    walk starts at that kind (the index is ordered by the kind's rank, not its value)."""
    ids = services.order_by(*LISTING_ORDER)
    if kind:
        ids = ids.alias(kind_rank=KIND_RANK).filter(kind_rank=list(ServiceKind).index(kind))
    return ids.values_list("pk", flat=True)


def _in_order(services, ids):
    """The services of ``ids``, read whole (one query and the listing's prefetches), in
    the order of ``ids``."""
    by_id = {service.pk: service for service in services.order_by().filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def _groups_by_kind(services):
    """The services of one page under their kind's heading, in listing order (a kind
    that runs over two pages has its heading on both)."""
    groups = []
    for service in services:
        if not groups or groups[-1]["kind"] != service.kind:
            kind = ServiceKind(service.kind)
            groups.append({"kind": kind, "label": kind.label, "services": []})
        groups[-1]["services"].append(service)
    return groups


def _open_now(service, clock, location):
    return clock.service_open(service, location.pk if location is not None else None)


def _terms(taxonomy_name):
    from catalog.models.taxonomy import TaxonomyTerm

    return TaxonomyTerm.objects.of(taxonomy_name)
