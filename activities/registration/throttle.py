"""How often one phone number and one client address may try to sign up.

Counted by the site's one rate limiter (jiamenkou/security/ratelimit.py) in one-hour
windows. A script trying many numbers from one address runs into the address limit; one
number tried from many addresses runs into the number limit.
"""

from jiamenkou.security.ratelimit import Limit, RateLimited, enforce

WINDOW_SECONDS = 60 * 60
SIGN_UPS_PER_NUMBER = 5
SIGN_UPS_PER_ADDRESS = 20
MESSAGE = "报名过于频繁，请一小时后再试。如需帮助，请致电服务中心。"
PER_NUMBER = Limit("sign-up-phone", SIGN_UPS_PER_NUMBER, WINDOW_SECONDS, MESSAGE)
PER_ADDRESS = Limit("sign-up-address", SIGN_UPS_PER_ADDRESS, WINDOW_SECONDS, MESSAGE)


class TooManySignUps(RateLimited):
    """Refused before anything was written; the view answers HTTP 429."""

    message = MESSAGE


def check_sign_up_rate(phone: str, address: str | None) -> None:
    """Counts one attempt for ``phone`` and ``address``; raises ``TooManySignUps`` when
    either has made more than its limit within the hour."""
    enforce((PER_NUMBER, phone), (PER_ADDRESS, address), refusal=TooManySignUps)
