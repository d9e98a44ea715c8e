"""Lobby screens (大厅屏): what each shows and when, and what it last reported.

The screen itself (``activities.kiosk``) is a page served at ``/kiosk/<center code>/<slug>/``
that refreshes its data every minute and keeps working offline; it reports a heartbeat
authenticated by the kiosk's own token, which staff give it once through the setup link
in the admin (the public page never carries it).
"""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable


def new_kiosk_token() -> str:
    return secrets.token_urlsafe(24)


class Orientation(models.TextChoices):
    LANDSCAPE = "landscape", _("横屏 1920×1080")
    PORTRAIT = "portrait", _("竖屏 1080×1920")


class SlideKind(models.TextChoices):
    TODAY = "today", _("今日活动")
    TOMORROW = "tomorrow", _("明日活动")
    WEEK = "week", _("本周精选")
    SERVICES_OPEN = "services_open", _("正在办理的服务")
    NOTICES = "notices", _("通知公告")
    HONORS = "honors", _("光荣榜")


DEFAULT_SLIDES = [
    (SlideKind.TODAY, 20),
    (SlideKind.TOMORROW, 15),
    (SlideKind.WEEK, 15),
    (SlideKind.SERVICES_OPEN, 15),
    (SlideKind.NOTICES, 15),
    (SlideKind.HONORS, 15),
]


class Kiosk(ClusterableModel):
    center = models.ForeignKey(
        "district.CenterPage",
        verbose_name=_("所属中心"),
        on_delete=models.CASCADE,
        related_name="kiosks",
    )
    name = models.CharField(_("名称"), max_length=40, help_text=_("如：一楼大厅屏"))
    slug = models.SlugField(
        _("网址名"),
        max_length=40,
        help_text=_("屏幕网址的最后一段，只用小写字母、数字和短横线，如 dating"),
    )
    place = models.CharField(
        _("安放位置"), max_length=60, blank=True, help_text=_("如：一楼大厅入口右侧")
    )
    orientation = models.CharField(
        _("屏幕方向"), max_length=10, choices=Orientation.choices, default=Orientation.LANDSCAPE
    )
    dark_from = models.TimeField(
        _("熄屏开始"), null=True, blank=True, help_text=_("如 21:00；熄屏时段只显示暗色时钟")
    )
    dark_until = models.TimeField(_("熄屏结束"), null=True, blank=True, help_text=_("如 07:00"))
    touch = models.BooleanField(_("触摸屏"), default=False)
    token = models.CharField(max_length=64, default=new_kiosk_token, editable=False)
    # What the screen last reported (its heartbeat).
    last_seen_at = models.DateTimeField(_("最近心跳"), null=True, blank=True, editable=False)
    reported_version = models.CharField(_("页面版本"), max_length=40, blank=True, editable=False)
    reported_screen = models.CharField(_("屏幕尺寸"), max_length=20, blank=True, editable=False)
    online_since = models.DateTimeField(_("连续在线起"), null=True, blank=True, editable=False)
    last_data_at = models.DateTimeField(_("数据更新于"), null=True, blank=True, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("center"), FieldPanel("name"), FieldPanel("slug")]),
        FieldPanel("place"),
        FieldRowPanel([FieldPanel("orientation"), FieldPanel("touch")]),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("dark_from"), FieldPanel("dark_until")])],
            heading=_("熄屏时段"),
        ),
        InlinePanel("slides", heading=_("轮播内容"), label=_("轮播页")),
    ]

    class Meta:
        ordering = ["center", "name"]
        verbose_name = _("大厅屏")
        verbose_name_plural = _("大厅屏")
        constraints = [
            models.UniqueConstraint(fields=["center", "slug"], name="unique_kiosk_slug_per_center")
        ]

    def __str__(self):
        return f"{self.center.title} {self.name}"


class KioskSlide(Orderable):
    kiosk = ParentalKey(Kiosk, on_delete=models.CASCADE, related_name="slides")
    kind = models.CharField(_("内容"), max_length=20, choices=SlideKind.choices)
    seconds = models.PositiveSmallIntegerField(_("显示秒数"), default=15)

    panels = [FieldRowPanel([FieldPanel("kind"), FieldPanel("seconds")])]

    class Meta(Orderable.Meta):
        verbose_name = _("轮播页")
        verbose_name_plural = _("轮播页")

    def __str__(self):
        return f"{self.get_kind_display()} {self.seconds}秒"
