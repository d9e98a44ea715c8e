"""The finance disclosure's income-and-expenditure sheet: reading the month's xlsx, refusing
one whose stated totals disagree with its rows, and the totals and balances the site works
out itself (never typed): 上期结余 carried from the previous month's live disclosure of the
same center, 本期合计, 期末余额 and a running balance per row.

Public: read_finance_sheet, FinanceSheet, FinanceSheetError, apply_sheet, finance_summary,
FinanceSummary, format_amount, sample_finance_workbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from io import BytesIO

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HEADER_SEARCH_ROWS = 30

# Header text (spaces, "（元）" and the like taken away) → the column it names.
COLUMN_NAMES = {
    "date": ("日期",),
    "item": ("摘要", "项目"),
    "income": ("收入", "收入金额"),
    "expenditure": ("支出", "支出金额"),
    "voucher": ("凭证号", "凭证编号", "凭证"),
}
COLUMN_LABELS = {
    "date": "日期",
    "item": "摘要",
    "income": "收入",
    "expenditure": "支出",
    "voucher": "凭证号",
}
TOTALS_WORDS = ("合计", "本月合计", "本期合计", "总计")
CARRIED_WORDS = ("上期结余", "上月结余", "期初余额", "承前页")
ITEM_MAX = 200
VOUCHER_MAX = 40


# -- the parsed sheet ---------------------------------------------------------------------
@dataclass(frozen=True)
class SheetProblem:
    """One reason a sheet is refused: Chinese for the editor, a path for machines."""

    message: str
    path: str
    row: int | None = None

    def __str__(self) -> str:
        return self.message


class FinanceSheetError(ValueError):
    """The sheet is refused; ``problems`` lists every reason found (row by row)."""

    def __init__(self, problems: list[SheetProblem]):
        self.problems = list(problems)
        super().__init__("；".join(p.message for p in self.problems))

    @property
    def messages(self) -> list[str]:
        return [p.message for p in self.problems]


@dataclass(frozen=True)
class SheetRow:
    row: int  # the sheet's row number, as Excel shows it
    date: date
    item: str
    income: Decimal
    expenditure: Decimal
    voucher: str


@dataclass
class FinanceSheet:
    rows: list[SheetRow]
    income_total: Decimal
    expenditure_total: Decimal
    totals_row: int
    title: str = ""


def format_amount(value: Decimal | None) -> str:
    """1234.5 → "1,234.50" (the way amounts are shown and named in messages)."""
    return f"{Decimal(value or 0).quantize(CENT, ROUND_HALF_UP):,.2f}"


# -- reading --------------------------------------------------------------------------------
def read_finance_sheet(file, period=None) -> FinanceSheet:
    """Read the month's income-and-expenditure xlsx (a path, bytes or a file object).

    ``period`` (a disclosures Period, optional): every date must fall within it.
    Raises FinanceSheetError listing every problem, each naming its sheet row.
    """
    from openpyxl import load_workbook

    from jiamenkou.security.uploads import NotAWorkbook, UnsafeFile, check_workbook

    if isinstance(file, bytes | bytearray):
        file = BytesIO(file)
    elif hasattr(file, "seek"):
        file.seek(0)
    try:
        check_workbook(file, getattr(file, "name", ""))
    except NotAWorkbook:
        pass  # refused below, in the sheet's own words
    except UnsafeFile as refused:
        raise FinanceSheetError([SheetProblem(refused.message, "file")]) from None
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not xlsx
        raise FinanceSheetError(
            [
                SheetProblem(
                    "文件无法作为 xlsx 表格打开，请在 Excel 或 WPS 中另存为 .xlsx 后再上传", "file"
                )
            ]
        ) from error
    try:
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some programs write a wrong size; read every row
        lines = [list(values) for values in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _read_lines(lines, period)


def _read_lines(lines: list[list], period) -> FinanceSheet:
    header_index, columns, title = _find_header(lines)
    problems: list[SheetProblem] = []
    rows: list[SheetRow] = []
    totals = None
    for index in range(header_index + 1, len(lines)):
        number = index + 1
        values = {name: _cell(lines[index], column) for name, column in columns.items()}
        if all(_text(value) == "" for value in values.values()):
            continue
        if _is_totals(values):
            totals = (number, values)
            break  # what follows (signatures, notes) is not part of the table
        row, row_problems = _read_row(number, values, period)
        problems.extend(row_problems)
        if row is not None:
            rows.append(row)
    if totals is None:
        problems.append(SheetProblem("表格最后没有“合计”行，无法核对", "totals"))
        raise FinanceSheetError(problems)
    totals_number, totals_values = totals
    stated = {}
    for name in ("income", "expenditure"):
        try:
            stated[name] = _amount(totals_values[name])
        except ValueError:
            problems.append(
                SheetProblem(
                    f"合计行（第{totals_number}行）{COLUMN_LABELS[name]}"
                    f"“{_text(totals_values[name])}”不是金额",
                    f"totals.{name}",
                    totals_number,
                )
            )
    if problems:
        raise FinanceSheetError(problems)
    for name in ("income", "expenditure"):
        added = sum((getattr(row, name) for row in rows), ZERO)
        if added != stated[name]:
            if rows:
                span = _span(rows[0].row, rows[-1].row)
                what = f"而第{span}行{COLUMN_LABELS[name]}相加为"
            else:
                what = f"而表中没有{COLUMN_LABELS[name]}明细，相加为"
            problems.append(
                SheetProblem(
                    f"合计行（第{totals_number}行）{COLUMN_LABELS[name]}为 "
                    f"{format_amount(stated[name])} 元，{what} {format_amount(added)} 元，"
                    f"相差 {format_amount(abs(stated[name] - added))} 元",
                    f"totals.{name}",
                    totals_number,
                )
            )
    if problems:
        raise FinanceSheetError(problems)
    return FinanceSheet(
        rows=rows,
        income_total=stated["income"],
        expenditure_total=stated["expenditure"],
        totals_row=totals_number,
        title=title,
    )


def _find_header(lines: list[list]) -> tuple[int, dict[str, int], str]:
    best: tuple[int, int, dict[str, int]] | None = None  # (found, index, columns)
    for index, line in enumerate(lines[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, value in enumerate(line):
            name = _column_name(value)
            if name and name not in columns:
                columns[name] = position
        if len(columns) == len(COLUMN_NAMES):
            title = next((_text(v) for previous in lines[:index] for v in previous if _text(v)), "")
            return index, columns, title
        if columns and (best is None or len(columns) > best[0]):
            best = (len(columns), index, columns)
    if best is None or best[0] < 2:
        raise FinanceSheetError(
            [
                SheetProblem(
                    f"前{HEADER_SEARCH_ROWS}行中没有找到表头：需要“日期”“摘要”“收入”“支出”“凭证号”五列",
                    "header",
                )
            ]
        )
    _, index, columns = best
    missing = [name for name in COLUMN_NAMES if name not in columns]
    raise FinanceSheetError(
        [
            SheetProblem(
                f"第{index + 1}行（表头）缺少“{COLUMN_LABELS[name]}”列",
                f"header.{name}",
                index + 1,
            )
            for name in missing
        ]
    )


def _column_name(value) -> str | None:
    text = re.sub(r"[\s:：]|[（(][^）)]*[）)]", "", _text(value))
    text = text.removesuffix("元")
    for name, words in COLUMN_NAMES.items():
        if text in words:
            return name
    return None


def _is_totals(values: dict) -> bool:
    return any(re.sub(r"\s", "", _text(values[name])) in TOTALS_WORDS for name in ("date", "item"))


def _read_row(number: int, values: dict, period) -> tuple[SheetRow | None, list[SheetProblem]]:
    problems = []
    where = f"第{number}行："

    def problem(text, name):
        problems.append(SheetProblem(where + text, f"rows[{number}].{name}", number))

    item = _text(values["item"])
    if re.sub(r"\s", "", item) in CARRIED_WORDS:
        problem(f"“{item}”由网站按上一期的期末余额计算，请从表中删去这一行", "item")
        return None, problems
    day = None
    raw_date = values["date"]
    if _text(raw_date) == "":
        problem("缺少日期", "date")
    else:
        day = _date(raw_date)
        if day is None:
            problem(f"日期“{_text(raw_date)}”无法识别", "date")
        elif period is not None and not period.starts_on <= day <= period.ends_on:
            problem(
                f"日期 {day.year}年{day.month}月{day.day}日 不在本期（{period.label}）内",
                "date",
            )
    if not item:
        problem("缺少摘要", "item")
    elif len(item) > ITEM_MAX:
        problem(f"摘要超过{ITEM_MAX}个字", "item")
    amounts = {}
    for name in ("income", "expenditure"):
        label = COLUMN_LABELS[name]
        try:
            amounts[name] = _amount(values[name])
        except ValueError:
            problem(f"{label}“{_text(values[name])}”不是金额", name)
            continue
        if amounts[name] < 0:
            problem(
                f"{label}为负数（{format_amount(amounts[name])}），"
                "收入、支出都填正数，退款或冲销请写在另一栏",
                name,
            )
        elif amounts[name] >= Decimal(10) ** 10:
            problem(f"{label}金额过大（{format_amount(amounts[name])}）", name)
    voucher = _text(values["voucher"])
    if isinstance(values["voucher"], float) and values["voucher"].is_integer():
        voucher = str(int(values["voucher"]))
    if len(voucher) > VOUCHER_MAX:
        problem(f"凭证号超过{VOUCHER_MAX}个字符", "voucher")
    if problems:
        return None, problems
    row = SheetRow(number, day, item, amounts["income"], amounts["expenditure"], voucher)
    return row, problems


def _cell(line: list, column: int):
    return line[column] if column < len(line) else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
)


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def _amount(value) -> Decimal:
    """A cell's amount, 2 places; empty is 0. Raises ValueError if it is not an amount."""
    if value is None:
        return ZERO
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)
    if isinstance(value, Decimal):
        return value.quantize(CENT, ROUND_HALF_UP)
    text = re.sub(r"[\s,，￥¥]|元$|^RMB", "", _text(value))
    if text in ("", "-", "—", "／", "/"):
        return ZERO
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
        raise ValueError(value)
    try:
        return Decimal(text).quantize(CENT, ROUND_HALF_UP)
    except InvalidOperation as error:
        raise ValueError(value) from error


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


# -- onto the page --------------------------------------------------------------------------
def sheet_row_objects(sheet: FinanceSheet) -> list:
    """FinanceRow objects (unsaved) for the sheet's rows, in the sheet's order."""
    from disclosures.models import FinanceRow

    return [
        FinanceRow(
            date=row.date,
            item=row.item,
            income=row.income,
            expenditure=row.expenditure,
            voucher=row.voucher,
            sort_order=order,
        )
        for order, row in enumerate(sheet.rows)
    ]


def apply_sheet(page, sheet: FinanceSheet) -> None:
    """Replace the page's finance rows (in memory; saved with the page or its revision)."""
    page.finance_rows = sheet_row_objects(sheet)


# -- what the site works out --------------------------------------------------------------
@dataclass
class SummaryRow:
    date: date
    item: str
    income: Decimal
    expenditure: Decimal
    voucher: str
    balance: Decimal  # the running balance after this row

    @property
    def income_text(self) -> str:
        return format_amount(self.income) if self.income else ""

    @property
    def expenditure_text(self) -> str:
        return format_amount(self.expenditure) if self.expenditure else ""

    @property
    def balance_text(self) -> str:
        return format_amount(self.balance)


@dataclass
class FinanceSummary:
    rows: list[SummaryRow]
    income_total: Decimal
    expenditure_total: Decimal
    carried_forward: Decimal
    closing_balance: Decimal
    # Where 上期结余 comes from: "previous" (the previous live disclosure's 期末余额),
    # "opening" (this page's 期初余额) or "missing" (neither: counted as 0).
    carried_from: str = "previous"
    previous: object | None = None  # the previous live finance DisclosurePage, if any
    previous_label: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def opening_missing(self) -> bool:
        return self.carried_from == "missing"

    @property
    def income_total_text(self) -> str:
        return format_amount(self.income_total)

    @property
    def expenditure_total_text(self) -> str:
        return format_amount(self.expenditure_total)

    @property
    def carried_forward_text(self) -> str:
        return format_amount(self.carried_forward)

    @property
    def closing_balance_text(self) -> str:
        return format_amount(self.closing_balance)


def previous_closing_balance(page):
    """(closing balance, page) of the live finance disclosure of the same board just before
    ``page``'s period, or (None, None). One query, however many months came before: the
    board's live finance disclosures with their row sums, walked in period order."""
    from django.db.models import Sum

    from disclosures.models import DisclosurePage
    from disclosures.models.kinds import DisclosureKind

    if not page.path or page.depth is None:
        return None, None  # a new page's preview: nothing before it yet
    try:
        starts_on = page.period.starts_on
    except (TypeError, ValueError, AttributeError):
        return None, None  # an unfinished period (a preview of a form with errors)
    board_path = page.path[: -page.steplen]
    candidates = (
        DisclosurePage.objects.live()
        .filter(path__startswith=board_path, depth=page.depth, kind=DisclosureKind.FINANCE)
        .exclude(pk=page.pk)
        .annotate(
            income_sum=Sum("finance_rows__income"),
            expenditure_sum=Sum("finance_rows__expenditure"),
        )
        .only(
            "id",
            "path",
            "depth",
            "title",
            "slug",
            "url_path",
            "period_kind",
            "period_year",
            "period_number",
            "matter_date",
            "opening_balance",
        )
    )
    earlier = [d for d in candidates if d.period.ends_on < starts_on]
    earlier.sort(key=lambda d: (d.period.starts_on, d.period.ends_on, d.pk))
    balance = None
    for disclosure in earlier:
        if balance is None:
            balance = disclosure.opening_balance or ZERO
        balance += (disclosure.income_sum or ZERO) - (disclosure.expenditure_sum or ZERO)
    return balance, (earlier[-1] if earlier else None)


def finance_summary(page) -> FinanceSummary:
    """Rows with a running balance, 本期合计, 上期结余 and 期末余额 of a finance disclosure.
    Two queries (the rows, the earlier months), however many months came before."""
    carried, previous = previous_closing_balance(page)
    if previous is not None:
        carried_from = "previous"
    elif page.opening_balance is not None:
        carried, carried_from = page.opening_balance, "opening"
    else:
        carried, carried_from = ZERO, "missing"
    carried = Decimal(carried).quantize(CENT)
    rows = []
    balance = carried
    income_total = expenditure_total = ZERO
    for row in sorted(page.finance_rows.all(), key=_row_order):
        income = Decimal(row.income or 0).quantize(CENT)
        expenditure = Decimal(row.expenditure or 0).quantize(CENT)
        income_total += income
        expenditure_total += expenditure
        balance += income - expenditure
        rows.append(SummaryRow(row.date, row.item, income, expenditure, row.voucher, balance))
    notes = []
    if carried_from == "missing":
        notes.append("本中心没有上一期财务公开，也未填写期初余额，上期结余按 0 计")
    return FinanceSummary(
        rows=rows,
        income_total=income_total,
        expenditure_total=expenditure_total,
        carried_forward=carried,
        closing_balance=carried + income_total - expenditure_total,
        carried_from=carried_from,
        previous=previous,
        previous_label=previous.period.label if previous is not None else "",
        notes=notes,
    )


def _row_order(row):
    return (row.sort_order if row.sort_order is not None else 0, row.date or date.min)


# -- a real workbook for the demo and the tests -----------------------------------------------
def sample_finance_workbook(month_rows, stated_totals=None, *, title=None) -> bytes:
    """An xlsx like a center's bookkeeper makes: a title row, the header, the rows, and a
    合计 row. ``month_rows``: (date, item, income, expenditure, voucher) tuples or dicts
    with those keys; ``stated_totals``: (income, expenditure) to write in the 合计 row
    instead of the true sums (to show a refused sheet)."""
    from openpyxl import Workbook

    keys = ("date", "item", "income", "expenditure", "voucher")
    rows = [
        tuple(row.get(key) for key in keys) if isinstance(row, dict) else tuple(row)
        for row in month_rows
    ]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "收支明细"
    if title is None:
        first = next((row[0] for row in rows if isinstance(row[0], date)), None)
        title = f"{first.year}年{first.month}月财务收支明细" if first else "财务收支明细"
    sheet.append([title])
    sheet.append(["日期", "摘要", "收入（元）", "支出（元）", "凭证号"])
    for day, item, income, expenditure, voucher in rows:
        sheet.append(
            [
                day,
                item,
                _number(income),
                _number(expenditure),
                voucher,
            ]
        )
        cell = sheet.cell(row=sheet.max_row, column=1)
        if isinstance(day, date):
            cell.number_format = "yyyy-mm-dd"
    if stated_totals is None:
        stated_totals = (
            sum((Decimal(str(row[2] or 0)) for row in rows), ZERO),
            sum((Decimal(str(row[3] or 0)) for row in rows), ZERO),
        )
    sheet.append(["", "合计", _number(stated_totals[0]), _number(stated_totals[1]), ""])
    for column in ("C", "D"):
        for cell in sheet[column][2:]:
            cell.number_format = "#,##0.00"
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 30
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _number(value):
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return float(value)
