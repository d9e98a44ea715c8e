"""load_demo's programme: six weeks of activities at every center from this week's Monday,
with a holiday skip, a cancelled and a moved session and a full session with a waitlist,
and no room booked twice."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from io import StringIO
from unittest import skipUnless

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from activities import demo
from activities.models import (
    Activity,
    ActivityException,
    Kiosk,
    KioskSlide,
    Occurrence,
    Room,
    SignUp,
)
from activities.models.kiosks import DEFAULT_SLIDES
from activities.scheduling import plan_for
from catalog.opening import LOCAL_TZ, DayCalendar
from district.models import CenterPage, StreetPage


def programme_page_model():
    try:
        return apps.get_model("activities", "ProgrammeSheetPage")
    except LookupError:
        return None


def this_week() -> tuple[datetime, datetime]:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday, time.min, tzinfo=LOCAL_TZ)
    return start, start + timedelta(days=7)


class DemoProgrammeTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = StringIO()
        call_command("load_demo", password="demo-password", stdout=cls.output)

    def test_the_demo_editors_keep_activities_as_their_page_permissions_allow(self):
        users = get_user_model().objects
        district, community = users.get(username="bianji"), users.get(username="bianji_haitangyuan")
        self.client.force_login(district)
        listing = self.client.get("/admin/activities/activity/")
        self.assertEqual(listing.status_code, 200)
        self.assertContains(listing, "春晖里")
        self.client.force_login(community)
        listing = self.client.get("/admin/activities/activity/")
        self.assertEqual(listing.status_code, 200)
        self.assertContains(listing, "海棠苑")
        self.assertNotContains(listing, "春晖里")
        self.assertEqual(self.client.get("/admin/activities/activitykind/").status_code, 302)

    def test_the_utilisation_report_shows_the_demos_idle_rooms_first(self):
        from activities.utilisation import WEEK, Period, district_scope, utilisation_report

        report = utilisation_report(Period.of(WEEK, timezone.localdate()), district_scope())
        idle = [line for line in report.lines if line.is_idle]
        self.assertTrue(idle, "the demo has rooms nobody booked this week")
        self.assertEqual(report.lines[: len(idle)], idle)
        self.assertTrue(any(line.booked_hours > 0 for line in report.lines))
        self.client.force_login(get_user_model().objects.get(username="bianji"))
        page = self.client.get("/admin/activities/utilisation/").content.decode()
        self.assertIn("闲置", page)
        self.assertIn(idle[0].room.name, page)

    def test_every_center_has_rooms_and_sessions_this_week(self):
        start, end = this_week()
        centers = CenterPage.objects.all()
        self.assertEqual(centers.count(), 9)
        for center in centers:
            self.assertGreaterEqual(Room.objects.filter(center=center).count(), 3, center.code)
            held = Occurrence.objects.filter(center=center).between(start, end)
            self.assertTrue(held.exclude(status="cancelled").exists(), center.code)

    def test_every_center_has_a_lobby_kiosk_and_one_a_portrait_touch_screen(self):
        for center in CenterPage.objects.all():
            lobby = Kiosk.objects.get(center=center, slug="dating")
            self.assertEqual(lobby.name, "一楼大厅屏")
            self.assertEqual(lobby.orientation, "landscape")
            self.assertEqual((lobby.dark_from, lobby.dark_until), (time(21), time(7)))
            slides = [(slide.kind, slide.seconds) for slide in lobby.slides.order_by("sort_order")]
            self.assertEqual(slides, [(kind.value, seconds) for kind, seconds in DEFAULT_SLIDES])
        touch = Kiosk.objects.get(touch=True)
        self.assertEqual(touch.orientation, "portrait")
        self.assertEqual(Kiosk.objects.count(), CenterPage.objects.count() + 1)
        self.assertEqual(
            len(set(Kiosk.objects.values_list("token", flat=True))), Kiosk.objects.count()
        )

    def test_the_community_editor_manages_only_their_own_centers_kiosks(self):
        self.client.force_login(get_user_model().objects.get(username="bianji_haitangyuan"))
        listing = self.client.get("/admin/activities/kiosk/")
        self.assertEqual(listing.status_code, 200)
        self.assertContains(listing, "海棠苑")
        self.assertNotContains(listing, "春晖里")
        self.assertEqual(self.client.get("/admin/activities/kiosks/health/").status_code, 200)

    def test_the_programme_covers_every_kind_with_catalog_organisers_and_audiences(self):
        activities = Activity.objects.filter(center__code__in=demo.PROGRAMME)
        kinds = set(activities.values_list("kind__name", flat=True))
        self.assertEqual(
            kinds,
            {"党群活动", "文体康养", "四点半课堂", "志愿服务", "议事协商", "培训讲座", "便民服务"},
        )
        self.assertGreater(activities.filter(organizer__isnull=False).count(), 50)
        self.assertFalse(activities.filter(audiences__isnull=True).exists())
        self.assertTrue(activities.filter(freq="").exists())
        self.assertTrue(activities.filter(freq="MONTHLY").exists())

    def test_low_cost_activities_cost_less_than_the_market(self):
        low_cost = Activity.objects.filter(cost="low_cost")
        self.assertGreaterEqual(low_cost.count(), 5)
        for activity in low_cost:
            self.assertLess(activity.price, activity.market_reference_price, activity.title)
            self.assertIn("低偿", activity.price_label)

    def test_a_weekly_free_clinic_delivers_the_center_s_catalog_service(self):
        clinic = Activity.objects.get(center__code="HHD-CH-01", title="专家进社区义诊")
        self.assertEqual(clinic.freq, "WEEKLY")
        self.assertEqual(clinic.service.name, "专家进社区义诊")
        self.assertTrue(
            clinic.service.service_at_locations.filter(location__center=clinic.center).exists()
        )
        self.assertEqual(clinic.organizer, clinic.service.organization)
        self.assertGreaterEqual(clinic.occurrences.count(), 5)

    def test_a_public_holiday_skips_a_session_in_the_window(self):
        start, _ = this_week()
        skipped = []
        for activity in Activity.objects.filter(skip_holidays=True, freq="WEEKLY"):
            skipped += [(activity, day, name) for day, name in plan_for(activity).holiday_skips]
        in_window = [
            (activity, day)
            for activity, day, _name in skipped
            if start.date() <= day <= start.date() + timedelta(weeks=demo.WEEKS)
        ]
        self.assertTrue(in_window)
        for activity, day in in_window:
            days = {o.recurrence_id.astimezone(LOCAL_TZ).date() for o in activity.occurrences.all()}
            self.assertNotIn(day, days)
        if date(2027, 1, 1) >= start.date():  # as seeded from catalog.holiday_seed
            after_school = Activity.objects.get(center__code="HHD-CH-01", title="四点半课堂")
            self.assertIn((date(2027, 1, 1), "元旦"), plan_for(after_school).holiday_skips)

    def test_a_cancelled_and_a_moved_session_carry_their_reasons(self):
        cancelled = Occurrence.objects.get(activity__title="老年人智能手机课", status="cancelled")
        self.assertIn("暂停", cancelled.reason)
        moved = Occurrence.objects.get(activity__title="舞蹈队排练", status="moved")
        self.assertEqual(moved.starts_at - moved.recurrence_id, timedelta(days=1))
        self.assertIn("改到周三", moved.reason)
        self.assertEqual(ActivityException.objects.count(), 2)
        self.assertGreater(moved.starts_at, timezone.now())

    def test_one_full_session_has_a_waitlist(self):
        full = [
            occurrence
            for occurrence in Occurrence.objects.with_sign_up_counts().select_related("activity")
            if occurrence.activity.capacity
            and occurrence.confirmed_count == occurrence.activity.capacity
        ]
        self.assertEqual(len(full), 1)
        (occurrence,) = full
        self.assertTrue(occurrence.activity.signup_required)
        self.assertEqual(occurrence.waitlist_count, 2)
        self.assertGreater(occurrence.starts_at, timezone.now())
        phones = SignUp.objects.filter(occurrence=occurrence).values_list("phone", flat=True)
        self.assertIn("13800000001", phones)

    def test_no_room_is_booked_twice(self):
        by_room = defaultdict(list)
        for occurrence in Occurrence.objects.holding_rooms().order_by("starts_at"):
            by_room[occurrence.room_id].append(occurrence)
        self.assertGreater(sum(map(len, by_room.values())), 300)
        for sessions in by_room.values():
            for earlier, later in zip(sessions, sessions[1:], strict=False):
                self.assertLessEqual(earlier.ends_at, later.starts_at, f"{earlier} / {later}")

    def test_loading_again_changes_nothing(self):
        def counts():
            return [
                model.objects.count()
                for model in (
                    Activity,
                    ActivityException,
                    Occurrence,
                    SignUp,
                    Room,
                    Kiosk,
                    KioskSlide,
                )
            ]

        before = counts()
        tokens = set(Kiosk.objects.values_list("token", flat=True))
        first_lines = demo.load_activities_demo()
        self.assertEqual(counts(), before)
        self.assertEqual(set(Kiosk.objects.values_list("token", flat=True)), tokens)
        self.assertEqual(first_lines, demo.load_activities_demo())
        self.assertIn(first_lines[0], self.output.getvalue())

    # The page model arrives with the programme pages (activities/models/pages.py).
    @skipUnless(programme_page_model(), "no programme page model yet")
    def test_every_street_and_center_has_a_programme_page(self):
        model = programme_page_model()
        for parent in [*StreetPage.objects.all(), *CenterPage.objects.all()]:
            pages = model.objects.child_of(parent).live()
            self.assertEqual([page.title for page in pages], ["活动节目单"], parent.title)


class DemoTimetableTest(TestCase):
    """The timetable fits whatever week load_demo runs in: each room's sessions (monthly,
    one-off and moved ones included) take weekday slots that never overlap."""

    def test_each_room_s_weekly_slots_do_not_overlap(self):
        for code, programme in demo.PROGRAMME.items():
            slots = defaultdict(list)  # (room, weekday) → [(start, end, title)]
            for spec in programme:
                if not spec.room:
                    continue
                start, end = spec.times
                weekdays = set(spec.weekdays)
                if spec.move:
                    weekdays.add((spec.weekdays[0] + spec.move[1]) % 7)
                for weekday in weekdays:
                    slots[spec.room, weekday].append((start, end, spec.title))
            for (room, weekday), taken in slots.items():
                taken.sort()
                for (_s, end, title), (start, _e, other) in zip(taken, taken[1:], strict=False):
                    self.assertLessEqual(end, start, f"{code} {room} {weekday}: {title}/{other}")

    def window(self, first, holidays):
        calendar = DayCalendar(dict.fromkeys(holidays, ("holiday", "节日")))
        return demo.Window(first, first + timedelta(weeks=demo.WEEKS, days=-1), calendar)

    def after_school(self):
        (spec,) = [s for p in demo.PROGRAMME.values() for s in p if s.shows_holiday_skip]
        return spec

    def test_a_window_with_a_weekday_holiday_keeps_its_end(self):
        window = self.window(date(2026, 9, 14), [date(2026, 9, 25)])
        self.assertEqual(demo.holiday_met(window, self.after_school()), window.last)
        self.assertEqual(window.notes, [])

    def test_a_window_without_a_holiday_is_extended_to_the_next_one(self):
        window = self.window(date(2026, 7, 13), [date(2026, 9, 26), date(2026, 10, 1)])
        # 26 September is a Saturday, when the after-school class does not meet.
        self.assertEqual(
            demo.holiday_met(window, self.after_school()), date(2026, 10, 1) + timedelta(days=7)
        )
        self.assertIn("2026年10月1日", window.notes[0])

    def test_a_calendar_without_later_holidays_is_said(self):
        window = self.window(date(2027, 3, 1), [date(2027, 1, 1)])
        self.assertEqual(demo.holiday_met(window, self.after_school()), window.last)
        self.assertIn("没有法定节假日", window.notes[0])
