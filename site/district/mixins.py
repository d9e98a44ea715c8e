"""Abstract field groups shared by pages; each brings its own panels."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("周一")
    TUESDAY = 1, _("周二")
    WEDNESDAY = 2, _("周三")
    THURSDAY = 3, _("周四")
    FRIDAY = 4, _("周五")
    SATURDAY = 5, _("周六")
    SUNDAY = 6, _("周日")


class OpeningHoursRow(models.Model):
    """One opening period on one weekday; a lunch break is two rows for the same day."""

    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    opens_at = models.TimeField(_("开门时间"))
    closes_at = models.TimeField(_("关门时间"))

    panels = [
        FieldRowPanel([FieldPanel("weekday"), FieldPanel("opens_at"), FieldPanel("closes_at")])
    ]

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": _("关门时间必须晚于开门时间。")})


class LocationMixin(models.Model):
    """Where a place is: a postal address and map coordinates (WGS 84 degrees)."""

    address = models.CharField(_("地址"), max_length=200, blank=True)
    address_detail = models.CharField(
        _("详细位置"), max_length=200, blank=True, help_text=_("楼栋、门口等补充说明")
    )
    postal_code = models.CharField(_("邮政编码"), max_length=6, blank=True)
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    transportation = models.TextField(_("交通指引"), blank=True)

    location_panels = [
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("address_detail"),
                FieldPanel("postal_code"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                FieldPanel("transportation"),
            ],
            heading=_("位置"),
        )
    ]

    class Meta:
        abstract = True

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class BasicFiguresMixin(models.Model):
    """The base data every center must publish (基础数据必有)."""

    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    residents = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    grids = models.PositiveIntegerField(_("网格数"), null=True, blank=True)
    figures_as_of = models.DateField(_("数据截至"), null=True, blank=True)

    figures_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("households"), FieldPanel("residents"), FieldPanel("grids")]
                ),
                FieldPanel("figures_as_of"),
            ],
            heading=_("基础数据"),
        )
    ]

    class Meta:
        abstract = True

    @property
    def has_figures(self) -> bool:
        return any(v is not None for v in (self.households, self.residents, self.grids))
