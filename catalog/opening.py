"""Is a service open at a given moment? Decided from HSDS-style schedule rows.

A schedule row (``catalog.models.rows.ScheduleRow``, or anything with the same attributes)
is an iCalendar-like recurrence: ``freq`` WEEKLY or MONTHLY, ``byday`` (``MO,TU`` or
ordinals such as ``1SA``, ``-1FR``, ``1FR,3FR``), ``bymonthday`` (``10``), ``interval``
counted from ``dtstart``, ``opens_at``–``closes_at`` on each matching day, and an optional
season ``valid_from``–``valid_to`` (both dates inclusive). ``00:00``–``23:59`` is round
the clock: a row closing at 23:59 stays open until midnight.

The hours of a service at a center are, in order of precedence (the first non-empty set
wins, nothing is intersected):

1. the service-at-location rows (the service's hours at that center),
2. the service's own rows (the same at all its centers),
3. the location's rows (the center's office hours).

A service's own hours are authoritative and may lie outside the center's office hours
(home visits, phone booking, a 24-hour charging shed).

Public holidays (法定节假日) and make-up workdays (调休上班日) are not encoded in the
schedule rows (the HSDS export stays as it is); they live in ``PublicHoliday``. The caller
looks up the kind of the moment's district-local date ONCE (``PublicHoliday.objects.
kind_at(moment)``) and passes it in as ``day_kind``; without it holidays are ignored. How a
row treats such a day is read from its ``notes`` (see ``holiday_rule``):

- "法定节假日休息…" (any notes containing "节假日休息"): closed on a holiday; on a make-up
  workday a weekly row naming any of MO–FR applies as on a regular working day, even when
  the make-up day is a Saturday or Sunday.
- "法定节假日照常开放…": unaffected, opens by its rule. The exception in brackets (春节除夕至
  正月初二除外) is not parsed.
- any other notes, or none: unaffected (the catalog says nothing, so the rule is trusted).

Everything in this module is pure: it reads attributes and ``.all()`` on relations, so the
caller decides what is fetched (``OPENING_PREFETCH`` keeps a listing at a fixed number of
queries) and unsaved model instances or simple objects work in tests.
"""

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday, weekdays

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
# The catalog writes "round the clock" as 00:00–23:59; 23:59 then means "until midnight".
UNTIL_MIDNIGHT = time(23, 59)
ACTIVE_STATUS = "active"

# What a listing must prefetch on its Service queryset so that ``service_open_at`` and
# ``effective_hours`` issue no further queries.
OPENING_PREFETCH = (
    "schedules",
    "service_at_locations__schedules",
    "service_at_locations__location__schedules",
)

FREQUENCIES = {"WEEKLY": WEEKLY, "MONTHLY": MONTHLY}
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
BYDAY_TOKEN = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
CHINESE_NUMERALS = "零一二三四五"
WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

# Kinds of day (the values of ``catalog.models.holidays.DayKind``); "" or None is ordinary.
HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"
# What a row's notes say about holidays.
RESTS_ON_HOLIDAYS = "rests"
OPEN_ON_HOLIDAYS = "open"
RESTS_MARKER = "节假日休息"  # 法定节假日休息，调休工作日正常办公。
OPEN_MARKER = "照常开放"  # 法定节假日照常开放（春节除夕至正月初二除外）。


class HoursSource:
    """Which level of the precedence the hours of a service at a center came from."""

    SERVICE_AT_LOCATION = "service_at_location"
    SERVICE = "service"
    LOCATION = "location"

    LABELS = {
        SERVICE_AT_LOCATION: "本中心服务时间",
        SERVICE: "服务时间",
        LOCATION: "中心开放时间",
    }


# -- one row -----------------------------------------------------------------------------


def parse_byday(byday: str) -> tuple[weekday, ...] | None:
    """``"1FR,3FR"`` → ``(FR(+1), FR(+3))``; ``()`` when empty; None when malformed
    (a malformed rule must not open a service on every day)."""
    days = []
    for token in filter(None, (part.strip().upper() for part in (byday or "").split(","))):
        match = BYDAY_TOKEN.match(token)
        if not match:
            return None
        ordinal, code = match.groups()
        day = weekdays[DAY_CODES.index(code)]
        days.append(day(int(ordinal)) if ordinal else day)
    return tuple(days)


def parse_bymonthday(bymonthday: str) -> tuple[int, ...] | None:
    """``"10"`` or ``"1,15,-1"`` → day numbers; ``()`` when empty; None when malformed."""
    days = []
    for token in filter(None, (part.strip() for part in str(bymonthday or "").split(","))):
        try:
            number = int(token)
        except ValueError:
            return None
        if number == 0 or not -31 <= number <= 31:
            return None
        days.append(number)
    return tuple(days)


@lru_cache(maxsize=8192)
def recurs_on(
    freq: str,
    byday: str,
    bymonthday: str,
    interval: int | None,
    dtstart: date | None,
    wkst: str,
    day: date,
) -> bool:
    """Whether the recurrence falls on ``day``. Cached: a listing asks the same few
    center schedules about the same day hundreds of times."""
    frequency = FREQUENCIES.get(freq or "WEEKLY")
    by_weekday = parse_byday(byday)
    by_monthday = parse_bymonthday(bymonthday)
    if frequency is None or by_weekday is None or by_monthday is None:
        return False
    if dtstart is not None and day < dtstart:
        return False
    # An interval is counted from dtstart; without one there is nothing to count from,
    # so the rule is read as every week (month). Without dtstart the rule starts on the
    # day asked about, which, for a rule that names no day at all, means every day.
    anchor = dtstart if dtstart is not None else day
    rule = rrule(
        frequency,
        dtstart=datetime.combine(anchor, time.min),
        interval=(interval or 1) if dtstart is not None else 1,
        wkst=DAY_CODES.index(wkst) if wkst in DAY_CODES else 0,
        byweekday=by_weekday or None,
        bymonthday=by_monthday or None,
    )
    start_of_day = datetime.combine(day, time.min)
    occurrence = rule.after(start_of_day, inc=True)
    return occurrence is not None and occurrence.date() == day


def row_timezone(row) -> timezone | ZoneInfo:
    """The row's own UTC offset in hours when it has one, else the district's time."""
    offset = getattr(row, "timezone", None)
    return timezone(timedelta(hours=offset)) if offset is not None else LOCAL_TZ


def holiday_rule(row) -> str:
    """How ``row`` treats holidays, from its notes: ``RESTS_ON_HOLIDAYS``,
    ``OPEN_ON_HOLIDAYS`` or "" (unaffected, like open)."""
    notes = getattr(row, "notes", "") or ""
    if OPEN_MARKER in notes:
        return OPEN_ON_HOLIDAYS
    if RESTS_MARKER in notes:
        return RESTS_ON_HOLIDAYS
    return ""


def works_on_makeup_days(row, day: date) -> bool:
    """Whether a weekly row names a plain Monday–Friday, so that it applies on a make-up
    workday. Rows every other week or on ordinal days (1FR) are left to their rule."""
    if (row.freq or "WEEKLY") != "WEEKLY" or (row.interval or 1) != 1:
        return False
    if row.dtstart is not None and day < row.dtstart:
        return False
    by_weekday = parse_byday(row.byday or "")
    return bool(by_weekday) and any(d.weekday < 5 and not d.n for d in by_weekday)


def row_is_open_at(row, moment: datetime, day_kind: str | None = None) -> bool:
    """Whether ``row`` covers the aware datetime ``moment``. ``day_kind`` is the kind of
    the moment's date (``HOLIDAY``, ``MAKEUP_WORKDAY``, or ""/None for an ordinary day)."""
    if moment.tzinfo is None:
        raise ValueError("moment must be an aware datetime")
    if row.opens_at is None or row.closes_at is None:
        return False
    local = moment.astimezone(row_timezone(row))
    day, clock = local.date(), local.time().replace(tzinfo=None)
    if row.valid_from and day < row.valid_from:
        return False
    if row.valid_to and day > row.valid_to:
        return False
    if clock < row.opens_at:
        return False
    if clock >= row.closes_at and row.closes_at != UNTIL_MIDNIGHT:
        return False
    rests = bool(day_kind) and holiday_rule(row) == RESTS_ON_HOLIDAYS
    if rests and day_kind == HOLIDAY:
        return False
    if rests and day_kind == MAKEUP_WORKDAY and works_on_makeup_days(row, day):
        return True
    return recurs_on(
        row.freq or "WEEKLY",
        row.byday or "",
        str(row.bymonthday or ""),
        row.interval,
        row.dtstart,
        row.wkst or "MO",
        day,
    )


def is_open_at(rows: Iterable, moment: datetime, day_kind: str | None = None) -> bool:
    """Whether any of ``rows`` covers ``moment`` (a lunch break is two rows)."""
    return any(row_is_open_at(row, moment, day_kind) for row in rows)


# -- precedence --------------------------------------------------------------------------


def applicable_rows(
    at_location: Sequence = (), of_service: Sequence = (), of_location: Sequence = ()
) -> tuple[str | None, list]:
    """The first non-empty level of the precedence, and which level it was."""
    for source, rows in (
        (HoursSource.SERVICE_AT_LOCATION, at_location),
        (HoursSource.SERVICE, of_service),
        (HoursSource.LOCATION, of_location),
    ):
        rows = list(rows)
        if rows:
            return source, rows
    return None, []


def effective_hours(service, link=None) -> tuple[str | None, list]:
    """The rows that apply to ``service`` at ``link`` (one of its service_at_locations),
    or, without a link, the service's own rows."""
    if link is None:
        return applicable_rows(of_service=service.schedules.all())
    return applicable_rows(
        at_location=link.schedules.all(),
        of_service=service.schedules.all(),
        of_location=link.location.schedules.all(),
    )


def service_open_at(
    service, moment: datetime, location_id=None, day_kind: str | None = None
) -> bool | None:
    """Whether residents can be served now: True, False, or None when no hours are known.

    A service that is not active is never open. With ``location_id`` only that center
    counts (False when the service is not offered there); otherwise the service is open
    when it is open at any of its centers. A service offered at no center is judged by its
    own hours. ``day_kind`` is the kind of the moment's date (see the module docstring):
    look it up once per moment, not per service.
    """
    if service.status != ACTIVE_STATUS:
        return False
    links = list(service.service_at_locations.all())
    if location_id is not None:
        links = [link for link in links if str(link.location_id) == str(location_id)]
        if not links:
            return False
    if not links:
        _, rows = effective_hours(service)
        return is_open_at(rows, moment, day_kind) if rows else None
    known = False
    for link in links:
        _, rows = effective_hours(service, link)
        if rows:
            known = True
            if is_open_at(rows, moment, day_kind):
                return True
    return False if known else None


# -- words -------------------------------------------------------------------------------


def describe_days(row) -> str:
    """The days of a row in Chinese: 每周一至周五, 每月第一个周六, 隔周三（2026-01-07起）."""
    by_weekday = parse_byday(row.byday or "")
    by_monthday = parse_bymonthday(row.bymonthday or "")
    if by_weekday is None or by_monthday is None:
        return f"{row.byday or ''}{row.bymonthday or ''}（无法识别）"
    monthly = (row.freq or "WEEKLY") == "MONTHLY"
    if not by_weekday and not by_monthday and row.dtstart:
        # As in iCalendar (and recurs_on): a rule naming no day repeats dtstart's.
        if monthly:
            by_monthday = (row.dtstart.day,)
        else:
            by_weekday = (weekdays[row.dtstart.weekday()],)
    if monthly:
        parts = [_ordinal(day.n) + WEEKDAY_LABELS[day.weekday] for day in by_weekday]
        parts += ["最后一天" if day == -1 else f"{day}日" for day in by_monthday]
        every = f"每{row.interval}个月" if row.interval and row.interval > 1 else "每月"
        text = every + "、".join(parts) if parts else "每天"
    else:
        text = _weekday_range([day.weekday for day in by_weekday])
        if row.interval and row.interval > 1:
            every = "隔周" if row.interval == 2 else f"每{row.interval}周"
            text = every + text.removeprefix("每周")
    if row.dtstart:
        text += f"（{row.dtstart.isoformat()}起）"
    return text


def describe_row(row) -> str:
    """A row in Chinese, as residents read hours: 每周一至周五 08:30–17:30."""
    days = describe_days(row)
    if row.opens_at is None or row.closes_at is None:
        return days
    if row.opens_at == time.min and row.closes_at == UNTIL_MIDNIGHT:
        hours = "全天24小时"
    else:
        hours = f"{row.opens_at:%H:%M}–{row.closes_at:%H:%M}"
    text = f"{days} {hours}"
    if row.valid_from or row.valid_to:
        start = row.valid_from.isoformat() if row.valid_from else ""
        end = row.valid_to.isoformat() if row.valid_to else ""
        text += f"（{start}至{end}）"
    return text


def _ordinal(n: int | None) -> str:
    if not n:
        return ""
    if n == -1:
        return "最后一个"
    numeral = CHINESE_NUMERALS[abs(n)] if abs(n) < len(CHINESE_NUMERALS) else str(abs(n))
    return f"第{numeral}个" if n > 0 else f"倒数第{numeral}个"


def _weekday_range(days: list[int]) -> str:
    days = sorted(set(days))
    if not days or len(days) == 7:
        return "每天"
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"每{WEEKDAY_LABELS[days[0]]}至{WEEKDAY_LABELS[days[-1]]}"
    return "每" + "、".join(WEEKDAY_LABELS[day] for day in days)
