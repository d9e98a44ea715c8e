"""Rooms of a center (功能室): activities book them through their occurrences."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable


class Room(Orderable):
    """功能室: a room of a center that activities and services use."""

    center = ParentalKey("district.CenterPage", on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("名称"), max_length=60)
    floor = models.CharField(_("楼层"), max_length=20, blank=True, help_text=_("如：一楼"))
    capacity = models.PositiveIntegerField(_("容纳人数"), null=True, blank=True)
    area_m2 = models.PositiveIntegerField(_("面积（平方米）"), null=True, blank=True)
    description = models.CharField(_("用途说明"), max_length=200, blank=True)

    api_fields = ["name", "floor", "capacity", "area_m2", "description"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("floor")]),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("area_m2")]),
        FieldPanel("description"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("功能室")
        verbose_name_plural = _("功能室")
        constraints = [
            models.UniqueConstraint(fields=["center", "name"], name="unique_room_name_per_center"),
        ]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        """The room as residents find it: 二楼 书画室."""
        return " ".join(filter(None, [self.floor, self.name]))
