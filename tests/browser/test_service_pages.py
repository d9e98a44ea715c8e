"""A resident on a phone finds a service in the center's list, reads its guide and reports
a mistake; the list prints as a clean sheet."""

import pytest

from catalog.demo import load_catalog_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def catalog_site(demo_site):
    load_catalog_demo(password="browser-catalog-password")
    return demo_site


def test_filter_read_the_guide_and_report_a_mistake(catalog_site, phone_page):
    phone_page.goto(catalog_site + "/chunhua/haitangyuan/")
    phone_page.get_by_role("link", name="服务清单").click()
    phone_page.wait_for_url("**/chunhua/haitangyuan/fuwu/")
    everything = phone_page.locator(".service-item").count()

    phone_page.get_by_label("服务领域").select_option(label="养老")
    phone_page.get_by_role("button", name="筛选").click()
    phone_page.wait_for_url("**topic=elderly_care**")
    elderly = phone_page.locator(".service-item").count()
    assert 0 < elderly < everything
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    phone_page.get_by_role("link", name="老年人优待证办理").click()
    phone_page.wait_for_selector("h1:has-text('老年人优待证办理')")
    guide = phone_page.locator(".guide").inner_text()
    assert "本人居民身份证原件" in guide
    assert "海棠苑社区党群服务中心" in guide

    phone_page.get_by_label("电话打不通或有误").check()
    phone_page.get_by_label("具体情况（选填）").fill("咨询电话一直没人接")
    phone_page.get_by_role("button", name="提交纠错").first.click()
    phone_page.wait_for_selector("text=谢谢您的反馈")

    from catalog.models import CorrectionReport

    report = CorrectionReport.objects.get()
    assert report.details == "咨询电话一直没人接"
    assert report.center.code == "HHD-CH-01"


def test_the_printed_list_has_no_filters_or_navigation(catalog_site, browser):
    context = browser.new_context(viewport={"width": 794, "height": 1123})
    page = context.new_page()
    page.goto(catalog_site + "/chunhua/haitangyuan/fuwu/")
    assert page.locator(".filters").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".filters").is_visible()
    assert not page.locator(".site-header").is_visible()
    assert page.locator(".print-meta").is_visible()
    assert "海棠苑社区党群服务中心" in page.locator(".print-meta").inner_text()
    assert page.locator(".service-item").first.is_visible()
    context.close()
