"""``GET /api/services/search`` and ``GET /api/services/autocomplete`` (JSON).

Same error shape as the rest of /api/ (``catalog.api.views``): a 400 whose ``errors``
name each bad parameter with a Chinese message.
"""

from __future__ import annotations

import json
import logging
import uuid
from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt

from catalog.api.serializers import SUMMARY_PREFETCH, Context, service_summary
from catalog.api.views import (
    JsonView,
    bad_request,
    current_moment,
    error_response,
    json_response,
    stale_after_days,
)
from catalog.clock import clock_at
from catalog.filters import ParameterProblem
from catalog.models import Location, Service
from jiamenkou.security.ratelimit import AUTOCOMPLETE, SEARCH, client_address, rate_limit
from search.analysis import MAX_QUERY_LENGTH
from search.backends import get_search_backend
from search.backends.base import SearchUnavailable
from search.catalog import CONTROL, search_catalog
from search.models import QueryLog
from search.query import FACETS
from search.querylog import record_click

AUTOCOMPLETE_LIMIT = 8
logger = logging.getLogger(__name__)


@method_decorator(rate_limit(SEARCH, json=True), name="get")
class ServiceSearchView(JsonView):
    """Ranked services for what a resident typed, with highlights and facet counts."""

    def get(self, request):
        try:
            return search_response(request)
        except SearchUnavailable:
            # The cause (a cluster's address) goes to the log, never to the public.
            logger.exception("Search backend unavailable")
            return error_response(503, "搜索暂时不可用，请稍后再试。")


@method_decorator(rate_limit(AUTOCOMPLETE, json=True), name="get")
class AutocompleteView(JsonView):
    """Service names for the kiosk keyboard: by characters (老年) or pinyin (lnz, yizhen)."""

    def get(self, request):
        try:
            return autocomplete_response(request)
        except SearchUnavailable:
            logger.exception("Search backend unavailable")
            return error_response(503, "输入提示暂时不可用，请稍后再试。")


@method_decorator(csrf_exempt, name="dispatch")
class SearchClickView(JsonView):
    """``POST /api/services/search/{query_id}/clicks``: a resident opened a result of the
    search ``query_id`` (the search answer's ``query_id``) in an app or on a kiosk. It counts
    for the demand list and, like a click on the site, for what search learns from clicks
    (one vote per visitor and hour, bounded per address: search.learning). No session or
    cookie is read, so there is no CSRF to guard."""

    http_method_names = ["post", "options"]

    def post(self, request, query_id: int):
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return bad_request(
                [ParameterProblem("body", '请求体须为JSON对象，如 {"service_id": "…"}。')]
            )
        raw = body.get("service_id") if isinstance(body, dict) else None
        try:
            service_id = uuid.UUID(str(raw))
        except ValueError:
            return bad_request(
                [ParameterProblem("service_id", "service_id须为服务的编号（UUID）。")]
            )
        if not QueryLog.objects.filter(pk=query_id).exists():
            return error_response(404, "没有这次搜索的记录（query_id）。")
        if not Service.objects.filter(pk=service_id).exists():
            return error_response(404, "没有找到这项服务（service_id）。")
        record_click(
            query_id,
            service_id,
            address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return HttpResponse(status=204)


def search_response(request):
    moment = current_moment()
    result, problems = search_catalog(request.GET, moment=moment, channel="api")
    if problems:
        return bad_request(problems)
    query = result.query
    center = query.filters.get("center")
    location = Location.objects.filter(external_identifier=center).first() if center else None
    services = {
        service.pk: service
        for service in Service.objects.filter(
            pk__in=[hit.service.pk for hit in [*result.hits, *result.related]]
        ).prefetch_related(*SUMMARY_PREFETCH)
    }
    context = Context(
        clock_at(moment),
        stale_after_days(request),
        location_id=location.pk if location else None,
        request=request,
    )

    def entry(hit) -> dict:
        return {
            **service_summary(services[hit.service.pk], context),
            "hsds_url": request.build_absolute_uri(
                reverse("catalog_api:hsds_service_detail", args=[hit.service.pk])
            ),
            "score": round(hit.score, 6),
            "highlight": {"name": str(hit.name_html), "description": str(hit.snippet_html)},
            "distance_m": hit.distance_m,
            "walking_minutes": hit.walking_minutes,
        }

    return json_response(
        {
            "query": result.text[:MAX_QUERY_LENGTH],
            "count": result.total,
            # Past the backend's bound: at least ``count`` match, facets uncounted.
            "count_is_lower_bound": result.total_is_lower_bound,
            "page": query.page,
            "page_size": query.page_size,
            "total_pages": result.page_count,
            "next": page_link(request, query.page + 1) if query.page < result.page_count else None,
            "previous": page_link(request, query.page - 1) if query.page > 1 else None,
            "match": result.mode.value,
            "suggestion": result.suggestion or None,
            # A corrected slip: the results are the corrected reading's; exact_url searches
            # what was typed (exact=1).
            "corrected_query": result.corrected_query[:MAX_QUERY_LENGTH] or None,
            "original_query": result.text[:MAX_QUERY_LENGTH] if result.correction else None,
            "exact_url": exact_link(request) if result.correction else None,
            "messages": result.messages,
            "query_id": result.log_id,
            "facets": {
                facet: [
                    {
                        "value": value.value,
                        "label": value.label,
                        "count": value.count,
                        "selected": value.selected,
                    }
                    for value in result.facets[facet]
                ]
                for facet in FACETS
            },
            "results": [entry(hit) for hit in result.hits],
            # First page only, when the results are fewer than a page: services matching
            # some of the words, then those like the first result, not counted in ``count``.
            "related": [entry(hit) for hit in result.related],
            "related_like": result.related_like or None,
        }
    )


def page_link(request, number: int) -> str:
    params = request.GET.copy()
    params["page"] = number
    return request.build_absolute_uri(f"{request.path}?{urlencode(list(params.items()))}")


def exact_link(request) -> str:
    """This search of exactly what was typed (no slip corrected), from its first page."""
    params = request.GET.copy()
    params.pop("page", None)
    params["exact"] = "1"
    return request.build_absolute_uri(f"{request.path}?{urlencode(list(params.items()))}")


def autocomplete_response(request):
    prefix = CONTROL.sub("", str(request.GET.get("q") or ""))[:MAX_QUERY_LENGTH]
    ids = get_search_backend().autocomplete(prefix, AUTOCOMPLETE_LIMIT) if prefix.strip() else []
    names = dict(Service.objects.filter(pk__in=ids).values_list("pk", "name"))
    by_text = {str(pk): name for pk, name in names.items()}
    return json_response(
        {
            "query": prefix,
            "results": [{"id": pk, "name": by_text[pk]} for pk in ids if pk in by_text],
        }
    )
