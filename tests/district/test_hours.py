"""Opening hours read the way a notice board writes them, and "open now" is right."""

from datetime import datetime, time
from types import SimpleNamespace

from district.hours import HoursLine, is_open_at, summarize


def row(weekday, opens, closes):
    return SimpleNamespace(
        weekday=weekday, opens_at=time.fromisoformat(opens), closes_at=time.fromisoformat(closes)
    )


WEEKDAYS_WITH_LUNCH_BREAK = [row(d, "08:30", "12:00") for d in range(5)] + [
    row(d, "13:00", "17:30") for d in range(5)
]


def test_workdays_with_a_lunch_break_and_a_saturday_morning():
    rows = [*WEEKDAYS_WITH_LUNCH_BREAK, row(5, "09:00", "12:00")]
    assert summarize(rows) == [
        HoursLine("周一至周五", "08:30–12:00，13:00–17:30"),
        HoursLine("周六", "09:00–12:00"),
    ]


def test_every_day_and_a_weekend_pair():
    assert summarize([row(d, "08:00", "20:00") for d in range(7)]) == [
        HoursLine("每天", "08:00–20:00")
    ]
    rows = [row(d, "08:30", "17:30") for d in range(5)] + [
        row(5, "09:00", "16:00"),
        row(6, "09:00", "16:00"),
    ]
    assert summarize(rows)[1] == HoursLine("周六、周日", "09:00–16:00")


def test_a_closed_day_splits_the_runs():
    rows = [row(0, "09:00", "17:00"), row(1, "09:00", "17:00"), row(3, "09:00", "17:00")]
    assert summarize(rows) == [
        HoursLine("周一、周二", "09:00–17:00"),
        HoursLine("周四", "09:00–17:00"),
    ]


def test_no_rows_give_no_lines():
    assert summarize([]) == []


def test_open_now_respects_the_lunch_break_and_closing_time():
    monday = datetime(2026, 11, 23)
    assert is_open_at(WEEKDAYS_WITH_LUNCH_BREAK, monday.replace(hour=8, minute=30))
    assert not is_open_at(WEEKDAYS_WITH_LUNCH_BREAK, monday.replace(hour=12, minute=30))
    assert not is_open_at(WEEKDAYS_WITH_LUNCH_BREAK, monday.replace(hour=17, minute=30))
    assert not is_open_at(WEEKDAYS_WITH_LUNCH_BREAK, datetime(2026, 11, 22, 10))  # a Sunday
