"""The honor board (光荣榜) of a center or street, its entries and the list of awards."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Orderable, Page
from wagtail.snippets.models import register_snippet


@register_snippet
class Award(models.Model):
    """An honour a board gives: 好邻居, 最美家庭, 五星志愿者 … (an editable list)."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    panels = [FieldPanel("name"), FieldPanel("description"), FieldPanel("sort_order")]

    class Meta:
        verbose_name = _("荣誉称号")
        verbose_name_plural = _("荣誉称号")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class RecipientKind(models.TextChoices):
    PERSON = "person", _("个人")
    FAMILY = "family", _("家庭")
    TEAM = "team", _("团队")
    ORGANISATION = "organisation", _("单位")


class HonorBoardPage(RoutablePageMixin, Page):
    """光荣榜: whom a center or street honours now, an archive by year and award, and the
    points rankings of its volunteers."""

    intro = models.TextField(_("简介"), blank=True)
    ranking_size = models.PositiveSmallIntegerField(_("积分榜显示前几名"), default=10)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("ranking_size"),
        InlinePanel("entries", heading=_("上榜名单"), label=_("上榜")),
    ]
    parent_page_types = ["district.CenterPage", "district.StreetPage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1
    api_fields = ["intro"]

    class Meta:
        verbose_name = _("光荣榜")
        verbose_name_plural = _("光荣榜")

    @property
    def belongs_to(self):
        """The center or street of this board (its parent page, specific)."""
        return self.get_parent().specific

    # -- routes: the views live in honors/views/ ------------------------------------------
    @path("")
    def board(self, request):
        from honors.views.public import board_view

        return board_view(self, request)

    @path("guidang/")
    def archive(self, request):
        from honors.views.public import archive_view

        return archive_view(self, request)

    @path("guidang/<int:year>/")
    def archive_year(self, request, year):
        from honors.views.public import archive_view

        return archive_view(self, request, year=year)

    @path("jifen/")
    def ranking(self, request):
        from honors.views.rankings import ranking_view

        return ranking_view(self, request)


class HonorEntry(Orderable):
    """One honour on a board: who, which award, for which period, why, and a photo.
    A person's (or family's) full name and photo are shown only with recorded consent."""

    board = ParentalKey(HonorBoardPage, on_delete=models.CASCADE, related_name="entries")
    recipient_kind = models.CharField(
        _("上榜对象"), max_length=20, choices=RecipientKind.choices, default=RecipientKind.PERSON
    )
    name = models.CharField(_("姓名或名称"), max_length=60)
    award = models.ForeignKey(
        Award, verbose_name=_("荣誉称号"), on_delete=models.PROTECT, related_name="entries"
    )
    period_start = models.DateField(_("上榜开始"))
    period_end = models.DateField(_("上榜结束"), help_text=_("之后移入往期光荣榜"))
    citation = models.TextField(_("事迹"), blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("照片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consent_given = models.BooleanField(
        _("本人已同意公开姓名和照片"),
        default=False,
        help_text=_("未勾选时，个人和家庭只显示“张*明”且不显示照片"),
    )
    consent_note = models.CharField(
        _("同意记录"), max_length=200, blank=True, help_text=_("如：2026年11月20日本人签字同意")
    )

    panels = [
        FieldRowPanel([FieldPanel("recipient_kind"), FieldPanel("name")]),
        FieldPanel("award"),
        FieldRowPanel([FieldPanel("period_start"), FieldPanel("period_end")]),
        FieldPanel("citation"),
        MultiFieldPanel(
            [FieldPanel("photo"), FieldPanel("consent_given"), FieldPanel("consent_note")],
            heading=_("照片与同意"),
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("上榜")
        verbose_name_plural = _("上榜名单")

    def __str__(self):
        return f"{self.award} {self.name}"
