"""The lobby screen's pages: /kiosk/<center code>/ lists a center's screens for the staff
setting one up, /kiosk/<center code>/<slug>/ draws the screen's first state on the server
(from the data document its script then refreshes), /kiosk/sw.js is its service worker.

The package's clock stands at Sunday 2026-12-06 10:00 in the district.
"""

import json
import re
from datetime import date, time

import time_machine
from django.test import TestCase
from django.urls import reverse

from activities.kiosk.data import kiosk_version
from activities.models import Kiosk, KioskSlide, SlideKind
from activities.models.pages import ProgrammeSheetPage
from tests.activities.builders import add_room, build_activity
from tests.activities.conftest import TEST_NOW
from tests.district.builders import build_center, build_home, build_street

SUNDAY = date(2026, 12, 6)


def build_kiosk(center, slug="dating", **fields) -> Kiosk:
    return Kiosk.objects.create(center=center, slug=slug, **{"name": "一楼大厅屏", **fields})


def embedded(response, element_id: str):
    html = response.content.decode()
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


class KioskScreenTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.center = build_center(build_street(build_home()), code="HHD-CH-01", title="海棠苑")
        cls.center.add_child(instance=ProgrammeSheetPage(title="活动节目单", slug="jiemudan"))
        cls.kiosk = build_kiosk(cls.center, place="一楼大厅入口")
        KioskSlide.objects.create(kiosk=cls.kiosk, kind=SlideKind.TODAY, seconds=20)
        cls.studio = add_room(cls.center, "书画室")
        build_activity(
            cls.center,
            "太极拳晨练",
            dtstart=SUNDAY,
            start_time=time(9, 30),
            end_time=time(11, 0),
        )
        build_activity(
            cls.center,
            "书法班",
            room=cls.studio,
            dtstart=SUNDAY,
            start_time=time(10, 15),
            end_time=time(11, 30),
        )
        build_activity(
            cls.center,
            "合唱排练",
            room=cls.studio,
            dtstart=SUNDAY,
            start_time=time(14, 0),
            end_time=time(15, 0),
            freq="DAILY",
            count=2,
            exceptions=[{"occurrence_date": SUNDAY, "action": "cancel", "reason": "指导老师生病"}],
        )
        build_activity(
            cls.center,
            "早已结束的讲座",
            room=cls.studio,
            dtstart=SUNDAY,
            start_time=time(8, 0),
            end_time=time(9, 0),
        )

    def screen(self, **query):
        url = reverse("kiosk:screen", args=[self.center.code, self.kiosk.slug])
        return self.client.get(url, query)

    def test_screen_shows_now_next_and_todays_programme_in_chinese(self):
        # Minutes to start are counted from the moment itself: hold the clock at 10:00.
        with time_machine.travel(TEST_NOW, tick=False):
            response = self.screen()
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertTemplateNotUsed(response, "base.html")  # full screen, not the site's look
        self.assertIn("海棠苑", html)
        self.assertIn("2026年12月6日 星期日", html)
        now_panel = html.split("<h2>正在进行</h2>", 1)[1].split("<h2>即将开始</h2>", 1)[0]
        self.assertIn("太极拳晨练", now_panel)
        self.assertIn("09:30–11:00", now_panel)
        next_panel = html.split("<h2>即将开始</h2>", 1)[1].split("data-slide", 1)[0]
        self.assertIn("书法班", next_panel)
        self.assertIn("还有15分钟", next_panel)
        self.assertIn("书画室", next_panel)
        self.assertNotIn("合唱排练", next_panel)  # cancelled today: not "next"
        # Each now/next card carries the QR code of its activity's page, named for readers.
        self.assertIn('aria-label="扫码查看：书法班"', next_panel)
        self.assertIn("<svg", next_panel)

    def test_cancelled_session_is_struck_through_with_its_reason_and_past_ones_are_gone(self):
        html = self.screen().content.decode()
        programme = html.split("data-slide-items", 1)[1]
        self.assertIn("<s>合唱排练</s>", programme)
        self.assertIn("已取消：指导老师生病", programme)
        self.assertNotIn("早已结束的讲座", programme)

    def test_page_embeds_the_data_and_where_to_refresh_it(self):
        response = self.screen()
        data = embedded(response, "kiosk-data")
        self.assertEqual(data["center"]["code"], "HHD-CH-01")
        self.assertIn("书法班", [session["title"] for session in data["today"]])
        config = embedded(response, "kiosk-config")
        self.assertEqual(config["dataUrl"], "/api/kiosks/HHD-CH-01/dating/data")
        self.assertEqual(config["heartbeatUrl"], "/api/kiosks/HHD-CH-01/dating/heartbeat")
        self.assertEqual(config["serviceWorkerUrl"], "/kiosk/sw.js")
        self.assertEqual(config["scope"], "/kiosk/")
        self.assertEqual(config["version"], kiosk_version())
        self.assertEqual(config["refreshSeconds"], 60)
        self.assertEqual(embedded(self.screen(refresh="2"), "kiosk-config")["refreshSeconds"], 2)
        self.assertEqual(embedded(self.screen(refresh="x"), "kiosk-config")["refreshSeconds"], 60)

    def test_the_kiosks_token_is_never_in_the_page(self):
        for response in (
            self.screen(),
            self.screen(token=self.kiosk.token),
            self.client.get(reverse("kiosk:center_list", args=[self.center.code])),
        ):
            self.assertNotIn(self.kiosk.token, response.content.decode())
        self.assertEqual(self.screen(token=self.kiosk.token)["Referrer-Policy"], "no-referrer")

    def test_screen_is_not_cached_by_the_browser_but_by_its_service_worker(self):
        self.assertIn("no-cache", self.screen()["Cache-Control"])

    def test_orientation_and_touch_shape_the_page(self):
        html = self.screen().content.decode()
        self.assertIn("kiosk--landscape", html)
        self.assertNotIn("data-detail", html)
        self.kiosk.orientation = "portrait"
        self.kiosk.touch = True
        self.kiosk.save()
        html = self.screen().content.decode()
        self.assertIn("kiosk--portrait kiosk--touch", html)
        self.assertIn("data-detail", html)
        self.assertIn(">返回</button>", html)

    def test_unknown_center_or_screen_is_not_found(self):
        for args in (["NOPE-01", "dating"], [self.center.code, "nope"]):
            self.assertEqual(self.client.get(reverse("kiosk:screen", args=args)).status_code, 404)
        response = self.client.get(reverse("kiosk:center_list", args=["NOPE-01"]))
        self.assertEqual(response.status_code, 404)

    def test_query_count_does_not_grow_with_the_programme(self):
        self.screen()  # warm the caches every request shares (site root, QR codes)
        with self.assertNumQueries(self._count()):
            self.screen()
        for hour in range(15, 21):
            build_activity(
                self.center,
                f"加场{hour}",
                room=self.studio,
                dtstart=SUNDAY,
                start_time=time(hour, 0),
                end_time=time(hour, 45),
                freq="DAILY",
                count=5,
            )
        self.screen()
        with self.assertNumQueries(self._count()):
            self.screen()

    def _count(self) -> int:
        if not hasattr(self, "_queries"):
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                self.screen()
            self._queries = len(captured)
        return self._queries


class KioskListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        street = build_street(build_home())
        cls.center = build_center(street, code="HHD-CH-01", title="海棠苑")
        cls.other = build_center(street, code="HHD-CH-02", title="春晖里", slug="chunhui")
        build_kiosk(cls.center, name="一楼大厅屏", place="一楼大厅入口")
        build_kiosk(cls.center, slug="erlou", name="二楼走廊屏", orientation="portrait", touch=True)
        build_kiosk(cls.other, slug="dating", name="春晖里大厅屏")

    def test_lists_the_centers_screens_with_their_links(self):
        response = self.client.get(reverse("kiosk:center_list", args=["HHD-CH-01"]))
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "base.html")
        html = response.content.decode()
        self.assertIn("海棠苑 大厅屏", html)
        self.assertIn('href="/kiosk/HHD-CH-01/dating/"', html)
        self.assertIn('href="/kiosk/HHD-CH-01/erlou/"', html)
        self.assertIn("竖屏 1080×1920 · 触摸屏", html)
        self.assertIn("一楼大厅入口", html)
        self.assertNotIn("春晖里大厅屏", html)

    def test_center_without_screens_says_so(self):
        Kiosk.objects.filter(center=self.other).delete()
        response = self.client.get(reverse("kiosk:center_list", args=["HHD-CH-02"]))
        self.assertContains(response, "这个中心还没有大厅屏。")

    def test_query_count_does_not_grow_with_the_screens(self):
        url = reverse("kiosk:center_list", args=["HHD-CH-01"])
        self.client.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for number in range(5):
            build_kiosk(self.center, slug=f"extra-{number}", name=f"备用屏{number}")
        with self.assertNumQueries(len(few)):
            self.client.get(url)


class ServiceWorkerTests(TestCase):
    def test_served_under_kiosk_with_the_version_and_assets_written_in(self):
        response = self.client.get(reverse("kiosk:service_worker"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(reverse("kiosk:service_worker"), "/kiosk/sw.js")
        self.assertTrue(response["Content-Type"].startswith("text/javascript"))
        self.assertEqual(response["Service-Worker-Allowed"], "/kiosk/")
        script = response.content.decode()
        self.assertIn(f'var VERSION = "{kiosk_version()}";', script)
        self.assertIn('"/static/kiosk/kiosk.js"', script)
        self.assertIn('"/static/kiosk/kiosk.css"', script)
        self.assertNotIn("__KIOSK_", script)
