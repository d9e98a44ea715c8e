"""What is disclosed (the four types) and the period a disclosure covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _


class DisclosureKind(models.TextChoices):
    PARTY = "party", _("党务公开")
    AFFAIRS = "affairs", _("居务公开")
    FINANCE = "finance", _("财务公开")
    SERVICE = "service", _("服务公开")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")
    MATTER = "matter", _("重大事项")


@dataclass(frozen=True, order=True)
class Period:
    """The period a disclosure covers: a month, a quarter, a year, or the date of a major
    matter's decision. ``key`` is stable text for lookups ("2026-10", "2026-Q3", "2026",
    "2026-11-05")."""

    kind: str
    year: int
    number: int | None = None
    on: date | None = None

    @property
    def key(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}-Q{self.number}"
        if self.kind == PeriodKind.YEAR:
            return str(self.year)
        return self.on.isoformat()

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}年{self.number}月"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}年第{self.number}季度"
        if self.kind == PeriodKind.YEAR:
            return f"{self.year}年度"
        return f"{self.on.year}年{self.on.month}月{self.on.day}日"

    @property
    def starts_on(self) -> date:
        if self.kind == PeriodKind.MONTH:
            return date(self.year, self.number, 1)
        if self.kind == PeriodKind.QUARTER:
            return date(self.year, 3 * self.number - 2, 1)
        if self.kind == PeriodKind.YEAR:
            return date(self.year, 1, 1)
        return self.on

    @property
    def ends_on(self) -> date:
        """The period's last day."""
        from datetime import timedelta

        if self.kind == PeriodKind.MONTH:
            return _next_month_start(self.year, self.number) - timedelta(days=1)
        if self.kind == PeriodKind.QUARTER:
            return _next_month_start(self.year, 3 * self.number) - timedelta(days=1)
        if self.kind == PeriodKind.YEAR:
            return date(self.year, 12, 31)
        return self.on

    def following(self) -> Period:
        """The next period of the same kind (a major matter has none: itself)."""
        if self.kind == PeriodKind.MONTH:
            return Period(self.kind, self.year + self.number // 12, self.number % 12 + 1)
        if self.kind == PeriodKind.QUARTER:
            return Period(self.kind, self.year + self.number // 4, self.number % 4 + 1)
        if self.kind == PeriodKind.YEAR:
            return Period(self.kind, self.year + 1)
        return self

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        """The month, quarter or year (``kind``) that ``day`` falls in."""
        if kind == PeriodKind.MONTH:
            return cls(kind, day.year, day.month)
        if kind == PeriodKind.QUARTER:
            return cls(kind, day.year, (day.month - 1) // 3 + 1)
        if kind == PeriodKind.YEAR:
            return cls(kind, day.year)
        return cls(kind, day.year, on=day)


def _next_month_start(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)
