"""The official schedule of public holidays and make-up workdays, by year.

Source for 2026: 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电, 2025-11-04,
published by Xinhua). For 2027 only 元旦 on 1 January, the one day fixed by law
(全国年节及纪念日放假办法, as amended 2024: 元旦放假1天); the rest of 2027, bridging days and
make-up workdays included, is entered by editors in the admin once the State Council
publishes it. Used by the data migration and by ``load_demo`` (a flushed database has lost
the migration's rows).
"""

from datetime import date, timedelta

HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


# (name, first day off, last day off, make-up workdays)
SCHEDULE_2026 = [
    ("元旦", date(2026, 1, 1), date(2026, 1, 3), [date(2026, 1, 4)]),
    ("春节", date(2026, 2, 15), date(2026, 2, 23), [date(2026, 2, 14), date(2026, 2, 28)]),
    ("清明节", date(2026, 4, 4), date(2026, 4, 6), []),
    ("劳动节", date(2026, 5, 1), date(2026, 5, 5), [date(2026, 5, 9)]),
    ("端午节", date(2026, 6, 19), date(2026, 6, 21), []),
    ("中秋节", date(2026, 9, 25), date(2026, 9, 27), []),
    ("国庆节", date(2026, 10, 1), date(2026, 10, 7), [date(2026, 9, 20), date(2026, 10, 10)]),
]

# The statutory day only (see above): the demo's programme reaches into January 2027.
SCHEDULE_2027 = [
    ("元旦", date(2027, 1, 1), date(2027, 1, 1), []),
]
SCHEDULE = SCHEDULE_2026 + SCHEDULE_2027


def official_days(schedule=SCHEDULE) -> list[tuple[date, str, str]]:
    """``(date, name, kind)`` for every day of ``schedule``."""
    days = []
    for name, first, last, makeup_days in schedule:
        days += [(day, name, HOLIDAY) for day in _days(first, last)]
        days += [(day, f"{name}调休", MAKEUP_WORKDAY) for day in makeup_days]
    return sorted(days)


def seed_public_holidays(holiday_model, schedule=SCHEDULE) -> int:
    """Create the official days that are missing; an editor's changes are kept."""
    created = 0
    for day, name, kind in official_days(schedule):
        _, new = holiday_model.objects.get_or_create(
            date=day, defaults={"name": name, "kind": kind}
        )
        created += new
    return created
