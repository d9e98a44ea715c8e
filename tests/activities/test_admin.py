"""The editors' activity admin: the schedule chosen with plain controls, clashes refused
with everything typed kept, each center's editors kept to their own center, the opening
hours warning, and a center's week as a calendar."""

import re
from datetime import date, datetime, time
from unittest import skipIf

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from activities.models import Activity, ActivityException, Occurrence, OccurrenceStatus
from catalog.opening import LOCAL_TZ
from tests.activities.builders import add_room, build_activity, kind, refused, room_of
from tests.activities.builders import editor as editor_with
from tests.district.builders import build_center, build_home, build_street

ACTIVITY_PERMISSIONS = [
    "add_activity",
    "change_activity",
    "delete_activity",
    "view_activity",
    "add_activitykind",
    "change_activitykind",
    "delete_activitykind",
]
CREATE_URL = "/admin/activities/activity/create/"
INDEX_URL = "/admin/activities/activity/"


def editor(username, page):
    return editor_with(username, page, ACTIVITY_PERMISSIONS)


def options_of(page: str, name: str) -> list[str]:
    """The option values of the <select name=...> in ``page``."""
    select = re.search(rf"<select[^>]*\bname=\"{name}\"[^>]*>(.*?)</select>", page, re.S)
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def local_starts(activity):
    return [
        o.starts_at.astimezone(LOCAL_TZ).replace(tzinfo=None)
        for o in activity.occurrences.order_by("starts_at")
    ]


class AdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = build_home()
        street = build_street(home)
        cls.center = build_center(street, code="T-01")
        cls.other_center = build_center(street, code="T-02")
        cls.hall = room_of(cls.center)
        cls.studio = add_room(cls.center, "书画室")
        cls.other_hall = room_of(cls.other_center)
        cls.kind = kind()
        cls.center_editor = editor("center", cls.center)
        cls.district_editor = editor("district", home)

    def form_data(self, *, exceptions=(), weekdays=("TU", "TH"), **overrides) -> dict:
        data = {
            "title": "书法兴趣班",
            "center": str(self.center.pk),
            "kind": str(self.kind.pk),
            "organizer": "",
            "description": "",
            "image": "",
            "service": "",
            "dtstart": "2026-12-08",
            "start_time": "09:00",
            "end_time": "10:30",
            "freq": "WEEKLY",
            "monthly_by": "weekday",
            "month_weekday": "MO",
            "bymonthday": "",
            "interval": "1",
            "until": "2026-12-31",
            "count": "",
            "room": str(self.studio.pk),
            "place_note": "",
            "capacity": "",
            "cost": "free",
            "price": "",
            "price_unit": "元/次",
            "market_reference_price": "",
            "exceptions": inline_formset(list(exceptions)),
            **overrides,
        }
        month_ordinals = data.pop("month_ordinals", ["1"])
        form = nested_form_data(data)
        form["weekdays"] = list(weekdays)
        form["month_ordinals"] = month_ordinals
        return form


class CreateTests(AdminTestCase):
    def test_a_weekly_activity_from_the_plain_controls(self):
        self.client.force_login(self.center_editor)
        form = self.form_data(
            exceptions=[{"occurrence_date": "2026-12-15", "action": "cancel", "reason": "场地维修"}]
        )
        response = self.client.post(CREATE_URL, form)
        self.assertRedirects(response, INDEX_URL, fetch_redirect_response=False)
        activity = Activity.objects.get(title="书法兴趣班")
        self.assertEqual(activity.byday, "TU,TH")
        self.assertEqual(
            local_starts(activity),
            [datetime(2026, 12, day, 9, 0) for day in (8, 10, 15, 17, 22, 24, 29, 31)],
        )
        cancelled = activity.occurrences.get(status=OccurrenceStatus.CANCELLED)
        self.assertEqual(cancelled.starts_at.astimezone(LOCAL_TZ).date(), date(2026, 12, 15))
        self.assertEqual(cancelled.reason, "场地维修")

        # The list shows it with its schedule in words and its next session.
        page = self.client.get(INDEX_URL).content.decode()
        self.assertIn("每周二、周四", page)
        self.assertIn("2026-12-08（周二）09:00", page)
        self.assertIn('href="/admin/activities/calendar/"', page)

        # Editing shows the ticked weekdays back.
        page = self.client.get(f"/admin/activities/activity/edit/{activity.pk}/").content.decode()
        self.assertRegex(page, r'value="TU"[^>]*checked')
        self.assertNotRegex(page, r'value="MO"[^>]*checked')

    def test_second_saturday_of_the_month_and_a_day_of_the_month(self):
        self.client.force_login(self.center_editor)
        form = self.form_data(
            freq="MONTHLY",
            monthly_by="weekday",
            month_ordinals=["2"],
            month_weekday="SA",
            dtstart="2026-12-01",
            until="2027-02-28",
            start_time="09:00",
            end_time="11:00",
            weekdays=(),
        )
        self.assertEqual(self.client.post(CREATE_URL, form).status_code, 302)
        activity = Activity.objects.get(title="书法兴趣班")
        self.assertEqual((activity.byday, activity.bymonthday), ("2SA", ""))
        self.assertEqual(
            [start.date() for start in local_starts(activity)],
            [date(2026, 12, 12), date(2027, 1, 9), date(2027, 2, 13)],
        )

        form = self.form_data(
            title="理发日",
            freq="MONTHLY",
            monthly_by="monthday",
            bymonthday="10",
            dtstart="2026-12-01",
            until="2027-01-31",
            start_time="14:00",
            end_time="15:00",
            weekdays=(),
        )
        self.assertEqual(self.client.post(CREATE_URL, form).status_code, 302)
        activity = Activity.objects.get(title="理发日")
        self.assertEqual((activity.byday, activity.bymonthday), ("", "10"))
        self.assertEqual(
            [start.date() for start in local_starts(activity)],
            [date(2026, 12, 10), date(2027, 1, 10)],
        )

        form = self.form_data(
            title="议事会",
            freq="MONTHLY",
            month_ordinals=["1", "3"],
            month_weekday="FR",
            dtstart="2026-12-01",
            until="2027-01-31",
            start_time="15:00",
            end_time="16:00",
            weekdays=(),
        )
        self.assertEqual(self.client.post(CREATE_URL, form).status_code, 302)
        activity = Activity.objects.get(title="议事会")
        self.assertEqual(activity.byday, "1FR,3FR")
        self.assertEqual(
            [start.date() for start in local_starts(activity)],
            [date(2026, 12, 4), date(2026, 12, 18), date(2027, 1, 1), date(2027, 1, 15)],
        )
        page = self.client.get(f"/admin/activities/activity/edit/{activity.pk}/").content.decode()
        ordinals = re.findall(r'name="month_ordinals" value="(-?\d)"[^>]*checked', page)
        self.assertEqual(ordinals, ["1", "3"])

    def test_weekly_without_a_weekday_is_refused_in_chinese(self):
        self.client.force_login(self.center_editor)
        response = self.client.post(CREATE_URL, self.form_data(weekdays=()))
        self.assertEqual(response.status_code, 200)
        self.assertIn("每周重复请勾选星期几。", response.content.decode())
        self.assertFalse(Activity.objects.filter(title="书法兴趣班").exists())


class ClashTests(AdminTestCase):
    def test_a_clash_is_refused_naming_the_other_activity_and_keeps_what_was_typed(self):
        build_activity(self.center, "太极拳", room=self.studio)  # Tue 2026-12-08 09:00–10:30
        self.client.force_login(self.center_editor)
        form = self.form_data(
            description="毛笔字入门，自带毛笔。",
            exceptions=[{"occurrence_date": "2026-12-10", "action": "cancel", "reason": "停电"}],
        )
        response = self.client.post(CREATE_URL, form)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("“太极拳”", page)
        self.assertIn("2026-12-08（周二）09:00–10:30", page)
        self.assertIn("毛笔字入门，自带毛笔。", page)
        self.assertIn('value="停电"', page)
        self.assertRegex(page, r'value="TH"[^>]*checked')
        self.assertFalse(Activity.objects.filter(title="书法兴趣班").exists())
        self.assertFalse(ActivityException.objects.filter(reason="停电").exists())

    def test_a_clash_found_only_when_saving_is_refused_and_nothing_is_saved(self):
        """Another editor booked the room between the check and the save: the scheduler's
        refusal becomes the form's error, and the new activity keeps no id."""
        from unittest import mock

        from activities import forms

        build_activity(self.center, "太极拳", room=self.studio)
        self.client.force_login(self.center_editor)
        no_clashes = mock.patch.object(
            forms, "check_schedule", lambda activity, **kw: (mock.Mock(stray_exceptions=[]), [], [])
        )
        with no_clashes:
            response = self.client.post(
                CREATE_URL,
                self.form_data(
                    exceptions=[
                        {"occurrence_date": "2026-12-10", "action": "cancel", "reason": "停电"}
                    ]
                ),
            )
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("已被“太极拳”占用", page)
        self.assertIn('value="停电"', page)
        self.assertIsNone(response.context["form"].instance.pk)
        self.assertFalse(Activity.objects.filter(title="书法兴趣班").exists())
        self.assertEqual(Occurrence.objects.count(), 1)

    def test_an_exception_on_a_date_the_rule_does_not_give_marks_its_row(self):
        self.client.force_login(self.center_editor)
        form = self.form_data(
            exceptions=[{"occurrence_date": "2026-12-09", "action": "cancel", "reason": "停电"}]
        )
        response = self.client.post(CREATE_URL, form)
        self.assertEqual(response.status_code, 200)
        exception_form = response.context["form"].formsets["exceptions"].forms[0]
        self.assertEqual(
            exception_form.errors["occurrence_date"], ["2026-12-09这一天没有本活动的场次。"]
        )
        self.assertFalse(Activity.objects.filter(title="书法兴趣班").exists())

    def test_editing_an_activity_into_a_clash_keeps_the_saved_one(self):
        build_activity(self.center, "太极拳", room=self.studio)
        calligraphy = build_activity(
            self.center, "书法兴趣班", room=self.studio, start_time=time(14), end_time=time(15)
        )
        self.client.force_login(self.center_editor)
        form = self.form_data(freq="", weekdays=(), until="")
        response = self.client.post(f"/admin/activities/activity/edit/{calligraphy.pk}/", form)
        self.assertEqual(response.status_code, 200)
        self.assertIn("已被“太极拳”占用", response.content.decode())
        calligraphy.refresh_from_db()
        self.assertEqual(calligraphy.start_time, time(14))
        self.assertEqual(local_starts(calligraphy), [datetime(2026, 12, 8, 14, 0)])


class PermissionTests(AdminTestCase):
    def test_a_center_editor_sees_and_edits_only_their_own_centers_activities(self):
        own = build_activity(self.center, "太极拳")
        other = build_activity(self.other_center, "广场舞")
        self.client.force_login(self.center_editor)
        page = self.client.get(INDEX_URL).content.decode()
        self.assertIn("太极拳", page)
        self.assertNotIn("广场舞", page)
        self.assertEqual(
            self.client.get(f"/admin/activities/activity/edit/{own.pk}/").status_code, 200
        )
        for action in ("edit", "delete"):
            response = self.client.get(f"/admin/activities/activity/{action}/{other.pk}/")
            self.assertTrue(refused(response), action)
        response = self.client.post(f"/admin/activities/activity/delete/{other.pk}/")
        self.assertTrue(refused(response))
        self.assertTrue(Activity.objects.filter(pk=other.pk).exists())

        self.client.force_login(self.district_editor)
        page = self.client.get(INDEX_URL).content.decode()
        self.assertIn("太极拳", page)
        self.assertIn("广场舞", page)

    def test_a_center_editor_cannot_pick_another_centers_room_or_center(self):
        self.client.force_login(self.center_editor)
        page = self.client.get(CREATE_URL).content.decode()
        own_rooms = sorted(["", str(self.hall.pk), str(self.studio.pk)])
        self.assertEqual(sorted(options_of(page, "room")), own_rooms)
        self.assertEqual(sorted(options_of(page, "exceptions-__prefix__-new_room")), own_rooms)
        self.assertEqual(options_of(page, "center"), ["", str(self.center.pk)])
        self.assertIn(f'<option value="{self.center.pk}" selected>', page)  # their only one

        response = self.client.post(CREATE_URL, self.form_data(room=str(self.other_hall.pk)))
        self.assertEqual(response.status_code, 200)
        self.assertIn("room", response.context["form"].errors)
        response = self.client.post(
            CREATE_URL,
            self.form_data(center=str(self.other_center.pk), room=str(self.other_hall.pk)),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("center", response.context["form"].errors)
        self.assertFalse(Activity.objects.exists())

    def test_kinds_are_the_districts(self):
        self.client.force_login(self.center_editor)
        self.assertTrue(refused(self.client.get("/admin/activities/activitykind/")))
        self.client.force_login(self.district_editor)
        response = self.client.get("/admin/activities/activitykind/")
        self.assertContains(response, "文体康养")


class HoursWarningTests(AdminTestCase):
    def test_sessions_outside_opening_hours_are_saved_with_a_warning(self):
        self.client.force_login(self.center_editor)
        # Saturdays: the test center opens on weekdays only.
        form = self.form_data(
            weekdays=("SA",), dtstart="2026-12-12", until="2027-01-02", start_time="09:00"
        )
        response = self.client.post(CREATE_URL, form, follow=True)
        page = response.content.decode()
        self.assertIn("注意：2026-12-12（周六）09:00–10:30", page)
        self.assertIn("等共4次不在中心开放时间内", page)
        activity = Activity.objects.get(title="书法兴趣班")
        self.assertEqual(activity.occurrences.filter(outside_hours=True).count(), 4)

    def test_no_warning_within_opening_hours(self):
        self.client.force_login(self.center_editor)
        response = self.client.post(CREATE_URL, self.form_data(), follow=True)
        self.assertNotIn("不在中心开放时间内", response.content.decode())


class CalendarTests(AdminTestCase):
    def calendar(self, center=None, week="2026-12-07"):
        center = center or self.center
        return self.client.get(f"/admin/activities/calendar/{center.pk}/", {"week": week})

    def test_the_week_by_room_with_each_sessions_state(self):
        build_activity(
            self.center,
            "太极拳",
            freq="WEEKLY",
            byday="TU,TH",
            until=date(2026, 12, 31),
            exceptions=[
                {"occurrence_date": date(2026, 12, 10), "action": "cancel", "reason": "停电"},
                {
                    "occurrence_date": date(2026, 12, 15),
                    "action": "move",
                    "new_date": date(2026, 12, 16),
                    "reason": "场地借用",
                },
            ],
        )
        build_activity(
            self.center, "周末书法", room=self.studio, dtstart=date(2026, 12, 12)
        )  # a Saturday: the center is closed
        build_activity(self.other_center, "广场舞")
        self.client.force_login(self.center_editor)
        response = self.calendar()
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("2026-12-07 至 2026-12-13", page)
        self.assertIn("多功能厅", page)
        self.assertIn("书画室", page)
        self.assertRegex(page, r"<del>\s*<a[^>]*>太极拳</a><br>09:00–10:30\s*</del>")
        self.assertIn("停电", page)
        self.assertIn("超出开放时间", page)
        self.assertNotIn("广场舞", page)
        self.assertIn("?week=2026-11-30", page)
        self.assertIn("?week=2026-12-14", page)

        page = self.calendar(week="2026-12-16").content.decode()
        self.assertIn("2026-12-14 至 2026-12-20", page)
        self.assertIn("已改期", page)
        self.assertIn("原定12-15 09:00", page)

    @skipIf(
        connection.vendor == "postgresql",
        "PostgreSQL's exclusion constraint refuses overlapping sessions in the database itself",
    )
    def test_overlaps_in_a_room_are_marked_as_conflicts(self):
        first = build_activity(self.center, "太极拳")
        second = build_activity(self.center, "合唱团", room=self.studio)
        # Imported around the scheduler: the second now holds the hall at the same time.
        Occurrence.objects.filter(activity=second).update(room=self.hall)
        self.client.force_login(self.center_editor)
        page = self.calendar().content.decode()
        self.assertIn("冲突：与“合唱团”重叠", page)
        self.assertIn("冲突：与“太极拳”重叠", page)
        self.assertIn("本周有2个场次", page)
        self.assertTrue(first.pk)

    def test_another_centers_week_is_refused_and_the_switcher_lists_own_centers(self):
        self.client.force_login(self.center_editor)
        self.assertTrue(refused(self.calendar(self.other_center)))
        response = self.client.get("/admin/activities/calendar/")
        self.assertRedirects(
            response,
            f"/admin/activities/calendar/{self.center.pk}/",
            fetch_redirect_response=False,
        )
        self.client.force_login(self.district_editor)
        page = self.calendar(self.other_center).content.decode()
        self.assertIn(f'<option value="{self.center.pk}"', page)
        self.assertIn(f'<option value="{self.other_center.pk}" selected', page)
        response = self.client.get(
            "/admin/activities/calendar/", {"center": self.center.pk, "week": "2026-12-07"}
        )
        self.assertRedirects(
            response,
            f"/admin/activities/calendar/{self.center.pk}/?week=2026-12-07",
            fetch_redirect_response=False,
        )

    def test_the_query_count_does_not_grow_with_the_sessions(self):
        self.client.force_login(self.center_editor)
        build_activity(self.center, "太极拳")
        self.calendar()  # warm up the session and Wagtail's caches
        with CaptureQueriesContext(connection) as small:
            self.assertEqual(self.calendar().status_code, 200)
        extra_room = add_room(self.center, "舞蹈室")
        for hour, title in enumerate(["合唱团", "书法", "象棋", "编织"], start=13):
            build_activity(
                self.center,
                title,
                room=extra_room,
                freq="DAILY",
                until=date(2026, 12, 13),
                start_time=time(hour),
                end_time=time(hour, 45),
            )
        with self.assertNumQueries(len(small.captured_queries)):
            page = self.calendar().content.decode()
        self.assertIn("编织", page)


class ListTests(AdminTestCase):
    def test_the_list_query_count_does_not_grow_with_the_activities(self):
        self.client.force_login(self.center_editor)
        build_activity(self.center, "太极拳")
        self.client.get(INDEX_URL)  # warm up the session and Wagtail's caches
        with CaptureQueriesContext(connection) as small:
            self.assertEqual(self.client.get(INDEX_URL).status_code, 200)
        for hour, title in enumerate(["合唱团", "书法", "象棋", "编织"], start=13):
            build_activity(
                self.center,
                title,
                room=self.studio,
                freq="WEEKLY",
                byday="MO,WE",
                start_time=time(hour),
                end_time=time(hour, 45),
            )
        with self.assertNumQueries(len(small.captured_queries)):
            page = self.client.get(INDEX_URL).content.decode()
        self.assertIn("编织", page)
        self.assertIn("每周一、周三", page)
