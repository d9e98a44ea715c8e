"""The committee's review in a real browser: an editor submits a disclosure to
"公开审核（居务监督委员会）" and reads the members' links on its 审核链接 page; two members
without accounts open their links on a phone and approve; the disclosure is then live and
says who approved it. axe-core finds nothing serious on the review page."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-password"
BLOCKING_IMPACTS = ("serious", "critical")


@pytest.fixture
def draft_in_a_reviewing_center(live_server):
    """The demo district (the superuser ``admin``), a committee of three (two must
    approve) at its first center, that center's board under the review workflow, and a
    draft disclosure on it."""
    from disclosures.models import CommitteeMember, SupervisionCommittee
    from disclosures.review import ensure_review_workflow
    from district.demo.loader import load_district
    from district.models import CenterPage
    from tests.disclosures.builders import build_board, build_disclosure

    load_district(password=PASSWORD)
    center = CenterPage.objects.order_by("path").first()
    committee = SupervisionCommittee.objects.create(center=center, quorum=2)
    for order, (name, mobile) in enumerate(
        [("张桂兰", "13800138000"), ("李建国", "13900139000"), ("王秀英", "")]
    ):
        CommitteeMember.objects.create(
            committee=committee, name=name, mobile=mobile, sort_order=order
        )
    board = build_board(center, slug="gongkai-shenhe")
    ensure_review_workflow()
    return build_disclosure(board, publish=False, live=False)


@pytest.fixture
def desk_page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def log_in(page, base_url):
    page.goto(base_url + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(base_url + "/admin/")


def link_of(editor, name) -> str:
    return editor.locator(f'tr[data-member="{name}"] [data-review-link]').input_value()


def blocking_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"[{v['impact']}] {v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]


def approve_on_a_phone(browser, url, screenshot=None, check_accessibility=False):
    """A member without an account opens ``url`` on a 360 px phone and approves."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=2
    )
    phone = context.new_page()
    try:
        phone.goto(url)
        assert phone.get_by_role("heading", name="居务监督委员会审核").is_visible()
        assert "2026年11月居务公开" in phone.inner_text("main")
        if screenshot:
            phone.screenshot(path=str(screenshot), full_page=True)
        if check_accessibility:
            assert blocking_violations(phone) == []
            assert not phone.evaluate("document.documentElement.scrollWidth > window.innerWidth"), (
                "the review page is wider than a phone"
            )
        phone.get_by_role("button", name="同意公开").click()
        phone.wait_for_load_state()
        outcome = phone.locator("[data-outcome]").inner_text()
        # The link is used up: opening it again says so.
        phone.goto(url)
        assert "链接已使用" in phone.locator("[data-link-problem]").inner_text()
        return outcome
    finally:
        context.close()


def test_members_without_accounts_approve_through_their_links(
    draft_in_a_reviewing_center, desk_page, browser, live_server, tmp_path
):
    draft = draft_in_a_reviewing_center
    base = live_server.url
    editor = desk_page
    log_in(editor, base)

    # The editor submits the draft from its edit page (the action menu's dropdown).
    editor.goto(f"{base}/admin/pages/{draft.pk}/edit/")
    submit = editor.locator("button[name=action-submit]")
    editor.locator("footer .w-dropdown-button button[aria-label], footer .w-dropdown-button "
                   ".w-dropdown__toggle").first.click()  # fmt: skip
    submit.click()

    # …and lands on its 审核链接 page with one link per member, mobiles masked.
    editor.wait_for_url(f"{base}/admin/disclosures/review/{draft.pk}/")
    table = editor.locator("table.listing").inner_text()
    assert "138****8000" in table and "13800138000" not in table
    first_link = link_of(editor, "张桂兰")
    second_link = link_of(editor, "李建国")
    assert first_link.startswith(base + "/gongkai/shenhe/")

    first = approve_on_a_phone(
        browser, first_link, screenshot=tmp_path / "review-360.png", check_accessibility=True
    )
    assert "目前1位委员同意，需要2位同意后才会发布" in first
    draft.refresh_from_db()
    assert not draft.live

    editor.reload()
    assert editor.locator("[data-approvals]").inner_text() == "1"
    assert "同意公开" in editor.locator('tr[data-member="张桂兰"]').inner_text()

    second = approve_on_a_phone(browser, second_link)
    assert "内容已经发布" in second
    draft.refresh_from_db()
    assert draft.live

    # The published page says who approved it.
    reader = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    try:
        public = reader.new_page()
        public.goto(base + draft.url)
        text = public.inner_text("main")
        assert "经居务监督委员会审核" in text
        assert "张桂兰、李建国" in text
    finally:
        reader.close()


def test_submitting_without_a_committee_keeps_the_draft_and_says_why(live_server, desk_page):
    """A center without a committee: 提交审核 saves the draft and explains; nothing waits."""
    from disclosures.review import ensure_review_workflow
    from district.demo.loader import load_district
    from district.models import CenterPage
    from tests.disclosures.builders import build_board, build_disclosure

    load_district(password=PASSWORD)
    center = CenterPage.objects.order_by("path").first()
    board = build_board(center, slug="gongkai-shenhe")
    ensure_review_workflow()
    draft = build_disclosure(board, publish=False, live=False)

    editor = desk_page
    log_in(editor, live_server.url)
    editor.goto(f"{live_server.url}/admin/pages/{draft.pk}/edit/")
    editor.fill("#id_title", "2026年11月居务公开（修订）")
    editor.locator("footer .w-dropdown-button button[aria-label], footer .w-dropdown-button "
                   ".w-dropdown__toggle").first.click()  # fmt: skip
    editor.locator("button[name=action-submit]").click()
    editor.wait_for_load_state()
    error = editor.locator(".messages .error").first.inner_text()
    assert "还没有设置居务监督委员会" in error and "已保存为草稿" in error
    draft.refresh_from_db()
    assert draft.get_latest_revision().as_object().title == "2026年11月居务公开（修订）"
    assert draft.current_workflow_state is None
