"""Fleet health: which lobby screens have gone silent.

A screen reports a heartbeat every minute. It is SILENT when its last heartbeat is more
than five minutes old (or it never reported) while it should be showing: during its
center's opening hours (the one clock, ``catalog.clock.clock_at``, over the center's
place's schedules) and outside its own dark hours. A quiet screen at night, on a Sunday
or while it is dark is not alarming: staff switch screens off with the building. A
center whose hours are unknown is judged by the screen's dark hours alone.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from catalog.clock import clock_at
from catalog.opening import LOCAL_TZ, OpeningClock

SILENT_AFTER = timedelta(minutes=5)

OK = "ok"
SILENT = "silent"
NEVER = "never"
QUIET = "quiet"
STATUS_LABELS = {
    OK: "正常",
    SILENT: "静默",
    NEVER: "从未连接",
    QUIET: "未连接（非开放时间）",
}

# What ``kiosks_for_health`` fetches with each kiosk so a fleet is judged in fixed queries.
HEALTH_SELECT = ("center", "center__location")
HEALTH_PREFETCH = ("center__location__schedules",)


def in_dark_hours(kiosk, moment: datetime) -> bool:
    """Whether ``moment`` falls in the kiosk's dark hours (which may wrap midnight)."""
    start, end = kiosk.dark_from, kiosk.dark_until
    if start is None or end is None or start == end:
        return False
    clock = moment.astimezone(LOCAL_TZ).time().replace(tzinfo=None)
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def should_be_showing(kiosk, clock: OpeningClock) -> bool:
    """During its center's opening hours and outside its own dark hours."""
    if in_dark_hours(kiosk, clock.moment):
        return False
    place = kiosk.center.place
    rows = place.schedules.all() if place is not None else []
    status = clock.status(rows)
    return status.is_open is None or bool(status)


def is_heard(kiosk, moment: datetime) -> bool:
    return kiosk.last_seen_at is not None and moment - kiosk.last_seen_at <= SILENT_AFTER


@dataclass(frozen=True)
class KioskHealth:
    kiosk: object
    status: str  # OK, SILENT, NEVER or QUIET
    silent: bool  # alarming: should be showing and has not reported
    last_seen_label: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def health_of(kiosk, clock: OpeningClock) -> KioskHealth:
    moment = clock.moment
    showing = should_be_showing(kiosk, clock)
    if is_heard(kiosk, moment):
        status, silent = OK, False
    elif kiosk.last_seen_at is None:
        status, silent = NEVER, showing
    else:
        status, silent = (SILENT, True) if showing else (QUIET, False)
    return KioskHealth(kiosk, status, silent, time_ago(kiosk.last_seen_at, moment))


def is_silent(kiosk, clock: OpeningClock | None = None) -> bool:
    return health_of(kiosk, clock or clock_at()).silent


def kiosks_for_health(queryset):
    """``queryset`` (kiosks) with what judging them needs: fixed queries for any fleet."""
    return queryset.select_related(*HEALTH_SELECT).prefetch_related(*HEALTH_PREFETCH)


def fleet_health(queryset, moment: datetime | None = None) -> list[KioskHealth]:
    """Every kiosk of ``queryset`` judged at ``moment`` (now), by center code and name."""
    clock = clock_at(moment or timezone.now())
    kiosks = kiosks_for_health(queryset).order_by("center__code", "name", "pk")
    return [health_of(kiosk, clock) for kiosk in kiosks]


def time_ago(moment: datetime | None, now: datetime) -> str:
    """``3分钟前`` in the words staff use; ``从未`` when there is no moment."""
    if moment is None:
        return "从未"
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{seconds // 60}分钟前"
    if seconds < 86400:
        return f"{seconds // 3600}小时前"
    return f"{seconds // 86400}天前"


def local_time_label(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return f"{moment.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"
