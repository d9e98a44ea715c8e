"""A real Chromium (Debian's package) driven by Playwright against a live test server.

Without chromium the browser tests are skipped with the reason printed in pytest's
summary; `make test` installs it first when it can (root with apt).
"""

import os
import shutil
from contextlib import contextmanager

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@contextmanager
def playwright_on_the_threads_connections():
    """Playwright's sync API, with this thread kept on the database connections it has.

    Between its calls, Playwright leaves its event loop marked as running on this thread.
    Django's connection handler then takes the thread for an async context and keeps its
    connections apart from the thread's, so the tests and the live server would open a
    second connection to the in-memory test database beside the one all earlier tests
    used — and SQLite's shared cache locks tables between the two: a transaction left
    open on the first failed every browser test after it with "database table is locked:
    wagtailcore_page". The thread's connection objects are handed to that context too, as
    Django's LiveServerThread hands them to its own thread. The tests' ORM calls are
    synchronous, so Django's async guard is lifted while Playwright runs."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    existing = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, connection in existing.items():
            connections[alias] = connection  # stored where the running loop looks now
        yield playwright


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if not executable:
        pytest.skip(
            "chromium is not installed (Debian package `chromium`; `make test` installs it as root)"
        )
    with playwright_on_the_threads_connections() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):
    """A 360 px wide phone screen, as most residents see the site."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=2
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_site(live_server):
    from district.demo.loader import load_district

    load_district(password="browser-test-password")
    return live_server.url
