"""An activity's schedule, expanded: RFC 5545 by ``dateutil.rrule``, then the holiday
calendar of the one clock, then the exceptions (cancel or move one occurrence).

Pure: reads the activity's attributes and ``exceptions.all()`` and a ``DayCalendar``, so
unsaved activities (an admin form, an API request) are planned exactly as saved ones.
"""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, weekdays

from catalog.opening import (
    HOLIDAY,
    LOCAL_TZ,
    MAKEUP_WORKDAY,
    NO_HOLIDAYS,
    DayCalendar,
    parse_byday,
    parse_bymonthday,
    works_on_makeup_days,
)

FREQUENCIES = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY}
# An open-ended rule is expanded this far ahead of today (and extended daily).
HORIZON_DAYS = 366
CANCEL = "cancel"
MOVE = "move"
SCHEDULED = "scheduled"
MOVED = "moved"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class PlannedOccurrence:
    """One occurrence as the schedule gives it, before it is stored."""

    recurrence_id: datetime  # the start the rule gave it (iCalendar's RECURRENCE-ID)
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    room_id: int | None
    status: str = SCHEDULED
    reason: str = ""

    @property
    def holds_room(self) -> bool:
        return self.room_id is not None and self.status != CANCELLED


@dataclass(frozen=True)
class Plan:
    occurrences: list[PlannedOccurrence]
    # Dates the rule gave that a public holiday took away: (date, holiday name).
    holiday_skips: list[tuple[date, str]]
    # Exceptions naming a date the rule does not give: (exception, message).
    stray_exceptions: list[tuple[object, str]]
    last_day: date


def local(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=LOCAL_TZ)


def span_of(day: date, start: time | None, end: time | None, all_day: bool):
    """The aware [start, end) of a session on ``day``; an all-day one takes the day."""
    if all_day or start is None or end is None:
        return local(day, time.min), local(day + timedelta(days=1), time.min)
    return local(day, start), local(day, end)


def expansion_end(activity, today: date) -> date:
    """The last day occurrences are planned for: the rule's UNTIL, or a year ahead."""
    if not activity.freq:
        return activity.dtstart
    horizon = max(today, activity.dtstart) + timedelta(days=HORIZON_DAYS)
    return min(activity.until, horizon) if activity.until else horizon


def rule_dates(activity, last_day: date, first_day: date | None = None) -> list[date]:
    """The dates RFC 5545 gives the activity's rule, up to ``last_day`` (and from
    ``first_day`` when given: a window, so a month is not expanded from a rule's first
    date years back)."""
    if not activity.freq:
        if first_day is not None and activity.dtstart < first_day:
            return []
        return [activity.dtstart] if activity.dtstart <= last_day else []
    by_weekday = parse_byday(activity.byday or "")
    by_monthday = parse_bymonthday(activity.bymonthday or "")
    if by_weekday is None or by_monthday is None:
        return []
    anchor = activity.dtstart
    if first_day is not None and first_day > anchor and not activity.count:
        anchor, by_weekday, by_monthday = reanchor(activity, first_day, by_weekday, by_monthday)
    rule = rrule(
        FREQUENCIES[activity.freq],
        dtstart=datetime.combine(anchor, time.min),
        interval=activity.interval or 1,
        wkst=0,
        byweekday=by_weekday or None,
        bymonthday=by_monthday or None,
        # RFC 5545 allows COUNT or UNTIL, not both: a counted rule is cut at last_day here.
        count=activity.count or None,
        until=None if activity.count else datetime.combine(last_day, time.max),
    )
    dates = [moment.date() for moment in rule]
    if activity.count:
        dates = [day for day in dates if day <= last_day]
    if first_day is not None:
        dates = [day for day in dates if day >= first_day]
    return dates


def reanchor(activity, first_day: date, by_weekday, by_monthday):
    """A later first date for the same rule, at or before ``first_day`` and a whole number
    of intervals after the real one, so that dateutil starts near a window rather than at a
    first date years back. The days the rule implied from its first date are made
    explicit, as they would otherwise follow the new one. Not for COUNT rules (counted
    from the real first date)."""
    start = activity.dtstart
    interval = activity.interval or 1
    if activity.freq == "DAILY":
        step = (first_day - start).days // interval * interval
        return start + timedelta(days=step), by_weekday, by_monthday
    if activity.freq == "WEEKLY":
        monday = start - timedelta(days=start.weekday())
        weeks = (first_day - monday).days // 7 // interval * interval
        if weeks == 0:
            return start, by_weekday, by_monthday
        return (
            monday + timedelta(weeks=weeks),
            by_weekday or (weekdays[start.weekday()],),
            by_monthday,
        )
    months = (
        ((first_day.year - start.year) * 12 + first_day.month - start.month) // interval * interval
    )
    if months == 0:
        return start, by_weekday, by_monthday
    year, month = divmod(start.month - 1 + months, 12)
    if not by_weekday and not by_monthday:
        by_monthday = (start.day,)
    return date(start.year + year, month + 1, 1), by_weekday, by_monthday


def plan_occurrences(
    activity,
    calendar: DayCalendar = NO_HOLIDAYS,
    *,
    today: date,
    exceptions=None,
    window: tuple[date, date] | None = None,
) -> Plan:
    """Every occurrence of ``activity`` from its first date to ``expansion_end``:
    holidays skipped when the editor asked (and make-up workdays added when asked),
    then each exception applied to the occurrence of its date. ``calendar`` must cover
    the dates (``PublicHoliday.objects.calendar(activity.dtstart, last_day)``).

    ``window`` (first, last) plans only the occurrences the rule gives on those dates
    (a preview of a week or a month; a session moved into the window from outside it is
    not among them, and stray exceptions are not reported)."""
    last_day = expansion_end(activity, today)
    first_day = None
    if window is not None:
        first_day, last_day = window[0], min(window[1], last_day)
    dates = rule_dates(activity, last_day, first_day)
    holiday_skips = []
    if activity.skip_holidays and activity.freq:
        kept = []
        for day in dates:
            if calendar.kind_of(day) == HOLIDAY:
                holiday_skips.append((day, calendar.name_of(day) or "法定节假日"))
            else:
                kept.append(day)
        dates = kept
    if activity.runs_on_makeup_workdays and activity.freq == "WEEKLY":
        given = set(dates)
        dates = sorted(
            given
            | {
                day
                for day, (kind, _name) in calendar.days.items()
                if kind == MAKEUP_WORKDAY
                and max(activity.dtstart, first_day or activity.dtstart)
                <= day
                <= min(last_day, activity.until or last_day)
                and works_on_makeup_days(activity, day)
            }
        )

    if exceptions is None:
        exceptions = list(activity.exceptions.all())
    by_date = {exception.occurrence_date: exception for exception in exceptions}
    given = set(dates)
    stray = [
        (exception, f"{exception.occurrence_date.isoformat()}这一天没有本活动的场次。")
        for exception in exceptions
        if exception.occurrence_date not in given and window is None
    ]
    occurrences = []
    for day in dates:
        starts_at, ends_at = span_of(day, activity.start_time, activity.end_time, activity.all_day)
        planned = PlannedOccurrence(
            recurrence_id=starts_at,
            starts_at=starts_at,
            ends_at=ends_at,
            all_day=activity.all_day,
            room_id=activity.room_id,
        )
        exception = by_date.get(day)
        if exception is not None:
            planned = apply_exception(planned, exception, activity)
        occurrences.append(planned)
    occurrences.sort(key=lambda occurrence: (occurrence.starts_at, occurrence.recurrence_id))
    return Plan(occurrences, holiday_skips, stray, last_day)


def apply_exception(planned: PlannedOccurrence, exception, activity) -> PlannedOccurrence:
    if exception.action == CANCEL:
        return replace(planned, status=CANCELLED, reason=exception.reason)
    day = exception.new_date or planned.recurrence_id.astimezone(LOCAL_TZ).date()
    start = exception.new_start_time or activity.start_time
    end = exception.new_end_time or activity.end_time
    starts_at, ends_at = span_of(day, start, end, activity.all_day)
    return PlannedOccurrence(
        recurrence_id=planned.recurrence_id,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=activity.all_day,
        room_id=exception.new_room_id or planned.room_id,
        status=MOVED,
        reason=exception.reason,
    )


def schedule_problems(activity) -> list[tuple[str, str]]:
    """(field, message) for a schedule that cannot be expanded as the editor meant it."""
    problems = []
    if activity.all_day:
        pass
    elif activity.start_time is None or activity.end_time is None:
        problems.append(("start_time", "请填写开始时间和结束时间，或勾选“全天活动”。"))
    elif activity.end_time <= activity.start_time:
        problems.append(("end_time", "结束时间必须晚于开始时间。"))
    if not activity.freq:
        return problems
    by_weekday = parse_byday(activity.byday or "")
    if by_weekday is None:
        problems.append(("byday", "星期写法不对，请写 MO,TU,WE,TH,FR,SA,SU，或每月的 2SA、-1FR。"))
    elif activity.freq != "MONTHLY" and any(day.n for day in by_weekday):
        problems.append(("byday", "“第几个周几”（如 2SA）只用于每月重复。"))
    if parse_bymonthday(activity.bymonthday or "") is None:
        problems.append(("bymonthday", "每月几号请写 1 到 31 的数字，用逗号分隔。"))
    if activity.until and activity.dtstart and activity.until < activity.dtstart:
        problems.append(("until", "重复截止日期不能早于首次日期。"))
    if activity.until and activity.count:
        problems.append(("count", "截止日期和重复次数只填一个。"))
    if activity.runs_on_makeup_workdays and not activity.skip_holidays:
        problems.append(
            ("runs_on_makeup_workdays", "调休上班日照常举办须与“法定节假日停开”一起勾选。")
        )
    return problems


def rrule_text(activity) -> str:
    """The activity's rule as an RFC 5545 RRULE value (FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=…),
    "" for a one-off session."""
    if not activity.freq:
        return ""
    parts = [f"FREQ={activity.freq}"]
    if (activity.interval or 1) > 1:
        parts.append(f"INTERVAL={activity.interval}")
    if activity.byday:
        parts.append("BYDAY=" + ",".join(p.strip().upper() for p in activity.byday.split(",")))
    if activity.bymonthday:
        parts.append("BYMONTHDAY=" + ",".join(p.strip() for p in activity.bymonthday.split(",")))
    if activity.until:
        if activity.all_day:
            parts.append(f"UNTIL={activity.until:%Y%m%d}")
        else:  # with a DATE-TIME DTSTART, RFC 5545 wants UNTIL in UTC
            last_moment = local(activity.until, time(23, 59, 59)).astimezone(UTC)
            parts.append(f"UNTIL={last_moment:%Y%m%dT%H%M%SZ}")
    if activity.count:
        parts.append(f"COUNT={activity.count}")
    return ";".join(parts)
