"""Every kind of page a resident can open, and how to find one of each in the database.

The one list that the accessibility sweep (tests/browser/test_accessibility.py) and
``make screenshots`` (scripts/screenshots.py) go through. A Wagtail page model, a route of a
routable page or a named URL of the public site that has no entry here fails
tests/test_public_pages.py, so a new page type joins both when it is added.

Each entry finds a sample of its type in whatever the database holds (the demo district,
usually), picking the center that offers the most services so the samples have content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlencode, urlsplit

from django.db.models import Count
from django.urls import reverse


@dataclass(frozen=True)
class PublicPageType:
    #: Short ASCII name, used in file names and test ids: ``center-services``.
    name: str
    #: What a resident would call it.
    label: str
    #: Returns the path (and query) of one page of this type, or None when there is none.
    find: Callable[[], str | None]
    #: The Wagtail page model it shows (``app_label.ModelName``), if any.
    page_model: str = ""
    #: The route of a routable page model (``RoutablePageMixin``) it shows, if any.
    route: str = ""
    #: The URL name (``namespace:name``) of a Django view it shows, if any.
    url_name: str = ""


#: Named URLs of the public site that are not pages: they redirect, or answer in JSON.
NOT_PAGES = {
    "health": "JSON for load balancers: whether the database, cache and search answer",
    "toggle_elderly_mode": "switches 关怀版 and redirects back",
    "search:click": "records a click on a search result and redirects to the guide",
    "service_search_api": "JSON",
    "service_autocomplete_api": "JSON",
    "activities:center_ical": "iCalendar feed (advertised on the programme pages)",
    "activities:street_ical": "iCalendar feed (advertised on the street's programme page)",
    "activities:activity_ical": "iCalendar feed (advertised on the activity page)",
    "kiosk:service_worker": "the lobby screen's service worker script",
    "disclosures:review": "one-time signed link; axe-checked in tests/browser/test_disclosure_review.py",
    "disclosures:board_feed": "Atom feed (advertised on the disclosure boards and disclosures)",
    "honors:lookup_result": "a resident's own points: shown only in a session opened by a right look-up code",
    "notices:district_rss": "RSS feed of notices (advertised on the home page)",
    "notices:district_atom": "Atom feed of notices (advertised on the home page)",
    "notices:street_rss": "RSS feed of notices (advertised on the street and its notice index)",
    "notices:street_atom": "Atom feed of notices (advertised on the street and its notice index)",
    "notices:center_rss": "RSS feed of notices (advertised on the center and its notice index)",
    "notices:center_atom": "Atom feed of notices (advertised on the center and its notice index)",
}


def _path(url: str | None) -> str | None:
    """A page's URL as a path: Wagtail gives a full URL when the site has several hosts."""
    if not url:
        return None
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _first_live(model_label: str):
    from django.apps import apps

    return apps.get_model(model_label).objects.live().public().order_by("path").first()


def _page_of(model_label: str) -> Callable[[], str | None]:
    def find() -> str | None:
        page = _first_live(model_label)
        return _path(page.get_url()) if page else None

    return find


@cache
def _sample_center_pk() -> int | None:
    """The live center that offers the most services (the first center when none does)."""
    from catalog.filters import VISIBLE_STATUSES
    from catalog.models import Service
    from district.models import CenterPage

    centers = CenterPage.objects.live().public()
    busiest = (
        Service.objects.filter(
            status__in=VISIBLE_STATUSES,
            service_at_locations__location__center__in=centers,
        )
        .values("service_at_locations__location__center")
        .annotate(services=Count("pk", distinct=True))
        .order_by("-services", "service_at_locations__location__center")
        .first()
    )
    if busiest:
        return busiest["service_at_locations__location__center"]
    first = centers.order_by("path").first()
    return first.pk if first else None


def sample_center():
    from district.models import CenterPage

    pk = _sample_center_pk()
    return CenterPage.objects.get(pk=pk) if pk else None


def _center_page() -> str | None:
    center = sample_center()
    return _path(center.get_url()) if center else None


def _center_service_list():
    from catalog.models import ServiceListPage

    center = sample_center()
    if center is None:
        return None
    return ServiceListPage.objects.live().public().child_of(center).first()


def _district_service_list() -> str | None:
    from catalog.models import ServiceListPage
    from district.models import HomePage

    home = HomePage.objects.live().public().order_by("path").first()
    if home is None:
        return None
    page = ServiceListPage.objects.live().public().child_of(home).first()
    return _path(page.get_url()) if page else None


def _center_services() -> str | None:
    page = _center_service_list()
    return _path(page.get_url()) if page else None


def _sample_service():
    from catalog.filters import VISIBLE_STATUSES

    page = _center_service_list()
    if page is None:
        return None, None
    service = (
        page.base_services(page.get_center())
        .filter(status__in=VISIBLE_STATUSES)
        .order_by("name")
        .first()
    )
    return page, service


def _service_route(route: str) -> Callable[[], str | None]:
    def find() -> str | None:
        page, service = _sample_service()
        if service is None:
            return None
        return _path(
            page.get_url() + page.reverse_subpage(route, kwargs={"service_id": service.pk})
        )

    return find


def _search_query() -> str:
    """A word residents search for that finds several services: the sample service's
    topic (养老, 就业…), else its name."""
    _page, service = _sample_service()
    if service is None:
        return "养老"
    topic = service.topics.order_by("name").first()
    return topic.name if topic else service.name


def _district_search() -> str:
    return reverse("search:district")


def _district_search_with_query() -> str:
    return reverse("search:district") + "?" + urlencode({"q": _search_query()})


def _center_search() -> str | None:
    center = sample_center()
    return reverse("search:center", args=[center.code]) if center else None


def _center_search_with_query() -> str | None:
    path = _center_search()
    return path + "?" + urlencode({"q": _search_query()}) if path else None


def _programme_page(parent_model: str = "district.CenterPage"):
    """A live programme page (活动节目单) under a page of ``parent_model``: under a center,
    the sample center's when it has one."""
    from django.apps import apps

    from activities.models import ProgrammeSheetPage

    parents = {page.path for page in apps.get_model(parent_model).objects.live().public()}
    pages = [
        page
        for page in ProgrammeSheetPage.objects.live().public().order_by("path")
        if page.path[: -page.steplen] in parents
    ]
    center = sample_center() if parent_model == "district.CenterPage" else None
    preferred = [page for page in pages if center and page.path[: -page.steplen] == center.path]
    return next(iter(preferred or pages), None)


def _programme_route(
    route: str = "", parent_model: str = "district.CenterPage"
) -> Callable[[], str | None]:
    def find() -> str | None:
        page = _programme_page(parent_model)
        if page is None:
            return None
        return _path(page.get_url() + (page.reverse_subpage(route) if route else ""))

    return find


def _activity_page() -> str | None:
    """The page of an activity with sessions to come, on its center's programme."""
    from django.utils import timezone

    from activities.models import Occurrence

    page = _programme_page()
    if page is None:
        return None
    occurrence = (
        Occurrence.objects.filter(center_id=page.get_parent().pk, ends_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    if occurrence is None:
        return None
    return _path(page.get_url() + page.activity_route(occurrence.activity_id))


def _sample_kiosk():
    """A lobby screen of the sample center, else the first of any live center."""
    from activities.models import Kiosk

    kiosks = Kiosk.objects.filter(center__live=True).select_related("center")
    center = sample_center()
    found = kiosks.filter(center=center).order_by("name").first() if center else None
    return found or kiosks.order_by("center__path", "name").first()


def _kiosk_screen() -> str | None:
    kiosk = _sample_kiosk()
    return reverse("kiosk:screen", args=[kiosk.center.code, kiosk.slug]) if kiosk else None


def _kiosk_list() -> str | None:
    kiosk = _sample_kiosk()
    return reverse("kiosk:center_list", args=[kiosk.center.code]) if kiosk else None


def _disclosure_board(street: bool = False):
    """A live 公开栏: the sample center's when it has one (``street``: its street's, else
    any street's), else the first."""
    from disclosures.models import DisclosureBoardPage

    center = sample_center()
    boards = DisclosureBoardPage.objects.live().public().order_by("path")
    if center is not None:
        owner = center.get_parent() if street else center
        found = boards.child_of(owner).first()
        if found is not None:
            return found
    return next((board for board in boards if board.is_street_board == street), None)


def _board_route(route: str, street: bool = False) -> Callable[[], str | None]:
    def find() -> str | None:
        board = _disclosure_board(street)
        if board is None:
            return None
        if route == "archive_year":
            from django.utils import timezone

            ended = board.disclosures().filter(posting_until__lt=timezone.localdate())
            year = ended.order_by("-period_year").values_list("period_year", flat=True).first()
            subpage = board.reverse_subpage(route, kwargs={"year": year or timezone.now().year})
        else:
            subpage = board.reverse_subpage(route)
        return _path(board.get_url() + subpage)

    return find


def _sample_disclosure():
    """The newest disclosure on the sample board, else any live one."""
    from disclosures.models import DisclosurePage

    disclosures = DisclosurePage.objects.live().public()
    board = _disclosure_board()
    newest = ("-posting_from", "-pk")
    found = disclosures.child_of(board).order_by(*newest).first() if board else None
    return found or disclosures.order_by(*newest).first()


def _disclosure_route(route: str) -> Callable[[], str | None]:
    def find() -> str | None:
        from disclosures.models import DisclosurePage, PublishedVersion

        if route == "version":
            # An earlier version of a corrected disclosure (the demo has one).
            corrected = PublishedVersion.objects.filter(
                number=2, page__in=DisclosurePage.objects.live().public()
            ).first()
            if corrected is None:
                return None
            page = corrected.page
            subpage = page.reverse_subpage(route, kwargs={"number": 1})
        else:
            page = _sample_disclosure()
            if page is None:
                return None
            subpage = page.reverse_subpage(route)
        return _path(page.get_url() + subpage)

    return find


def _honor_board():
    """A live 光荣榜: the sample center's (the demo's boards are "guangrongbang") when it
    has one, else the first."""
    from honors.models import HonorBoardPage

    center = sample_center()
    boards = HonorBoardPage.objects.live().public().order_by("path")
    found = boards.child_of(center).first() if center is not None else None
    return found or boards.first()


def _honor_route(route: str) -> Callable[[], str | None]:
    def find() -> str | None:
        board = _honor_board()
        if board is None:
            return None
        if route == "archive_year":
            from django.utils import timezone

            from honors.display import archive_years, archived_entries

            years = archive_years(archived_entries(board, timezone.localdate()))
            kwargs = {"year": years[0] if years else timezone.localdate().year}
            subpage = board.reverse_subpage(route, kwargs=kwargs)
        else:
            subpage = board.reverse_subpage(route)
        return _path(board.get_url() + subpage)

    return find


def _points_lookup() -> str:
    return reverse("honors:lookup")


def _expired_notice() -> str | None:
    """A notice past its 有效期至: it keeps its page, marked 已过期."""
    from district.models import NoticePage

    live = NoticePage.objects.live().public()
    notice = live.exclude(pk__in=live.current().values("pk")).order_by("path").first()
    return _path(notice.get_url()) if notice else None


def _notices_of_one_category() -> str | None:
    """A center's notice list filtered to the category of its newest notice."""
    from district.models import NoticePage

    notice = (
        NoticePage.objects.live()
        .public()
        .current()
        .filter(category__isnull=False)
        .select_related("category")
        .order_by("path")
        .first()
    )
    if notice is None:
        return None
    index = notice.get_parent()
    return _path(index.get_url()) + "?" + urlencode({"category": notice.category.slug})


def _not_found() -> str:
    return "/mei-you-zhe-ge-ye-mian/"


def _open_sign_up():
    """A session taking sign-ups, the sample center's first when it has one."""
    from django.utils import timezone

    from activities.models import Occurrence, OccurrenceStatus

    sessions = Occurrence.objects.filter(
        activity__signup_required=True, starts_at__gt=timezone.now()
    ).exclude(status=OccurrenceStatus.CANCELLED)
    center = sample_center()
    found = sessions.filter(center=center) if center else sessions.none()
    return found.first() or sessions.order_by("starts_at", "pk").first()


def _sign_up_page() -> str | None:
    occurrence = _open_sign_up()
    return reverse("activities:sign_up", args=[occurrence.pk]) if occurrence else None


def _sign_up_link(kind: str) -> Callable[[], str | None]:
    """A resident's own page (``kind`` "sign_up") or cancel page ("cancel") of a sign-up
    to a session to come."""

    def find() -> str | None:
        from django.utils import timezone

        from activities.models import SignUp, SignUpStatus
        from activities.registration import links

        sign_up = (
            SignUp.objects.filter(
                status=SignUpStatus.CONFIRMED, occurrence__starts_at__gt=timezone.now()
            )
            .order_by("occurrence__starts_at", "pk")
            .first()
        )
        if sign_up is None:
            return None
        return links.cancel_url(sign_up) if kind == "cancel" else links.sign_up_url(sign_up)

    return find


PUBLIC_PAGE_TYPES: list[PublicPageType] = [
    PublicPageType("home", "区首页", _page_of("district.HomePage"), "district.HomePage"),
    PublicPageType("street", "街道", _page_of("district.StreetPage"), "district.StreetPage"),
    PublicPageType("center", "党群服务中心", _center_page, "district.CenterPage"),
    PublicPageType(
        "notice-index",
        "通知公告栏目",
        _page_of("district.NoticeIndexPage"),
        "district.NoticeIndexPage",
    ),
    PublicPageType("notice", "通知公告", _page_of("district.NoticePage"), "district.NoticePage"),
    PublicPageType("notice-expired", "已过期的通知", _expired_notice, "district.NoticePage"),
    PublicPageType(
        "notice-index-category",
        "通知公告（按类别）",
        _notices_of_one_category,
        "district.NoticeIndexPage",
    ),
    PublicPageType(
        "district-services",
        "全区服务清单",
        _district_service_list,
        "catalog.ServiceListPage",
        "service_list",
    ),
    PublicPageType(
        "center-services",
        "中心服务清单",
        _center_services,
        "catalog.ServiceListPage",
        "service_list",
    ),
    PublicPageType(
        "service-guide",
        "办事指南",
        _service_route("service_guide"),
        "catalog.ServiceListPage",
        "service_guide",
    ),
    PublicPageType(
        "correction",
        "纠错",
        _service_route("correction"),
        "catalog.ServiceListPage",
        "correction",
    ),
    PublicPageType("sign-up", "活动报名", _sign_up_page, url_name="activities:sign_up"),
    PublicPageType(
        "signed-up", "我的报名", _sign_up_link("sign_up"), url_name="activities:signed_up"
    ),
    PublicPageType(
        "cancel-sign-up",
        "取消报名",
        _sign_up_link("cancel"),
        url_name="activities:cancel_sign_up",
    ),
    PublicPageType("search", "全区搜索", _district_search, url_name="search:district"),
    PublicPageType(
        "search-results", "全区搜索结果", _district_search_with_query, url_name="search:district"
    ),
    PublicPageType("center-search", "中心搜索", _center_search, url_name="search:center"),
    PublicPageType(
        "center-search-results", "中心搜索结果", _center_search_with_query, url_name="search:center"
    ),
    PublicPageType(
        "programme",
        "活动节目单（本周）",
        _programme_route(),
        "activities.ProgrammeSheetPage",
        "this_week",
    ),
    PublicPageType(
        "programme-street",
        "街道活动节目单",
        _programme_route(parent_model="district.StreetPage"),
        "activities.ProgrammeSheetPage",
        "this_week",
    ),
    PublicPageType(
        "programme-next-week",
        "活动节目单（下周）",
        _programme_route("next_week"),
        "activities.ProgrammeSheetPage",
        "next_week",
    ),
    PublicPageType(
        "programme-month",
        "活动节目单（本月）",
        _programme_route("this_month"),
        "activities.ProgrammeSheetPage",
        "this_month",
    ),
    PublicPageType(
        "programme-print",
        "活动节目单（打印版）",
        _programme_route("print_week"),
        "activities.ProgrammeSheetPage",
        "print_week",
    ),
    PublicPageType("activity", "活动", _activity_page, "activities.ProgrammeSheetPage", "activity"),
    PublicPageType("kiosk-list", "中心大厅屏列表", _kiosk_list, url_name="kiosk:center_list"),
    PublicPageType("kiosk-screen", "大厅屏", _kiosk_screen, url_name="kiosk:screen"),
    PublicPageType(
        "disclosure-board",
        "公开栏",
        _board_route("board"),
        "disclosures.DisclosureBoardPage",
        "board",
    ),
    PublicPageType(
        "disclosure-board-street",
        "街道公开栏",
        _board_route("board", street=True),
        "disclosures.DisclosureBoardPage",
        "board",
    ),
    PublicPageType(
        "disclosure-archive",
        "往期公开",
        _board_route("archive"),
        "disclosures.DisclosureBoardPage",
        "archive",
    ),
    PublicPageType(
        "disclosure-archive-year",
        "往期公开（某一年）",
        _board_route("archive_year"),
        "disclosures.DisclosureBoardPage",
        "archive_year",
    ),
    PublicPageType(
        "disclosure",
        "公开事项",
        _disclosure_route("disclosure"),
        "disclosures.DisclosurePage",
        "disclosure",
    ),
    PublicPageType(
        "disclosure-print",
        "公开事项（A4打印版）",
        _disclosure_route("print_a4"),
        "disclosures.DisclosurePage",
        "print_a4",
    ),
    PublicPageType(
        "disclosure-poster",
        "公开事项（A3海报）",
        _disclosure_route("print_a3"),
        "disclosures.DisclosurePage",
        "print_a3",
    ),
    PublicPageType(
        "disclosure-version",
        "公开事项的更正前版本",
        _disclosure_route("version"),
        "disclosures.DisclosurePage",
        "version",
    ),
    PublicPageType(
        "honor-board", "光荣榜", _honor_route("board"), "honors.HonorBoardPage", "board"
    ),
    PublicPageType(
        "honor-archive", "往期光荣榜", _honor_route("archive"), "honors.HonorBoardPage", "archive"
    ),
    PublicPageType(
        "honor-archive-year",
        "往期光荣榜（某一年）",
        _honor_route("archive_year"),
        "honors.HonorBoardPage",
        "archive_year",
    ),
    PublicPageType(
        "honor-ranking", "积分榜", _honor_route("ranking"), "honors.HonorBoardPage", "ranking"
    ),
    PublicPageType("points-lookup", "积分查询", _points_lookup, url_name="honors:lookup"),
    PublicPageType(
        "hsds-profile",
        "服务目录数据规范（HSDS扩展）",
        lambda: reverse("catalog_api:hsds_profile"),
        url_name="catalog_api:hsds_profile",
    ),
    PublicPageType("not-found", "页面不存在", _not_found),
]


def public_pages(strict: bool = True) -> list[tuple[PublicPageType, str]]:
    """(type, path) for every public page type, read from the database as it is now.

    Raises LookupError naming the types the database holds no page of; with strict=False
    leaves them out instead.
    """
    _sample_center_pk.cache_clear()
    found = [(page_type, page_type.find()) for page_type in PUBLIC_PAGE_TYPES]
    missing = [page_type.name for page_type, path in found if not path]
    if missing and strict:
        raise LookupError("no page of these types in the database: " + ", ".join(missing))
    return [(page_type, path) for page_type, path in found if path]
