"""Django's Redis cache, made to cost only speed when Redis goes away.

Django's ``RedisCache`` raises on every connection error, so a Redis outage would turn
every page that touches the cache into a server error. :class:`ResilientRedisCache`
logs the error and answers as an empty cache would: reads miss (``get`` gives the
default, ``add`` and ``has_key`` say no), writes do nothing, ``incr`` raises the
``ValueError`` of a missing key. What relies on the cache therefore fails open: the
sign-up throttle (activities/registration/throttle.py) and the points look-up's SMS limit
(honors/lookup.py) count nothing while Redis is down; the search's click votes
(search/learning.py) are not recorded.

Two more things keep an outage cheap and its end clean:

- After an error, this process leaves Redis alone for ``RETRY_SECONDS`` (every call
  misses at once) instead of waiting for a socket timeout on each of a page's cache
  calls; the next call after that tries again. The health check (jiamenkou/health.py)
  probes regardless.
- A write that failed was perhaps an invalidation (a page published, a session ended):
  entries written before the outage may now be stale. The first call that reaches Redis
  again empties it (``clear()``, i.e. FLUSHDB: the cache needs a Redis database of its
  own) before answering.

OPTIONS take redis-py's connection options; short socket timeouts are set unless given.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: How long a process leaves Redis alone after an error.
RETRY_SECONDS = 5.0
#: Seconds to connect and to wait for an answer: a cache answers in a millisecond or two.
SOCKET_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


class _Outage:
    """What this process knows of one Redis server (shared by its threads)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.retry_at = 0.0  # monotonic time before which calls do not reach Redis
        self.lost_writes = 0  # writes that failed since Redis was last emptied


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_of(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


def forget_outages() -> None:
    """Forget every outage this process has seen (tests start from a known state)."""
    with _outages_lock:
        for outage in _outages.values():
            outage.retry_at = 0.0
            outage.lost_writes = 0


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**SOCKET_TIMEOUTS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._outage = _outage_of(str(server))

    # -- the guard ---------------------------------------------------------------------

    def _guarded(self, operation, default, *, writes: bool, probe: bool = False):
        """``operation()``, or ``default`` when Redis fails or failed moments ago. A
        ``probe`` tries Redis whatever happened before and raises what it raises."""
        outage = self._outage
        if not probe and time.monotonic() < outage.retry_at:
            if writes:
                outage.lost_writes += 1
            return default
        try:
            if outage.lost_writes:
                self._empty_after_outage()
            result = operation()
        except RedisError as error:
            with outage.lock:
                first = time.monotonic() >= outage.retry_at
                outage.retry_at = time.monotonic() + RETRY_SECONDS
                if writes:
                    outage.lost_writes += 1
            if first:  # once per RETRY_SECONDS, not once per call
                logger.warning(
                    "Redis cache unavailable (%s); serving without it for %.0f s",
                    error,
                    RETRY_SECONDS,
                )
            if probe:
                raise
            return default
        outage.retry_at = 0.0
        return result

    def _empty_after_outage(self) -> None:
        outage = self._outage
        lost = outage.lost_writes
        super().clear()
        with outage.lock:
            outage.lost_writes = max(0, outage.lost_writes - lost)
        logger.warning("Redis cache is back; emptied it, %d writes having failed meanwhile", lost)

    def probe(self, key: str, value: str, timeout: int = 10) -> None:
        """Write ``value`` under ``key`` and read it back, raising what Redis raises (or
        ``ValueError`` when another value comes back): the health check."""

        def write_and_read():
            super(ResilientRedisCache, self).set(key, value, timeout)
            return super(ResilientRedisCache, self).get(key)

        found = self._guarded(write_and_read, None, writes=True, probe=True)
        if found != value:
            raise ValueError("Redis did not give back the value just written")

    # -- Django's cache API ------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version),
            False,
            writes=True,
        )

    def get(self, key, default=None, version=None):
        return self._guarded(
            lambda: super(ResilientRedisCache, self).get(key, default, version),
            default,
            writes=False,
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded(
            lambda: super(ResilientRedisCache, self).set(key, value, timeout, version),
            None,
            writes=True,
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            lambda: super(ResilientRedisCache, self).touch(key, timeout, version),
            False,
            writes=True,
        )

    def delete(self, key, version=None):
        return self._guarded(
            lambda: super(ResilientRedisCache, self).delete(key, version),
            False,
            writes=True,
        )

    def get_many(self, keys, version=None):
        return self._guarded(
            lambda: super(ResilientRedisCache, self).get_many(keys, version), {}, writes=False
        )

    def has_key(self, key, version=None):
        return self._guarded(
            lambda: super(ResilientRedisCache, self).has_key(key, version), False, writes=False
        )

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._guarded(
            lambda: super(ResilientRedisCache, self).incr(key, delta, version),
            missing,
            writes=True,
        )
        if result is missing:
            # As for a key that is not there: callers already handle that.
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be set.
        return self._guarded(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            list(data),
            writes=True,
        )

    def delete_many(self, keys, version=None):
        self._guarded(
            lambda: super(ResilientRedisCache, self).delete_many(keys, version),
            None,
            writes=True,
        )

    def clear(self):
        return self._guarded(lambda: super(ResilientRedisCache, self).clear(), False, writes=True)
