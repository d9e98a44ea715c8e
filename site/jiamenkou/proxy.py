"""The client's address behind trusted proxies (nginx, a load balancer).

Behind nginx every request reaches Django from 127.0.0.1, and what counts per address
(the sign-up throttle, the search's click votes, the sign-in lockout) would count the
whole district as one visitor. With ``TRUSTED_PROXY_COUNT`` = N > 0 (the number of
proxies in front of the site, each appending the address it saw to X-Forwarded-For, as
``proxy_add_x_forwarded_for`` does in nginx), :class:`TrustedProxyMiddleware` sets
``REMOTE_ADDR`` to the N-th entry from the right: the address the outermost trusted
proxy saw. Entries left of it come from the client and may be anything, so they never
win. With 0 (the default: the site is reached directly) it changes nothing.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

HEADER = "HTTP_X_FORWARDED_FOR"


def client_address(forwarded_for: str, proxy_count: int) -> str | None:
    """The address the outermost of ``proxy_count`` trusted proxies saw, from an
    X-Forwarded-For value; None when it is not an IP address. With fewer entries than
    proxies (a proxy reached without the one before it), the left-most one: every entry
    was then written by a trusted proxy."""
    entries = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    if not entries:
        return None
    candidate = entries[-proxy_count] if len(entries) >= proxy_count else entries[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


class TrustedProxyMiddleware:
    """Near the top of MIDDLEWARE: every later reader of REMOTE_ADDR sees the client's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Read per request (a setting lookup costs nothing), so tests can change it.
        proxy_count = getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0
        if proxy_count > 0:
            address = client_address(request.META.get(HEADER, ""), proxy_count)
            if address is not None:
                request.META["REMOTE_ADDR"] = address
        return self.get_response(request)
