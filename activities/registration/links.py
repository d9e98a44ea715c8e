"""The resident's own link to a sign-up (to see it and cancel it): no account needed.

The token is signed with the site's SECRET_KEY (``django.core.signing``, with its own
salt), so it cannot be guessed or altered, and carries the sign-up's id and creation time
(a token never names another sign-up, even if ids were reused). It is valid until the
session ends: the end is read from the occurrence at each use, so a moved session moves
the expiry with it.
"""

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from activities.models import SignUp

SALT = "activities.registration.sign-up-link"


class BadLink(Exception):
    """The link is not one the site made, or its sign-up is gone; ``message`` says so."""

    status = 404

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ExpiredLink(BadLink):
    status = 410


def sign_up_token(sign_up) -> str:
    return signing.dumps([sign_up.pk, sign_up.created_at.timestamp()], salt=SALT)


def sign_up_url(sign_up) -> str:
    return reverse("activities:signed_up", args=[sign_up_token(sign_up)])


def cancel_url(sign_up) -> str:
    return reverse("activities:cancel_sign_up", args=[sign_up_token(sign_up)])


def sign_up_from_token(token: str, now=None) -> SignUp:
    """The sign-up ``token`` names, with its occurrence and activity; raises ``BadLink``
    (altered, made up, or its sign-up deleted) or ``ExpiredLink`` (the session is over)."""
    try:
        pk, created = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise BadLink("链接无效：请检查链接是否完整（可从报名成功页面重新打开）。") from None
    sign_up = (
        SignUp.objects.select_related("occurrence__activity__room", "occurrence__center")
        .filter(pk=pk)
        .first()
    )
    if sign_up is None or sign_up.created_at.timestamp() != created:
        raise BadLink("找不到这条报名记录，可能已被工作人员删除。")
    if (now or timezone.now()) >= sign_up.occurrence.ends_at:
        raise ExpiredLink("本场活动已经结束，这个链接已失效。")
    return sign_up
