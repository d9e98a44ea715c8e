"""Review before posting by the center's supervision committee (居务监督委员会).

A disclosure submitted to the workflow "公开审核（居务监督委员会）" waits on one
``SupervisionCommitteeTask``. Its members need no CMS account: each gets a signed, expiring,
single-use link (``issue_links``) to the public review page, where they approve or return
the draft (``verify`` then ``decide``). Once approvals reach the committee's quorum the task
is approved and Wagtail publishes the reviewed revision; one return sends it back at once.

A link's token is ``signing.dumps({"l": link id, "n": nonce})``: the signature stops
guessing and tampering, and only the nonce's SHA-256 is stored, so neither the database
nor a backup gives links away. The URL therefore exists only when it is issued: the
editor who issues it sees it then (``take_fresh_links``), and issues new ones (which void
the member's older unused link) when a link is lost.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.signals import request_finished
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from wagtail.models import TaskState, Workflow, WorkflowPage, WorkflowTask

from disclosures.models import (
    CommitteeMember,
    DisclosureBoardPage,
    ReviewDecision,
    ReviewDecisionKind,
    ReviewLink,
    SupervisionCommittee,
    SupervisionCommitteeTask,
)

SALT = "disclosures.review"
WORKFLOW_NAME = "公开审核（居务监督委员会）"
TASK_NAME = "居务监督委员会审核"

INVALID = "链接无效"
EXPIRED = "链接已过期"
USED = "链接已使用"
SUPERSEDED = "链接已作废：已为您生成了新的审核链接，请使用最新的链接"
NOT_IN_REVIEW = "该公开事项已不在审核中"
NOT_A_MEMBER = "您已不是在任的居务监督委员会委员，链接已失效"
ALREADY_DECIDED = "您已对这条公开事项提出过意见，每位委员只算一次"


class ReviewRefused(ValidationError):
    """A review step that cannot happen, with the reason in Chinese for the person."""


# -- the committee --------------------------------------------------------------------


def committee_of(center) -> SupervisionCommittee | None:
    if center is None:
        return None
    return SupervisionCommittee.objects.filter(center=center).first()


def committee_problem(center) -> str | None:
    """Why ``center``'s disclosures cannot go to review now, or None when they can."""
    committee = committee_of(center)
    if committee is None:
        name = center.title if center is not None else "本中心"
        return (
            f"{name}还没有设置居务监督委员会，公开事项无法提交审核。"
            "请先在“居务监督委员会”中添加委员和通过所需人数。"
        )
    in_office = committee.active_members().count()
    if in_office < committee.quorum:
        return (
            f"{committee}的在任委员只有{in_office}人，少于通过所需的{committee.quorum}人，"
            "公开事项无法提交审核。请在“居务监督委员会”中补充委员或调整人数。"
        )
    return None


def check_committee_ready(page) -> None:
    """Raises ReviewRefused when ``page``'s center cannot review it (see committee_problem)."""
    problem = committee_problem(getattr(page.specific, "center", None))
    if problem:
        raise ReviewRefused(problem)


def review_page(task_state):
    """The disclosure under review (the live page object, specific)."""
    return task_state.workflow_state.content_object.specific


# -- links ----------------------------------------------------------------------------

_fresh = threading.local()


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def issue_links(task_state, user=None, members=None) -> list[tuple[CommitteeMember, str]]:
    """New links for ``members`` (default: every member in office) to review ``task_state``;
    each voids the member's older unused links to it. Returns (member, URL path) pairs;
    the URLs are nowhere else: pass them on now (they are also kept for this thread's
    request, see take_fresh_links)."""
    page = review_page(task_state)
    committee = committee_of(page.center)
    if committee is None:
        raise ReviewRefused(committee_problem(page.center))
    if members is None:
        # Members who have already given their view on this draft need no new link.
        decided = ReviewDecision.objects.filter(task_state=task_state).values("member_id")
        members = list(committee.active_members().exclude(pk__in=decided))
    expires_at = timezone.now() + timedelta(days=committee.link_valid_days)
    issued = []
    for member in members:
        nonce = secrets.token_urlsafe(32)
        link = ReviewLink.objects.create(
            task_state=task_state,
            member=member,
            nonce_hash=_hash(nonce),
            created_by=user if getattr(user, "is_authenticated", False) else None,
            expires_at=expires_at,
        )
        token = signing.dumps({"l": link.pk, "n": nonce}, salt=SALT)
        issued.append((member, reverse("disclosures:review", args=[token])))
    fresh = getattr(_fresh, "links", {})
    fresh.setdefault(task_state.pk, []).extend(issued)
    _fresh.links = fresh
    return issued


@receiver(request_finished)
def forget_fresh_links(**kwargs):
    """Links nobody took during a request (a task restarted by a member's approval) are
    not kept in the thread beyond it."""
    _fresh.links = {}


def take_fresh_links(task_state_id) -> list[tuple[CommitteeMember, str]]:
    """The links issued for ``task_state_id`` in this thread since the last call (the
    admin hands those issued by the workflow's start to the editor who submitted)."""
    return getattr(_fresh, "links", {}).pop(task_state_id, [])


def link_problem(link: ReviewLink) -> str | None:
    """Why ``link`` cannot be used now, or None."""
    if link.used_at is not None:
        return USED
    newer = ReviewLink.objects.filter(
        task_state_id=link.task_state_id, member_id=link.member_id, pk__gt=link.pk
    )
    if newer.exists():
        return SUPERSEDED
    if link.expires_at <= timezone.now():
        return EXPIRED
    if link.task_state.status != TaskState.STATUS_IN_PROGRESS:
        return NOT_IN_REVIEW
    if not link.member.active:
        return NOT_A_MEMBER
    # A member counts once per review, whatever links were issued to them since.
    if ReviewDecision.objects.filter(
        task_state_id=link.task_state_id, member_id=link.member_id
    ).exists():
        return ALREADY_DECIDED
    return None


def verify(token: str) -> ReviewLink | str:
    """The link ``token`` stands for, or the Chinese reason it cannot be used (链接无效
    for anything forged, tampered or guessed; 已过期, 已使用, 已作废, 不在审核中)."""
    try:
        payload = signing.loads(token, salt=SALT)
        link_id, nonce = int(payload["l"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return INVALID
    link = (
        ReviewLink.objects.select_related("task_state", "member__committee")
        .filter(pk=link_id)
        .first()
    )
    if link is None or not constant_time_compare(_hash(nonce), link.nonce_hash):
        return INVALID
    return link_problem(link) or link


# -- decisions ------------------------------------------------------------------------


@dataclass
class Outcome:
    decision: ReviewDecision
    approvals: int
    quorum: int
    published: bool = False
    returned: bool = False
    #: The draft was edited during the review: the committee reviews the new draft anew.
    restarted: bool = False


def approvals_of(task_state):
    return ReviewDecision.objects.filter(
        task_state=task_state, decision=ReviewDecisionKind.APPROVED
    ).order_by("decided_at", "pk")


@transaction.atomic
def decide(link: ReviewLink, approved: bool, comment: str = "") -> Outcome:
    """Records the member's decision through ``link`` and uses the link up. Approvals that
    reach the quorum approve the task (Wagtail then publishes the reviewed revision); a
    return (a comment is required) rejects it at once. Nothing is saved when it fails."""
    comment = (comment or "").strip()
    if not approved and not comment:
        raise ReviewRefused("退回修改时请写明需要修改的地方")
    link = (
        ReviewLink.objects.select_for_update()
        .select_related("task_state", "member__committee")
        .get(pk=link.pk)
    )
    task_state = TaskState.objects.select_for_update().get(pk=link.task_state_id)
    link.task_state = task_state
    problem = link_problem(link)
    if problem:
        raise ReviewRefused(problem)
    now = timezone.now()
    link.used_at = now
    link.save(update_fields=["used_at"])
    committee = link.member.committee
    decision = ReviewDecision.objects.create(
        task_state=task_state,
        page_id=int(task_state.workflow_state.object_id),
        revision=task_state.revision,
        member=link.member,
        member_name=link.member.name,
        decision=ReviewDecisionKind.APPROVED if approved else ReviewDecisionKind.RETURNED,
        comment=comment,
    )
    if not approved:
        task_state.specific.reject(
            user=None, comment=f"居务监督委员会退回：{link.member.name}：{comment}"
        )
        return Outcome(decision, approvals_of(task_state).count(), committee.quorum, returned=True)
    approvals = list(approvals_of(task_state))
    outcome = Outcome(decision, len(approvals), committee.quorum)
    if len(approvals) >= committee.quorum:
        names = "、".join(d.member_name for d in approvals)
        _approve(task_state, f"居务监督委员会同意公开：{names}")
        page = review_page(task_state)
        page.refresh_from_db()
        outcome.published = page.live and page.live_revision_id == task_state.revision_id
        # WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT: an approval of an outdated draft
        # starts the task again on the latest one (its links go to the editor's page).
        outcome.restarted = (
            TaskState.objects.filter(
                workflow_state_id=task_state.workflow_state_id,
                task_id=task_state.task_id,
                status=TaskState.STATUS_IN_PROGRESS,
            )
            .exclude(pk=task_state.pk)
            .exists()
        )
    return outcome


def _approve(task_state, comment: str) -> None:
    """Approves the task (publishing when it is the last one), refusing in Chinese when
    the reviewed draft does not pass the page's own checks; the caller's transaction then
    rolls the decision back with it."""
    reviewed = task_state.revision.as_object()
    try:
        reviewed.full_clean()
        task_state.specific.approve(user=None, comment=comment)
    except ValidationError as error:
        raise ReviewRefused(
            "这条公开事项未能发布："
            + "；".join(error.messages)
            + "。请联系编辑修改后重新提交审核。"
        ) from error


# -- the published page's attribution -------------------------------------------------


def approval_record(page) -> list[ReviewDecision]:
    """The committee's approvals of ``page``'s live revision (each has ``member_name`` and
    ``decided_at``), in the order given; [] when the live revision was not approved by the
    committee (published before the workflow, or directly by an administrator)."""
    if not page.live or not page.live_revision_id:
        return []
    task_state = (
        TaskState.objects.filter(
            workflow_state__object_id=str(page.pk),
            workflow_state__base_content_type_id=page.get_base_content_type().pk,
            task__content_type__model="supervisioncommitteetask",
            task__content_type__app_label="disclosures",
            status=TaskState.STATUS_APPROVED,
        )
        .order_by("-finished_at", "-pk")
        .first()
    )
    if task_state is None or task_state.revision_id != page.live_revision_id:
        return []
    return list(approvals_of(task_state))


# -- the workflow ---------------------------------------------------------------------


def review_workflow() -> Workflow | None:
    return Workflow.objects.filter(name=WORKFLOW_NAME).first()


def ensure_review_workflow() -> Workflow:
    """The workflow "公开审核（居务监督委员会）" with its one committee task, assigned to
    every disclosure board that has no workflow of its own. Idempotent."""
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    task = SupervisionCommitteeTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = SupervisionCommitteeTask.objects.create(name=TASK_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for board in DisclosureBoardPage.objects.all():
        WorkflowPage.objects.get_or_create(page=board, defaults={"workflow": workflow})
    return workflow


@receiver(post_save, sender=DisclosureBoardPage)
def assign_review_workflow(sender, instance, created, raw=False, **kwargs):
    """A new board's disclosures go through the committee too, once the workflow exists."""
    if created and not raw:
        workflow = review_workflow()
        if workflow is not None:
            WorkflowPage.objects.get_or_create(page=instance, defaults={"workflow": workflow})
