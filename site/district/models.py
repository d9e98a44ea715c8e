"""The page tree of a district: HomePage → StreetPage → CenterPage, with notices.

Import direction: other apps (activities, catalog) point at these pages; this module
imports nothing of theirs.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from district.mixins import BasicFiguresMixin
from district.place import CENTER_CARD_PREFETCH, CENTER_CARD_RELATED, PlaceField, PlacePanel

NOTICES_PER_PAGE = 10


class HomePage(Page):
    """The district portal: its streets, the service hall and the latest notices."""

    intro = models.TextField(_("简介"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["district.StreetPage", "district.CenterPage", "catalog.ServiceListPage"]
    api_fields = ["intro"]

    class Meta:
        verbose_name = _("区首页")
        verbose_name_plural = _("区首页")

    def street_directory(self) -> list[tuple["StreetPage", list["CenterPage"]]]:
        """Each live street with its live centers (street center first), in two queries."""
        streets = list(StreetPage.objects.child_of(self).live().public())
        centers_by_street: dict[str, list[CenterPage]] = {street.path: [] for street in streets}
        centers = with_places(CenterPage.objects.descendant_of(self).live().public()).order_by(
            *CENTER_ORDER
        )
        for center in centers:
            parent_path = center.path[: -Page.steplen]
            if parent_path in centers_by_street:
                centers_by_street[parent_path].append(center)
        return [(street, centers_by_street[street.path]) for street in streets]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["halls"] = with_places(CenterPage.objects.child_of(self).live().public()).order_by(
            "code"
        )
        context["street_directory"] = self.street_directory()
        context["latest_notices"] = with_sources(NoticePage.objects.published_under(self)[:6])
        return context


class StreetPage(Page):
    """A street (街道): its own center and its community centers."""

    intro = models.TextField(_("简介"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["district.HomePage"]
    subpage_types = [
        "district.CenterPage",
        "district.NoticeIndexPage",
        "activities.ProgrammeSheetPage",
        "disclosures.DisclosureBoardPage",
    ]
    api_fields = ["intro"]

    class Meta:
        verbose_name = _("街道")
        verbose_name_plural = _("街道")

    def get_centers(self):
        return with_places(CenterPage.objects.child_of(self).live().public()).order_by(
            *CENTER_ORDER
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["centers"] = self.get_centers()
        context["latest_notices"] = with_sources(NoticePage.objects.published_under(self)[:6])
        return context


class CenterKind(models.TextChoices):
    SERVICE_HALL = "service_hall", _("区政务服务中心")
    STREET = "street", _("街道党群服务中心")
    COMMUNITY = "community", _("社区党群服务中心")


def with_places(centers):
    """``centers`` with the place facts their cards show, in a fixed number of queries."""
    return centers.select_related(*CENTER_CARD_RELATED).prefetch_related(*CENTER_CARD_PREFETCH)


# The street's own center first, then its communities by code.
CENTER_ORDER = (
    models.Case(models.When(kind=CenterKind.STREET, then=0), default=1),
    "code",
)


class CenterPage(BasicFiguresMixin, Page):
    """A party-mass service center (党群服务中心), or the district's service hall.

    Its place facts (address, coordinates, phones, accessibility, opening hours and their
    exceptions) are the catalog's HSDS location linked to it (``self.location``, the one
    store: ``catalog.models.locations``); the edit form shows them with a link to that
    record's form.
    """

    kind = models.CharField(
        _("类型"), max_length=20, choices=CenterKind.choices, default=CenterKind.COMMUNITY
    )
    code = models.CharField(
        _("中心编码"),
        max_length=20,
        unique=True,
        help_text=_("如 HHD-CH-01，与服务目录中的位置编码一致"),
    )
    alternate_name = models.CharField(_("别名"), max_length=100, blank=True)
    intro = models.TextField(_("简介"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("kind"), FieldPanel("code"), FieldPanel("alternate_name")],
            heading=_("中心信息"),
        ),
        FieldPanel("intro"),
        FieldPanel("image"),
        PlacePanel(heading=_("地址、电话与开放时间")),
        *BasicFiguresMixin.figures_panels,
        InlinePanel("rooms", heading=_("功能室"), label=_("功能室")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("alternate_name"),
        index.SearchField("intro"),
        index.FilterField("kind"),
        index.FilterField("code"),
    ]
    parent_page_types = ["district.StreetPage", "district.HomePage"]
    subpage_types = [
        "district.NoticeIndexPage",
        "catalog.ServiceListPage",
        "activities.ProgrammeSheetPage",
        "disclosures.DisclosureBoardPage",
    ]
    api_fields = [
        "kind",
        "code",
        "alternate_name",
        "intro",
        "image",
        APIField("place", serializer=PlaceField()),
        "households",
        "residents",
        "grids",
        "figures_as_of",
        "rooms",
    ]

    class Meta:
        verbose_name = _("党群服务中心")
        verbose_name_plural = _("党群服务中心")

    @cached_property
    def place(self):
        """The catalog's location of this center (its place facts), or None."""
        try:
            return self.location
        except ObjectDoesNotExist:
            return None

    def opening_status(self, moment=None):
        """正在开放 / 当前休息 / 今日闭馆 and why, by the catalog's one clock."""
        from catalog.clock import clock_at

        rows = self.place.schedules.all() if self.place is not None else []
        return clock_at(moment).status(rows)

    def get_sections(self):
        """The center's published sections (notices, and later service lists, programmes …)."""
        return self.get_children().live().public().specific()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["rooms"] = self.rooms.all()
        context["sections"] = self.get_sections()
        context["latest_notices"] = NoticePage.objects.published_under(self)[:3]
        context["opening"] = self.opening_status()
        context["dated_exceptions"] = (
            self.place.dated_exceptions(timezone.localdate()) if self.place else []
        )
        context["todays_activities"] = self.todays_activities(request)
        return context

    def todays_activities(self, request=None):
        """今天的活动: today's occurrences here, in time order, with the programme page."""
        from activities.pages import todays_programme

        return todays_programme(self, request)


class NoticeIndexPage(Page):
    """通知公告: a street's or a center's notices, newest first, paginated."""

    intro = models.TextField(_("简介"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["district.StreetPage", "district.CenterPage"]
    subpage_types = ["district.NoticePage"]
    max_count_per_parent = 1
    api_fields = ["intro"]

    class Meta:
        verbose_name = _("通知公告栏目")
        verbose_name_plural = _("通知公告栏目")

    def get_notices(self):
        return NoticePage.objects.child_of(self).live().public().newest_first()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.get_notices(), NOTICES_PER_PAGE)
        context["notices"] = paginator.get_page(request.GET.get("page"))
        return context


class NoticeQuerySet(PageQuerySet):
    def newest_first(self):
        return self.order_by("-date", "-first_published_at", "-pk")

    def published_under(self, page):
        """What residents may read below ``page`` (a district, street or center), newest first."""
        return self.live().public().descendant_of(page).newest_first()


def with_sources(notices) -> list:
    """Evaluate ``notices`` and set ``notice.source``, the street or center that posted
    it (the notice's grandparent), with one query for all of them."""
    notices = list(notices)
    owner_path_length = -2 * Page.steplen
    owner_paths = {notice.path[:owner_path_length] for notice in notices}
    owners = {page.path: page for page in Page.objects.filter(path__in=owner_paths)}
    for notice in notices:
        notice.source = owners.get(notice.path[:owner_path_length])
    return notices


class NoticePage(Page):
    """通知公告: one notice."""

    date = models.DateField(_("发布日期"), default=timezone.localdate)
    summary = models.CharField(_("摘要"), max_length=200, blank=True)
    body = RichTextField(
        _("正文"), features=["h2", "h3", "bold", "ol", "ul", "link", "document-link"]
    )

    objects = PageManager.from_queryset(NoticeQuerySet)()

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    parent_page_types = ["district.NoticeIndexPage"]
    subpage_types: list[str] = []
    api_fields = ["date", "summary", "body"]

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")

    def search_text(self) -> str:
        """What the site's search reads of a notice (``search.documents.page_document``)."""
        from django.utils.html import strip_tags

        return f"{self.summary}\n{strip_tags(str(self.body))}"


@register_setting(icon="site")
class DistrictSettings(BaseSiteSetting):
    """Facts editors change without a programmer: hotline and footer."""

    hotline = models.CharField(_("服务热线"), max_length=40, default="12345")
    hotline_label = models.CharField(_("热线说明"), max_length=60, default="政务服务便民热线")
    footer_note = models.TextField(_("页脚说明"), blank=True)

    panels = [FieldPanel("hotline"), FieldPanel("hotline_label"), FieldPanel("footer_note")]

    class Meta:
        verbose_name = _("全站设置")
