"""Finance disclosures: the month's xlsx is read and checked against its own 合计 row, the
site works out the totals and the balance carried from the previous month, and the admin
form takes an upload that replaces the typed rows and keeps the original for download."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook
from wagtail.documents import get_document_model

from disclosures.finance import (
    FinanceSheetError,
    apply_sheet,
    finance_summary,
    read_finance_sheet,
    sample_finance_workbook,
)
from disclosures.models import DisclosurePage
from disclosures.models.kinds import Period
from tests.disclosures.builders import (
    build_board,
    build_centers,
    build_disclosure,
    edit_form_data,
)

pytestmark = pytest.mark.django_db

NOVEMBER = [
    (date(2026, 11, 3), "收到街道拨付活动经费", 1000, None, "记-001"),
    (date(2026, 11, 10), "购买重阳节慰问品", None, 320.5, "记-002"),
    (date(2026, 11, 18), "社区食堂助餐补贴", 200, None, "记-003"),
    (date(2026, 11, 25), "打印公开栏海报", None, 45, "记-004"),
]


def write(tmp_path, content: bytes, name="sheet.xlsx"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def handmade_sheet(tmp_path, lines, name="hand.xlsx"):
    """An xlsx with exactly ``lines`` as its rows (row 1 first)."""
    workbook = Workbook()
    for line in lines:
        workbook.active.append(line)
    path = tmp_path / name
    workbook.save(path)
    return path


def finance_fields(year=2026, month=11, **fields):
    return {
        "title": f"{year}年{month}月财务公开",
        "kind": "finance",
        "period_year": year,
        "period_number": month,
        "slug": f"caiwu-{year}-{month:02d}",
        **fields,
    }


def row(day, item, income=0, expenditure=0, voucher=""):
    return {
        "date": day,
        "item": item,
        "income": Decimal(income),
        "expenditure": Decimal(expenditure),
        "voucher": voucher,
    }


@pytest.fixture
def centers():
    return build_centers()[2]


@pytest.fixture
def board(centers):
    return build_board(centers[0])


# -- reading the sheet ----------------------------------------------------------------------
def test_a_good_sheet_gives_its_rows_and_totals(tmp_path):
    sheet = read_finance_sheet(write(tmp_path, sample_finance_workbook(NOVEMBER)))
    assert [r.item for r in sheet.rows] == [line[1] for line in NOVEMBER]
    assert sheet.rows[1].expenditure == Decimal("320.50")
    assert sheet.rows[1].income == Decimal("0.00")
    assert sheet.rows[0].row == 3  # title row 1, header row 2
    assert sheet.income_total == Decimal("1200.00")
    assert sheet.expenditure_total == Decimal("365.50")
    assert sheet.title == "2026年11月财务收支明细"


def test_columns_in_any_order_text_dates_and_amounts_with_commas(tmp_path):
    path = handmade_sheet(
        tmp_path,
        [
            ["某某社区2026年11月收支"],
            [],
            ["凭证号", "项目", "日期", "支出（元）", "收入（元）"],
            ["记-1", "收到捐款", "2026/11/3", "", "￥1,200.00"],
            ["记-2", "购买图书", "2026年11月5日", "1,150", None],
            ["记-3", "盘点库存（无收支）", "2026-11-30", None, None],
            [None, "本月合计", None, "1,150.00", "1200"],
        ],
    )
    sheet = read_finance_sheet(path, period=Period("month", 2026, 11))
    assert [(r.date, r.item, r.income, r.expenditure, r.voucher) for r in sheet.rows] == [
        (date(2026, 11, 3), "收到捐款", Decimal("1200.00"), Decimal("0.00"), "记-1"),
        (date(2026, 11, 5), "购买图书", Decimal("0.00"), Decimal("1150.00"), "记-2"),
        (date(2026, 11, 30), "盘点库存（无收支）", Decimal("0.00"), Decimal("0.00"), "记-3"),
    ]
    assert sheet.totals_row == 7


def test_stated_totals_that_disagree_are_refused_naming_the_rows(tmp_path):
    content = sample_finance_workbook(NOVEMBER, stated_totals=(1250, Decimal("365.50")))
    with pytest.raises(FinanceSheetError) as refused:
        read_finance_sheet(write(tmp_path, content))
    assert refused.value.messages == [
        "合计行（第7行）收入为 1,250.00 元，而第3–6行收入相加为 1,200.00 元，相差 50.00 元"
    ]
    assert refused.value.problems[0].path == "totals.income"


def test_a_bad_date_names_its_row(tmp_path):
    lines = [["日期", "摘要", "收入", "支出", "凭证号"]]
    lines += [["2026-11-02", "收到经费", 100, None, "1"], ["2026-13-01", "购买纸笔", None, 20, "2"]]
    lines += [["合计", None, 100, 20, None]]
    with pytest.raises(FinanceSheetError) as refused:
        read_finance_sheet(handmade_sheet(tmp_path, lines))
    assert refused.value.messages == ["第3行：日期“2026-13-01”无法识别"]
    assert refused.value.problems[0].path == "rows[3].date"


def test_every_problem_is_listed_with_its_row(tmp_path):
    lines = [["日期", "摘要", "收入", "支出", "凭证号"]]
    lines += [["2026-11-02", "收到经费", "一百", None, "1"], ["2026-10-30", "退款", -5, None, "2"]]
    lines += [["合计", None, 100, 0, None]]
    with pytest.raises(FinanceSheetError) as refused:
        read_finance_sheet(handmade_sheet(tmp_path, lines), period=Period("month", 2026, 11))
    messages = refused.value.messages
    assert "第2行：收入“一百”不是金额" in messages
    assert "第3行：日期 2026年10月30日 不在本期（2026年11月）内" in messages
    assert any(m.startswith("第3行：收入为负数（-5.00）") for m in messages)


def test_a_sheet_without_a_totals_row_is_refused(tmp_path):
    lines = [["日期", "摘要", "收入", "支出", "凭证号"], ["2026-11-02", "收到经费", 100, 0, "1"]]
    with pytest.raises(FinanceSheetError) as refused:
        read_finance_sheet(handmade_sheet(tmp_path, lines))
    assert refused.value.messages == ["表格最后没有“合计”行，无法核对"]


def test_a_missing_column_is_named(tmp_path):
    lines = [["2026年11月"], ["日期", "摘要", "收入", "支出"], ["合计", None, 0, 0]]
    with pytest.raises(FinanceSheetError) as refused:
        read_finance_sheet(handmade_sheet(tmp_path, lines))
    assert refused.value.messages == ["第2行（表头）缺少“凭证号”列"]
    assert refused.value.problems[0].path == "header.voucher"


def test_a_file_that_is_not_xlsx_is_refused_in_chinese(tmp_path):
    path = tmp_path / "not.xlsx"
    path.write_text("日期,摘要\n", encoding="utf-8")
    with pytest.raises(FinanceSheetError) as refused:
        read_finance_sheet(path)
    assert "无法作为 xlsx 表格打开" in refused.value.messages[0]


# -- totals and balances the site works out ---------------------------------------------------
def test_the_first_sheet_starts_from_the_opening_balance_and_the_next_carries_its_closing(
    tmp_path, board
):
    sheet = read_finance_sheet(write(tmp_path, sample_finance_workbook(NOVEMBER)))
    october = DisclosurePage(
        **{
            **finance_fields(2026, 10),
            "period_kind": "month",
            "posting_from": date(2026, 11, 1),
            "posting_until": date(2026, 11, 30),
            "opening_balance": Decimal("500.00"),
        }
    )
    apply_sheet(october, sheet)
    board.add_child(instance=october)
    october.save_revision().publish()

    summary = finance_summary(october)
    assert summary.carried_from == "opening"
    assert summary.carried_forward == Decimal("500.00")
    assert summary.income_total == Decimal("1200.00")
    assert summary.expenditure_total == Decimal("365.50")
    assert summary.closing_balance == Decimal("1334.50")
    assert [r.balance for r in summary.rows] == [
        Decimal("1500.00"),
        Decimal("1179.50"),
        Decimal("1379.50"),
        Decimal("1334.50"),
    ]

    november = build_disclosure(
        board,
        **finance_fields(2026, 11),
        rows=[row(date(2026, 11, 5), "收到捐款", 100)],
    )
    summary = finance_summary(november)
    assert summary.carried_from == "previous"
    assert summary.previous.pk == october.pk
    assert summary.carried_forward == Decimal("1334.50")
    assert summary.closing_balance == Decimal("1434.50")

    # A draft of December is not carried from; the live months are.
    build_disclosure(board, publish=False, **finance_fields(2026, 12))
    january = build_disclosure(board, **finance_fields(2027, 1))
    assert finance_summary(january).carried_forward == Decimal("1434.50")


def test_without_a_previous_month_or_an_opening_balance_it_starts_from_zero(board):
    page = build_disclosure(board, **finance_fields(), rows=[row(date(2026, 11, 5), "收款", 10)])
    summary = finance_summary(page)
    assert summary.opening_missing
    assert summary.carried_forward == Decimal("0.00")
    assert summary.closing_balance == Decimal("10.00")
    assert "上期结余按 0 计" in summary.notes[0]


def test_another_centers_months_are_not_carried(centers, board):
    other_board = build_board(centers[1])
    build_disclosure(
        other_board,
        **finance_fields(2026, 10, opening_balance=Decimal("9999.00")),
    )
    page = build_disclosure(board, **finance_fields(2026, 11, opening_balance=Decimal("7.00")))
    assert finance_summary(page).carried_forward == Decimal("7.00")


def months_before(board, count):
    year, month = 2025, 1
    for index in range(count):
        build_disclosure(
            board,
            **finance_fields(year, month, opening_balance=Decimal(100) if index == 0 else None),
            rows=[row(date(year, month, 2), "收款", 10), row(date(year, month, 9), "付款", 0, 3)],
        )
        year, month = year + month // 12, month % 12 + 1
    return year, month


def count_queries(page):
    page = DisclosurePage.objects.get(pk=page.pk)
    with CaptureQueriesContext(connection) as queries:
        summary = finance_summary(page)
    return len(queries), summary


def test_the_query_count_does_not_grow_with_the_months_before(board):
    year, month = months_before(board, 2)
    page = build_disclosure(board, **finance_fields(year, month))
    few, summary = count_queries(page)
    assert summary.carried_forward == Decimal("114.00")

    for later in DisclosurePage.objects.exclude(pk=page.pk).filter(kind="finance"):
        later.delete()
    page.delete()
    year, month = months_before(board, 12)
    page = build_disclosure(board, **finance_fields(year, month))
    many, summary = count_queries(page)
    assert summary.carried_forward == Decimal("184.00")
    assert many == few <= 2


def test_the_table_shows_carried_totals_closing_and_the_original(board):
    page = build_disclosure(
        board,
        **finance_fields(opening_balance=Decimal("1000")),
        rows=[
            row(date(2026, 11, 3), "收到经费", "1234.5", 0, "记-1"),
            row(date(2026, 11, 9), "购买物品", 0, "34.5", "记-2"),
        ],
    )
    html = render_to_string(
        "disclosures/includes/finance_table.html",
        {"summary": finance_summary(page), "page": page},
    )
    assert "<caption>2026年11月财务收支明细（单位：元）</caption>" in html
    assert '<th scope="col">凭证号</th>' in html
    for text in ("上期结余", "1,000.00", "1,234.50", "2,234.50", "本期合计", "期末余额"):
        assert text in html
    assert "2,200.00" in html  # 期末余额
    assert "下载收支表原件" not in html


# -- the admin form -------------------------------------------------------------------------
def upload(content, name="2026年11月收支.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name,
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@pytest.fixture
def draft(board):
    return build_disclosure(
        board,
        publish=False,
        **finance_fields(opening_balance=Decimal("100.00")),
        rows=[row(date(2026, 11, 1), "手填的一行", 5, 0, "手-1")],
    )


def test_an_uploaded_sheet_replaces_the_typed_rows_and_is_kept_for_download(admin_client, draft):
    assert admin_client.get(f"/admin/pages/{draft.pk}/edit/").status_code == 200
    data = edit_form_data(draft, finance_sheet=upload(sample_finance_workbook(NOVEMBER)))
    response = admin_client.post(f"/admin/pages/{draft.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]

    page = DisclosurePage.objects.get(pk=draft.pk).get_latest_revision_as_object()
    assert [r.item for r in page.finance_rows.all()] == [line[1] for line in NOVEMBER]
    document = page.finance_source
    assert document.title == "2026年11月财务收支表（原件）"
    assert document.collection.is_root()
    assert read_finance_sheet(document.file.path).income_total == Decimal("1200.00")
    summary = finance_summary(page)
    assert summary.closing_balance == Decimal("100.00") + Decimal("1200.00") - Decimal("365.50")

    html = render_to_string(
        "disclosures/includes/finance_table.html", {"summary": summary, "page": page}
    )
    assert "下载收支表原件（xlsx）" in html
    assert document.url in html


def test_a_sheet_whose_totals_disagree_is_refused_in_the_form_and_nothing_is_saved(
    admin_client, draft
):
    documents = get_document_model().objects.count()
    content = sample_finance_workbook(NOVEMBER, stated_totals=(1200, 400))
    data = edit_form_data(draft, title="改过的标题", finance_sheet=upload(content))
    response = admin_client.post(f"/admin/pages/{draft.pk}/edit/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "合计行（第7行）支出为 400.00 元，而第3–6行支出相加为 365.50 元，相差 34.50 元" in html
    assert 'value="改过的标题"' in html  # what was typed is kept

    page = DisclosurePage.objects.get(pk=draft.pk).get_latest_revision_as_object()
    assert page.title == draft.title
    assert [r.item for r in page.finance_rows.all()] == ["手填的一行"]
    assert page.finance_source is None
    assert get_document_model().objects.count() == documents


def test_a_bad_date_in_the_upload_is_shown_on_the_form(admin_client, draft, tmp_path):
    lines = [["日期", "摘要", "收入", "支出", "凭证号"], ["2026-13-01", "收款", 5, 0, "1"]]
    lines += [["合计", None, 5, 0, None]]
    content = handmade_sheet(tmp_path, lines).read_bytes()
    response = admin_client.post(
        f"/admin/pages/{draft.pk}/edit/", edit_form_data(draft, finance_sheet=upload(content))
    )
    assert "第2行：日期“2026-13-01”无法识别" in response.content.decode()


def test_only_a_finance_disclosure_takes_a_sheet(admin_client, board):
    page = build_disclosure(board, publish=False)  # 居务公开
    data = edit_form_data(page, finance_sheet=upload(sample_finance_workbook(NOVEMBER)))
    response = admin_client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 200
    assert "只有“财务公开”可以上传收支表" in response.content.decode()


def test_typed_rows_without_an_upload_are_saved_and_totalled(admin_client, draft):
    data = edit_form_data(draft)
    data["finance_rows-TOTAL_FORMS"] = "2"
    data.update(
        {
            "finance_rows-1-date": "2026-11-20",
            "finance_rows-1-item": "购买药箱",
            "finance_rows-1-income": "0",
            "finance_rows-1-expenditure": "60.25",
            "finance_rows-1-voucher": "手-2",
            "finance_rows-1-ORDER": "1",
            "finance_rows-1-DELETE": "",
        }
    )
    response = admin_client.post(f"/admin/pages/{draft.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = DisclosurePage.objects.get(pk=draft.pk).get_latest_revision_as_object()
    summary = finance_summary(page)
    assert [r.item for r in summary.rows] == ["手填的一行", "购买药箱"]
    assert summary.closing_balance == Decimal("44.75")


def test_a_typed_row_with_a_mobile_number_is_refused_or_masked_when_asked(admin_client, draft):
    data = edit_form_data(draft)
    data["finance_rows-0-item"] = "退还押金（联系电话 13912345678）"
    response = admin_client.post(f"/admin/pages/{draft.pk}/edit/", data)
    assert response.status_code == 200
    assert "139****5678" in response.content.decode()
    page = DisclosurePage.objects.get(pk=draft.pk).get_latest_revision_as_object()
    assert [r.item for r in page.finance_rows.all()] == ["手填的一行"]

    data["mask_numbers"] = "on"
    response = admin_client.post(f"/admin/pages/{draft.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = DisclosurePage.objects.get(pk=draft.pk).get_latest_revision_as_object()
    assert [r.item for r in page.finance_rows.all()] == ["退还押金（联系电话 139****5678）"]


def test_a_sheet_with_a_mobile_number_is_refused_and_not_kept(admin_client, draft):
    documents = get_document_model().objects.count()
    lines = [*NOVEMBER[:1], (date(2026, 11, 4), "退还押金 13912345678", None, 50, "记-9")]
    content = sample_finance_workbook(lines)
    response = admin_client.post(
        f"/admin/pages/{draft.pk}/edit/", edit_form_data(draft, finance_sheet=upload(content))
    )
    assert response.status_code == 200
    assert "139****5678" in response.content.decode()
    assert get_document_model().objects.count() == documents


def test_publishing_an_upload_puts_the_rows_and_the_original_on_the_live_page(admin_client, draft):
    data = edit_form_data(draft, finance_sheet=upload(sample_finance_workbook(NOVEMBER)))
    data["action-publish"] = "action-publish"
    response = admin_client.post(f"/admin/pages/{draft.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = DisclosurePage.objects.get(pk=draft.pk)
    assert page.live
    assert [r.voucher for r in page.finance_rows.all()] == ["记-001", "记-002", "记-003", "记-004"]
    assert page.finance_source.title == "2026年11月财务收支表（原件）"


def test_the_public_page_of_a_finance_disclosure_shows_the_table(client, board):
    build_disclosure(
        board,
        **finance_fields(2026, 10, opening_balance=Decimal("300")),
        rows=[row(date(2026, 10, 8), "收到经费", 1000, 0, "记-1")],
    )
    page = build_disclosure(
        board,
        **finance_fields(),
        rows=[row(date(2026, 11, 3), "购买慰问品", 0, "250.5", "记-2")],
    )
    with time_machine.travel(date(2026, 12, 5)):
        html = client.get(page.url).content.decode()
    assert "<caption>2026年11月财务收支明细（单位：元）</caption>" in html
    assert "上期结余（2026年10月期末余额）" in html
    assert "1,300.00" in html  # carried
    assert "1,049.50" in html  # closing
