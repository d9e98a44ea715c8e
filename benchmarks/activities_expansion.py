#!/usr/bin/env python3
"""Time a month of a center's sessions expanded through ``activities.recurrence`` against
two naive ways of doing it with dateutil.

    .venv/bin/python benchmarks/activities_expansion.py                 # 100 rules, 50 exceptions
    .venv/bin/python benchmarks/activities_expansion.py --activities 300 --rounds 3

A center with ``--activities`` recurring activities (weekly on one to three days, every
other week, monthly on the 2nd Saturday or last Friday, or every day; started over the
past two years; a third with an end date, half skipping public holidays) and
``--exceptions`` exceptions (cancelled or moved sessions) in the month, built in memory
with a fixed seed (no database: ``plan_occurrences`` is pure). The holiday calendar is
the seeded one (``catalog.holiday_seed``). Three ways give the month's sessions:

- **recurrence**: ``activities.recurrence.plan_occurrences`` for each activity with the
  month as its ``window`` (the rule is iterated only up to the month's end; saving an
  activity plans it the same way over its whole stored span);
- **expand + filter** (baseline): dateutil's rrule from the first date to the month's
  end, filtered to the month, holidays and exceptions applied by looking them up in lists;
- **per day** (baseline): for each day of the month, each rule expanded again from its
  first date (``rrule.between``), as a page asking "what is on today?" day by day would.

It checks that the three give the same sessions, then prints each way's median time over
``--rounds`` rounds and its ratio to ``recurrence`` measured in the same run. Pages do
none of this per request: they read the stored occurrences (see
``benchmarks/activities_programme.py``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 12, 6)
MONTH = (date(2026, 12, 1), date(2026, 12, 31))
DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiamenkou.settings.test")
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()


class Exception_:
    """An exception as ``plan_occurrences`` reads it (the model's attributes)."""

    def __init__(self, occurrence_date, action, reason, new_date=None):
        self.occurrence_date = occurrence_date
        self.action = action
        self.reason = reason
        self.new_date = new_date
        self.new_start_time = self.new_end_time = None
        self.new_room_id = None


def build_center(activities: int, exceptions: int, seed: int):
    """Unsaved activities with their rules, and exceptions on sessions of the month."""
    from activities.models import Activity
    from activities.recurrence import rule_dates

    rng = random.Random(seed)
    built = []
    for number in range(activities):
        shape = rng.choice(["weekly", "weekly", "weekly", "biweekly", "monthly", "daily"])
        days = rng.sample(DAY_CODES[:6], rng.randint(1, 3))
        fields = {"freq": "WEEKLY", "byday": ",".join(sorted(days, key=DAY_CODES.index))}
        if shape == "biweekly":
            fields.update(interval=2, byday=days[0])
        elif shape == "monthly":
            fields.update(freq="MONTHLY", byday=rng.choice(["2SA", "-1FR", "1WE"]))
        elif shape == "daily":
            fields.update(freq="DAILY", byday="")
        hour = rng.randint(8, 17)
        dtstart = TODAY - timedelta(days=rng.randint(30, 730))
        activity = Activity(
            pk=number + 1,
            title=f"活动{number + 1}",
            dtstart=dtstart,
            start_time=time(hour, 0),
            end_time=time(hour + 1, 0),
            until=MONTH[1] + timedelta(days=rng.randint(0, 90)) if number % 3 == 0 else None,
            skip_holidays=number % 2 == 0,
            **fields,
        )
        built.append([activity, []])
    # Exceptions on the month's sessions the rules give (holidays aside: skipped anyway).
    candidates = [
        (entry, day)
        for entry in built
        for day in rule_dates(entry[0], MONTH[1])
        if MONTH[0] <= day <= MONTH[1] and day not in (date(2026, 12, 31),)
    ]
    for number, (entry, day) in enumerate(rng.sample(candidates, exceptions)):
        if any(e.occurrence_date == day for e in entry[1]):
            continue
        if number % 3 == 2:
            entry[1].append(Exception_(day, "move", "场地调整", new_date=day + timedelta(days=1)))
        else:
            entry[1].append(Exception_(day, "cancel", "暂停一次"))
    return [(activity, exceptions_) for activity, exceptions_ in built]


def in_month(moment: datetime) -> bool:
    from catalog.opening import LOCAL_TZ

    return MONTH[0] <= moment.astimezone(LOCAL_TZ).date() <= MONTH[1]


def by_recurrence(center, calendar) -> set:
    from activities.recurrence import plan_occurrences

    sessions = set()
    for activity, exceptions in center:
        plan = plan_occurrences(
            activity, calendar, today=TODAY, exceptions=exceptions, window=MONTH
        )
        sessions.update(
            (activity.pk, o.recurrence_id, o.starts_at, o.status)
            for o in plan.occurrences
            if in_month(o.starts_at)
        )
    return sessions


def naive_rule(activity, last: date):
    from dateutil.rrule import rrule

    from activities.recurrence import FREQUENCIES
    from catalog.opening import parse_byday

    return rrule(
        FREQUENCIES[activity.freq],
        dtstart=datetime.combine(activity.dtstart, time.min),
        interval=activity.interval or 1,
        wkst=0,
        byweekday=parse_byday(activity.byday) or None,
        until=datetime.combine(min(last, activity.until or last), time.max),
    )


def naive_session(activity, day: date, holidays: list, exceptions: list):
    """The session of ``day`` (None when a holiday takes it), exceptions found by a scan."""
    from catalog.opening import LOCAL_TZ

    if activity.skip_holidays and day in holidays:
        return None
    start = datetime.combine(day, activity.start_time, tzinfo=LOCAL_TZ)
    for exception in exceptions:
        if exception.occurrence_date == day:
            if exception.action == "cancel":
                return (activity.pk, start, start, "cancelled")
            moved = exception.new_date or day
            starts_at = datetime.combine(moved, activity.start_time, tzinfo=LOCAL_TZ)
            return (activity.pk, start, starts_at, "moved")
    return (activity.pk, start, start, "scheduled")


def by_expand_and_filter(center, holidays: list) -> set:
    sessions = set()
    for activity, exceptions in center:
        for moment in naive_rule(activity, MONTH[1] + timedelta(days=1)):
            day = moment.date()
            if day < MONTH[0] - timedelta(days=1):
                continue
            session = naive_session(activity, day, holidays, exceptions)
            if session is not None and in_month(session[2]):
                sessions.add(session)
    return sessions


def by_day(center, holidays: list) -> set:
    sessions = set()
    rules = [(activity, exceptions, naive_rule(activity, MONTH[1] + timedelta(days=1)))
             for activity, exceptions in center]  # fmt: skip
    day = MONTH[0] - timedelta(days=1)  # a session moved into the month from the day before
    while day <= MONTH[1]:
        first, last = datetime.combine(day, time.min), datetime.combine(day, time.max)
        for activity, exceptions, rule in rules:
            for moment in rule.between(first, last, inc=True):
                session = naive_session(activity, moment.date(), holidays, exceptions)
                if session is not None and in_month(session[2]):
                    sessions.add(session)
        day += timedelta(days=1)
    return sessions


def timed(function, *args, rounds: int) -> tuple[float, set]:
    times, result = [], None
    for _ in range(rounds):
        started = clock.perf_counter()
        result = function(*args)
        times.append(clock.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=100)
    parser.add_argument("--exceptions", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    django_setup()
    from catalog.holiday_seed import HOLIDAY, official_days
    from catalog.opening import DayCalendar

    days = official_days()
    calendar = DayCalendar({day: (kind, name) for day, name, kind in days})
    holidays = [day for day, _name, kind in days if kind == HOLIDAY]  # a list, scanned
    center = build_center(options.activities, options.exceptions, options.seed)
    exceptions = sum(len(e) for _a, e in center)

    ours_s, ours = timed(by_recurrence, center, calendar, rounds=options.rounds)
    filter_s, filtered = timed(by_expand_and_filter, center, holidays, rounds=options.rounds)
    day_s, daily = timed(by_day, center, holidays, rounds=options.rounds)
    same = ours == filtered == daily
    print(
        f"{options.activities} recurring activities, {exceptions} exceptions, "
        f"{MONTH[0]:%Y-%m}: {len(ours)} sessions; the three ways agree: {'yes' if same else 'NO'}"
    )
    print()
    print("| way | median ms | × recurrence |")
    print("|---|---:|---:|")
    for name, seconds in [
        ("recurrence (`plan_occurrences`)", ours_s),
        ("baseline: expand from start + filter", filter_s),
        ("baseline: expand again per day", day_s),
    ]:
        print(f"| {name} | {seconds * 1000:.1f} | {seconds / ours_s:.2f} |")
    if not same:
        sys.exit("the ways disagree")


if __name__ == "__main__":
    main()
