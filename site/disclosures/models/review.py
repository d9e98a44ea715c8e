"""Review before posting by the center's residents' supervision committee (居务监督委员会).

Members need no CMS account: the workflow task issues each member a signed, expiring,
single-use link (``ReviewLink``) to a review page where they approve or return the draft.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable, Task


class SupervisionCommittee(ClusterableModel):
    """A center's supervision committee: its members and how many must approve."""

    center = models.OneToOneField(
        "district.CenterPage",
        verbose_name=_("服务中心"),
        on_delete=models.CASCADE,
        related_name="supervision_committee",
    )
    quorum = models.PositiveSmallIntegerField(
        _("通过所需人数"), default=2, help_text=_("至少几位委员同意后才能发布")
    )
    link_valid_days = models.PositiveSmallIntegerField(_("审核链接有效天数"), default=7)

    panels = [
        FieldPanel("center"),
        FieldRowPanel([FieldPanel("quorum"), FieldPanel("link_valid_days")]),
        InlinePanel("members", label=_("委员"), heading=_("委员")),
    ]

    class Meta:
        verbose_name = _("居务监督委员会")
        verbose_name_plural = _("居务监督委员会")

    def __str__(self):
        return f"{self.center.title} 居务监督委员会"

    def active_members(self):
        """The members in office (在任), in the committee's order."""
        return self.members.filter(active=True).order_by("sort_order", "pk")


class CommitteeRole(models.TextChoices):
    CHAIR = "chair", _("主任")
    MEMBER = "member", _("委员")


class CommitteeMember(Orderable):
    committee = ParentalKey(SupervisionCommittee, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=40)
    role = models.CharField(
        _("职务"), max_length=20, choices=CommitteeRole.choices, default=CommitteeRole.MEMBER
    )
    mobile = models.CharField(
        _("手机号"),
        max_length=20,
        blank=True,
        help_text=_("用于发送审核链接；页面上只显示 138****5678"),
    )
    active = models.BooleanField(_("在任"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("role")]),
        FieldPanel("mobile"),
        FieldPanel("active"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("委员")
        verbose_name_plural = _("委员")

    def __str__(self):
        return f"{self.name}（{self.get_role_display()}）"


class SupervisionCommitteeTask(Task):
    """审核任务：居务监督委员会审核. The behaviour lives in disclosures/review.py."""

    admin_form_fields = Task.admin_form_fields

    def start(self, workflow_state, user=None):
        """Refuses (ReviewRefused) when the center has no committee able to reach its
        quorum; otherwise opens the task and issues every member in office a link."""
        from disclosures import review

        review.check_committee_ready(workflow_state.content_object)
        task_state = super().start(workflow_state, user=user)
        review.issue_links(task_state, user)
        return task_state

    def get_actions(self, obj, user):
        # The committee decides through its links; nobody approves in the CMS by accident.
        return []

    def locked_for_user(self, obj, user):
        return False

    @classmethod
    def get_description(cls):
        return _("居务监督委员会委员通过签名链接审核（无需账号），同意人数达到本中心规定人数后发布")

    class Meta:
        verbose_name = _("居务监督委员会审核")
        verbose_name_plural = _("居务监督委员会审核")


class ReviewLink(models.Model):
    """One member's link to review one task state. The URL carries a signed (link id,
    nonce); only the nonce's SHA-256 is stored, so the database cannot give links away."""

    task_state = models.ForeignKey(
        "wagtailcore.TaskState", on_delete=models.CASCADE, related_name="review_links"
    )
    member = models.ForeignKey(
        CommitteeMember, on_delete=models.CASCADE, related_name="review_links"
    )
    nonce_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("审核链接")
        verbose_name_plural = _("审核链接")

    def __str__(self):
        return f"{self.member} · {self.task_state_id}"


class ReviewDecisionKind(models.TextChoices):
    APPROVED = "approved", _("同意公开")
    RETURNED = "returned", _("退回修改")


class ReviewDecision(models.Model):
    """What a member decided on a draft, kept for the record (the member's name is copied:
    the record outlives a member's removal from the committee)."""

    task_state = models.ForeignKey(
        "wagtailcore.TaskState", on_delete=models.CASCADE, related_name="review_decisions"
    )
    page = models.ForeignKey(
        "disclosures.DisclosurePage", on_delete=models.CASCADE, related_name="review_decisions"
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(
        CommitteeMember, null=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    member_name = models.CharField(_("委员"), max_length=40)
    decision = models.CharField(_("意见"), max_length=20, choices=ReviewDecisionKind.choices)
    comment = models.TextField(_("说明"), blank=True)
    decided_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核意见")
        verbose_name_plural = _("审核意见")
        ordering = ["decided_at", "pk"]

    def __str__(self):
        return f"{self.member_name}：{self.get_decision_display()}"
