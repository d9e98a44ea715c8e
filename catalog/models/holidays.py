"""Public holidays (法定节假日) and make-up workdays (调休上班日), as the State Council
announces them each year. ``catalog.opening`` reads the calendar to close the schedule
rows marked 法定节假日休息 and to open those marked 调休上班日按工作日开放.

Editors enter each year's official schedule here (the 2026 one is seeded by a migration,
see ``catalog.holiday_seed``).
"""

from datetime import date, datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.opening import LOCAL_TZ, DayCalendar


class DayKind(models.TextChoices):
    # The values catalog.opening compares with (opening.HOLIDAY, opening.MAKEUP_WORKDAY).
    HOLIDAY = "holiday", _("法定节假日（休息）")
    MAKEUP_WORKDAY = "makeup_workday", _("调休上班日")


class PublicHolidayQuerySet(models.QuerySet):
    def calendar(self, first: date, last: date) -> DayCalendar:
        """The holidays and make-up workdays from ``first`` to ``last``, in one query."""
        rows = self.filter(date__range=(first, last)).values_list("date", "kind", "name")
        return DayCalendar({day: (kind, name) for day, kind, name in rows})

    def calendar_at(self, moment: datetime) -> DayCalendar:
        """The calendar of the district-local date of the aware ``moment`` (and the days
        either side, for schedule rows kept in another UTC offset)."""
        day = moment.astimezone(LOCAL_TZ).date()
        return self.calendar(day - timedelta(days=1), day + timedelta(days=1))


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
