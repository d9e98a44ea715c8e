"""Residents' pages of an honor board (光荣榜): whom it honours now, grouped by award, and
its archive by year and award.

What of an entry is shown (a masked name, no photo without consent) is decided once, in
honors.display; the templates get ``ShownEntry`` objects, never the entries themselves.
Each page is a fixed number of queries whatever the number of entries.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils import timezone

from district.models import StreetPage
from honors.display import (
    PHOTO_SPEC,
    archive_years,
    archived_entries,
    by_award,
    current_entries,
    in_year,
    label_centers,
    shown_boards,
    shown_entry,
)
from honors.models import Award

ARCHIVE_PER_PAGE = 24


def _urls(board) -> dict:
    return {
        "archive_url": board.url + board.reverse_subpage("archive"),
        "ranking_url": board.url + board.reverse_subpage("ranking"),
    }


def board_view(board, request):
    """The entries on the board today, award by award (the awards' order)."""
    today = timezone.localdate()
    # Wagtail's preview shows the editor's unsaved entries (masked as they would be).
    preview = getattr(request, "is_preview", False)
    groups = [
        (award, [shown_entry(entry) for entry in entries])
        for award, entries in by_award(current_entries(board, today, draft=preview))
    ]
    owner = board.belongs_to
    context = board.get_context(request)
    context.update(
        board=board,
        owner=owner,
        is_street_board=isinstance(owner, StreetPage),
        today=today,
        groups=groups,
        photo_spec=PHOTO_SPEC,
        **_urls(board),
    )
    return TemplateResponse(request, "honors/board.html", context)


def archive_view(board, request, year=None):
    """Entries whose period has ended: all, or those on the board in ``year``; of one
    award with ?award=<id>; 24 a page, newest first."""
    today = timezone.localdate()
    listed = archived_entries(board, today)
    awards = list(Award.objects.filter(pk__in=listed.values("award")))
    award = next((a for a in awards if str(a.pk) == request.GET.get("award", "")), None)
    if award is not None:
        listed = listed.filter(award=award)
    years = archive_years(listed)
    if year is not None:
        listed = in_year(listed, year)
    page_of = Paginator(listed, ARCHIVE_PER_PAGE).get_page(request.GET.get("page"))
    boards = shown_boards(board)
    page_of.object_list = [
        shown_entry(entry) for entry in label_centers(page_of.object_list, boards)
    ]
    context = board.get_context(request)
    context.update(
        board=board,
        owner=board.belongs_to,
        year=year,
        award=award,
        awards=awards,
        years=[
            (y, board.url + board.reverse_subpage("archive_year", kwargs={"year": y}))
            for y in years
        ],
        here=request.path,
        entries=page_of,
        photo_spec=PHOTO_SPEC,
        **_urls(board),
    )
    return TemplateResponse(request, "honors/archive.html", context)
