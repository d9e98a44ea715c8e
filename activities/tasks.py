"""Background work of activities, run with django-tasks (the backend in settings.TASKS;
without one, django-tasks' ImmediateBackend runs a task as soon as it is enqueued).

Open-ended schedules are expanded ``HORIZON_DAYS`` ahead when saved; the daily
``extend_activity_schedules`` (cron → ``manage.py extend_activity_schedules``) keeps them
that far ahead.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from activities.recurrence import HORIZON_DAYS
from activities.scheduling import RoomClash, schedule_activity

logger = logging.getLogger(__name__)

# Schedules are extended once they reach less than this far beyond the horizon's end.
EXTEND_MARGIN_DAYS = 30


def schedules_to_extend(today):
    """Repeating activities whose occurrences stop within EXTEND_MARGIN_DAYS of the
    horizon (today + HORIZON_DAYS) while their rule goes on beyond."""
    from activities.models import Activity

    due = today + timedelta(days=HORIZON_DAYS - EXTEND_MARGIN_DAYS)
    return (
        Activity.objects.exclude(freq="")
        .filter(Q(scheduled_until__isnull=True) | Q(scheduled_until__lt=due))
        .filter(
            Q(until__isnull=True)
            | Q(scheduled_until__isnull=True)
            | Q(until__gt=F("scheduled_until"))
        )
        .select_related("room", "center")
        .order_by("pk")
    )


@task()
def extend_activity_schedules() -> dict:
    """Re-plans each due schedule through the one scheduler. A room clash (something was
    booked into the newly reached weeks) leaves that activity as it was, logged; the
    others go on."""
    today = timezone.localdate()
    extended, clashed = [], []
    for activity in schedules_to_extend(today):
        try:
            with transaction.atomic():
                schedule_activity(activity, today=today)
        except RoomClash as clash:
            logger.warning(
                "Activity %s (%s) not extended: %s", activity.pk, activity.title, clash.message
            )
            clashed.append(activity.pk)
        else:
            extended.append(activity.pk)
    return {"extended": extended, "clashed": clashed}
