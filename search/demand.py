"""The demand list (需求清单): what residents searched for and did not find.

From the query log, per center and query over a period: how often it was searched, how
often nothing was found, how often a result was opened. A line is listed when the query
found nothing at least once, or when it found something but residents opened a result
for fewer than one search in five (over at least three searches). Editors mark a line
handled (a service or a synonym was added…); it stays hidden until residents search for
the query again.

:func:`demand_queryset` aggregates in the database (one query whatever the log's size),
:func:`dress` adds the handling records (one more), :func:`demand_lines` does both.
:class:`DemandScope` says whose queries a user may see and mark: every center for the
district's editors, their own centers (by page permission) for a center's editors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from district.permissions import editable_center_ids, is_district_editor
from search.models import HandledDemand, QueryLog

#: The periods an editor may choose, in days, and the one shown first.
PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 90
#: Listed when results were opened for fewer than 1 in LOW_CLICK_DIVISOR searches…
LOW_CLICK_DIVISOR = 5  # a click rate below 20%
#: …over at least this many searches that found something.
MIN_SEARCHES_FOR_CLICK_RATE = 3

#: The center filter's value for searches made outside any center's search page.
DISTRICT_WIDE = "-"
DISTRICT_WIDE_LABEL = "全区（未指定中心）"
#: The Django permission that makes someone a catalog editor (the demand list's readers).
EDITOR_PERMISSION = "catalog.change_service"


@dataclass
class DemandLine:
    center_code: str
    query: str
    searches: int
    zero_results: int
    with_results: int
    clicks: int
    last_searched: datetime
    searches_since_handled: int = 0
    #: Searches whose slip was corrected (老年正 → 老年证), and the latest reading shown.
    corrected: int = 0
    corrected_to: str = ""
    handled: HandledDemand | None = None
    center_label: str = ""

    @property
    def click_rate(self) -> float | None:
        """Clicks per search that found something (None when nothing was ever found)."""
        if not self.with_results:
            return None
        return self.clicks / self.with_results

    @property
    def click_rate_percent(self) -> int | None:
        rate = self.click_rate
        return None if rate is None else round(rate * 100)

    @property
    def searched_again(self) -> bool:
        """Handled once, and searched for again since (so it is back on the list)."""
        return self.handled is not None and self.searches_since_handled > 0

    @property
    def is_handled(self) -> bool:
        return self.handled is not None and not self.searched_again


def period_start(days: int, *, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=days)


def demand_queryset(
    *,
    since: datetime,
    center_codes: list[str] | None = None,
    show_handled: bool = False,
):
    """One row (a dict) per listed (center_code, query), most searched first.

    ``center_codes`` limits the centers (``""`` is the searches made outside any
    center); None means every center. Handled lines not searched for since they were
    handled are left out unless ``show_handled``.
    """
    logs = QueryLog.objects.filter(searched_at__gte=since)
    if center_codes is not None:
        logs = logs.filter(center_code__in=center_codes)
    handling = HandledDemand.objects.filter(
        center_code=OuterRef("center_code"), query=OuterRef("query")
    )
    handled_at = Subquery(handling.values("handled_at")[:1])
    found = Q(result_count__gt=0)
    rows = (
        logs.values("center_code", "query")
        .annotate(
            searches=Count("pk"),
            zero_results=Count("pk", filter=Q(result_count=0)),
            with_results=Count("pk", filter=found),
            clicks=Coalesce(Sum("click_count", filter=found), Value(0)),
            last_searched=Max("searched_at"),
            searches_since_handled=Count("pk", filter=Q(searched_at__gt=handled_at)),
            corrected=Count("pk", filter=~Q(corrected_query="")),
            corrected_to=Max("corrected_query"),
        )
        .filter(
            Q(zero_results__gte=1)
            | Q(
                with_results__gte=MIN_SEARCHES_FOR_CLICK_RATE,
                with_results__gt=F("clicks") * LOW_CLICK_DIVISOR,
            )
        )
    )
    if not show_handled:
        rows = rows.alias(handled=Exists(handling)).filter(
            Q(handled=False) | Q(searches_since_handled__gt=0)
        )
    return rows.order_by("-searches", "-last_searched", "query", "center_code")


def dress(rows, scope: DemandScope | None = None) -> list[DemandLine]:
    """The rows of :func:`demand_queryset` as lines, with their handling records (one
    query) and center names."""
    lines = [
        DemandLine(
            center_code=row["center_code"],
            query=row["query"],
            searches=row["searches"],
            zero_results=row["zero_results"],
            with_results=row["with_results"],
            clicks=row["clicks"],
            last_searched=row["last_searched"],
            searches_since_handled=row["searches_since_handled"],
            corrected=row["corrected"],
            corrected_to=row["corrected_to"] or "",
        )
        for row in rows
    ]
    if lines:
        wanted = {(line.center_code, line.query) for line in lines}
        records = HandledDemand.objects.filter(
            query__in={query for _, query in wanted},
            center_code__in={code for code, _ in wanted},
        ).select_related("handled_by")
        by_key = {(record.center_code, record.query): record for record in records}
        for line in lines:
            line.handled = by_key.get((line.center_code, line.query))
            line.center_label = scope.label(line.center_code) if scope else line.center_code
    return lines


def demand_lines(
    *,
    days: int = DEFAULT_PERIOD,
    center_codes: list[str] | None = None,
    show_handled: bool = False,
    limit: int | None = None,
    now: datetime | None = None,
    scope: DemandScope | None = None,
) -> list[DemandLine]:
    """The demand list as lines (two queries, however many lines and log rows)."""
    rows = demand_queryset(
        since=period_start(days, now=now), center_codes=center_codes, show_handled=show_handled
    )
    return dress(rows[:limit] if limit else rows, scope)


# -- who sees which centers -----------------------------------------------------------------


def is_catalog_editor(user) -> bool:
    """Keeps (part of) the catalog: the people the search admin is for."""
    return user.is_active and (user.is_superuser or user.has_perm(EDITOR_PERMISSION))


@dataclass(frozen=True)
class CenterChoice:
    code: str
    label: str


class DemandScope:
    """The centers whose queries ``user`` may see and mark: all of them (and the searches
    made outside any center) for the district's editors; for a center's (or a street's)
    editors, the centers they may edit (district.permissions, by page permission)."""

    def __init__(self, user):
        from district.models import CenterPage

        self.user = user
        self.everywhere = is_catalog_editor(user) and is_district_editor(user)
        centers = CenterPage.objects.order_by("code")
        if not self.everywhere:
            if not is_catalog_editor(user):
                centers = centers.none()
            else:
                centers = centers.filter(id__in=editable_center_ids(user))
        self.centers: list[CenterChoice] = []
        self.codes: set[str] = set()
        for page_code, title, location_code in centers.values_list(
            "code", "title", "location__external_identifier"
        ):
            # The log holds the location's code (HSDS external_identifier), which is
            # the center's own code unless someone relinked them by hand.
            code = location_code or page_code
            self.centers.append(CenterChoice(code, title))
            self.codes |= {code, page_code}
        self._labels = {choice.code: choice.label for choice in self.centers}

    @property
    def may_view(self) -> bool:
        return self.everywhere or bool(self.codes)

    def allows(self, center_code: str) -> bool:
        """May see and mark the queries logged with this center code."""
        return self.everywhere or (bool(center_code) and center_code in self.codes)

    def choices(self) -> list[CenterChoice]:
        everything = CenterChoice("", "全部中心" if self.everywhere else "我负责的全部中心")
        extra = [CenterChoice(DISTRICT_WIDE, DISTRICT_WIDE_LABEL)] if self.everywhere else []
        return [everything, *extra, *self.centers]

    def center_codes(self, selected: str) -> list[str] | None:
        """The codes to list for the filter's value (None: all). Raises PermissionError
        for a center out of reach."""
        if not selected:
            return None if self.everywhere else sorted(self.codes)
        if selected == DISTRICT_WIDE:
            if not self.everywhere:
                raise PermissionError(selected)
            return [""]
        if not self.allows(selected):
            raise PermissionError(selected)
        return [selected]

    def label(self, center_code: str) -> str:
        if not center_code:
            return DISTRICT_WIDE_LABEL
        return self._labels.get(center_code, center_code)
