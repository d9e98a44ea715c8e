"""The JSON shape of an occurrence (场次) in /api/activities/, as openapi.py describes it."""

from django.urls import reverse

from activities.feeds import place_of
from activities.models import OccurrenceStatus
from catalog.opening import LOCAL_TZ


def local_iso(moment) -> str:
    """2026-12-08T09:00:00+08:00: Beijing time, as residents read it."""
    return moment.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def places_left(occurrence) -> int | None:
    """Free places of a session with a capacity (None: no limit); needs ``confirmed_count``
    (``OccurrenceQuerySet.with_sign_up_counts``)."""
    capacity = occurrence.activity.capacity
    if capacity is None:
        return None
    return max(0, capacity - occurrence.confirmed_count)


def occurrence_item(occurrence, url_of, request) -> dict:
    """One session; ``url_of`` gives an activity's page URL (activities.feeds.public_urls)."""
    activity = occurrence.activity
    room = occurrence.room
    return {
        "id": occurrence.pk,
        "activity": {
            "id": activity.pk,
            "uid": str(activity.uid),
            "title": activity.title,
            "kind": activity.kind.name,
            "url": url_of(activity),
            "ical_url": request.build_absolute_uri(
                reverse("activities:activity_ical", kwargs={"uid": activity.uid})
            ),
        },
        "center": {"code": occurrence.center.code, "title": occurrence.center.title},
        "room": (
            {"id": room.pk, "name": room.name, "floor": room.floor, "label": room.label}
            if room is not None
            else None
        ),
        "place": place_of(activity, occurrence),
        "starts_at": local_iso(occurrence.starts_at),
        "ends_at": local_iso(occurrence.ends_at),
        "all_day": occurrence.all_day,
        "status": occurrence.status,
        "status_label": OccurrenceStatus(occurrence.status).label,
        "reason": occurrence.reason,
        "capacity": activity.capacity,
        "places_left": places_left(occurrence),
        "signup_required": activity.signup_required,
        "cost": activity.cost,
        "price_label": activity.price_label,
        "audiences": [{"code": term.code, "name": term.name} for term in activity.audiences.all()],
    }
