"""The residents' search page (district-wide at /sousuo/, a center's at /sousuo/<code>/):
services, and the upcoming activities the same words find (a center's page: its own), and
the click-through that tells the demand list which results were useful."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET
from wagtail.models import Site

from catalog.models import Service, ServiceListPage
from district.models import CenterPage, HomePage
from jiamenkou.security.ratelimit import SEARCH, client_address, rate_limit
from search.activities import link_activities
from search.backends.base import SearchUnavailable
from search.catalog import FACET_TITLES, search_catalog
from search.query import FACETS
from search.querylog import record_click

#: Parameters a facet link keeps; ``page`` starts again at 1.
KEPT_PARAMETERS = ("q", *FACETS, "open_now", "near", "minutes", "walk", "sort", "scope", "exact")
WALKING_CHOICES = (10, 15, 30)
logger = logging.getLogger(__name__)


@require_GET
@rate_limit(SEARCH)
def search_page(request, center_code: str = ""):
    center = None
    if center_code:
        center = get_object_or_404(CenterPage.objects.live().public(), code=center_code)
    try:
        result, _problems = search_catalog(
            walking_parameters(request.GET, center),
            center_code=center.code if center else "",
            channel="web",
            with_pages=True,
            with_activities=True,
        )
    except SearchUnavailable:
        logger.exception("Search backend unavailable")
        context = {"center": center, "home": site_home(request)}
        return render(request, "search/unavailable.html", context, status=503)
    scope_all = request.GET.get("scope") == "all"
    guides = GuideLinks(request, center if not scope_all else None)
    # The related services' clicks count like the results' (the log lists them as shown,
    # after the results, so the click learning reads the page as residents do).
    for hit in [*result.hits, *result.related]:
        hit.url = guides.url_for(hit.service)
        if result.log_id:
            hit.click_url = (
                reverse("search:click", args=[result.log_id, hit.service.pk])
                + "?"
                + urlencode({"to": hit.url})
            )
        else:
            hit.click_url = hit.url
    activities = result.activities
    link_activities(activities.hits, request)
    facets = [
        {
            "name": facet,
            "title": FACET_TITLES[facet],
            "values": [
                {
                    "value": value,
                    "url": toggle_url(request, facet, value.value, value.selected),
                }
                for value in result.facets[facet]
            ],
        }
        for facet in FACETS
        if result.facets[facet] and not (facet == "center" and center and not scope_all)
    ]
    context = {
        "result": result,
        "activities": activities,
        # A search that finds activities but no service shows the activities first.
        "activities_first": bool(activities.hits) and not result.hits,
        "center": center,
        "home": site_home(request),
        "facets": facets,
        "scope_all": scope_all,
        "walking_choices": WALKING_CHOICES,
        # The center a center's page is scoped to is not a choice the resident made.
        "chosen_count": sum(
            1 for facet in result.query.filters if facet != "center" or scope_all or not center
        ),
        "centers": CenterPage.objects.live().public().exclude(code="").order_by("code"),
        "suggestion_url": suggestion_url(request, result.suggestion),
        "previous_url": page_url(request, result.query.page - 1) if result.query.page > 1 else "",
        "next_url": page_url(request, result.query.page + 1)
        if result.query.page < result.page_count
        else "",
        "action": request.path,
    }
    return render(request, "search/search_page.html", context)


@require_GET
def click(request, log_id: int, service_id):
    """Count a click on a result (and learn from it, see search.learning), then go to the
    service's guide."""
    if not Service.objects.filter(pk=service_id).exists():
        raise Http404("没有找到这项服务")
    record_click(
        log_id,
        service_id,
        address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    target = request.GET.get("to", "")
    # Only a path of this site: never an open redirect.
    local = url_has_allowed_host_and_scheme(target, allowed_hosts=None)
    if not (local and target.startswith("/")):
        target = GuideLinks(request, None).url_for(Service(pk=service_id))
    return HttpResponseRedirect(target)


class GuideLinks:
    """Where a result links to: the guide in the center's own service list when the
    service is offered there, else in the district's list."""

    def __init__(self, request, center: CenterPage | None):
        self.request = request
        lists = ServiceListPage.objects.live().public()
        home = site_home(request)
        self.district_list = lists.child_of(home).first() if home else None
        self.center_list = lists.child_of(center).first() if center else None
        self.center_service_ids = set()
        if center is not None and self.center_list is not None:
            self.center_service_ids = set(
                Service.objects.at_center(center).values_list("pk", flat=True)
            )

    def url_for(self, service) -> str:
        page = self.center_list if service.pk in self.center_service_ids else self.district_list
        if page is None:
            return reverse("catalog_api:service_detail", args=[service.pk])
        return f"{page.get_url(self.request)}{service.pk}/"


def walking_parameters(data, center):
    """The page's walking choice (``walk``: minutes, from this center unless another
    starting point is chosen) in the API's terms, ``near`` and ``minutes``."""
    walk = data.get("walk")
    if not walk:
        return data
    data = data.copy()
    data["minutes"] = walk
    if not data.get("near") and center is not None:
        data["near"] = center.code
    return data


def site_home(request):
    site = Site.find_for_request(request)
    return site.root_page if site is not None else HomePage.objects.live().first()


def toggle_url(request, facet: str, value: str, selected: bool) -> str:
    params = {key: request.GET[key] for key in KEPT_PARAMETERS if request.GET.get(key)}
    if selected:
        params.pop(facet, None)
    else:
        params[facet] = value
    return f"{request.path}?{urlencode(params)}"


def page_url(request, number: int) -> str:
    params = {key: request.GET[key] for key in KEPT_PARAMETERS if request.GET.get(key)}
    params["page"] = number
    return f"{request.path}?{urlencode(params)}"


def suggestion_url(request, suggestion: str) -> str:
    if not suggestion:
        return ""
    params = {key: request.GET[key] for key in KEPT_PARAMETERS if request.GET.get(key)}
    params["q"] = suggestion
    return f"{request.path}?{urlencode(params)}"
