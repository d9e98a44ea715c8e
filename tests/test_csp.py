"""The Content-Security-Policy (settings.CONTENT_SECURITY_POLICY, jiamenkou/csp.py): public
pages allow only the site's own files, with no inline script or style; no public page type
carries an inline script, style or event handler that the policy would refuse (a resident's
browser would drop it silently); the admin gets its relaxation, and only the admin.

tests/browser/test_csp.py loads the same pages in Chromium and listens for violations."""

from html.parser import HTMLParser
from io import StringIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import TestCase

from activities.kiosk.qr import qr_svg
from jiamenkou.public_pages import public_pages
from tests.test_faults import database_gone

#: Inline <script> elements that hold data, not code (a guide's JSON-LD, the lobby screen's
#: json_script documents): CSP does not govern them, as browsers do not run them; the
#: browser test checks that no violation is reported.
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}


def policy_of(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


class InlineCode(HTMLParser):
    """Collects what a strict policy refuses in a page: inline <script> code, <style>
    elements, style="…" attributes and on…= event handlers (and javascript: links)."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._script_line = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        where = f"line {self.getpos()[0]}: <{tag}>"
        if tag == "style":
            self.found.append(f"{where} element")
        code = (attributes.get("type") or "").lower() not in DATA_SCRIPT_TYPES
        if tag == "script" and "src" not in attributes and code:
            self.found.append(f"{where} inline script")
        for name, value in attrs:
            scheme = (value or "").strip().lower()
            link = name in ("href", "action", "src") and scheme.startswith("javascript:")
            if name == "style" or name.startswith("on") or link:
                self.found.append(f'{where} {name}="{value}"')

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


class PublicPagesTest(TestCase):
    """One page of every public page type of the demo district (jiamenkou.public_pages)."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", password="demo-password", stdout=StringIO())

    def setUp(self):
        self.pages = public_pages()  # LookupError naming any type the demo has no page of

    def get(self, page_type, path):
        response = self.client.get(path)
        expected = 404 if page_type.name == "not-found" else 200
        self.assertEqual(response.status_code, expected, f"{page_type.name} {path}")
        return response

    def test_the_policy_allows_only_the_sites_own_files_and_no_inline_code(self):
        for page_type, path in self.pages:
            with self.subTest(page_type.name, path=path):
                policy = policy_of(self.get(page_type, path))
                self.assertEqual(policy["default-src"], ["'self'"])
                self.assertEqual(policy["script-src"], ["'self'"])
                self.assertEqual(policy["style-src"], ["'self'"])
                self.assertEqual(policy["img-src"], ["'self'", "data:"])
                self.assertEqual(policy["connect-src"], ["'self'"])
                self.assertEqual(policy["object-src"], ["'none'"])
                self.assertEqual(policy["base-uri"], ["'self'"])
                self.assertEqual(policy["form-action"], ["'self'"])
                self.assertEqual(policy["frame-ancestors"], ["'none'"])
                everything = " ".join(source for sources in policy.values() for source in sources)
                self.assertNotIn("unsafe", everything)

    def test_no_page_type_carries_inline_script_style_or_handlers(self):
        found = []
        for page_type, path in self.pages:
            html = self.get(page_type, path).content.decode()
            found += [f"{page_type.name} {path} {problem}" for problem in inline_code(html)]
        self.assertEqual(found, [], "the policy would refuse these")

    def test_the_json_ld_of_a_service_guide_stays_a_data_block(self):
        guide = next(path for page_type, path in self.pages if page_type.name == "service-guide")
        html = self.client.get(guide).content.decode()
        self.assertIn('<script type="application/ld+json">', html)


def test_no_template_of_ours_carries_inline_code():
    """Admin templates included: what the public pages render is checked above, but a
    template seen by neither (a print view, an admin page) is caught here."""
    found = {}
    for folder in ("site", "catalog", "activities", "search"):
        for template in sorted((settings.BASE_DIR / folder).rglob("templates/**/*.html")):
            name = template.relative_to(settings.BASE_DIR).as_posix()
            problems = inline_code(template.read_text(encoding="utf-8"))
            if problems:
                found[name] = problems
    assert found == {}


class ErrorPagesTest(TestCase):
    def test_the_error_pages_carry_no_inline_code(self):
        # 503.html is shown while the database is down; 500.html when anything else fails.
        for template in ("500.html", "503.html"):
            with self.subTest(template):
                self.assertEqual(inline_code(render_to_string(template)), [])

    def test_the_page_shown_while_the_database_is_down_carries_the_policy(self):
        with database_gone(), self.assertLogs("jiamenkou.faults", "ERROR"):
            response = self.client.get("/")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(policy_of(response)["style-src"], ["'self'"])

    def test_a_qr_code_is_white_without_a_style_attribute(self):
        svg = qr_svg("https://example.gov.cn/gongkai/", "扫码查看")
        self.assertEqual(inline_code(svg), [])
        self.assertIn('fill="#fff"', svg)


class AdminPolicyTest(TestCase):
    def test_the_admin_allows_wagtails_inline_code_but_nothing_from_elsewhere(self):
        user = get_user_model().objects.create_superuser("csp-admin", "a@example.gov.cn", "pw")
        self.client.force_login(user)
        for path in ("/admin/login/", "/admin/"):
            with self.subTest(path):
                policy = policy_of(self.client.get(path, follow=True))
                self.assertEqual(policy["script-src"], ["'self'", "'unsafe-inline'"])
                self.assertEqual(policy["style-src"], ["'self'", "'unsafe-inline'"])
                self.assertEqual(policy["connect-src"], ["'self'"])
                self.assertEqual(policy["object-src"], ["'none'"])
                # The page editor frames its own preview.
                self.assertEqual(policy["frame-ancestors"], ["'self'"])
                self.assertNotIn("'unsafe-eval'", policy["script-src"])

    def test_the_relaxation_is_the_admins_only(self):
        self.assertEqual(policy_of(self.client.get("/"))["script-src"], ["'self'"])
        self.assertFalse(settings.WAGTAIL_ENABLE_UPDATE_CHECK)  # no call to wagtail.org
