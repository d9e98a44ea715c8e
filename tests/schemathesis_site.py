"""What the schemathesis runs (tests/test_api_contract.py over the site's own document,
tests/test_hsds_official_api.py over Open Referral's) share: the site's WSGI handler in
the test's transaction, and part of the demo catalog, indexed for search."""

import pytest
from django.core import signals
from django.db import close_old_connections

from catalog.hsds import import_services
from search.indexing import rebuild_index
from search.models import SynonymSet
from search.seeding import load_synonym_seed
from tests.catalog.hsds_data import demo_catalog, with_their_organizations

# Enough of the demo catalog for every status and kind, the organisations of those
# services, and the example service of the OpenAPI document (老年人优待证办理).
SERVICES = 24


def demo_records(count: int) -> list[dict]:
    """The first ``count`` services of the demo catalog, every one that is not active,
    and for each organisation their centers name, a record that carries it."""
    records = demo_catalog()
    chosen = records[:count] + [r for r in records[count:] if r["status"] != "active"]
    return with_their_organizations(records, chosen)


def load_indexed_demo_services() -> None:
    """Part of the demo catalog with the starter synonyms, indexed for search."""
    import_services(demo_records(SERVICES))
    load_synonym_seed(SynonymSet)
    rebuild_index(progress=False)


@pytest.fixture(scope="module", autouse=True)
def keep_connection_open():
    """Requests go to the site's WSGI handler in-process; the connection stays open between
    them so that every request sees the test's transaction (as Django's test client
    arranges for its own requests)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
