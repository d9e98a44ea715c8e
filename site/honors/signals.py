"""Points from attendance (签到积分): when an organiser saves a session's attendance list,
each attended sign-up of an activity with points holds exactly one standing attendance
entry, and an entry whose sign-up left the list is reversed ("签到取消"). Saving the same
list again writes nothing. An attendance entry an editor reversed by hand (another reason)
stays withdrawn: saving the list again does not award that sign-up anew. Runs inside the attendance transaction (see
activities.signals.attendance_recorded), so the points are saved or rolled back with it.
"""

from django.dispatch import receiver
from django.utils import timezone

from activities.signals import attendance_recorded
from honors import ledger
from honors.models import PointsEntry, PointsSource

UNTICKED_REASON = "签到取消"


def attendance_reason(occurrence) -> str:
    day = timezone.localtime(occurrence.starts_at).date()
    return f"参加活动：{occurrence.activity.title}（{day:%Y-%m-%d}）"


def standing_attendance_entries(occurrence):
    """The attendance entries of the session's sign-ups not reversed yet, by sign-up id."""
    entries = PointsEntry.objects.filter(
        source=PointsSource.ATTENDANCE,
        sign_up__occurrence=occurrence,
        reversed_by__isnull=True,
    ).select_related("participant", "center", "sign_up")
    return {entry.sign_up_id: entry for entry in entries}


def withdrawn_by_editors(occurrence) -> set[int]:
    """The session's sign-ups whose attendance entry an editor reversed (冲正 in the admin,
    with a reason of their own rather than the list's "签到取消")."""
    return set(
        PointsEntry.objects.filter(
            source=PointsSource.ATTENDANCE,
            sign_up__occurrence=occurrence,
            reversed_by__isnull=False,
        )
        .exclude(reversed_by__reason=UNTICKED_REASON)
        .values_list("sign_up_id", flat=True)
    )


@receiver(attendance_recorded, dispatch_uid="honors_points_for_attendance")
def award_attendance_points(sender, occurrence, sign_ups, **kwargs):
    activity = occurrence.activity
    standing = standing_attendance_entries(occurrence)
    attended = {sign_up.pk: sign_up for sign_up in sign_ups}
    for sign_up_id, entry in standing.items():
        if sign_up_id not in attended:
            ledger.reverse(entry, UNTICKED_REASON)
    if activity.points <= 0:
        # Without points on the activity nothing new is earned (unticking still withdraws).
        return
    day = timezone.localtime(occurrence.starts_at).date()
    reason = attendance_reason(occurrence)
    withdrawn = withdrawn_by_editors(occurrence)
    for sign_up in sign_ups:
        if sign_up.pk in standing or sign_up.pk in withdrawn:
            continue
        participant = ledger.participant_for(
            occurrence.center, mobile=sign_up.phone, name=sign_up.name
        )
        ledger.record(
            participant,
            occurrence.center,
            activity.points,
            reason,
            day,
            PointsSource.ATTENDANCE,
            sign_up=sign_up,
        )
