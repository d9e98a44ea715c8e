"""The lobby screen's notice and honor-board slides in a real browser: the urgent notice
comes first on the notices slide and in a red strip over the screen; the honor board shows
a consenting resident's photo and full name, and another resident's masked name with no
photo; both fill a landscape and a portrait screen legibly, axe finds nothing serious, and
the service worker keeps the photo for offline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.test_kiosk import (
    LANDSCAPE,
    PORTRAIT,
    assert_axe_passes,
    assert_fills_the_screen,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def slides_center(demo_site):
    """海棠苑 (HHD-CH-01) with an urgent and an ordinary notice of today, an honor board with
    a consenting and a non-consenting resident (both with photos), and two screens: one
    landscape rotating only the notices, one portrait only the honor board."""
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    from activities.models import Kiosk, KioskSlide
    from district.models import CenterPage, NoticeCategory, NoticeIndexPage
    from honors.models import HonorBoardPage, HonorEntry
    from tests.district.builders import build_notice, build_notice_index
    from tests.honors.builders import build_honor_board, entry_fields

    center = CenterPage.objects.get(code="HHD-CH-01")
    today = timezone.localdate()
    index = NoticeIndexPage.objects.child_of(center).first() or build_notice_index(center)
    for number, (title, slug) in enumerate(
        (("屏幕测试：明天上午停水", "tingshui-tingdian"), ("屏幕测试：书法班招募", "zhaomu")),
        start=90,
    ):
        notice = build_notice(
            index,
            number,
            title=title,
            slug=f"screen-test-{number}",
            date=today,
            category=NoticeCategory.objects.get(slug=slug),
            summary="屏幕测试摘要",
        )
        notice.save_revision().publish()

    def photo(title):
        image = get_test_image_file(size=(800, 1000))
        return get_image_model().objects.create(title=title, file=image)

    entries = [
        {"name": "陈美玲", "consent_given": True, "photo": photo("陈美玲")},
        {"name": "周建国", "photo": photo("周建国")},
    ]
    for entry in entries:
        entry.update(period_start=today - timedelta(days=30), period_end=today + timedelta(days=30))
    board = HonorBoardPage.objects.child_of(center).first()
    if board is None:
        build_honor_board(center, entries=entries)
    else:
        for order, entry in enumerate(entries):
            HonorEntry.objects.create(board=board, sort_order=-10 + order, **entry_fields(**entry))
    for slug, orientation, kind in (
        ("ceshi-tongzhi", "landscape", "notices"),
        ("ceshi-guangrong", "portrait", "honors"),
    ):
        kiosk = Kiosk.objects.create(
            center=center, name=f"测试{kind}", slug=slug, orientation=orientation
        )
        KioskSlide.objects.create(kiosk=kiosk, kind=kind, seconds=60)
    return center


def test_notices_urgent_first_and_the_urgent_strip(browser, slides_center, live_server):
    context = browser.new_context(viewport=LANDSCAPE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/HHD-CH-01/ceshi-tongzhi/?refresh=2")
    slide = page.locator("[data-slide]")
    slide.get_by_text("屏幕测试：书法班招募").wait_for()
    assert page.locator("[data-slide-title]").inner_text() == "通知公告"
    lines = slide.locator(".kiosk-line--notice")
    first = lines.first
    assert "is-urgent" in first.get_attribute("class")
    assert "停水停电" in first.inner_text()
    titles = lines.locator(".kiosk-line__title").all_inner_texts()
    assert titles.index("屏幕测试：明天上午停水") < titles.index("屏幕测试：书法班招募")
    strip = page.locator("[data-urgent]")
    assert strip.is_visible()
    assert "屏幕测试：明天上午停水" in strip.inner_text()
    assert strip.bounding_box()["y"] < page.locator(".kiosk-header").bounding_box()["y"]
    assert first.locator("[role=img]").get_attribute("aria-label").startswith("扫码查看：")
    assert_fills_the_screen(page, "notices, landscape")
    assert_axe_passes(page, "notices, landscape")
    page.set_viewport_size(PORTRAIT)
    assert_fills_the_screen(page, "notices, portrait size")
    context.close()


def test_honor_board_photo_only_with_consent_and_kept_offline(browser, slides_center, live_server):
    context = browser.new_context(viewport=PORTRAIT, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/HHD-CH-01/ceshi-guangrong/?refresh=2")
    cards = page.locator("[data-slide-items] .kiosk-honor")
    consenting = cards.filter(has_text="陈美玲")
    consenting.wait_for()
    assert page.locator("[data-slide-title]").inner_text() == "光荣榜"
    assert page.get_by_text("周建国").count() == 0
    masked = cards.filter(has_text="周*国")
    assert masked.count() == 1
    assert masked.locator("img").count() == 0
    photo = consenting.locator("img")
    assert photo.count() == 1
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo.element_handle()
    )
    assert ".fill-300x400" in photo.get_attribute("src")
    assert_fills_the_screen(page, "honors, portrait")
    assert_axe_passes(page, "honors, portrait")
    # The service worker keeps the photo (and only photos with consent) for offline.
    page.wait_for_function(
        """async (src) => {
            if (!navigator.serviceWorker.controller) return false;
            const cache = await caches.open("kiosk-images");
            return !!(await cache.match(src));
        }""",
        arg=photo.get_attribute("src"),
        timeout=15_000,
    )
    kept = page.evaluate(
        """async () => (await (await caches.open("kiosk-images")).keys()).map(r => r.url)"""
    )
    with_consent = page.evaluate(
        """() => JSON.parse(document.getElementById("kiosk-data").textContent)
            .honors.filter(entry => entry.photo).map(entry => entry.photo)"""
    )
    assert sorted(kept) == sorted(with_consent), kept
    page.set_viewport_size(LANDSCAPE)
    assert_fills_the_screen(page, "honors, landscape size")
    context.close()
