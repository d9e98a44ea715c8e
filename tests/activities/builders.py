"""Builders for activities in a test center; every argument has a default to override."""

from datetime import date, time

from activities.models import Activity, ActivityException, ActivityKind, Room


def kind(name="文体康养") -> ActivityKind:
    return ActivityKind.objects.get_or_create(name=name)[0]


def room_of(center, name="多功能厅") -> Room:
    return Room.objects.get(center=center, name=name)


def add_room(center, name="书画室", **fields) -> Room:
    return Room.objects.create(center=center, name=name, **{"capacity": 20, **fields})


def build_activity(center, title="太极拳", *, room="default", exceptions=(), **fields) -> Activity:
    """A saved activity (so scheduled: its occurrences exist). By default a one-off
    session in the center's first room on Tuesday 2026-12-08, 09:00–10:30."""
    defaults = {
        "kind": kind(),
        "dtstart": date(2026, 12, 8),
        "start_time": time(9, 0),
        "end_time": time(10, 30),
    }
    if room == "default":
        room = center.rooms.first() if hasattr(center.rooms, "first") else None
    activity = Activity(center=center, title=title, room=room, **{**defaults, **fields})
    activity.exceptions = [ActivityException(**values) for values in exceptions]
    activity.full_clean()
    activity.save()
    return activity
