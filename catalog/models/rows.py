"""Abstract rows shared by several parents: phones and schedules (HSDS phone, schedule)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable


class PhoneRow(Orderable):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(_("号码"), max_length=40)
    extension = models.CharField(_("分机"), max_length=10, blank=True)
    type = models.CharField(_("类型"), max_length=20, blank=True, default="voice")
    description = models.CharField(_("说明"), max_length=200, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("extension")]),
        FieldPanel("description"),
    ]

    class Meta(Orderable.Meta):
        abstract = True
        verbose_name = _("电话")
        verbose_name_plural = _("电话")

    def __str__(self):
        return self.number


class ScheduleFrequency(models.TextChoices):
    WEEKLY = "WEEKLY", _("每周")
    MONTHLY = "MONTHLY", _("每月")


class ScheduleKind(models.TextChoices):
    """A row is either regular hours, or a dated exception that replaces them on the
    dates ``valid_from``–``valid_to`` (see ``catalog.opening``)."""

    REGULAR = "regular", _("常规开放时间")
    CLOSED = "closed", _("特定日期闭馆")
    SPECIAL_HOURS = "special_hours", _("特定日期特别开放时间")


class ScheduleRow(Orderable):
    """An iCalendar-like recurring opening period, as HSDS schedules are, or a dated
    exception (closed on a date, special hours on a date or a range)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(
        _("类型"),
        max_length=20,
        choices=ScheduleKind.choices,
        default=ScheduleKind.REGULAR,
        help_text=_(
            "特定日期闭馆或特别开放时间：填写生效日期和失效日期（只一天则两者相同），"
            "并在“说明”中写明原因，居民会看到。"
        ),
    )
    freq = models.CharField(
        _("频率"), max_length=10, choices=ScheduleFrequency.choices, default="WEEKLY"
    )
    interval = models.PositiveSmallIntegerField(_("间隔"), null=True, blank=True)
    byday = models.CharField(
        _("星期"),
        max_length=60,
        blank=True,
        help_text=_("如 MO,TU,WE,TH,FR；每月规则可写 1SA、-1FR"),
    )
    bymonthday = models.CharField(_("每月几号"), max_length=60, blank=True)
    dtstart = models.DateField(_("起始日"), null=True, blank=True)
    opens_at = models.TimeField(_("开始时间"), null=True, blank=True)
    closes_at = models.TimeField(_("结束时间"), null=True, blank=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    timezone = models.SmallIntegerField(_("时区（UTC偏移小时）"), null=True, blank=True, default=8)
    wkst = models.CharField(_("每周起始日"), max_length=2, blank=True, default="MO")
    description = models.CharField(_("说明"), max_length=200, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)
    attending_type = models.CharField(_("服务方式"), max_length=40, blank=True)
    closed_on_holidays = models.BooleanField(
        _("法定节假日休息"),
        default=False,
        help_text=_("按“法定节假日”日历，放假的日子不开放。"),
    )
    open_on_makeup_workdays = models.BooleanField(
        _("调休上班日按工作日开放"),
        default=False,
        help_text=_("周末调休上班的日子，按周一至周五的时间开放。"),
    )

    panels = [
        FieldPanel("kind"),
        FieldRowPanel(
            [
                FieldPanel("freq"),
                FieldPanel("byday"),
                FieldPanel("bymonthday"),
                FieldPanel("interval"),
            ]
        ),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
        FieldRowPanel([FieldPanel("closed_on_holidays"), FieldPanel("open_on_makeup_workdays")]),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to"), FieldPanel("dtstart")]),
        FieldPanel("description"),
        FieldPanel("notes"),
        FieldPanel("attending_type"),
    ]

    class Meta(Orderable.Meta):
        abstract = True
        verbose_name = _("时间安排")
        verbose_name_plural = _("时间安排")

    def __str__(self):
        from catalog.opening import describe_row

        return describe_row(self)

    @property
    def is_exception(self) -> bool:
        from catalog.opening import is_exception

        return is_exception(self)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": _("结束时间必须晚于开始时间。")})
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": _("失效日期不能早于生效日期。")})
        if self.is_exception:
            if not self.valid_from:
                raise ValidationError(
                    {"valid_from": _("特定日期的安排必须填写生效日期（哪一天起）。")}
                )
            if not self.valid_to:
                self.valid_to = self.valid_from
            if self.kind == ScheduleKind.SPECIAL_HOURS and not (self.opens_at and self.closes_at):
                raise ValidationError({"opens_at": _("特别开放时间必须填写开始时间和结束时间。")})
            if self.kind == ScheduleKind.CLOSED:
                self.opens_at = self.closes_at = None
