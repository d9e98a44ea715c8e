"""The lobby screens' admin: each center's editors keep their own kiosks, the setup link
with its token is shown only in the admin and replaced on demand, a kiosk starts with the
default rotation, and the fleet's health marks a screen silent only when it should be
showing (the center open, the screen not in its dark hours)."""

import re
from datetime import datetime, time, timedelta

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from activities.kiosk.health import fleet_health, is_silent, time_ago
from activities.models import Kiosk
from activities.models.kiosks import DEFAULT_SLIDES
from catalog.clock import clock_at
from catalog.opening import LOCAL_TZ
from tests.activities.builders import editor as editor_with
from tests.activities.builders import refused
from tests.district.builders import build_center, build_home, build_street

KIOSK_PERMISSIONS = ["add_kiosk", "change_kiosk", "delete_kiosk", "view_kiosk"]
INDEX_URL = "/admin/activities/kiosk/"
CREATE_URL = "/admin/activities/kiosk/create/"
HEALTH_URL = "/admin/activities/kiosks/health/"
MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=LOCAL_TZ)  # the test center is open


def editor(username, page):
    return editor_with(username, page, KIOSK_PERMISSIONS)


def add_kiosk(center, name="一楼大厅屏", slug="dating", **fields):
    return Kiosk.objects.create(
        center=center,
        name=name,
        slug=slug,
        dark_from=time(21),
        dark_until=time(7),
        **fields,
    )


class KioskAdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = build_home()
        street = build_street(home)
        cls.center = build_center(street, code="T-01")
        cls.other_center = build_center(street, code="T-02")
        cls.center_editor = editor("center", cls.center)
        cls.district_editor = editor("district", home)

    def form_data(self, slides=(), **overrides):
        return nested_form_data(
            {
                "center": str(self.center.pk),
                "name": "一楼大厅屏",
                "slug": "dating",
                "place": "一楼大厅入口右侧",
                "orientation": "landscape",
                "dark_from": "21:00",
                "dark_until": "07:00",
                "slides": inline_formset(list(slides)),
                **overrides,
            }
        )


class PermissionTests(KioskAdminTestCase):
    def test_a_center_editor_sees_and_edits_only_their_own_centers_kiosks(self):
        own = add_kiosk(self.center, "一楼大厅屏")
        other = add_kiosk(self.other_center, "二楼走廊屏", slug="zoulang")
        self.client.force_login(self.center_editor)
        page = self.client.get(INDEX_URL).content.decode()
        self.assertIn("一楼大厅屏", page)
        self.assertNotIn("二楼走廊屏", page)
        self.assertEqual(self.client.get(f"{INDEX_URL}edit/{own.pk}/").status_code, 200)
        for url in (
            f"{INDEX_URL}edit/{other.pk}/",
            f"{INDEX_URL}delete/{other.pk}/",
            f"/admin/activities/kiosks/{other.pk}/setup/",
        ):
            self.assertTrue(refused(self.client.get(url)), url)
        old_token = other.token
        response = self.client.post(f"/admin/activities/kiosks/{other.pk}/new-token/")
        self.assertTrue(refused(response))
        other.refresh_from_db()
        self.assertEqual(other.token, old_token)

        self.client.force_login(self.district_editor)
        page = self.client.get(INDEX_URL).content.decode()
        self.assertIn("一楼大厅屏", page)
        self.assertIn("二楼走廊屏", page)
        edit = self.client.get(f"{INDEX_URL}edit/{other.pk}/").content.decode()
        self.assertIn("http://testserver/kiosk/T-02/zoulang/", edit)
        self.assertIn(f"/admin/activities/kiosks/{other.pk}/setup/", edit)

    def test_a_center_editor_cannot_create_a_kiosk_for_another_center(self):
        self.client.force_login(self.center_editor)
        page = self.client.get(CREATE_URL).content.decode()
        self.assertIn(f'<option value="{self.center.pk}" selected>', page)
        self.assertNotIn(f'<option value="{self.other_center.pk}"', page)
        response = self.client.post(CREATE_URL, self.form_data(center=str(self.other_center.pk)))
        self.assertEqual(response.status_code, 200)
        self.assertIn("center", response.context["form"].errors)
        self.assertContains(response, "一楼大厅入口右侧")  # what was typed is kept
        self.assertFalse(Kiosk.objects.exists())


class CreateTests(KioskAdminTestCase):
    def test_a_kiosk_added_without_slides_gets_the_default_rotation_and_its_setup_page(self):
        self.client.force_login(self.center_editor)
        response = self.client.post(CREATE_URL, self.form_data())
        kiosk = Kiosk.objects.get()
        self.assertRedirects(response, f"/admin/activities/kiosks/{kiosk.pk}/setup/")
        slides = [(slide.kind, slide.seconds) for slide in kiosk.slides.order_by("sort_order")]
        self.assertEqual(slides, [(kind.value, seconds) for kind, seconds in DEFAULT_SLIDES])
        self.assertEqual(kiosk.dark_from, time(21))

    def test_slides_chosen_by_the_editor_are_kept(self):
        self.client.force_login(self.center_editor)
        slides = [{"kind": "week", "seconds": "30", "ORDER": "1"}]
        self.client.post(CREATE_URL, self.form_data(slides=slides))
        kiosk = Kiosk.objects.get()
        self.assertEqual([(s.kind, s.seconds) for s in kiosk.slides.all()], [("week", 30)])

    def test_a_slug_taken_at_the_center_is_refused_in_chinese(self):
        add_kiosk(self.center)
        self.client.force_login(self.center_editor)
        response = self.client.post(CREATE_URL, self.form_data(name="另一块屏"))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
        self.assertEqual(Kiosk.objects.count(), 1)


class SetupTests(KioskAdminTestCase):
    def test_the_setup_link_with_its_token_and_a_new_token_on_demand(self):
        kiosk = add_kiosk(self.center)
        self.client.force_login(self.center_editor)
        setup_url = f"/admin/activities/kiosks/{kiosk.pk}/setup/"
        page = self.client.get(setup_url).content.decode()
        self.assertIn(f"http://testserver/kiosk/T-01/dating/?token={kiosk.token}", page)
        self.assertIn("http://testserver/kiosk/T-01/dating/", page)
        self.assertRegex(page, r"data-kiosk-setup-qr[^>]*><svg")

        old_token = kiosk.token
        response = self.client.post(f"/admin/activities/kiosks/{kiosk.pk}/new-token/")
        self.assertRedirects(response, setup_url)
        kiosk.refresh_from_db()
        self.assertNotEqual(kiosk.token, old_token)
        page = self.client.get(setup_url).content.decode()
        self.assertIn(kiosk.token, page)
        self.assertNotIn(old_token, page)
        self.assertEqual(
            self.client.get(f"/admin/activities/kiosks/{kiosk.pk}/new-token/").status_code, 405
        )

    def test_the_token_is_not_in_the_list_the_edit_form_or_the_health_list(self):
        kiosk = add_kiosk(self.center)
        self.client.force_login(self.center_editor)
        for url in (INDEX_URL, f"{INDEX_URL}edit/{kiosk.pk}/", HEALTH_URL):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertNotIn(kiosk.token, response.content.decode(), url)
        self.client.logout()
        response = self.client.get(f"/admin/activities/kiosks/{kiosk.pk}/setup/")
        self.assertNotIn(kiosk.token, response.content.decode())
        self.assertEqual(response.status_code, 302)  # to the login page


class SilentRuleTests(KioskAdminTestCase):
    def kiosk_heard(self, minutes_ago, at=MONDAY_10, **fields):
        return add_kiosk(self.center, last_seen_at=at - timedelta(minutes=minutes_ago), **fields)

    def silent_at(self, kiosk, moment):
        kiosk = Kiosk.objects.select_related("center").get(pk=kiosk.pk)
        return is_silent(kiosk, clock_at(moment))

    def test_silent_after_five_minutes_during_opening_hours(self):
        self.assertFalse(self.silent_at(self.kiosk_heard(4), MONDAY_10))
        Kiosk.objects.all().delete()
        self.assertTrue(self.silent_at(self.kiosk_heard(6), MONDAY_10))

    def test_a_kiosk_that_never_reported_is_silent_during_opening_hours(self):
        kiosk = add_kiosk(self.center)
        self.assertTrue(self.silent_at(kiosk, MONDAY_10))
        sunday = datetime(2026, 12, 6, 10, 0, tzinfo=LOCAL_TZ)
        self.assertFalse(self.silent_at(kiosk, sunday))

    def test_not_silent_when_the_center_is_closed_or_the_screen_is_dark(self):
        kiosk = self.kiosk_heard(60 * 24 * 3)
        self.assertFalse(self.silent_at(kiosk, datetime(2026, 12, 6, 10, 0, tzinfo=LOCAL_TZ)))
        self.assertFalse(self.silent_at(kiosk, datetime(2026, 12, 7, 19, 0, tzinfo=LOCAL_TZ)))
        self.assertFalse(self.silent_at(kiosk, datetime(2026, 12, 8, 7, 0, tzinfo=LOCAL_TZ)))
        # Dark hours inside the opening hours (a lunch-time blackout, for instance).
        kiosk.dark_from, kiosk.dark_until = time(9, 30), time(10, 30)
        kiosk.save()
        self.assertFalse(self.silent_at(kiosk, MONDAY_10))
        self.assertTrue(self.silent_at(kiosk, MONDAY_10 + timedelta(hours=1)))

    def test_time_ago_in_staff_words(self):
        self.assertEqual(time_ago(MONDAY_10 - timedelta(minutes=3), MONDAY_10), "3分钟前")
        self.assertEqual(time_ago(MONDAY_10 - timedelta(seconds=20), MONDAY_10), "刚刚")
        self.assertEqual(time_ago(MONDAY_10 - timedelta(hours=5), MONDAY_10), "5小时前")
        self.assertEqual(time_ago(None, MONDAY_10), "从未")


class HealthListTests(KioskAdminTestCase):
    def add_fleet(self, center, size):
        for number in range(size):
            add_kiosk(
                center,
                name=f"{center.code}屏{number}",
                slug=f"ping-{number}",
                last_seen_at=MONDAY_10 - timedelta(minutes=1),
                reported_version="v1",
                reported_screen="1920x1080",
            )

    def test_the_health_list_by_center_marks_a_silent_kiosk(self):
        add_kiosk(self.center, "一楼大厅屏", last_seen_at=MONDAY_10 - timedelta(minutes=1))
        add_kiosk(self.center, "二楼走廊屏", slug="zoulang")
        add_kiosk(self.other_center, "别家的屏", slug="biejia")
        self.client.force_login(self.center_editor)
        with time_machine.travel(MONDAY_10, tick=False):
            page = self.client.get(HEALTH_URL).content.decode()
        self.assertIn("T-01社区党群服务中心", page)
        self.assertNotIn("别家的屏", page)
        silent_rows = re.findall(r"<tr data-kiosk-silent>(.*?)</tr>", page, re.S)
        self.assertEqual(len(silent_rows), 1)
        self.assertIn("二楼走廊屏", silent_rows[0])
        self.assertIn("从未连接", silent_rows[0])
        self.assertIn("1 台静默", page)

        with time_machine.travel(MONDAY_10, tick=False):
            listing = self.client.get(INDEX_URL).content.decode()
        self.assertIn("1分钟前", listing)
        self.assertIn("正常", listing)
        self.assertIn("从未连接", listing)

    def test_the_dashboard_shows_the_silent_kiosks_and_nothing_when_all_are_well(self):
        kiosk = add_kiosk(self.center, "一楼大厅屏", last_seen_at=MONDAY_10 - timedelta(minutes=9))
        self.client.force_login(self.center_editor)
        with time_machine.travel(MONDAY_10, tick=False):
            page = self.client.get("/admin/").content.decode()
        self.assertIn('id="silent-kiosks-section"', page)
        self.assertIn("9分钟前", page)
        self.assertIn("一楼大厅屏", page)

        kiosk.last_seen_at = MONDAY_10 - timedelta(minutes=1)
        kiosk.save()
        with time_machine.travel(MONDAY_10, tick=False):
            page = self.client.get("/admin/").content.decode()
        self.assertNotIn('id="silent-kiosks-section"', page)

        # Another center's silent screen is not this editor's alarm.
        add_kiosk(self.other_center, "别家的屏", slug="biejia")
        with time_machine.travel(MONDAY_10, tick=False):
            page = self.client.get("/admin/").content.decode()
        self.assertNotIn('id="silent-kiosks-section"', page)

    def count_queries(self, url):
        with time_machine.travel(MONDAY_10, tick=False):
            self.client.get(url)  # warm caches (site, permissions)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_the_query_counts_do_not_grow_with_the_fleet(self):
        self.client.force_login(self.district_editor)
        self.add_fleet(self.center, 1)
        small = [self.count_queries(url) for url in (HEALTH_URL, INDEX_URL, "/admin/")]
        self.add_fleet(self.other_center, 6)
        Kiosk.objects.filter(center=self.other_center, slug="ping-3").update(last_seen_at=None)
        large = [self.count_queries(url) for url in (HEALTH_URL, INDEX_URL, "/admin/")]
        self.assertEqual(small, large)

    def test_fleet_health_in_fixed_queries(self):
        self.add_fleet(self.center, 2)
        with self.assertNumQueries(3):  # holidays; kiosks, centers, places; schedules
            fleet = fleet_health(Kiosk.objects.all(), MONDAY_10)
        self.assertEqual([health.label for health in fleet], ["正常", "正常"])
