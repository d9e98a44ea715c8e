"""Points from a spreadsheet (积分导入): one entry per row, for one center. Columns are
found by their header: 姓名, 手机号 or 志愿者编号 (either is enough), 积分, 事由, 日期.
An upload is atomic: every row is checked and written through honors.ledger; if any row
is refused, nothing is saved and every problem is listed at its row and column.

Cell reading and problem reporting are the catalog's (``catalog.excel``).
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from catalog.excel.columns import CellError, DateColumn, cell_text
from catalog.excel.problems import ExcelImportError, ExcelProblem
from catalog.excel.rows import read_sheet_rows
from honors import ledger
from honors.models import PointsSource

SHEET_TITLE = "积分导入"
NOTES_TITLE = "填写说明"
MAX_ROWS = 2000
# (header, width, how to fill it in)
COLUMNS = [
    ("姓名", 12, "必填：个人姓名或团队名称"),
    ("手机号", 16, "11位手机号；没有手机号的填志愿者编号（两者至少填一个）"),
    ("志愿者编号", 14, "如 V-0012"),
    ("积分", 8, "整数；扣分填负数"),
    ("事由", 30, "必填，如：社区志愿服务"),
    ("日期", 12, "YYYY-MM-DD，不能晚于今天"),
]
HEADERS = [header for header, *_ in COLUMNS]
REQUIRED_HEADERS = ("姓名", "积分", "事由", "日期")
HEADER_BY_FIELD = {
    "name": "姓名",
    "mobile": "手机号",
    "volunteer_number": "志愿者编号",
    "points": "积分",
    "reason": "事由",
    "date": "日期",
}
DATE_CELL = DateColumn("日期", "date", width=12, help="")
EXAMPLE = ["张晓明", "13912345678", "", 10, "社区志愿服务", "2026-11-15"]


@dataclass
class ImportSummary:
    entries: int = 0
    points: int = 0
    participants: int = 0

    def __str__(self):
        return (
            f"记入 {self.entries} 条积分记录，共 {self.points} 分"
            f"（新登记积分对象 {self.participants} 个）。"
        )


def parse_points(raw) -> int | None:
    text = cell_text(raw)
    if not text:
        return None
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = int(text.removesuffix("分").strip())
    except ValueError:
        raise CellError(f"“{text}”不是整数。") from None
    if value == 0:
        raise CellError("积分不能为0。")
    if abs(value) > 100000:
        raise CellError(f"“{text}”超出范围。")
    return value


def read_rows(upload) -> list[tuple[int, dict]]:
    """(Excel row number, {header: raw value}) for every non-empty row of the first sheet
    (or the sheet named 积分导入)."""
    return read_sheet_rows(
        upload,
        sheet_title=SHEET_TITLE,
        required=REQUIRED_HEADERS,
        either=("手机号", "志愿者编号"),
        max_rows=MAX_ROWS,
    )


def import_points(upload, *, center, user=None) -> ImportSummary:
    """Reads and records a points workbook for ``center``, all or nothing:
    ``ExcelImportError`` lists every problem and nothing is saved."""
    rows = read_rows(upload)
    if not rows:
        raise ExcelImportError([ExcelProblem(None, "", "表格中没有积分记录。")])
    problems: list[ExcelProblem] = []
    summary = ImportSummary()
    with transaction.atomic():
        known = center.participants.count()
        for number, record in rows:
            problems += save_row(number, record, center, user, summary)
        summary.participants = center.participants.count() - known
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise ExcelImportError(problems)
    return summary


def problems_of(number: int, error: ValidationError) -> list[ExcelProblem]:
    if not hasattr(error, "error_dict"):
        return [ExcelProblem(number, "", message) for message in error.messages]
    return [
        ExcelProblem(number, HEADER_BY_FIELD.get(field, ""), message)
        for field, messages in error.message_dict.items()
        for message in messages
    ]


def save_row(number: int, record: dict, center, user, summary: ImportSummary) -> list:
    problems = []
    try:
        points = parse_points(record.get("积分"))
    except CellError as error:
        problems.append(ExcelProblem(number, "积分", str(error)))
        points = None
    else:
        if points is None:
            problems.append(ExcelProblem(number, "积分", "必填。"))
    try:
        day = DATE_CELL.parse(record.get("日期"), None)
    except CellError as error:
        problems.append(ExcelProblem(number, "日期", str(error)))
        day = None
    else:
        if day is None:
            problems.append(ExcelProblem(number, "日期", "必填。"))
    reason = cell_text(record.get("事由"))
    if not reason:
        problems.append(ExcelProblem(number, "事由", "必填。"))
    try:
        participant = ledger.participant_for(
            center,
            mobile=cell_text(record.get("手机号")) or None,
            volunteer_number=cell_text(record.get("志愿者编号")) or None,
            name=cell_text(record.get("姓名")),
        )
    except ValidationError as error:
        return problems + problems_of(number, error)
    if problems:
        return problems
    try:
        ledger.record(participant, center, points, reason, day, PointsSource.IMPORT, user=user)
    except ValidationError as error:
        return problems_of(number, error)
    summary.entries += 1
    summary.points += points
    return []


# -- the template ------------------------------------------------------------------------------


def template_workbook() -> Workbook:
    """The blank sheet: the headers, one example row to overwrite, and the instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(HEADERS)
    sheet.append(EXAMPLE)
    for column, (_, width, _) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = width
        sheet.cell(1, column).font = Font(bold=True)
        sheet.cell(1, column).fill = PatternFill("solid", fgColor="DDEBF7")
        # Mobile and volunteer numbers stay text (Excel would drop a leading zero or round).
        sheet.cell(2, column).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(NOTES_TITLE)
    notes.append(["列名", "填写说明"])
    for header, _, help_text in COLUMNS:
        notes.append([header, help_text])
    notes.append([])
    notes.append(["", "第2行是示例，请改成实际内容或删除后再上传。"])
    notes.append(["", "有一行填写有误，整个文件都不会保存；请按页面提示逐行改正后重新上传。"])
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 60
    for row in notes.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return workbook


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
