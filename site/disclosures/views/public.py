"""Residents' pages of the disclosure boards (公开栏): the board, its archive, a disclosure,
its earlier published versions and its print views (A4 sheet, A3 poster) for the physical
board.

Each listing is a fixed number of queries whatever the number of disclosures: the centers
that posted them are read in one query (``with_centers``), never one per disclosure.

The facts other modules own are read through their functions: the finance table
(disclosures.finance.finance_summary), the committee's approval
(disclosures.review.approval_record), the published versions (disclosures.versions) and
when the next posting is due (disclosures.cadence.next_due).
"""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from activities.kiosk.qr import qr_svg
from disclosures import cadence, finance, review, versions
from disclosures.models import DisclosureKind

#: How many ended disclosures the board lists before pointing to the archive.
RECENTLY_ENDED = 10
ARCHIVE_PER_PAGE = 20
PAPERS = {"A4": "A4", "A3": "A3"}


# -- what every page shows of a disclosure ----------------------------------------------
def posting_status(page, today: date) -> tuple[str, str]:
    """(key, label) of a disclosure's posting window on ``today``: 公示中, 已结束 or
    未开始 (published ahead of its window)."""
    if today < page.posting_from:
        return "upcoming", "未开始"
    if today > page.posting_until:
        return "ended", "已结束"
    return "posting", "公示中"


def with_centers(pages, today: date | None = None) -> list:
    """``pages`` as a list, each knowing its center (``page.center``, one query for all)
    and its status on ``today`` (``status``, ``status_label``)."""
    from district.models import CenterPage

    pages = list(pages)
    today = today or timezone.localdate()
    if not pages:
        return pages
    cut = 2 * pages[0].steplen
    centers = {
        c.path: c for c in CenterPage.objects.filter(path__in={p.path[:-cut] for p in pages})
    }
    for page in pages:
        page.__dict__["center"] = centers.get(page.path[:-cut])  # primes the cached_property
        page.status, page.status_label = posting_status(page, today)
    return pages


def newest_first(queryset):
    return queryset.order_by("-posting_from", "-first_published_at", "-pk")


def feed_url(board) -> str:
    return reverse("disclosures:board_feed", args=[board.pk])


# -- what other modules know ------------------------------------------------------------
def finance_summary(page):
    """The finance table's rows and totals, for a finance disclosure only."""
    if page.kind != DisclosureKind.FINANCE:
        return None
    return finance.finance_summary(page)


def approval(page) -> dict | None:
    """{"names": "张三、李四", "on": date} of the committee's approval of the live
    revision, or None (published before the workflow, or by an administrator)."""
    decisions = review.approval_record(page)
    if not decisions:
        return None
    return {
        "names": "、".join(decision.member_name for decision in decisions),
        "on": timezone.localtime(max(decision.decided_at for decision in decisions)).date(),
    }


def next_due(board, today: date) -> dict | None:
    """{"label": "2026年12月 财务公开", "due_on": date, "overdue": bool} of the next posting
    the board owes, or None (a street's board owes nothing itself)."""
    obligation = cadence.next_due(board, today)
    if obligation is None:
        return None
    return {
        "label": obligation.label,
        "due_on": obligation.due_on,
        "overdue": obligation.is_overdue,
    }


# -- the board ---------------------------------------------------------------------------
def board_view(board, request):
    """The latest of each type first, then what is being posted now, then what has ended
    lately (the rest is in the archive)."""
    today = timezone.localdate()
    disclosures = board.disclosures()
    latest = [newest_first(disclosures.filter(kind=kind)).first() for kind in DisclosureKind]
    posting = newest_first(disclosures.filter(posting_from__lte=today, posting_until__gte=today))
    ended = newest_first(disclosures.filter(posting_until__lt=today))[:RECENTLY_ENDED]
    latest_pages, posting, ended = _split(
        with_centers([*filter(None, latest), *posting, *ended], today),
        len([page for page in latest if page]),
        len(posting),
    )
    latest_by_kind = {page.kind: page for page in latest_pages}
    context = board.get_context(request)
    context.update(
        board=board,
        today=today,
        latest=[(kind, latest_by_kind.get(kind.value)) for kind in DisclosureKind],
        posting=posting,
        ended=ended,
        next_due=next_due(board, today),
        feed_url=feed_url(board),
        archive_url=board.url + board.reverse_subpage("archive"),
    )
    return TemplateResponse(request, "disclosures/board.html", context)


def _split(pages, *sizes):
    parts, start = [], 0
    for size in sizes:
        parts.append(pages[start : start + size])
        start += size
    parts.append(pages[start:])
    return parts


def archive_view(board, request, year=None):
    """Ended disclosures, by year of the period they cover and by type (?type=finance),
    20 a page."""
    today = timezone.localdate()
    ended = board.disclosures().filter(posting_until__lt=today)
    kind = request.GET.get("type", "")
    if kind not in DisclosureKind.values:
        kind = ""
    if kind:
        ended = ended.filter(kind=kind)
    years = list(ended.order_by("-period_year").values_list("period_year", flat=True).distinct())
    if year is not None:
        ended = ended.filter(period_year=year)
    paginator = Paginator(
        newest_first(ended).order_by("-period_year", "-posting_from", "-pk"), ARCHIVE_PER_PAGE
    )
    page_of = paginator.get_page(request.GET.get("page"))
    page_of.object_list = with_centers(page_of.object_list, today)
    archive_url = board.url + board.reverse_subpage("archive")
    context = board.get_context(request)
    context.update(
        board=board,
        year=year,
        kind=kind,
        kind_label=DisclosureKind(kind).label if kind else "",
        kinds=list(DisclosureKind),
        years=[
            (y, board.url + board.reverse_subpage("archive_year", kwargs={"year": y}))
            for y in years
        ],
        archive_url=archive_url,
        here=request.path,
        disclosures=page_of,
        feed_url=feed_url(board),
    )
    return TemplateResponse(request, "disclosures/archive.html", context)


# -- a disclosure ------------------------------------------------------------------------
def disclosure_context(page, request, shown=None) -> dict:
    """What the disclosure page and its print views show of ``shown`` (``page`` itself,
    or one of its earlier versions)."""
    shown = shown or page
    today = timezone.localdate()
    board = page.get_parent().specific
    published = versions.versions_of(page)
    status, status_label = posting_status(shown, today)
    context = page.get_context(request)
    context.update(
        page=shown,
        live_page=page,
        board=board,
        center=page.center,
        status=status,
        status_label=status_label,
        finance_summary=finance_summary(shown),
        approval=approval(page),
        versions=published,
        current_version=published[-1] if published else None,
        corrections=[version for version in published if version.correction_note],
        print_a4_url=page.url + page.reverse_subpage("print_a4"),
        print_a3_url=page.url + page.reverse_subpage("print_a3"),
        feed_url=feed_url(board),
    )
    return context


def disclosure_view(page, request):
    context = disclosure_context(page, request)
    for version in context["versions"]:
        version.url = page.url + page.reverse_subpage("version", kwargs={"number": version.number})
    return TemplateResponse(request, "disclosures/disclosure.html", context)


def version_view(page, request, number):
    """The disclosure as it was published in version ``number``, said to be so."""
    version = next((v for v in versions.versions_of(page) if v.number == number), None)
    if version is None:
        raise Http404("这条公开没有这个版本。")
    context = disclosure_context(page, request, shown=versions.version_page(version))
    for each in context["versions"]:
        each.url = page.url + page.reverse_subpage("version", kwargs={"number": each.number})
    context.update(version=version, is_latest=version == context["current_version"])
    return TemplateResponse(request, "disclosures/version.html", context)


def print_view(page, request, paper="A4"):
    """A stand-alone sheet for the physical board: A4, or an A3 poster in larger type,
    with a QR code of the disclosure's page."""
    context = disclosure_context(page, request)
    # The address the sheet was printed from, as the kiosk's codes are (the Site record may
    # name a host that only the server knows).
    url = request.build_absolute_uri(page.get_url(request))
    context.update(
        paper=PAPERS[paper],
        page_url=url,
        qr=mark_safe(qr_svg(url, f"扫码查看“{page.title}”网页")),  # noqa: S308 - our own SVG
        printed_on=timezone.localdate(),
    )
    return TemplateResponse(request, "disclosures/print.html", context)
