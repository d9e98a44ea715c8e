"""Activities (活动) as a result type of the search, beside services.

An activity is indexed with the same analysis as a service (:mod:`search.analysis`: jieba
words, pinyin and initials, traditional → simplified; synonyms at query time) from its
title, kind, the service it delivers (so 义诊 finds the weekly 义诊 activity), description,
organiser, audiences and center. Every activity is indexed; which are *offered* is decided
when a resident searches: only those with a session still to come that is not cancelled
(the database backend asks the occurrences table in the same query; Elasticsearch keeps
each activity's last such session in its document, and the page then reads the next one).
So an activity whose sessions are over, or all cancelled, drops out without reindexing.

Each result shows its next session (date and time, center, room) and links to the
activity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, OuterRef, Q, Subquery
from django.utils.safestring import SafeString

from activities.models import Activity, Occurrence, OccurrenceStatus
from catalog.opening import LOCAL_TZ, WEEKDAY_LABELS
from search.analysis import analyse, pinyin_tokens
from search.documents import Document
from search.query import CatalogQuery, Mode

#: What :func:`activity_document` reads, loaded with the activities (no further queries).
ACTIVITY_RELATED = ("center__location", "kind", "organizer", "service")
ACTIVITY_PREFETCH = ("audiences",)
#: The service facets an activity also has (same values: center codes, audience codes,
#: free or low cost). The other facets (kind, topic, channel) are services' own.
ACTIVITY_FACETS = ("center", "audience", "cost")
#: Activities shown on the results page: the best ones; an activity is a few a center.
ACTIVITY_LIMIT = 10


def upcoming_occurrences(moment: datetime):
    """Sessions still to come (or under way) at ``moment`` that are not cancelled."""
    return Occurrence.objects.filter(ends_at__gt=moment).exclude(status=OccurrenceStatus.CANCELLED)


def indexable_activities():
    """Every activity, with what its document reads and the end of its last session that
    is not cancelled (``last_ends_at``, None without one)."""
    return (
        Activity.objects.select_related(*ACTIVITY_RELATED)
        .prefetch_related(*ACTIVITY_PREFETCH)
        .annotate(
            last_ends_at=Max(
                "occurrences__ends_at",
                filter=~Q(occurrences__status=OccurrenceStatus.CANCELLED),
            )
        )
    )


def center_codes(center) -> list[str]:
    """The codes a center is chosen by in a search: its page's code and, when the catalog
    has it, its location's identifier (what ``center=`` resolves to)."""
    codes = {center.code}
    location = getattr(center, "location", None)
    if location is not None and location.external_identifier:
        codes.add(location.external_identifier)
    return sorted(code for code in codes if code)


def activity_document(activity) -> Document:
    """``activity`` from :func:`indexable_activities`."""
    audiences = list(activity.audiences.all())
    service = activity.service if activity.service_id else None
    # The kind and the delivered service are how residents name an activity besides its
    # title (太极拳 is a 文体康养 activity; the Tuesday clinic delivers 义诊).
    also_called = [activity.kind.name]
    if service is not None:
        also_called += [service.name, service.alternate_name]
    body = [
        activity.description,
        activity.organizer.name if activity.organizer_id else "",
        " ".join(term.name for term in audiences),
        activity.center.title,
    ]
    return Document(
        source="activity",
        key=str(activity.pk),
        title=activity.title,
        name_tokens=analyse(activity.title),
        keyword_tokens=analyse(" ".join(name for name in also_called if name)),
        body_tokens=analyse("\n".join(part for part in body if part)),
        pinyin_tokens=pinyin_tokens([activity.title, *also_called]),
        facets={
            "center": center_codes(activity.center),
            "audience": sorted(term.code for term in audiences),
            "cost": [activity.cost],
        },
        last_ends_at=getattr(activity, "last_ends_at", None),
    )


def activity_filters(query: CatalogQuery, center_code: str = "") -> dict[str, str]:
    """The chosen facets that narrow activities too, with the center a center's own
    search page is scoped to (when the catalog could not resolve it for services)."""
    filters = {
        key: value for key, value in query.filters.items() if key in ACTIVITY_FACETS and value
    }
    if center_code and "center" not in filters:
        filters["center"] = center_code
    return filters


# -- the results ----------------------------------------------------------------------------


@dataclass
class ActivityHit:
    activity: Activity
    occurrence: Occurrence  # the next session, not cancelled
    score: float
    title_html: SafeString
    snippet_html: SafeString
    url: str = ""

    @property
    def when(self) -> str:
        """12月8日（周二）09:00–10:30, or 12月8日（周二）全天."""
        start = self.occurrence.starts_at.astimezone(LOCAL_TZ)
        day = f"{start.month}月{start.day}日（{WEEKDAY_LABELS[start.weekday()]}）"
        if self.occurrence.all_day:
            return f"{day}全天"
        end = self.occurrence.ends_at.astimezone(LOCAL_TZ)
        return f"{day}{start:%H:%M}–{end:%H:%M}"

    @property
    def place(self) -> str:
        """The session's room (a move may change it), else the activity's place note."""
        room = self.occurrence.room
        return room.label if room is not None else self.activity.place_note


@dataclass
class ActivityResults:
    hits: list[ActivityHit]
    total: int
    mode: Mode


def find_activities(
    query: CatalogQuery, modes: list[Mode], *, center_code: str = "", limit: int = ACTIVITY_LIMIT
) -> ActivityResults:
    """The best upcoming activities for ``query``, read in the first of ``modes`` that
    finds any (one backend query a mode tried, two more to show them)."""
    from search.backends import get_search_backend
    from search.catalog import mark, snippet

    empty = ActivityResults(hits=[], total=0, mode=Mode.STRICT)
    if query.analysed.is_empty or not modes:
        return empty
    backend = get_search_backend()
    filters = activity_filters(query, center_code)
    for mode in modes:
        matches, total = backend.search_activities(query, mode, filters, limit)
        if matches:
            break
    else:
        return empty
    terms = query.analysed.highlight_terms()
    hits = []
    for activity, score in shown_activities(matches, query.moment):
        hits.append(
            ActivityHit(
                activity=activity,
                occurrence=activity.next_occurrence,
                score=score,
                title_html=mark(activity.title, terms),
                snippet_html=snippet(activity.description, terms),
            )
        )
    # A match whose last session ended (or was cancelled) since it was indexed is dropped.
    return ActivityResults(hits=hits, total=total - (len(matches) - len(hits)), mode=mode)


def shown_activities(matches: list[tuple[int, float]], moment: datetime):
    """(activity, score) best first, each activity with its ``next_occurrence`` (room and
    center loaded); those without one are left out. Two queries however many."""
    ids = [pk for pk, _ in matches]
    following = (
        upcoming_occurrences(moment)
        .filter(activity=OuterRef("pk"))
        .order_by("starts_at", "pk")
        .values("pk")[:1]
    )
    activities = {
        activity.pk: activity
        for activity in Activity.objects.filter(pk__in=ids)
        .select_related("center", "kind")
        .annotate(next_occurrence_id=Subquery(following))
    }
    occurrences = Occurrence.objects.select_related("room", "center").in_bulk(
        [a.next_occurrence_id for a in activities.values() if a.next_occurrence_id]
    )
    shown = []
    for pk, score in matches:
        activity = activities.get(int(pk))
        if activity is None or activity.next_occurrence_id not in occurrences:
            continue
        activity.next_occurrence = occurrences[activity.next_occurrence_id]
        shown.append((activity, score))
    return shown


def link_activities(hits: list[ActivityHit], request) -> None:
    """Set each hit's ``url``: the activity's page on its center's programme, else the
    center's page. Found for all hits at once (``Activity.get_url`` asks per activity)."""
    try:
        from activities.pages import activity_url, activity_urls
    except ImportError:  # activities without pages of their own yet
        urls = {}
    else:
        urls = activity_urls({hit.activity.center_id for hit in hits}, request)
    for hit in hits:
        url = activity_url(urls, hit.activity) if urls else None
        hit.url = url or hit.activity.center.get_url(request) or ""
