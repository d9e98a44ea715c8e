"""The lobby screen in a real browser: it fills a 1920×1080 landscape and a 1080×1920
portrait screen without scrolling and with nothing under 28 px, axe finds nothing serious;
then the server goes away (the screen reaches it through a relay the test switches off,
so the browser and its service worker both meet a refused connection): the programme
stays, with 离线 自 hh:mm, also after a reload (a power cut); the server comes back, the
note goes and an editor's change shows at the next refresh."""

import contextlib
import re
import socket
import threading
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from catalog.opening import LOCAL_TZ

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = ("serious", "critical")
LANDSCAPE = {"width": 1920, "height": 1080}
PORTRAIT = {"width": 1080, "height": 1920}
SMALLEST_TEXT_PX = 28


class Relay:
    """A TCP relay on a fixed local port to the live server: ``stop`` refuses connections
    (and cuts open ones) as a server that is down does, ``start`` brings it back."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener = None
        self.open = []

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self):
        listener, self.listener = self.listener, None
        listener.shutdown(socket.SHUT_RDWR)  # wakes the thread waiting in accept()
        listener.close()
        for connection in self.open:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        self.open = []

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            self.open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def relay(live_server):
    relay = Relay(int(live_server.url.rsplit(":", 1)[1]))
    relay.start()
    yield relay
    if relay.listener is not None:
        relay.stop()


@pytest.fixture
def kiosk_center(demo_site):
    """海棠苑 (HHD-CH-01) with a landscape and a portrait touch screen, and two sessions
    later today (in a place of their own, clear of the demo's rooms) and one cancelled."""
    from activities.models import (
        Activity,
        ActivityException,
        ActivityKind,
        Kiosk,
        ProgrammeSheetPage,
    )
    from district.models import CenterPage

    center = CenterPage.objects.get(code="HHD-CH-01")
    if not ProgrammeSheetPage.objects.child_of(center).exists():
        center.add_child(instance=ProgrammeSheetPage(title="活动节目单", slug="jiemudan"))
    Kiosk.objects.create(center=center, name="测试横屏", slug="ceshi-heng")
    Kiosk.objects.create(
        center=center, name="测试竖屏", slug="ceshi-shu", orientation="portrait", touch=True
    )
    now = timezone.localtime(timezone.now(), LOCAL_TZ)
    # Sessions that start soon and end before midnight (the screen drops ended ones).
    start = min(now + timedelta(minutes=20), now.replace(hour=23, minute=0, second=0))
    if start - now < timedelta(minutes=5):
        # The screen lists only sessions still to come today, and the server and the
        # browser each keep the real clock.
        pytest.skip(
            "run before 22:55 in the district: the screen's sessions must start later today"
        )
    kind = ActivityKind.objects.get_or_create(name="文体康养")[0]
    made = {}
    for title, offset, cancelled in (("屏幕测试合唱", 0, False), ("屏幕测试讲座", 30, True)):
        begins = (start + timedelta(minutes=offset)).replace(second=0, microsecond=0)
        activity = Activity(
            center=center,
            title=title,
            kind=kind,
            place_note="屏幕测试室",
            dtstart=begins.date(),
            start_time=begins.time(),
            end_time=min(begins + timedelta(minutes=29), begins.replace(hour=23, minute=59)).time(),
        )
        if cancelled:
            activity.exceptions = [
                ActivityException(
                    occurrence_date=begins.date(), action="cancel", reason="老师临时有事"
                )
            ]
        activity.full_clean()
        activity.save()
        made[title] = activity
    return center, made


def screen_url(base: str, slug: str) -> str:
    return f"{base}/kiosk/HHD-CH-01/{slug}/?refresh=2"


def assert_fills_the_screen(page, where: str):
    fits = page.evaluate(
        """() => {
            const root = document.documentElement;
            const bottom = Math.max(...[...document.querySelectorAll('[data-screen] > *')]
                .map(e => e.getBoundingClientRect().bottom));
            return {
                scrolls: root.scrollHeight > innerHeight || root.scrollWidth > innerWidth,
                overflows: bottom > innerHeight,
                used: bottom / innerHeight,
            };
        }"""
    )
    assert not fits["scrolls"] and not fits["overflows"], f"{where}: {fits}"
    assert fits["used"] > 0.9, f"{where}: the screen is not filled ({fits})"
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('[data-screen] *')]
            .filter(e => e.offsetParent && [...e.childNodes].some(
                n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )
    assert smallest >= SMALLEST_TEXT_PX, f"{where}: text of {smallest}px"


def assert_axe_passes(page, where: str):
    results = Axe().run(page).response
    blocking = [
        f"{violation['id']}: {violation['help']} "
        f"on {[' '.join(node['target']) for node in violation['nodes'][:3]]}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, f"{where}: {blocking}"


def test_screen_in_both_orientations_offline_and_back(browser, kiosk_center, relay, live_server):
    from django.contrib.auth import get_user_model

    from activities.models import Activity

    live_server_url = live_server.url
    _center, made = kiosk_center
    base = f"http://127.0.0.1:{relay.port}"

    portrait = browser.new_context(viewport=PORTRAIT, locale="zh-CN")
    page = portrait.new_page()
    page.goto(screen_url(base, "ceshi-shu"))
    page.get_by_text("屏幕测试合唱").first.wait_for()
    assert page.locator("html.kiosk--portrait").count() == 1
    assert_fills_the_screen(page, "portrait")
    assert_axe_passes(page, "portrait")
    # Touch: a session opens its details with the QR code, 返回 goes back.
    page.locator("[data-upcoming] button", has_text="屏幕测试合唱").click()
    detail = page.locator("[data-detail]")
    assert detail.is_visible()
    assert detail.get_by_role("heading", name="屏幕测试合唱").is_visible()
    assert_axe_passes(page, "portrait, a session's details")
    detail.get_by_role("button", name="返回").click()
    assert not detail.is_visible()
    portrait.close()

    context = browser.new_context(viewport=LANDSCAPE, locale="zh-CN")
    page = context.new_page()
    url = screen_url(base, "ceshi-heng")
    page.goto(url)
    programme = page.locator("[data-slide-items]")
    programme.get_by_text("屏幕测试合唱").wait_for()
    cancelled = programme.locator(".is-cancelled", has_text="屏幕测试讲座")
    assert cancelled.locator("s").count() == 1
    assert "已取消：老师临时有事" in cancelled.inner_text()
    assert page.locator("[data-upcoming]").get_by_text("屏幕测试合唱").is_visible()
    # The slide's own QR code opens the programme sheet that holds all of it.
    slide_code = page.locator("[data-slide-qr] [role=img]")
    assert slide_code.get_attribute("aria-label") == "扫码查看：今日活动"
    assert slide_code.locator("svg").count() == 1
    assert_fills_the_screen(page, "landscape")
    assert_axe_passes(page, "landscape")
    # The service worker has taken the page and kept its copy of the page and the data.
    page.wait_for_function(
        """async () => navigator.serviceWorker.controller !== null
            && !!(await caches.match(location.href))
            && (await caches.keys()).length > 0""",
        timeout=15_000,
    )
    offline_note = page.locator("[data-offline]")
    assert not offline_note.is_visible()

    relay.stop()
    offline_note.wait_for(state="visible", timeout=10_000)
    assert offline_note.inner_text().startswith("离线 自 ")
    assert programme.get_by_text("屏幕测试合唱").is_visible()

    # A power cut: the screen starts again while the server is still down.
    page.reload()
    programme.get_by_text("屏幕测试合唱").wait_for()
    offline_note.wait_for(state="visible", timeout=10_000)
    assert page.locator("[data-upcoming]").get_by_text("屏幕测试合唱").is_visible()

    relay.start()
    # An editor renames the activity in the admin; the screen shows it at its next refresh.
    get_user_model().objects.create_superuser("kiosk-editor", password="kiosk-editor-pw-1")
    admin = context.new_page()
    pk = made["屏幕测试合唱"].pk
    admin.goto(f"{live_server_url}/admin/activities/activity/edit/{pk}/")
    admin.get_by_label("用户名").fill("kiosk-editor")
    admin.get_by_label("密码").fill("kiosk-editor-pw-1")
    admin.get_by_role("button", name="登录").click()
    admin.get_by_label("活动名称").fill("屏幕测试合唱（改）")
    admin.get_by_role("button", name="保存").first.click()
    admin.wait_for_url("**/admin/activities/activity/")  # back on the list: saved
    assert Activity.objects.get(pk=pk).title == "屏幕测试合唱（改）"
    programme.get_by_text("屏幕测试合唱（改）").wait_for(timeout=15_000)
    offline_note.wait_for(state="hidden", timeout=10_000)
    context.close()


def test_offline_screen_follows_the_clock_and_goes_dark(browser, kiosk_center, relay):
    """Cut off from the server, the screen still moves on by its own clock: an ended
    session leaves the programme and the next one counts down; in the dark hours it
    shows only a dim clock."""
    from activities.models import Activity, ActivityKind, Kiosk

    center, made = kiosk_center
    first = Activity.objects.get(pk=made["屏幕测试合唱"].pk)
    first_start = timezone.localtime(first.occurrences.get().starts_at, LOCAL_TZ)
    if first_start.hour >= 21:
        pytest.skip("run before 21:00 in the district: the sessions it needs end before midnight")
    later = (first_start + timedelta(minutes=60)).replace(second=0, microsecond=0)
    Activity(
        center=center,
        title="屏幕测试书法",
        kind=ActivityKind.objects.get(name="文体康养"),
        place_note="屏幕测试室",
        dtstart=later.date(),
        start_time=later.time(),
        end_time=(later + timedelta(minutes=30)).time(),
    ).save()
    dark_from = later + timedelta(minutes=60)
    Kiosk.objects.filter(slug="ceshi-heng").update(
        dark_from=dark_from.time(), dark_until=(dark_from + timedelta(minutes=30)).time()
    )

    context = browser.new_context(viewport=LANDSCAPE, locale="zh-CN")
    page = context.new_page()
    started = timezone.now()
    page.clock.install()
    page.goto(screen_url(f"http://127.0.0.1:{relay.port}", "ceshi-heng"))
    programme = page.locator("[data-slide-items]")
    upcoming = page.locator("[data-upcoming]")
    programme.get_by_text("屏幕测试合唱").wait_for()
    relay.stop()

    def move_clock_to(moment):
        page.clock.fast_forward(int((moment - started).total_seconds() * 1000))

    # Five minutes before the later session: the first one has ended and is gone.
    move_clock_to(later - timedelta(minutes=5))
    page.locator("[data-offline]").wait_for(state="visible")
    page.wait_for_function(
        "!document.querySelector('[data-slide-items]').textContent.includes('屏幕测试合唱')"
    )
    assert "屏幕测试书法" in upcoming.inner_text()
    assert re.search(r"还有[45]分钟", upcoming.inner_text()), upcoming.inner_text()
    assert not page.locator("[data-dark]").is_visible()

    # Into the dark hours: a dim clock only.
    started = later - timedelta(minutes=5)
    move_clock_to(dark_from + timedelta(minutes=5))
    page.locator("[data-dark]").wait_for(state="visible")
    assert page.locator("html.is-dark").count() == 1
    assert not page.locator("[data-screen]").is_visible()
    shown = page.locator("[data-dark-clock]").inner_text()
    expected = [f"{dark_from + timedelta(minutes=m):%H:%M}" for m in (5, 6)]
    assert shown in expected, shown
    context.close()


def test_setup_link_gives_the_screen_its_token_and_touch_returns_to_the_rotation(
    browser, kiosk_center, relay
):
    """The setup link's token is kept by the screen and leaves the address bar; the
    screen's heartbeat, signed with it, reaches the server. A tapped session's details
    go away after 60 s without a touch."""
    from activities.models import Kiosk

    kiosk = Kiosk.objects.get(slug="ceshi-shu")
    context = browser.new_context(viewport=PORTRAIT, locale="zh-CN")
    page = context.new_page()
    page.clock.install()
    base = f"http://127.0.0.1:{relay.port}"
    page.goto(f"{base}/kiosk/HHD-CH-01/ceshi-shu/?token={kiosk.token}&refresh=2")
    page.get_by_text("屏幕测试合唱").first.wait_for()
    assert page.url == f"{base}/kiosk/HHD-CH-01/ceshi-shu/?refresh=2"
    for _ in range(50):
        kiosk.refresh_from_db()
        if kiosk.last_seen_at:
            break
        page.wait_for_timeout(100)
    assert kiosk.last_seen_at is not None
    assert kiosk.reported_version
    assert kiosk.reported_screen

    page.locator("[data-upcoming] button", has_text="屏幕测试合唱").click()
    detail = page.locator("[data-detail]")
    assert detail.is_visible()
    page.clock.fast_forward(30_000)
    assert detail.is_visible()
    page.clock.fast_forward(31_000)
    detail.wait_for(state="hidden")
    context.close()
