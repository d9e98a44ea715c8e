"""A database that cannot be reached answers 503, in Chinese, and the site recovers alone.

:class:`DatabaseUnavailableMiddleware` sits near the top of ``MIDDLEWARE``. When the
database fails (``OperationalError`` or ``InterfaceError``: the server is down or
restarting, the connection was cut, too many connections, a statement timed out…) in a
view, a template or any middleware below it, the request gets a 503 with ``Retry-After``
instead of a stack trace or the generic 500 page:

- pages: ``503.html``, a static page that needs no database (rendered without a request,
  so no context processor, Wagtail site or user is looked up);
- the JSON APIs (``/api/…``): ``{"detail": "…"}``, the error shape of every API.

Recovery needs nothing from here: Django opens a new connection for a request when the
last one failed (``CONN_HEALTH_CHECKS`` with ``CONN_MAX_AGE``, settings/base.py), and this
middleware keeps no state between requests.
"""

from __future__ import annotations

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
try:  # the driver's own errors, should one escape Django's wrapping
    import psycopg
except ImportError:  # pragma: no cover - psycopg is a dependency
    pass
else:
    DATABASE_ERRORS += (psycopg.OperationalError, psycopg.InterfaceError)

#: Seconds a client is asked to wait: a database restart or fail-over takes about this.
RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"
API_DETAIL = "数据库暂时无法连接，请稍后再试。"
#: The request attribute marking a database failure below this middleware.
_FAILURE = "_jiamenkou_database_failure"


def database_unavailable_response(request) -> HttpResponse:
    """The 503 for ``request``: JSON under /api/, the static page elsewhere."""
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(
            {"detail": API_DETAIL}, status=503, json_dumps_params={"ensure_ascii": False}
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Neither the browser nor any cache in between may keep the apology.
    add_never_cache_headers(response)
    return response


def _log(request, error: BaseException) -> None:
    logger.error(
        "Database unavailable, answered 503 to %s %s: %s",
        request.method,
        request.path,
        error,
        exc_info=(type(error), error, error.__traceback__),
    )


@receiver(got_request_exception)
def _note_database_failure(sender, request=None, **kwargs):
    """Marks ``request`` when a middleware below ours failed on the database: Django has
    already turned that exception into a 500 response by the time it reaches us."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        setattr(request, _FAILURE, error)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, _FAILURE, None)
        if error is not None and response.status_code >= 500:
            _log(request, error)
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        """A view (or its template) that failed on the database."""
        if isinstance(exception, DATABASE_ERRORS):
            _log(request, exception)
            return database_unavailable_response(request)
        return None
