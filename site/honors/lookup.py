"""Residents' own look-up of their points: the codes that prove a number is theirs.

Two ways to a code, both stored as LookupCode rows holding only a keyed hash:
- SMS (when a gateway is configured, honors/sms.py): 6 digits sent to the registered
  mobile, valid 10 minutes, used once. A number gets at most one code a minute and five an
  hour, counted whether or not it is registered, so the page reveals nothing.
- A printed slip (honors/admin/lookup.py): 8 characters from an alphabet without look-alike
  characters (no 0/O, 1/I/L), valid SLIP_VALID_DAYS and reusable until then; a new slip
  for the same participant replaces the earlier ones.
A code allows MAX_ATTEMPTS wrong tries (counted on every live code of the number), then is
dead: the resident asks for a new one.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from honors import sms
from honors.models import LookupChannel, LookupCode, Participant
from jiamenkou.privacy import normalize_mobile

SMS_CODE_MINUTES = 10
SLIP_VALID_DAYS = 180
SLIP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SLIP_LENGTH = 8
MAX_ATTEMPTS = 5
#: Sending limits per number typed: one a minute, five an hour.
SMS_PER_MINUTE, SMS_PER_HOUR = 1, 5


SMS_UNAVAILABLE = "短信验证码暂时无法发送，请稍后再试。"


class TooManyCodes(Exception):
    message = "验证码发送过于频繁，请稍后再试（每个号码每分钟1次、每小时最多5次）。"


def participants_of(number: str):
    """The participants a resident's typed number stands for: a mobile number (possibly
    registered at several centers) or a volunteer number. Empty when it is neither."""
    mobile = normalize_mobile(number)
    if mobile:
        return Participant.objects.filter(mobile=mobile).order_by("pk")
    number = (number or "").strip()
    if not number:
        return Participant.objects.none()
    return Participant.objects.filter(volunteer_number__iexact=number).order_by("pk")


def normalize_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", code or "").upper()


def code_hash(participant_id: int, code: str) -> str:
    # Keyed with the site's secret: six digits are guessed back from a plain hash at once.
    return salted_hmac(
        "honors.lookup-code", f"{participant_id}:{normalize_code(code)}", algorithm="sha256"
    ).hexdigest()


def live_codes(participant_ids, now=None):
    """Codes that can still be used: not expired, tries left, an SMS code not used yet."""
    now = now or timezone.now()
    return LookupCode.objects.filter(
        participant_id__in=participant_ids, expires_at__gt=now, attempts__lt=MAX_ATTEMPTS
    ).filter(Q(channel=LookupChannel.SLIP) | Q(used_at__isnull=True))


# -- slips ------------------------------------------------------------------------------


def new_slip_code() -> str:
    return "".join(secrets.choice(SLIP_ALPHABET) for _ in range(SLIP_LENGTH))


def issue_slip(participant: Participant, user=None) -> tuple[str, LookupCode]:
    """A new slip code for ``participant`` (returned in clear this once); earlier slips of
    theirs stop working."""
    now = timezone.now()
    live_codes([participant.pk], now).filter(channel=LookupChannel.SLIP).update(expires_at=now)
    code = new_slip_code()
    row = LookupCode.objects.create(
        participant=participant,
        channel=LookupChannel.SLIP,
        code_hash=code_hash(participant.pk, code),
        created_by=user if user is not None and user.is_authenticated else None,
        expires_at=now + timedelta(days=SLIP_VALID_DAYS),
    )
    return code, row


def grouped(code: str) -> str:
    """ABCD EFGH: a slip code as printed, easier to copy."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


# -- SMS ----------------------------------------------------------------------------------


def _rate_key(number: str) -> str:
    digest = salted_hmac("honors.lookup-sms", number).hexdigest()[:32]
    return f"honors:lookup-sms:{digest}"


def check_sms_rate(number: str) -> None:
    """Counts one request for ``number`` (as typed, normalized); raises TooManyCodes over
    the limits. Counted for any number, registered or not.

    The cache keeps the times of the last hour's codes, judged by the site's clock rather
    than by the cache's expiry (so a sliding hour, the same on Redis and in memory). Two
    requests at the same instant may both pass: the limit is against a person pressing
    the button again, not a race."""
    key = _rate_key(normalize_mobile(number) or (number or "").strip().upper())
    now = timezone.now().timestamp()
    sent = [moment for moment in cache.get(key, []) if moment > now - 3600]
    # A request refused does not use up the allowance.
    if sum(moment > now - 60 for moment in sent) >= SMS_PER_MINUTE or len(sent) >= SMS_PER_HOUR:
        raise TooManyCodes(TooManyCodes.message)
    cache.set(key, [*sent, now], 3600)
    # Text messages cost money: when the count cannot be kept (the cache is down, see
    # jiamenkou/cache.py), no code is sent rather than sending without a limit.
    if now not in cache.get(key, []):
        raise TooManyCodes(SMS_UNAVAILABLE)


def send_sms_code(number: str) -> None:
    """Sends a 6-digit code to the mobile registered for ``number``, when there is one.
    Says nothing about whether there was: the caller shows the same answer either way."""
    check_sms_rate(number)
    participants = [p for p in participants_of(number) if p.mobile]
    if not participants:
        return
    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    ids = [p.pk for p in participants]
    # A new code replaces those sent before.
    live_codes(ids, now).filter(channel=LookupChannel.SMS).update(expires_at=now)
    LookupCode.objects.bulk_create(
        LookupCode(
            participant=participant,
            channel=LookupChannel.SMS,
            code_hash=code_hash(participant.pk, code),
            expires_at=now + timedelta(minutes=SMS_CODE_MINUTES),
        )
        for participant in participants
    )
    text = f"【家门口】您的积分查询验证码是{code}，{SMS_CODE_MINUTES}分钟内有效。如非本人操作，请忽略。"
    for mobile in {p.mobile for p in participants}:
        sms.send_sms(mobile, text)


# -- checking a code ----------------------------------------------------------------------


def verify(number: str, code: str) -> list[Participant]:
    """The participants ``code`` opens for ``number`` (empty when it opens none: a wrong
    try then counts against every live code of the number). An SMS code is used up."""
    participants = list(participants_of(number))
    if not participants or not normalize_code(code):
        return []
    now = timezone.now()
    codes = list(live_codes([p.pk for p in participants], now))
    matched = [
        row
        for row in codes
        if constant_time_compare(row.code_hash, code_hash(row.participant_id, code))
    ]
    if not matched:
        LookupCode.objects.filter(pk__in=[row.pk for row in codes]).update(
            attempts=F("attempts") + 1
        )
        return []
    # Used once for SMS; a slip stays usable, its wrong tries forgiven by a right one.
    LookupCode.objects.filter(pk__in=[row.pk for row in matched]).update(used_at=now, attempts=0)
    opened = {row.participant_id for row in matched}
    return [p for p in participants if p.pk in opened]
