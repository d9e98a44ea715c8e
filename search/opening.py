"""The open-now filter of both backends: opening hours live in the catalog's schedule rows
(with holidays and dated exceptions), which no index can judge, so matched services are
checked by the catalog's one clock and the backend filters by the ids that are open."""

from __future__ import annotations

from datetime import datetime

from catalog.clock import clock_at, open_service_ids
from catalog.models import Location


def open_ids_among(services, moment: datetime | None, center_code: str | None) -> list:
    """Primary keys of ``services`` (a Service queryset) open at ``moment`` (now), judged
    at the center of ``center_code`` when one was chosen."""
    location_id = None
    if center_code:
        location = Location.objects.filter(external_identifier=center_code).only("pk").first()
        location_id = location.pk if location is not None else None
    return open_service_ids(services, clock_at(moment), location_id)
