"""JSON endpoints: the HSDS 3.1 services API and the residents' services API.

Plain Django views: both APIs are public and read-only, so they need no authentication,
sessions or content negotiation, and every error is answered in one JSON shape::

    {"detail": "未知的服务类型“xxx”。", "errors": [{"parameter": "kind", "message": "…"}]}

Each endpoint issues a fixed number of queries whatever the page size.
"""

import uuid

from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from catalog.api import openapi
from catalog.api.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PageRequest,
)
from catalog.api.serializers import (
    SUMMARY_PREFETCH,
    Context,
    detail_queryset,
    service_detail,
    service_summary,
)
from catalog.clock import clock_at
from catalog.filters import (
    InvalidParameters,
    ParameterProblem,
    ServiceFilterSet,
)
from catalog.models import CatalogSettings, Service, ServiceStatus


def current_moment():
    """The moment ``open_now`` is judged at (tests replace it)."""
    return timezone.now()


def json_response(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def error_response(status: int, detail: str, problems: list[ParameterProblem] = ()):
    body = {"detail": detail}
    if problems:
        body["errors"] = [
            {"parameter": problem.parameter, "message": problem.message} for problem in problems
        ]
    return json_response(body, status=status)


def bad_request(problems: list[ParameterProblem]) -> JsonResponse:
    """400 naming each bad parameter; 404 when every value is well formed but names
    nothing there is (an unknown center code, a page past the last)."""
    status = 404 if all(problem.status == 404 for problem in problems) else 400
    return error_response(status, "；".join(p.message for p in problems), problems)


def parse_service_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise InvalidParameters(
            [ParameterProblem("service_id", f"“{raw}”不是有效的服务编号（UUID）。")]
        ) from None


@method_decorator(csrf_exempt, name="dispatch")
class JsonView(View):
    """GET only; the other methods, and refused parameters, answered in JSON. Nothing here
    writes or reads a session, so there is no CSRF to guard: an undeclared method is
    answered 405 with ``Allow``, not with the CSRF middleware's 403 page."""

    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except InvalidParameters as error:
            return bad_request(error.problems)

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = error_response(405, f"不支持{request.method}请求，本接口只读。")
        response["Allow"] = ", ".join(m.upper() for m in self._allowed_methods())
        return response


class ServiceListView(JsonView):
    """Residents' ``GET /services/``: the filters of ``catalog.filters.ServiceFilterSet``,
    paginated with ``page`` and ``page_size``."""

    def get(self, request):
        clock = clock_at(current_moment())  # once for the whole page
        moment = clock.moment
        filters = ServiceFilterSet(request.GET, queryset=Service.objects.all(), clock=clock)
        page_request, problems = PageRequest.problems_in(
            request.GET, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
        )
        problems = filters.problems + problems
        if problems:
            return bad_request(problems)
        location = filters.center_location
        page = page_request.page_of(filters.qs.prefetch_related(*SUMMARY_PREFETCH))
        context = Context(
            clock,
            stale_after_days(request),
            location_id=location.pk if location else None,
            request=request,
        )
        return json_response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "page_size": page_request.size,
                "total_pages": page.paginator.num_pages,
                "next": self.page_url(request, page.next_page_number())
                if page.has_next()
                else None,
                "previous": self.page_url(request, page.previous_page_number())
                if page.has_previous()
                else None,
                "open_now_at": moment.astimezone(timezone.get_current_timezone()).isoformat(
                    timespec="seconds"
                ),
                "results": [service_summary(service, context) for service in page.object_list],
            }
        )

    @staticmethod
    def page_url(request, number: int) -> str:
        params = request.GET.copy()
        params["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


class ServiceDetailView(JsonView):
    """Residents' ``GET /services/{id}``: the service guide. A defunct service answers
    410 Gone with its alert, so an old link explains itself."""

    def get(self, request, service_id):
        queryset = Service.objects.filter(pk=parse_service_id(service_id))
        service = detail_queryset(queryset).first()
        if service is None:
            return error_response(404, "未找到该服务。")
        if service.status == ServiceStatus.DEFUNCT:
            body = {"detail": "该服务已撤销。", "status": service.status, "alert": service.alert}
            return json_response(body, status=410)
        context = Context(clock_at(current_moment()), stale_after_days(request), request=request)
        return json_response(service_detail(service, context))


class OpenApiView(JsonView):
    def get(self, request):
        return json_response(openapi.document())


@csrf_exempt
def api_not_found(request, unmatched=""):
    # APPEND_SLASH never fires under /api/ (this view matches everything), so do its job.
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                request.path + "/" + (f"?{query}" if query else "")
            )
    return error_response(404, "没有这个接口，可用的接口见 /api/openapi.json。")


def stale_after_days(request) -> int:
    return CatalogSettings.load(request_or_site=request).stale_after_days
