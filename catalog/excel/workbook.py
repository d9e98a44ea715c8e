"""The .xlsx file: writing the template and the export, reading an upload.

Sheet 1 "服务目录" holds one service per row under a frozen header; sheet 2 "填写说明"
explains every column; sheet 3 "可选值" lists the names cells may use (and feeds the
drop-downs). The template is the same workbook without rows.
"""

from io import BytesIO
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from catalog.excel.columns import COLUMNS, Lookups, cell_text
from catalog.excel.problems import ExcelImportError, ExcelProblem
from catalog.models import Channel, Service, ServiceKind, ServiceStatus
from jiamenkou.security.uploads import NotAWorkbook, UnsafeFile, check_workbook

SERVICES_SHEET = "服务目录"
INSTRUCTIONS_SHEET = "填写说明"
CHOICES_SHEET = "可选值"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 5000
# Drop-downs cover the rows an editor may add below the last service.
SPARE_ROWS = 1000

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
HEADER_FONT = Font(bold=True)
ID_FONT = Font(color="808080")
TOP = Alignment(vertical="top")
TOP_WRAPPED = Alignment(vertical="top", wrap_text=True)

GENERAL_NOTES = [
    "每行一项服务，第1行是列名，请勿修改列名（列的先后顺序可以调整）。",
    "“服务编号”由系统生成，用来识别已有服务：修改已有服务时请保留；新增服务请留空。",
    "橙色列名为必填列：服务名称、服务类型、服务内容。",
    "一个单元格里写多项时（申请材料、收费项目、办理地点、办理时间、咨询电话、办理流程）每项占一行，"
    "在单元格内换行请按 Alt+Enter（Mac 为 Option+Return）。",
    "服务领域、服务对象、办理渠道写多个时用“、”分隔。",
    "表里没有的内容会原样保留：联系人、服务语言、服务范围、办事指南网址、电子邮箱，"
    "以及收费项目的币种和生效日期、各办理地点单独的办理时间等；"
    "没有“办理时间”列的旧文件也可上传，服务的办理时间保持不变。",
    "表中没有的服务不会被删除；删除服务请在后台“服务目录”中操作。",
    "上传时系统会逐行检查，只要有一处错误，整个文件都不会保存，"
    "页面会列出每个错误所在的行和列，改正后重新上传即可。",
]


def service_queryset(queryset=None):
    """Services with everything the sheet shows, in a fixed number of queries."""
    queryset = Service.objects.all() if queryset is None else queryset
    return (
        queryset.select_related("organization")
        .prefetch_related(
            "topics",
            "audiences",
            "required_documents",
            "cost_options",
            "channels",
            "phones",
            "schedules",
            "service_at_locations__location",
        )
        .order_by("name")
    )


def build_workbook(services=(), lookups: Lookups | None = None) -> Workbook:
    """The service sheet with ``services`` as rows (none for the template)."""
    lookups = lookups or Lookups.load()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SERVICES_SHEET
    count = _write_services(sheet, services)
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET))
    choices = _write_choices(workbook.create_sheet(CHOICES_SHEET), lookups)
    _add_validations(sheet, choices, last_row=count + 1 + SPARE_ROWS)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_services(sheet, services) -> int:
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        cell.comment = Comment(column.help, "家门口")
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        # Column styles: rows an editor adds in Excel get the same format.
        dimension.number_format = column.number_format
        dimension.alignment = TOP_WRAPPED if column.wrap else TOP
    sheet.row_dimensions[1].height = 30
    sheet.freeze_panes = "C2"  # header, 服务编号 and 服务名称 stay in view

    count = 0
    for count, service in enumerate(services, start=1):
        for index, column in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=count + 1, column=index)
            _set_value(cell, column.export(service))
            cell.number_format = column.number_format
            cell.alignment = TOP_WRAPPED if column.wrap else TOP
            if column.key == "id":
                cell.font = ID_FONT
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    return count


def _set_value(cell, value) -> None:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        # openpyxl takes any text starting with "=" for a formula; ours is plain text.
        if value.startswith("="):
            cell.data_type = "s"
    else:
        cell.value = value


def _write_instructions(sheet) -> None:
    sheet.append(["服务目录导入模板 · 填写说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    for number, note in enumerate(GENERAL_NOTES, start=1):
        sheet.append([f"{number}.", note])
    sheet.append([])
    header_row = sheet.max_row + 1
    sheet.append(["列名", "是否必填", "填写方法", "示例"])
    for cell in sheet[header_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for column in COLUMNS:
        sheet.append(
            [column.header, "必填" if column.required else "", column.help, column.example]
        )
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = TOP_WRAPPED
    for letter, width in (("A", 16), ("B", 60), ("C", 60), ("D", 44)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = f"A{header_row + 1}"


def _write_choices(sheet, lookups: Lookups) -> dict[str, str]:
    """Lists of valid names, one per column; returns {header: range formula}."""
    lists = {
        "服务类型": [str(label) for label in ServiceKind.labels],
        "状态": [str(label) for label in ServiceStatus.labels],
        "服务领域": list(lookups.topics),
        "服务对象": list(lookups.audiences),
        "办理渠道": [str(label) for label in Channel.labels],
        "办理地点编码": lookups.location_codes,
        "服务中心": [lookups.locations[code].name for code in lookups.location_codes],
        "服务提供方": sorted(lookups.organizations),
    }
    formulas = {}
    for index, (header, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index, value=header).font = HEADER_FONT
        sheet.cell(row=1, column=index).fill = HEADER_FILL
        for row, value in enumerate(values, start=2):
            sheet.cell(row=row, column=index, value=value)
        sheet.column_dimensions[letter].width = 34 if header in ("服务中心", "服务提供方") else 14
        last = max(len(values) + 1, 2)
        formulas[header] = f"{quote_sheetname(sheet.title)}!${letter}$2:${letter}${last}"
    sheet.freeze_panes = "A2"
    return formulas


def _add_validations(sheet, choices: dict[str, str], last_row: int) -> None:
    """Drop-downs: strict for the two fixed lists, a warning for providers (new ones may
    have been added in the admin since the file was made)."""
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        if column.choices:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=not column.required,
                errorTitle=f"{column.header}无效",
                error=f"请从下拉列表中选择：{'、'.join(column.choices)}。",
                showErrorMessage=True,
            )
        elif column.header == "服务提供方":
            validation = DataValidation(
                type="list",
                formula1=choices["服务提供方"],
                allow_blank=True,
                errorStyle="warning",
                errorTitle="服务提供方不在列表中",
                error="系统中没有这个名称，上传时会报错。确定要继续吗？",
                showErrorMessage=True,
            )
        else:
            continue
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last_row}")


def read_rows(data: bytes) -> tuple[dict[str, int], list[tuple[int, dict]]]:
    """The header ({header: column index}) and the non-blank rows ({header: raw value})
    of the service sheet, or ExcelImportError when the file cannot be used at all."""
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ExcelImportError(
            [
                ExcelProblem(
                    None, "", "这是旧版Excel（.xls）文件：请在Excel中“另存为”.xlsx格式后再上传。"
                )
            ]
        )
    try:
        # Read in full (not read-only: the reader needs cells' rows and comments), so a
        # zip bomb or a sheet of millions of rows is refused before openpyxl sees it.
        check_workbook(data)
    except NotAWorkbook:
        pass  # refused below, in the import's own words
    except UnsafeFile as refused:
        raise ExcelImportError([ExcelProblem(None, "", refused.message)]) from None
    try:
        workbook = load_workbook(BytesIO(data), data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError) as error:
        raise ExcelImportError(
            [
                ExcelProblem(
                    None,
                    "",
                    "无法读取文件：请上传用Excel或WPS保存的.xlsx文件（不支持.xls、.csv等格式），"
                    "最好从本页下载模板填写。",
                )
            ]
        ) from error
    except Exception as error:  # openpyxl raises many kinds on a corrupt file
        raise ExcelImportError(
            [ExcelProblem(None, "", "文件已损坏，无法读取：请重新保存为.xlsx后再上传。")]
        ) from error
    sheet = (
        workbook[SERVICES_SHEET]
        if SERVICES_SHEET in workbook.sheetnames
        else workbook.worksheets[0]
    )
    header = _read_header(sheet)
    rows = []
    for cells in sheet.iter_rows(min_row=2):
        values = {name: cells[index].value for name, index in header.items() if index < len(cells)}
        if not any(cell_text(value) for value in values.values()):
            continue
        rows.append((cells[0].row, values))
    if len(rows) > MAX_ROWS:
        raise ExcelImportError(
            [
                ExcelProblem(
                    None, "", f"一次最多上传{MAX_ROWS}行，本文件有{len(rows)}行，请分批上传。"
                )
            ]
        )
    return header, rows


def _read_header(sheet) -> dict[str, int]:
    header, problems = {}, []
    first = next(sheet.iter_rows(min_row=1, max_row=1), ())
    for index, cell in enumerate(first):
        name = cell_text(cell.value)
        if not name:
            continue
        if name in header:
            problems.append(ExcelProblem(1, name, "列名重复：同一列只能出现一次。"))
        header[name] = index
    if not set(header) & {column.header for column in COLUMNS}:
        raise ExcelImportError(
            [
                ExcelProblem(
                    1,
                    "",
                    "没有找到服务目录的列名（如“服务名称”“服务类型”）：第1行应为列名，"
                    "请使用本页下载的模板或导出文件填写。",
                )
            ]
        )
    for column in COLUMNS:
        if column.header not in header and not column.optional:
            problems.append(
                ExcelProblem(
                    1,
                    column.header,
                    "缺少这一列：请使用本页下载的模板或导出文件，不要删除或改动列名。",
                )
            )
    if problems:
        raise ExcelImportError(problems)
    return header
