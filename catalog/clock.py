"""The one clock, as the site asks it: "now" (or a given moment) with its holiday calendar,
loaded once per request. The rule itself is ``catalog.opening.opening_status``."""

from collections import defaultdict, namedtuple
from datetime import datetime

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


def _rows_by(queryset, key: str) -> dict:
    """``{key value: (HoursRow, ...)}`` for the schedule rows of ``queryset``, in their
    order (one query, plain tuples)."""
    grouped = defaultdict(list)
    for values in queryset.order_by(key, "sort_order").values_list(key, *HOURS_FIELDS):
        grouped[values[0]].append(HoursRow._make(values[1:]))
    return {owner: tuple(rows) for owner, rows in grouped.items()}


def open_service_ids(services, clock: OpeningClock, location_id=None) -> list:
    """Primary keys of ``services`` (a Service queryset) open by ``clock``, judged at
    ``location_id`` when a center was chosen (the open-now filter of lists and search).

    The same answer as ``clock.service_open(service, location_id)`` for each service, in
    five queries whatever the number of services: the services' status, their links, and
    the schedule rows of the services, the links and the centers, as plain tuples; the
    rule (``clock.is_open``) is asked once per distinct set of rows, since most services
    keep their center's hours."""
    statuses = list(services.values_list("pk", "status"))  # in the queryset's order
    if not statuses:
        return []
    if services.query.is_sliced:  # a slice cannot be reordered or nested as is
        selected = [pk for pk, _ in statuses]
    else:
        selected = services.order_by().values("pk")  # a subquery: no list of ids sent
    links_by_service = defaultdict(list)
    for link_id, service_id, link_location_id in ServiceAtLocation.objects.filter(
        service__in=selected
    ).values_list("pk", "service_id", "location_id"):
        if location_id is None or str(link_location_id) == str(location_id):
            links_by_service[service_id].append((link_id, link_location_id))
    location_ids = {loc for links in links_by_service.values() for _, loc in links}
    own_rows = _rows_by(ServiceSchedule.objects.filter(service__in=selected), "service_id")
    link_rows = _rows_by(
        ServiceAtLocationSchedule.objects.filter(service_at_location__service__in=selected),
        "service_at_location_id",
    )
    location_rows = _rows_by(
        LocationSchedule.objects.filter(location_id__in=location_ids), "location_id"
    )

    verdicts: dict[tuple, bool] = {}

    def is_open(rows: list) -> bool:
        key = tuple(rows)
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = verdicts[key] = clock.is_open(rows)
        return verdict

    return [
        pk
        for pk, status in statuses
        if service_open_among(
            status,
            own_rows.get(pk, ()),
            (
                (
                    link_location_id,
                    link_rows.get(link_id, ()),
                    location_rows.get(link_location_id, ()),
                )
                for link_id, link_location_id in links_by_service.get(pk, ())
            ),
            is_open,
            location_id,
        )
    ]
