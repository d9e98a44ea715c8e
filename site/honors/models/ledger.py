"""The points ledger (积分): who earns points, the entries (never edited or deleted, only
reversed by a counter-entry), the star levels, and residents' look-up codes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel


class ParticipantKind(models.TextChoices):
    PERSON = "person", _("个人")
    TEAM = "team", _("团队")


class Participant(models.Model):
    """A person or team that earns points, identified by a mobile number (stored, shown
    masked) or a volunteer number (志愿者编号), never by a published number."""

    kind = models.CharField(
        _("类型"), max_length=10, choices=ParticipantKind.choices, default=ParticipantKind.PERSON
    )
    name = models.CharField(_("姓名或团队名"), max_length=60)
    mobile = models.CharField(_("手机号"), max_length=11, blank=True, db_index=True)
    volunteer_number = models.CharField(
        _("志愿者编号"), max_length=30, null=True, blank=True, unique=True
    )
    center = models.ForeignKey(
        "district.CenterPage",
        verbose_name=_("所属中心"),
        on_delete=models.PROTECT,
        related_name="participants",
    )
    name_consent = models.BooleanField(
        _("同意在积分榜显示全名"), default=False, help_text=_("未勾选时显示“张*明”")
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    panels = [
        FieldPanel("kind"),
        FieldPanel("name"),
        FieldPanel("mobile"),
        FieldPanel("volunteer_number"),
        FieldPanel("center"),
        FieldPanel("name_consent"),
    ]

    class Meta:
        verbose_name = _("积分对象")
        verbose_name_plural = _("积分对象")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "mobile"],
                condition=~models.Q(mobile=""),
                name="participant_mobile_per_center",
            )
        ]

    def __str__(self):
        return self.name


class PointsSource(models.TextChoices):
    MANUAL = "manual", _("编辑录入")
    IMPORT = "import", _("表格导入")
    ATTENDANCE = "attendance", _("活动签到")
    CHECK_IN = "check_in", _("在职党员报到")
    REVERSAL = "reversal", _("冲正")


class LedgerImmutable(Exception):
    """A ledger entry was to be changed or deleted: entries are only ever added (a
    mistake is reversed by a counter-entry, honors.ledger.reverse)."""


IMMUTABLE_MESSAGE = "积分记录一经写入不能修改或删除，如有错误请冲正。"


class PointsEntryQuerySet(models.QuerySet):
    """Refuses bulk changes: ``update()`` and ``delete()`` raise LedgerImmutable. (Django's
    deletion collector uses the plain base manager, so a deleted sign-up still only
    clears ``sign_up`` on its entries.)"""

    def update(self, **kwargs):
        raise LedgerImmutable(IMMUTABLE_MESSAGE)

    def delete(self):
        raise LedgerImmutable(IMMUTABLE_MESSAGE)

    def bulk_update(self, objs, fields, batch_size=None):
        raise LedgerImmutable(IMMUTABLE_MESSAGE)

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise LedgerImmutable(IMMUTABLE_MESSAGE)


class PointsEntry(models.Model):
    """One line of the ledger. Never changed once written: a mistake is reversed by a
    counter-entry (``reverses``) with its reason. ``save()`` only inserts; updates and
    deletes, one by one or in bulk, raise LedgerImmutable. Entries are written through
    honors.ledger.record / reverse."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("积分对象"), on_delete=models.PROTECT, related_name="entries"
    )
    center = models.ForeignKey(
        "district.CenterPage",
        verbose_name=_("记分中心"),
        on_delete=models.PROTECT,
        related_name="points_entries",
    )
    points = models.IntegerField(_("积分"))
    reason = models.CharField(_("事由"), max_length=200)
    date = models.DateField(_("日期"))
    source = models.CharField(_("来源"), max_length=20, choices=PointsSource.choices)
    sign_up = models.ForeignKey(
        "activities.SignUp",
        verbose_name=_("活动签到"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="points_entries",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = PointsEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["center", "date"]), models.Index(fields=["date"])]

    def __str__(self):
        return f"{self.participant} {self.points:+d} {self.reason}"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise LedgerImmutable(IMMUTABLE_MESSAGE)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutable(IMMUTABLE_MESSAGE)


class StarLevel(models.Model):
    """一星 … 五星志愿者: reached at ``min_points`` points in all (thresholds set here)."""

    stars = models.PositiveSmallIntegerField(_("星级"), unique=True)
    name = models.CharField(_("名称"), max_length=20)
    min_points = models.PositiveIntegerField(_("所需累计积分"))

    panels = [FieldPanel("stars"), FieldPanel("name"), FieldPanel("min_points")]

    class Meta:
        verbose_name = _("星级标准")
        verbose_name_plural = _("星级标准")
        ordering = ["stars"]

    def __str__(self):
        return f"{self.name}（{self.min_points}分）"


class LookupChannel(models.TextChoices):
    SMS = "sms", _("短信验证码")
    SLIP = "slip", _("打印查询凭条")


class LookupCode(models.Model):
    """A code that lets a resident see their own points: sent by SMS (when a gateway is
    configured) or printed on a slip at the center. Only its hash is stored."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="lookup_codes"
    )
    channel = models.CharField(max_length=10, choices=LookupChannel.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("查询码")
        verbose_name_plural = _("查询码")

    def __str__(self):
        return f"{self.participant_id} {self.channel}"
