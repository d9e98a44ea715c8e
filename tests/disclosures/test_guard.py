"""The privacy guard: no unmasked resident ID or mobile number gets saved or published,
whichever way the disclosure is saved, and lists can show names as 张*明."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template import Context, Template
from fpdf import FPDF
from openpyxl import Workbook
from wagtail.documents.models import Document

from disclosures.guard import mask_page_numbers
from disclosures.models import DisclosurePage
from jiamenkou.privacy import ID_CHECK_CHARS, ID_WEIGHTS, find_personal_numbers, mask_name
from tests.disclosures.builders import (
    build_board,
    build_centers,
    build_disclosure,
    disclosure_fields,
    edit_form_data,
    text_body,
)

pytestmark = pytest.mark.django_db


def resident_id(first17="11010119900307123"):
    """An ID number whose check digit is right (GB 11643)."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + ID_CHECK_CHARS[total % 11]


def wrong_check_digit(number):
    return number[:17] + ("1" if number[17] != "1" else "2")


ID = resident_id()
MASKED_ID = ID[:6] + "********" + ID[-4:]


def table_block(rows, mask_names=False, caption="2026年11月补贴发放名单"):
    return (
        "table",
        {
            "caption": caption,
            "table": {"data": rows, "first_row_is_table_header": True},
            "mask_names": mask_names,
        },
    )


def subsidy_table(id_number=ID, **options):
    return table_block(
        [["序号", "姓名", "金额"], ["1", "张晓明", "300"], ["2", "李华", id_number]], **options
    )


def document(name, data):
    doc = Document(title=name, file=ContentFile(data, name=name))
    doc.save()
    return doc


def pdf_bytes(*pages):
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.cell(text=text)
    return bytes(pdf.output())


def xlsx_bytes(cells):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    for coordinate, value in cells.items():
        sheet[coordinate] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def refusal(call) -> str:
    """The text of the ValidationError ``call`` raises."""
    with pytest.raises(ValidationError) as raised:
        call()
    return " ".join(raised.value.messages)


@pytest.fixture
def board():
    _, _, centers = build_centers()
    return build_board(centers[0])


@pytest.fixture
def draft(board):
    return build_disclosure(board, publish=False)


# -- finding numbers -----------------------------------------------------------------------


def test_finds_an_id_number_only_when_its_check_digit_is_right():
    assert [f.kind for f in find_personal_numbers(f"身份证 {ID}")] == ["id"]
    assert find_personal_numbers(f"编号 {wrong_check_digit(ID)}") == []
    # A valid check digit on an impossible birth date (month 13) is no ID number either.
    assert find_personal_numbers(resident_id("11010119901307123")) == []


def test_finds_mobiles_as_typed_but_not_masked_numbers():
    found = find_personal_numbers("电话 138 0013 8000，或 139-1234-5678")
    assert [(f.kind, f.masked) for f in found] == [
        ("mobile", "138****8000"),
        ("mobile", "139****5678"),
    ]
    assert find_personal_numbers(f"{MASKED_ID}，138****8000") == []


def test_mask_name():
    assert mask_name("张明") == "张*"
    assert mask_name("张晓明") == "张*明"
    assert mask_name("欧阳晓明") == "欧**明"
    assert mask_name("Zhang") == "Z****"


# -- refused on every path -----------------------------------------------------------------


def test_an_id_in_a_table_cell_is_refused_on_save_revision_naming_the_cell(draft):
    draft.body = [*text_body(), subsidy_table()]
    message = refusal(draft.save_revision)
    assert f"正文第2块表格 第3行第3列含有未遮盖的身份证号（{MASKED_ID}）" in message
    assert ID not in message


def test_an_id_in_a_table_cell_is_refused_when_a_revision_is_published(draft):
    draft.body = [subsidy_table()]
    revision = draft.save_revision(clean=False)  # e.g. a revision saved before the guard
    message = refusal(revision.publish)
    assert "正文第1块表格 第3行第3列" in message
    assert not DisclosurePage.objects.get(pk=draft.pk).live


def test_an_id_in_a_table_cell_is_refused_by_full_clean_and_on_creation(board):
    page = DisclosurePage(**disclosure_fields(body=[subsidy_table()], slug="with-id"))
    assert "正文第1块表格 第3行第3列" in refusal(page.full_clean)
    assert "正文第1块表格 第3行第3列" in refusal(lambda: board.add_child(instance=page))


def test_an_id_with_a_wrong_check_digit_is_accepted(board):
    page = build_disclosure(board, body=[subsidy_table(wrong_check_digit(ID))])
    assert page.live


def test_a_mobile_in_text_the_title_and_finance_rows_is_refused(draft):
    from datetime import date

    from disclosures.models import FinanceRow

    draft.title = "联系人 13800138000"
    draft.body = text_body("如有疑问请致电 <b>139 1234 5678</b>。")
    draft.finance_rows = [FinanceRow(date=date(2026, 11, 3), item="退款 13712345678", income=5)]
    with pytest.raises(ValidationError) as raised:
        draft.save_revision()
    errors = raised.value.message_dict
    assert "标题含有未遮盖的手机号（138****8000）" in " ".join(errors["title"])
    assert "正文第1块文字含有未遮盖的手机号（139****5678）" in " ".join(errors["body"])
    assert "收支明细第1行摘要含有未遮盖的手机号（137****5678）" in " ".join(errors["__all__"])


def test_an_id_in_an_attached_pdf_is_refused_naming_the_file_and_page(draft):
    pdf = document("2026年补贴名单.pdf", pdf_bytes("Subsidy list", f"Li Hua ID {ID}"))
    draft.body = [("attachment", {"document": pdf, "caption": "补贴名单"})]
    message = refusal(draft.save_revision)
    assert f"正文第1块附件“2026年补贴名单.pdf”第2页含有未遮盖的身份证号（{MASKED_ID}）" in message
    assert "重新上传" in message
    assert ID not in message


def test_a_pdf_without_numbers_is_accepted_and_its_reading_is_cached(draft):
    pdf = document("通知.pdf", pdf_bytes("Notice", "Meeting on 3 December"))
    draft.body = [("attachment", {"document": pdf, "caption": "通知"})]
    draft.save_revision()
    draft.save_revision()  # read once, then taken from the cache
    assert DisclosurePage.objects.get(pk=draft.pk).get_latest_revision().content["body"]


def test_an_unreadable_pdf_is_refused(draft):
    pdf = document("损坏.pdf", b"%PDF-1.4 this is not really a pdf")
    draft.body = [("attachment", {"document": pdf})]
    assert "无法读取正文第1块附件“损坏.pdf”的文字" in refusal(draft.save_revision)


def test_a_mobile_in_an_attached_xlsx_cell_is_refused_naming_sheet_and_cell(draft):
    sheet = document("名单.xlsx", xlsx_bytes({"A1": "姓名", "C5": 13800138000}))
    draft.body = [("attachment", {"document": sheet})]
    message = refusal(draft.save_revision)
    assert "正文第1块附件“名单.xlsx”工作表“Sheet1” C5含有未遮盖的手机号（138****8000）" in message


def test_an_id_in_the_finance_sheet_is_refused(draft):
    draft.finance_source = document("收支表.xlsx", xlsx_bytes({"B2": f"退款 {ID}"}))
    message = refusal(draft.save_revision)
    assert f"收支表原件“收支表.xlsx”工作表“Sheet1” B2含有未遮盖的身份证号（{MASKED_ID}）" in message


# -- masking -------------------------------------------------------------------------------


def test_mask_page_numbers_masks_text_tables_and_the_title(draft):
    draft.title = "联系电话 13800138000"
    draft.body = [*text_body(f"申请人身份证 {ID}"), subsidy_table()]
    mask_page_numbers(draft)
    draft.save_revision()  # the guard lets it through now

    saved = DisclosurePage.objects.get(pk=draft.pk).get_latest_revision().as_object()
    assert saved.title == "联系电话 138****8000"
    assert f"申请人身份证 {MASKED_ID}" in saved.body[0].value.source
    assert saved.body[1].value["table"]["data"][2][2] == MASKED_ID


NAME_ROWS = [["序号", "姓名", "金额"], ["1", "张晓明", "300"], ["2", "欧阳晓明", "200"]]


def test_a_table_masking_names_renders_them_as_zhang_star_ming(board):
    """What every page and print view shows: they render the body with include_block."""
    page = build_disclosure(board, body=[table_block(NAME_ROWS, mask_names=True)])
    html = Template("{% load wagtailcore_tags %}{% include_block page.body %}").render(
        Context({"page": DisclosurePage.objects.get(pk=page.pk)})
    )
    assert "张*明" in html and "欧**明" in html
    assert "张晓明" not in html and "欧阳晓明" not in html
    assert '<th scope="col">姓名</th>' in html
    assert "<caption>2026年11月补贴发放名单</caption>" in html


def test_a_table_not_masking_names_shows_them_in_full(board):
    page = build_disclosure(board, body=[table_block(NAME_ROWS)])
    html = page.body[0].render()
    assert "张晓明" in html


@pytest.mark.parametrize("view", ["", "dayin/", "haibao/"])
def test_the_published_page_and_its_prints_show_masked_names(board, client, view):
    page = build_disclosure(board, body=[table_block(NAME_ROWS, mask_names=True)])
    response = client.get(page.url + view)
    assert response.status_code == 200
    html = response.content.decode()
    assert "张*明" in html and "欧**明" in html
    assert "张晓明" not in html and "欧阳晓明" not in html
    assert '<th scope="col">姓名</th>' in html
    assert "<caption>2026年11月补贴发放名单</caption>" in html
    # The names stay stored in full for the editors.
    assert page.body[0].value["table"]["data"][1][1] == "张晓明"


def test_a_table_masking_names_without_a_name_column_is_refused(draft):
    draft.body = [table_block([["序号", "名字"], ["1", "张晓明"]], mask_names=True)]
    assert "正文第1块表格勾选了遮盖姓名，但第一行没有" in refusal(draft.save_revision)


# -- the admin form ------------------------------------------------------------------------


def test_the_admin_form_shows_the_refusal_and_saves_nothing(admin_client, draft):
    revisions = draft.revisions.count()
    data = edit_form_data(draft, texts=["本月事项如下。", "联系电话 13912345678"])
    response = admin_client.post(f"/admin/pages/{draft.pk}/edit/", data)
    assert response.status_code == 200
    html = response.content.decode()
    # The message stands against the second block (in the stream editor's JSON).
    message = "正文第2块文字含有未遮盖的手机号（139****5678），请遮盖后再保存。"
    assert "&quot;blockErrors&quot;: {&quot;1&quot;: {&quot;messages&quot;" in html
    assert json.dumps(message)[1:-1] in html
    assert draft.revisions.count() == revisions


def test_the_admin_form_masks_numbers_when_asked(admin_client, draft):
    data = edit_form_data(draft, texts=["联系电话 13912345678"])
    data["mask_numbers"] = "on"
    response = admin_client.post(f"/admin/pages/{draft.pk}/edit/", data)
    assert response.status_code == 302
    page = DisclosurePage.objects.get(pk=draft.pk).get_latest_revision_as_object()
    assert "联系电话 139****5678" in page.body[0].value.source


def test_rows_and_uploads_not_yet_on_the_page_can_be_checked_by_the_form():
    from disclosures.guard import finance_row_messages, uploaded_file_messages

    rows = [{"item": "购买药箱", "voucher": "1"}, {"item": "退款 13712345678", "voucher": ""}]
    assert finance_row_messages(rows) == [
        "收支明细第2行摘要含有未遮盖的手机号（137****5678），请遮盖后再保存。"
    ]
    content = xlsx_bytes({"D7": ID})
    (message,) = uploaded_file_messages("上传的收支表", "收支.xlsx", content)
    assert message.startswith(
        f"上传的收支表“收支.xlsx”工作表“Sheet1” D7含有未遮盖的身份证号（{MASKED_ID}）"
    )


def test_a_pdf_locked_with_a_password_is_refused(draft):
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.cell(text=f"ID {ID}")
    draft.body = [("attachment", {"document": document("加密.pdf", bytes(pdf.output()))})]
    assert "无法读取正文第1块附件“加密.pdf”的文字" in refusal(draft.save_revision)


def docx_bytes(*runs):
    """A minimal Word file whose one paragraph is ``runs`` (Word splits text into runs)."""
    import zipfile

    body = "".join(f"<w:r><w:t>{run}</w:t></w:r>" for run in runs)
    xml = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p>{body}</w:p></w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


def test_a_mobile_split_over_runs_in_an_attached_docx_is_refused(draft):
    word = document("通知.docx", docx_bytes("联系人李华，电话1391234", "5678。"))
    draft.body = [("attachment", {"document": word})]
    assert "正文第1块附件“通知.docx”含有未遮盖的手机号（139****5678）" in refusal(
        draft.save_revision
    )


def test_an_old_xls_that_cannot_be_checked_is_refused(draft):
    draft.body = [("attachment", {"document": document("名单.xls", b"\xd0\xcf\x11\xe0 old")})]
    message = refusal(draft.save_revision)
    assert "无法读取正文第1块附件“名单.xls”的文字" in message
    assert "另存为新格式" in message
