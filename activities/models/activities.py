"""Activities (活动) and the exceptions to their schedules.

The schedule is RFC 5545's: a first date (DTSTART) with times or all day, an optional
recurrence rule (FREQ, INTERVAL, BYDAY, BYMONTHDAY, UNTIL, COUNT) and per-occurrence
exceptions (a cancelled or moved occurrence, as iCalendar's EXDATE and RECURRENCE-ID
overrides). Field names follow the catalog's schedule rows (``freq``, ``byday``,
``dtstart``, ``interval``) so that ``catalog.opening``'s helpers read both.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from catalog.models.taxonomy import AUDIENCE_TAXONOMY


class ActivityKind(models.Model):
    """活动类型: an editable list (党群活动, 文体康养, 四点半课堂 …)."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("活动类型")
        verbose_name_plural = _("活动类型")

    def __str__(self):
        return self.name


class ActivityCost(models.TextChoices):
    # The values of catalog.models.services.CostCategory, limited to what activities charge.
    FREE = "free", _("免费")
    LOW_COST = "low_cost", _("低偿")


class Frequency(models.TextChoices):
    ONCE = "", _("单次")
    DAILY = "DAILY", _("每天")
    WEEKLY = "WEEKLY", _("每周")
    MONTHLY = "MONTHLY", _("每月")


class Activity(ClusterableModel):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    center = models.ForeignKey(
        "district.CenterPage",
        verbose_name=_("所属中心"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    title = models.CharField(_("活动名称"), max_length=100)
    description = models.TextField(_("活动介绍"), blank=True)
    kind = models.ForeignKey(
        ActivityKind, verbose_name=_("活动类型"), on_delete=models.PROTECT, related_name="+"
    )
    organizer = models.ForeignKey(
        "catalog.Organization",
        verbose_name=_("主办方"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        help_text=_("部门、社会组织、志愿服务队、居民自组织或共建单位（在服务提供方中维护）"),
    )
    audiences = ParentalManyToManyField(
        "catalog.TaxonomyTerm",
        verbose_name=_("活动对象"),
        related_name="activities_by_audience",
        limit_choices_to={"taxonomy__name": AUDIENCE_TAXONOMY},
        blank=True,
    )
    cost = models.CharField(
        _("收费"), max_length=10, choices=ActivityCost.choices, default=ActivityCost.FREE
    )
    price = models.DecimalField(
        _("价格（元）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    price_unit = models.CharField(
        _("计价单位"), max_length=30, blank=True, default="元/次", help_text=_("如：元/次")
    )
    market_reference_price = models.DecimalField(
        _("市场参考价（元）"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("低偿活动必填，价格须低于此价"),
    )
    capacity = models.PositiveIntegerField(
        _("人数上限"), null=True, blank=True, help_text=_("不限人数请留空")
    )
    signup_required = models.BooleanField(_("需要报名"), default=False)
    points = models.PositiveSmallIntegerField(
        _("签到积分"),
        default=0,
        help_text=_("每位签到的参加者记入积分榜的分数；0 表示不计积分"),
    )
    room = models.ForeignKey(
        "activities.Room",
        verbose_name=_("功能室"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    place_note = models.CharField(
        _("地点说明"),
        max_length=100,
        blank=True,
        help_text=_("不在功能室举办时填写，如：小区中心广场"),
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("对应服务事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        help_text=_("活动是某项服务的一次提供时选择（如每周义诊），服务指南会列出近期场次"),
    )

    # -- the schedule (RFC 5545) ----------------------------------------------------------
    dtstart = models.DateField(_("首次日期"))
    all_day = models.BooleanField(_("全天活动"), default=False)
    start_time = models.TimeField(_("开始时间"), null=True, blank=True)
    end_time = models.TimeField(_("结束时间"), null=True, blank=True)
    freq = models.CharField(
        _("重复"), max_length=10, choices=Frequency.choices, default=Frequency.ONCE, blank=True
    )
    interval = models.PositiveSmallIntegerField(
        _("间隔"), default=1, help_text=_("每隔几周（月）一次；1 表示每周（月）")
    )
    byday = models.CharField(
        _("星期"),
        max_length=40,
        blank=True,
        help_text=_(
            "每周：如 TU,TH（周二、周四）；每月：如 2SA（第二个周六）、-1FR（最后一个周五）"
        ),
    )
    bymonthday = models.CharField(
        _("每月几号"), max_length=40, blank=True, help_text=_("每月：如 10 或 1,15")
    )
    until = models.DateField(_("重复截止日期"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("重复次数"), null=True, blank=True)
    skip_holidays = models.BooleanField(
        _("法定节假日停开"), default=False, help_text=_("按“法定节假日”日历，放假的日子不举办。")
    )
    runs_on_makeup_workdays = models.BooleanField(
        _("调休上班日照常举办"),
        default=False,
        help_text=_("每周一至周五的活动，在周末调休上班的日子也举办。"),
    )
    # Occurrences exist up to here (open-ended rules are expanded a year ahead and
    # extended daily by activities.tasks.extend_activity_schedules).
    scheduled_until = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["center", "title"]
        verbose_name = _("活动")
        verbose_name_plural = _("活动")

    def __str__(self):
        return self.title

    # The catalog's schedule rows call it so (catalog.opening.works_on_makeup_days).
    @property
    def wkst(self):
        return "MO"

    @property
    def place_label(self) -> str:
        """Where it happens, as residents read it: 二楼 书画室, or the place note."""
        return self.room.label if self.room is not None else self.place_note

    @property
    def price_label(self) -> str:
        from activities.prices import activity_price_label

        return activity_price_label(self)

    def get_url(self, request=None) -> str | None:
        """This activity's page on its center's programme (活动节目单), or None when the
        center has no live programme page."""
        from activities.pages import activity_url, activity_urls

        return activity_url(activity_urls([self.center_id], request), self)

    def clean(self):
        from activities.prices import activity_price_problems
        from activities.recurrence import schedule_problems

        errors: dict[str, list[str]] = {}
        for field_name, message in [*schedule_problems(self), *activity_price_problems(self)]:
            errors.setdefault(field_name, []).append(message)
        if self.room_id and self.center_id and self.room.center_id != self.center_id:
            errors.setdefault("room", []).append("只能选择本中心的功能室。")
        if self.signup_required and not self.capacity:
            errors.setdefault("capacity", []).append("需要报名的活动必须填写人数上限。")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """Saves the activity and its exceptions, then (re)builds its occurrences through
        ``activities.scheduling.schedule_activity``, in one transaction: a room clash
        raises ``RoomClash`` and nothing is saved. Every way of saving an activity comes
        through here, so none can bypass the clash check."""
        from django.db import transaction

        from activities.scheduling import schedule_activity

        with transaction.atomic():
            super().save(*args, **kwargs)
            schedule_activity(self)


class ExceptionAction(models.TextChoices):
    CANCEL = "cancel", _("取消这一次")
    MOVE = "move", _("改期或换场地")


class ActivityException(Orderable):
    """One occurrence cancelled or moved, with the reason residents see."""

    activity = ParentalKey(Activity, on_delete=models.CASCADE, related_name="exceptions")
    occurrence_date = models.DateField(_("原定日期"))
    action = models.CharField(
        _("调整"), max_length=10, choices=ExceptionAction.choices, default=ExceptionAction.CANCEL
    )
    new_date = models.DateField(_("改到日期"), null=True, blank=True)
    new_start_time = models.TimeField(_("改到开始时间"), null=True, blank=True)
    new_end_time = models.TimeField(_("改到结束时间"), null=True, blank=True)
    new_room = models.ForeignKey(
        "activities.Room",
        verbose_name=_("改到功能室"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("原因"), max_length=200, help_text=_("居民会看到，如：场地维修"))

    class Meta(Orderable.Meta):
        verbose_name = _("调整（取消或改期）")
        verbose_name_plural = _("调整（取消或改期）")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "occurrence_date"], name="one_exception_per_occurrence"
            )
        ]

    def __str__(self):
        return f"{self.occurrence_date.isoformat()} {self.get_action_display()}"

    def clean(self):
        errors = {}
        if self.action == ExceptionAction.MOVE:
            if not (self.new_date or self.new_start_time or self.new_room_id):
                errors["new_date"] = "改期请填写新的日期、时间或功能室。"
            if (self.new_start_time is None) != (self.new_end_time is None):
                errors["new_end_time"] = "新的开始时间和结束时间要一起填写。"
            elif self.new_start_time and self.new_end_time <= self.new_start_time:
                errors["new_end_time"] = "结束时间必须晚于开始时间。"
        if errors:
            raise ValidationError(errors)
