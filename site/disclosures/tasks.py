"""Reminders before a disclosure falls due, run with django-tasks (the backend in
settings.TASKS; without one, django-tasks' ImmediateBackend runs a task as soon as it is
enqueued). ``manage.py send_disclosure_reminders`` enqueues it; cron runs that daily.

A reminder goes out when a period is not yet posted and its due date is at most the
rule's ``remind_days_before`` away (not after it has passed: overdue ones are on the
dashboard and the 按期公开 report, and mailing every past period on the first run would
flood the editors). Each (center, type, period) is reminded once, recorded in
``ReminderSent``, so running the task twice a day sends nothing new.

Recipients are the center's editors: active users with an e-mail address whose groups
have the change or publish page permission on the center, its board, or its street
(pages between the district home and the center). When nobody holds such a permission,
the district's editors (permission on the home page or the tree root) are mailed
instead. Superusers are never mailed for being superusers.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from wagtail.models import GroupPagePermission, Page

from disclosures.cadence import DUE, boards_of, cadence_report
from disclosures.models import ReminderSent

logger = logging.getLogger(__name__)

EDIT_PERMISSIONS = ("change_page", "publish_page")


def editors_of(center, board=None) -> list:
    """The users to remind for ``center`` (see the module docstring), by username."""
    ancestors = list(Page.objects.ancestor_of(center, inclusive=True).values_list("id", "depth"))
    local = [page_id for page_id, depth in ancestors if depth > 2]
    if board is not None:
        local.append(board.pk)
    district = [page_id for page_id, depth in ancestors if depth <= 2]
    for page_ids in (local, district):
        users = _users_with_edit_permission(page_ids)
        if users:
            return users
    return []


def _users_with_edit_permission(page_ids) -> list:
    groups = GroupPagePermission.objects.filter(
        page_id__in=page_ids, permission__codename__in=EDIT_PERMISSIONS
    ).values("group_id")
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__in=groups)
        .exclude(email="")
        .distinct()
        .order_by("username")
    )


def reminders_due(today) -> list:
    """The not-yet-posted obligations of every center whose reminder day has come, that
    have not been reminded yet."""
    from district.models import CenterPage

    centers = list(CenterPage.objects.order_by("path"))
    report = cadence_report(centers, today, boards=boards_of(centers))
    sent = set(ReminderSent.objects.values_list("center_id", "kind", "period_key"))
    found = []
    for center, obligations in report:
        for obligation in obligations:
            if obligation.status != DUE or obligation.rule is None:
                continue
            if obligation.days_left(today) > obligation.rule.remind_days_before:
                continue
            if (center.pk, obligation.kind, obligation.period.key) in sent:
                continue
            found.append(obligation)
    return found


def _absolute(path: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


def send_reminder(obligation, today) -> int:
    """Mails one reminder to each of the center's editors and records it; the number of
    e-mails sent (0 when it was already recorded, or nobody could be mailed)."""
    center = obligation.center
    recipients = editors_of(center, obligation.board)
    if not recipients:
        logger.warning("No editor with an e-mail address to remind for %s", center.title)
        return 0
    if obligation.draft is not None:
        action = reverse("wagtailadmin_pages:edit", args=(obligation.draft.pk,))
    else:
        action = reverse(
            "wagtailadmin_pages:add",
            args=("disclosures", "disclosurepage", obligation.board.pk),
        )
    context = {
        "center": center,
        "obligation": obligation,
        "days_left": obligation.days_left(today),
        "action_url": _absolute(action),
        "report_url": _absolute(reverse("disclosures_cadence")),
    }
    subject = render_to_string("disclosures/emails/reminder_subject.txt", context).strip()
    try:
        with transaction.atomic():
            # Recorded first (unique), so a second run at the same time sends nothing; a
            # failed send rolls the record back and the next run tries again.
            ReminderSent.objects.create(
                center=center,
                kind=obligation.kind,
                period_key=obligation.period.key,
                due_on=obligation.due_on,
                recipients=len(recipients),
            )
            for user in recipients:
                name = user.get_full_name() or user.get_username()
                body = render_to_string(
                    "disclosures/emails/reminder_body.txt", {**context, "name": name}
                )
                send_mail(subject, body, None, [user.email])
    except IntegrityError:
        return 0
    return len(recipients)


@task()
def send_disclosure_reminders() -> list[dict]:
    """Sends the reminders whose day has come; what it sent, one entry per obligation:
    {"center", "item", "due_on", "recipients"}."""
    today = timezone.localdate()
    sent = []
    for obligation in reminders_due(today):
        count = send_reminder(obligation, today)
        if count:
            sent.append(
                {
                    "center": obligation.center.title,
                    "item": obligation.label,
                    "due_on": obligation.due_on.isoformat(),
                    "recipients": count,
                }
            )
    return sent
