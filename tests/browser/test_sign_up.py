"""Signing up (报名) in a real Chromium on a 360 px phone: three residents for a session
with two places; the first cancels through her own link and the third moves up."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone

from activities.models import SignUp, SignUpStatus
from tests.activities.builders import build_activity
from tests.district.builders import build_center, build_home, build_street

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def sign_up_url(live_server):
    center = build_center(build_street(build_home()))
    activity = build_activity(
        center,
        "智能手机课堂",
        signup_required=True,
        capacity=2,
        dtstart=timezone.localdate() + timedelta(days=3),
        description="教您用手机挂号、视频通话。",
    )
    return live_server.url + reverse("activities:sign_up", args=[activity.occurrences.get().pk])


def resident(browser):
    """A resident's own phone: a context of its own, so no cookies are shared."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2)
    return context, context.new_page()


def axe_problems(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


def sign_up(page, url, name, phone):
    page.goto(url)
    page.get_by_label("姓名").fill(name)
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="报名").click()
    page.wait_for_url("**/baoming/wode/**")


def status_of(page) -> str:
    return page.locator("[data-status]").inner_text()


def test_three_residents_sign_up_and_the_waitlist_moves_up(browser, sign_up_url):
    first_context, first = resident(browser)
    second_context, second = resident(browser)
    third_context, third = resident(browser)
    try:
        first.goto(sign_up_url)
        assert first.locator("[data-places]").inner_text() == "余2个名额"
        assert axe_problems(first) == []
        assert first.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        for field in ("姓名", "手机号"):
            assert first.get_by_label(field).bounding_box()["height"] >= 44
        assert first.get_by_label("手机号").get_attribute("inputmode") == "tel"

        # A mistyped number: the error is next to the field, and what was typed stays.
        first.get_by_label("姓名").fill("赵阿姨")
        first.get_by_label("手机号").fill("1381234")
        first.get_by_role("button", name="确认报名").click()
        assert "请填写11位手机号码" in first.locator("#id_phone_error").inner_text()
        assert first.get_by_label("手机号").input_value() == "1381234"
        assert first.get_by_label("姓名").input_value() == "赵阿姨"
        assert axe_problems(first) == []

        first.get_by_label("手机号").fill("138 0000 0001")
        first.get_by_role("button", name="确认报名").click()
        first.wait_for_url("**/baoming/wode/**")
        assert status_of(first) == "报名成功"
        assert first.locator("[data-phone]").inner_text() == "138****0001"
        assert "13800000001" not in first.content()
        assert axe_problems(first) == []

        sign_up(second, sign_up_url, "钱大爷", "13800000002")
        assert status_of(second) == "报名成功"

        third.goto(sign_up_url)
        assert third.locator("[data-places]").inner_text() == "已满，报名将进入候补"
        sign_up(third, sign_up_url, "孙奶奶", "13800000003")
        assert status_of(third) == "候补第1位"

        first.locator("[data-cancel-link]").click()
        first.wait_for_url("**/baoming/quxiao/**")
        assert "确定要取消这次报名吗" in first.locator("main").inner_text()
        assert axe_problems(first) == []
        first.get_by_role("button", name="确定取消报名").click()
        first.wait_for_url("**/baoming/wode/**")
        assert status_of(first) == "已取消报名"

        third.reload()
        assert status_of(third) == "报名成功"
        promoted = SignUp.objects.get(phone="13800000003")
        assert promoted.status == SignUpStatus.CONFIRMED
        assert promoted.promoted_at is not None
        assert SignUp.objects.get(phone="13800000001").status == SignUpStatus.CANCELLED
    finally:
        for context in (first_context, second_context, third_context):
            context.close()
