"""The programme sheet as Excel: editors fill in a week's or a season's activities in the
sheet they are used to, and upload it. An upload is atomic: every row is checked (cell
values, the model's rules, room clashes through the one scheduling path) and, if any row
is refused, nothing is saved and every problem is listed at its row and column.

Cell reading and problem reporting are the catalog's (``catalog.excel``).
"""

import io
import re
from dataclasses import dataclass
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from activities.models import Activity, ActivityCost, ActivityKind, Frequency, Room
from activities.scheduling import RoomClash
from catalog.excel.columns import CellError, DateColumn, cell_text, parse_decimal
from catalog.excel.problems import ExcelImportError, ExcelProblem
from catalog.excel.rows import read_sheet_rows
from catalog.models import Organization, Service, TaxonomyTerm
from catalog.models.taxonomy import AUDIENCE_TAXONOMY
from catalog.rules import price_text

SHEET_TITLE = "活动节目单"
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ORDINALS = {"第一个": 1, "第二个": 2, "第三个": 3, "第四个": 4, "最后一个": -1}
FREQUENCY_BY_LABEL = {str(choice.label): choice.value for choice in Frequency}
COST_BY_LABEL = {str(choice.label): choice.value for choice in ActivityCost}
YES, NO = "是", "否"
MAX_ROWS = 2000

# (header, model field, width, help shown as the header's comment-like second row)
COLUMNS = [
    ("编号", "pk", 8, "新活动留空；修改已有活动时保留导出的编号"),
    ("中心编码", "center", 12, "如 HHD-CH-01"),
    ("活动名称", "title", 20, "必填"),
    ("活动类型", "kind", 12, "党群活动、文体康养、四点半课堂……"),
    ("功能室", "room", 14, "本中心功能室的名称；不在功能室的留空并填地点说明"),
    ("地点说明", "place_note", 14, "如：小区中心广场"),
    ("首次日期", "dtstart", 12, "YYYY-MM-DD"),
    ("开始时间", "start_time", 10, "如 09:00；全天活动留空"),
    ("结束时间", "end_time", 10, "如 10:30；全天活动留空"),
    ("重复", "freq", 8, "单次、每天、每周、每月"),
    ("星期", "byday", 16, "每周：周二、周四；每月：第二个周六、最后一个周五"),
    ("每月几号", "bymonthday", 10, "每月：如 10 或 1,15"),
    ("间隔", "interval", 6, "每隔几周（月）；留空为1"),
    ("截止日期", "until", 12, "重复到哪天（与重复次数二选一）"),
    ("重复次数", "count", 8, "共几次"),
    ("节假日停开", "skip_holidays", 10, "是/否"),
    ("调休上班日照常", "runs_on_makeup_workdays", 12, "是/否"),
    ("人数上限", "capacity", 8, "不限留空"),
    ("需要报名", "signup_required", 8, "是/否"),
    ("收费", "cost", 8, "免费、低偿"),
    ("价格", "price", 8, "低偿活动的价格（元）"),
    ("计价单位", "price_unit", 8, "如 元/次"),
    ("市场参考价", "market_reference_price", 10, "低偿活动必填"),
    ("主办方", "organizer", 20, "服务提供方的名称"),
    ("活动对象", "audiences", 16, "用顿号分隔，如：老年人、儿童"),
    ("对应服务", "service", 16, "服务目录中的服务名称，可留空"),
    ("活动介绍", "description", 40, ""),
]
HEADERS = [header for header, *_ in COLUMNS]
HEADER_BY_FIELD = {field: header for header, field, *_ in COLUMNS}
DATE_CELL = DateColumn("日期", "date", width=12, help="")


def parse_date(raw):
    return DATE_CELL.parse(raw, None)


# -- the words of a schedule ---------------------------------------------------------------


def parse_weekdays(text: str) -> str:
    """周二、周四 → TU,TH; 第二个周六 → 2SA; TU,TH stays."""
    text = text.strip()
    if not text:
        return ""
    if re.fullmatch(r"[A-Za-z0-9,\-\s+]+", text):
        return ",".join(part.strip().upper() for part in text.split(",") if part.strip())
    codes = []
    for part in filter(None, (p.strip() for p in re.split(r"[、,，/ ]+", text))):
        ordinal = next((n for word, n in ORDINALS.items() if part.startswith(word)), None)
        name = part
        for word in ORDINALS:
            name = name.removeprefix(word)
        name = name.replace("星期", "周").replace("礼拜", "周").replace("周天", "周日")
        if name not in WEEKDAY_NAMES:
            raise CellError(f"“{part}”不是星期几，请写 周一……周日，或 第二个周六。")
        code = DAY_CODES[WEEKDAY_NAMES.index(name)]
        codes.append(f"{ordinal}{code}" if ordinal else code)
    return ",".join(codes)


def format_weekdays(byday: str) -> str:
    """TU,TH → 周二、周四; 2SA → 第二个周六 (the inverse of ``parse_weekdays``)."""
    words = []
    for token in filter(None, (t.strip() for t in (byday or "").split(","))):
        match = re.fullmatch(r"([+-]?\d)?([A-Z]{2})", token)
        if not match or match.group(2) not in DAY_CODES:
            words.append(token)
            continue
        ordinal, code = match.groups()
        prefix = next((w for w, n in ORDINALS.items() if ordinal and n == int(ordinal)), "")
        words.append(prefix + WEEKDAY_NAMES[DAY_CODES.index(code)])
    return "、".join(words)


def parse_time(raw) -> time | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        return raw.time()
    if isinstance(raw, time):
        return raw
    if isinstance(raw, float) and 0 <= raw < 1:  # Excel keeps a time as a day fraction
        minutes = round(raw * 24 * 60)
        return time(minutes // 60, minutes % 60)
    text = cell_text(raw).replace("：", ":")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise CellError(f"“{text}”不是有效时间，应为 09:00 这样的写法。")
    return time(int(match.group(1)), int(match.group(2)))


def parse_yes_no(raw) -> bool:
    text = cell_text(raw)
    if text in ("", NO, "不", "N", "n", "FALSE", "False", "0"):
        return False
    if text in (YES, "Y", "y", "TRUE", "True", "1", "√"):
        return True
    raise CellError(f"“{text}”应填“是”或“否”。")


def parse_whole_number(raw) -> int | None:
    text = cell_text(raw)
    if not text:
        return None
    if isinstance(raw, bool) or not text.isdigit() or int(text) > 32767:
        raise CellError(f"“{text}”应为不小于0的整数。")
    return int(text)


# -- reading -------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    occurrences: int = 0
    outside_hours: int = 0

    def __str__(self):
        text = f"新增 {self.created} 项活动，更新 {self.updated} 项，共 {self.occurrences} 个场次。"
        if self.outside_hours:
            text += (
                f"注意：其中 {self.outside_hours} 个场次不在中心开放时间内，请在活动日程表中查看。"
            )
        return text


class Lookups:
    """What cells name, fetched once per workbook (a fixed number of queries)."""

    def __init__(self, center_ids):
        from district.models import CenterPage

        self.centers = {c.code: c for c in CenterPage.objects.filter(pk__in=center_ids)}
        self.rooms = {
            (r.center_id, r.name): r for r in Room.objects.filter(center_id__in=center_ids)
        }
        self.kinds = {kind.name: kind for kind in ActivityKind.objects.all()}
        self.organizations: dict[str, list] = {}
        for organization in Organization.objects.only("id", "name"):
            self.organizations.setdefault(organization.name, []).append(organization)
        self.audiences = {
            term.name: term
            for term in TaxonomyTerm.objects.filter(taxonomy__name=AUDIENCE_TAXONOMY)
        }
        self.services = {s.name: s for s in Service.objects.only("id", "name")}


def read_rows(upload) -> list[tuple[int, dict]]:
    """(Excel row number, {header: raw value}) for every non-empty row."""
    return read_sheet_rows(
        upload,
        sheet_title=SHEET_TITLE,
        required=("中心编码", "活动名称", "活动类型", "首次日期"),
        max_rows=MAX_ROWS,
        # The template's help row under the header.
        is_help_row=lambda values: bool(values) and cell_text(values[0]).startswith("新活动留空"),
    )


def import_programme(upload, *, center_ids) -> ImportSummary:
    """Read and save a programme workbook for the centers ``center_ids`` (the editor's),
    all or nothing: ``ExcelImportError`` lists every problem and nothing is saved."""
    rows = read_rows(upload)
    if not rows:
        raise ExcelImportError([ExcelProblem(None, "", "表格中没有活动。")])
    lookups = Lookups(center_ids)
    problems: list[ExcelProblem] = []
    summary = ImportSummary()
    with transaction.atomic():
        for number, record in rows:
            row_problems = save_row(number, record, lookups, summary)
            problems += row_problems
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise ExcelImportError(problems)
    return summary


def save_row(number: int, record: dict, lookups: Lookups, summary: ImportSummary) -> list:
    problems = []

    def cell(header, parse, default=None):
        try:
            value = parse(record.get(header))
        except CellError as error:
            problems.append(ExcelProblem(number, header, str(error)))
            return default
        return default if value is None else value

    code = cell_text(record.get("中心编码"))
    center = lookups.centers.get(code)
    if center is None:
        problems.append(
            ExcelProblem(
                number, "中心编码", f"“{code}”不是您可编辑的中心编码。" if code else "必填。"
            )
        )
        return problems
    activity_id = cell("编号", parse_whole_number)
    if activity_id:
        activity = Activity.objects.filter(pk=activity_id, center=center).first()
        if activity is None:
            problems.append(ExcelProblem(number, "编号", f"本中心没有编号为{activity_id}的活动。"))
            return problems
    else:
        activity = Activity(center=center)
    activity.title = cell_text(record.get("活动名称"))
    kind_name = cell_text(record.get("活动类型"))
    activity.kind = lookups.kinds.get(kind_name)
    if activity.kind_id is None:
        names = "、".join(lookups.kinds)
        problems.append(
            ExcelProblem(number, "活动类型", f"“{kind_name}”不在活动类型中（{names}）。")
        )
    room_name = cell_text(record.get("功能室"))
    activity.room = lookups.rooms.get((center.pk, room_name)) if room_name else None
    if room_name and activity.room is None:
        problems.append(
            ExcelProblem(number, "功能室", f"{center.title}没有名为“{room_name}”的功能室。")
        )
    activity.place_note = cell_text(record.get("地点说明"))
    activity.dtstart = cell("首次日期", parse_date)
    if activity.dtstart is None and not any(p.column == "首次日期" for p in problems):
        problems.append(ExcelProblem(number, "首次日期", "必填。"))
    activity.start_time = cell("开始时间", parse_time)
    activity.end_time = cell("结束时间", parse_time)
    activity.all_day = activity.start_time is None and activity.end_time is None
    frequency = cell_text(record.get("重复")) or "单次"
    if frequency not in FREQUENCY_BY_LABEL:
        problems.append(
            ExcelProblem(number, "重复", f"“{frequency}”应为：单次、每天、每周、每月。")
        )
    activity.freq = FREQUENCY_BY_LABEL.get(frequency, "")
    activity.byday = cell("星期", lambda raw: parse_weekdays(cell_text(raw)), "")
    activity.bymonthday = cell_text(record.get("每月几号")).replace("，", ",")
    activity.interval = cell("间隔", parse_whole_number, 1) or 1
    activity.until = cell("截止日期", parse_date)
    activity.count = cell("重复次数", parse_whole_number)
    activity.skip_holidays = cell("节假日停开", parse_yes_no, False)
    activity.runs_on_makeup_workdays = cell("调休上班日照常", parse_yes_no, False)
    activity.capacity = cell("人数上限", parse_whole_number)
    activity.signup_required = cell("需要报名", parse_yes_no, False)
    cost = cell_text(record.get("收费")) or "免费"
    if cost not in COST_BY_LABEL:
        problems.append(ExcelProblem(number, "收费", f"“{cost}”应为：免费、低偿。"))
    activity.cost = COST_BY_LABEL.get(cost, ActivityCost.FREE)
    activity.price = cell("价格", parse_decimal)
    activity.price_unit = cell_text(record.get("计价单位")) or "元/次"
    activity.market_reference_price = cell("市场参考价", parse_decimal)
    organizer_name = cell_text(record.get("主办方"))
    organizers = lookups.organizations.get(organizer_name, [])
    activity.organizer = organizers[0] if len(organizers) == 1 else None
    if organizer_name and len(organizers) != 1:
        problems.append(
            ExcelProblem(
                number,
                "主办方",
                f"服务提供方中没有“{organizer_name}”。"
                if not organizers
                else f"有{len(organizers)}个服务提供方都叫“{organizer_name}”，请在后台选择。",
            )
        )
    audiences = []
    for name in filter(None, re.split(r"[、,，]+", cell_text(record.get("活动对象")))):
        term = lookups.audiences.get(name.strip())
        if term is None:
            problems.append(ExcelProblem(number, "活动对象", f"“{name}”不在服务对象分类中。"))
        else:
            audiences.append(term)
    service_name = cell_text(record.get("对应服务"))
    activity.service = lookups.services.get(service_name) if service_name else None
    if service_name and activity.service is None:
        problems.append(ExcelProblem(number, "对应服务", f"服务目录中没有“{service_name}”。"))
    activity.description = cell_text(record.get("活动介绍"))
    if problems:
        return problems
    activity.audiences = audiences
    try:
        activity.full_clean(exclude=["center"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            header = HEADER_BY_FIELD.get(field, "")
            problems += [ExcelProblem(number, header, message) for message in messages]
        return problems
    is_new = activity.pk is None
    try:
        with transaction.atomic():
            activity.save()
    except RoomClash as clash:
        if is_new:
            activity.pk = None
        return [ExcelProblem(number, "功能室", clash.messages[0])]
    summary.created += is_new
    summary.updated += not is_new
    summary.occurrences += activity.occurrences.count()
    summary.outside_hours += activity.occurrences.filter(outside_hours=True).count()
    return []


# -- writing -------------------------------------------------------------------------------


def export_values(activity) -> list:
    return [
        activity.pk,
        activity.center.code,
        activity.title,
        activity.kind.name,
        activity.room.name if activity.room else "",
        activity.place_note,
        activity.dtstart,
        activity.start_time.strftime("%H:%M") if activity.start_time else "",
        activity.end_time.strftime("%H:%M") if activity.end_time else "",
        str(Frequency(activity.freq).label),
        format_weekdays(activity.byday),
        activity.bymonthday,
        activity.interval if activity.interval != 1 else None,
        activity.until,
        activity.count,
        YES if activity.skip_holidays else NO,
        YES if activity.runs_on_makeup_workdays else NO,
        activity.capacity,
        YES if activity.signup_required else NO,
        str(ActivityCost(activity.cost).label),
        float(price_text(activity.price)) if activity.price is not None else None,
        activity.price_unit,
        float(price_text(activity.market_reference_price))
        if activity.market_reference_price is not None
        else None,
        activity.organizer.name if activity.organizer else "",
        "、".join(term.name for term in activity.audiences.all()),
        activity.service.name if activity.service else "",
        activity.description,
    ]


def build_workbook(activities=()) -> Workbook:
    """The template (a help row and two examples) or, given activities, their export."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(HEADERS)
    sheet.append([help_text for _, _, _, help_text in COLUMNS])
    for column, (_, _, width, _) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = width
        sheet.cell(1, column).font = Font(bold=True)
        sheet.cell(2, column).font = Font(italic=True, color="666666")
        sheet.cell(2, column).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(2, column).fill = PatternFill("solid", fgColor="F2F2F2")
    sheet.freeze_panes = "C3"
    for activity in activities:
        sheet.append(export_values(activity))
    for row in sheet.iter_rows(min_row=3):
        row[HEADERS.index("首次日期")].number_format = "yyyy-mm-dd"
        row[HEADERS.index("截止日期")].number_format = "yyyy-mm-dd"
    return workbook


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_queryset(center_ids):
    return (
        Activity.objects.filter(center_id__in=center_ids)
        .select_related("center", "kind", "room", "organizer", "service")
        .prefetch_related("audiences")
        .order_by("center__path", "dtstart", "title")
    )
