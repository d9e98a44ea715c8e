"""One rate limiter for every form and endpoint where abuse costs.

Fixed windows in Django's cache (local memory in development and tests, Redis in
production): a :class:`Limit` allows ``count`` attempts per value (a client address, a
phone number) in each window of ``seconds``, the windows aligned to the clock so that the
wait until the next one is known (``Retry-After``). Keys are HMACs with the site's secret:
the cache holds no addresses or phone numbers, nor plain hashes of them.

While the cache is down (jiamenkou/cache.py) nothing is counted and everything is
allowed: a Redis outage must not lock residents out. Where that would cost money (text
messages) the caller must fail closed itself (honors/lookup.py).

Views use :func:`rate_limit` (a decorator keyed on the client address) or call
:func:`enforce` and answer :func:`too_many_requests`.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac


@dataclass(frozen=True)
class Limit:
    """``count`` attempts per value in each window of ``seconds``; ``message`` (Chinese)
    tells the person refused what to do."""

    scope: str
    count: int
    seconds: int
    message: str = "操作过于频繁，请稍后再试。"


class RateLimited(Exception):
    """Refused before anything was done; ``retry_after`` seconds until the window ends."""

    def __init__(self, message: str, retry_after: int = 60):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def client_address(request) -> str:
    """The address the connection came from: behind trusted proxies, the one
    jiamenkou/proxy.py put in REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR") or ""


def _key(limit: Limit, value: str, window: int) -> str:
    digest = salted_hmac(f"jiamenkou.ratelimit.{limit.scope}", value).hexdigest()[:32]
    return f"ratelimit:{limit.scope}:{window}:{digest}"


def attempt(limit: Limit, value: str) -> int:
    """Counts one attempt of ``value``: 0 when within the limit, else the seconds until
    its window ends."""
    now = time.time()
    window = int(now // limit.seconds)
    key = _key(limit, value, window)
    # add() opens the window's counter only when there is none; incr() is atomic in both
    # backends. A little longer than the window, so the counter outlives a clock skew.
    cache.add(key, 0, limit.seconds + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr(), or the cache is down
        cache.add(key, 1, limit.seconds + 5)
        count = 1
    if count <= limit.count:
        return 0
    return max(1, math.ceil((window + 1) * limit.seconds - now))


def enforce(*attempts: tuple[Limit, str | None], refusal=RateLimited) -> None:
    """Counts one attempt for each (limit, value) pair (an empty value is not counted);
    raises ``refusal`` (a RateLimited class) with the first message and the longest wait
    when any is over its limit. Every pair is counted, refused or not."""
    over = [(limit, wait) for limit, value in attempts if value and (wait := attempt(limit, value))]
    if over:
        raise refusal(over[0][0].message, max(wait for _limit, wait in over))


def too_many_requests(request, refused: RateLimited, *, json: bool = False):
    """HTTP 429 with Retry-After: a Chinese page, or ``{"detail": ...}`` for the JSON API."""
    if json:
        response = JsonResponse(
            {"detail": refused.message},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(
            request, "security/too_many_requests.html", {"message": refused.message}, status=429
        )
    response["Retry-After"] = str(refused.retry_after)
    response["Cache-Control"] = "no-store"
    return response


def rate_limit(limit: Limit, *, json: bool = False, methods: tuple[str, ...] = ()):
    """View decorator: counts each request (of ``methods``, all when empty) against
    ``limit`` per client address, and answers 429 over it."""

    def decorate(view):
        @functools.wraps(view)
        def limited(request, *args, **kwargs):
            if not methods or request.method in methods:
                try:
                    enforce((limit, client_address(request)))
                except RateLimited as refused:
                    return too_many_requests(request, refused, json=json)
            return view(request, *args, **kwargs)

        return limited

    return decorate


# -- The site's limits (besides the sign-up's, activities/registration/throttle.py) ---------

#: The residents' search page and the JSON search API, per address: generous, since a
#: center's wifi puts many residents behind one address.
SEARCH = Limit("search", 120, 60, "搜索过于频繁，请稍等一分钟再试。")
#: The kiosk's and search box's type-ahead: a request per key press.
AUTOCOMPLETE = Limit("autocomplete", 600, 60, "输入提示请求过于频繁，请稍等一分钟再试。")
#: 纠错 reports on a service guide, per address.
CORRECTION = Limit("correction", 10, 60 * 60, "提交纠错过于频繁，请一小时后再试，或致电服务中心。")
#: The points look-up's form (codes tried and codes asked for), per address.
POINTS_LOOKUP = Limit(
    "points-lookup", 60, 60 * 60, "查询过于频繁，请一小时后再试，或到服务中心查询。"
)
#: Text messages sent from one address, whichever numbers were typed: they cost money.
POINTS_SMS = Limit(
    "points-sms-address",
    10,
    60 * 60,
    "验证码发送过于频繁，请一小时后再试，或到服务中心领取查询凭条。",
)
