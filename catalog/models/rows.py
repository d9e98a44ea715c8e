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


class ScheduleRow(Orderable):
    """An iCalendar-like recurring opening period, as HSDS schedules are."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
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

    panels = [
        FieldRowPanel(
            [
                FieldPanel("freq"),
                FieldPanel("byday"),
                FieldPanel("bymonthday"),
                FieldPanel("interval"),
            ]
        ),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to"), FieldPanel("dtstart")]),
        FieldPanel("description"),
        FieldPanel("notes"),
        FieldPanel("attending_type"),
    ]

    class Meta(Orderable.Meta):
        abstract = True
        verbose_name = _("时间安排")
        verbose_name_plural = _("时间安排")

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": _("结束时间必须晚于开始时间。")})
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": _("失效日期不能早于生效日期。")})
