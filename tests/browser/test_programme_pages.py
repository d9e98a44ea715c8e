"""A resident on a phone reads the center's 活动节目单, filters it, opens an activity and
prints the week for the door: no page wider than the screen, axe finds nothing serious."""

import re
from datetime import time, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = ("serious", "critical")


def add_programmes() -> dict:
    """Programme pages under 海棠苑 (HHD-CH-01) and 春华街道, with a week of activities
    around today at 海棠苑 and 春晖里: a cancelled and a moved session, one full, one today."""
    from activities.models import Activity, ActivityException, ActivityKind, ProgrammeSheetPage
    from activities.scheduling import RoomClash
    from district.models import CenterPage, StreetPage

    center = CenterPage.objects.get(code="HHD-CH-01")
    neighbour = CenterPage.objects.get(code="HHD-CH-02")
    street = StreetPage.objects.get(slug="chunhua")
    pages = {}
    for parent in (center, street):
        page = ProgrammeSheetPage.objects.child_of(parent).first()
        if page is None:
            page = ProgrammeSheetPage(
                title="活动节目单", slug="huodong-jiemudan", intro="欢迎居民参加，报名请到服务台。"
            )
            parent.add_child(instance=page)
        pages[parent.code if hasattr(parent, "code") else "street"] = page
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    culture = ActivityKind.objects.get_or_create(name="文体康养")[0]
    classes = ActivityKind.objects.get_or_create(name="四点半课堂")[0]
    rooms = {room.name: room for room in center.rooms.all()}

    def activity(where, title, **fields):
        exceptions = fields.pop("exceptions", [])
        found = Activity(center=where, title=title, **fields)
        found.exceptions = [ActivityException(**values) for values in exceptions]
        found.full_clean()
        try:
            found.save()
        except RoomClash:  # the full demo (load_demo) already books that room then
            found.pk, found.room, found.place_note = None, None, found.room.name
            found.save()
        return found

    activity(
        center,
        "太极拳晨练",
        kind=culture,
        room=rooms["居民议事厅"],
        description="由社区志愿者带领，适合初学者。",
        dtstart=monday,
        freq="WEEKLY",
        byday="MO,WE,FR",
        until=monday + timedelta(days=60),
        start_time=time(8, 0),
        end_time=time(9, 0),
        skip_holidays=True,
        exceptions=[
            {
                "occurrence_date": monday + timedelta(days=2),
                "action": "cancel",
                "reason": "场地维修",
            },
            {
                "occurrence_date": monday + timedelta(days=4),
                "action": "move",
                "new_date": monday + timedelta(days=5),
                "reason": "与社区议事会冲突",
            },
        ],
    )
    activity(
        center,
        "四点半课堂作业辅导",
        kind=classes,
        room=rooms["四点半课堂教室"],
        dtstart=monday,
        freq="WEEKLY",
        byday="MO,TU,WE,TH,FR",
        until=monday + timedelta(days=60),
        start_time=time(16, 30),
        end_time=time(18, 0),
        signup_required=True,
        capacity=20,
    )
    activity(
        center,
        "今日健康讲座",
        kind=culture,
        room=None,
        place_note="小区中心广场",
        dtstart=today,
        start_time=time(10, 0),
        end_time=time(11, 30),
        cost="low_cost",
        price="5",
        market_reference_price="20",
        signup_required=True,
        capacity=30,
    )
    activity(
        neighbour,
        "春晖里合唱团",
        kind=culture,
        room=neighbour.rooms.first(),
        dtstart=monday + timedelta(days=1),
        freq="WEEKLY",
        until=monday + timedelta(days=60),
        start_time=time(14, 0),
        end_time=time(16, 0),
    )
    return pages


@pytest.fixture
def programme_site(demo_site):
    pages = add_programmes()
    return demo_site, pages


def assert_axe_passes(page, where=""):
    results = Axe().run(page).response
    blocking = [
        f"{violation['id']}: {violation['help']} on "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, f"{where or page.url}:\n" + "\n".join(blocking)


def assert_fits(page, where=""):
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not wide, f"{where or page.url} is wider than the screen"


def test_read_filter_and_open_an_activity_on_a_phone(programme_site, phone_page):
    base_url, pages = programme_site
    programme = base_url + pages["HHD-CH-01"].url
    phone_page.goto(programme)
    phone_page.wait_for_selector("h1:has-text('活动节目单')")
    assert phone_page.locator(".programme-day").count() == 7
    assert phone_page.get_by_text("已取消：场地维修").count() == 1
    assert phone_page.get_by_text("已改期").count() == 1
    assert_fits(phone_page)
    assert_axe_passes(phone_page)

    phone_page.get_by_text("筛选：活动对象、类型、功能室").click()  # folded on a phone
    phone_page.get_by_label("活动类型").select_option(label="四点半课堂")
    phone_page.get_by_role("button", name="筛选").click()
    phone_page.wait_for_url("**kind=**")
    titles = set(phone_page.locator(".programme-line__title").all_inner_texts())
    assert titles == {"四点半课堂作业辅导"}

    phone_page.get_by_role("link", name="四点半课堂作业辅导").first.click()
    phone_page.wait_for_selector("h1:has-text('四点半课堂作业辅导')")
    assert "每周一至周五 16:30–18:00" in phone_page.locator(".activity__facts").inner_text()
    assert phone_page.get_by_role("link", name="报名").count() >= 1
    assert_fits(phone_page)
    assert_axe_passes(phone_page)


def test_the_street_programme_and_the_door_sheet(programme_site, browser):
    base_url, pages = programme_site
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(base_url + pages["street"].url)
    assert "春晖里合唱团" in page.locator("main").inner_text()
    assert_fits(page)
    assert_axe_passes(page)

    page.goto(base_url + pages["HHD-CH-01"].url)
    page.get_by_role("link", name="打印本周节目单").click()
    page.wait_for_selector(".door-sheet__grid")
    assert_fits(page)  # the grid scrolls inside its own box
    assert_axe_passes(page)
    context.close()

    sheet = browser.new_context(viewport={"width": 1123, "height": 794}, locale="zh-CN")
    printed = sheet.new_page()
    printed.goto(page.url)
    printed.emulate_media(media="print")
    assert not printed.locator(".site-header").is_visible()
    assert not printed.locator(".programme-nav").is_visible()
    assert printed.locator(".door-sheet__grid").is_visible()
    assert "海棠苑社区党群服务中心" in printed.locator(".door-sheet__title").inner_text()
    rows = printed.locator(".door-sheet__grid tbody th").all_inner_texts()
    assert "二楼 四点半课堂教室" in rows
    # One landscape A4 page (842 × 595 pt).
    pdf = printed.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert b"/MediaBox [0 0 841.91998 594.95996]" in pdf
    sheet.close()


def test_the_center_page_shows_todays_activities(programme_site, phone_page):
    base_url, pages = programme_site
    phone_page.goto(base_url + "/chunhua/haitangyuan/")
    today = phone_page.locator(".todays-activities")
    assert "今日健康讲座" in today.inner_text()
    assert today.get_by_role("link", name="查看本周全部活动").is_visible()
    assert_fits(phone_page)


@pytest.mark.parametrize(
    "elderly, viewport",
    [
        (False, {"width": 360, "height": 740}),
        (True, {"width": 360, "height": 740}),
        (False, {"width": 1366, "height": 900}),
    ],
    ids=["phone", "phone-elderly", "desktop"],
)
def test_every_programme_view_passes_axe(programme_site, browser, elderly, viewport):
    from activities.models import Activity
    from district.context_processors import ELDERLY_MODE_COOKIE

    base_url, pages = programme_site
    center_page = pages["HHD-CH-01"]
    paths = [
        center_page.url,
        center_page.url + "xiazhou/",
        center_page.url + "benyue/",
        center_page.url + "dayin/",
        pages["street"].url,
        Activity.objects.get(title="四点半课堂作业辅导").get_url(),
        "/chunhua/haitangyuan/",
    ]
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    if elderly:
        context.add_cookies([{"name": ELDERLY_MODE_COOKIE, "value": "1", "url": base_url}])
    page = context.new_page()
    try:
        for path in paths:
            page.goto(base_url + path)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            where = f"{path} ({'关怀版' if elderly else '标准版'} {viewport['width']} px)"
            assert_fits(page, where)
            assert_axe_passes(page, where)
    finally:
        context.close()
