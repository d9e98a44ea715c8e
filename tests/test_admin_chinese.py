"""The editors' admin reads in Chinese throughout and keeps editors' e-mail addresses to itself.

Wagtail's zh_Hans catalogs lack a few hundred of Wagtail 8's strings (the dashboard's
"5 Pages", "Search all pages…"); the project's own catalog (site/jiamenkou/locale) adds
them. These tests render the admin pages editors use with the demo district loaded and
look for English an editor would read; they also fail when the committed .mo no longer
matches its .po, or when an upgrade brings strings that no catalog translates.
"""

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import polib
from bs4 import BeautifulSoup
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from wagtail.models import Collection, Page, Task, Workflow
from wagtail.users.models import UserProfile

from catalog.hsds import import_services
from catalog.models import (
    CorrectionReport,
    Location,
    Organization,
    PublicHoliday,
    Service,
    TaxonomyTerm,
)
from district.demo.loader import load_district
from district.models import CenterPage, HomePage
from tests.catalog.hsds_data import demo_catalog

CATALOG_DIR = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"

# Words that are names, not English an editor should have had translated; all-capital
# words (HSDS, URL, PNG, the MO,TU of an hours rule) are acronyms and codes.
PROPER_NAMES = {"Wagtail", "Excel", "Ctrl", "Alt", "Shift", "Esc", "Cmd"}
# A run of letters, with what may join the parts of a code or address (HHD-CH-01,
# elderly_care, jiamenkou-topic, user@example.gov.cn, Asia/Shanghai, .xlsx).
TOKEN = re.compile(r"\.?[A-Za-z][A-Za-z0-9]*(?:[-_.@/:]+[A-Za-z0-9]+)*")
TEXT_ATTRIBUTES = ("placeholder", "title", "aria-label", "aria-description", "alt")
TEXT_ATTRIBUTES += ("data-w-tooltip-content-value",)


def english_words(text: str, data_words: set[str]) -> list[str]:
    """The English words in a text an editor reads: runs of two or more letters that are
    neither a code (digits or joiners inside), a proper name, nor words of the site's data."""
    words = []
    for token in TOKEN.findall(text):
        if not token.isalpha() or len(token) < 2 or token.isupper():
            continue  # a code, an identifier or an acronym, not a word
        if token in PROPER_NAMES or token in data_words:
            continue
        words.append(token)
    return words


def readable_texts(html: str) -> list[str]:
    """What an editor reads on a page (or hears from a screen reader): text nodes, the
    attributes that carry text, the window title and the sidebar's menu labels."""
    soup = BeautifulSoup(html, "html.parser")
    texts = []
    props = soup.find("script", id="wagtail-sidebar-props")
    if props is not None:
        texts += _menu_labels(json.loads(props.string))
    for tag in soup(["script", "style", "template", "noscript"]):
        tag.decompose()
    for counter in soup.select("[data-side-panel-toggle-counter]"):
        counter.decompose()  # a count scripts fill in (Wagtail renders it empty as "None")
    for option in soup("option"):
        if option.get_text(strip=True) == option.get("value"):
            option.decompose()  # an identifier offered as itself (a time zone)
    if soup.title is not None:
        texts.append(soup.title.get_text(" ", strip=True))
    texts += list(soup.body.stripped_strings)
    for element in soup.body.find_all(True):
        texts += [element[name] for name in TEXT_ATTRIBUTES if element.get(name)]
    return texts


def _menu_labels(node) -> list[str]:
    if isinstance(node, dict):
        labels = [node[key] for key in ("label", "footer_text") if isinstance(node.get(key), str)]
        return labels + [label for value in node.values() for label in _menu_labels(value)]
    if isinstance(node, list):
        return [label for value in node for label in _menu_labels(value)]
    return []


class ProjectCatalogTests(SimpleTestCase):
    def test_the_committed_mo_files_match_their_po_sources(self):
        """A fresh clone serves the compiled catalogs as committed: nobody runs
        compilemessages, so a .po edited without compiling would change nothing."""
        sources = sorted(CATALOG_DIR.glob("*.po"))
        self.assertEqual([path.name for path in sources], ["django.po", "djangojs.po"])
        for source in sources:
            compiled = source.with_suffix(".mo")
            with self.subTest(catalog=source.name):
                self.assertTrue(compiled.is_file(), f"{compiled} is missing")
                self.assertEqual(
                    _entries(polib.mofile(str(compiled))),
                    _entries(polib.pofile(str(source))),
                    f"{compiled.name} is stale: cd site/jiamenkou && "
                    "../../.venv/bin/django-admin compilemessages -l zh_Hans",
                )

    def test_every_string_of_the_installed_apps_has_chinese(self):
        """Every string the installed apps' English catalogs list is translated by the
        app's own zh_Hans catalog or by the project's: a Wagtail upgrade that brings new
        strings fails here, naming them, before an editor meets them in English."""
        ours = {
            domain: _translated(polib.pofile(str(CATALOG_DIR / f"{domain}.po")))
            for domain in ("django", "djangojs")
        }
        missing = []
        for app in apps.get_app_configs():
            for english in (Path(app.path) / "locale" / "en" / "LC_MESSAGES").glob("*.po"):
                chinese = Path(str(english).replace("/en/", "/zh_Hans/"))
                theirs = _translated(polib.pofile(str(chinese))) if chinese.is_file() else set()
                known = theirs | ours[english.stem]
                missing += [
                    f"{app.label} ({english.name}): {entry.msgid!r}"
                    for entry in polib.pofile(str(english))
                    if not entry.obsolete and (entry.msgctxt, entry.msgid) not in known
                ]
        self.assertEqual(missing, [], f"add to {CATALOG_DIR}/*.po and compile")


def _entries(catalog) -> dict:
    return {
        (entry.msgctxt, entry.msgid): entry.msgstr
        or tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
        for entry in catalog
        if entry.msgid
        and (entry.msgstr or entry.msgstr_plural)
        and "fuzzy" not in getattr(entry, "flags", ())
    }


def _translated(catalog) -> set:
    return {(entry.msgctxt, entry.msgid) for entry in catalog if entry.translated()}


class AdminChineseTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_district(password="admin-chinese-pw")
        import_services(demo_catalog())
        cls.editor = get_user_model().objects.create_superuser(
            "zhangsan", email="Zhang.San@example.gov.cn", password="zhangsan-pw-1"
        )
        cls.home = HomePage.objects.get()
        cls.center = CenterPage.objects.get(code="HHD-CH-01")
        cls.service = Service.objects.order_by("name").first()
        CorrectionReport.objects.create(service=cls.service, center=cls.center, reason="hours")

    def setUp(self):
        self.client.force_login(self.editor)

    def data_words(self) -> set[str]:
        """Words of what editors named themselves (titles, accounts, groups, workflows) and of
        the taxonomies' codes: data, not the admin's wording. Wagtail's migrations name some
        in English (the Root page, the Editors group, the Moderators approval workflow)."""
        names = [*Page.objects.values_list("title", flat=True)]
        names += get_user_model().objects.values_list("username", flat=True)
        names += Group.objects.values_list("name", flat=True)
        names += Workflow.objects.values_list("name", flat=True)
        names += Task.objects.values_list("name", flat=True)
        names += Collection.objects.values_list("name", flat=True)
        names += TaxonomyTerm.objects.values_list("code", flat=True)
        return {word for name in names for word in TOKEN.findall(name)}

    def assert_reads_in_chinese(self, url: str):
        response = self.client.get(url, follow=True)
        self.assertEqual(response.status_code, 200, url)
        data_words = self.data_words()
        english = [
            text
            for text in readable_texts(response.content.decode())
            if english_words(text, data_words)
        ]
        self.assertEqual(english, [], f"English on {url}")

    def test_the_dashboard_reads_in_chinese(self):
        page = self.client.get(reverse("wagtailadmin_home")).content.decode()
        texts = " ".join(readable_texts(page))
        self.assertRegex(texts, r"\d+ 个页面")
        self.assertIn("搜索所有页面…", texts)
        self.assertRegex(texts, r"Wagtail [\d.]+ 编辑指南")
        for english in ("Pages", "Search all pages", "editor guide", "created in"):
            self.assertNotIn(english, texts)
        self.assert_reads_in_chinese(reverse("wagtailadmin_home"))

    def test_the_sign_in_page_reads_in_chinese(self):
        self.client.logout()
        page = self.client.get(reverse("wagtailadmin_login")).content.decode()
        self.assertIn("登录家门口管理后台", page)
        self.assertIn("密码", " ".join(readable_texts(page)))
        self.assert_reads_in_chinese(reverse("wagtailadmin_login"))
        self.assert_reads_in_chinese(reverse("wagtailadmin_password_reset"))

    def test_the_pages_editors_use_read_in_chinese(self):
        location = Location.objects.filter(center=self.center).first()
        urls = [
            reverse("wagtailadmin_explore_root"),
            reverse("wagtailadmin_explore", args=[self.home.pk]),
            reverse("wagtailadmin_explore", args=[self.center.pk]),
            reverse("wagtailadmin_pages:edit", args=[self.center.pk]),
            reverse("wagtailadmin_pages:edit", args=[self.home.pk]),
            reverse("wagtailadmin_pages:add_subpage", args=[self.center.pk]),
            reverse("wagtailadmin_pages:search") + "?q=中心",
            reverse("catalog_service_modeladmin_index"),
            reverse("catalog_service_modeladmin_index") + "?stale=1",
            reverse("catalog_service_modeladmin_create"),
            reverse("catalog_service_modeladmin_edit", args=[self.service.pk]),
            reverse("catalog_correctionreport_modeladmin_index"),
            reverse(
                "catalog_correctionreport_modeladmin_edit",
                args=[CorrectionReport.objects.get().pk],
            ),
            reverse("catalog_organization_modeladmin_index"),
            reverse("catalog_organization_modeladmin_edit", args=[Organization.objects.first().pk]),
            reverse("catalog_location_modeladmin_index"),
            reverse("catalog_location_modeladmin_edit", args=[location.pk]),
            reverse("catalog_taxonomyterm_modeladmin_index"),
            reverse("catalog_taxonomyterm_modeladmin_edit", args=[TaxonomyTerm.objects.first().pk]),
            reverse("catalog_publicholiday_modeladmin_index"),
            reverse(
                "catalog_publicholiday_modeladmin_edit", args=[PublicHoliday.objects.first().pk]
            ),
            reverse("catalog_excel:index"),
            reverse("wagtailsnippets:index"),
            reverse("wagtailsettings:edit", args=["district", "districtsettings"]),
            reverse("wagtailsettings:edit", args=["catalog", "catalogsettings"]),
            reverse("search_synonymset_modeladmin_index"),
            reverse("search_synonymset_modeladmin_create"),
            reverse("search_demand:index"),
            reverse("wagtailadmin_account"),
            reverse("wagtailimages:index"),
            reverse("wagtaildocs:index"),
            *self.activity_admin_urls(),
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assert_reads_in_chinese(url)

    def activity_admin_urls(self) -> list[str]:
        from datetime import timedelta

        from django.utils import timezone

        from tests.activities.builders import build_activity

        activity = build_activity(
            self.center,
            "太极拳",
            room=None,
            place_note="小区广场",
            dtstart=timezone.localdate() + timedelta(days=2),
            capacity=10,
            signup_required=True,
        )
        occurrence = activity.occurrences.get()
        return [
            reverse("activities_activity_modeladmin_index"),
            reverse("activities_activity_modeladmin_create"),
            reverse("activities_activity_modeladmin_edit", args=[activity.pk]),
            reverse("activities_activitykind_modeladmin_index"),
            reverse("activities_calendar"),
            reverse("activities_sign_ups:index"),
            reverse("activities_sign_ups:occurrence", args=[occurrence.pk]),
            reverse("activities_utilisation:index"),
            reverse("activities_excel:index"),
        ]

    def test_the_catalog_panel_is_a_wagtail_dashboard_panel(self):
        page = BeautifulSoup(self.client.get(reverse("wagtailadmin_home")).content, "html.parser")
        panel = page.find(id="catalog-tasks-section")
        self.assertIsNotNone(panel)
        self.assertIn("w-panel--dashboard", panel["class"])
        self.assertEqual(panel.find(class_="w-panel__heading").get_text(strip=True), "服务目录待办")
        rows = panel.select("table.listing.listing--dashboard tbody tr")
        self.assertEqual(len(rows), 2)
        self.assertIn("1 条居民纠错待处理", rows[1].get_text(" ", strip=True))
        self.assertIn("待处理", rows[1].select_one(".w-status").get_text(strip=True))


class NoGravatarTests(TestCase):
    """An editor's e-mail address, hashed, must not reach an outside avatar service: the
    admin shows the avatar they uploaded or Wagtail's own default picture."""

    @classmethod
    def setUpTestData(cls):
        cls.email = "Li.Si@example.gov.cn"
        cls.editor = get_user_model().objects.create_superuser(
            "lisi", email=cls.email, password="lisi-pw-12345"
        )

    def setUp(self):
        self.client.force_login(self.editor)

    def assert_private(self, url: str) -> BeautifulSoup:
        html = self.client.get(url).content.decode()
        hashes = [
            getattr(hashlib, name)(self.email.lower().encode()).hexdigest()
            for name in ("md5", "sha256")
        ]
        self.assertFalse("gravatar.com" in html, f"{url} names gravatar.com")
        for digest in hashes:
            self.assertFalse(digest in html, f"{url} carries a hash of the e-mail address")
        page = BeautifulSoup(html, "html.parser")
        for element, attribute in [("img", "src"), ("script", "src"), ("iframe", "src")]:
            for tag in page.find_all(element, **{attribute: True}):
                self.assertFalse(
                    urlsplit(tag[attribute]).netloc, f"{url} loads {tag[attribute]} from outside"
                )
        return page

    def test_admin_pages_load_no_avatar_from_outside(self):
        pages_with_avatars = [
            reverse("wagtailadmin_home"),
            reverse("wagtailadmin_account"),
            reverse("wagtailusers_users:index"),
        ]
        for url in [*pages_with_avatars, reverse("wagtailusers_users:edit", args=[self.editor.pk])]:
            with self.subTest(url=url):
                page = self.assert_private(url)
                avatars = [img["src"] for img in page.select(".avatar img")]
                self.assertEqual(bool(avatars), url in pages_with_avatars)
                for src in avatars:
                    self.assertIn("wagtailadmin/images/default-user-avatar", src)

    def test_an_uploaded_avatar_is_served_from_the_site(self):
        profile = UserProfile.get_for_user(self.editor)
        profile.avatar = SimpleUploadedFile("avatar.png", _png(), content_type="image/png")
        profile.save()
        page = self.assert_private(reverse("wagtailadmin_home"))
        avatars = [img["src"] for img in page.select(".avatar img")]
        self.assertTrue(avatars)
        for src in avatars:
            self.assertTrue(src.startswith(settings.MEDIA_URL), src)


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()
