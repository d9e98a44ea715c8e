"""The disclosure board (公开栏) of a center or street and its disclosures.

A board under a center holds that center's disclosures; a board under a street gathers
the disclosures of the street's centers and holds none of its own.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from disclosures.blocks import DisclosureBodyBlock
from disclosures.forms import DisclosurePageForm
from disclosures.models.kinds import DisclosureKind, Period, PeriodKind


def first_of_this_month():
    return timezone.localdate().replace(day=1)


class DisclosureBoardPage(RoutablePageMixin, Page):
    """公开栏: a center's disclosures (or, under a street, its centers'), what is being
    posted now apart from what has ended, and an archive by year and type."""

    intro = models.TextField(_("简介"), blank=True)
    tracking_from = models.DateField(
        _("按期公开考核起始日"),
        default=first_of_this_month,
        help_text=_("从这一天起的各期公开计入应公开、已逾期的统计"),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("tracking_from")]
    parent_page_types = ["district.CenterPage", "district.StreetPage"]
    subpage_types = ["disclosures.DisclosurePage"]
    max_count_per_parent = 1
    api_fields = ["intro"]

    class Meta:
        verbose_name = _("公开栏")
        verbose_name_plural = _("公开栏")

    @cached_property
    def belongs_to(self):
        """The center or street this board belongs to (its parent page, specific)."""
        return self.get_parent().specific

    @property
    def is_street_board(self) -> bool:
        from district.models import StreetPage

        return isinstance(self.belongs_to, StreetPage)

    def disclosures(self):
        """The live disclosures residents may read on this board (a street's: its centers')."""
        scope = self.belongs_to if self.is_street_board else self
        return DisclosurePage.objects.live().public().descendant_of(scope)

    # -- routes: the views live in disclosures/views/public.py ----------------------------
    @path("")
    def board(self, request):
        from disclosures.views.public import board_view

        return board_view(self, request)

    @path("guidang/")
    def archive(self, request):
        from disclosures.views.public import archive_view

        return archive_view(self, request)

    @path("guidang/<int:year>/")
    def archive_year(self, request, year):
        from disclosures.views.public import archive_view

        return archive_view(self, request, year=year)


class DisclosurePage(RoutablePageMixin, Page):
    """One disclosure: its type, the period it covers, the body, the posting window
    (公示期), and for finance the month's income and expenditure rows."""

    kind = models.CharField(_("公开类型"), max_length=20, choices=DisclosureKind.choices)
    period_kind = models.CharField(
        _("期间类型"), max_length=20, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    period_year = models.PositiveSmallIntegerField(_("年份"))
    period_number = models.PositiveSmallIntegerField(
        _("月份或季度"), null=True, blank=True, help_text=_("月度填 1–12，季度填 1–4")
    )
    matter_date = models.DateField(
        _("决定日期"), null=True, blank=True, help_text=_("重大事项：作出决定的日期")
    )
    posting_from = models.DateField(_("公示开始"), default=timezone.localdate)
    posting_until = models.DateField(_("公示结束"))
    body = StreamField(DisclosureBodyBlock(), verbose_name=_("公开内容"), blank=True)
    opening_balance = models.DecimalField(
        _("期初余额（元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("只在本中心第一期财务公开时填写；以后各期的上期结余由网站按上一期计算"),
    )
    finance_source = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("收支表原件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    correction_note = models.TextField(
        _("更正说明"),
        blank=True,
        help_text=_(
            "已发布的公开内容如有修改，必须说明改了什么、为什么改；说明与日期会显示在页面上"
        ),
    )

    search_fields = [
        *Page.search_fields,
        index.FilterField("kind"),
        index.FilterField("period_year"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("period_kind"),
                        FieldPanel("period_year"),
                        FieldPanel("period_number"),
                    ]
                ),
                FieldPanel("matter_date"),
            ],
            heading=_("所属期间"),
        ),
        FieldRowPanel(
            [FieldPanel("posting_from"), FieldPanel("posting_until")], heading=_("公示期")
        ),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("finance_sheet"),
                FieldPanel("finance_source"),
                FieldPanel("opening_balance"),
                InlinePanel("finance_rows", label=_("收支明细")),
            ],
            heading=_("财务收支表（财务公开）"),
        ),
        FieldPanel("mask_numbers"),
        FieldPanel("correction_note"),
    ]
    base_form_class = DisclosurePageForm
    parent_page_types = ["disclosures.DisclosureBoardPage"]
    subpage_types: list[str] = []
    api_fields = [
        "kind",
        "period_kind",
        "period_year",
        "period_number",
        "matter_date",
        "posting_from",
        "posting_until",
        "body",
        "correction_note",
    ]

    class Meta:
        verbose_name = _("公开事项")
        verbose_name_plural = _("公开事项")

    @classmethod
    def can_create_at(cls, parent) -> bool:
        """Disclosures are posted on a center's board; a street's board only gathers."""
        from district.models import CenterPage

        if not super().can_create_at(parent):
            return False
        board_parent = parent.get_parent()
        return board_parent is not None and board_parent.specific_class is CenterPage

    @property
    def period(self) -> Period:
        return Period(self.period_kind, self.period_year, self.period_number, self.matter_date)

    @cached_property
    def center(self):
        """The center that posted this disclosure (the board's parent)."""
        from district.models import CenterPage

        return CenterPage.objects.filter(
            path=self.path[: -2 * self.steplen], depth=self.depth - 2
        ).first()

    def is_posted_on(self, day) -> bool:
        """公示中: ``day`` falls in the posting window."""
        return self.posting_from <= day <= self.posting_until

    def clean(self):
        super().clean()
        errors = {}
        if self.period_kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
            top = 12 if self.period_kind == PeriodKind.MONTH else 4
            if not self.period_number or not 1 <= self.period_number <= top:
                errors["period_number"] = _("月度公开填 1–12 月，季度公开填 1–4 季度")
        if self.period_kind == PeriodKind.MATTER and not self.matter_date:
            errors["matter_date"] = _("重大事项请填写作出决定的日期")
        if self.posting_until and self.posting_from and self.posting_until < self.posting_from:
            errors["posting_until"] = _("公示结束日期不能早于开始日期")
        if errors:
            raise ValidationError(errors)
        # The rules every path must pass (the admin form, the workflow's publish, imports,
        # the demo): no unmasked ID or mobile number, and no silent change after publication.
        from disclosures.guard import check_personal_numbers
        from disclosures.versions import check_correction_note

        check_personal_numbers(self)
        check_correction_note(self)

    # -- routes: the views live in disclosures/views/public.py ----------------------------
    @path("")
    def disclosure(self, request):
        from disclosures.views.public import disclosure_view

        return disclosure_view(self, request)

    @path("dayin/")
    def print_a4(self, request):
        from disclosures.views.public import print_view

        return print_view(self, request, paper="A4")

    @path("haibao/")
    def print_a3(self, request):
        from disclosures.views.public import print_view

        return print_view(self, request, paper="A3")

    @path("banben/<int:number>/")
    def version(self, request, number):
        from disclosures.views.public import version_view

        return version_view(self, request, number)


class FinanceRow(Orderable):
    """One line of a finance disclosure's income-and-expenditure sheet."""

    page = ParentalKey(DisclosurePage, on_delete=models.CASCADE, related_name="finance_rows")
    date = models.DateField(_("日期"))
    item = models.CharField(_("摘要"), max_length=200)
    income = models.DecimalField(
        _("收入（元）"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    expenditure = models.DecimalField(
        _("支出（元）"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    voucher = models.CharField(_("凭证号"), max_length=40, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("date"), FieldPanel("voucher")]),
        FieldPanel("item"),
        FieldRowPanel([FieldPanel("income"), FieldPanel("expenditure")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("收支明细")
        verbose_name_plural = _("收支明细")
