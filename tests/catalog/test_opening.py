"""Opening hours: when a service is open, from HSDS schedule rows and their precedence."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from catalog.models import ServiceSchedule
from catalog.opening import (
    NO_HOLIDAYS,
    DayCalendar,
    HoursSource,
    applicable_rows,
    describe_row,
    is_open_at,
    opening_status,
    row_is_open_at,
    service_open_at,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """'2026-11-20 10:00' in Beijing time."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def row(byday="MO,TU,WE,TH,FR", opens="08:30", closes="17:30", **fields) -> ServiceSchedule:
    """An unsaved schedule row, as the importer writes them (timezone 8, week from Monday)."""
    return ServiceSchedule(
        freq=fields.pop("freq", "WEEKLY"),
        byday=byday,
        opens_at=time.fromisoformat(opens),
        closes_at=time.fromisoformat(closes),
        timezone=8,
        wkst="MO",
        **fields,
    )


WEEKDAYS = row()
MORNING = row(opens="08:30", closes="12:00")
AFTERNOON = row(opens="13:00", closes="17:30")
WEEKEND = row(byday="SA,SU", opens="09:00", closes="16:00")
FIRST_SATURDAY = row(freq="MONTHLY", byday="1SA", opens="09:00", closes="11:30")
LAST_FRIDAY = row(freq="MONTHLY", byday="-1FR", opens="14:00", closes="16:00")
FIRST_AND_THIRD_FRIDAY = row(freq="MONTHLY", byday="1FR,3FR", opens="18:30", closes="20:00")
TENTH_OF_MONTH = row(freq="MONTHLY", byday="", bymonthday="10", opens="09:00", closes="11:30")
EVERY_OTHER_WEDNESDAY = row(
    byday="WE", opens="09:00", closes="11:30", interval=2, dtstart=date(2026, 1, 7)
)
AUTUMN_TERM = row(
    byday="TU,TH",
    opens="09:00",
    closes="11:00",
    valid_from=date(2026, 9, 7),
    valid_to=date(2027, 1, 8),
)
ROUND_THE_CLOCK = row(byday="MO,TU,WE,TH,FR,SA,SU", opens="00:00", closes="23:59")

# November 2026: Fri 6 and 20, Sat 7 and 21, Wed 11, 18 and 25, Fri 27 is the last Friday.
CASES = [
    # (what, rows, moment, open?)
    ("weekday morning", [WEEKDAYS], "2026-11-20 08:30", True),
    ("closing time is already closed", [WEEKDAYS], "2026-11-20 17:30", False),
    ("before opening", [WEEKDAYS], "2026-11-20 08:29", False),
    ("weekday hours on a Saturday", [WEEKDAYS], "2026-11-21 10:00", False),
    ("lunch break", [MORNING, AFTERNOON], "2026-11-20 12:30", False),
    ("after the lunch break", [MORNING, AFTERNOON], "2026-11-20 13:00", True),
    ("before the lunch break", [MORNING, AFTERNOON], "2026-11-20 11:59", True),
    ("weekend on Sunday", [WEEKDAYS, WEEKEND], "2026-11-22 15:00", True),
    ("weekend hours on a Monday evening", [WEEKEND], "2026-11-23 15:00", False),
    ("first Saturday of the month", [FIRST_SATURDAY], "2026-11-07 10:00", True),
    ("second Saturday of the month", [FIRST_SATURDAY], "2026-11-14 10:00", False),
    ("first Saturday, after hours", [FIRST_SATURDAY], "2026-11-07 11:30", False),
    ("first Saturday of December", [FIRST_SATURDAY], "2026-12-05 09:00", True),
    ("last Friday of the month", [LAST_FRIDAY], "2026-11-27 15:00", True),
    ("a Friday that is not the last", [LAST_FRIDAY], "2026-11-20 15:00", False),
    ("first Friday of a 1st-and-3rd rule", [FIRST_AND_THIRD_FRIDAY], "2026-11-06 19:00", True),
    ("third Friday of a 1st-and-3rd rule", [FIRST_AND_THIRD_FRIDAY], "2026-11-20 19:00", True),
    ("second Friday of a 1st-and-3rd rule", [FIRST_AND_THIRD_FRIDAY], "2026-11-13 19:00", False),
    ("the 10th of the month", [TENTH_OF_MONTH], "2026-11-10 10:00", True),
    ("the 11th of the month", [TENTH_OF_MONTH], "2026-11-11 10:00", False),
    ("every other Wednesday, on", [EVERY_OTHER_WEDNESDAY], "2026-11-11 10:00", True),
    ("every other Wednesday, off", [EVERY_OTHER_WEDNESDAY], "2026-11-18 10:00", False),
    ("every other Wednesday, next on", [EVERY_OTHER_WEDNESDAY], "2026-11-25 10:00", True),
    ("every other Wednesday, dtstart itself", [EVERY_OTHER_WEDNESDAY], "2026-01-07 10:00", True),
    ("every other Wednesday, before dtstart", [EVERY_OTHER_WEDNESDAY], "2025-12-31 10:00", False),
    ("season, before it starts", [AUTUMN_TERM], "2026-09-03 10:00", False),
    ("season, its first day", [AUTUMN_TERM], "2026-09-08 10:00", True),
    ("season, current", [AUTUMN_TERM], "2026-11-19 10:00", True),
    ("season, its last day counts", [AUTUMN_TERM], "2027-01-07 10:00", True),
    ("season, past", [AUTUMN_TERM], "2027-01-12 10:00", False),
    ("round the clock at midnight", [ROUND_THE_CLOCK], "2026-11-21 00:00", True),
    ("round the clock in the last minute", [ROUND_THE_CLOCK], "2026-11-21 23:59:30", True),
    ("round the clock on a Sunday night", [ROUND_THE_CLOCK], "2026-11-22 03:00", True),
    ("no rows", [], "2026-11-20 10:00", False),
    ("no day named: every day", [row(byday="")], "2026-11-22 10:00", True),
    (
        "no day named, dtstart: its weekday",
        [row(byday="", dtstart=date(2026, 11, 18))],
        "2026-11-25 10:00",
        True,
    ),
    (
        "no day named, dtstart: other days",
        [row(byday="", dtstart=date(2026, 11, 18))],
        "2026-11-26 10:00",
        False,
    ),
]


@pytest.mark.parametrize(
    ("rows", "moment", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rows_open_at(rows, moment, expected):
    assert is_open_at(rows, at(moment)) is expected


def test_a_moment_in_another_timezone_is_read_in_beijing_time():
    # 02:00 UTC on a Friday is 10:00 in Beijing.
    assert row_is_open_at(WEEKDAYS, datetime.fromisoformat("2026-11-20T02:00:00+00:00"))
    assert not row_is_open_at(WEEKDAYS, datetime.fromisoformat("2026-11-20T10:00:00+00:00"))


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError):
        row_is_open_at(WEEKDAYS, datetime(2026, 11, 20, 10, 0))


@pytest.mark.parametrize("byday", ["XX", "6SA", "MO;TU"])
def test_a_malformed_day_rule_never_opens(byday):
    assert not is_open_at([row(byday=byday)], at("2026-11-20 10:00"))


def test_a_row_without_hours_never_opens():
    incomplete = row()
    incomplete.closes_at = None
    assert not is_open_at([incomplete], at("2026-11-20 10:00"))


# -- precedence --------------------------------------------------------------------------


class Rows(list):
    """A prefetched relation: what the opening functions call .all() on."""

    def all(self):
        return self


@dataclass
class FakeLocation:
    schedules: Rows = field(default_factory=Rows)


@dataclass
class FakeLink:
    location_id: int
    location: FakeLocation
    schedules: Rows = field(default_factory=Rows)


@dataclass
class FakeService:
    status: str = "active"
    schedules: Rows = field(default_factory=Rows)
    service_at_locations: Rows = field(default_factory=Rows)


OFFICE_HOURS = [WEEKDAYS]  # a center open Mon–Fri 08:30–17:30
EVENING_CLASS = row(byday="TU,TH", opens="18:30", closes="19:30")
SATURDAY_MORNING = row(byday="SA", opens="09:00", closes="12:00")


def service(own=(), links=()) -> FakeService:
    return FakeService(schedules=Rows(own), service_at_locations=Rows(links))


def link(location_id, office=OFFICE_HOURS, own=()) -> FakeLink:
    return FakeLink(location_id, FakeLocation(Rows(office)), Rows(own))


PRECEDENCE_CASES = [
    # (what, service, moment, location, open?)
    (
        "center hours when the service has none",
        service(links=[link(1)]),
        "2026-11-20 10:00",
        None,
        True,
    ),
    (
        "center closed, service has no hours",
        service(links=[link(1)]),
        "2026-11-21 10:00",
        None,
        False,
    ),
    (
        "service hours outside center hours",
        service(own=[EVENING_CLASS], links=[link(1)]),
        "2026-11-19 19:00",
        None,
        True,
    ),
    (
        "service hours replace center hours",
        service(own=[EVENING_CLASS], links=[link(1)]),
        "2026-11-19 10:00",
        None,
        False,
    ),
    (
        "per-center hours override the service's",
        service(own=[EVENING_CLASS], links=[link(1, own=[SATURDAY_MORNING])]),
        "2026-11-21 10:00",
        None,
        True,
    ),
    (
        "per-center hours: the service's own hours no longer apply there",
        service(own=[EVENING_CLASS], links=[link(1, own=[SATURDAY_MORNING])]),
        "2026-11-19 19:00",
        None,
        False,
    ),
    (
        "open at one of two centers",
        service(links=[link(1, own=[SATURDAY_MORNING]), link(2)]),
        "2026-11-21 10:00",
        None,
        True,
    ),
    (
        "asked about the other center",
        service(links=[link(1, own=[SATURDAY_MORNING]), link(2)]),
        "2026-11-21 10:00",
        2,
        False,
    ),
    (
        "asked about the center that is open",
        service(links=[link(1, own=[SATURDAY_MORNING]), link(2)]),
        "2026-11-21 10:00",
        1,
        True,
    ),
    (
        "asked about a center not offering it",
        service(links=[link(1)]),
        "2026-11-20 10:00",
        9,
        False,
    ),
    ("no center: own hours", service(own=[WEEKEND]), "2026-11-21 10:00", None, True),
    ("no hours anywhere", service(links=[link(1, office=[])]), "2026-11-20 10:00", None, None),
    ("no center and no hours", service(), "2026-11-20 10:00", None, None),
]


@pytest.mark.parametrize(
    ("subject", "moment", "location_id", "expected"),
    [c[1:] for c in PRECEDENCE_CASES],
    ids=[c[0] for c in PRECEDENCE_CASES],
)
def test_service_open_at(subject, moment, location_id, expected):
    assert service_open_at(subject, at(moment), location_id) is expected


@pytest.mark.parametrize("status", ["temporarily closed", "inactive", "defunct"])
def test_a_service_that_is_not_active_is_never_open(status):
    subject = FakeService(status=status, schedules=Rows([ROUND_THE_CLOCK]))
    assert service_open_at(subject, at("2026-11-20 10:00")) is False


def test_applicable_rows_names_the_level_they_came_from():
    assert applicable_rows([MORNING], [WEEKEND], [WEEKDAYS]) == (
        HoursSource.SERVICE_AT_LOCATION,
        [MORNING],
    )
    assert applicable_rows([], [WEEKEND], [WEEKDAYS]) == (HoursSource.SERVICE, [WEEKEND])
    assert applicable_rows([], [], [WEEKDAYS]) == (HoursSource.LOCATION, [WEEKDAYS])
    assert applicable_rows([], [], []) == (None, [])


# -- words -------------------------------------------------------------------------------

DESCRIPTIONS = [
    (WEEKDAYS, "每周一至周五 08:30–17:30"),
    (WEEKEND, "每周六、周日 09:00–16:00"),
    (row(byday="MO,WE,FR", opens="09:00", closes="11:00"), "每周一、周三、周五 09:00–11:00"),
    (FIRST_SATURDAY, "每月第一个周六 09:00–11:30"),
    (LAST_FRIDAY, "每月最后一个周五 14:00–16:00"),
    (FIRST_AND_THIRD_FRIDAY, "每月第一个周五、第三个周五 18:30–20:00"),
    (TENTH_OF_MONTH, "每月10日 09:00–11:30"),
    (EVERY_OTHER_WEDNESDAY, "隔周三（2026-01-07起） 09:00–11:30"),
    (AUTUMN_TERM, "每周二、周四 09:00–11:00（2026-09-07至2027-01-08）"),
    (ROUND_THE_CLOCK, "每天 全天24小时"),
    (row(byday="", dtstart=date(2026, 11, 18)), "每周三（2026-11-18起） 08:30–17:30"),
]


@pytest.mark.parametrize(("subject", "expected"), DESCRIPTIONS, ids=[d[1] for d in DESCRIPTIONS])
def test_describe_row_in_chinese(subject, expected):
    assert describe_row(subject) == expected


# -- public holidays and make-up workdays -------------------------------------------------

RESTS = {"closed_on_holidays": True, "open_on_makeup_workdays": True}  # government, centers
GOVERNMENT_HOURS = [
    row(opens="09:00", closes="11:30", **RESTS),
    row(opens="13:30", closes="17:00", **RESTS),
]
# HHD-CH-02 is open every day, holidays too (its Spring Festival closure is a dated exception).
CHUNHUILI_DAILY = row(byday="MO,TU,WE,TH,FR,SA,SU", opens="08:00", closes="20:00")
# 2026: Mon 5 Oct is a holiday (国庆节), Sat 10 Oct and Sat 28 Feb are make-up workdays.
HOLIDAY_MONDAY = "2026-10-05 10:00"
MAKEUP_SATURDAY = "2026-10-10 10:00"


def calendar(moment: str, day_kind: str | None) -> DayCalendar:
    """The calendar a moment's date has when its kind is ``day_kind`` (None: unknown)."""
    if not day_kind:
        return NO_HOLIDAYS
    return DayCalendar({at(moment).date(): (day_kind, "国庆节")})


HOLIDAY_CASES = [
    # (what, rows, moment, day kind, open?)
    ("government, holiday Monday", GOVERNMENT_HOURS, HOLIDAY_MONDAY, "holiday", False),
    ("government, make-up Saturday", GOVERNMENT_HOURS, MAKEUP_SATURDAY, "makeup_workday", True),
    (
        "government, make-up Saturday, lunch break",
        GOVERNMENT_HOURS,
        "2026-10-10 12:00",
        "makeup_workday",
        False,
    ),
    ("government, the same Monday unknown", GOVERNMENT_HOURS, HOLIDAY_MONDAY, None, True),
    ("government, ordinary Saturday", GOVERNMENT_HOURS, "2026-11-21 10:00", "", False),
    ("open on holidays, holiday Monday", [CHUNHUILI_DAILY], HOLIDAY_MONDAY, "holiday", True),
    ("open on holidays, evening", [CHUNHUILI_DAILY], "2026-10-05 20:00", "holiday", False),
    ("no holiday flags, holiday Monday", [WEEKDAYS], HOLIDAY_MONDAY, "holiday", True),
    ("no holiday flags, make-up Saturday", [WEEKDAYS], MAKEUP_SATURDAY, "makeup_workday", False),
    (
        "closed on holidays only, make-up Saturday",
        [row(closed_on_holidays=True)],
        MAKEUP_SATURDAY,
        "makeup_workday",
        False,
    ),
    (
        "rests on holidays, Saturday row on a holiday Saturday",
        [row(byday="SA", opens="09:00", closes="12:00", **RESTS)],
        "2026-10-03 10:00",
        "holiday",
        False,
    ),
    (
        "rests on holidays, ordinal row not moved to a make-up day",
        [row(freq="MONTHLY", byday="1FR", opens="09:00", closes="12:00", **RESTS)],
        MAKEUP_SATURDAY,
        "makeup_workday",
        False,
    ),
]


@pytest.mark.parametrize(
    ("rows", "moment", "day_kind", "expected"),
    [c[1:] for c in HOLIDAY_CASES],
    ids=[c[0] for c in HOLIDAY_CASES],
)
def test_holidays_and_makeup_workdays(rows, moment, day_kind, expected):
    assert is_open_at(rows, at(moment), calendar(moment, day_kind)) is expected


def test_a_holiday_closure_says_which_holiday():
    status = opening_status(
        GOVERNMENT_HOURS, at(HOLIDAY_MONDAY), calendar(HOLIDAY_MONDAY, "holiday")
    )
    assert status.is_open is False
    assert status.reason == "国庆节休息"
    assert status.label == "当前休息"


def test_a_government_service_rests_on_a_holiday_and_works_on_a_makeup_day():
    government = service(own=GOVERNMENT_HOURS, links=[link(1), link(2)])
    holiday = calendar(HOLIDAY_MONDAY, "holiday")
    makeup = calendar(MAKEUP_SATURDAY, "makeup_workday")
    assert service_open_at(government, at(HOLIDAY_MONDAY), calendar=holiday) is False
    assert service_open_at(government, at(MAKEUP_SATURDAY), calendar=makeup) is True
    assert service_open_at(government, at(MAKEUP_SATURDAY)) is False


def test_a_center_open_on_holidays_keeps_its_daily_hours():
    at_chunhuili = service(links=[link(2, office=[CHUNHUILI_DAILY])])
    holiday = calendar(HOLIDAY_MONDAY, "holiday")
    assert service_open_at(at_chunhuili, at(HOLIDAY_MONDAY), 2, holiday) is True
    assert row_is_open_at(CHUNHUILI_DAILY, at("2026-10-01 19:59"), "holiday") is True


# -- dated exceptions ----------------------------------------------------------------------

SPRING_FESTIVAL_CLOSURE = row(
    kind="closed",
    byday="",
    opens="00:00",
    closes="00:01",
    valid_from=date(2027, 2, 5),
    valid_to=date(2027, 2, 7),
    description="春节除夕至正月初二休息",
)
SPRING_FESTIVAL_CLOSURE.opens_at = SPRING_FESTIVAL_CLOSURE.closes_at = None
LANTERN_MORNING = row(
    kind="special_hours",
    byday="",
    opens="09:00",
    closes="12:00",
    valid_from=date(2027, 2, 20),
    valid_to=date(2027, 2, 20),
    description="元宵节上午开放",
)


@pytest.mark.parametrize(
    ("moment", "expected", "reason"),
    [
        ("2027-02-04 10:00", True, ""),  # the day before: daily hours
        ("2027-02-05 10:00", False, "春节除夕至正月初二休息"),  # 除夕
        ("2027-02-07 19:00", False, "春节除夕至正月初二休息"),  # 正月初二, last day
        ("2027-02-08 10:00", True, ""),  # 正月初三: daily hours again
        ("2027-02-20 10:00", True, "元宵节上午开放"),  # special hours replace 08:00–20:00
        ("2027-02-20 15:00", False, "元宵节上午开放"),
    ],
)
def test_dated_exceptions_replace_the_regular_hours(moment, expected, reason):
    rows = [CHUNHUILI_DAILY, SPRING_FESTIVAL_CLOSURE, LANTERN_MORNING]
    status = opening_status(rows, at(moment), calendar(moment, "holiday"))
    assert status.is_open is expected
    assert status.reason == reason


def test_a_center_closure_closes_services_with_hours_of_their_own_there():
    own_hours = service(own=[CHUNHUILI_DAILY], links=[link(2, office=[SPRING_FESTIVAL_CLOSURE])])
    assert service_open_at(own_hours, at("2027-02-06 10:00"), 2) is False
    assert service_open_at(own_hours, at("2027-02-08 10:00"), 2) is True


def test_a_dated_exception_is_worded_for_residents():
    assert (
        describe_row(SPRING_FESTIVAL_CLOSURE)
        == "2027-02-05至2027-02-07 闭馆（春节除夕至正月初二休息）"
    )
    assert describe_row(LANTERN_MORNING) == "2027-02-20 09:00–12:00（元宵节上午开放）"


# -- a whole day: open_intervals is opening_status asked minute by minute --------------------

ROUND_THE_CLOCK = row(byday="MO,TU,WE,TH,FR,SA,SU", opens="00:00", closes="23:59")
HOLIDAY_CLOSED_WEEKDAYS = row(closed_on_holidays=True, open_on_makeup_workdays=True)


@pytest.mark.parametrize(
    ("rows", "day", "day_kind", "expected"),
    [
        ([MORNING, AFTERNOON], "2026-12-07", None, [(510, 720), (780, 1050)]),
        ([WEEKDAYS, MORNING], "2026-12-07", None, [(510, 1050)]),  # overlaps merge
        ([WEEKDAYS], "2026-12-05", None, []),  # a Saturday
        ([HOLIDAY_CLOSED_WEEKDAYS], "2026-10-01", "holiday", []),
        ([HOLIDAY_CLOSED_WEEKDAYS], "2026-10-10", "makeup_workday", [(510, 1050)]),
        ([ROUND_THE_CLOCK], "2026-12-05", None, [(0, 1440)]),
        ([CHUNHUILI_DAILY, SPRING_FESTIVAL_CLOSURE, LANTERN_MORNING], "2027-02-06", None, []),
        (
            [CHUNHUILI_DAILY, SPRING_FESTIVAL_CLOSURE, LANTERN_MORNING],
            "2027-02-20",
            None,
            [(540, 720)],
        ),
    ],
)
def test_open_intervals_agree_with_opening_status_at_every_minute(rows, day, day_kind, expected):
    from catalog.opening import open_intervals

    day_calendar = calendar(f"{day} 00:00", day_kind)
    intervals = open_intervals(rows, date.fromisoformat(day), day_calendar)
    assert intervals == expected
    for minute in range(0, 1440):
        moment = at(day) + timedelta(minutes=minute)
        inside = any(start <= minute < end for start, end in intervals)
        assert is_open_at(rows, moment, day_calendar) is inside, f"{day} minute {minute}"
