"""Occurrences (场次): the dated sessions an activity's schedule expands into.

Only ``activities.scheduling`` writes them. A scheduled or moved occurrence holds its
room from ``starts_at`` to ``ends_at``; a cancelled one holds nothing but stays, with its
reason, for residents, feeds and sign-ups. On PostgreSQL an exclusion constraint (migration
activities 0004) refuses overlapping holds even if something bypassed the scheduler.
"""

from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _


class OccurrenceStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("正常")
    MOVED = "moved", _("已改期")
    CANCELLED = "cancelled", _("已取消")


class OccurrenceQuerySet(models.QuerySet):
    def holding_rooms(self):
        return self.exclude(status=OccurrenceStatus.CANCELLED).filter(room__isnull=False)

    def between(self, start, end):
        """Occurrences that overlap the half-open span [start, end)."""
        return self.filter(starts_at__lt=end, ends_at__gt=start)

    def with_sign_up_counts(self):
        """Each occurrence's confirmed and waitlisted sign-ups, in the same query."""
        from activities.models.signups import SignUpStatus

        return self.annotate(
            confirmed_count=Count("sign_ups", filter=Q(sign_ups__status=SignUpStatus.CONFIRMED)),
            waitlist_count=Count("sign_ups", filter=Q(sign_ups__status=SignUpStatus.WAITLISTED)),
        )

    def for_listing(self):
        """What a programme listing shows of each occurrence, at a fixed number of queries."""
        return (
            self.select_related("activity__kind", "activity__organizer", "room", "center")
            .prefetch_related("activity__audiences")
            .with_sign_up_counts()
            .order_by("starts_at", "activity__title", "pk")
        )


class Occurrence(models.Model):
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("活动"),
        on_delete=models.CASCADE,
        related_name="occurrences",
    )
    # Copied from the activity so that a center's or street's programme is one indexed query.
    center = models.ForeignKey(
        "district.CenterPage", on_delete=models.CASCADE, related_name="occurrences"
    )
    room = models.ForeignKey(
        "activities.Room",
        verbose_name=_("功能室"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="occurrences",
    )
    # The start the rule gave this occurrence (iCalendar's RECURRENCE-ID): stays when moved.
    recurrence_id = models.DateTimeField(_("原定开始时间"))
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    all_day = models.BooleanField(_("全天"), default=False)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=OccurrenceStatus.choices,
        default=OccurrenceStatus.SCHEDULED,
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    # Starts or ends when the center is closed (the editor was warned).
    outside_hours = models.BooleanField(_("超出开放时间"), default=False)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("场次")
        verbose_name_plural = _("场次")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "recurrence_id"], name="one_occurrence_per_recurrence"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="occurrence_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["center", "starts_at"], name="occurrence_center_start"),
            models.Index(fields=["room", "starts_at"], name="occurrence_room_start"),
        ]

    def __str__(self):
        return f"{self.activity} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def place_label(self) -> str:
        """Where this session is held: its own room (a move may change it), else the
        activity's place note."""
        return self.room.label if self.room is not None else self.activity.place_note

    @property
    def is_cancelled(self) -> bool:
        return self.status == OccurrenceStatus.CANCELLED

    @property
    def is_moved(self) -> bool:
        return self.status == OccurrenceStatus.MOVED
