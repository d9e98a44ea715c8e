"""The points ledger's rules, in one place: every entry is written here (by editors' forms,
the xlsx import, attendance at activities), and a mistake is undone only by ``reverse``,
a counter-entry with its reason. The model refuses updates and deletes
(honors.models.ledger.PointsEntry), so the ledger is an audit trail residents can trust.

People are found by a normalised mobile number or a volunteer number (志愿者编号) at a
center and shown by ``masked_identity`` (139****5678), never by the whole number.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from honors.models import Participant, ParticipantKind, PointsEntry, PointsSource
from jiamenkou.privacy import mask_personal_numbers, normalize_mobile

REASON_MAX_LENGTH = PointsEntry._meta.get_field("reason").max_length
NAME_MAX_LENGTH = Participant._meta.get_field("name").max_length
VOLUNTEER_NUMBER_MAX_LENGTH = Participant._meta.get_field("volunteer_number").max_length


def record(
    participant,
    center,
    points: int,
    reason: str,
    day: date,
    source: str,
    user=None,
    sign_up=None,
) -> PointsEntry:
    """Writes one entry of ``points`` (not 0; negative for a deduction) for
    ``participant`` at ``center``, dated ``day`` (not after today), from ``source`` (a
    PointsSource value), by ``user``. Raises ValidationError (Chinese, fields "points",
    "reason", "date", "source") when it cannot stand. A reversal goes through ``reverse``."""
    return write(participant, center, points, reason, day, source, user, sign_up)


def write(participant, center, points, reason, day, source, user, sign_up, reverses=None):
    """``record`` with the link to the entry a counter-entry reverses (for ``reverse``)."""
    reason = " ".join((reason or "").split())
    errors = {}
    if not isinstance(points, int) or isinstance(points, bool) or points == 0:
        errors["points"] = ValidationError("积分应为不等于0的整数。", code="invalid_points")
    if not reason:
        errors["reason"] = ValidationError("请填写事由。", code="required")
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = ValidationError(f"事由最多{REASON_MAX_LENGTH}个字。", code="max_length")
    if not isinstance(day, date):
        errors["date"] = ValidationError("请填写日期。", code="required")
    elif source != PointsSource.REVERSAL and day > timezone.localdate():
        errors["date"] = ValidationError("日期不能晚于今天。", code="future")
    if source not in PointsSource.values:
        errors["source"] = ValidationError("来源无效。", code="invalid_source")
    if errors:
        raise ValidationError(errors)
    return PointsEntry.objects.create(
        participant=participant,
        center=center,
        points=points,
        reason=reason,
        date=day,
        source=source,
        created_by=user if user is not None and user.is_authenticated else None,
        sign_up=sign_up,
        reverses=reverses,
    )


def reverse(entry, reason: str, user=None) -> PointsEntry:
    """Cancels ``entry`` by a counter-entry of the opposite points (source 冲正, dated
    today, ``reverses`` the entry). Refuses a reversal, an entry already reversed and an
    empty reason with a ValidationError in Chinese."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": ["请填写冲正原因。"]}, code="required")
    with transaction.atomic():
        # Lock the entry so two editors cannot both reverse it (the OneToOne backs this up).
        entry = PointsEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.source == PointsSource.REVERSAL:
            raise ValidationError("这是一条冲正记录，不能再冲正。", code="is_reversal")
        if PointsEntry.objects.filter(reverses=entry).exists():
            raise ValidationError("这条记录已经冲正过了，不能重复冲正。", code="already_reversed")
        return write(
            entry.participant,
            entry.center,
            -entry.points,
            reason,
            timezone.localdate(),
            PointsSource.REVERSAL,
            user,
            entry.sign_up,
            reverses=entry,
        )


def is_reversed(entry) -> bool:
    """Whether a counter-entry cancels ``entry``."""
    return PointsEntry.objects.filter(reverses=entry).exists()


def total(participant) -> int:
    """The participant's points in all (reversals included)."""
    return participant.entries.aggregate(total=Sum("points"))["total"] or 0


def participant_for(center, *, mobile=None, volunteer_number=None, name: str) -> Participant:
    """The participant at ``center`` with this mobile (normalised) or volunteer number,
    created with ``name`` when there is none. Raises ValidationError (fields "mobile",
    "volunteer_number", "name") when neither number is usable."""
    name = " ".join((name or "").split())
    number = (volunteer_number or "").strip() or None
    normalised = normalize_mobile(mobile) if mobile else None
    errors = {}
    if mobile and normalised is None:
        errors["mobile"] = ValidationError(
            f"“{mobile}”不是11位手机号码，如 13800138000。", code="invalid_mobile"
        )
    if number and len(number) > VOLUNTEER_NUMBER_MAX_LENGTH:
        errors["volunteer_number"] = ValidationError(
            f"志愿者编号最多{VOLUNTEER_NUMBER_MAX_LENGTH}个字符。", code="max_length"
        )
    if not mobile and not number:
        errors["mobile"] = ValidationError("请填写手机号或志愿者编号。", code="required")
    if not name:
        errors["name"] = ValidationError("请填写姓名。", code="required")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = ValidationError(f"姓名最多{NAME_MAX_LENGTH}个字。", code="max_length")
    if errors:
        raise ValidationError(errors)
    if number:
        # Volunteer numbers are unique across the district.
        found = Participant.objects.filter(volunteer_number=number).first()
        if found is not None:
            return found
    if normalised:
        found = Participant.objects.filter(center=center, mobile=normalised).first()
        if found is not None:
            if number and not found.volunteer_number:
                Participant.objects.filter(pk=found.pk).update(volunteer_number=number)
                found.volunteer_number = number
            return found
    return Participant.objects.create(
        center=center,
        name=name,
        mobile=normalised or "",
        volunteer_number=number,
        kind=ParticipantKind.PERSON,
    )


def masked_identity(participant) -> str:
    """How lists name a participant's number: "139****5678", else "志愿者编号 V-0012"."""
    if participant.mobile:
        return mask_personal_numbers(participant.mobile)
    if participant.volunteer_number:
        return f"志愿者编号 {participant.volunteer_number}"
    return ""
