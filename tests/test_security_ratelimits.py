"""Rate limits where abuse costs (jiamenkou/security/ratelimit.py): each endpoint driven
past its limit answers 429 in Chinese with Retry-After, and other addresses go on."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.test import TestCase, override_settings
from django.urls import reverse

from activities.registration.throttle import SIGN_UPS_PER_ADDRESS
from catalog.demo import load_service_list_pages
from catalog.hsds import import_services
from catalog.models import CorrectionReport
from district.demo.loader import load_district
from district.models import CenterPage
from honors.sms import LocmemBackend
from jiamenkou.security.ratelimit import CORRECTION, POINTS_LOOKUP, POINTS_SMS, SEARCH
from search.indexing import rebuild_index
from tests.activities.builders import build_activity
from tests.catalog.hsds_data import demo_catalog
from tests.district.builders import build_center, build_home, build_street
from tests.honors.builders import participant

SENIOR_CARD = "bfaa2bb6-ef84-5993-aa76-5376522e0f98"  # 老年人优待证办理
#: 10 seconds into a minute (and an hour): a test's requests all fall in one window.
START = datetime(2026, 12, 7, 2, 0, 10, tzinfo=UTC)


class RateLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_district(password="rate-limit-password")
        import_services(demo_catalog())
        load_service_list_pages()
        rebuild_index(progress=False)
        cls.correction_url = f"/chunhua/haitangyuan/fuwu/{SENIOR_CARD}/correction/"
        cls.resident = participant(
            CenterPage.objects.get(code="HHD-CH-01"), name="张晓明", mobile="13912345678"
        )

    def setUp(self):
        clock = time_machine.travel(START, tick=False)
        clock.start()
        self.addCleanup(clock.stop)

    def assertRefused(self, response, message, retry_after):
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], str(retry_after))
        self.assertIn(message, response.content.decode())

    def test_the_search_page_and_api_share_120_a_minute_per_address(self):
        for n in range(SEARCH.count // 2):
            self.assertEqual(self.client.get("/sousuo/", {"q": f"老年证{n}"}).status_code, 200)
        for n in range(SEARCH.count - SEARCH.count // 2):
            api = self.client.get("/api/services/search", {"q": f"低保{n}"})
            self.assertEqual(api.status_code, 200)

        page = self.client.get("/sousuo/", {"q": "老年证"})
        self.assertRefused(page, "搜索过于频繁，请稍等一分钟再试。", 50)
        self.assertIn("请求过于频繁", page.content.decode())  # the site's page, in Chinese
        api = self.client.get("/api/services/search", {"q": "老年证"})
        self.assertRefused(api, "", 50)
        self.assertEqual(api.json(), {"detail": "搜索过于频繁，请稍等一分钟再试。"})

        # Another address searches on; the next minute this one does again.
        other = self.client.get("/sousuo/", {"q": "老年证"}, REMOTE_ADDR="10.3.3.3")
        self.assertEqual(other.status_code, 200)
        with time_machine.travel(START + timedelta(seconds=50), tick=False):
            self.assertEqual(self.client.get("/sousuo/", {"q": "老年证"}).status_code, 200)

    def test_the_api_document_declares_the_refusal(self):
        paths = self.client.get("/api/openapi.json").json()["paths"]
        for path in ("/api/services/search", "/api/services/autocomplete"):
            refusal = paths[path]["get"]["responses"]["429"]
            self.assertIn("Retry-After", refusal["headers"], path)
            self.assertIn("频繁", refusal["description"], path)

    def test_corrections_are_limited_per_address(self):
        report = {"reason": "phone", "details": "电话一直占线"}
        for _ in range(CORRECTION.count):
            self.assertEqual(self.client.post(self.correction_url, report).status_code, 302)
        refused = self.client.post(self.correction_url, report)
        self.assertRefused(refused, "提交纠错过于频繁，请一小时后再试", 3590)
        self.assertEqual(CorrectionReport.objects.count(), CORRECTION.count)
        # Reading the form is not counted, and another address may still report.
        self.assertEqual(self.client.get(self.correction_url).status_code, 200)
        elsewhere = self.client.post(self.correction_url, report, REMOTE_ADDR="10.4.4.4")
        self.assertEqual(elsewhere.status_code, 302)

    def test_the_points_look_up_is_limited_per_address(self):
        for n in range(POINTS_LOOKUP.count):
            tried = self.client.post(
                "/jifen/chaxun/", {"number": f"139{n:08d}", "code": "AAAA2222"}
            )
            self.assertEqual(tried.status_code, 200)
        refused = self.client.post("/jifen/chaxun/", {"number": "13912345678", "code": "X"})
        self.assertRefused(refused, "查询过于频繁，请一小时后再试", 3590)
        self.assertEqual(refused["Cache-Control"], "no-store")

    @override_settings(JIAMENKOU_SMS_BACKEND="honors.sms.LocmemBackend")
    def test_text_messages_from_one_address_are_limited_whatever_the_numbers(self):
        LocmemBackend.outbox.clear()
        numbers = ["13912345678"] + [f"1380000{n:04d}" for n in range(POINTS_SMS.count)]
        for number in numbers[: POINTS_SMS.count]:
            sent = self.client.post("/jifen/chaxun/", {"number": number, "action": "send"})
            self.assertEqual(sent.status_code, 200)
        refused = self.client.post("/jifen/chaxun/", {"number": numbers[-1], "action": "send"})
        self.assertRefused(refused, "验证码发送过于频繁，请一小时后再试", 3590)
        self.assertEqual(len(LocmemBackend.outbox), 1)  # only the registered number got one


class SignUpLimitTests(TestCase):
    """The sign-up's own limits (activities/registration/throttle.py) use the same limiter."""

    @classmethod
    def setUpTestData(cls):
        center = build_center(build_street(build_home()))
        activity = build_activity(
            center, "太极拳", signup_required=True, capacity=50, dtstart=START.date() + timedelta(3)
        )
        cls.url = reverse("activities:sign_up", args=[activity.occurrences.get().pk])

    def test_a_script_signing_up_many_numbers_gets_429_with_retry_after(self):
        with time_machine.travel(START, tick=False):
            for n in range(SIGN_UPS_PER_ADDRESS):
                signed = self.client.post(self.url, {"name": "脚本", "phone": f"139{n:08d}"})
                self.assertEqual(signed.status_code, 302)
            refused = self.client.post(self.url, {"name": "脚本", "phone": "13900009999"})
        self.assertEqual(refused.status_code, 429)
        self.assertEqual(refused["Retry-After"], "3590")
        self.assertIn("报名过于频繁，请一小时后再试", refused.content.decode())
