"""The one clock: is a place or a service open at a given moment?

``opening_status(rows, moment, calendar)`` is THE rule; center pages, service lists,
guides, search, the API (and the programme sheets and kiosk) all reach it, usually through
an ``OpeningClock`` (a moment and its holiday calendar, made once per request by
``catalog.clock.clock_at``).

A schedule row (``catalog.models.rows.ScheduleRow``, or anything with the same attributes)
is either regular hours or a dated exception (``kind``):

- regular: an iCalendar-like recurrence, ``freq`` WEEKLY or MONTHLY, ``byday`` (``MO,TU``
  or ordinals such as ``1SA``, ``-1FR``), ``bymonthday`` (``10``), ``interval`` counted
  from ``dtstart``, ``opens_at``–``closes_at`` on each matching day, and an optional
  season ``valid_from``–``valid_to`` (both inclusive). ``00:00``–``23:59`` is round the
  clock. Two structured flags say how it meets the State Council's calendar:
  ``closed_on_holidays`` (法定节假日休息) and ``open_on_makeup_workdays`` (a weekly row naming
  any of MO–FR also applies on a make-up workday, even a Saturday or Sunday).
- ``closed`` / ``special_hours``: on the dates ``valid_from``–``valid_to`` these rows
  replace the regular ones: closed all day, or open only in their hours. The row's
  ``description`` is the reason residents see (春节除夕至正月初二休息).

The hours of a service at a center are, in order of precedence (the first non-empty set
wins, nothing is intersected): the service-at-location rows, the service's own rows, the
location's rows (the center's office hours). A service's own hours may lie outside the
center's (home visits, a 24-hour charging shed); but when the center is closed on a date
(a ``closed`` row of the location) nobody is served there, whatever level the hours came
from.

Everything in this module is pure: it reads attributes and ``.all()`` on relations, so the
caller decides what is fetched (``OPENING_PREFETCH`` keeps a listing at a fixed number of
queries) and unsaved model instances or simple objects work in tests. ``service_open_at``
reads a Service; ``service_open_among`` is the same judgement on plain rows, which
``catalog.clock.open_service_ids`` loads in bulk for the open-now filter.
"""

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from itertools import chain
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

# Kinds of day (the values of ``catalog.models.holidays.DayKind``); "" is ordinary.
HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"
# Kinds of schedule row (the values of ``catalog.models.rows.ScheduleKind``).
REGULAR = "regular"
CLOSED = "closed"
SPECIAL_HOURS = "special_hours"


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


def row_kind(row) -> str:
    return getattr(row, "kind", "") or REGULAR


def is_exception(row) -> bool:
    return row_kind(row) in (CLOSED, SPECIAL_HOURS)


def exception_covers(row, day: date) -> bool:
    """Whether the dated exception ``row`` applies on ``day`` (its own local date)."""
    first = row.valid_from
    last = row.valid_to or first
    return first is not None and first <= day <= last


def within_hours(row, clock: time) -> bool:
    if row.opens_at is None or row.closes_at is None or clock < row.opens_at:
        return False
    return clock < row.closes_at or row.closes_at == UNTIL_MIDNIGHT


def works_on_makeup_days(row, day: date) -> bool:
    """Whether a weekly row names a plain Monday–Friday, so that it applies on a make-up
    workday. Rows every other week or on ordinal days (1FR) are left to their rule."""
    if (row.freq or "WEEKLY") != "WEEKLY" or (row.interval or 1) != 1:
        return False
    if row.dtstart is not None and day < row.dtstart:
        return False
    by_weekday = parse_byday(row.byday or "")
    return bool(by_weekday) and any(d.weekday < 5 and not d.n for d in by_weekday)


def local_day_and_clock(row, moment: datetime) -> tuple[date, time]:
    if moment.tzinfo is None:
        raise ValueError("moment must be an aware datetime")
    local = moment.astimezone(row_timezone(row))
    return local.date(), local.time().replace(tzinfo=None)


def row_is_open_at(row, moment: datetime, day_kind: str = "") -> bool:
    """Whether the regular ``row`` covers the aware datetime ``moment``. ``day_kind`` is
    the kind of the moment's date (``HOLIDAY``, ``MAKEUP_WORKDAY``, or "" for an ordinary
    day). Dated exceptions are judged by ``opening_status``, never here."""
    if is_exception(row):
        return False
    day, clock = local_day_and_clock(row, moment)
    return within_hours(row, clock) and row_applies_on(row, day, day_kind)


def row_applies_on(row, day: date, day_kind: str = "") -> bool:
    """Whether the regular ``row``'s hours apply on ``day`` (its season, the holiday
    calendar's ``day_kind`` and its recurrence), whatever the hour."""
    if row.valid_from and day < row.valid_from:
        return False
    if row.valid_to and day > row.valid_to:
        return False
    if day_kind == HOLIDAY and getattr(row, "closed_on_holidays", False):
        return False
    if (
        day_kind == MAKEUP_WORKDAY
        and getattr(row, "open_on_makeup_workdays", False)
        and works_on_makeup_days(row, day)
    ):
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


@dataclass(frozen=True)
class DayCalendar:
    """The State Council's calendar around a moment: ``{date: (kind, name)}`` for the
    public holidays and make-up workdays (``PublicHoliday.objects.calendar``)."""

    days: Mapping[date, tuple[str, str]] = field(default_factory=dict)

    def kind_of(self, day: date) -> str:
        return self.days.get(day, ("", ""))[0]

    def name_of(self, day: date) -> str:
        return self.days.get(day, ("", ""))[1]


NO_HOLIDAYS = DayCalendar()


@dataclass(frozen=True)
class OpeningStatus:
    """Open or not, and why not when a holiday or a dated exception decided it."""

    is_open: bool | None  # None: no hours are known
    reason: str = ""  # 国庆节休息, or the exception's description
    exception: object = None  # the dated exception row that decided, if one did

    def __bool__(self) -> bool:
        return bool(self.is_open)

    @property
    def label(self) -> str:
        if self.is_open is None:
            return "开放时间请电话咨询"
        text = "正在开放" if self.is_open else "当前休息"
        if self.exception is not None and row_kind(self.exception) == CLOSED:
            text = "今日闭馆"
        return text


def opening_status(
    rows: Iterable, moment: datetime, calendar: DayCalendar = NO_HOLIDAYS
) -> OpeningStatus:
    """THE rule: whether ``rows`` (regular hours and dated exceptions; a lunch break is two
    rows) are open at the aware ``moment``, under ``calendar``'s holidays and make-up
    workdays. A dated exception covering the day replaces the regular hours."""
    rows = list(rows)
    if not rows:
        return OpeningStatus(None)
    exceptions = []
    for row in rows:
        if is_exception(row):
            day, clock = local_day_and_clock(row, moment)
            if exception_covers(row, day):
                exceptions.append((row, clock))
    if exceptions:
        for row, clock in exceptions:
            if row_kind(row) == SPECIAL_HOURS and within_hours(row, clock):
                return OpeningStatus(True, row.description, row)
        closed = [row for row, _ in exceptions if row_kind(row) == CLOSED]
        decisive = closed[0] if closed else exceptions[0][0]
        return OpeningStatus(False, decisive.description or "特定日期闭馆", decisive)
    day = moment.astimezone(LOCAL_TZ).date()
    day_kind = calendar.kind_of(day)
    if any(row_is_open_at(row, moment, day_kind) for row in rows):
        return OpeningStatus(True)
    if day_kind == HOLIDAY and any(
        getattr(row, "closed_on_holidays", False) for row in rows if not is_exception(row)
    ):
        return OpeningStatus(False, f"{calendar.name_of(day) or '法定节假日'}休息")
    return OpeningStatus(False)


MINUTES_PER_DAY = 24 * 60


def open_intervals(
    rows: Iterable, day: date, calendar: DayCalendar = NO_HOLIDAYS
) -> list[tuple[int, int]]:
    """The hours ``rows`` are open on the district-local ``day``, as merged
    ``(from_minute, to_minute)`` pairs counted from midnight (1440 is midnight at the
    end of the day): the same rule as ``opening_status``, asked of a whole day (room
    utilisation, whether an activity fits its room's hours)."""
    rows = list(rows)
    covering = [row for row in rows if is_exception(row) and exception_covers(row, day)]
    if covering:
        candidates = [row for row in covering if row_kind(row) == SPECIAL_HOURS]
    else:
        day_kind = calendar.kind_of(day)
        candidates = [
            row for row in rows if not is_exception(row) and row_applies_on(row, day, day_kind)
        ]
    spans = sorted(
        (_minute(row.opens_at), _closing_minute(row.closes_at))
        for row in candidates
        if row.opens_at is not None and row.closes_at is not None
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _minute(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def _closing_minute(clock: time) -> int:
    return MINUTES_PER_DAY if clock == UNTIL_MIDNIGHT else _minute(clock)


def is_open_at(rows: Iterable, moment: datetime, calendar: DayCalendar = NO_HOLIDAYS) -> bool:
    """Whether ``rows`` are open at ``moment`` (``opening_status`` without the reason)."""
    return bool(opening_status(rows, moment, calendar))


@dataclass(frozen=True)
class OpeningClock:
    """A moment and the holiday calendar around it, made once per request
    (``catalog.clock.clock_at``) and asked about any number of places and services."""

    moment: datetime
    calendar: DayCalendar = NO_HOLIDAYS

    def status(self, rows: Iterable) -> OpeningStatus:
        return opening_status(rows, self.moment, self.calendar)

    def is_open(self, rows: Iterable) -> bool:
        return bool(self.status(rows))

    def service_open(self, service, location_id=None) -> bool | None:
        return service_open_at(service, self.moment, location_id, self.calendar)


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


def hours_at(
    of_service: Sequence = (), at_location: Sequence = (), of_location: Sequence = ()
) -> tuple[str | None, list]:
    """The rows that apply to a service at one center, from plain rows: the precedence
    (``applicable_rows``), and the center's dated closures joining hours that came from
    the service (a closed building serves nobody)."""
    of_location = list(of_location)
    source, rows = applicable_rows(at_location, of_service, of_location)
    if source != HoursSource.LOCATION:
        rows += [row for row in of_location if row_kind(row) == CLOSED]
    return source, rows


def effective_hours(service, link=None) -> tuple[str | None, list]:
    """The rows that apply to ``service`` at ``link`` (one of its service_at_locations),
    or, without a link, the service's own rows. The center's dated closures join hours
    that came from the service: a closed building serves nobody."""
    if link is None:
        return applicable_rows(of_service=service.schedules.all())
    return hours_at(service.schedules.all(), link.schedules.all(), link.location.schedules.all())


def service_open_among(
    status: str,
    of_service: Sequence,
    links: Iterable[tuple[object, Sequence, Sequence]],
    is_open: Callable[[list], bool],
    location_id=None,
) -> bool | None:
    """``service_open_at`` on plain data: the service's ``status``, its own rows, and its
    ``links`` as ``(location_id, rows at that location, the location's rows)``;
    ``is_open(rows)`` gives the verdict of the rule (``OpeningClock.is_open``, possibly
    memoised by the caller). Nothing here reads the database."""
    if status != ACTIVE_STATUS:
        return False
    links = iter(links)  # read lazily: the first open center answers
    if location_id is not None:
        links = (link for link in links if str(link[0]) == str(location_id))
    first = next(links, None)
    if first is None:
        if location_id is not None:
            return False
        _, rows = applicable_rows(of_service=of_service)
        return is_open(rows) if rows else None
    known = False
    for _, at_location, of_location in chain((first,), links):
        _, rows = hours_at(of_service, at_location, of_location)
        if rows:
            known = True
            if is_open(rows):
                return True
    return False if known else None


def service_open_at(
    service, moment: datetime, location_id=None, calendar: DayCalendar = NO_HOLIDAYS
) -> bool | None:
    """Whether residents can be served now: True, False, or None when no hours are known.

    A service that is not active is never open. With ``location_id`` only that center
    counts (False when the service is not offered there); otherwise the service is open
    when it is open at any of its centers. A service offered at no center is judged by its
    own hours. ``calendar`` holds the holidays around ``moment``: load it once per
    moment (``catalog.clock.clock_at``), not per service.
    """
    if service.status != ACTIVE_STATUS:
        return False
    of_service = list(service.schedules.all())
    links = (
        (link.location_id, link.schedules.all(), link.location.schedules.all())
        for link in service.service_at_locations.all()
        if location_id is None or str(link.location_id) == str(location_id)
    )
    return service_open_among(
        service.status,
        of_service,
        links,
        lambda rows: is_open_at(rows, moment, calendar),
        location_id,
    )


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


def describe_exception(row) -> str:
    """A dated exception in Chinese: 2027-02-05至2027-02-07 闭馆（春节除夕至正月初二休息）."""
    first, last = row.valid_from, row.valid_to or row.valid_from
    dates = first.isoformat() if first == last else f"{first.isoformat()}至{last.isoformat()}"
    if row_kind(row) == CLOSED:
        text = f"{dates} 闭馆"
    else:
        text = f"{dates} {row.opens_at:%H:%M}–{row.closes_at:%H:%M}"
    return f"{text}（{row.description}）" if row.description else text


def describe_holidays(row) -> str:
    """How a regular row meets the holiday calendar, in Chinese ("" when it ignores it)."""
    if row.closed_on_holidays and row.open_on_makeup_workdays:
        return "法定节假日休息，调休上班日正常开放"
    if row.closed_on_holidays:
        return "法定节假日休息"
    if row.open_on_makeup_workdays:
        return "调休上班日正常开放"
    return ""


def describe_row(row) -> str:
    """A row in Chinese, as residents read hours: 每周一至周五 08:30–17:30."""
    if is_exception(row):
        return describe_exception(row)
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


def summarize_hours(rows: Iterable) -> list[tuple[str, str]]:
    """Regular rows as (days, hours) lines, rows of the same days joined (a lunch break):
    [("每周一至周五", "08:30–12:00，13:00–17:30"), ("每周六", "09:00–12:00")]."""
    lines: dict[str, list[str]] = {}
    for row in rows:
        if is_exception(row):
            continue
        days = describe_days(row)
        hours = describe_row(row).removeprefix(days).strip()
        if row.valid_from or row.valid_to or row.opens_at is None:
            days, hours = describe_row(row), ""  # a season or no times: worded whole
        lines.setdefault(days, []).append(hours)
    return [(days, "，".join(filter(None, hours))) for days, hours in lines.items()]


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
