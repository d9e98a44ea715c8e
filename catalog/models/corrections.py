"""纠错: residents report that a service's information is wrong; editors handle the queue."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models.services import Service


class CorrectionReason(models.TextChoices):
    PHONE = "phone", _("电话打不通或有误")
    ADDRESS = "address", _("地址或地点有误")
    HOURS = "hours", _("办理时间有误")
    DOCUMENTS = "documents", _("申请材料或流程有误")
    FEES = "fees", _("收费有误")
    DISCONTINUED = "discontinued", _("服务已停办")
    OTHER = "other", _("其他")


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    HANDLED = "handled", _("已处理")


class CorrectionReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=CorrectionStatus.OPEN)


class CorrectionReport(models.Model):
    service = models.ForeignKey(
        Service, verbose_name=_("服务"), on_delete=models.CASCADE, related_name="corrections"
    )
    center = models.ForeignKey(
        "district.CenterPage",
        verbose_name=_("反映所在中心"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("问题类型"), max_length=20, choices=CorrectionReason.choices)
    details = models.TextField(_("具体情况"), max_length=500, blank=True)
    contact = models.CharField(
        _("联系方式"),
        max_length=40,
        blank=True,
        help_text=_("居民自愿留下，仅用于回访，后台显示时隐去中间位数"),
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handling_note = models.TextField(_("处理说明"), blank=True)

    objects = CorrectionReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("纠错反馈")
        verbose_name_plural = _("纠错反馈")
        ordering = ["status", "-created_at"]

    def __str__(self):
        return f"{self.service} · {self.get_reason_display()}"
