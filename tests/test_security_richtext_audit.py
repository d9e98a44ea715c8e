"""Rich text stays inside its whitelist, and the admin log names the center (jiamenkou/
security/audit.py): a center's editor edits a notice through the admin with a body a
script would post, the public page carries no script, and the log report shows the edit
under the editor's center."""

import json
from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import TestCase
from django.urls import reverse
from wagtail.log_actions import log
from wagtail.models import GroupPagePermission, ModelLogEntry, PageLogEntry
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from district.models import NoticeCategory
from jiamenkou.security.audit import DATA_KEY
from tests.district.builders import (
    build_center,
    build_home,
    build_notice,
    build_notice_index,
    build_street,
)
from tests.honors.builders import participant


class Markup(HTMLParser):
    """The elements and attributes of a piece of HTML, as a browser would see them."""

    def __init__(self, html: str):
        super().__init__()
        self.tags, self.attributes = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


TEXT = '<script>alert(1)</script><img src=x onerror="alert(2)"> 详见这里'


def hostile_body() -> str:
    """Draftail's content state as a crafted request could send it: script-like text, a
    javascript: link, an attribute breaking out of its quotes, an image where the notice
    allows none, and a block type the editor does not have."""
    link_at = TEXT.index("这里")
    return json.dumps(
        {
            "blocks": [
                {
                    "key": "a1",
                    "type": "unstyled",
                    "text": TEXT,
                    "depth": 0,
                    "inlineStyleRanges": [],
                    "entityRanges": [{"offset": link_at, "length": 2, "key": 0}],
                },
                {
                    "key": "a2",
                    "type": "unstyled",
                    "text": "第二段",
                    "depth": 0,
                    "inlineStyleRanges": [],
                    "entityRanges": [{"offset": 0, "length": 3, "key": 1}],
                },
                {
                    "key": "a3",
                    "type": "atomic",
                    "text": " ",
                    "depth": 0,
                    "inlineStyleRanges": [],
                    "entityRanges": [{"offset": 0, "length": 1, "key": 2}],
                },
                {
                    "key": "a4",
                    "type": "code-block",
                    "text": "<iframe src=//evil.example>",
                    "depth": 0,
                    "inlineStyleRanges": [],
                    "entityRanges": [],
                },
            ],
            "entityMap": {
                "0": {
                    "type": "LINK",
                    "mutability": "MUTABLE",
                    "data": {"url": "javascript:alert(3)"},
                },
                "1": {
                    "type": "LINK",
                    "mutability": "MUTABLE",
                    "data": {"url": 'https://example.org/" onmouseover="alert(4)'},
                },
                "2": {
                    "type": "IMAGE",
                    "mutability": "IMMUTABLE",
                    "data": {"src": "x", "alt": "x", "onerror": "alert(5)", "id": 1},
                },
            },
        }
    )


class CenterEditorTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = build_home()
        street = build_street(home)
        cls.center = build_center(street, "T-01", title="海棠苑社区党群服务中心")
        cls.other = build_center(street, "T-02", slug="t-02", title="朝霞里社区党群服务中心")
        cls.category = NoticeCategory.objects.order_by("pk").first()
        cls.notice = build_notice(build_notice_index(cls.center), category=cls.category)
        group = Group.objects.create(name="海棠苑社区编辑")
        group.permissions.add(Permission.objects.get(codename="access_admin"))
        for codename in ("add_page", "change_page", "publish_page"):
            GroupPagePermission.objects.create(
                group=group, page=cls.center, permission=Permission.objects.get(codename=codename)
            )
        cls.editor = get_user_model().objects.create_user(
            "haitang.editor", password="Haitang-editor-2026"
        )
        cls.editor.groups.add(group)

    def setUp(self):
        self.client.force_login(self.editor)

    def publish_notice(self, body: str):
        form = nested_form_data(
            {
                "title": "停水通知",
                "slug": self.notice.slug,
                "date": "2026-12-01",
                "category": self.category.pk,
                "summary": "",
                "body": body,
                "comments": inline_formset([]),
                "action-publish": "publish",
            }
        )
        return self.client.post(reverse("wagtailadmin_pages:edit", args=[self.notice.pk]), form)


class RichTextTests(CenterEditorTestCase):
    def test_a_crafted_body_reaches_the_public_page_without_script(self):
        answer = self.publish_notice(hostile_body())
        self.assertEqual(answer.status_code, 302, answer.content[:300])
        self.notice.refresh_from_db()
        page = self.client.get(self.notice.url).content.decode()
        body = page[page.index('<div class="rich-text">') :]
        body = body[: body.index("</div>")]

        self.assertIn("详见", body)  # the notice is there, the script-like text as text
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", body)
        for html in (body, self.notice.body):  # shown, and stored
            markup = Markup(html)
            self.assertLessEqual(set(markup.tags), {"div", "p", "a"})  # no script, img, iframe
            for name, value in markup.attributes:
                self.assertFalse(name.startswith("on"), name)
                self.assertNotIn("javascript:", value.lower())


class AuditLogTests(CenterEditorTestCase):
    def test_an_editors_edit_is_logged_with_their_center_and_filtered_by_it(self):
        self.assertEqual(
            self.publish_notice(json.dumps({"blocks": [], "entityMap": {}})).status_code, 200
        )
        # (an empty body is refused: the body is required) — now a real one
        body = json.dumps(
            {
                "blocks": [
                    {
                        "key": "b1",
                        "type": "unstyled",
                        "text": "周三停水",
                        "depth": 0,
                        "inlineStyleRanges": [],
                        "entityRanges": [],
                    }
                ],
                "entityMap": {},
            }
        )
        self.assertEqual(self.publish_notice(body).status_code, 302)
        entries = PageLogEntry.objects.filter(page=self.notice, user=self.editor)
        self.assertTrue(entries.filter(action="wagtail.publish").exists())
        for entry in entries:
            self.assertEqual(entry.data[DATA_KEY], {str(self.center.pk): "海棠苑社区党群服务中心"})

        report = reverse("jiamenkou_security:log")
        mine = self.client.get(report, {"center": self.center.pk}).content.decode()
        self.assertIn("停水通知", mine)
        self.assertIn("海棠苑社区党群服务中心", mine)
        # Another center is not among the choices: naming it is refused, and the page
        # still names no other center.
        theirs = self.client.get(report, {"center": self.other.pk}).content.decode()
        self.assertIn("选择一个有效的选项", theirs)
        self.assertNotIn(self.other.title, theirs)
        exported = self.client.get(report, {"center": self.center.pk, "export": "csv"})
        rows = b"".join(exported.streaming_content).decode("utf-8-sig")
        self.assertIn("服务中心", rows.splitlines()[0])
        self.assertIn("海棠苑社区党群服务中心", rows)

    def test_entries_about_a_centers_rows_carry_the_center_too(self):
        volunteer = participant(self.other, name="李红梅", mobile="13800001111")
        log(volunteer, "wagtail.edit", user=self.editor)
        entry = ModelLogEntry.objects.get(object_id=str(volunteer.pk))
        self.assertEqual(entry.data[DATA_KEY], {str(self.other.pk): "朝霞里社区党群服务中心"})

    def test_the_log_report_replaces_site_history_in_the_menu(self):
        admin = self.client.get(reverse("wagtailadmin_home")).content.decode()
        self.assertIn(reverse("jiamenkou_security:log"), admin)
        self.assertNotIn(reverse("wagtailadmin_reports:site_history"), admin)
