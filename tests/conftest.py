import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: Wagtail caches renditions and site roots by
    database id, and ids are reused once a transactional test has flushed the tables."""
    cache.clear()
    yield
