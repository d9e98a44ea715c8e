"""Public holidays (法定节假日) and make-up workdays (调休上班日), as the State Council
announces them each year. ``catalog.opening`` reads a day's kind to close the schedule
rows that rest on holidays and to open them on make-up workdays.

The catalog's schedules do not encode holidays; editors enter each year's official
schedule here (the 2026 one is seeded by a migration, see ``catalog.holiday_seed``).
"""

from datetime import date, datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.opening import LOCAL_TZ


class DayKind(models.TextChoices):
    # The values catalog.opening compares with (opening.HOLIDAY, opening.MAKEUP_WORKDAY).
    HOLIDAY = "holiday", _("法定节假日（休息）")
    MAKEUP_WORKDAY = "makeup_workday", _("调休上班日")


class PublicHolidayQuerySet(models.QuerySet):
    def kind_of(self, day: date) -> str:
        """The kind of ``day`` (a ``DayKind`` value), or "" for an ordinary day. One query:
        look it up once per moment and pass it to ``catalog.opening``, not per service."""
        return self.filter(date=day).values_list("kind", flat=True).first() or ""

    def kind_at(self, moment: datetime) -> str:
        """The kind of the district-local date of the aware ``moment``."""
        return self.kind_of(moment.astimezone(LOCAL_TZ).date())


class PublicHoliday(models.Model):
    date = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("名称"), max_length=40, help_text=_("如 春节、国庆节"))
    kind = models.CharField(
        _("类型"),
        max_length=20,
        choices=DayKind.choices,
        default=DayKind.HOLIDAY,
        help_text=_(
            "请按国务院办公厅每年发布的部分节假日安排通知逐日录入：放假的日子选“法定节假日”，"
            "调休需上班的周末选“调休上班日”。"
        ),
    )

    objects = PublicHolidayQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("法定节假日")
        verbose_name_plural = _("法定节假日")

    def __str__(self):
        return f"{self.date.isoformat()} {self.name}（{self.get_kind_display()}）"
