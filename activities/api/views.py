"""``GET /api/activities/occurrences`` (the programme as JSON) and
``POST /api/activities/bookings`` (staff book a room for a one-off session).

Both answer in the error shape of the rest of /api/ (``catalog.api.views``): a Chinese
``detail``, and ``errors`` naming each bad query parameter (``parameter``) or body field
(``field``). The list is public and read-only; a booking needs a staff account that may
edit the center (HTTP Basic, or the admin's session with its CSRF token, as DRF checks
them) and goes through ``Activity.save()``, the one path that writes occurrences, so a
room clash is refused there (409) and nothing is saved.
"""

import re
import uuid
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils import timezone
from rest_framework import exceptions, serializers
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from activities.api.serializers import local_iso, occurrence_item
from activities.feeds import public_urls
from activities.models import Activity, ActivityKind, Occurrence, Room
from activities.scheduling import RoomClash, hours_warning_message
from catalog.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageRequest
from catalog.api.views import JsonView, bad_request, json_response
from catalog.filters import CENTER_CODE, InvalidParameters, ParameterProblem
from catalog.models import TaxonomyTerm
from catalog.models.taxonomy import AUDIENCE_TAXONOMY
from catalog.opening import LOCAL_TZ

# The longest span one request may list, and the default span (start and the 7 days after).
MAX_DAYS = 92
DEFAULT_DAYS = 7
# The years a date parameter may name (keeps datetimes far from the calendar's edges).
DATE_PATTERN = r"20[0-9]{2}-[0-9]{2}-[0-9]{2}"


# -- GET /api/activities/occurrences ----------------------------------------------------


def parse_date(params, name: str, problems: list) -> date | None:
    raw = params.get(name) or ""
    if not raw:
        return None
    try:
        if not re.fullmatch(DATE_PATTERN, raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(
            ParameterProblem(name, f"{name}应为2000至2099年间的日期，如2026-12-08，收到“{raw}”。")
        )
        return None


def date_range(params, today: date) -> tuple[date, date]:
    """[start, end], both included: default today and the 7 days after; one given, the
    other is 7 days from it; at most MAX_DAYS days."""
    problems = []
    start, end = parse_date(params, "start", problems), parse_date(params, "end", problems)
    if problems:
        raise InvalidParameters(problems)
    if start is None:
        start = end - timedelta(days=DEFAULT_DAYS) if end else today
    if end is None:
        end = start + timedelta(days=DEFAULT_DAYS)
    if end < start:
        raise InvalidParameters([ParameterProblem("end", "end不能早于start。")])
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidParameters(
            [
                ParameterProblem(
                    "end",
                    f"一次最多查询{MAX_DAYS}天，start到end共{(end - start).days + 1}天，"
                    "请缩短end。",
                )
            ]
        )
    return start, end


def center_named(params):
    from district.models import CenterPage

    code = params.get("center") or ""
    if not code:
        return None
    if not re.fullmatch(CENTER_CODE, code):
        raise InvalidParameters(
            [ParameterProblem("center", f"center应为服务中心编码，如HHD-CH-01，收到“{code}”。")]
        )
    center = CenterPage.objects.live().public().filter(code=code).first()
    if center is None:
        raise InvalidParameters(
            [ParameterProblem("center", f"没有编码为“{code}”的服务中心。", status=404)]
        )
    return center


def by_id_or_name(queryset, raw: str, name_fields=("name",)):
    """The row whose id is ``raw`` (when it is a number) or one of whose names is ``raw``."""
    raw = raw.replace("\x00", "")  # PostgreSQL refuses NUL in a query: simply unknown
    lookup = Q()
    for field in name_fields:
        lookup |= Q(**{field: raw})
    if raw.isascii() and raw.isdigit() and len(raw) < 10:
        lookup |= Q(pk=int(raw))
    return queryset.filter(lookup).order_by("pk").first()


def kind_named(params) -> ActivityKind | None:
    raw = params.get("kind") or ""
    if not raw:
        return None
    kind = by_id_or_name(ActivityKind.objects.all(), raw)
    if kind is None:
        raise InvalidParameters(
            [ParameterProblem("kind", f"没有“{raw}”这个活动类型。", status=404)]
        )
    return kind


def audience_named(params) -> TaxonomyTerm | None:
    """An audience term by its id (UUID), code (elderly) or name (老年人)."""
    raw = params.get("audience") or ""
    if not raw:
        return None
    terms = TaxonomyTerm.objects.filter(taxonomy__name=AUDIENCE_TAXONOMY)
    try:
        term = terms.filter(pk=uuid.UUID(raw)).first()
    except ValueError:
        term = by_id_or_name(terms, raw, ("code", "name"))
    if term is None:
        raise InvalidParameters(
            [ParameterProblem("audience", f"没有“{raw}”这个活动对象。", status=404)]
        )
    return term


def read_parameters(params, today: date) -> tuple[dict, list[ParameterProblem]]:
    """Every filter of the list, and every problem with them at once."""
    readers = {
        "range": lambda: date_range(params, today),
        "center": lambda: center_named(params),
        "kind": lambda: kind_named(params),
        "audience": lambda: audience_named(params),
    }
    values, problems = {}, []
    for name, read in readers.items():
        try:
            values[name] = read()
        except InvalidParameters as error:
            problems += error.problems
    return values, problems


def listed_occurrences():
    """Occurrences of published centers, with what an item shows, in a fixed number of
    queries; ordered by start, then id, so that pages never overlap."""
    from district.models import CenterPage

    return (
        Occurrence.objects.filter(center__in=CenterPage.objects.live().public().values("pk"))
        .for_listing()
        .select_related("activity__room", "activity__center")
        .order_by("starts_at", "pk")
    )


class OccurrenceListView(JsonView):
    """The sessions of published centers between two dates (both included)."""

    def get(self, request):
        values, problems = read_parameters(request.GET, timezone.localdate())
        page_request, page_problems = PageRequest.problems_in(
            request.GET, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
        )
        problems += page_problems
        if problems:
            return bad_request(problems)
        start, end = values["range"]
        occurrences = listed_occurrences().between(
            datetime.combine(start, time.min, tzinfo=LOCAL_TZ),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=LOCAL_TZ),
        )
        if values["center"] is not None:
            occurrences = occurrences.filter(center=values["center"])
        if values["kind"] is not None:
            occurrences = occurrences.filter(activity__kind=values["kind"])
        if values["audience"] is not None:
            occurrences = occurrences.filter(activity__audiences=values["audience"])
        page = page_request.page_of(occurrences)
        items = list(page.object_list)
        url_of = public_urls([o.activity for o in items], request)
        return json_response(
            {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "count": page.paginator.count,
                "page": page.number,
                "page_size": page_request.size,
                "total_pages": page.paginator.num_pages,
                "next": page_url(request, page.next_page_number()) if page.has_next() else None,
                "previous": page_url(request, page.previous_page_number())
                if page.has_previous()
                else None,
                "results": [occurrence_item(o, url_of, request) for o in items],
            }
        )


def page_url(request, number: int) -> str:
    params = request.GET.copy()
    params["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


# -- POST /api/activities/bookings ------------------------------------------------------


class BookingSerializer(serializers.Serializer):
    """The shape of a booking; what it names (center, room, kind) is looked up after."""

    center = serializers.CharField(max_length=40)
    room = serializers.CharField(max_length=60)
    title = serializers.CharField(max_length=100)
    kind = serializers.CharField(max_length=30)
    date = serializers.DateField(input_formats=["iso-8601"])
    start_time = serializers.TimeField(input_formats=["%H:%M", "%H:%M:%S"])
    end_time = serializers.TimeField(input_formats=["%H:%M", "%H:%M:%S"])
    description = serializers.CharField(required=False, allow_blank=True, default="")


class FieldErrors(Exception):
    def __init__(self, status: int, errors: list[tuple[str, str]]):
        self.status = status
        self.errors = errors


def field_error_response(status: int, errors: list[tuple[str, str]], **more) -> Response:
    return Response(
        {
            "detail": "；".join(message for _field, message in errors),
            "errors": [{"field": field, "message": message} for field, message in errors],
            **more,
        },
        status=status,
    )


def flatten(detail, prefix="") -> list[tuple[str, str]]:
    """DRF's nested error detail as (field path, message) pairs."""
    if isinstance(detail, dict):
        return [pair for key, value in detail.items() for pair in flatten(value, key)]
    if isinstance(detail, list):
        return [pair for item in detail for pair in flatten(item, prefix)]
    return [(prefix or "non_field_errors", str(detail))]


def may_edit(user, center) -> bool:
    from district.permissions import may_edit_center

    return may_edit_center(user, center.pk)


def booked_activity(data: dict, user) -> Activity:
    """An unsaved one-off Activity from a valid booking, or FieldErrors (400/403)."""
    from district.models import CenterPage

    center = CenterPage.objects.filter(code=data["center"]).first()
    if center is None:
        raise FieldErrors(400, [("center", f"没有编码为“{data['center']}”的服务中心。")])
    if not may_edit(user, center):
        raise FieldErrors(403, [("center", f"您没有管理“{center.title}”的权限。")])
    errors = []
    room = by_id_or_name(Room.objects.filter(center=center), data["room"])
    if room is None:
        errors.append(("room", f"“{center.title}”没有“{data['room']}”这个功能室。"))
    kind = by_id_or_name(ActivityKind.objects.all(), data["kind"])
    if kind is None:
        errors.append(("kind", f"没有“{data['kind']}”这个活动类型。"))
    if data["date"] < timezone.localdate():
        errors.append(("date", "不能预约已经过去的日期。"))
    if errors:
        raise FieldErrors(400, errors)
    activity = Activity(
        center=center,
        title=data["title"],
        description=data["description"],
        kind=kind,
        room=room,
        dtstart=data["date"],
        start_time=data["start_time"],
        end_time=data["end_time"],
    )
    try:
        activity.full_clean()
    except DjangoValidationError as error:
        raise FieldErrors(
            400,
            [
                (field, message)
                for field, messages in error.message_dict.items()
                for message in messages
            ],
        ) from None
    return activity


AUTH_MESSAGES = {
    exceptions.NotAuthenticated: "请先登录：使用工作人员账号（HTTP Basic，或后台登录后的会话）。",
    exceptions.AuthenticationFailed: "用户名或密码不正确，或账号已停用。",
    exceptions.ParseError: "请求正文不是有效的JSON。",
    exceptions.UnsupportedMediaType: "请以JSON提交（Content-Type: application/json）。",
}


class BookingView(APIView):
    """Book a room for a one-off session at a center the user may edit."""

    authentication_classes = [BasicAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    http_method_names = ["post", "options"]

    def initial(self, request, *args, **kwargs):
        # An undeclared method is 405 whoever asks, before any authentication.
        if request.method.lower() not in self.http_method_names:
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        response.data = {"detail": self.chinese_detail(exc)}
        return response

    @staticmethod
    def chinese_detail(exc) -> str:
        if isinstance(exc, exceptions.MethodNotAllowed):
            return f"不支持{exc.args[0] if exc.args else ''}请求，本接口只接受POST。"
        if isinstance(exc, exceptions.PermissionDenied):
            if str(exc.detail).startswith("CSRF"):
                return "CSRF校验失败：用后台会话提交时请带上X-CSRFToken请求头。"
            return "您没有预约功能室的权限。"
        for kind, message in AUTH_MESSAGES.items():
            if isinstance(exc, kind):
                return message
        return str(getattr(exc, "detail", exc))

    def post(self, request):
        if not may_edit_anything(request.user):
            return field_error_response(403, [("center", "您没有管理任何服务中心的权限。")])
        booking = BookingSerializer(data=request.data)
        if not booking.is_valid():
            return field_error_response(400, flatten(booking.errors))
        try:
            activity = booked_activity(booking.validated_data, request.user)
            activity.save()
        except FieldErrors as error:
            return field_error_response(error.status, error.errors)
        except RoomClash as clash:
            return field_error_response(
                409,
                [("room", clash.messages[0])],
                clashes=[
                    {
                        "activity_id": c.other_activity_id,
                        "title": c.other_title,
                        "room": c.room_name,
                        "starts_at": local_iso(c.planned.starts_at),
                        "ends_at": local_iso(c.planned.ends_at),
                    }
                    for c in clash.clashes
                ],
            )
        occurrences = list(listed_occurrences().filter(activity=activity))
        outside = [o for o in occurrences if o.outside_hours]
        url_of = public_urls([activity], request)
        return Response(
            {
                "activity": {
                    "id": activity.pk,
                    "uid": str(activity.uid),
                    "title": activity.title,
                    "kind": activity.kind.name,
                    "url": url_of(activity),
                },
                "occurrences": [occurrence_item(o, url_of, request) for o in occurrences],
                "warnings": [hours_warning_message(outside)] if outside else [],
            },
            status=201,
        )


def may_edit_anything(user) -> bool:
    from district.permissions import editable_center_ids, is_district_editor

    return is_district_editor(user) or bool(editable_center_ids(user))
