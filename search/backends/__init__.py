"""The one entry point to the search backend configured in settings.

``settings.JIAMENKOU_SEARCH["BACKEND"]`` is a dotted module path; every backend module
exposes a class named ``SearchBackend`` (so the database path never imports
Elasticsearch). The database backend is the default; settings switch to
``search.backends.elasticsearch`` when ``ELASTICSEARCH_URL`` is set.
"""

from __future__ import annotations

import functools
from importlib import import_module

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

DEFAULT_BACKEND = "search.backends.database"


def backend_settings() -> dict:
    return dict(getattr(settings, "JIAMENKOU_SEARCH", {}) or {})


@functools.cache
def get_search_backend():
    params = backend_settings()
    module = import_module(params.pop("BACKEND", DEFAULT_BACKEND))
    return module.SearchBackend(params)


@receiver(setting_changed)
def _forget_backend(setting, **kwargs):
    if setting == "JIAMENKOU_SEARCH":
        get_search_backend.cache_clear()
