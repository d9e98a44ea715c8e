"""The page tree of a district: HomePage → StreetPage → CenterPage, with notices.

Import direction: other apps (activities, catalog) point at these pages; this module
imports nothing of theirs.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from district.mixins import BasicFiguresMixin
from district.place import CENTER_CARD_PREFETCH, CENTER_CARD_RELATED, PlaceField, PlacePanel

#: What a center's page shows of its place (catalog.Location), each read through .all().
PLACE_SHOWN = ("addresses", "phones", "schedules", "accessibility")

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
        context["latest_notices"] = with_sources(NoticePage.objects.listed_under(self)[:6])
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
        "honors.HonorBoardPage",
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
        context["latest_notices"] = with_sources(NoticePage.objects.listed_under(self)[:6])
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
        "honors.HonorBoardPage",
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
        """The center's published sections (notices, and later service lists, programmes …).

        Their own classes with only the page fields read (``defer=True``): a link and a
        title need nothing else, and each kind of section would otherwise cost a query."""
        return self.get_children().live().public().specific(defer=True)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if self.place is not None:
            # What the page shows of its place, a query each; the hours once, though the
            # opening badge, the hours table, the holiday rules and the exceptions all read them.
            prefetch_related_objects([self.place], *PLACE_SHOWN)
        context["rooms"] = self.rooms.all()
        context["sections"] = self.get_sections()
        context["latest_notices"] = NoticePage.objects.listed_under(self)[:3]
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
    """通知公告: a street's or a center's current notices, pinned first, then newest,
    paginated; ``?category=<slug>`` keeps one category."""

    intro = models.TextField(_("简介"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["district.StreetPage", "district.CenterPage"]
    subpage_types = ["district.NoticePage"]
    max_count_per_parent = 1
    api_fields = ["intro"]

    class Meta:
        verbose_name = _("通知公告栏目")
        verbose_name_plural = _("通知公告栏目")

    def get_notices(self, day=None, category=None):
        """What this index lists on ``day`` (today): its current notices, pinned first."""
        notices = NoticePage.objects.child_of(self).current(day).pinned_first(day)
        if category is not None:
            notices = notices.filter(category=category)
        return notices.select_related("category")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        categories = list(NoticeCategory.objects.all())
        wanted = request.GET.get("category", "")
        category = next((c for c in categories if c.slug == wanted), None)
        paginator = Paginator(self.get_notices(category=category), NOTICES_PER_PAGE)
        context["notices"] = paginator.get_page(request.GET.get("page"))
        context["categories"] = categories
        context["category"] = category
        return context


class NoticeCategory(models.Model):
    """通知类别: 活动预告, 办事提醒, 停水停电 … An urgent category's current notices show as
    a banner on the pages of the center or street that posted them."""

    name = models.CharField(_("名称"), max_length=20, unique=True)
    slug = models.SlugField(
        _("网址名"),
        max_length=40,
        unique=True,
        help_text=_("用于筛选网址，如 tingshui，只用小写字母、数字和连字符"),
    )
    is_urgent = models.BooleanField(
        _("紧急通知"),
        default=False,
        help_text=_("勾选后，此类通知在有效期内以醒目横幅显示在发布中心（或街道）的各个页面顶部"),
    )
    sort_order = models.PositiveSmallIntegerField(
        _("排序"), default=0, help_text=_("数字小的排在前面")
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("is_urgent"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("通知类别")
        verbose_name_plural = _("通知类别")

    def __str__(self) -> str:
        return self.name


def current_q(day) -> models.Q:
    """Notices still in force on ``day``: no end date, or one on or after it."""
    return models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=day)


class NoticeQuerySet(PageQuerySet):
    """The one place that says which notices are listed and in what order: pages, feeds,
    the urgent banner and the kiosk all call ``current(day).pinned_first(day)``."""

    def newest_first(self):
        return self.order_by("-date", "-first_published_at", "-pk")

    def current(self, day=None):
        """Live public notices not expired on ``day`` (today by default)."""
        day = day or timezone.localdate()
        return self.live().public().filter(current_q(day))

    def pinned_first(self, day=None):
        """Notices pinned on ``day`` (置顶至 that day or later) first, then newest first."""
        day = day or timezone.localdate()
        pinned = models.Case(
            models.When(pinned_until__gte=day, then=models.Value(0)),
            default=models.Value(1),
            output_field=models.IntegerField(),
        )
        return self.annotate(pinned_rank=pinned).order_by(
            "pinned_rank", "-date", "-first_published_at", "-pk"
        )

    def urgent(self):
        return self.filter(category__is_urgent=True)

    def listed_under(self, page, day=None):
        """What residents see listed below ``page`` (a district, street or center) on
        ``day``: current notices, pinned first, then newest."""
        return self.current(day).descendant_of(page).pinned_first(day).select_related("category")

    def published_under(self, page):
        """Every notice residents may open below ``page``, expired ones too, newest first."""
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


def urgent_notices(page, day=None) -> list:
    """Urgent notices (an urgent category such as 停水停电) in force on ``day`` that were
    posted by ``page`` or by one of its ancestors (a center's notices show on the center
    and every page below it; a street's on the street, its centers and their pages).

    One query whatever the depth: a notice is posted by the page two levels above it (its
    owner, through the owner's notice index), so its path starts with an ancestor's path
    and it lies two levels deeper.
    """
    if not isinstance(page, Page) or not page.path:
        return []
    steplen = Page.steplen
    posted_by_ancestor = models.Q(pk__in=[])
    for depth in range(2, page.depth + 1):
        prefix = page.path[: depth * steplen]
        posted_by_ancestor |= models.Q(path__startswith=prefix, depth=depth + 2)
    notices = NoticePage.objects.current(day).urgent().filter(posted_by_ancestor)
    return list(notices.pinned_first(day).select_related("category"))


class NoticePageForm(WagtailAdminPageForm):
    """Editors choose a category; notices written before categories existed have none."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "category" in self.fields:
            self.fields["category"].required = True

    def clean(self):
        cleaned = super().clean()
        date = cleaned.get("date")
        expires_on = cleaned.get("expires_on")
        pinned_until = cleaned.get("pinned_until")
        if date and expires_on and expires_on < date:
            self.add_error("expires_on", _("有效期不能早于发布日期。"))
        if expires_on and pinned_until and pinned_until > expires_on:
            self.add_error("pinned_until", _("置顶日期不能晚于有效期：过期的通知不再列出。"))
        return cleaned


class NoticePage(Page):
    """通知公告: one notice, of a category, possibly pinned until a date and in force until
    a date. After ``expires_on`` it leaves lists, feeds and banners; its page still
    answers, saying 已过期."""

    date = models.DateField(_("发布日期"), default=timezone.localdate)
    category = models.ForeignKey(
        NoticeCategory,
        verbose_name=_("类别"),
        null=True,
        blank=True,  # notices from before categories have none; the form requires one
        on_delete=models.PROTECT,
        related_name="notices",
    )
    pinned_until = models.DateField(
        _("置顶至"),
        null=True,
        blank=True,
        help_text=_("到这一天（含）为止排在列表最前面；不置顶请留空"),
    )
    expires_on = models.DateField(
        _("有效期至"),
        null=True,
        blank=True,
        help_text=_(
            "过了这一天，通知不再出现在列表、订阅和紧急横幅中，网址仍可打开并注明“已过期”；"
            "长期有效请留空"
        ),
    )
    summary = models.CharField(_("摘要"), max_length=200, blank=True)
    body = RichTextField(
        _("正文"), features=["h2", "h3", "bold", "ol", "ul", "link", "document-link"]
    )

    objects = PageManager.from_queryset(NoticeQuerySet)()

    base_form_class = NoticePageForm
    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("date"), FieldPanel("category")]),
        FieldRowPanel(
            [FieldPanel("pinned_until"), FieldPanel("expires_on")], heading=_("置顶与有效期")
        ),
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
    api_fields = ["date", "pinned_until", "expires_on", "summary", "body"]

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")

    def is_expired(self, day=None) -> bool:
        return self.expires_on is not None and self.expires_on < (day or timezone.localdate())

    def is_pinned(self, day=None) -> bool:
        return self.pinned_until is not None and self.pinned_until >= (day or timezone.localdate())

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["expired"] = self.is_expired()
        return context

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
