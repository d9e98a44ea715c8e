"""An Atom feed per disclosure board (公开栏): its live disclosures (a street board's: its
centers'), newest posting first, at /gongkai/<board id>/feed/. Advertised on the board's
and its disclosures' pages with <link rel="alternate" type="application/atom+xml">.
"""

from copy import copy

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from disclosures.views.public import newest_first, with_centers

#: Entries in a feed: subscribers poll, so recent postings are enough.
FEED_ENTRIES = 50


class BoardFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        # One instance serves every request: each gets its own copy holding its request.
        feed = copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def get_object(self, request, board_id):
        from disclosures.models import DisclosureBoardPage

        board = DisclosureBoardPage.objects.live().public().filter(pk=board_id).first()
        if board is None:
            raise Http404("没有这个公开栏。")
        self.board = board
        return board

    def title(self, board):
        return f"{board.belongs_to.title}公开栏"

    def subtitle(self, board):
        return f"{board.belongs_to.title}的党务、居务、财务和服务公开。"

    def link(self, board):
        return board.get_url(request=self.request)

    def feed_url(self, board):
        return self.request.path

    def items(self, board):
        return with_centers(newest_first(board.disclosures())[:FEED_ENTRIES])

    def item_title(self, page):
        # A street's feed mixes its centers' "2026年11月财务公开": say whose each is.
        if self.board.is_street_board and page.center:
            return f"{page.center.title}：{page.title}"
        return page.title

    def item_description(self, page):
        center = f"{page.center.title} · " if page.center else ""
        return (
            f"{center}{page.get_kind_display()} · {page.period.label} · "
            f"公示期 {_day(page.posting_from)}至{_day(page.posting_until)}"
        )

    def item_link(self, page):
        return page.get_url(request=self.request)

    def item_guid(self, page):
        # Stable whatever the page's slug becomes: the disclosure's id on this site.
        return f"tag:{self.request.get_host().split(':')[0]},2026:disclosure:{page.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, page):
        return page.first_published_at

    def item_updateddate(self, page):
        return page.last_published_at or page.first_published_at or timezone.now()

    def item_author_name(self, page):
        return page.center.title if page.center else None


def _day(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


urlpatterns = [path("<int:board_id>/feed/", BoardFeed(), name="board_feed")]
