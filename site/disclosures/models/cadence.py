"""When each type of disclosure is due (按期公开): rules per center and type, defaults
for the district (``center`` empty), and which reminders went out."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from disclosures.models.kinds import DisclosureKind


class CadenceFrequency(models.TextChoices):
    MONTHLY = "month", _("每月")
    QUARTERLY = "quarter", _("每季度")
    YEARLY = "year", _("每年")
    MATTER = "matter", _("重大事项随时")


class CadenceRule(models.Model):
    """A type of disclosure is due every month, quarter or year by ``due_day`` of the month
    after the period ends; a major matter within ``within_days`` of its decision."""

    center = models.ForeignKey(
        "district.CenterPage",
        verbose_name=_("服务中心"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="disclosure_cadence_rules",
        help_text=_("留空为全区默认规则；中心有自己的规则时以中心为准"),
    )
    kind = models.CharField(_("公开类型"), max_length=20, choices=DisclosureKind.choices)
    frequency = models.CharField(_("频次"), max_length=20, choices=CadenceFrequency.choices)
    due_day = models.PositiveSmallIntegerField(
        _("次月几日前公开"), default=10, help_text=_("按月、季、年公开：期满后下一个月的第几日前")
    )
    within_days = models.PositiveSmallIntegerField(
        _("决定后几日内公开"), default=7, help_text=_("重大事项：作出决定后几日内公开")
    )
    remind_days_before = models.PositiveSmallIntegerField(
        _("提前几天提醒"), default=3, help_text=_("到期前几天给中心编辑发提醒邮件")
    )
    active = models.BooleanField(_("启用"), default=True)

    panels = [
        FieldPanel("center"),
        FieldPanel("kind"),
        FieldPanel("frequency"),
        FieldPanel("due_day"),
        FieldPanel("within_days"),
        FieldPanel("remind_days_before"),
        FieldPanel("active"),
    ]

    class Meta:
        verbose_name = _("公开频次规则")
        verbose_name_plural = _("公开频次规则")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "kind", "frequency"], name="disclosure_rule_per_center"
            ),
            models.UniqueConstraint(
                fields=["kind", "frequency"],
                condition=models.Q(center__isnull=True),
                name="disclosure_default_rule",
            ),
        ]

    def __str__(self):
        scope = self.center.title if self.center_id else "全区默认"
        return f"{scope}：{self.get_kind_display()}{self.get_frequency_display()}"


class ReminderSent(models.Model):
    """A reminder went to a center's editors for one due disclosure: sent once."""

    center = models.ForeignKey(
        "district.CenterPage", on_delete=models.CASCADE, related_name="disclosure_reminders"
    )
    kind = models.CharField(max_length=20, choices=DisclosureKind.choices)
    period_key = models.CharField(max_length=20)
    due_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["center", "kind", "period_key"], name="disclosure_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.center_id} {self.kind} {self.period_key}"
