"""The one clock, as the site asks it: "now" (or a given moment) with its holiday calendar,
loaded once per request. The rule itself is ``catalog.opening.opening_status``."""

from datetime import datetime

from django.utils import timezone

from catalog.models import PublicHoliday
from catalog.opening import OPENING_PREFETCH, OpeningClock


def clock_at(moment: datetime | None = None) -> OpeningClock:
    """An ``OpeningClock`` for ``moment`` (now when None): one query for the holidays."""
    moment = moment or timezone.now()
    return OpeningClock(moment, PublicHoliday.objects.calendar_at(moment))


def open_service_ids(services, clock: OpeningClock, location_id=None) -> list:
    """Primary keys of ``services`` (a Service queryset) open by ``clock``, judged at
    ``location_id`` when a center was chosen (the open-now filter of lists and search)."""
    return [
        service.pk
        for service in services.prefetch_related(*OPENING_PREFETCH)
        if clock.service_open(service, location_id)
    ]
