"""Builders for activities in a test center; every argument has a default to override."""

from datetime import date, time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission

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


def editor(username: str, page, codenames=None):
    """A user whose group may edit ``page`` (and the centers under it) and holds the
    activities permissions ``codenames`` (all of them when None)."""
    group = Group.objects.create(name=f"{username}编辑")
    permissions = Permission.objects.filter(content_type__app_label="activities")
    if codenames is not None:
        permissions = permissions.filter(codename__in=codenames)
    group.permissions.add(Permission.objects.get(codename="access_admin"), *permissions)
    for codename in ("change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group, page=page, permission=Permission.objects.get(codename=codename)
        )
    user = get_user_model().objects.create_user(username, password=f"pw-{username}-123")
    user.groups.add(group)
    return user


def refused(response) -> bool:
    """Wagtail's admin answers a PermissionDenied by sending the editor to the dashboard."""
    if response.status_code == 302:
        return response["Location"] == "/admin/"
    return response.status_code in (403, 404)
