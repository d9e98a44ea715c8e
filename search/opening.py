"""The open-now filter, shared by the backends: opening hours live in the catalog's
schedule rows (with holidays), which no index can judge, so matched services are checked
here, in Python, and the backend filters by the ids that are open."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from catalog.models import PublicHoliday
from catalog.opening import OPENING_PREFETCH, service_open_at


def open_service_ids(services, moment: datetime | None = None, location=None) -> list:
    """Primary keys of ``services`` (a Service queryset) open at ``moment`` (now), judged
    at ``location`` when a center was chosen."""
    moment = moment or timezone.now()
    day_kind = PublicHoliday.objects.kind_at(moment)
    location_id = location.pk if location is not None else None
    return [
        service.pk
        for service in services.prefetch_related(*OPENING_PREFETCH)
        if service_open_at(service, moment, location_id, day_kind)
    ]
