"""The points ranking of a board's center or street (积分榜, the board's "jifen/" route).

``?period=month|quarter|year`` (month by default) picks the tab and ``&date=YYYY-MM-DD``
an earlier period (the one containing that day); the page links to the previous and, up
to the current one, the next period. The rows come from honors.rankings.ranking.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from disclosures.models.kinds import Period, PeriodKind
from honors.rankings import RANKING_PERIODS, ranking

TAB_LABELS = {PeriodKind.MONTH: "月榜", PeriodKind.QUARTER: "季榜", PeriodKind.YEAR: "年榜"}


def asked_day(text: str | None, today: date) -> date:
    """The day asked for in ``?date=``, else (and never after) today."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return today
    return min(day, today)


def period_url(base: str, kind: str, day: date | None = None) -> str:
    query = {"period": kind}
    if day is not None:
        query["date"] = day.isoformat()
    return f"{base}?{urlencode(query)}"


def ranking_view(board, request):
    today = timezone.localdate()
    kind = request.GET.get("period")
    kind = kind if kind in RANKING_PERIODS else PeriodKind.MONTH
    day = asked_day(request.GET.get("date"), today)
    scope = board.belongs_to
    found = ranking(scope, kind, day, top=board.ranking_size)
    here = board.url + board.reverse_subpage("ranking")
    current = Period.containing(kind, today)
    previous = Period.containing(kind, found.period.starts_on - timedelta(days=1))
    following = found.period.following()
    context = board.get_context(request)
    context.update(
        board=board,
        scope=scope,
        ranking=found,
        period_kind=kind,
        tabs=[
            {"kind": k, "label": TAB_LABELS[k], "url": period_url(here, k), "current": k == kind}
            for k in RANKING_PERIODS
        ],
        is_current=found.period == current,
        previous_url=period_url(here, kind, previous.starts_on),
        previous_label=previous.label,
        next_url=period_url(here, kind, following.starts_on) if following <= current else "",
        next_label=following.label,
        current_url=period_url(here, kind),
        lookup_url=reverse("honors:lookup"),
    )
    return TemplateResponse(request, "honors/ranking.html", context)
