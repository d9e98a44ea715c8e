"""An editor's Excel round trip in a real browser: export the catalog from the admin,
upload it back unchanged, then upload a spoiled copy and read the errors per row."""

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-password"


@pytest.fixture
def catalog_site(live_server):
    """The demo district (centers, the superuser ``admin``) and the demo catalog; the
    live server's transactional tests start from an empty database."""
    from catalog.demo import load_catalog_demo
    from district.demo.loader import load_district

    load_district(password=PASSWORD)
    load_catalog_demo()
    return live_server.url


@pytest.fixture
def desk_page(browser):
    """An editor's desktop screen, with downloads allowed."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    yield page
    context.close()


def log_in(page, base_url: str) -> None:
    page.goto(base_url + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(base_url + "/admin/")


def upload(page, path) -> None:
    page.set_input_files("input[type=file][name=file]", str(path))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_load_state()


def test_export_upload_unchanged_then_spoiled_shows_errors_per_row(
    catalog_site, desk_page, tmp_path
):
    from catalog.hsds import export_services
    from catalog.models import Service

    page = desk_page
    log_in(page, catalog_site)
    page.get_by_role("link", name="Excel导入导出").click()
    page.wait_for_url("**/admin/catalog/excel/")
    assert page.get_by_role("heading", name="上传").is_visible()

    before = export_services()
    with page.expect_download() as download_info:
        page.locator("[data-excel-export]").click()
    download = download_info.value
    assert download.suggested_filename.startswith("服务目录-")
    assert download.suggested_filename.endswith(".xlsx")
    exported = tmp_path / "export.xlsx"
    download.save_as(exported)
    rows = load_workbook(exported)["服务目录"].max_row - 1
    assert rows == Service.objects.count() == 200

    # Unchanged: a success message with the counts, and not one value changed.
    upload(page, exported)
    success = page.locator(".messages .success").first
    success.wait_for()
    assert "新增 0 项服务，更新 0 项，200 项无变化。" in success.inner_text()
    assert export_services() == before

    # Spoiled: an unknown kind on one row, a bad date and an unknown center on another,
    # and a valid edit elsewhere that must not be saved either.
    workbook = load_workbook(exported)
    sheet = workbook["服务目录"]
    headers = {cell.value: cell.column for cell in sheet[1]}
    sheet.cell(row=2, column=headers["服务类型"]).value = "政府服务"
    sheet.cell(row=5, column=headers["最近核实日期"]).value = "2026-02-30"
    sheet.cell(row=5, column=headers["办理地点"]).value = "HHD-XX-09 一站式服务窗口"
    sheet.cell(row=7, column=headers["服务内容"]).value = "这条正确的修改也不应保存。"
    spoiled = tmp_path / "spoiled.xlsx"
    workbook.save(spoiled)

    upload(page, spoiled)
    problems = page.locator("[data-excel-problems]")
    problems.wait_for()
    assert "发现 3 个问题，所有修改均未保存" in problems.inner_text()
    shown = problems.locator("tbody tr").all()
    assert [row.get_attribute("data-path") for row in shown] == [
        "rows[2].服务类型",
        "rows[5].办理地点",
        "rows[5].最近核实日期",
    ]
    cells = [row.locator("td").all_inner_texts() for row in shown]
    assert cells[0] == [
        "第2行",
        "服务类型",
        "“政府服务”不是有效的服务类型，应为 政务服务、公益服务、市场服务、低偿服务 之一。",
    ]
    assert cells[1][:2] == ["第5行", "办理地点"]
    assert "“HHD-XX-09”不是已知的服务中心编码" in cells[1][2]
    assert cells[2] == ["第5行", "最近核实日期", "“2026-02-30”不是有效日期，应为YYYY-MM-DD。"]
    assert export_services() == before
