"""The query log behind the demand list: what was searched, never who searched."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from search.models import QueryLog

#: Filters worth keeping with a query (the text, page and sort are not filters).
LOGGED_FILTERS = ("kind", "topic", "audience", "center", "cost", "channel")


def record(result, *, channel: str = "web") -> int:
    """Log one search and return its id (the click links carry it)."""
    query = result.query
    filters = dict(query.filters)
    if query.open_now:
        filters["open_now"] = "1"
    if query.circle is not None:
        filters["minutes"] = str(query.circle.minutes)
        if query.circle.center_code:
            filters["near"] = query.circle.center_code
        # A resident's own position is personal data: only that one was given is kept.
        else:
            filters["near"] = "point"
    searched_at = timezone.now().replace(minute=0, second=0, microsecond=0)
    entry = QueryLog.objects.create(
        query=query.analysed.folded[:100],
        filters=filters,
        center_code=query.filters.get("center", "") or getattr(query.circle, "center_code", ""),
        # Upcoming activities found are results too: such a search is not unmet demand.
        result_count=result.total + (result.activities.total if result.activities else 0),
        channel=channel[:10],
        searched_at=searched_at,
        # What the click learning needs to tell a skipped result from one never seen: the
        # results, then the related services below them, as the page lists them.
        shown=[str(hit.service.pk) for hit in [*result.hits, *result.related]],
        # A corrected slip found results, but what was typed is still kept: the demand
        # list shows both, so an editor can make the slip a synonym.
        corrected_query=result.corrected_query[:100],
    )
    return entry.pk


def record_click(
    log_id: int, service_id=None, *, address: str = "", user_agent: str = "", now=None
) -> None:
    """Count a click for the demand list and, for a result the search showed, record what
    it says of the results (:func:`search.learning.record_click_votes`)."""
    QueryLog.objects.filter(pk=log_id).update(click_count=F("click_count") + 1)
    if service_id is None:
        return
    from search.learning import record_click_votes

    log = QueryLog.objects.filter(pk=log_id).only("query", "shown", "searched_at").first()
    if log is not None:
        record_click_votes(log, service_id, address=address, user_agent=user_agent, now=now)
