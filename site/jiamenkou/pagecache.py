"""The page cache: public pages, feeds and kiosk data, served to anonymous visitors from
Django's cache 'default' (Redis when ``REDIS_URL`` is set, local memory otherwise).

What is cached (:func:`cacheable_view`): Wagtail's pages (home, streets, centers,
notices, service lists and guides, programmes, disclosure and honor boards, with their
routes), the iCalendar/Atom/RSS feeds, the kiosk screens and their data
(``/api/kiosks/…/data``), the sign-up form. Never: the admin and its previews, search
(each search is logged), anything reached by a personal link (a sign-up's own page, its
cancellation, a committee's review link), the points look-up, POSTs.

Who gets cached pages (:func:`serves_cache`): GET and HEAD requests without an
Authorization header, without pending messages, and whose session (if the request has a
session cookie at all) holds nothing: an editor who is signed in, a resident who has
opened their points or entered a page's password always gets a fresh page. A response
is kept only when it is a 200 that sets no cookie, is not ``private``/``no-store``, and
its view neither wrote the session nor queued a message.

The key (:func:`cache_key`): scheme, host, path, the query string with its parameters
sorted, and the 关怀版 cookie; nothing else of the request, so unrelated cookies
(analytics, csrftoken, an empty anonymous session) share one entry.

CSRF tokens: a page with a form (the guide's correction form, the sign-up form) is kept
with its tokens replaced by a placeholder, and each visitor gets their own token in its
place (and the CSRF cookie that goes with it), so forms work from the cache and no two
visitors share a token.

Invalidation: one content *generation* for the whole site, a random value in the cache.
Every entry records the generation it was rendered under and counts only while that is
still the current one. Any write to what pages show changes the generation
(:func:`content_changed`): saving or deleting a row of the content apps or a Wagtail
page, image, document or site (see :func:`shows_on_pages`), moving a page, the catalog's
bulk writers (``services_written``) and bulk updates that call it themselves. It changes
at once and again when the transaction commits (so that a page rendered from the old
rows by a concurrent request during the transaction does not survive it). Changes that
come with the clock (an activity that started, a notice that expired, "open now", the
day's programme after midnight) show within ``JIAMENKOU_PAGE_CACHE_SECONDS`` (60 s):
no entry lives longer.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting

from district.context_processors import is_elderly_mode

GENERATION_KEY = "pagecache:generation"
#: Header telling whether a page came from the cache (``hit``) or was rendered (``miss``).
STATUS_HEADER = "X-Page-Cache"
CSRF_PLACEHOLDER = "\x00csrf-token\x00"
#: Headers of a response that are the outer middleware's business, not the entry's.
UNKEPT_HEADERS = frozenset({"vary", "content-length", STATUS_HEADER.lower()})

#: Named routes outside Wagtail's page tree that are public and the same for everyone.
CACHEABLE_ROUTES = frozenset(
    {
        "activities:center_ical",
        "activities:street_ical",
        "activities:activity_ical",
        "activities:sign_up",
        "disclosures:board_feed",
        "notices:district_rss",
        "notices:district_atom",
        "notices:street_rss",
        "notices:street_atom",
        "notices:center_rss",
        "notices:center_atom",
        "kiosk:service_worker",
        "kiosk:center_list",
        "kiosk:screen",
        "kiosk_api:data",
    }
)

#: Apps whose rows pages show. Every model of theirs counts but those in NOT_SHOWN.
CONTENT_APPS = frozenset(
    {
        "district",
        "catalog",
        "activities",
        "disclosures",
        "honors",
        "search",
        "taggit",
        "wagtailimages",
        "wagtaildocs",
    }
)
#: Models of the content apps that no public page shows (written by residents' visits,
#: searches and background work: they must not empty the cache).
NOT_SHOWN = frozenset(
    {
        "search.querylog",
        "search.resultvote",
        "search.searchentry",
        "search.indexversion",
        "search.handleddemand",
        "catalog.correctionreport",
        "disclosures.remindersent",
        "disclosures.reviewlink",
        "honors.lookupcode",
        "wagtailimages.rendition",
    }
)
#: Models of Wagtail's core that decide what a page shows or who may see it.
CORE_MODELS = frozenset({"wagtailcore.site", "wagtailcore.pageviewrestriction"})


def lifetime() -> int:
    """Seconds an entry lives (0: the page cache is off)."""
    return max(0, int(getattr(settings, "JIAMENKOU_PAGE_CACHE_SECONDS", 0)))


# -- invalidation -------------------------------------------------------------------------


def _new_generation() -> str:
    return secrets.token_hex(8)


def current_generation() -> str | None:
    """The content generation now, started if the cache has none (None: no cache)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _new_generation(), None)
        generation = cache.get(GENERATION_KEY)
    return generation


_pending = threading.local()


def _bump() -> None:
    cache.set(GENERATION_KEY, _new_generation(), None)


def _on_commit() -> None:
    _pending.callback = None
    _bump()


def content_changed() -> None:
    """Something pages show has changed: every cached page is out of date. Call it after
    bulk writes that send no row signals (``QuerySet.update``, ``bulk_create``)."""
    _bump()
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    # Once more when the transaction commits; once per transaction.
    callback = getattr(_pending, "callback", None)
    if callback is not None and any(entry[1] is callback for entry in connection.run_on_commit):
        return
    _pending.callback = lambda: _on_commit()
    transaction.on_commit(_pending.callback)


def shows_on_pages(model) -> bool:
    """Whether rows of ``model`` are something a public page shows."""
    from wagtail.models import Page

    label = model._meta.label_lower
    if label in NOT_SHOWN:
        return False
    if model._meta.app_label in CONTENT_APPS or label in CORE_MODELS:
        return True
    return issubclass(model, Page)


def _row_changed(sender, **kwargs):
    if kwargs.get("raw"):
        return  # fixtures being loaded
    if kwargs.get("created") and issubclass(sender, (BaseSiteSetting, BaseGenericSetting)):
        return  # made with its defaults on first use: what pages showed already
    if shows_on_pages(sender):
        content_changed()


def _relation_changed(sender, action, **kwargs):
    if action.startswith("post_") and shows_on_pages(sender):
        content_changed()


def _changed(**kwargs):
    content_changed()


def connect_signals() -> None:
    from wagtail.signals import post_page_move

    from catalog.signals import services_written

    post_save.connect(_row_changed, dispatch_uid="pagecache-save")
    post_delete.connect(_row_changed, dispatch_uid="pagecache-delete")
    m2m_changed.connect(_relation_changed, dispatch_uid="pagecache-m2m")
    post_page_move.connect(_changed, dispatch_uid="pagecache-move")
    services_written.connect(_changed, dispatch_uid="pagecache-bulk")


# -- what is cached, for whom -------------------------------------------------------------


def cacheable_view(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    if match.url_name == "wagtail_serve":
        return True
    return match.view_name in CACHEABLE_ROUTES


def serves_cache(request) -> bool:
    """Whether this request may be answered from the cache (and its answer kept)."""
    if request.method not in ("GET", "HEAD") or "authorization" in request.headers:
        return False
    if CookieStorage.cookie_name in request.COOKIES:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES and request.session.keys():
        return False  # signed in, or an anonymous visitor's own session (points, passwords)
    return cacheable_view(request.path_info)


def cache_key(request) -> str:
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    parts = [
        request.scheme,
        request.get_host(),
        request.path,
        query,
        "elderly" if is_elderly_mode(request) else "",
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"pagecache:page:{digest}"


def keeps(request, response) -> bool:
    """Whether the view's ``response`` may be kept and served to other visitors."""
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies or not _varies_only_as_the_key(response):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if "private" in cache_control or "no-store" in cache_control:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = getattr(request, "_messages", None)
    return not (messages is not None and messages._queued_messages)


#: Request headers a view may vary by and still be cached: the key covers the cookie that
#: matters (关怀版), and the site speaks one language.
HARMLESS_VARY = frozenset({"cookie", "accept-language"})


def _varies_only_as_the_key(response) -> bool:
    varies = {name.strip().lower() for name in response.get("Vary", "").split(",")}
    return varies - {""} <= HARMLESS_VARY


# A Django CSRF token: 64 letters and digits (the masked form of the secret).
TOKEN_PATTERN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


def _without_tokens(request, content: bytes) -> bytes:
    """``content`` with every CSRF token of this request replaced by a placeholder."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret or not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return content

    def replace(match):
        token = match.group().decode()
        try:
            is_ours = _unmask_cipher_token(token) == secret
        except Exception:
            is_ours = False
        return CSRF_PLACEHOLDER.encode() if is_ours else match.group()

    return TOKEN_PATTERN.sub(replace, content)


def _with_token(request, content: bytes) -> bytes:
    if CSRF_PLACEHOLDER.encode() not in content:
        return content
    return content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = lifetime()
        if not seconds or not serves_cache(request):
            return self.get_response(request)
        key = cache_key(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY) or current_generation()
        entry = found.get(key)
        if (
            entry is not None
            and entry["generation"] == generation
            and entry["expires"] > time.time()
        ):
            return self.from_entry(request, entry)
        response = self.get_response(request)
        if generation is not None and keeps(request, response):
            entry = {
                "generation": generation,
                # Checked on reading too: Redis counts its expiry in real time, not by the
                # clock the site runs on (which tests move).
                "expires": time.time() + seconds,
                "status": response.status_code,
                "headers": [
                    (name, value)
                    for name, value in response.items()
                    if name.lower() not in UNKEPT_HEADERS
                ],
                "content": _without_tokens(request, response.content),
            }
            cache.set(key, entry, seconds)
        response[STATUS_HEADER] = "miss"
        return response

    def from_entry(self, request, entry) -> HttpResponse:
        response = HttpResponse(_with_token(request, entry["content"]), status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        if "If-None-Match" in request.headers or "If-Modified-Since" in request.headers:
            unchanged = get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=_last_modified(response),
                response=response,
            )
            if unchanged is not response:
                unchanged[STATUS_HEADER] = "hit"
                return unchanged
        response[STATUS_HEADER] = "hit"
        return response


def _last_modified(response):
    from django.utils.http import parse_http_date_safe

    value = response.get("Last-Modified")
    return parse_http_date_safe(value) if value else None
