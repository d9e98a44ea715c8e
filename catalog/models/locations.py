"""Places where services are offered. Each center of the district is one HSDS location,
linked to its CenterPage by the center code (HSDS ``external_identifier``).

A center's place facts — address, coordinates, phones, accessibility, transportation and
opening hours (with holiday rules and dated exceptions) — are stored here and only here:
the center page shows them and links its editors to this record's form.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable

from catalog.models.organizations import Organization
from catalog.models.rows import PhoneRow, ScheduleRow

CENTER_CODE_IDENTIFIER_TYPE = "jiamenkou-center-code"


class Location(ClusterableModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location_type = models.CharField(_("类型"), max_length=20, default="physical")
    name = models.CharField(_("名称"), max_length=200)
    alternate_name = models.CharField(_("别名"), max_length=200, blank=True)
    description = models.TextField(_("说明"), blank=True)
    transportation = models.TextField(_("交通指引"), blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    external_identifier = models.CharField(_("外部编码"), max_length=50, blank=True, db_index=True)
    external_identifier_type = models.CharField(_("外部编码类型"), max_length=50, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="locations",
    )
    center = models.OneToOneField(
        "district.CenterPage",
        verbose_name=_("服务中心"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="location",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("alternate_name"),
        FieldPanel("center"),
        FieldPanel("organization"),
        FieldPanel("description"),
        FieldPanel("transportation"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
        FieldRowPanel([FieldPanel("external_identifier"), FieldPanel("external_identifier_type")]),
        InlinePanel("addresses", label=_("地址")),
        InlinePanel("phones", label=_("电话")),
        InlinePanel("schedules", label=_("开放时间")),
        InlinePanel("accessibility", label=_("无障碍设施")),
    ]

    class Meta:
        verbose_name = _("服务地点")
        verbose_name_plural = _("服务地点")
        ordering = ["external_identifier", "name"]

    def __str__(self):
        return self.name

    # -- what pages show (each reads the rows through .all(), so a prefetch serves it) ----

    @property
    def address(self) -> "LocationAddress | None":
        return next(iter(self.addresses.all()), None)

    @property
    def phone(self) -> "LocationPhone | None":
        return next(iter(self.phones.all()), None)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def regular_hours(self) -> list:
        return [row for row in self.schedules.all() if not row.is_exception]

    def hours_lines(self) -> list[tuple[str, str]]:
        """The regular hours as residents read them: (每周一至周五, 08:30–12:00，13:00–17:30)."""
        from catalog.opening import summarize_hours

        return summarize_hours(self.schedules.all())

    def dated_exceptions(self, since) -> list:
        """The dated exceptions (closures, special hours) that end on or after ``since``."""
        return [
            row
            for row in self.schedules.all()
            if row.is_exception and (row.valid_to or row.valid_from) >= since
        ]

    def holiday_rules(self) -> list[str]:
        """How the regular hours meet public holidays and make-up workdays, in words."""
        from catalog.opening import describe_holidays

        return list(dict.fromkeys(filter(None, map(describe_holidays, self.regular_hours()))))


class LocationAddress(Orderable):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = ParentalKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(_("收件人"), max_length=100, blank=True)
    address_1 = models.CharField(_("地址"), max_length=200)
    address_2 = models.CharField(_("详细位置"), max_length=200, blank=True)
    city = models.CharField(_("城市"), max_length=60)
    region = models.CharField(_("区县"), max_length=60, blank=True)
    state_province = models.CharField(_("省/直辖市"), max_length=60)
    postal_code = models.CharField(_("邮政编码"), max_length=10)
    country = models.CharField(_("国家"), max_length=2, default="CN")
    address_type = models.CharField(_("地址类型"), max_length=20, default="physical")

    class Meta(Orderable.Meta):
        verbose_name = _("地址")
        verbose_name_plural = _("地址")

    def __str__(self):
        return self.street_line

    @property
    def street_line(self) -> str:
        """The address as residents read it: 津海市海河东区春华路118号."""
        return f"{self.state_province}{self.region}{self.address_1}"


class LocationPhone(PhoneRow):
    location = ParentalKey(Location, on_delete=models.CASCADE, related_name="phones")


class LocationSchedule(ScheduleRow):
    location = ParentalKey(Location, on_delete=models.CASCADE, related_name="schedules")


class LocationAccessibility(Orderable):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = ParentalKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = models.TextField(_("说明"))
    details = models.TextField(_("详情"), blank=True)
    url = models.URLField(_("网址"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("无障碍设施")
        verbose_name_plural = _("无障碍设施")
