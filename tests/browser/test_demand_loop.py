"""The demand list's loop in a real browser: a resident searches for something the site
does not know (水喉, Cantonese for a tap) and finds nothing; an editor opens the demand
list, attaches the word to the right service as a keyword, previews, saves; the
resident's next search finds the service. axe-core finds nothing serious on the
resident's page nor on the editor's."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from catalog.demo import load_catalog_demo
from search.demo import load_search_demo

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-password"  # the demo district's superuser "admin" (conftest)
BLOCKING_IMPACTS = ("serious", "critical")
QUERY = "水喉"
SERVICE = "房屋水电维修"


@pytest.fixture
def search_site(demo_site):
    load_catalog_demo(password="browser-catalog-password")
    load_search_demo()
    return demo_site


@pytest.fixture
def desk_page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def search_as_a_resident(page, base_url):
    page.goto(base_url + "/sousuo/")
    page.get_by_label("您想办什么事？").fill(QUERY)
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_url("**/sousuo/?q=**")


def blocking_violations(page) -> list[str]:
    results = Axe().run(page).response
    return [
        f"[{violation['impact']}] {violation['id']}: {violation['help']}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def test_an_editor_closes_a_no_result_query_and_the_next_search_finds_the_service(
    search_site, phone_page, desk_page
):
    base = search_site

    # A resident finds nothing.
    search_as_a_resident(phone_page, base)
    assert phone_page.locator(".search-hit").count() == 0
    assert "没有找到相关服务" in phone_page.inner_text("main")
    assert blocking_violations(phone_page) == []

    # An editor logs in and opens the demand list: the query is there.
    editor = desk_page
    editor.goto(base + "/admin/login/")
    editor.fill("#id_username", "admin")
    editor.fill("#id_password", PASSWORD)
    editor.locator("form button[type=submit]").click()
    editor.wait_for_url(base + "/admin/")
    editor.goto(base + "/admin/search/demand/")
    line = editor.locator(f'tr[data-demand-line][data-query="{QUERY}"]')
    assert line.count() == 1
    line.get_by_role("link", name=f"为“{QUERY}”加关键词或同义词").click()
    editor.wait_for_url("**/admin/search/demand/act/**")

    # The words come pre-filled; nothing finds 水喉 yet, so the service is looked up by name.
    assert editor.get_by_label("居民的说法").input_value() == QUERY
    editor.get_by_label("按名称查找服务").fill("水电维修")
    editor.get_by_role("button", name="查找", exact=True).click()
    editor.wait_for_load_state()
    editor.get_by_label(SERVICE).check()

    # The preview: nothing now, the service first afterwards; nothing saved yet.
    editor.get_by_role("button", name="预览").click()
    editor.wait_for_selector("[data-preview]")
    district = editor.locator('[data-preview-list="-"]')
    assert "没有结果" in district.locator("[data-preview-before]").inner_text()
    assert SERVICE in district.locator("[data-preview-after] li[data-chosen]").inner_text()
    assert editor.get_by_label(SERVICE).is_checked()  # the form kept what was chosen
    # The other browser tests check public pages only; this admin page passes too.
    assert blocking_violations(editor) == []

    search_as_a_resident(phone_page, base)
    assert phone_page.locator(".search-hit").count() == 0

    # Saved: back on the demand list, the line handled.
    editor.get_by_role("button", name="保存并标记已处理").click()
    editor.wait_for_url("**/admin/search/demand/")
    assert f"已将“{QUERY}”加为“{SERVICE}”的关键词" in editor.inner_text("body")
    assert editor.locator(f'tr[data-demand-line][data-query="{QUERY}"]').count() == 0

    # The resident's next search finds the service.
    search_as_a_resident(phone_page, base)
    assert SERVICE in phone_page.locator(".search-hit").first.inner_text()
