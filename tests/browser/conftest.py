"""A real Chromium (Debian's package) driven by Playwright against a live test server.

Without chromium the browser tests are skipped with the reason printed in pytest's
summary; `make test` installs it first when it can (root with apt).
"""

import os
import shutil

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


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if not executable:
        pytest.skip(
            "chromium is not installed (Debian package `chromium`; `make test` installs it as root)"
        )
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the
    # test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
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
