"""The one clock, as the site asks it: "now" (or a given moment) with its holiday calendar,
loaded once per request. The rule itself is ``catalog.opening.opening_status``."""

from collections import defaultdict, namedtuple
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone

from catalog.models import (
    LocationSchedule,
    PublicHoliday,
    ServiceAtLocation,
    ServiceAtLocationSchedule,
    ServiceSchedule,
)
from catalog.opening import OPENING_PREFETCH, OpeningClock, service_open_among

__all__ = ["OPENING_PREFETCH", "HoursRow", "clock_at", "open_service_ids"]

# The attributes of a schedule row that ``catalog.opening`` reads (the rule and the
# reason it gives), and nothing else: ``open_service_ids`` loads these columns with
# ``values_list`` instead of building a model instance per row.
HOURS_FIELDS = (
    "kind",
    "freq",
    "interval",
    "byday",
    "bymonthday",
    "dtstart",
    "wkst",
    "opens_at",
    "closes_at",
    "valid_from",
    "valid_to",
    "timezone",
    "closed_on_holidays",
    "open_on_makeup_workdays",
    "description",
)
HoursRow = namedtuple("HoursRow", HOURS_FIELDS)


def clock_at(moment: datetime | None = None) -> OpeningClock:
    """An ``OpeningClock`` for ``moment`` (now when None): one query for the holidays."""
    moment = moment or timezone.now()
    return OpeningClock(moment, PublicHoliday.objects.calendar_at(moment))


def as_text(field: str) -> Cast:
    """A key column read as text: the same text for the same key within one database,
    without building a ``uuid.UUID`` per value (most of the time of a bulk read on SQLite)."""
    return Cast(field, output_field=CharField())


def _rows_by(queryset, key: str) -> dict:
    """``{key as text: (HoursRow, ...)}`` for the schedule rows of ``queryset``, in their
    order (one query, plain tuples)."""
    grouped = defaultdict(list)
    for values in queryset.order_by(key, "sort_order").values_list(as_text(key), *HOURS_FIELDS):
        grouped[values[0]].append(HoursRow._make(values[1:]))
    return {owner: tuple(rows) for owner, rows in grouped.items()}


def open_service_ids(services, clock: OpeningClock, location_id=None) -> list:
    """Primary keys of ``services`` (a Service queryset) open by ``clock``, judged at
    ``location_id`` when a center was chosen (the open-now filter of lists and search).

    The same answer as ``clock.service_open(service, location_id)`` for each service, in
    five queries whatever the number of services: the services' status, their links, and
    the schedule rows of the services, the links and the centers, as plain tuples keyed
    by text; the rule (``clock.is_open``) is asked once per distinct set of rows, since
    most services keep their center's hours."""
    if location_id is not None:
        try:
            location_id = ServiceAtLocation._meta.get_field("location").to_python(location_id)
        except ValidationError:
            return []  # no link is at a center that cannot exist: none is open there
    # In the queryset's order.
    statuses = list(services.values_list("pk", as_text("pk"), "status"))
    if not statuses:
        return []
    if services.query.is_sliced:  # a slice cannot be reordered or nested as is
        selected = [pk for pk, _, _ in statuses]
    else:
        selected = services.order_by().values("pk")  # a subquery: no list of ids sent
    links = ServiceAtLocation.objects.filter(service__in=selected)
    if location_id is not None:
        links = links.filter(location_id=location_id)
    links_by_service = defaultdict(list)
    for link_key, service_key, location_key in links.order_by().values_list(
        as_text("pk"), as_text("service_id"), as_text("location_id")
    ):
        links_by_service[service_key].append((link_key, location_key))
    own_rows = _rows_by(ServiceSchedule.objects.filter(service__in=selected), "service_id")
    link_rows = _rows_by(
        ServiceAtLocationSchedule.objects.filter(service_at_location__in=links),
        "service_at_location_id",
    )
    location_rows = _rows_by(
        LocationSchedule.objects.filter(location__in=links.values("location_id")),
        "location_id",
    )

    verdicts: dict[tuple, bool] = {}

    def is_open(rows: list) -> bool:
        key = tuple(rows)
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = verdicts[key] = clock.is_open(rows)
        return verdict

    # Links are already those at ``location_id``: the core is asked without it, so that a
    # service not offered there (no links) is closed rather than judged by its own hours.
    return [
        pk
        for pk, key, status in statuses
        if (location_id is None or links_by_service.get(key))
        and service_open_among(
            status,
            own_rows.get(key, ()),
            (
                (location_key, link_rows.get(link_key, ()), location_rows.get(location_key, ()))
                for link_key, location_key in links_by_service.get(key, ())
            ),
            is_open,
        )
    ]
