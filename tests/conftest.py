from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connections, transaction
from django.test import TestCase
from pytest_django.plugin import blocking_manager_key

_last_item = None

# The reference data the demo catalog and the HSDS schemas were copied from, when it sits
# beside the checkout: only an optional cross-check reads it, and nothing else may.
SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"
CROSS_CHECK = "catalog/test_shared_crosscheck.py"
collect_ignore = [] if (SHARED_DIR / "data" / "catalog-hsds.json").is_file() else [CROSS_CHECK]


def pytest_terminal_summary(terminalreporter):
    if collect_ignore:
        terminalreporter.write_line(
            f"{SHARED_DIR} is not beside the project: the optional cross-check with it "
            f"(tests/{CROSS_CHECK}) was not collected."
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """PostgreSQL: the search index is analysed only when a test rebuilds it (its
    ``ANALYZE``), never by autovacuum: the words' shares weigh a query's words (see
    ``search.backends.database.word_shares``), and a ranking must not depend on whether
    autovacuum happened to sample what a transactional test had committed."""
    from search.backends.database import ENTRY_TABLE

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"ALTER TABLE {ENTRY_TABLE} SET (autovacuum_enabled = false)")


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: Wagtail caches renditions and site roots by
    database id, and ids are reused once a transactional test has flushed the tables."""
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def autocommit_restored(request, django_db_blocker):
    """Each test starts with the connection in autocommit, as Django leaves it: once on
    SQLite, after tests/browser/test_kiosk.py, a test left it in manual transaction
    management, where every later ``on_commit`` raises. Which test, and how, is not known:
    the live server does not share this connection (its request threads open their own to
    the shared in-memory database). Said as a warning naming the next test, so the leak is
    not silent and can be traced."""
    import warnings

    connection = connections["default"]
    left_manual = not (connection.autocommit or connection.in_atomic_block)
    if connection.connection is not None and left_manual:
        warnings.warn(
            f"the database connection was left in manual transaction management "
            f"before {request.node.nodeid}: rolled back and set to autocommit",
            stacklevel=1,
        )
        with django_db_blocker.unblock():
            connection.rollback()
            connection.set_autocommit(True)
    yield


def continues_a_test_case_class(item, previous) -> bool:
    """The item belongs to the Django TestCase class the previous item ran in, whose
    class-wide transaction is rightly still open."""
    cls = getattr(item, "cls", None)
    return cls is not None and issubclass(cls, TestCase) and getattr(previous, "cls", None) is cls


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """No test starts inside a transaction an earlier one left open.

    Django's TestCase rolls its class-wide transaction back when setUpTestData raises an
    Exception, but pytest.skip() and pytest.fail() raise BaseExceptions: the transaction
    then stayed open under every later test, which saw the skipped class's rows and, on
    SQLite's shared in-memory database, locked the tables for any other connection. It is
    rolled back here and this test fails, naming where it came from, instead."""
    global _last_item
    previous, _last_item = _last_item, item
    if continues_a_test_case_class(item, previous):
        return
    leaked = [conn for conn in connections.all(initialized_only=True) if conn.in_atomic_block]
    with item.config.stash[blocking_manager_key].unblock():
        for conn in leaked:
            while conn.atomic_blocks:
                transaction.set_rollback(True, using=conn.alias)
                conn.atomic_blocks[-1].__exit__(None, None, None)
    if leaked:
        culprit = previous.nodeid if previous is not None else "the session's setup"
        pytest.fail(
            f"{culprit} (or its class's setUpTestData) left a transaction open on the "
            f"{', '.join(conn.alias for conn in leaked)} database; it has been rolled back "
            "and this test was not run. Skip a TestCase class with a decorator or "
            "unittest.SkipTest, not pytest.skip() inside setUpTestData.",
            pytrace=False,
        )
