"""Room utilisation (功能室利用率): how much of its opening hours each room is booked.

For a period (a week, Monday to Sunday, or a calendar month) and a scope (one room, one
center, a street's live centers, the whole district), each room gets:

- open hours: the sum over the period's days of its center's opening hours that day, as
  the one clock (``catalog.opening.open_intervals``) gives them from the center's
  location rows and the holiday calendar: a public holiday or a dated closure adds
  nothing, a make-up workday adds its hours;
- booked hours: the part of each non-cancelled occurrence holding the room that falls
  inside those opening hours. Time outside them (an evening class, a Sunday event) is
  reported apart as "开放时间外" and is not in the ratio, so utilisation never exceeds
  100% and a room is not made to look busy by evenings;
- utilisation = booked hours ÷ open hours (None when the center has no opening hours);
- attendance = attended sign-ups ÷ the capacity offered (the activity's capacity, else
  the room's) over the occurrences that took sign-ups and have ended.

A room with no booked hours is idle (闲置). Everything is computed in a fixed number of
queries (``ROOM_REPORT_QUERIES``) however many rooms and occurrences there are.
"""

import calendar as month_calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from catalog.opening import LOCAL_TZ, open_intervals

WEEK = "week"
MONTH = "month"
UNITS = {WEEK: "周", MONTH: "月"}
WEEKDAY_NAMES = "一二三四五六日"

# Centers, streets, rooms, opening rows, holiday calendar, occurrences.
ROOM_REPORT_QUERIES = 6


# -- the period ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A week (Monday–Sunday) or a calendar month, both days included."""

    unit: str
    first: date
    last: date

    @classmethod
    def of(cls, unit: str, day: date) -> "Period":
        """The week or month holding ``day``."""
        if unit == MONTH:
            days_in_month = month_calendar.monthrange(day.year, day.month)[1]
            return cls(MONTH, day.replace(day=1), day.replace(day=days_in_month))
        monday = day - timedelta(days=day.weekday())
        return cls(WEEK, monday, monday + timedelta(days=6))

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first, time.min, LOCAL_TZ)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time.min, LOCAL_TZ)

    @property
    def label(self) -> str:
        """2026年12月 or 2026年12月7日（周一）至12月13日（周日）."""
        if self.unit == MONTH:
            return f"{self.first.year}年{self.first.month}月"
        end = f"{self.last.month}月{self.last.day}日"
        if self.last.year != self.first.year:
            end = f"{self.last.year}年{end}"
        return f"{self.first.year}年{self.first.month}月{self.first.day}日（周一）至{end}（周日）"

    def previous(self) -> "Period":
        return Period.of(self.unit, self.first - timedelta(days=1))

    def next(self) -> "Period":
        return Period.of(self.unit, self.last + timedelta(days=1))


def quick_periods(today: date) -> list[tuple[str, Period]]:
    """本周, 上周, 本月, 上月 around ``today``."""
    this_week = Period.of(WEEK, today)
    this_month = Period.of(MONTH, today)
    return [
        ("本周", this_week),
        ("上周", this_week.previous()),
        ("本月", this_month),
        ("上月", this_month.previous()),
    ]


# -- the scope ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which rooms a report covers: ``centers`` (a CenterPage queryset), optionally
    narrowed to ``room_ids``. ``key`` names it in a URL (district, street-3, center-7,
    room-12, mine)."""

    key: str
    label: str
    centers: QuerySet
    room_ids: frozenset | None = None


def district_scope() -> Scope:
    from district.models import CenterPage

    return Scope("district", "全区", CenterPage.objects.live())


def street_scope(street) -> Scope:
    from district.models import CenterPage

    return Scope(f"street-{street.pk}", street.title, CenterPage.objects.child_of(street).live())


def center_scope(center) -> Scope:
    from district.models import CenterPage

    return Scope(f"center-{center.pk}", center.title, CenterPage.objects.filter(pk=center.pk))


def centers_scope(center_ids, label: str, key: str = "mine") -> Scope:
    from district.models import CenterPage

    return Scope(key, label, CenterPage.objects.filter(pk__in=center_ids))


def room_scope(room) -> Scope:
    from district.models import CenterPage

    return Scope(
        f"room-{room.pk}",
        f"{room.center.title} {room.name}",
        CenterPage.objects.filter(pk=room.center_id),
        frozenset({room.pk}),
    )


# -- the figures --------------------------------------------------------------------------


@dataclass
class Figures:
    """Minutes and counts that add up from rooms to centers, streets and the total."""

    open_minutes: int = 0
    booked_minutes: int = 0
    outside_minutes: int = 0
    occurrences: int = 0
    # Occurrences that took sign-ups, have ended and have a known capacity.
    counted_sessions: int = 0
    attended: int = 0
    capacity_offered: int = 0

    def add(self, other: "Figures") -> None:
        for name in Figures.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def open_hours(self) -> float:
        return self.open_minutes / 60

    @property
    def booked_hours(self) -> float:
        return self.booked_minutes / 60

    @property
    def outside_hours(self) -> float:
        return self.outside_minutes / 60

    @property
    def utilisation(self) -> float | None:
        """Booked ÷ open hours, 0–1; None when there were no opening hours."""
        return self.booked_minutes / self.open_minutes if self.open_minutes else None

    @property
    def attendance(self) -> float | None:
        """Attended sign-ups ÷ capacity offered; None when no session counted."""
        return self.attended / self.capacity_offered if self.capacity_offered else None

    @property
    def utilisation_percent(self) -> float | None:
        return None if self.utilisation is None else self.utilisation * 100

    @property
    def attendance_percent(self) -> float | None:
        return None if self.attendance is None else self.attendance * 100

    @property
    def is_idle(self) -> bool:
        return self.booked_minutes == 0


@dataclass
class RoomLine(Figures):
    room: object = None
    center: object = None
    street: object = None  # the center's StreetPage, None for a center under the home page

    @property
    def label(self) -> str:
        return f"{self.center.title} {self.room.name}"


@dataclass
class Summary(Figures):
    """The rooms of one center, one street, or the whole scope, summed."""

    label: str = ""
    kind: str = ""  # center, street or total
    rooms: int = 0
    idle_rooms: int = 0

    def add_room(self, line: RoomLine) -> None:
        self.add(line)
        self.rooms += 1
        self.idle_rooms += line.is_idle


@dataclass
class UtilisationReport:
    period: Period
    scope: Scope
    lines: list[RoomLine]  # idle rooms first, then by utilisation, lowest first
    centers: list[Summary] = field(default_factory=list)
    streets: list[Summary] = field(default_factory=list)
    total: Summary = field(default_factory=lambda: Summary(label="合计", kind="total"))


def room_order(line: RoomLine):
    """Idle rooms first, then the least used; ties by center code and the room's order."""
    return (
        not line.is_idle,
        line.utilisation if line.utilisation is not None else -1,
        line.center.code,
        line.room.sort_order if line.room.sort_order is not None else 0,
        line.room.pk,
    )


def utilisation_report(
    period: Period, scope: Scope, *, now: datetime | None = None
) -> UtilisationReport:
    """The report of ``scope``'s rooms over ``period`` (``ROOM_REPORT_QUERIES`` queries).
    ``now`` decides which occurrences have ended (for attendance)."""
    from activities.models import Occurrence, Room, SignUpStatus
    from catalog.models import LocationSchedule, PublicHoliday
    from district.models import StreetPage

    now = now or timezone.now()
    centers = {center.pk: center for center in scope.centers}
    parent_paths = {center.path[: -StreetPage.steplen] for center in centers.values()}
    streets = {street.path: street for street in StreetPage.objects.filter(path__in=parent_paths)}
    rooms = Room.objects.filter(center_id__in=centers).order_by("center_id", "sort_order", "pk")
    if scope.room_ids is not None:
        rooms = rooms.filter(pk__in=scope.room_ids)
    rooms = list(rooms)
    rows_by_center = defaultdict(list)
    for row in LocationSchedule.objects.filter(location__center_id__in=centers).select_related(
        "location"
    ):
        rows_by_center[row.location.center_id].append(row)
    holidays = PublicHoliday.objects.calendar(period.first, period.last)
    hours_by_center = {
        center_id: {
            day: open_intervals(rows_by_center[center_id], day, holidays) for day in period.days
        }
        for center_id in centers
    }

    lines = {
        room.pk: RoomLine(
            room=room,
            center=centers[room.center_id],
            street=streets.get(centers[room.center_id].path[: -StreetPage.steplen]),
            open_minutes=sum(
                end - start
                for intervals in hours_by_center[room.center_id].values()
                for start, end in intervals
            ),
        )
        for room in rooms
    }
    occurrences = (
        (
            Occurrence.objects.holding_rooms()
            .filter(room_id__in=lines)
            .between(period.starts_at, period.ends_at)
            .annotate(
                attended_count=Count(
                    "sign_ups",
                    filter=Q(sign_ups__attended=True) & ~Q(sign_ups__status=SignUpStatus.CANCELLED),
                )
            )
            .values_list(
                "room_id",
                "starts_at",
                "ends_at",
                "activity__signup_required",
                "activity__capacity",
                "attended_count",
            )
            .order_by()
        )
        if lines
        else []
    )
    for room_id, starts_at, ends_at, signup_required, capacity, attended in occurrences:
        line = lines[room_id]
        inside, within_period = minutes_inside(
            starts_at, ends_at, hours_by_center[line.room.center_id]
        )
        line.occurrences += 1
        line.booked_minutes += inside
        line.outside_minutes += within_period - inside
        capacity = capacity or line.room.capacity
        if signup_required and ends_at <= now and capacity:
            line.counted_sessions += 1
            line.attended += attended
            line.capacity_offered += capacity

    report = UtilisationReport(period, scope, sorted(lines.values(), key=room_order))
    by_center: dict[int, Summary] = {}
    by_street: dict[int, Summary] = {}
    for line in sorted(
        report.lines, key=lambda line: (line.center.code, line.room.sort_order or 0)
    ):
        center = by_center.setdefault(
            line.center.pk, Summary(label=line.center.title, kind="center")
        )
        center.add_room(line)
        if line.street is not None:
            street = by_street.setdefault(
                line.street.pk, Summary(label=line.street.title, kind="street")
            )
            street.add_room(line)
        report.total.add_room(line)
    report.centers = list(by_center.values())
    report.streets = sorted(by_street.values(), key=lambda summary: summary.label)
    return report


def minutes_inside(starts_at: datetime, ends_at: datetime, hours_by_day) -> tuple[int, int]:
    """(minutes of [starts_at, ends_at) inside the opening hours, minutes within the
    period) where ``hours_by_day`` maps each of the period's days to its open intervals."""
    start = starts_at.astimezone(LOCAL_TZ)
    end = ends_at.astimezone(LOCAL_TZ)
    inside = within = 0
    day = start.date()
    while datetime.combine(day, time.min, LOCAL_TZ) < end:
        if day in hours_by_day:
            midnight = datetime.combine(day, time.min, LOCAL_TZ)
            first = max(0, int((start - midnight).total_seconds() // 60))
            last = min(24 * 60, int((end - midnight).total_seconds() // 60))
            if last > first:
                within += last - first
                inside += sum(
                    max(0, min(closes, last) - max(opens, first))
                    for opens, closes in hours_by_day[day]
                )
        day += timedelta(days=1)
    return inside, within
