"""Every published version of a disclosure, kept for the record with its fingerprint."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishedVersion(models.Model):
    """The content of a disclosure as it was published, numbered 1, 2 … Never changed:
    a correction publishes a new version with its correction note. ``content`` is the
    revision's content, copied so that purging revisions cannot erase the record."""

    page = models.ForeignKey(
        "disclosures.DisclosurePage", on_delete=models.CASCADE, related_name="published_versions"
    )
    number = models.PositiveIntegerField(_("版本"))
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.JSONField()
    fingerprint = models.CharField(_("指纹（SHA-256）"), max_length=64)
    correction_note = models.TextField(_("更正说明"), blank=True)
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("已发布版本")
        verbose_name_plural = _("已发布版本")
        ordering = ["page", "number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="disclosure_version_number")
        ]

    def __str__(self):
        return f"{self.page_id} 第{self.number}版"
