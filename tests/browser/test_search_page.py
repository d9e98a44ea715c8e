"""A resident on a phone searches from a center's page the way they talk, narrows the
results, opens the guide; the kiosk keyboard gets name suggestions for pinyin."""

import pytest

from catalog.demo import load_catalog_demo
from search.api import AUTOCOMPLETE_LIMIT
from search.demo import load_search_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def search_site(demo_site):
    load_catalog_demo(password="browser-catalog-password")
    load_search_demo()
    return demo_site


def test_search_from_a_center_narrow_and_open_the_guide(search_site, phone_page):
    phone_page.goto(search_site + "/chunhua/haitangyuan/")
    phone_page.get_by_role("searchbox", name="搜索本中心的服务").fill(
        "老年證"
    )  # traditional characters
    phone_page.get_by_role("button", name="搜索").click()
    phone_page.wait_for_url("**/sousuo/HHD-CH-01/?q=**")
    first = phone_page.locator(".search-hit").first
    assert "老年人优待证办理" in first.inner_text()
    assert first.locator("mark").count() > 0
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    phone_page.get_by_label("您想办什么事？").fill("助餐")
    phone_page.get_by_role("button", name="搜索", exact=True).click()
    phone_page.wait_for_url("**q=%E5%8A%A9%E9%A4%90**")
    everything = phone_page.locator(".search-hit").count()
    phone_page.get_by_text("按条件筛选").click()  # folded away on a phone
    phone_page.locator(".facet__value", has_text="低偿服务").click()
    phone_page.wait_for_url("**kind=low_cost**")
    low_cost = phone_page.locator(".search-hit").count()
    assert 0 < low_cost <= everything
    assert all(
        "低偿服务" in text
        for text in phone_page.locator(".search-hit .badge").all_inner_texts()[:1]
    )

    phone_page.locator(".search-hit a").first.click()
    phone_page.wait_for_url("**/chunhua/haitangyuan/fuwu/*/")
    assert phone_page.locator("h1").inner_text()


def test_pinyin_suggestions_for_the_kiosk_keyboard(search_site, phone_page):
    phone_page.goto(search_site + "/sousuo/")
    phone_page.get_by_label("您想办什么事？").press_sequentially("yz", delay=50)
    # On a busy machine "y" may be asked for before "yz" arrives: wait for the answer to
    # the whole of what was typed, not the first list that shows. (A function, not an
    # expression: Playwright evaluates a bare expression with eval, which the site's
    # Content-Security-Policy refuses.)
    phone_page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#search-suggestions option'))"
        ".some(option => option.value === '专家进社区义诊')"
    )
    options = phone_page.eval_on_selector_all(
        "#search-suggestions option", "nodes => nodes.map(n => n.value)"
    )
    assert "专家进社区义诊" in options
    assert len(options) <= AUTOCOMPLETE_LIMIT


def test_a_slip_of_the_finger_is_corrected(search_site, phone_page):
    phone_page.goto(search_site + "/sousuo/?q=" + "义珍")
    notice = phone_page.locator(".corrected-query")
    assert notice.inner_text() == "已显示“义诊”的结果，仍搜索“义珍”"
    phone_page.wait_for_selector(".search-hit mark:has-text('义诊')")
    # Exactly what was typed: the weak results, with the suggestion offered instead.
    notice.get_by_role("link", name="义珍").click()
    suggestion = phone_page.locator(".did-you-mean a")
    assert suggestion.inner_text() == "义诊"
    suggestion.click()
    phone_page.wait_for_selector(".search-hit mark:has-text('义诊')")
    assert phone_page.locator(".corrected-query").count() == 0


def test_a_need_few_services_say_in_all_its_words_shows_related_services(search_site, phone_page):
    phone_page.goto(search_site + "/sousuo/?q=" + "卫生间想装个扶手")
    results = phone_page.locator(".search-results > .service-list .search-hit")
    assert results.count() == 1
    related = phone_page.get_by_role("region", name="相关服务")
    assert related.get_by_role("heading", level=2, name="相关服务").is_visible()
    assert "以下服务与您搜索的部分词语相关" in related.inner_text()
    assert related.locator(".search-hit").count() == 9
    assert "居家适老化改造服务" in related.inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    related.get_by_role("link", name="居家适老化改造服务").click()
    phone_page.wait_for_url("**/fuwu/*/")
    assert phone_page.locator("h1").inner_text() == "居家适老化改造服务"
