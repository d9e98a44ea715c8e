"""Django's cache for what search keeps between requests (results, facet labels). A cache
server that is down must not stop a search: it only costs the work the cache would save."""

from __future__ import annotations

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:
        logger.warning("Search cache unavailable", exc_info=True)
        return None


def cache_set(key: str, value, seconds: int) -> None:
    try:
        cache.set(key, value, seconds)
    except Exception:
        logger.warning("Search cache unavailable", exc_info=True)
