"""The Content-Security-Policy in a real browser (Chromium enforces it as residents' phones
do): every public page type of the demo district loads without one violation, its buttons
still work, and in the admin the page editor loads, previews and saves without one."""

import pytest

from jiamenkou.public_pages import public_pages
from tests.browser.test_accessibility import public_site  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-password"
#: Public page types with a 打印 button.
PRINT_VIEWS = ("disclosure-print", "disclosure-poster")

#: Collects each violation the page reports (``securitypolicyviolation`` events), and
#: counts calls to window.print (a print dialog would block a headless browser).
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "?"}` +
    ` (${event.sourceFile || "the page"}:${event.lineNumber}) ${event.sample || ""}`
  );
}, true);
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


class Violations:
    """The CSP violations a browser context has met: the pages' events, and the console
    messages Chromium writes for each (also for what happens before a page's scripts)."""

    def __init__(self, context):
        context.add_init_script(WATCH_VIOLATIONS)
        self.console: list[str] = []
        context.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def take(self, page) -> list[str]:
        """What was reported since the last call (this page's events, all the console's)."""
        found = page.evaluate("window.__cspViolations || []") + self.console
        page.evaluate("window.__cspViolations = []")
        self.console = []
        return found


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    violations = Violations(context)
    page = context.new_page()
    yield page, violations
    context.close()


def test_every_public_page_type_loads_without_a_violation(public_site, watched):  # noqa: F811
    page, violations = watched
    found = []
    for page_type, path in public_pages():
        response = page.goto(public_site + path)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, path
        page.wait_for_load_state("networkidle")
        if page_type.name in PRINT_VIEWS:  # its 打印 button, now wired by a script file
            page.get_by_role("button", name="打印").click()
            assert page.evaluate("window.__printed") == 1, path
        found += [f"{page_type.label} {path}: {v}" for v in violations.take(page)]
    assert not found, "CSP violations:\n" + "\n".join(found)


def log_in(page, base_url: str) -> None:
    page.goto(base_url + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(base_url + "/admin/")


def test_the_page_editor_loads_previews_and_saves_without_a_violation(demo_site, watched):
    from district.models import NoticePage

    page, violations = watched
    log_in(page, demo_site)
    notice = NoticePage.objects.live().order_by("path").first()
    found = [f"/admin/: {v}" for v in violations.take(page)]

    page.goto(f"{demo_site}/admin/pages/{notice.get_parent().pk}/")
    page.wait_for_load_state("networkidle")
    found += [f"the page explorer: {v}" for v in violations.take(page)]

    page.goto(f"{demo_site}/admin/pages/{notice.pk}/edit/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="预览").first.click()
    preview = page.frame_locator("iframe[id='w-preview-iframe'], .preview-panel iframe").first
    assert notice.title in preview.locator("h1").inner_text()
    found += [f"the page editor and its preview: {v}" for v in violations.take(page)]

    title = page.locator("#id_title")
    title.fill(notice.title + "（修订）")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state("networkidle")
    assert "已被更新" in page.locator(".messages").inner_text()
    found += [f"saving a draft: {v}" for v in violations.take(page)]
    assert not found, "CSP violations in the admin:\n" + "\n".join(found)
    notice.refresh_from_db()
    assert notice.get_latest_revision_as_object().title == notice.title + "（修订）"


def test_an_editors_userbar_on_a_public_page_works_without_a_violation(
    demo_site, watched, settings
):
    # The userbar loads Wagtail's scripts from the admin's base URL: the site's own.
    settings.WAGTAILADMIN_BASE_URL = demo_site
    page, violations = watched
    log_in(page, demo_site)
    violations.take(page)
    page.goto(demo_site + "/")
    page.wait_for_load_state("networkidle")
    trigger = page.locator("wagtail-userbar #wagtail-userbar-trigger")
    trigger.click()
    found = violations.take(page)
    assert not found, "CSP violations with the userbar:\n" + "\n".join(found)
    assert trigger.get_attribute("aria-expanded") == "true"  # its menu opened
