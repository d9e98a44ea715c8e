"""GET /health/: whether the database, the cache and the search backend answer, for a
load balancer or a monitor polling every few seconds.

No login, never cached, no session or user looked up. Each check does the least that
proves its service answers (one trivial query; one key written and read back; the search
table read or the Elasticsearch cluster's health asked with a short timeout) and reports
``{"ok": …, "ms": …}``, and the name of the error when it fails (the details go to the
log). 200 with ``"status": "ok"`` when every check passes, else 503 with ``"down"``.
"""

from __future__ import annotations

import logging
import time
import uuid

from django.core.cache import caches
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

#: Seconds the search check waits for Elasticsearch: well within a load balancer's own
#: timeout, so the answer says which service is slow rather than timing out as a whole.
SEARCH_TIMEOUT_SECONDS = 2
#: Seconds the cache check's key lives (each check writes a key of its own).
CACHE_KEY_SECONDS = 10


class CheckFailed(Exception):
    """A service answered, but not as it should."""


def check_database() -> dict:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_cache() -> dict:
    cache = caches["default"]
    # A key per check: concurrent checks from several load balancers do not collide.
    key = value = f"health:{uuid.uuid4().hex}"
    probe = getattr(cache, "probe", None)
    if probe is not None:
        # jiamenkou.cache.ResilientRedisCache treats errors as misses; its probe raises them.
        probe(key, value, CACHE_KEY_SECONDS)
    else:
        cache.set(key, value, CACHE_KEY_SECONDS)
        if cache.get(key) != value:
            raise CheckFailed("the cache did not give back the value just written")
    return {}


def check_search() -> dict:
    from search.backends import get_search_backend

    backend = get_search_backend()
    if backend.name == "elasticsearch":
        client = backend.client.options(
            request_timeout=SEARCH_TIMEOUT_SECONDS, max_retries=0, retry_on_timeout=False
        )
        cluster = client.cluster.health()["status"]
        if cluster == "red":
            raise CheckFailed("the Elasticsearch cluster is red")
        return {"backend": backend.name, "cluster": cluster}
    from search.models import SearchEntry

    list(SearchEntry.objects.values_list("pk", flat=True)[:1])
    return {"backend": backend.name}


CHECKS = {"database": check_database, "cache": check_cache, "search": check_search}


def run_check(name: str, check) -> dict:
    started = time.perf_counter()
    try:
        details = check()
    except Exception as error:
        logger.warning("Health check %s failed: %s", name, error, exc_info=True)
        result = {"ok": False, "error": type(error).__name__}
    else:
        result = {"ok": True, **details}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


@never_cache
@require_safe
def health(request):
    checks = {name: run_check(name, check) for name, check in CHECKS.items()}
    up = all(result["ok"] for result in checks.values())
    return JsonResponse(
        {"status": "ok" if up else "down", "checks": checks}, status=200 if up else 503
    )
