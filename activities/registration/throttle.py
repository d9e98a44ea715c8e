"""How often one phone number and one client address may try to sign up.

Counted in Django's cache (local memory in development and tests, Redis in production),
in fixed one-hour windows: the first attempt opens a window, later ones increment it. A
script trying many numbers from one address runs into the address limit; one number
tried from many addresses runs into the number limit.
"""

from django.core.cache import cache
from django.utils.crypto import salted_hmac

WINDOW_SECONDS = 60 * 60
SIGN_UPS_PER_NUMBER = 5
SIGN_UPS_PER_ADDRESS = 20


class TooManySignUps(Exception):
    """Refused before anything was written; the view answers HTTP 429."""

    message = "报名过于频繁，请一小时后再试。如需帮助，请致电服务中心。"


def _key(kind: str, value: str) -> str:
    # Keyed with the site's secret: the cache (Redis) holds no phone numbers or addresses,
    # nor plain hashes of them (eleven digits are quickly guessed back from a hash).
    digest = salted_hmac("activities.sign-up-attempts", value).hexdigest()[:32]
    return f"activities:sign-up-attempts:{kind}:{digest}"


def _count_attempt(key: str) -> int:
    # add() opens the window only when there is none; incr() is atomic in both backends.
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # the window closed between add() and incr()
        cache.add(key, 1, WINDOW_SECONDS)
        return 1


def check_sign_up_rate(phone: str, address: str | None) -> None:
    """Counts one attempt for ``phone`` and ``address``; raises ``TooManySignUps`` when
    either has made more than its limit within the hour."""
    over = _count_attempt(_key("phone", phone)) > SIGN_UPS_PER_NUMBER
    if address:
        over = _count_attempt(_key("address", address)) > SIGN_UPS_PER_ADDRESS or over
    if over:
        raise TooManySignUps(TooManySignUps.message)
