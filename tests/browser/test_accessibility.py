"""axe-core over every public page type of the demo district (jiamenkou.public_pages), in
the normal and the 关怀版 mode on a phone, and on a desktop screen: no serious or critical
violation anywhere, and no page wider than the screen."""

from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe

from activities.demo import load_activities_demo
from catalog.demo import load_catalog_demo
from disclosures.demo import load_disclosures_demo
from district.context_processors import ELDERLY_MODE_COOKIE
from honors.demo import load_honors_demo
from jiamenkou.public_pages import PublicPageType, public_pages
from search.demo import load_search_demo

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = ("serious", "critical")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def public_site(demo_site):
    load_catalog_demo(password="browser-catalog-password")
    load_activities_demo()
    load_disclosures_demo()
    load_honors_demo()
    load_search_demo()
    return demo_site


def open_in_mode(browser, base_url, elderly: bool, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    if elderly:
        context.add_cookies([{"name": ELDERLY_MODE_COOKIE, "value": "1", "url": base_url}])
    return context


def describe(violation: dict) -> str:
    targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    more = len(violation["nodes"]) - 5
    if more > 0:
        targets += f"; … and {more} more"
    return (
        f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})\n"
        f"    on: {targets}"
    )


def report(problems: list[tuple[str, str]]) -> str:
    """Each problem once, with the pages (mode, width, page type, path) it was found on."""
    pages_by_problem: dict[str, list[str]] = {}
    for problem, where in problems:
        pages_by_problem.setdefault(problem, []).append(where)
    return "\n".join(
        f"{problem}\n    in: " + "\n        ".join(wheres)
        for problem, wheres in pages_by_problem.items()
    )


#: A search whose few results are followed by related services (a section of its own).
RELATED_SERVICES = (
    PublicPageType(
        "search-related", "搜索结果与相关服务", lambda: None, url_name="search:district"
    ),
    "/sousuo/?" + urlencode({"q": "卫生间想装个扶手"}),
)

#: (mode, screen) passes; the demo is loaded once for all of them. Both modes on a phone,
#: where 关怀版 is tightest; the desktop layout (its own media queries) in one mode, since
#: each axe pass over every page costs about half a minute here.
PASSES = [("normal", PHONE), ("关怀版", PHONE), ("normal", DESKTOP)]


def sweep(browser, base_url, pages, mode, viewport) -> list[tuple[str, str]]:
    """(problem, where) for every blocking axe violation and sideways-scrolling page."""
    axe = Axe()
    elderly = mode == "关怀版"
    context = open_in_mode(browser, base_url, elderly, viewport)
    page = context.new_page()
    problems = []
    try:
        for page_type, path in pages:
            page.goto(base_url + path)
            in_elderly_mode = "elderly-mode" in (page.locator("html").get_attribute("class") or "")
            assert in_elderly_mode == elderly, f"{page_type.label} {path} is not in {mode} mode"
            # What a phone folds away (the search filters) is checked unfolded too.
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            where = f"{mode} {viewport['width']} px · {page_type.label} {path}"
            if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
                problems.append(
                    ("The page scrolls sideways: something is wider than the screen", where)
                )
            results = axe.run(page).response
            problems += [
                (describe(violation), where)
                for violation in results["violations"]
                if violation["impact"] in BLOCKING_IMPACTS
            ]
    finally:
        context.close()
    return problems


def test_every_public_page_type_passes_axe_in_both_modes(public_site, browser):
    pages = public_pages()  # one of each type, or LookupError naming what is missing
    pages.append(RELATED_SERVICES)
    problems = []
    for mode, viewport in PASSES:
        problems += sweep(browser, public_site, pages, mode, viewport)
    assert not problems, "Accessibility problems (axe: serious or critical):\n" + report(problems)
