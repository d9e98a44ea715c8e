"""Taxonomies and their terms: kinds, topics, audiences, channels and guide fields travel
in HSDS as attributes of services pointing at these terms, holiday rules and dated
exceptions as attributes of schedules."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

# The taxonomy names of the shared catalog, and the HSDS attribute link_type of each.
KIND_TAXONOMY = "jiamenkou-service-kind"
TOPIC_TAXONOMY = "jiamenkou-topic"
AUDIENCE_TAXONOMY = "jiamenkou-audience"
CHANNEL_TAXONOMY = "jiamenkou-channel"
GUIDE_TAXONOMY = "jiamenkou-guide"
# Attributes of schedules, not of services: holiday rules and dated exceptions.
SCHEDULE_TAXONOMY = "jiamenkou-schedule"
LINK_TYPES = {
    KIND_TAXONOMY: "service_kind",
    TOPIC_TAXONOMY: "topic",
    AUDIENCE_TAXONOMY: "audience",
    CHANNEL_TAXONOMY: "channel",
    GUIDE_TAXONOMY: "guide",
    SCHEDULE_TAXONOMY: "schedule_rule",
}


class Taxonomy(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)
    uri = models.URLField(_("URI"), blank=True)
    version = models.CharField(_("版本"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("分类体系")
        verbose_name_plural = _("分类体系")
        ordering = ["name"]

    def __str__(self):
        return self.name


class TaxonomyTermQuerySet(models.QuerySet):
    def of(self, taxonomy_name: str):
        return self.filter(taxonomy__name=taxonomy_name)


class TaxonomyTerm(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.PROTECT, related_name="terms", verbose_name=_("分类体系")
    )
    code = models.CharField(_("代码"), max_length=50)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    language = models.CharField(_("语言"), max_length=10, blank=True, default="zh")
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = TaxonomyTermQuerySet.as_manager()

    class Meta:
        verbose_name = _("分类词")
        verbose_name_plural = _("分类词")
        ordering = ["taxonomy__name", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["taxonomy", "code"], name="unique_term_code_per_taxonomy"
            )
        ]

    def __str__(self):
        return self.name
