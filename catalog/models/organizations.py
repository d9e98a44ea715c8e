"""Providers of services: government departments, social organisations, firms, volunteers."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel

from catalog.models.rows import PhoneRow


class ProviderType(models.TextChoices):
    GOVERNMENT = "government", _("政府部门")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    MASS_ORGANISATION = "mass_organisation", _("群团组织")
    SOCIAL_ORGANISATION = "social_organisation", _("社会组织")
    VOLUNTEER_TEAM = "volunteer_team", _("志愿服务组织")
    ENTERPRISE = "enterprise", _("企业")


# HSDS legal_status (统一社会信用代码登记的法人类型) → provider type.
PROVIDER_TYPE_BY_LEGAL_STATUS = {
    "机关法人": ProviderType.GOVERNMENT,
    "党的机关": ProviderType.GOVERNMENT,
    "事业单位法人": ProviderType.PUBLIC_INSTITUTION,
    "群团组织": ProviderType.MASS_ORGANISATION,
    "社会服务机构": ProviderType.SOCIAL_ORGANISATION,
    "社会团体法人": ProviderType.SOCIAL_ORGANISATION,
    "民办非企业单位": ProviderType.SOCIAL_ORGANISATION,
    "志愿服务组织": ProviderType.VOLUNTEER_TEAM,
    "律师事务所（合伙）": ProviderType.ENTERPRISE,
    "有限责任公司": ProviderType.ENTERPRISE,
    "个体工商户": ProviderType.ENTERPRISE,
}


class Organization(ClusterableModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("名称"), max_length=200)
    alternate_name = models.CharField(_("简称"), max_length=200, blank=True)
    description = models.TextField(_("简介"), blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    website = models.URLField(_("网站"), blank=True)
    legal_status = models.CharField(_("法人类型"), max_length=50, blank=True)
    year_incorporated = models.PositiveSmallIntegerField(_("成立年份"), null=True, blank=True)
    parent_organization = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("alternate_name"),
        FieldPanel("legal_status"),
        FieldPanel("description"),
        FieldPanel("email"),
        FieldPanel("website"),
        FieldPanel("year_incorporated"),
        FieldPanel("parent_organization"),
        InlinePanel("phones", label=_("电话")),
    ]

    class Meta:
        verbose_name = _("服务提供方")
        verbose_name_plural = _("服务提供方")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def provider_type(self) -> str | None:
        return PROVIDER_TYPE_BY_LEGAL_STATUS.get(self.legal_status)

    def get_provider_type_display(self) -> str:
        provider_type = self.provider_type
        return ProviderType(provider_type).label if provider_type else ""


class OrganizationPhone(PhoneRow):
    organization = ParentalKey(Organization, on_delete=models.CASCADE, related_name="phones")
