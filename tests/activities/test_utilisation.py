"""Room utilisation (功能室利用率): the computation, the admin page and its xlsx export."""

from datetime import date, datetime, time
from io import BytesIO

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from activities.models import SignUp, SignUpStatus
from activities.utilisation import (
    MONTH,
    ROOM_REPORT_QUERIES,
    WEEK,
    Period,
    center_scope,
    district_scope,
    room_scope,
    street_scope,
    utilisation_report,
)
from catalog.models import LocationSchedule
from catalog.opening import LOCAL_TZ
from tests.activities.builders import add_room, build_activity, room_of
from tests.catalog.test_admin_permissions import editor_group
from tests.district.builders import build_center, build_home, build_street

WEEK_OF_DEC_7 = Period.of(WEEK, date(2026, 12, 9))
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=LOCAL_TZ)
URL = "/admin/activities/utilisation/"
EXPORT_URL = "/admin/activities/utilisation/export/"


def lines_by_label(report):
    return {line.label: line for line in report.lines}


class PeriodTests(TestCase):
    def test_a_week_runs_monday_to_sunday_and_a_month_is_the_calendar_month(self):
        self.assertEqual(
            (WEEK_OF_DEC_7.first, WEEK_OF_DEC_7.last), (date(2026, 12, 7), date(2026, 12, 13))
        )
        february = Period.of(MONTH, date(2027, 2, 14))
        self.assertEqual((february.first, february.last), (date(2027, 2, 1), date(2027, 2, 28)))
        self.assertEqual(february.label, "2027年2月")
        self.assertEqual(WEEK_OF_DEC_7.previous().first, date(2026, 11, 30))
        self.assertEqual(Period.of(MONTH, date(2026, 12, 1)).next().first, date(2027, 1, 1))


class UtilisationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = build_home()
        cls.street = build_street(home)
        cls.center = build_center(cls.street, code="T-01")
        cls.hall = room_of(cls.center)  # 多功能厅, capacity 50
        # Weekly on Tuesdays, 2 hours, through December.
        build_activity(
            cls.center,
            "太极拳",
            freq="WEEKLY",
            byday="TU",
            dtstart=date(2026, 12, 1),
            start_time=time(9, 0),
            end_time=time(11, 0),
            until=date(2026, 12, 31),
        )

    def report(self, period=WEEK_OF_DEC_7, scope=None):
        return utilisation_report(period, scope or center_scope(self.center), now=NOW)

    def test_a_weekly_two_hour_activity_in_a_weekday_center(self):
        line = lines_by_label(self.report())["T-01社区党群服务中心 多功能厅"]
        self.assertEqual(line.open_hours, 45)  # 5 days × 08:30–17:30
        self.assertEqual(line.booked_hours, 2)
        self.assertEqual(line.occurrences, 1)
        self.assertAlmostEqual(line.utilisation, 2 / 45)
        self.assertFalse(line.is_idle)

    def test_a_month_sums_its_days(self):
        line = self.report(Period.of(MONTH, date(2026, 12, 1))).lines[0]
        # December 2026 has 23 weekdays and no public holiday; Tuesdays 1, 8, 15, 22, 29.
        self.assertEqual(line.open_hours, 23 * 9)
        self.assertEqual((line.booked_hours, line.occurrences), (10, 5))

    def test_public_holidays_and_make_up_workdays_follow_the_one_clock(self):
        national_day = self.report(Period.of(WEEK, date(2026, 9, 28))).lines[0]
        # Mon–Wed open, 10-01 and 10-02 are 国庆节.
        self.assertEqual(national_day.open_hours, 3 * 9)
        after = self.report(Period.of(WEEK, date(2026, 10, 5))).lines[0]
        # 10-05..07 are holidays; Thu, Fri and the make-up Saturday 10-10 are open.
        self.assertEqual(after.open_hours, 3 * 9)

    def test_a_dated_closure_of_the_center_takes_its_day_out(self):
        LocationSchedule.objects.create(
            location=self.center.location,
            kind="closed",
            valid_from=date(2026, 12, 9),
            valid_to=date(2026, 12, 10),
            description="设备检修",
        )
        self.assertEqual(self.report().lines[0].open_hours, 3 * 9)

    def test_an_idle_room_comes_first_and_rooms_then_go_from_least_used(self):
        add_room(self.center, "书画室")
        busy = add_room(self.center, "舞蹈室")
        build_activity(
            self.center, "广场舞排练", room=busy, start_time=time(13, 0), end_time=time(17, 0)
        )
        report = self.report()
        self.assertEqual(
            [(line.room.name, line.is_idle) for line in report.lines],
            [("书画室", True), ("多功能厅", False), ("舞蹈室", False)],
        )
        self.assertEqual(report.total.idle_rooms, 1)
        self.assertEqual(report.total.booked_hours, 6)
        self.assertEqual(report.total.open_hours, 3 * 45)

    def test_only_the_part_inside_opening_hours_is_booked(self):
        evening = add_room(self.center, "书画室")
        build_activity(
            self.center, "夜校", room=evening, start_time=time(17, 0), end_time=time(19, 0)
        )
        line = lines_by_label(self.report())["T-01社区党群服务中心 书画室"]
        self.assertEqual((line.booked_hours, line.outside_hours), (0.5, 1.5))
        self.assertEqual(line.occurrences, 1)

    def test_cancelled_occurrences_hold_nothing(self):
        room = add_room(self.center, "书画室")
        build_activity(
            self.center,
            "书法",
            room=room,
            exceptions=[{"occurrence_date": date(2026, 12, 8), "reason": "老师生病"}],
        )
        line = lines_by_label(self.report())["T-01社区党群服务中心 书画室"]
        self.assertTrue(line.is_idle)
        self.assertEqual(line.occurrences, 0)

    def test_attendance_counts_ended_sessions_that_took_sign_ups(self):
        week = Period.of(WEEK, date(2026, 11, 30))
        past = build_activity(
            self.center,
            "健康讲座",
            dtstart=date(2026, 12, 1),
            start_time=time(14, 0),
            end_time=time(15, 0),
            signup_required=True,
            capacity=10,
        )
        session = past.occurrences.get()
        for number, attended in enumerate([True, True, True, False]):
            SignUp.objects.create(
                occurrence=session,
                name=f"居民{number}",
                phone=f"1380000000{number}",
                status=SignUpStatus.CONFIRMED,
                attended=attended,
            )
        # Not yet held on NOW (12-06): its sign-ups do not count.
        upcoming = build_activity(
            self.center,
            "手工课",
            dtstart=date(2026, 12, 8),
            start_time=time(14, 0),
            end_time=time(15, 0),
            signup_required=True,
            capacity=10,
        )
        SignUp.objects.create(
            occurrence=upcoming.occurrences.get(),
            name="居民",
            phone="13900000000",
            status=SignUpStatus.CONFIRMED,
            attended=True,
        )
        line = self.report(week).lines[0]
        self.assertEqual((line.attended, line.capacity_offered, line.counted_sessions), (3, 10, 1))
        self.assertAlmostEqual(line.attendance, 0.3)
        # The Tuesday 太极拳 took no sign-ups: counted in hours, not in attendance.
        self.assertEqual(line.occurrences, 2)
        self.assertIsNone(self.report().lines[0].attendance)

    def test_a_room_alone_and_a_street_summed_from_its_live_centers(self):
        other = build_center(self.street, code="T-02")
        add_room(other, "书画室")
        draft = build_center(self.street, code="T-03", live=False)
        report = self.report(scope=street_scope(self.street))
        self.assertEqual(
            {line.center.code for line in report.lines}, {"T-01", "T-02"}, "no draft center"
        )
        self.assertNotIn(draft.pk, {line.center.pk for line in report.lines})
        self.assertEqual([s.label for s in report.streets], ["测试街道"])
        street = report.streets[0]
        self.assertEqual((street.rooms, street.idle_rooms), (3, 2))
        self.assertEqual((street.open_hours, street.booked_hours), (3 * 45, 2))
        self.assertEqual(
            [(s.label, s.rooms) for s in report.centers],
            [("T-01社区党群服务中心", 1), ("T-02社区党群服务中心", 2)],
        )
        alone = self.report(scope=room_scope(self.hall))
        self.assertEqual([line.room for line in alone.lines], [self.hall])

    def test_the_query_count_does_not_grow_with_rooms_and_occurrences(self):
        def queries(scope):
            with CaptureQueriesContext(connection) as captured:
                utilisation_report(Period.of(MONTH, date(2026, 12, 1)), scope, now=NOW)
            return len(captured)

        small = queries(district_scope())
        self.assertEqual(small, ROOM_REPORT_QUERIES)
        other = build_center(self.street, code="T-02")
        for number in range(18):
            room = add_room(other, f"活动室{number}")
            build_activity(other, f"活动{number}", room=room, freq="WEEKLY", byday="WE")
        self.assertEqual(len(utilisation_report(WEEK_OF_DEC_7, district_scope()).lines), 20)
        self.assertEqual(queries(district_scope()), small)


def assert_denied(test, response):
    """Wagtail's admin answers a PermissionDenied with a redirect to its home page and a
    message (a 403 for scripts)."""
    if response.status_code != 403:
        test.assertRedirects(response, "/admin/", fetch_redirect_response=False)


DECEMBER_7 = {"unit": "week", "date": "2026-12-07"}


class UtilisationAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = build_home()
        cls.street = build_street(home)
        cls.center = build_center(cls.street, code="T-01")
        build_activity(cls.center, "太极拳", start_time=time(9, 0), end_time=time(11, 0))
        cls.other = build_center(cls.street, code="T-02")
        cls.other_room = room_of(cls.other)
        cls.other_room.name = "棋牌室"
        cls.other_room.save()
        users = get_user_model().objects
        cls.district_editor = users.create_superuser("district", password="pw-district-1")
        cls.center_editor = users.create_user("center", password="pw-center-12")
        cls.center_editor.groups.add(editor_group("T-01编辑", cls.center))
        cls.nobody = users.create_user("nobody", password="pw-nobody-12")
        cls.nobody.groups.add(editor_group("无中心", home, model_permissions=False))
        cls.nobody.groups.get().page_permissions.all().delete()

    def get(self, user, url=URL, **params):
        self.client.force_login(user)
        return self.client.get(url, {**DECEMBER_7, **params})

    def test_the_district_sees_every_room_idle_ones_first_with_a_chart(self):
        response = self.get(self.district_editor)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        rooms = response.context["report"].lines
        self.assertEqual([line.room.name for line in rooms], ["棋牌室", "多功能厅"])
        self.assertEqual(response.context["scope"].label, "全区")
        self.assertIn("data-idle", page)
        self.assertIn("闲置", page)
        self.assertIn("4.4%", page)  # 2h of 45h
        self.assertInHTML("<td>45.0</td>", page, count=4)  # two rooms, two centers
        self.assertIn('role="img"', page)
        self.assertIn('<title id="utilisation-chart-title">', page)
        self.assertIn("其中1间闲置（T-02社区 棋牌室）", page)
        self.assertIn('data-summary="street"', page)
        self.assertIn("开放时间以外的使用", page)  # the help text says how those count

    def test_a_center_editor_sees_only_their_centers_rooms(self):
        response = self.get(self.center_editor)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [line.room.name for line in response.context["report"].lines], ["多功能厅"]
        )
        self.assertNotContains(response, "棋牌室")
        self.assertNotContains(response, "T-02社区党群服务中心")
        self.assertNotContains(response, 'value="district"')
        for scope in [f"center-{self.other.pk}", f"room-{self.other_room.pk}", "district"]:
            with self.subTest(scope=scope):
                assert_denied(self, self.get(self.center_editor, scope=scope))
                assert_denied(self, self.get(self.center_editor, EXPORT_URL, scope=scope))
        street = self.get(self.center_editor, scope=f"street-{self.street.pk}")
        assert_denied(self, street)

    def test_a_street_editor_sees_the_street_and_each_of_its_centers(self):
        street_editor = get_user_model().objects.create_user("street", password="pw-street-12")
        street_editor.groups.add(editor_group("街道编辑", self.street))
        response = self.get(street_editor)
        self.assertEqual(response.context["scope"].label, "我负责的全部中心")
        self.assertEqual(len(response.context["report"].lines), 2)
        self.assertContains(response, f'value="street-{self.street.pk}"')
        self.assertContains(response, f'value="center-{self.other.pk}"')
        street = self.get(street_editor, scope=f"street-{self.street.pk}")
        self.assertEqual([s.label for s in street.context["report"].streets], ["测试街道"])
        assert_denied(self, self.get(street_editor, scope="district"))

    def test_editors_of_no_center_have_no_page_and_no_menu_item(self):
        assert_denied(self, self.get(self.nobody))
        self.client.force_login(self.center_editor)
        self.assertContains(self.client.get("/admin/"), URL)
        self.client.force_login(self.nobody)
        self.assertNotContains(self.client.get("/admin/"), URL)

    def test_unreadable_input_is_said_in_chinese(self):
        response = self.get(self.district_editor, date="2026-13-45", scope="center-x")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "日期“2026-13-45”无法识别，请按 2026-12-07 的格式填写")
        self.assertContains(response, "所选的范围不存在。")
        export = self.get(self.district_editor, EXPORT_URL, date="2026-13-45")
        self.assertEqual(export.status_code, 400)
        self.assertIn("无法识别", export.content.decode())

    def test_the_xlsx_holds_the_same_numbers_as_numbers(self):
        response = self.get(self.district_editor, EXPORT_URL, scope=f"street-{self.street.pk}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        sheet = load_workbook(BytesIO(response.content)).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        self.assertEqual(rows[1][:2], ["统计期间", "2026年12月7日（周一）至12月13日（周日）"])
        self.assertEqual(rows[2][:2], ["范围", "测试街道"])
        header = rows.index(next(row for row in rows if row[0] == "街道"))
        first, second = rows[header + 1], rows[header + 2]
        self.assertEqual(first[2:4], ["棋牌室", "闲置"])
        self.assertEqual(second[2], "多功能厅")
        self.assertEqual(second[4:6], [45, 2])
        self.assertIsInstance(second[6], float)
        self.assertAlmostEqual(second[6], 2 / 45)
        ratio_cell = sheet.cell(row=header + 3, column=7)
        self.assertEqual(ratio_cell.number_format, "0.0%")
        total = next(row for row in rows if row[0] == "合计")
        self.assertEqual(total[2:6], [2, 1, 90, 2])

    def test_the_page_query_count_does_not_grow_with_rooms(self):
        self.client.force_login(self.district_editor)

        def queries():
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get(URL, DECEMBER_7)
            self.assertEqual(response.status_code, 200)
            return len(captured), len(response.context["report"].lines)

        queries()  # the first admin request after signing in also renews the session
        small, rooms = queries()
        self.assertEqual(rooms, 2)
        for number in range(18):
            room = add_room(self.other, f"活动室{number}")
            build_activity(
                self.other, f"活动{number}", room=room, start_time=time(14, 0), end_time=time(15, 0)
            )
        large, rooms = queries()
        self.assertEqual((large, rooms), (small, 20))
