"""The activities API: the programme as JSON, and staff booking a room for a session."""

import base64
import json
import re
from datetime import date, time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.models import GroupPagePermission

from activities.models import Activity, Occurrence, SignUp
from catalog.models import TaxonomyTerm
from catalog.models.taxonomy import AUDIENCE_TAXONOMY
from tests.activities.builders import add_room, build_activity, kind, room_of
from tests.district.builders import build_center, build_home, build_street

URL = "/api/activities/occurrences"
BOOKINGS = "/api/activities/bookings"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
PASSWORD = "booking-password-1"


def elderly() -> TaxonomyTerm:
    return TaxonomyTerm.objects.get(taxonomy__name=AUDIENCE_TAXONOMY, code="elderly")


class ApiTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = build_home()
        cls.street = build_street(home, title="春华街道", slug="chunhua")
        cls.center = build_center(cls.street, code="HHD-CH-01", title="春华社区党群服务中心")
        cls.other = build_center(cls.street, code="HHD-CH-02", title="秋实社区党群服务中心")
        cls.taiji = build_activity(
            cls.center,
            "太极拳",
            dtstart=date(2026, 12, 7),
            start_time=time(9, 0),
            end_time=time(10, 30),
            freq="WEEKLY",
            byday="MO,WE",
            until=date(2026, 12, 31),
            capacity=20,
            signup_required=True,
            exceptions=[
                {"occurrence_date": date(2026, 12, 9), "action": "cancel", "reason": "场地维修"}
            ],
        )
        cls.taiji.audiences.set([elderly()])
        cls.taiji.save()  # a ParentalManyToManyField is written when its object is saved
        cls.homework = build_activity(
            cls.center,
            "四点半课堂",
            room=add_room(cls.center, "阅览室", floor="二楼"),
            kind=kind("四点半课堂"),
            dtstart=date(2026, 12, 8),
            start_time=time(16, 30),
            end_time=time(17, 30),
        )
        cls.choir = build_activity(
            cls.other,
            "合唱团",
            dtstart=date(2026, 12, 8),
            start_time=time(9, 0),
            cost="low_cost",
            price="5",
            market_reference_price="30",
        )

    def get(self, params=None, status=200, url=URL):
        response = self.client.get(url, params or {})
        self.assertEqual(response.status_code, status, response.content[:400])
        self.assertEqual(response["Content-Type"], "application/json")
        return response.json()

    def titles(self, body):
        return [(item["activity"]["title"], item["starts_at"]) for item in body["results"]]

    def assert_names(self, body, *parameters):
        self.assertEqual([e["parameter"] for e in body["errors"]], list(parameters))
        self.assertRegex(body["detail"], CHINESE)


class OccurrenceListTests(ApiTestCase):
    def test_the_week_from_today_in_order_of_start(self):
        body = self.get()
        self.assertEqual((body["start"], body["end"]), ("2026-12-06", "2026-12-13"))
        self.assertEqual(
            self.titles(body),
            [
                ("太极拳", "2026-12-07T09:00:00+08:00"),
                ("合唱团", "2026-12-08T09:00:00+08:00"),
                ("四点半课堂", "2026-12-08T16:30:00+08:00"),
                ("太极拳", "2026-12-09T09:00:00+08:00"),
            ],
        )
        self.assertEqual(body["count"], 4)

    def test_an_item_says_what_residents_need(self):
        SignUp.objects.create(
            occurrence=self.taiji.occurrences.get(starts_at__date=date(2026, 12, 7)),
            name="王大爷",
            phone="13800001111",
            status="confirmed",
        )
        first, _choir, homework, cancelled = self.get()["results"]
        self.assertEqual(first["activity"]["uid"], str(self.taiji.uid))
        self.assertEqual(first["activity"]["kind"], "文体康养")
        self.assertTrue(
            first["activity"]["ical_url"].endswith(f"/huodong/ical/huodong/{self.taiji.uid}.ics")
        )
        self.assertEqual(first["center"], {"code": "HHD-CH-01", "title": "春华社区党群服务中心"})
        self.assertEqual(first["room"]["name"], "多功能厅")
        self.assertEqual(first["place"], "一楼 多功能厅")
        self.assertEqual(first["ends_at"], "2026-12-07T10:30:00+08:00")
        self.assertEqual((first["status"], first["all_day"]), ("scheduled", False))
        self.assertEqual((first["capacity"], first["places_left"]), (20, 19))
        self.assertTrue(first["signup_required"])
        self.assertEqual((first["cost"], first["price_label"]), ("free", "免费"))
        self.assertEqual(first["audiences"], [{"code": "elderly", "name": elderly().name}])
        self.assertEqual(homework["place"], "二楼 阅览室")
        self.assertIsNone(homework["places_left"])
        self.assertEqual(
            (cancelled["status"], cancelled["status_label"], cancelled["reason"]),
            ("cancelled", "已取消", "场地维修"),
        )
        self.assertNotIn("13800001111", json.dumps(self.get(), ensure_ascii=False))
        self.assertEqual(_choir["price_label"], "低偿 5元/次（市场价30元）")

    def test_a_date_range_and_the_slashed_spelling(self):
        body = self.get({"start": "2026-12-14", "end": "2026-12-16"})
        self.assertEqual(
            self.titles(body),
            [("太极拳", "2026-12-14T09:00:00+08:00"), ("太极拳", "2026-12-16T09:00:00+08:00")],
        )
        self.assertEqual(
            self.get({"start": "2026-12-14", "end": "2026-12-16"}, url=URL + "/"), body
        )
        only_end = self.get({"end": "2026-12-10"})
        self.assertEqual((only_end["start"], only_end["end"]), ("2026-12-03", "2026-12-10"))

    def test_filters_by_center_kind_and_audience(self):
        by_center = self.get({"center": "HHD-CH-02"})
        self.assertEqual([t for t, _ in self.titles(by_center)], ["合唱团"])
        for value in ("四点半课堂", str(kind("四点半课堂").pk)):
            body = self.get({"kind": value})
            self.assertEqual([t for t, _ in self.titles(body)], ["四点半课堂"], value)
        for value in ("elderly", elderly().name, str(elderly().pk)):
            body = self.get({"audience": value})
            self.assertEqual([t for t, _ in self.titles(body)], ["太极拳", "太极拳"], value)
        self.assertEqual(self.get({"kind": "", "center": ""})["count"], 4)

    def test_pages_in_a_stable_order(self):
        first = self.get({"page_size": 3})
        self.assertEqual((first["total_pages"], first["previous"]), (2, None))
        self.assertIn("page=2", first["next"])
        second = self.get({"page_size": 3, "page": 2})
        self.assertEqual(
            [i["id"] for i in first["results"] + second["results"]],
            [i["id"] for i in self.get()["results"]],
        )
        self.assert_names(self.get({"page": 3, "page_size": 3}, status=404), "page")

    def test_an_unpublished_center_is_not_listed(self):
        self.other.unpublish()
        self.assertNotIn("合唱团", [t for t, _ in self.titles(self.get())])
        self.assert_names(self.get({"center": "HHD-CH-02"}, status=404), "center")

    def test_bad_parameters_are_400_in_chinese_naming_them(self):
        self.assert_names(self.get({"start": "12月8日"}, status=400), "start")
        self.assert_names(self.get({"end": "2026-02-30"}, status=400), "end")
        self.assert_names(self.get({"start": "1999-12-31"}, status=400), "start")
        too_long = self.get({"start": "2026-12-01", "end": "2027-03-03"}, status=400)
        self.assert_names(too_long, "end")
        self.assertIn("92天", too_long["detail"])
        self.get({"start": "2026-12-01", "end": "2027-03-02"})  # 92 days
        self.assert_names(self.get({"start": "2026-12-10", "end": "2026-12-09"}, status=400), "end")
        self.assert_names(self.get({"center": "春华"}, status=400), "center")
        self.assert_names(
            self.get({"start": "x", "center": "春华", "page_size": "1000"}, status=400),
            "start",
            "center",
            "page_size",
        )

    def test_what_names_nothing_is_404_naming_it(self):
        self.assert_names(self.get({"center": "HHD-XX-99"}, status=404), "center")
        self.assert_names(self.get({"kind": "广场舞"}, status=404), "kind")
        self.assert_names(self.get({"kind": "999999"}, status=404), "kind")
        self.assert_names(self.get({"audience": "martians"}, status=404), "audience")

    def test_garbage_in_any_parameter_is_never_a_server_error(self):
        garbage = ["\x00", "%", "' OR 1=1 --", "９", "x" * 2000, "老年", "-1", "1e3", "[]"]
        for name in ("start", "end", "center", "kind", "audience", "page", "page_size"):
            for value in garbage:
                with self.subTest(parameter=name, value=value[:10]):
                    response = self.client.get(URL, {name: value})
                    self.assertIn(response.status_code, (400, 404), response.content[:300])
                    self.assertEqual(response.json()["errors"][0]["parameter"], name)

    def test_only_reading_is_allowed(self):
        client = Client(enforce_csrf_checks=True)
        for method in ("post", "put", "delete"):
            response = getattr(client, method)(URL)
            self.assertEqual(response.status_code, 405)
            self.assertEqual(
                set(response["Allow"].replace(" ", "").split(",")), {"GET", "HEAD", "OPTIONS"}
            )
            self.assertRegex(response.json()["detail"], CHINESE)

    def test_the_query_count_does_not_grow_with_the_page(self):
        def queries():
            with CaptureQueriesContext(connection) as captured:
                self.get({"page_size": 100, "start": "2026-12-01", "end": "2027-01-31"})
            return len(captured)

        before = queries()
        for number in range(3):
            activity = build_activity(
                self.center,
                f"活动{number}",
                room=add_room(self.center, f"活动室{number}"),
                kind=kind(f"类型{number}"),
                dtstart=date(2026, 12, 7),
                freq="DAILY",
                until=date(2026, 12, 20),
                capacity=10,
            )
            activity.audiences.set([elderly()])
            activity.save()
        self.assertGreater(
            self.get({"page_size": 100, "start": "2026-12-01", "end": "2027-01-31"})["count"], 40
        )
        self.assertEqual(queries(), before)


def editor(username: str, *pages, superuser=False):
    users = get_user_model().objects
    if superuser:
        return users.create_superuser(username, password=PASSWORD)
    user = users.create_user(username, password=PASSWORD)
    group = Group.objects.create(name=f"{username}组")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for page in pages:
        for codename in ("change_page", "publish_page"):
            GroupPagePermission.objects.create(
                group=group, page=page, permission=Permission.objects.get(codename=codename)
            )
    user.groups.add(group)
    return user


def basic(username: str) -> dict:
    token = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


BOOKING = {
    "center": "HHD-CH-01",
    "room": "多功能厅",
    "title": "健康讲座",
    "kind": "培训讲座",
    "date": "2026-12-15",
    "start_time": "09:30",
    "end_time": "11:00",
    "description": "社区医生讲冬季保健",
}


class BookingTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        editor("chunhua", cls.center)
        editor("qiushi", cls.other)
        editor("district", superuser=True)
        get_user_model().objects.create_user("resident", password=PASSWORD)

    def book(self, status, user="chunhua", client=None, **changes):
        client = client or self.client
        headers = basic(user) if user else {}
        response = client.post(
            BOOKINGS,
            json.dumps({**BOOKING, **changes}),
            content_type="application/json",
            headers=headers,
        )
        self.assertEqual(response.status_code, status, response.content[:500])
        self.assertEqual(response["Content-Type"], "application/json")
        return response.json()

    def test_an_editor_books_a_free_room(self):
        body = self.book(201)
        activity = Activity.objects.get(title="健康讲座")
        self.assertEqual(activity.freq, "")
        self.assertEqual(body["activity"]["uid"], str(activity.uid))
        (occurrence,) = body["occurrences"]
        self.assertEqual(occurrence["starts_at"], "2026-12-15T09:30:00+08:00")
        self.assertEqual(occurrence["ends_at"], "2026-12-15T11:00:00+08:00")
        self.assertEqual(occurrence["room"]["id"], room_of(self.center).pk)
        self.assertEqual(body["warnings"], [])
        listed = self.get({"start": "2026-12-15", "end": "2026-12-15"})
        self.assertIn("健康讲座", [t for t, _ in self.titles(listed)])

    def test_a_room_by_its_id_and_a_kind_by_its_id(self):
        self.book(201, room=str(room_of(self.center).pk), kind=str(kind("培训讲座").pk))

    def test_a_clash_is_409_naming_the_other_activity_and_nothing_is_saved(self):
        before = (Activity.objects.count(), Occurrence.objects.count())
        body = self.book(409, date="2026-12-07", start_time="10:00", end_time="11:30")
        self.assertIn("太极拳", body["detail"])
        self.assertIn("2026-12-07", body["detail"])
        self.assertEqual(body["errors"], [{"field": "room", "message": body["detail"]}])
        self.assertEqual(body["clashes"][0]["title"], "太极拳")
        self.assertEqual(body["clashes"][0]["activity_id"], self.taiji.pk)
        self.assertEqual((Activity.objects.count(), Occurrence.objects.count()), before)

    def test_a_cancelled_session_frees_its_room(self):
        self.book(201, date="2026-12-09", start_time="09:00", end_time="10:30")

    def test_invalid_input_is_400_with_field_paths(self):
        body = self.book(400, date="12月14日", start_time="9点", title="")
        self.assertEqual({e["field"] for e in body["errors"]}, {"date", "start_time", "title"})
        self.assertRegex(body["detail"], CHINESE)
        body = self.book(400, room="天台", kind="广场舞")
        self.assertEqual([e["field"] for e in body["errors"]], ["room", "kind"])
        body = self.book(400, start_time="11:00", end_time="10:00")
        self.assertEqual([e["field"] for e in body["errors"]], ["end_time"])
        body = self.book(400, date="2026-12-01")
        self.assertEqual([e["field"] for e in body["errors"]], ["date"])
        self.assertEqual(self.book(400, center="HHD-XX-99")["errors"][0]["field"], "center")
        self.assertFalse(Activity.objects.filter(title="健康讲座").exists())

    def test_a_session_outside_opening_hours_is_booked_with_a_warning(self):
        body = self.book(201, date="2026-12-13", start_time="19:00", end_time="20:30")
        self.assertIn("不在中心开放时间内", body["warnings"][0])

    def test_strangers_and_editors_of_other_centers_are_refused(self):
        body = self.book(401, user=None)
        self.assertRegex(body["detail"], CHINESE)
        response = self.client.post(BOOKINGS, BOOKING, content_type="application/json")
        self.assertIn("Basic", response["WWW-Authenticate"])
        wrong = self.client.post(
            BOOKINGS,
            json.dumps(BOOKING),
            content_type="application/json",
            headers={"Authorization": "Basic " + base64.b64encode(b"chunhua:wrong").decode()},
        )
        self.assertEqual(wrong.status_code, 401)
        body = self.book(403, user="qiushi")
        self.assertEqual(body["errors"][0]["field"], "center")
        self.assertIn("春华社区党群服务中心", body["detail"])
        self.assertEqual(self.book(403, user="resident")["errors"][0]["field"], "center")
        self.book(201, user="district")
        self.assertEqual(Activity.objects.filter(title="健康讲座").count(), 1)

    def test_a_session_needs_its_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.login(username="chunhua", password=PASSWORD)
        body = self.book(403, user=None, client=client)
        self.assertIn("CSRF", body["detail"])
        token = "k" * 32  # the cookie a page of the admin would have set
        client.cookies["csrftoken"] = token
        response = client.post(
            BOOKINGS,
            json.dumps(BOOKING),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        self.assertEqual(response.status_code, 201, response.content[:300])

    def test_only_posting_is_allowed(self):
        for method in ("get", "put", "delete"):
            response = getattr(self.client, method)(BOOKINGS)
            self.assertEqual(response.status_code, 405)
            self.assertEqual(
                set(response["Allow"].replace(" ", "").split(",")), {"POST", "OPTIONS"}
            )
            self.assertRegex(response.json()["detail"], CHINESE)
