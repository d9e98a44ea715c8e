"""RSS 2.0 and Atom feeds of notices (通知公告) for the district, each street and each
center, listing what their pages list: the current notices, pinned first, then newest
(``NoticePage.objects.listed_under``). ``?category=<slug>`` keeps one category.

    /tongzhi/rss/  /tongzhi/atom/                               the district
    /tongzhi/jiedao/<street slug>/rss/  …/atom/                 a street (its centers' too)
    /tongzhi/zhongxin/<center code>/rss/  …/atom/               a center

Pages advertise them with <link rel="alternate"> (``notice_tags.notice_feed_links``).
"""

from copy import copy
from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from wagtail.models import Site

#: Entries in a feed: subscribers poll, so the current notices are plenty.
FEED_ENTRIES = 50

FORMATS = {"rss": Rss201rev2Feed, "atom": Atom1Feed}


def feed_owner(request, kind: str, key: str = ""):
    """The district home, street or center a feed URL names, live and public, or 404."""
    from district.models import CenterPage, HomePage, StreetPage

    site = Site.find_for_request(request)
    root = site.root_page if site else None
    if root is None:
        raise Http404("没有这个网站。")
    if kind == "district":
        owner = HomePage.objects.live().public().filter(pk=root.pk).first()
    elif kind == "street":
        owner = StreetPage.objects.live().public().descendant_of(root).filter(slug=key).first()
    else:
        owner = CenterPage.objects.live().public().filter(code=key).first()
    if owner is None:
        raise Http404("没有这个街道或服务中心。")
    return owner


def feed_kind(owner) -> tuple[str, list[str]]:
    """(kind, URL arguments) of the feed of ``owner``, a home, street or center page."""
    from district.models import CenterPage, StreetPage

    if isinstance(owner, CenterPage):
        return "center", [owner.code]
    if isinstance(owner, StreetPage):
        return "street", [owner.slug]
    return "district", []


def feed_urls(owner) -> dict[str, str]:
    """{"rss": path, "atom": path} of the notice feeds of ``owner`` (specific page)."""
    kind, args = feed_kind(owner)
    return {name: reverse(f"notices:{kind}_{name}", args=args) for name in FORMATS}


class NoticeFeed(Feed):
    def __init__(self, kind: str, format_name: str):
        self.kind = kind
        self.feed_type = FORMATS[format_name]

    def __call__(self, request, *args, **kwargs):
        # One instance serves every request: each gets its own copy holding its request.
        feed = copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def get_object(self, request, key: str = ""):
        from district.models import NoticeCategory

        owner = feed_owner(request, self.kind, key)
        wanted = request.GET.get("category")
        self.category = NoticeCategory.objects.filter(slug=wanted).first() if wanted else None
        return owner

    def title(self, owner):
        category = f"·{self.category.name}" if self.category else ""
        return f"{owner.title}通知公告{category}"

    def description(self, owner):
        return f"{owner.title}发布的、仍在有效期内的通知公告，置顶的在前。"

    subtitle = description

    def link(self, owner):
        return owner.get_url(request=self.request)

    def feed_url(self, owner):
        return self.request.get_full_path()

    def items(self, owner):
        from district.models import NoticePage, with_sources

        notices = NoticePage.objects.listed_under(owner)
        if self.category is not None:
            notices = notices.filter(category=self.category)
        return with_sources(notices[:FEED_ENTRIES])

    def item_title(self, notice):
        return notice.title

    def item_description(self, notice):
        return notice.summary or notice.title

    def item_link(self, notice):
        return notice.get_url(request=self.request)

    def item_guid(self, notice):
        # Stable whatever the notice's slug becomes: its id on this site.
        return f"tag:{self.request.get_host().split(':')[0]},2026:notice:{notice.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, notice):
        return timezone.make_aware(datetime.combine(notice.date, time(8, 0)))

    def item_updateddate(self, notice):
        return notice.last_published_at or self.item_pubdate(notice)

    def item_author_name(self, notice):
        return notice.source.title if notice.source else None

    def item_categories(self, notice):
        return [notice.category.name] if notice.category else []


def _feeds(prefix: str, kind: str):
    return [
        path(f"{prefix}{name}/", NoticeFeed(kind, name), name=f"{kind}_{name}") for name in FORMATS
    ]


urlpatterns = [
    *_feeds("", "district"),
    *_feeds("jiedao/<slug:key>/", "street"),
    *_feeds("zhongxin/<str:key>/", "center"),
]
