"""The one place occurrences are written and room clashes refused.

Every way an activity is saved (the admin, the API, an import, ``load_demo``) reaches
``schedule_activity`` through ``Activity.save``. It locks the rooms involved (PostgreSQL
then serialises two editors booking the same room; SQLite serialises every write), plans
the occurrences (``activities.recurrence``), refuses a clash with ``RoomClash`` naming the
other activity and the first clashing dates, and only then writes. On PostgreSQL an
exclusion constraint backs this up in the database itself.
"""

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from activities.recurrence import CANCELLED, Plan, PlannedOccurrence, plan_occurrences
from catalog.opening import LOCAL_TZ, open_intervals

# How many clashing dates a refusal names before "等".
NAMED_CLASHES = 3
# Sign-ups of an occurrence the schedule no longer gives are kept: it is cancelled.
DROPPED_REASON = "活动安排调整，本场取消"


@dataclass(frozen=True)
class Clash:
    planned: PlannedOccurrence
    other_title: str
    other_activity_id: int | None
    room_name: str


class RoomClash(ValidationError):
    """A schedule that would hold a room another occurrence already holds."""

    def __init__(self, clashes: list[Clash]):
        self.clashes = clashes
        super().__init__(clash_message(clashes), code="room_clash")


def clash_message(clashes: list[Clash]) -> str:
    """与“太极拳”冲突：多功能厅 12月8日（周二）09:00–10:30、… 已被占用（共5次）."""
    first = clashes[0]
    same_other = [c for c in clashes if c.other_title == first.other_title]
    dates = "、".join(describe_span(c.planned) for c in same_other[:NAMED_CLASHES])
    more = "等" if len(same_other) > NAMED_CLASHES else ""
    text = (
        f"功能室“{first.room_name}”时间冲突：{dates}{more}已被“{first.other_title}”占用"
        f"（共{len(same_other)}次）。请换一个时间或功能室。"
    )
    others = sorted({c.other_title for c in clashes} - {first.other_title})
    if others:
        text += "另与" + "、".join(f"“{title}”" for title in others) + "冲突。"
    return text


WEEKDAYS = "一二三四五六日"


def describe_span(planned) -> str:
    start = planned.starts_at.astimezone(LOCAL_TZ)
    end = planned.ends_at.astimezone(LOCAL_TZ)
    day = f"{start:%Y-%m-%d}（周{WEEKDAYS[start.weekday()]}）"
    if planned.all_day:
        return f"{day}全天"
    return f"{day}{start:%H:%M}–{end:%H:%M}"


def calendar_for(first: date, last: date):
    from catalog.models import PublicHoliday

    return PublicHoliday.objects.calendar(first, last)


def plan_for(activity, *, today: date | None = None, exceptions=None) -> Plan:
    """The activity's occurrences under the holiday calendar (one query for it)."""
    from activities.recurrence import expansion_end

    today = today or timezone.localdate()
    last = expansion_end(activity, today)
    calendar = calendar_for(activity.dtstart, last)
    return plan_occurrences(activity, calendar, today=today, exceptions=exceptions)


def find_clashes(plan: Plan, activity) -> list[Clash]:
    """Planned occurrences that overlap another activity's held room, or one another."""
    from activities.models import Occurrence, Room

    holding = [p for p in plan.occurrences if p.holds_room]
    if not holding:
        return []
    rooms = {
        room.pk: room.name for room in Room.objects.filter(pk__in={p.room_id for p in holding})
    }
    others = (
        Occurrence.objects.holding_rooms()
        .filter(room_id__in=rooms)
        .between(min(p.starts_at for p in holding), max(p.ends_at for p in holding))
        .select_related("activity")
        .order_by("starts_at")
    )
    if activity.pk is not None:
        others = others.exclude(activity_id=activity.pk)
    held = defaultdict(list)  # room → [(starts_at, ends_at, title, activity id)]
    for occurrence in others:
        held[occurrence.room_id].append(
            (
                occurrence.starts_at,
                occurrence.ends_at,
                occurrence.activity.title,
                occurrence.activity_id,
            )
        )
    clashes = []
    own = defaultdict(list)
    for planned in sorted(holding, key=lambda p: p.starts_at):
        for _start, _end, title, other_id in overlapping(held[planned.room_id], planned):
            clashes.append(Clash(planned, title, other_id, rooms[planned.room_id]))
        for start, end in own[planned.room_id]:
            if start < planned.ends_at and planned.starts_at < end:
                clashes.append(Clash(planned, activity.title, activity.pk, rooms[planned.room_id]))
        own[planned.room_id].append((planned.starts_at, planned.ends_at))
    return clashes


def overlapping(spans: list, planned) -> list:
    """The spans (sorted by start) that overlap ``planned``'s [starts_at, ends_at)."""
    position = bisect.bisect_left(spans, planned.ends_at, key=lambda span: span[0])
    found = []
    for span in reversed(spans[:position]):
        if span[1] > planned.starts_at:
            found.append(span)
        elif planned.starts_at - span[0] > timedelta(days=2):
            break  # no session lasts longer than an all-day one
    return found[::-1]


def outside_hours(planned, location_rows, calendar) -> bool:
    """Whether an occurrence starts or ends when its center is closed (the one clock)."""
    if planned.status == CANCELLED or planned.all_day or not location_rows:
        return False
    start = planned.starts_at.astimezone(LOCAL_TZ)
    end = planned.ends_at.astimezone(LOCAL_TZ)
    intervals = open_intervals(location_rows, start.date(), calendar)
    first = start.hour * 60 + start.minute
    last = first + int((end - start).total_seconds() // 60)
    return not any(opens <= first and last <= closes for opens, closes in intervals)


def hours_warnings(plan: Plan, activity) -> list:
    """The planned occurrences that fall outside the center's opening hours."""
    rows = center_rows(activity)
    return outside_hours_of(plan, rows, hours_calendar(plan)) if rows else []


def hours_calendar(plan: Plan):
    """The holiday calendar over every date the plan's occurrences fall on."""
    if not plan.occurrences:
        return calendar_for(plan.last_day, plan.last_day)
    days = [p.starts_at.astimezone(LOCAL_TZ).date() for p in plan.occurrences]
    return calendar_for(min(days), max(days))


def outside_hours_of(plan: Plan, rows, calendar) -> list:
    return [p for p in plan.occurrences if outside_hours(p, rows, calendar)]


def center_rows(activity) -> list:
    from catalog.models import LocationSchedule

    return list(LocationSchedule.objects.filter(location__center_id=activity.center_id))


def hours_warning_message(warnings: list) -> str:
    dates = "、".join(describe_span(p) for p in warnings[:NAMED_CLASHES])
    more = "等" if len(warnings) > NAMED_CLASHES else ""
    return f"注意：{dates}{more}共{len(warnings)}次不在中心开放时间内，请确认有人开门。"


def check_schedule(activity, *, exceptions=None, today=None) -> tuple[Plan, list[Clash], list]:
    """What saving would do, without writing: the plan, its clashes, its warnings."""
    plan = plan_for(activity, today=today, exceptions=exceptions)
    return plan, find_clashes(plan, activity), hours_warnings(plan, activity)


def recurrence_day(moment) -> date:
    return moment.astimezone(LOCAL_TZ).date()


@transaction.atomic
def schedule_activity(activity, *, today: date | None = None) -> Plan:
    """(Re)build the saved ``activity``'s occurrences, or raise ``RoomClash`` (and the
    caller's transaction rolls back). Occurrences are matched by their RECURRENCE-ID, so
    sign-ups stay with their session when times change; a session the schedule no longer
    gives is cancelled if anyone signed up for it, else removed."""
    from activities.models import Occurrence, Room, SignUp

    plan = plan_for(activity, today=today)
    room_ids = sorted({p.room_id for p in plan.occurrences if p.room_id is not None})
    # Lock the rooms in a fixed order: a second editor booking one of them waits here.
    list(Room.objects.select_for_update().filter(pk__in=room_ids).order_by("pk"))
    clashes = find_clashes(plan, activity)
    if clashes:
        raise RoomClash(clashes)
    rows = center_rows(activity)
    warned = set(outside_hours_of(plan, rows, hours_calendar(plan))) if rows else set()
    # Matched by the local date the rule gave (one session a day at most), so a new start
    # time keeps each session's sign-ups.
    existing = {recurrence_day(o.recurrence_id): o for o in activity.occurrences.all()}
    fields = [
        "center",
        "room",
        "recurrence_id",
        "starts_at",
        "ends_at",
        "all_day",
        "status",
        "reason",
    ]
    to_create, to_update = [], []
    for planned in plan.occurrences:
        values = {
            "center_id": activity.center_id,
            "room_id": planned.room_id,
            "starts_at": planned.starts_at,
            "ends_at": planned.ends_at,
            "all_day": planned.all_day,
            "status": planned.status,
            "reason": planned.reason,
            "outside_hours": planned in warned,
        }
        values["recurrence_id"] = planned.recurrence_id
        occurrence = existing.pop(recurrence_day(planned.recurrence_id), None)
        if occurrence is None:
            to_create.append(Occurrence(activity=activity, **values))
        elif any(getattr(occurrence, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(occurrence, name, value)
            to_update.append(occurrence)
    dropped = list(existing.values())
    with_sign_ups = set(
        SignUp.objects.filter(occurrence__in=dropped).values_list("occurrence_id", flat=True)
        if dropped
        else ()
    )
    for occurrence in dropped:
        if occurrence.pk in with_sign_ups and occurrence.status != CANCELLED:
            occurrence.status, occurrence.reason = CANCELLED, DROPPED_REASON
            to_update.append(occurrence)
    try:
        # The PostgreSQL constraint is deferred to the commit, so the order of these
        # statements does not matter; it only catches writes that bypassed this function.
        with transaction.atomic():
            Occurrence.objects.filter(
                pk__in=[o.pk for o in dropped if o.pk not in with_sign_ups]
            ).delete()
            Occurrence.objects.bulk_update(to_update, [*fields, "outside_hours"], batch_size=500)
            Occurrence.objects.bulk_create(to_create, batch_size=500)
    except IntegrityError as error:
        raise ValidationError(f"场次保存失败：{error}", code="occurrence_integrity") from error
    type(activity).objects.filter(pk=activity.pk).update(scheduled_until=plan.last_day)
    activity.scheduled_until = plan.last_day
    return plan
