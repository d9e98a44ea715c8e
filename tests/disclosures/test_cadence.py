"""按期公开: what each center owes by the cadence rules, the report and dashboard that show
the overdue ones, and the e-mail reminders before a due date."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.models import GroupPagePermission

from disclosures.cadence import cadence_report, next_due, obligations
from disclosures.models import CadenceRule, ReminderSent
from disclosures.tasks import send_disclosure_reminders
from tests.activities.builders import editor, refused
from tests.disclosures.builders import build_board, build_disclosure
from tests.district.builders import build_center, build_home, build_street

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour=9):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False
    )


def posted(board, **fields):
    """A live disclosure, stored as live directly: what counts here is that it is live,
    not the publishing path (tested with the versions)."""
    return build_disclosure(board, **{"publish": False, "live": True, **fields})


def finance(board, month, **fields):
    return posted(
        board,
        **{
            "title": f"2026年{month}月财务公开",
            "kind": "finance",
            "period_number": month,
            "posting_from": date(2026, month + 1, 1),
            "posting_until": date(2026, month + 1, 28),
            **fields,
        },
    )


def labels(found, status=None):
    return [(o.label, o.due_on, o.status) for o in found if status in (None, o.status)]


class CadenceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with at(date(2026, 12, 6)):
            cls.home = build_home()
            cls.street = build_street(cls.home, title="海棠街道")
            cls.haitang = build_center(cls.street, "T-01", title="海棠苑社区")
            cls.lanyuan = build_center(cls.street, "T-02", slug="t-02", title="兰园社区")
            other_street = build_street(cls.home, title="柳林街道", slug="liulin")
            cls.liulin = build_center(other_street, "T-03", slug="t-03", title="柳林社区")
            cls.board = build_board(cls.haitang)
            cls.lanyuan_board = build_board(cls.lanyuan)
            build_board(cls.liulin)
            for month in (7, 8, 9):
                finance(cls.board, month)
            # November's is written but not published yet: still owed.
            cls.november = finance(cls.board, 11, publish=False, live=False)
            posted(
                cls.board,
                title="2026年第三季度居务公开",
                period_kind="quarter",
                period_number=3,
                slug="affairs-q3",
            )
            cls.matter = build_disclosure(
                cls.board,
                publish=False,
                live=False,
                title="加装电梯决定",
                period_kind="matter",
                period_number=None,
                matter_date=date(2026, 11, 20),
                slug="elevator",
            )
            # 兰园 posts its finance by the 20th, and has no quarterly 党务公开.
            CadenceRule.objects.create(
                center=cls.lanyuan, kind="finance", frequency="month", due_day=20
            )
            CadenceRule.objects.create(
                center=cls.lanyuan, kind="party", frequency="quarter", active=False
            )

    def test_the_missing_month_is_overdue_and_the_next_is_due(self):
        found = obligations(self.haitang, self.board, date(2026, 12, 6))
        finance_ones = [o for o in found if o.kind == "finance"]
        self.assertEqual(
            labels(finance_ones),
            [
                ("2026年7月 财务公开", date(2026, 8, 10), "posted"),
                ("2026年8月 财务公开", date(2026, 9, 10), "posted"),
                ("2026年9月 财务公开", date(2026, 10, 10), "posted"),
                ("2026年10月 财务公开", date(2026, 11, 10), "overdue"),
                ("2026年11月 财务公开", date(2026, 12, 10), "due"),
                ("2026年12月 财务公开", date(2027, 1, 10), "due"),
            ],
        )
        self.assertEqual(finance_ones[4].draft, self.november)
        self.assertEqual(finance_ones[0].page.title, "2026年7月财务公开")

    def test_quarterly_and_yearly_rules_and_a_major_matter(self):
        found = obligations(self.haitang, self.board, date(2026, 12, 6))
        self.assertIn(("2026年第3季度 居务公开", date(2026, 10, 15), "posted"), labels(found))
        self.assertIn(("2026年第4季度 居务公开", date(2027, 1, 15), "due"), labels(found))
        self.assertIn(("2026年第3季度 党务公开", date(2026, 10, 15), "overdue"), labels(found))
        self.assertIn(("2026年度 服务公开", date(2027, 1, 31), "due"), labels(found))
        # Decided on 20 November, still a draft: seven days passed on the 27th.
        self.assertIn(
            ("2026年11月20日 加装电梯决定（居务公开）", date(2026, 11, 27), "overdue"),
            labels(found),
        )
        # A monthly disclosure does not meet a quarterly rule, nor the reverse.
        self.assertNotIn("2026年第4季度 财务公开", [o.label for o in found])

    def test_a_center_rule_overrides_the_district_default(self):
        found = obligations(self.lanyuan, self.lanyuan_board, date(2026, 12, 6))
        self.assertIn(("2026年11月 财务公开", date(2026, 12, 20), "due"), labels(found))
        self.assertIn(("2026年10月 财务公开", date(2026, 11, 20), "overdue"), labels(found))
        self.assertFalse([o for o in found if o.kind == "party" and o.period.kind == "quarter"])

    def test_next_due_on_the_public_board(self):
        with at(date(2026, 12, 6)):
            owed = next_due(self.board)
        self.assertEqual((owed.label, owed.status), ("2026年第3季度 党务公开", "overdue"))

        fresh = build_center(self.street, "T-09", slug="t-09", title="新建社区")
        board = build_board(fresh, tracking_from=date(2026, 12, 1))
        owed = next_due(board, date(2026, 12, 6))
        self.assertEqual(
            (owed.label, owed.due_label, owed.status),
            ("2026年12月 财务公开", "2027年1月10日", "due"),
        )
        self.assertIsNone(
            next_due(build_board(self.street, slug="jiedao-gongkai"), date(2026, 12, 6))
        )

    def test_the_report_takes_the_same_queries_for_two_centers_or_six(self):
        more = []
        for n in range(4):
            center = build_center(self.street, f"T-1{n}", slug=f"t-1{n}", title=f"第{n}社区")
            finance(build_board(center), 7, slug=f"f-{n}")
            more.append(center)
        counts = []
        for centers in ([self.haitang, self.lanyuan], [self.haitang, self.lanyuan, *more]):
            with CaptureQueriesContext(connection) as queries:
                report = cadence_report(centers, date(2026, 12, 6))
            counts.append(len(queries))
            self.assertEqual(len(report), len(centers))
        self.assertEqual(counts[0], counts[1])
        self.assertLessEqual(counts[0], 3)

    # -- the admin ---------------------------------------------------------------------

    def test_the_report_lists_the_overdue_one_for_the_community_editor(self):
        self.client.force_login(editor("haitang", self.haitang))
        with at(date(2026, 12, 6)):
            response = self.client.get("/admin/disclosures/cadence/")
        self.assertEqual(response.status_code, 200)
        text = response.content.decode()
        self.assertIn("海棠苑社区", text)
        self.assertIn("2026年10月 财务公开", text)
        self.assertIn("已逾期 26 天", text)
        self.assertIn("2026年11月 财务公开", text)
        self.assertIn("还有 4 天", text)
        self.assertIn(f"/admin/pages/{self.november.pk}/edit/", text)
        self.assertNotIn("兰园社区", text)
        self.assertNotIn("柳林社区", text)

    def test_the_reports_link_opens_the_form_with_the_period_filled_in(self):
        user = editor("haitang", self.haitang)
        GroupPagePermission.objects.create(
            group=user.groups.get(),
            page=self.haitang,
            permission=Permission.objects.get(codename="add_page"),
        )
        self.client.force_login(user)
        with at(date(2026, 12, 6)):
            text = self.client.get("/admin/disclosures/cadence/").content.decode()
        add_url = (
            f"/admin/pages/add/disclosures/disclosurepage/{self.board.pk}/"
            "?kind=finance&amp;period_kind=month&amp;period_year=2026&amp;period_number=10"
        )
        self.assertIn(add_url, text)
        form = self.client.get(add_url.replace("&amp;", "&"))
        self.assertEqual(form.status_code, 200)
        self.assertContains(form, 'value="2026年10月财务公开"')
        self.assertContains(form, 'value="finance-2026-10"')
        self.assertContains(form, '<option value="finance" selected>')
        # Without the period in the link the form starts empty.
        plain = self.client.get(f"/admin/pages/add/disclosures/disclosurepage/{self.board.pk}/")
        self.assertNotContains(plain, "2026年10月财务公开")

    def test_a_street_editor_sees_all_the_streets_centers(self):
        self.client.force_login(editor("jiedao", self.street))
        with at(date(2026, 12, 6)):
            text = self.client.get("/admin/disclosures/cadence/").content.decode()
        self.assertIn("海棠苑社区", text)
        self.assertIn("兰园社区", text)
        self.assertIn("2026年12月20日", text)  # 兰园's own due day
        self.assertNotIn("柳林社区", text)

    def test_someone_without_a_center_is_refused(self):
        user = get_user_model().objects.create_user("visitor", password="pw-visitor-123")
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        self.client.force_login(user)
        self.assertTrue(refused(self.client.get("/admin/disclosures/cadence/")))

    def test_the_dashboard_panel(self):
        self.client.force_login(editor("haitang", self.haitang))
        with at(date(2026, 12, 6)):
            text = self.client.get("/admin/").content.decode()
        self.assertIn("公开提醒", text)
        self.assertIn("3 项已逾期", text)
        self.assertIn("1 项在 14 天内到期", text)
        self.assertIn("海棠苑社区 · 2026年10月 财务公开 · 已逾期 26 天", text)

    def test_a_center_editor_may_not_change_the_district_default(self):
        user = editor("haitang", self.haitang)
        group = user.groups.get()
        group.permissions.add(
            *Permission.objects.filter(codename__in=["add_cadencerule", "change_cadencerule"])
        )
        self.client.force_login(user)
        default = CadenceRule.objects.get(center=None, kind="finance", frequency="month")
        own = CadenceRule.objects.create(center=self.haitang, kind="finance", frequency="month")
        listing = self.client.get("/admin/snippets/disclosures/cadencerule/")
        self.assertEqual(listing.status_code, 200)
        self.assertContains(listing, "海棠苑社区：财务公开每月")
        self.assertNotContains(listing, "兰园社区")
        self.assertTrue(
            refused(self.client.get(f"/admin/snippets/disclosures/cadencerule/edit/{default.pk}/"))
        )
        page = self.client.get(f"/admin/snippets/disclosures/cadencerule/edit/{own.pk}/")
        self.assertEqual(page.status_code, 200)
        response = self.client.post(
            "/admin/snippets/disclosures/cadencerule/add/",
            {
                "kind": "service",
                "frequency": "year",
                "due_day": 20,
                "within_days": 7,
                "remind_days_before": 3,
                "active": "on",
            },
        )
        self.assertContains(response, "全区默认规则只能由区级编辑修改")

    # -- reminders ---------------------------------------------------------------------

    def test_reminders_go_once_to_each_editor_before_the_due_date(self):
        for name, page in (("haitang", self.haitang), ("jiedao", self.street)):
            user = editor(name, page)
            user.email = f"{name}@example.org"
            user.save()
        district = editor("qu", self.home)
        district.email = "qu@example.org"
        district.save()
        get_user_model().objects.create_superuser("admin", "admin@example.org", "pw-admin-123")

        with at(date(2026, 12, 6)):  # four days before: not yet
            self.assertEqual(send_disclosure_reminders.call(), [])
        with at(date(2026, 12, 8)):
            out = StringIO()
            call_command("send_disclosure_reminders", stdout=out)
        subject = "【公开提醒】海棠苑社区 2026年11月 财务公开 应于12月10日前公开"
        to_haitang = sorted((m.to[0], m.body) for m in mail.outbox if m.subject == subject)
        self.assertEqual(
            [address for address, _body in to_haitang],
            ["haitang@example.org", "jiedao@example.org"],
        )
        self.assertIn(f"/admin/pages/{self.november.pk}/edit/", to_haitang[0][1])
        self.assertIn("应于2026年12月10日前", to_haitang[0][1])
        # 柳林 has no editor of its own: the district's editor hears of it instead.
        self.assertEqual(
            [(m.subject, *m.to) for m in mail.outbox if m.subject != subject],
            [("【公开提醒】柳林社区 2026年11月 财务公开 应于12月10日前公开", "qu@example.org")],
        )
        self.assertIn("已提醒 海棠苑社区 2026年11月 财务公开", out.getvalue())
        self.assertEqual(
            ReminderSent.objects.get(center=self.haitang, kind="finance").recipients, 2
        )

        with at(
            date(
                2026,
                12,
                8,
            ),
            hour=17,
        ):
            self.assertEqual(send_disclosure_reminders.call(), [])
            out = StringIO()
            call_command("send_disclosure_reminders", "--now", stdout=out)
        self.assertEqual(len(mail.outbox), 3)
        self.assertIn("今天没有需要发送的公开提醒", out.getvalue())
