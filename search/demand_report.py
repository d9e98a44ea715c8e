"""处理情况月报: per center and month, how many demand-list lines editors closed, and how
the share of searches that found nothing moved against the month before.

Two aggregate queries whatever the number of lines or log rows: closed lines
(HandledDemand) and searches (QueryLog) grouped by center and month. A line handled
again later counts in the month of its latest handling (the record is renewed, not
doubled). Months are Beijing-time calendar months (settings.TIME_ZONE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from search.demand import DemandScope
from search.models import HandledDemand, QueryLog

MONTH_CHOICES = (3, 6, 12, 24)
DEFAULT_MONTHS = 12


@dataclass
class MonthRow:
    center_code: str
    center_label: str
    month: date
    closed: int = 0
    closed_keywords: int = 0
    closed_synonyms: int = 0
    searches: int = 0
    zero_results: int = 0
    previous_searches: int = 0
    previous_zero_results: int = 0

    @property
    def zero_rate(self) -> float | None:
        return self.zero_results / self.searches if self.searches else None

    @property
    def previous_zero_rate(self) -> float | None:
        if not self.previous_searches:
            return None
        return self.previous_zero_results / self.previous_searches

    @property
    def change_points(self) -> float | None:
        """The no-result rate's change against the month before, in percentage points
        (negative: fewer searches found nothing)."""
        if self.zero_rate is None or self.previous_zero_rate is None:
            return None
        return round((self.zero_rate - self.previous_zero_rate) * 100, 1)

    @property
    def zero_percent(self) -> float | None:
        return None if self.zero_rate is None else round(self.zero_rate * 100, 1)

    @property
    def previous_zero_percent(self) -> float | None:
        rate = self.previous_zero_rate
        return None if rate is None else round(rate * 100, 1)


def month_start(moment: datetime) -> date:
    local = timezone.localtime(moment)
    return date(local.year, local.month, 1)


def shift_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def beginning(month: date) -> datetime:
    """The first moment of ``month`` in the current time zone."""
    return timezone.make_aware(datetime(month.year, month.month, 1))


def as_month(value) -> date:
    """TruncMonth's value (an aware datetime in the current time zone) as a date."""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return date(value.year, value.month, 1)
    return date(value.year, value.month, 1)


def demand_report(
    *,
    center_codes: list[str] | None = None,
    months: int = DEFAULT_MONTHS,
    scope: DemandScope | None = None,
    now: datetime | None = None,
) -> list[MonthRow]:
    """One row per center and month (latest month first) that had searches or closed
    lines among the last ``months`` months. ``center_codes`` as for
    :func:`search.demand.demand_queryset` (None: every center)."""
    current = month_start(now or timezone.now())
    first = shift_months(current, -(months - 1))
    since, until = beginning(first), beginning(shift_months(current, 1))
    handled = HandledDemand.objects.filter(handled_at__gte=since, handled_at__lt=until)
    # From the month before the first: its rate is what the first month is compared with.
    logs = QueryLog.objects.filter(
        searched_at__gte=beginning(shift_months(first, -1)), searched_at__lt=until
    )
    if center_codes is not None:
        handled = handled.filter(center_code__in=center_codes)
        logs = logs.filter(center_code__in=center_codes)
    closed = (
        handled.annotate(month=TruncMonth("handled_at"))
        .values("center_code", "month")
        .annotate(
            closed=Count("pk"),
            keywords=Count("pk", filter=Q(action=HandledDemand.Action.KEYWORDS)),
            synonyms=Count("pk", filter=Q(action=HandledDemand.Action.SYNONYMS)),
        )
        .order_by()
    )
    searched = (
        logs.annotate(month=TruncMonth("searched_at"))
        .values("center_code", "month")
        .annotate(searches=Count("pk"), zero_results=Count("pk", filter=Q(result_count=0)))
        .order_by()
    )

    rows: dict[tuple[str, date], MonthRow] = {}

    def row(center_code: str, month: date) -> MonthRow:
        key = (center_code, month)
        if key not in rows:
            label = scope.label(center_code) if scope else center_code
            rows[key] = MonthRow(center_code, label, month)
        return rows[key]

    for item in closed:
        line = row(item["center_code"], as_month(item["month"]))
        line.closed = item["closed"]
        line.closed_keywords = item["keywords"]
        line.closed_synonyms = item["synonyms"]
    searches = {(item["center_code"], as_month(item["month"])): item for item in searched}
    for (center_code, month), item in searches.items():
        if month >= first:
            line = row(center_code, month)
            line.searches = item["searches"]
            line.zero_results = item["zero_results"]
    for (center_code, month), line in rows.items():
        before = searches.get((center_code, shift_months(month, -1)))
        if before:
            line.previous_searches = before["searches"]
            line.previous_zero_results = before["zero_results"]
    return sorted(rows.values(), key=lambda line: (-line.month.toordinal(), line.center_code))
