"""The rules of signing up (报名), in one place: the public pages, the organisers' admin
and anything else call these functions rather than writing sign-ups themselves.

A sign-up is confirmed while the session has places left (``Activity.capacity``; none
means unlimited) and waitlisted after that. Cancelling a confirmed sign-up gives its
place to the first on the waitlist in the same transaction. The occurrence row is locked
(``select_for_update``) while places are counted, so two residents cannot both take the
last place (PostgreSQL waits on the lock; SQLite serialises every write anyway).
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from activities.models import Occurrence, SignUp, SignUpStatus
from activities.registration.throttle import check_sign_up_rate
from activities.signals import attendance_recorded
from jiamenkou.privacy import normalize_mobile

NAME_MAX_LENGTH = SignUp._meta.get_field("name").max_length
ALREADY_SIGNED_UP = "这个手机号已经报名了本场活动，无需重复报名。"
LIVE_STATUSES = (SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED)
#: Who moves up first from the waitlist: who signed up first, the row id breaking ties.
WAITLIST_ORDER = ("created_at", "pk")


def closed_reason(occurrence, now=None) -> str | None:
    """Why ``occurrence`` takes no sign-ups now, as residents read it; None when it does."""
    now = now or timezone.now()
    if not occurrence.activity.signup_required:
        return "本活动无需报名，到时直接参加即可。"
    if occurrence.is_cancelled:
        reason = f"（{occurrence.reason}）" if occurrence.reason else ""
        return f"本场活动已取消{reason}，不再接受报名。"
    if occurrence.starts_at <= now:
        return "本场活动已经开始，报名已截止。"
    return None


def places_left(occurrence) -> int | None:
    """Confirmed places still free (None: unlimited). Reads the ``confirmed_count``
    annotation of ``Occurrence.objects.with_sign_up_counts()`` when present."""
    capacity = occurrence.activity.capacity
    if capacity is None:
        return None
    confirmed = getattr(occurrence, "confirmed_count", None)
    if confirmed is None:
        confirmed = occurrence.sign_ups.filter(status=SignUpStatus.CONFIRMED).count()
    return max(capacity - confirmed, 0)


def waitlist_position(sign_up) -> int | None:
    """候补第N位: the sign-up's place in its session's waitlist, None when not waitlisted."""
    if sign_up.status != SignUpStatus.WAITLISTED:
        return None
    # Those ahead in WAITLIST_ORDER.
    earlier = Q(created_at__lt=sign_up.created_at) | Q(
        created_at=sign_up.created_at, pk__lt=sign_up.pk
    )
    waitlist = SignUp.objects.filter(
        occurrence_id=sign_up.occurrence_id, status=SignUpStatus.WAITLISTED
    )
    return waitlist.filter(earlier).count() + 1


def clean_name_and_phone(name: str, phone: str) -> tuple[str, str]:
    """The name trimmed and the phone normalised (13800138000), or a ValidationError
    naming the fields ("name", "phone")."""
    name = " ".join((name or "").split())
    mobile = normalize_mobile(phone)
    errors = {}
    if not name:
        errors["name"] = ValidationError("请填写姓名。", code="required")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = ValidationError(f"姓名最多{NAME_MAX_LENGTH}个字。", code="max_length")
    if mobile is None:
        errors["phone"] = ValidationError(
            "请填写11位手机号码，如 13800138000。", code="invalid_mobile"
        )
    if errors:
        raise ValidationError(errors)
    return name, mobile


def sign_up(occurrence, name: str, phone: str, ip: str | None) -> SignUp:
    """Signs ``name`` with ``phone`` up for ``occurrence``: confirmed while places are left,
    else waitlisted. Raises ValidationError (in Chinese; fields "name" and "phone", the
    rest under NON_FIELD_ERRORS) when the input or the session does not allow it, and
    ``TooManySignUps`` when this number or the client address ``ip`` tried too often."""
    name, mobile = clean_name_and_phone(name, phone)
    check_sign_up_rate(mobile, ip)
    with transaction.atomic():
        # Locks only the occurrence row (not the joined activity) until the commit.
        locked = (
            Occurrence.objects.select_for_update(of=("self",))
            .select_related("activity")
            .get(pk=occurrence.pk)
        )
        problem = closed_reason(locked)
        if problem:
            raise ValidationError({NON_FIELD_ERRORS: [problem]}, code="closed")
        live = SignUp.objects.filter(occurrence=locked, status__in=LIVE_STATUSES)
        if live.filter(phone=mobile).exists():
            raise ValidationError({"phone": [ALREADY_SIGNED_UP]}, code="duplicate")
        capacity = locked.activity.capacity
        confirmed = live.filter(status=SignUpStatus.CONFIRMED).count()
        status = (
            SignUpStatus.CONFIRMED
            if capacity is None or confirmed < capacity
            else SignUpStatus.WAITLISTED
        )
        try:
            # The partial unique constraint backs the check above up in the database.
            with transaction.atomic():
                return SignUp.objects.create(
                    occurrence=locked, name=name, phone=mobile, status=status
                )
        except IntegrityError:
            raise ValidationError({"phone": [ALREADY_SIGNED_UP]}, code="duplicate") from None


def cancel(sign_up) -> list[SignUp]:
    """Cancels ``sign_up`` (updated in place) and, if it held a confirmed place, gives the
    free places to the waitlist in order. Returns the sign-ups promoted. Raises
    ValidationError when it was already cancelled."""
    with transaction.atomic():
        occurrence = (
            Occurrence.objects.select_for_update(of=("self",))
            .select_related("activity")
            .get(pk=sign_up.occurrence_id)
        )
        current = SignUp.objects.get(pk=sign_up.pk)
        if current.status == SignUpStatus.CANCELLED:
            raise ValidationError("这条报名已经取消了。", code="already_cancelled")
        was_confirmed = current.status == SignUpStatus.CONFIRMED
        sign_up.status = SignUpStatus.CANCELLED
        sign_up.cancelled_at = timezone.now()
        sign_up.save(update_fields=["status", "cancelled_at"])
        return fill_places(occurrence) if was_confirmed else []


def fill_places(occurrence) -> list[SignUp]:
    """Promotes the first waitlisted sign-ups into the places free under the capacity.
    Call it with the occurrence row locked (inside ``cancel``)."""
    capacity = occurrence.activity.capacity
    waitlist = SignUp.objects.filter(occurrence=occurrence, status=SignUpStatus.WAITLISTED)
    if capacity is None:
        free = waitlist.count()
    else:
        confirmed = SignUp.objects.filter(
            occurrence=occurrence, status=SignUpStatus.CONFIRMED
        ).count()
        free = capacity - confirmed
    if free <= 0:
        return []
    promoted = list(waitlist.order_by(*WAITLIST_ORDER)[:free])
    now = timezone.now()
    for row in promoted:
        row.status, row.promoted_at = SignUpStatus.CONFIRMED, now
    SignUp.objects.bulk_update(promoted, ["status", "promoted_at"])
    return promoted


def attendance(occurrence, attended_ids) -> list[SignUp]:
    """Records 签到: the confirmed sign-ups whose ids are in ``attended_ids`` attended, the
    other confirmed ones did not. Only once the session has started. Sends
    ``activities.signals.attendance_recorded`` and returns the attended sign-ups."""
    if occurrence.starts_at > timezone.now():
        raise ValidationError("活动开始后才能签到。", code="not_started")
    ids = {int(value) for value in attended_ids}
    with transaction.atomic():
        confirmed = SignUp.objects.filter(occurrence=occurrence, status=SignUpStatus.CONFIRMED)
        confirmed.filter(pk__in=ids).update(attended=True)
        confirmed.exclude(pk__in=ids).update(attended=False)
        attended = list(confirmed.filter(attended=True).order_by(*WAITLIST_ORDER))
        attendance_recorded.send(sender=Occurrence, occurrence=occurrence, sign_ups=attended)
    return attended
