"""Catalog facts editors set themselves."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="date")
class CatalogSettings(BaseGenericSetting):
    stale_after_days = models.PositiveSmallIntegerField(
        _("核实有效期（天）"),
        default=365,
        help_text=_(
            "超过这么多天未核实的服务，在后台标记为“待核实”，在前台提示居民以电话确认为准。"
        ),
    )

    panels = [FieldPanel("stale_after_days")]

    class Meta:
        verbose_name = _("服务目录设置")
