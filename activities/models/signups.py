"""Sign-ups (报名) for one occurrence: confirmed within capacity, else on the waitlist."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    CANCELLED = "cancelled", _("已取消")


class SignUp(models.Model):
    occurrence = models.ForeignKey(
        "activities.Occurrence",
        verbose_name=_("场次"),
        on_delete=models.CASCADE,
        related_name="sign_ups",
    )
    name = models.CharField(_("姓名"), max_length=40)
    # Stored whole for the organiser's export only; shown masked everywhere else
    # (jiamenkou.privacy.mask_personal_numbers).
    phone = models.CharField(_("手机号"), max_length=11)
    status = models.CharField(_("状态"), max_length=12, choices=SignUpStatus.choices)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("候补转正时间"), null=True, blank=True)
    attended = models.BooleanField(_("已签到"), default=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "phone"],
                condition=~Q(status="cancelled"),
                name="one_live_sign_up_per_phone",
            )
        ]

    def __str__(self):
        from jiamenkou.privacy import mask_personal_numbers

        return f"{self.name} {mask_personal_numbers(self.phone)}"
