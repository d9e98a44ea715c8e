"""Tests: fast hashing, a local-memory cache unless REDIS_URL asks for Redis, temp media."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "jiamenkou-tests"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="jiamenkou-test-media-"))
ALLOWED_HOSTS = ["*"]
# Mail stays in memory (pytest does this too; scripts that use these settings need it).
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The page cache is off in tests unless PAGE_CACHE_SECONDS turns it on: tests that count
# a page's queries on its second visit would otherwise count a cache hit.
# tests/test_page_cache.py turns it on for itself.
JIAMENKOU_PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0)  # noqa: F405
# Many tests sign an editor in and then move the clock by days or months (time_machine):
# the working day's idle expiry (SESSION_COOKIE_AGE in base.py) would sign them out. The
# expiry itself is tested with the real setting (tests/test_security_signin.py).
SESSION_COOKIE_AGE = 400 * 24 * 60 * 60
