"""Signing in to the admin: lockout after wrong passwords, strong passwords, sessions that
end with the browser and after a working day away (jiamenkou/security/)."""

from datetime import timedelta

import time_machine
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from jiamenkou.settings import base as base_settings

LOGIN = "/admin/login/"
PASSWORD = "Haitang-garden-2026"


class SignInTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_superuser(
            "wang.editor", "wang@example.gov.cn", PASSWORD
        )

    def sign_in(self, password, address="10.1.1.1", username="wang.editor"):
        return self.client.post(
            LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address
        )


class LockoutTests(SignInTestCase):
    def test_five_wrong_passwords_lock_the_username_on_this_address_for_30_minutes(self):
        for _ in range(4):
            wrong = self.sign_in("not-the-password")
            self.assertEqual(wrong.status_code, 200)  # the form again, with its error
        self.assertEqual(self.sign_in("not-the-password").status_code, 429)  # the fifth
        refused = self.sign_in(PASSWORD)  # even the right password now
        self.assertEqual(refused.status_code, 429)
        self.assertEqual(refused["Retry-After"], "1800")
        self.assertContains(refused, "登录已暂停", status_code=429)
        self.assertContains(refused, "连续5次输错密码", status_code=429)
        self.assertContains(refused, "请30分钟后再试", status_code=429)
        self.assertNotContains(refused, "Account locked", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

        # Another address is not locked out for this username, nor this address for others.
        self.assertEqual(self.sign_in(PASSWORD, address="10.2.2.2").status_code, 302)
        self.client.logout()

        with time_machine.travel(timezone.now() + timedelta(minutes=31)):
            self.assertEqual(self.sign_in(PASSWORD).status_code, 302)

    def test_a_right_password_resets_the_count(self):
        for _ in range(4):
            self.sign_in("not-the-password")
        self.assertEqual(self.sign_in(PASSWORD).status_code, 302)
        self.client.logout()
        for _ in range(4):
            self.assertEqual(self.sign_in("not-the-password").status_code, 200)
        self.assertEqual(self.sign_in(PASSWORD).status_code, 302)

    def test_an_unknown_username_is_locked_out_like_a_known_one(self):
        for _ in range(4):
            self.sign_in("guess", username="admin")
        self.assertEqual(self.sign_in("guess", username="admin").status_code, 429)
        self.assertEqual(self.sign_in("guess", username="admin").status_code, 429)

    def test_the_test_clients_login_still_works(self):
        # No request, no lockout to count: tests and scripts sign in as before.
        self.assertTrue(self.client.login(username="wang.editor", password=PASSWORD))
        self.assertEqual(self.client.get("/admin/").status_code, 200)


class PasswordTests(SignInTestCase):
    def new_user(self, password, username="li.volunteer"):
        return self.client.post(
            reverse("wagtailusers_users:add"),
            {
                "username": username,
                "email": f"{username}@example.gov.cn",
                "first_name": "小丽",
                "last_name": "李",
                "password1": password,
                "password2": password,
            },
        )

    def test_an_admin_cannot_give_a_new_editor_a_weak_password(self):
        self.client.force_login(self.editor)
        for weak, message in [
            ("12345678", "密码太短。至少应包含 10 个字符。"),
            ("1234567890", "密码只包含数字。"),
            ("password123", "这个密码太常见了。"),
            ("li.volunteer1", "密码跟 用户名 太相似了。"),
        ]:
            with self.subTest(weak):
                answer = self.new_user(weak)
                self.assertEqual(answer.status_code, 200)
                # (not assertContains: a failure would print the whole admin page)
                self.assertTrue(message in answer.content.decode(), f"no “{message}”")
        self.assertFalse(get_user_model().objects.filter(username="li.volunteer").exists())

    def test_a_strong_password_is_accepted(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.new_user("Chunhua-street-77").status_code, 302)
        self.assertTrue(get_user_model().objects.filter(username="li.volunteer").exists())


# With REDIS_URL, sessions are read from Redis first, whose expiry runs on the real clock
# (the same 8 hours, set at each save) that time_machine cannot move: the database's is tested.
@override_settings(
    SESSION_ENGINE="django.contrib.sessions.backends.db",
    SESSION_COOKIE_AGE=base_settings.SESSION_COOKIE_AGE,  # the test settings lengthen it
)
class SessionTests(SignInTestCase):
    def session_row(self):
        return Session.objects.get(session_key=self.client.session.session_key)

    def test_the_admin_session_ends_with_the_browser(self):
        answer = self.sign_in(PASSWORD)
        cookie = answer.cookies["sessionid"]
        self.assertEqual(cookie["max-age"], "")  # no lifetime: a browser-session cookie
        self.assertEqual(cookie["expires"], "")
        self.assertTrue(cookie["httponly"])

    def test_a_working_day_away_signs_the_editor_out(self):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.sign_in(PASSWORD)
            self.assertEqual(self.client.get("/admin/").status_code, 200)
        with time_machine.travel(start + timedelta(hours=7, minutes=50), tick=False):
            # Still signed in, and this admin request starts the 8 hours again.
            self.assertEqual(self.client.get("/admin/").status_code, 200)
            self.assertGreater(self.session_row().expire_date, start + timedelta(hours=15))
        with time_machine.travel(start + timedelta(hours=15), tick=False):
            self.assertEqual(self.client.get("/admin/").status_code, 200)
        with time_machine.travel(start + timedelta(hours=23, minutes=30), tick=False):
            away = self.client.get("/admin/")
            self.assertEqual(away.status_code, 302)
            self.assertTrue(away["Location"].startswith(LOGIN))

    def test_public_pages_do_not_keep_the_session_alive(self):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.sign_in(PASSWORD)
            expiry = self.session_row().expire_date
        with time_machine.travel(start + timedelta(hours=2), tick=False):
            self.client.get("/sousuo/")
            self.assertEqual(self.session_row().expire_date, expiry)
