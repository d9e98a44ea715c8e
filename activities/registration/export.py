"""The organiser's Excel list of a session's sign-ups: the one place phone numbers are
written out in full (to call residents), so it is only reachable from the admin."""

import re
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from activities.registration.admin_listing import SignUpRow
from catalog.opening import LOCAL_TZ

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["序号", "姓名", "手机号", "状态", "报名时间", "签到"]
WIDTHS = [6, 14, 16, 14, 20, 8]


def export_file_name(occurrence) -> str:
    """太极拳-2026-12-08-报名名单.xlsx (characters a file name may not hold are dropped)."""
    title = re.sub(r'[\\/:*?"<>|]+', "", occurrence.activity.title).strip() or "活动"
    day = occurrence.starts_at.astimezone(LOCAL_TZ).date().isoformat()
    return f"{title}-{day}-报名名单.xlsx"


def sign_ups_workbook(occurrence, rows: list[SignUpRow]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "报名名单"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for number, row in enumerate(rows, start=1):
        sign_up = row.sign_up
        sheet.append(
            [
                number,
                sign_up.name,
                sign_up.phone,  # in full, as text: Excel would show 1.38E+10
                row.status_label,
                sign_up.created_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
                "是" if sign_up.attended else "",
            ]
        )
        sheet.cell(row=number + 1, column=3).number_format = "@"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
