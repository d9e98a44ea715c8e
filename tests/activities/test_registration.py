"""Sign-ups (报名): the rules (places, waitlist, cancelling, closed sessions, duplicates),
the residents' links, the throttle, the public pages and the organisers' admin."""

import threading
import time
from datetime import timedelta
from io import BytesIO
from unittest import mock
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import GroupPagePermission

from activities.models import Occurrence, OccurrenceStatus, SignUp, SignUpStatus
from activities.registration import links, service
from activities.registration.throttle import (
    SIGN_UPS_PER_ADDRESS,
    SIGN_UPS_PER_NUMBER,
    TooManySignUps,
)
from activities.signals import attendance_recorded
from tests.activities.builders import build_activity
from tests.district.builders import build_center, build_home, build_street

PHONE = "13812345678"
MASKED = "138****5678"


def future_day(days=3):
    return timezone.localdate() + timedelta(days=days)


def phone(number: int) -> str:
    return f"139{number:08d}"


def start_now(occurrence, minutes_ago=10, minutes_left=60):
    """Moves ``occurrence`` so that it started ``minutes_ago`` and ends later."""
    now = timezone.now()
    Occurrence.objects.filter(pk=occurrence.pk).update(
        starts_at=now - timedelta(minutes=minutes_ago),
        ends_at=now + timedelta(minutes=minutes_left),
    )
    occurrence.refresh_from_db()


class SignUpFixtures(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = build_home()
        cls.street = build_street(home)
        cls.center = build_center(cls.street)
        cls.activity = build_activity(
            cls.center, "太极拳", signup_required=True, capacity=2, dtstart=future_day()
        )
        cls.occurrence = cls.activity.occurrences.get()

    def sign_up(self, number=1, name="张阿姨", occurrence=None, ip="10.0.0.1"):
        return service.sign_up(occurrence or self.occurrence, name, phone(number), ip=ip)


class CapacityAndWaitlistTests(SignUpFixtures):
    def test_confirmed_within_capacity_then_waitlisted_in_order(self):
        first, second, third, fourth = (self.sign_up(n) for n in range(1, 5))
        self.assertEqual(
            [s.status for s in (first, second, third, fourth)],
            ["confirmed", "confirmed", "waitlisted", "waitlisted"],
        )
        self.assertEqual(service.places_left(self.occurrence), 0)
        self.assertEqual(service.waitlist_position(third), 1)
        self.assertEqual(service.waitlist_position(fourth), 2)
        self.assertIsNone(service.waitlist_position(first))

    def test_no_capacity_means_unlimited(self):
        type(self.activity).objects.filter(pk=self.activity.pk).update(capacity=None)
        statuses = {self.sign_up(n).status for n in range(1, 6)}
        self.assertEqual(statuses, {"confirmed"})

    def test_cancelling_a_confirmed_sign_up_promotes_the_first_waitlisted(self):
        first, _second, third, fourth = (self.sign_up(n) for n in range(1, 5))
        promoted = service.cancel(first)
        self.assertEqual(promoted, [third])
        first.refresh_from_db(), third.refresh_from_db(), fourth.refresh_from_db()
        self.assertEqual(first.status, SignUpStatus.CANCELLED)
        self.assertIsNotNone(first.cancelled_at)
        self.assertEqual(third.status, SignUpStatus.CONFIRMED)
        self.assertIsNotNone(third.promoted_at)
        self.assertEqual(service.waitlist_position(fourth), 1)

    def test_cancelling_a_waitlisted_sign_up_promotes_no_one(self):
        _first, _second, third, fourth = (self.sign_up(n) for n in range(1, 5))
        self.assertEqual(service.cancel(third), [])
        fourth.refresh_from_db()
        self.assertEqual(fourth.status, SignUpStatus.WAITLISTED)
        self.assertEqual(service.waitlist_position(fourth), 1)

    def test_cancelling_twice_is_refused(self):
        first = self.sign_up(1)
        service.cancel(first)
        with self.assertRaisesMessage(ValidationError, "已经取消"):
            service.cancel(SignUp.objects.get(pk=first.pk))


class RefusalTests(SignUpFixtures):
    def assert_refused(self, field, text, **kwargs):
        with self.assertRaises(ValidationError) as caught:
            self.sign_up(**kwargs)
        self.assertIn(text, " ".join(caught.exception.message_dict[field]))

    def test_the_same_number_twice_is_refused_however_it_is_typed(self):
        service.sign_up(self.occurrence, "张阿姨", "138 1234 5678", ip="10.0.0.1")
        with self.assertRaises(ValidationError) as caught:
            service.sign_up(self.occurrence, "张阿姨", "+86-138-1234-5678", ip="10.0.0.1")
        self.assertIn("已经报名", caught.exception.message_dict["phone"][0])
        self.assertEqual(SignUp.objects.count(), 1)

    def test_a_waitlisted_number_cannot_sign_up_again_but_a_cancelled_one_can(self):
        self.sign_up(1), self.sign_up(2)
        waitlisted = self.sign_up(3)
        self.assert_refused("phone", "已经报名", number=3)
        service.cancel(waitlisted)
        self.assertEqual(self.sign_up(3).status, SignUpStatus.WAITLISTED)

    def test_a_malformed_mobile_or_missing_name_is_refused_by_field(self):
        with self.assertRaises(ValidationError) as caught:
            service.sign_up(self.occurrence, "  ", "1234567", ip=None)
        self.assertEqual(set(caught.exception.message_dict), {"name", "phone"})
        self.assertIn("11位手机号码", caught.exception.message_dict["phone"][0])
        self.assertFalse(SignUp.objects.exists())

    def test_a_cancelled_session_is_refused(self):
        Occurrence.objects.filter(pk=self.occurrence.pk).update(
            status=OccurrenceStatus.CANCELLED, reason="场地维修"
        )
        self.assert_refused("__all__", "本场活动已取消（场地维修）")

    def test_a_session_that_has_started_is_refused(self):
        start_now(self.occurrence)
        self.assert_refused("__all__", "已经开始")

    def test_an_activity_without_sign_ups_is_refused(self):
        type(self.activity).objects.filter(pk=self.activity.pk).update(signup_required=False)
        self.assert_refused("__all__", "无需报名")
        self.assertFalse(SignUp.objects.exists())


class AttendanceTests(SignUpFixtures):
    def test_attendance_is_refused_before_the_session_starts(self):
        first = self.sign_up(1)
        with self.assertRaisesMessage(ValidationError, "活动开始后才能签到"):
            service.attendance(self.occurrence, [first.pk])
        first.refresh_from_db()
        self.assertFalse(first.attended)

    def test_attendance_is_recorded_and_announced_to_listeners(self):
        first, second, third = (self.sign_up(n) for n in range(1, 4))
        start_now(self.occurrence)
        heard = []

        def listener(sender, occurrence, sign_ups, **kwargs):
            heard.append((sender, occurrence.pk, [s.pk for s in sign_ups]))

        attendance_recorded.connect(listener)
        self.addCleanup(attendance_recorded.disconnect, listener)
        service.attendance(self.occurrence, [first.pk, third.pk])  # third is waitlisted
        self.assertEqual(heard, [(Occurrence, self.occurrence.pk, [first.pk])])
        service.attendance(self.occurrence, [second.pk])  # the list saved again, corrected
        attended = set(SignUp.objects.filter(attended=True).values_list("pk", flat=True))
        self.assertEqual(attended, {second.pk})
        self.assertEqual(heard[-1][2], [second.pk])


class LinkTests(SignUpFixtures):
    def test_a_token_names_its_sign_up(self):
        sign_up = self.sign_up(1)
        self.assertEqual(links.sign_up_from_token(links.sign_up_token(sign_up)), sign_up)

    def test_an_altered_or_forged_token_is_refused(self):
        sign_up = self.sign_up(1)
        token = links.sign_up_token(sign_up)
        altered = token[:-1] + ("A" if token[-1] != "A" else "B")
        forged = signing.dumps([sign_up.pk, sign_up.created_at.timestamp()], salt="other")
        for bad in (altered, forged, "1", ""):
            with self.subTest(bad=bad), self.assertRaises(links.BadLink) as caught:
                links.sign_up_from_token(bad)
            self.assertNotIsInstance(caught.exception, links.ExpiredLink)

    def test_a_token_expires_when_the_session_ends(self):
        sign_up = self.sign_up(1)
        token = links.sign_up_token(sign_up)
        ends = self.occurrence.ends_at
        self.assertEqual(links.sign_up_from_token(token, now=ends - timedelta(seconds=1)), sign_up)
        with self.assertRaises(links.ExpiredLink):
            links.sign_up_from_token(token, now=ends)


class ThrottleTests(SignUpFixtures):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.daily = build_activity(
            cls.center,
            "书法",
            signup_required=True,
            capacity=50,
            dtstart=future_day(),
            start_time=timezone.datetime(2000, 1, 1, 14).time(),
            end_time=timezone.datetime(2000, 1, 1, 15).time(),
            freq="DAILY",
            count=SIGN_UPS_PER_NUMBER + 1,
        )
        cls.sessions = list(cls.daily.occurrences.order_by("starts_at"))

    def test_one_number_is_limited_per_hour_across_sessions(self):
        for session in self.sessions[:SIGN_UPS_PER_NUMBER]:
            self.sign_up(1, occurrence=session, ip=None)
        with self.assertRaises(TooManySignUps):
            self.sign_up(1, occurrence=self.sessions[-1], ip=None)
        self.assertEqual(SignUp.objects.count(), SIGN_UPS_PER_NUMBER)

    def test_one_address_is_limited_per_hour_but_others_are_not(self):
        session = self.sessions[0]
        for number in range(SIGN_UPS_PER_ADDRESS):
            self.sign_up(number, occurrence=session, ip="10.9.9.9")
        with self.assertRaises(TooManySignUps):
            self.sign_up(999, occurrence=session, ip="10.9.9.9")
        self.assertEqual(self.sign_up(999, occurrence=session, ip="10.9.9.10").status, "confirmed")

    def test_a_script_cannot_fill_a_session(self):
        url = reverse("activities:sign_up", args=[self.sessions[0].pk])
        answers = [
            self.client.post(url, {"name": "脚本", "phone": phone(n)}, REMOTE_ADDR="10.6.6.6")
            for n in range(40)
        ]
        self.assertEqual(sum(a.status_code == 302 for a in answers), SIGN_UPS_PER_ADDRESS)
        self.assertEqual(answers[-1].status_code, 429)
        self.assertContains(answers[-1], "请一小时后再试", status_code=429)
        self.assertEqual(self.sessions[0].sign_ups.count(), SIGN_UPS_PER_ADDRESS)
        # Another resident, from another address, still gets a place.
        answer = self.client.post(url, {"name": "李大爷", "phone": PHONE}, REMOTE_ADDR="10.1.1.1")
        self.assertEqual(answer.status_code, 302)


class PublicPageTests(SignUpFixtures):
    def url(self, occurrence=None):
        return reverse("activities:sign_up", args=[(occurrence or self.occurrence).pk])

    def test_the_page_shows_the_session_and_places_left(self):
        self.sign_up(1)
        page = self.client.get(self.url())
        self.assertContains(page, "报名：太极拳")
        self.assertContains(page, "余1个名额")
        self.assertContains(page, "一楼 多功能厅")
        self.assertContains(page, 'type="tel"')
        self.assertContains(page, 'inputmode="tel"')
        self.assertContains(page, 'autocomplete="tel"')
        self.assertContains(page, '<label for="id_name">姓名</label>', html=True)

    def test_a_full_session_offers_the_waitlist(self):
        self.sign_up(1), self.sign_up(2)
        page = self.client.get(self.url())
        self.assertContains(page, "已满，报名将进入候补")
        self.assertContains(page, "报名候补")

    def test_signing_up_shows_the_masked_number_status_and_cancel_link(self):
        answer = self.client.post(self.url(), {"name": "王奶奶", "phone": "138 1234 5678"})
        sign_up = SignUp.objects.get()
        self.assertRedirects(answer, links.sign_up_url(sign_up))
        page = self.client.get(answer.url)
        self.assertContains(page, "报名成功")
        self.assertContains(page, MASKED)
        self.assertNotContains(page, PHONE)
        self.assertContains(page, links.cancel_url(sign_up))

    def test_a_waitlisted_resident_sees_their_place_in_the_queue(self):
        self.sign_up(1), self.sign_up(2), self.sign_up(3)
        answer = self.client.post(self.url(), {"name": "王奶奶", "phone": PHONE})
        self.assertContains(self.client.get(answer.url), "候补第2位")

    def test_errors_are_shown_next_to_the_fields_and_what_was_typed_is_kept(self):
        page = self.client.post(self.url(), {"name": "王奶奶", "phone": "1381234"})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, 'id="id_phone_error"')
        self.assertContains(page, "请填写11位手机号码")
        self.assertContains(page, 'value="1381234"')
        self.assertContains(page, 'value="王奶奶"')
        self.assertContains(page, 'aria-invalid="true"')
        self.assertFalse(SignUp.objects.exists())

    def test_a_duplicate_is_shown_at_the_phone_field(self):
        self.sign_up(1)
        page = self.client.post(self.url(), {"name": "张阿姨", "phone": phone(1)})
        self.assertContains(page, "已经报名了本场活动")
        self.assertEqual(SignUp.objects.count(), 1)

    def test_a_resident_whose_session_was_cancelled_is_told_on_their_page(self):
        sign_up = self.sign_up(1)
        Occurrence.objects.filter(pk=self.occurrence.pk).update(
            status=OccurrenceStatus.CANCELLED, reason="场地维修"
        )
        page = self.client.get(links.sign_up_url(sign_up))
        self.assertContains(page, "本场活动已取消（场地维修），请勿前往")

    def test_a_cancelled_session_says_so_and_has_no_form(self):
        Occurrence.objects.filter(pk=self.occurrence.pk).update(
            status=OccurrenceStatus.CANCELLED, reason="场地维修"
        )
        page = self.client.get(self.url())
        self.assertContains(page, "本场活动已取消（场地维修）")
        self.assertNotContains(page, '<form method="post"')
        page = self.client.post(self.url(), {"name": "王奶奶", "phone": PHONE})
        self.assertFalse(SignUp.objects.exists())

    def test_an_activity_without_sign_ups_has_no_sign_up_page(self):
        other = build_activity(self.center, "观影", dtstart=future_day(4))
        self.assertEqual(self.client.get(self.url(other.occurrences.get())).status_code, 404)

    def test_posts_need_the_csrf_token(self):
        strict = Client(enforce_csrf_checks=True)
        answer = strict.post(self.url(), {"name": "王奶奶", "phone": PHONE})
        self.assertEqual(answer.status_code, 403)
        sign_up = self.sign_up(1)
        answer = strict.post(links.cancel_url(sign_up))
        self.assertEqual(answer.status_code, 403)
        sign_up.refresh_from_db()
        self.assertEqual(sign_up.status, SignUpStatus.CONFIRMED)

    def test_the_page_costs_the_same_queries_however_many_signed_up(self):
        def queries():
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(self.url()).status_code, 200)
            return len(captured)

        queries()  # the first request also loads the site's settings
        few = queries()
        for number in range(2, 12):
            self.sign_up(number)
        self.assertEqual(queries(), few)


class CancelPageTests(SignUpFixtures):
    def test_cancelling_asks_first_then_promotes_the_waitlist(self):
        first, _second, third = (self.sign_up(n) for n in range(1, 4))
        url = links.cancel_url(first)
        page = self.client.get(url)
        self.assertContains(page, "确定要取消这次报名吗")
        self.assertContains(page, "139****0001")
        self.assertNotContains(page, phone(1))
        first.refresh_from_db()
        self.assertEqual(first.status, SignUpStatus.CONFIRMED)  # a GET changes nothing
        answer = self.client.post(url, follow=True)
        self.assertContains(answer, "已取消报名")
        third.refresh_from_db()
        self.assertEqual(third.status, SignUpStatus.CONFIRMED)
        self.assertContains(self.client.get(links.sign_up_url(third)), "报名成功")

    def test_a_used_link_says_it_was_cancelled(self):
        sign_up = self.sign_up(1)
        service.cancel(sign_up)
        page = self.client.get(links.cancel_url(sign_up), follow=True)
        self.assertContains(page, "这条报名已经取消了")
        self.assertContains(page, "重新报名")

    def test_a_bad_or_expired_link_says_so(self):
        sign_up = self.sign_up(1)
        bad = self.client.get(reverse("activities:cancel_sign_up", args=["abc:def"]))
        self.assertContains(bad, "链接无效", status_code=404)
        with mock.patch(
            "activities.registration.links.timezone.now",
            return_value=self.occurrence.ends_at + timedelta(minutes=1),
        ):
            expired = self.client.post(links.cancel_url(sign_up))
        self.assertContains(expired, "链接已失效", status_code=410)
        sign_up.refresh_from_db()
        self.assertEqual(sign_up.status, SignUpStatus.CONFIRMED)


def editor(username: str, *pages, superuser=False):
    users = get_user_model().objects
    if superuser:
        return users.create_superuser(username, password="pw-" + username)
    user = users.create_user(username, password="pw-" + username)
    group = Group.objects.create(name=username + "的组")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for page in pages:
        for codename in ("change_page", "publish_page"):
            GroupPagePermission.objects.create(
                group=group, page=page, permission=Permission.objects.get(codename=codename)
            )
    user.groups.add(group)
    return user


class OrganiserAdminTests(SignUpFixtures):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.other_center = build_center(cls.street, code="T-02")
        cls.other_activity = build_activity(
            cls.other_center, "合唱", signup_required=True, capacity=5, dtstart=future_day()
        )
        cls.other_occurrence = cls.other_activity.occurrences.get()
        cls.center_editor = editor("center", cls.center)
        cls.other_editor = editor("other", cls.other_center)
        cls.no_center_user = editor("nobody")
        cls.district_editor = editor("district", superuser=True)

    def admin_url(self, occurrence=None, name="occurrence"):
        return reverse(f"activities_sign_ups:{name}", args=[(occurrence or self.occurrence).pk])

    def test_the_index_lists_only_the_editors_own_centers(self):
        self.sign_up(1)
        self.client.force_login(self.center_editor)
        page = self.client.get(reverse("activities_sign_ups:index"))
        self.assertContains(page, "太极拳")
        self.assertNotContains(page, "合唱")
        self.assertContains(page, self.admin_url())
        self.client.force_login(self.district_editor)
        page = self.client.get(reverse("activities_sign_ups:index"))
        self.assertContains(page, "合唱")

    def test_other_centers_and_users_without_centers_get_403(self):
        self.client.force_login(self.other_editor)
        for url in (self.admin_url(), self.admin_url(name="export")):
            self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(self.admin_url(), {"cancel": "1"}).status_code, 403)
        self.client.force_login(self.no_center_user)
        self.assertEqual(self.client.get(reverse("activities_sign_ups:index")).status_code, 403)

    def test_the_list_masks_numbers_and_the_excel_has_them_in_full(self):
        service.sign_up(self.occurrence, "王奶奶", PHONE, ip=None)
        self.sign_up(2), self.sign_up(3)
        self.client.force_login(self.center_editor)
        page = self.client.get(self.admin_url())
        self.assertContains(page, MASKED)
        self.assertNotContains(page, PHONE)
        self.assertContains(page, "候补第1位")
        export = self.client.get(self.admin_url(name="export"))
        self.assertEqual(export.status_code, 200)
        day = self.occurrence.starts_at.astimezone(timezone.get_current_timezone()).date()
        disposition = export["Content-Disposition"]
        self.assertTrue(disposition.startswith("attachment"))
        self.assertIn(quote(f"太极拳-{day.isoformat()}-报名名单.xlsx"), disposition)
        sheet = load_workbook(BytesIO(export.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:4], ("序号", "姓名", "手机号", "状态"))
        self.assertEqual(rows[1][1:4], ("王奶奶", PHONE, "已报名"))
        self.assertEqual(rows[3][3], "候补第1位")

    def test_cancelling_in_the_admin_promotes_the_waitlist(self):
        first, _second, third = (self.sign_up(n) for n in range(1, 4))
        self.client.force_login(self.center_editor)
        answer = self.client.post(self.admin_url(), {"cancel": str(first.pk)}, follow=True)
        self.assertContains(answer, "候补转正：张阿姨")
        third.refresh_from_db()
        self.assertEqual(third.status, SignUpStatus.CONFIRMED)

    def test_a_sign_up_of_another_session_cannot_be_cancelled_through_this_one(self):
        other = self.sign_up(1, occurrence=self.other_occurrence)
        self.client.force_login(self.district_editor)
        answer = self.client.post(self.admin_url(), {"cancel": str(other.pk)})
        self.assertEqual(answer.status_code, 404)
        other.refresh_from_db()
        self.assertEqual(other.status, SignUpStatus.CONFIRMED)

    def test_attendance_is_saved_in_one_post_once_the_session_started(self):
        first, second = self.sign_up(1), self.sign_up(2)
        self.client.force_login(self.center_editor)
        self.assertNotContains(self.client.get(self.admin_url()), 'name="attended"')
        self.client.post(self.admin_url(), {"attended": [first.pk]})
        self.assertFalse(SignUp.objects.filter(attended=True).exists())
        start_now(self.occurrence)
        self.assertContains(self.client.get(self.admin_url()), 'name="attended"', count=2)
        answer = self.client.post(
            self.admin_url(), {"attended": [first.pk, second.pk], "save_attendance": "1"}
        )
        self.assertRedirects(answer, self.admin_url())
        self.assertEqual(SignUp.objects.filter(attended=True).count(), 2)

    def test_admin_pages_cost_the_same_queries_however_many_signed_up(self):
        self.client.force_login(self.center_editor)

        def queries(url):
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(url).status_code, 200)
            return len(captured)

        index = reverse("activities_sign_ups:index")
        queries(index)  # the first request also loads the admin's settings
        few = (queries(index), queries(self.admin_url()))
        for number in range(1, 12):
            self.sign_up(number)
        build_activity(
            self.center, "八段锦", signup_required=True, capacity=9, dtstart=future_day(5)
        )
        self.assertEqual((queries(index), queries(self.admin_url())), few)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's row locks; SQLite serialises every write",
)
class LastPlaceTests(TransactionTestCase):
    def setUp(self):
        center = build_center(build_street(build_home()))
        activity = build_activity(
            center, "太极拳", signup_required=True, capacity=1, dtstart=future_day()
        )
        self.occurrence = activity.occurrences.get()

    def test_two_residents_cannot_both_take_the_last_place(self):
        barrier = threading.Barrier(2)
        create = SignUp.objects.create

        def slow_create(**fields):
            # Without the row lock, the other resident would count the places meanwhile.
            time.sleep(0.3)
            return create(**fields)

        def take(number):
            try:
                barrier.wait()
                service.sign_up(self.occurrence, "居民", phone(number), ip=None)
            finally:
                connection.close()

        with mock.patch.object(SignUp.objects, "create", side_effect=slow_create):
            threads = [threading.Thread(target=take, args=(n,)) for n in (1, 2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        statuses = sorted(SignUp.objects.values_list("status", flat=True))
        self.assertEqual(statuses, ["confirmed", "waitlisted"])
