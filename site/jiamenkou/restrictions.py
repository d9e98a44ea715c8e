"""Page view restrictions read once per request, not once per list of pages.

Wagtail's ``PageQuerySet.public()`` reads every ``PageViewRestriction`` (with its page)
each time it is called (``private_q``). A public page calls it for each list it shows:
a center's sections, its notices, the urgent banner, the programme pages its activities
link to; the kiosk's data seven times. Each call is a query and a model instance per
restriction, for the same answer.

:class:`RestrictionsOncePerRequestMiddleware` makes ``private_q`` read them once in a GET
or HEAD request and hand the same condition to every later ``public()`` of that request.
Nothing in such a request changes the restrictions (editors change them by POST in the
admin), and the next request reads them afresh: a page made private drops out of every
list at once, as before. Elsewhere (POST requests, management commands, code run outside
a request) ``private_q`` reads them each time, exactly as Wagtail does.
"""

from __future__ import annotations

from contextvars import ContextVar

from wagtail.query import PageQuerySet

#: The condition ``private_q`` built in this request (None: not memoised here).
_memo: ContextVar[dict | None] = ContextVar("jiamenkou_private_q", default=None)
_wagtail_private_q = PageQuerySet.private_q


def private_q(self):
    memo = _memo.get()
    if memo is None:
        return _wagtail_private_q(self)
    if "q" not in memo:
        memo["q"] = _wagtail_private_q(self)
    return memo["q"]


PageQuerySet.private_q = private_q


class RestrictionsOncePerRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
