"""The rows of an uploaded one-sheet workbook (the programme's and the points' imports):
header by name, empty rows left out, refused in Chinese when unreadable or too long."""

from collections.abc import Callable, Iterable
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from catalog.excel.columns import cell_text
from catalog.excel.problems import ExcelImportError, ExcelProblem
from jiamenkou.security.uploads import NotAWorkbook, UnsafeFile, check_workbook


def read_sheet_rows(
    upload,
    *,
    sheet_title: str,
    required: Iterable[str],
    max_rows: int,
    either: tuple[str, ...] = (),
    is_help_row: Callable[[tuple], bool] | None = None,
) -> list[tuple[int, dict]]:
    """(Excel row number, {header: raw value}) for every non-empty row of the sheet named
    ``sheet_title`` (else the first). Every ``required`` header must be there, and one of
    ``either`` when given; ``is_help_row`` skips the template's help row under the header."""
    try:
        check_workbook(upload, getattr(upload, "name", ""))
    except NotAWorkbook:
        pass  # refused below, in the import's own words
    except UnsafeFile as refused:
        raise ExcelImportError([ExcelProblem(None, "", refused.message)]) from None
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as error:
        raise ExcelImportError(
            [ExcelProblem(None, "", f"无法读取这个文件（{error}），请上传.xlsx格式的Excel文件。")]
        ) from None
    except Exception:  # openpyxl raises many kinds (XML errors among them) for a damaged file
        raise ExcelImportError(
            [ExcelProblem(None, "", "文件已损坏，无法读取：请重新保存为.xlsx后再上传。")]
        ) from None
    sheet = workbook[sheet_title] if sheet_title in workbook.sheetnames else workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [cell_text(value) for value in next(rows, ())]
    missing = [name for name in required if name not in header]
    if either and not any(name in header for name in either):
        missing.append(f"{either[0]}（或{'、'.join(either[1:])}）")
    if missing:
        raise ExcelImportError(
            [ExcelProblem(1, "", f"缺少列：{'、'.join(missing)}。请使用本页下载的模板。")]
        )
    found = []
    for number, values in enumerate(rows, start=2):
        if number == 2 and is_help_row is not None and is_help_row(values):
            continue
        record = {name: value for name, value in zip(header, values, strict=False) if name}
        if any(cell_text(value) for value in record.values()):
            found.append((number, record))
        if len(found) > max_rows:
            raise ExcelImportError(
                [ExcelProblem(None, "", f"一次最多导入{max_rows}行，请分批上传。")]
            )
    return found
