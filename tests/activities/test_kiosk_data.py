"""The lobby screen's data document and heartbeat (/api/kiosks/<code>/<slug>/...).

The package's clock stands at Sunday 2026-12-06 10:00 in the district; the test center is
open weekdays 08:30–17:30, so on Sunday no service is open and on Monday at 10:00 it is.
"""

import json
from datetime import date, datetime, time, timedelta

import time_machine
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.kiosk.data import WEEK_HIGHLIGHTS, kiosk_data
from activities.models import Kiosk, KioskSlide, Occurrence, SlideKind
from activities.models.pages import ProgrammeSheetPage
from catalog.models import Service, ServiceAtLocation
from catalog.opening import LOCAL_TZ
from tests.activities.builders import add_room, build_activity
from tests.district.builders import build_center, build_home, build_street

MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=LOCAL_TZ)


def build_kiosk(center, slug="dating", **fields) -> Kiosk:
    return Kiosk.objects.create(center=center, name="一楼大厅屏", slug=slug, **fields)


def build_service(center, name="老年人优待证办理") -> Service:
    service = Service.objects.create(name=name, description="办理老年证", kind="government")
    ServiceAtLocation.objects.create(service=service, location=center.location)
    return service


class KioskDataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.center = build_center(build_street(build_home()), code="HHD-CH-01")
        cls.center.add_child(instance=ProgrammeSheetPage(title="活动节目单", slug="jiemudan"))
        cls.kiosk = build_kiosk(cls.center, dark_from=time(21, 0), dark_until=time(7, 0))
        KioskSlide.objects.create(kiosk=cls.kiosk, kind=SlideKind.TODAY, seconds=20)
        KioskSlide.objects.create(kiosk=cls.kiosk, kind=SlideKind.SERVICES_OPEN, seconds=10)
        shufa = add_room(cls.center, "书画室", floor="二楼")
        cls.taiji = build_activity(
            cls.center, "太极拳", dtstart=date(2026, 12, 6), freq="DAILY", count=10
        )
        cls.calligraphy = build_activity(
            cls.center,
            "书法班",
            room=shufa,
            dtstart=date(2026, 12, 6),
            start_time=time(14, 0),
            end_time=time(16, 0),
            freq="DAILY",
            count=3,
            exceptions=[
                {
                    "occurrence_date": date(2026, 12, 6),
                    "action": "cancel",
                    "reason": "老师生病",
                },
                {
                    "occurrence_date": date(2026, 12, 7),
                    "action": "move",
                    "new_date": date(2026, 12, 7),
                    "new_start_time": time(15, 0),
                    "new_end_time": time(17, 0),
                    "reason": "改到下午三点",
                },
            ],
        )
        cls.service = build_service(cls.center)
        cls.url = reverse("kiosk_api:data", args=["HHD-CH-01", "dating"])

    def document(self, **headers):
        response = self.client.get(self.url, **headers)
        self.assertEqual(response.status_code, 200)
        return response, json.loads(response.content)

    def test_today_lists_the_sessions_with_the_cancelled_one_and_its_reason(self):
        _, document = self.document()
        today = [(s["title"], s["starts_at"], s["status"], s["reason"]) for s in document["today"]]
        self.assertEqual(
            today,
            [
                ("太极拳", "2026-12-06T09:00:00+08:00", "scheduled", ""),
                ("书法班", "2026-12-06T14:00:00+08:00", "cancelled", "老师生病"),
            ],
        )
        calligraphy = document["today"][1]
        self.assertEqual(calligraphy["room"], "二楼 书画室")
        self.assertEqual(calligraphy["activity_id"], self.calligraphy.pk)
        self.assertTrue(
            calligraphy["url"].startswith("http://testserver/")
            and calligraphy["url"].endswith(f"/huodong/{self.calligraphy.pk}/"),
            calligraphy["url"],
        )
        self.assertIn("<svg", document["qr"][calligraphy["qr"]])

    def test_tomorrow_shows_the_moved_session_at_its_new_time(self):
        _, document = self.document()
        tomorrow = [
            (s["title"], s["starts_at"], s["ends_at"], s["status"], s["reason"])
            for s in document["tomorrow"]
        ]
        self.assertEqual(
            tomorrow,
            [
                (
                    "太极拳",
                    "2026-12-07T09:00:00+08:00",
                    "2026-12-07T10:30:00+08:00",
                    "scheduled",
                    "",
                ),
                (
                    "书法班",
                    "2026-12-07T15:00:00+08:00",
                    "2026-12-07T17:00:00+08:00",
                    "moved",
                    "改到下午三点",
                ),
            ],
        )

    def test_week_highlights_each_activity_once_from_now(self):
        _, document = self.document()
        week = [(s["title"], s["starts_at"]) for s in document["week"]]
        # Today's 太极拳 began at 9:00 and today's 书法班 is cancelled.
        self.assertEqual(
            week,
            [("太极拳", "2026-12-07T09:00:00+08:00"), ("书法班", "2026-12-07T15:00:00+08:00")],
        )

    def test_the_center_the_kiosk_and_its_slides(self):
        _, document = self.document()
        self.assertEqual(document["center"], {"code": "HHD-CH-01", "title": self.center.title})
        today, services = document["kiosk"]["slides"]
        # A slide's QR code opens the page holding all of it: the programme sheet; the
        # services' slide has none while the center has no service list page.
        self.assertEqual(today.pop("url"), "http://testserver/street/hhd-ch-01/jiemudan/")
        self.assertIn("<svg", document["qr"][today.pop("qr")])
        self.assertEqual((services.pop("url"), services.pop("qr")), (None, None))
        self.assertEqual(
            document["kiosk"],
            {
                "name": "一楼大厅屏",
                "orientation": "landscape",
                "dark_from": "21:00",
                "dark_until": "07:00",
                "touch": False,
                "slides": [
                    {"kind": "today", "title": "今日活动", "seconds": 20},
                    {"kind": "services_open", "title": "正在办理的服务", "seconds": 10},
                ],
            },
        )
        self.assertTrue(document["version"])
        self.assertTrue(document["generated_at"].startswith("2026-12-06T10:"))

    def test_services_open_only_inside_the_centers_hours(self):
        _, sunday = self.document()
        self.assertEqual(sunday["services_open"], [])
        with time_machine.travel(MONDAY_10, tick=False):
            _, monday = self.document()
        (service,) = monday["services_open"]
        self.assertEqual(service["name"], "老年人优待证办理")
        self.assertTrue(service["url"].startswith("http://testserver/"))
        self.assertIn("<svg", monday["qr"][service["qr"]])
        # Monday's "today" is the old "tomorrow".
        self.assertEqual([s["title"] for s in monday["today"]], ["太极拳", "书法班"])

    def test_sessions_of_one_activity_share_one_qr_code(self):
        _, document = self.document()
        keys = {s["qr"] for s in document["tomorrow"] + document["week"]}
        self.assertEqual(len(keys), 2)
        slide_keys = {slide["qr"] for slide in document["kiosk"]["slides"]} - {None}
        self.assertEqual(set(document["qr"]), keys | slide_keys)

    def test_unchanged_programme_answers_304_and_an_edit_changes_the_etag(self):
        response, _ = self.document()
        etag = response["ETag"]
        self.assertEqual(response["Cache-Control"], "no-cache")
        self.assertTrue(etag.startswith('"'), etag)
        again = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")

        self.taiji.title = "太极拳（杨式）"
        self.taiji.save()
        edited = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertEqual(edited.status_code, 200)
        self.assertNotEqual(edited["ETag"], etag)
        self.assertEqual(json.loads(edited.content)["today"][0]["title"], "太极拳（杨式）")

    def test_unknown_center_or_kiosk_is_a_404_in_chinese(self):
        for code, slug, words in (
            ("NO-SUCH", "dating", "没有编码为“NO-SUCH”的服务中心"),
            ("HHD-CH-01", "erlou", "没有网址名为“erlou”的大厅屏"),
        ):
            response = self.client.get(reverse("kiosk_api:data", args=[code, slug]))
            self.assertEqual(response.status_code, 404)
            self.assertIn(words, response.json()["detail"])

    def test_other_methods_are_405_with_allow(self):
        response = Client(enforce_csrf_checks=True).post(self.url)
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response["Allow"], "GET, HEAD, OPTIONS")
        self.assertIn("不支持", response.json()["detail"])


class KioskDataSizeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.center = build_center(build_street(build_home()), code="HHD-CH-02")
        cls.center.add_child(instance=ProgrammeSheetPage(title="活动节目单", slug="jiemudan"))
        cls.kiosk = build_kiosk(cls.center)
        cls.rooms = [cls.center.rooms.first()] + [
            add_room(cls.center, f"活动室{number}", floor="二楼") for number in range(1, 10)
        ]

    def add_activities(self, count, day=date(2026, 12, 6)):
        for number in range(count):
            start = time(8 + number // len(self.rooms), 0)
            build_activity(
                self.center,
                f"社区活动第{number + 1}场：健康讲座与手工",
                room=self.rooms[number % len(self.rooms)],
                dtstart=day,
                start_time=start,
                end_time=(datetime.combine(day, start) + timedelta(minutes=50)).time(),
            )

    def queries(self) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse("kiosk_api:data", args=["HHD-CH-02", "dating"]))
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_query_count_does_not_grow_with_the_programme(self):
        build_service(self.center)  # open on Monday at 10:00
        self.add_activities(3, day=date(2026, 12, 7))
        with time_machine.travel(MONDAY_10, tick=False):
            self.queries()  # Wagtail caches the site's root paths for a while
            few = self.queries()
        self.add_activities(27, day=date(2026, 12, 8))
        self.assertEqual(Occurrence.objects.filter(center=self.center).count(), 30)
        with time_machine.travel(MONDAY_10, tick=False):
            self.assertEqual(self.queries(), few)

    def test_a_busy_day_stays_under_50_kb(self):
        self.add_activities(40)
        self.add_activities(40, day=date(2026, 12, 7))
        response = self.client.get(reverse("kiosk_api:data", args=["HHD-CH-02", "dating"]))
        document = json.loads(response.content)
        self.assertEqual(len(document["today"]), 40)
        self.assertEqual(len(document["tomorrow"]), 40)
        self.assertEqual(len(document["week"]), WEEK_HIGHLIGHTS)
        self.assertLess(len(response.content), 50 * 1024)
        # The soonest coming sessions carry their QR code.
        coming = [s for s in document["today"] if s["ends_at"] > "2026-12-06T10:00"]
        self.assertTrue(all(s["qr"] in document["qr"] for s in coming[:8]))

    def test_kiosk_data_is_the_same_document_the_endpoint_serves(self):
        self.add_activities(2)
        request = self.client.get("/").wsgi_request
        document = kiosk_data(self.kiosk, request, now=datetime(2026, 12, 6, 8, 0, tzinfo=LOCAL_TZ))
        self.assertEqual(
            [s["title"][:7] for s in document["today"]], ["社区活动第1场", "社区活动第2场"]
        )
        self.assertEqual(document["generated_at"], "2026-12-06T08:00:00+08:00")


class HeartbeatTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.center = build_center(build_street(build_home()), code="HHD-CH-01")
        cls.kiosk = build_kiosk(cls.center)
        cls.other = build_kiosk(cls.center, slug="erlou")
        cls.url = reverse("kiosk_api:heartbeat", args=["HHD-CH-01", "dating"])
        cls.report = {
            "version": "abc123",
            "screen": "1920x1080",
            "online_since": "2026-12-06T08:00:00+08:00",
            "last_data_at": "2026-12-06T09:59:30+08:00",
        }

    def beat(self, report=None, token=None, **extra):
        headers = {} if token is None else {"authorization": f"Kiosk {token}"}
        # As a screen sends it: no cookies, no CSRF token; the kiosk's token is the proof.
        return Client(enforce_csrf_checks=True).post(
            self.url,
            json.dumps(self.report if report is None else report),
            content_type="application/json",
            headers=headers,
            **extra,
        )

    def test_the_kiosks_own_token_records_the_report(self):
        response = self.beat(token=self.kiosk.token)
        self.assertEqual(response.status_code, 204)
        kiosk = Kiosk.objects.get(pk=self.kiosk.pk)
        self.assertIsNotNone(kiosk.last_seen_at)
        self.assertLess(abs((kiosk.last_seen_at - datetime.now(LOCAL_TZ)).total_seconds()), 60)
        self.assertEqual(kiosk.reported_version, "abc123")
        self.assertEqual(kiosk.reported_screen, "1920x1080")
        self.assertEqual(kiosk.online_since, datetime(2026, 12, 6, 8, 0, tzinfo=LOCAL_TZ))
        self.assertEqual(kiosk.last_data_at, datetime(2026, 12, 6, 9, 59, 30, tzinfo=LOCAL_TZ))
        self.assertIsNone(Kiosk.objects.get(pk=self.other.pk).last_seen_at)

    def test_another_kiosks_token_or_none_is_refused(self):
        wrong = self.beat(token=self.other.token)
        self.assertEqual(wrong.status_code, 403)
        self.assertIn("令牌与这块大厅屏不符", wrong.json()["detail"])
        missing = self.beat()
        self.assertEqual(missing.status_code, 401)
        self.assertIn("请提供这块大厅屏的令牌", missing.json()["detail"])
        self.assertIsNone(Kiosk.objects.get(pk=self.kiosk.pk).last_seen_at)

    def test_bad_reports_name_their_fields_and_save_nothing(self):
        response = self.beat(
            {**self.report, "screen": "big", "online_since": "yesterday"}, token=self.kiosk.token
        )
        self.assertEqual(response.status_code, 400)
        fields = {error["field"] for error in response.json()["errors"]}
        self.assertEqual(fields, {"screen", "online_since"})
        self.assertIn("1920x1080", response.json()["detail"])
        not_json = self.client.post(
            self.url,
            "{",
            content_type="application/json",
            headers={"authorization": f"Kiosk {self.kiosk.token}"},
        )
        self.assertEqual(not_json.status_code, 400)
        self.assertEqual(not_json.json()["errors"][0]["field"], "body")
        self.assertIsNone(Kiosk.objects.get(pk=self.kiosk.pk).last_seen_at)

    def test_heartbeat_takes_only_post(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response["Allow"], "POST, OPTIONS")

    def test_one_update_records_the_beat(self):
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.beat(token=self.kiosk.token).status_code, 204)
        writes = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
        self.assertEqual(len(writes), 1)
