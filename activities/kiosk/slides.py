"""The kiosk's notice and honor-board slides and its urgent strip, as parts of the data
document (``activities.kiosk.data.kiosk_data`` puts them together).

Notices are those residents see listed under the center (``NoticePage.objects
.listed_under``), the urgent ones first, including a street's (``urgent_notices``). The
honor board is the center's own (a HonorBoardPage child of the center): its current
entries as ``honors.display`` shows them everywhere, names masked and photos left out
unless the person consented. Each part is a fixed number of queries whatever the number
of notices or entries.
"""

from __future__ import annotations

from honors.display import (
    PHOTO_SPEC,
    current_entries,
    shown_citation,
    shown_name,
    shows_photo,
)
from honors.rankings import ranking

# A slide's worth of notices, urgent ones first.
NOTICES_SHOWN = 5
# Entries of one board the screen pages through at most (a board rarely holds more).
HONORS_SHOWN = 24
# Citations are cut to what a card holds at lobby distance.
CITATION_CHARS = 60
# The boards' own rendition of a photo (3:4), prefetched with the entries.
PHOTO_FILTER = PHOTO_SPEC
# Urgent notices named in the strip at most.
URGENT_SHOWN = 3
# This month's points ranking on the honor-board slide: the first three ranks (everyone
# tied at the third kept, as the ranking page does), at most this many rows.
RANKING_TOP = 3
RANKING_ROWS = 5


# -- notices ---------------------------------------------------------------------------


def notice_item(notice, request) -> dict:
    category = notice.category
    relative = notice.get_url(request)
    return {
        "id": notice.pk,
        "title": notice.title,
        "date": notice.date.isoformat(),
        "category": category.name if category else "",
        "is_urgent": bool(category and category.is_urgent),
        "summary": notice.summary,
        "url": request.build_absolute_uri(relative) if relative else None,
        "qr": None,
    }


def urgent_in_force(center, day) -> list:
    """The urgent notices (停水停电 …) in force at the center on ``day``: its own and its
    street's, pinned first, then newest (one query)."""
    from district.models import urgent_notices

    return urgent_notices(center, day)


def notice_slide(center, day, request, urgent: list) -> tuple[str | None, list[dict]]:
    """(URL of the center's notice list, its latest notices on ``day``): the ``urgent``
    ones in force there first, then those residents see listed under the center (pinned
    first, then newest), at most ``NOTICES_SHOWN``."""
    from district.models import NoticeIndexPage, NoticePage

    listed = list(NoticePage.objects.listed_under(center, day)[:NOTICES_SHOWN])
    urgent_ids = {notice.pk for notice in urgent}
    chosen = [*urgent, *(notice for notice in listed if notice.pk not in urgent_ids)]
    index = NoticeIndexPage.objects.live().public().child_of(center).first()
    page = index.get_url(request) if index else None
    return page, [notice_item(notice, request) for notice in chosen[:NOTICES_SHOWN]]


def urgent_strip(urgent: list) -> list[dict]:
    """The ``urgent`` notices as the red strip the screen keeps over every slide names
    them."""
    return [
        {
            "id": notice.pk,
            "title": notice.title,
            "category": notice.category.name if notice.category else "",
            "summary": notice.summary,
        }
        for notice in urgent[:URGENT_SHOWN]
    ]


# -- the honor board -------------------------------------------------------------------


def cut(text: str, limit: int = CITATION_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def honor_item(entry, request) -> dict:
    """An entry as the screen shows it, by the honor boards' one privacy rule
    (``honors.display``): the name masked and no photo without consent."""
    photo = None
    if shows_photo(entry):
        photo = request.build_absolute_uri(entry.photo.get_rendition(PHOTO_SPEC).url)
    return {
        "id": entry.pk,
        "name": shown_name(entry),
        "recipient_kind": entry.recipient_kind,
        "award": entry.award.name,
        "period_start": entry.period_start.isoformat(),
        "period_end": entry.period_end.isoformat(),
        "citation": cut(shown_citation(entry)),
        "photo": photo,
    }


def honor_slide(center, day, request) -> tuple[str | None, list[dict], dict | None]:
    """(URL of the center's honor board, its current entries on ``day`` by award then as
    the editors ordered them, this month's points ranking); no board, nothing."""
    from honors.models import HonorBoardPage

    board = HonorBoardPage.objects.live().public().child_of(center).first()
    if board is None:
        return None, [], None
    entries = current_entries(board, day)[:HONORS_SHOWN]
    items = [honor_item(entry, request) for entry in entries]
    return board.get_url(request), items, month_ranking(center, day)


def month_ranking(center, day) -> dict | None:
    """The top of the center's points ranking for the month of ``day`` (names as public
    lists show them), or None when nobody has points yet."""
    from disclosures.models.kinds import PeriodKind

    found = ranking(center, PeriodKind.MONTH, day, top=RANKING_TOP)
    if not found.rows:
        return None
    return {
        "period": found.label,
        "rows": [
            {
                "rank": row.rank,
                "name": row.shown_name,
                "points": row.points,
                "stars": row.star_level.stars if row.star_level else None,
            }
            for row in found.rows[:RANKING_ROWS]
        ],
    }
