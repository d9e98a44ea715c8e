"""Opening hours: readable summaries and "open now", from weekday/opens/closes rows."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

WEEKDAY_NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


@dataclass(frozen=True)
class HoursLine:
    days: str
    periods: str


def _day_range_label(days: list[int]) -> str:
    if len(days) == 7:
        return "每天"
    if len(days) == 1:
        return WEEKDAY_NAMES[days[0]]
    if len(days) == 2:
        return "、".join(WEEKDAY_NAMES[d] for d in days)
    return f"{WEEKDAY_NAMES[days[0]]}至{WEEKDAY_NAMES[days[-1]]}"


def summarize(rows: Iterable) -> list[HoursLine]:
    """Group consecutive weekdays that share the same periods: 周一至周五 08:30–17:30."""
    periods_by_day: dict[int, list[tuple[time, time]]] = {d: [] for d in range(7)}
    for row in rows:
        periods_by_day[row.weekday].append((row.opens_at, row.closes_at))
    lines: list[HoursLine] = []
    run: list[int] = []
    run_periods: tuple = ()
    for day in range(8):
        periods = tuple(sorted(periods_by_day.get(day, []))) if day < 7 else ()
        if run and periods == run_periods and day < 7:
            run.append(day)
            continue
        if run and run_periods:
            text = "，".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in run_periods)
            lines.append(HoursLine(_day_range_label(run), text))
        run, run_periods = [day], periods
    return lines


def is_open_at(rows: Iterable, moment: datetime) -> bool:
    """Whether any row covers ``moment`` (a local, aware or naive, datetime)."""
    weekday, now = moment.weekday(), moment.time()
    return any(r.weekday == weekday and r.opens_at <= now < r.closes_at for r in rows)
