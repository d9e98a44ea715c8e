"""What a resident sees in a real browser: Chinese pages, readable on a phone, 关怀版."""

import pytest

pytestmark = pytest.mark.browser


def font_size(page, selector="body") -> float:
    return page.eval_on_selector(selector, "el => parseFloat(getComputedStyle(el).fontSize)")


def has_no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_home_center_and_notice_render_in_chinese_on_a_phone(demo_site, phone_page):
    from catalog.demo import load_catalog_demo

    load_catalog_demo(password="browser-catalog-password")  # the centers' places
    phone_page.goto(demo_site + "/")
    assert phone_page.locator("html").get_attribute("lang") == "zh-CN"
    assert phone_page.locator("h1").inner_text() == "海河东区社区党群服务中心"
    assert has_no_horizontal_scroll(phone_page)

    phone_page.get_by_role("link", name="锦绣园社区党群服务中心").click()
    phone_page.wait_for_url("**/chunhua/jinxiuyuan/")
    assert phone_page.locator("h1").inner_text() == "锦绣园社区党群服务中心"
    assert "锦绣道155号" in phone_page.locator("#contact-heading + dl").inner_text()
    assert phone_page.locator(".breadcrumbs li").all_inner_texts() == [
        "首页",
        "春华街道",
        "锦绣园社区党群服务中心",
    ]
    assert phone_page.locator(".center__image").evaluate("img => img.naturalWidth") > 0
    assert has_no_horizontal_scroll(phone_page)

    phone_page.get_by_role("link", name="十二月社区律师值班表").click()
    phone_page.wait_for_url("**/tongzhi/2026-lawyer-duty/")
    assert "社区法律顾问在二楼法律服务室值班" in phone_page.locator("main").inner_text()
    assert has_no_horizontal_scroll(phone_page)


def test_skip_link_moves_focus_to_the_main_content(demo_site, phone_page):
    phone_page.goto(demo_site + "/chunhua/")
    phone_page.keyboard.press("Tab")
    skip = phone_page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    phone_page.keyboard.press("Enter")
    assert phone_page.evaluate("location.hash") == "#main"


def test_elderly_mode_enlarges_text_and_survives_navigation(demo_site, phone_page):
    phone_page.goto(demo_site + "/")
    normal_size = font_size(phone_page)
    toggle = phone_page.locator("[data-elderly-toggle]")
    assert toggle.inner_text() == "关怀版"
    normal_target = toggle.bounding_box()["height"]

    toggle.click()
    assert font_size(phone_page) >= 20
    assert font_size(phone_page) > normal_size
    assert toggle.inner_text() == "标准版"
    assert toggle.bounding_box()["height"] > normal_target
    assert toggle.bounding_box()["height"] >= 56

    phone_page.get_by_role("link", name="向阳街道", exact=True).click()
    phone_page.wait_for_url("**/xiangyang/")
    assert "elderly-mode" in phone_page.locator("html").get_attribute("class")
    assert font_size(phone_page) >= 20
    assert has_no_horizontal_scroll(phone_page)

    phone_page.locator("[data-elderly-toggle]").click()
    assert font_size(phone_page) == normal_size
    phone_page.reload()
    assert font_size(phone_page) == normal_size


def test_elderly_mode_works_without_javascript(demo_site, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(demo_site + "/chunhua/zhongxin/")
    page.locator("[data-elderly-toggle]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/chunhua/zhongxin/")
    assert font_size(page) >= 20
    context.close()
