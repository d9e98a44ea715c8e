"""Excel: a service's own hours in the 办理时间 column, with its holiday rules and dated
exceptions, written as the site words them and read back."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from catalog.clock import clock_at
from catalog.excel import (
    ExcelImportError,
    build_workbook,
    import_workbook,
    service_queryset,
    workbook_bytes,
)
from catalog.hsds import export_services, import_services
from catalog.models import Service, ServiceSchedule
from tests.catalog.test_schedule_rules_hsds import demo_catalog

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = "办理时间"
SENIOR_CARD = "老年人优待证办理"  # Mon–Fri 09:00–11:30 and 13:30–17:00, rests on holidays
OWN_HOURS_FREE_OF_HOLIDAYS = "血压血糖免费检测"


@pytest.fixture
def catalog():
    import_services(demo_catalog())


class Sheet:
    def __init__(self, path):
        self.path = path
        self.workbook = load_workbook(path)
        self.sheet = self.workbook["服务目录"]
        self.columns = {cell.value: cell.column for cell in self.sheet[1]}

    def row_of(self, name: str) -> int:
        column = self.columns["服务名称"]
        for row in range(2, self.sheet.max_row + 1):
            if self.sheet.cell(row=row, column=column).value == name:
                return row
        raise KeyError(name)

    def get(self, name: str, header: str = HOURS):
        return self.sheet.cell(row=self.row_of(name), column=self.columns[header]).value

    def set(self, name: str, value, header: str = HOURS) -> int:
        row = self.row_of(name)
        self.sheet.cell(row=row, column=self.columns[header]).value = value
        return row

    def save(self):
        self.workbook.save(self.path)
        return self.path


def exported_sheet(tmp_path) -> Sheet:
    path = tmp_path / "catalog.xlsx"
    path.write_bytes(workbook_bytes(build_workbook(service_queryset())))
    return Sheet(path)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_the_hours_cell_words_rows_rules_and_exceptions_and_uploads_unchanged(tmp_path, catalog):
    senior_card = Service.objects.get(name=SENIOR_CARD)
    ServiceSchedule.objects.create(
        service=senior_card,
        kind="closed",
        valid_from=date(2027, 2, 5),
        valid_to=date(2027, 2, 7),
        description="春节除夕至正月初二休息",
        sort_order=2,
    )
    ServiceSchedule.objects.create(
        service=senior_card,
        kind="special_hours",
        valid_from=date(2027, 2, 10),
        valid_to=date(2027, 2, 10),
        opens_at=time(9, 0),
        closes_at=time(12, 0),
        description="春节期间特别开放",
        sort_order=3,
    )
    # Rows that meet holidays differently carry their rules on their own lines.
    mixed = next(
        service
        for service in Service.objects.prefetch_related("schedules")
        if len(service.schedules.all()) > 1
        and not any(row.closed_on_holidays for row in service.schedules.all())
    )
    first = mixed.schedules.all()[0]
    ServiceSchedule.objects.filter(pk=first.pk).update(closed_on_holidays=True)
    before = export_services()

    sheet = exported_sheet(tmp_path)
    assert sheet.get(SENIOR_CARD).splitlines() == [
        "每周一至周五 09:00–11:30",
        "每周一至周五 13:30–17:00",
        "法定节假日休息，调休上班日正常开放",
        "2027-02-05至2027-02-07 闭馆（春节除夕至正月初二休息）",
        "2027-02-10 09:00–12:00（春节期间特别开放）",
    ]
    assert sheet.get(mixed.name).splitlines()[0].endswith("（法定节假日休息）")
    assert sheet.get(OWN_HOURS_FREE_OF_HOLIDAYS) and "节假日" not in sheet.get(
        OWN_HOURS_FREE_OF_HOLIDAYS
    )

    summary = import_workbook(sheet.path)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 200)
    assert export_services() == before


def test_an_editor_types_holiday_rules_and_dated_exceptions(tmp_path, catalog):
    senior_card = Service.objects.get(name=SENIOR_CARD)
    kept_ids = [row.id for row in senior_card.schedules.all()]
    other = Service.objects.get(name=OWN_HOURS_FREE_OF_HOLIDAYS)
    sheet = exported_sheet(tmp_path)
    sheet.set(
        SENIOR_CARD,
        "每周一至周五 09:00–11:30\n周一至周五 13:30-17:00\n"
        "2027/2/5至2027/2/7 闭馆（春节除夕至正月初二休息）\n"
        "2027-02-10 09:00~12:00（春节期间特别开放）",
    )
    sheet.set(
        OWN_HOURS_FREE_OF_HOLIDAYS, sheet.get(OWN_HOURS_FREE_OF_HOLIDAYS) + "\n法定节假日休息"
    )
    summary = import_workbook(sheet.save())
    assert (summary.created, summary.updated) == (0, 2)

    rows = list(Service.objects.get(pk=senior_card.pk).schedules.all())
    # The weekday rows are the same rows, their holiday rules dropped; notes kept.
    assert [row.id for row in rows[:2]] == kept_ids
    assert [(row.closed_on_holidays, row.open_on_makeup_workdays) for row in rows[:2]] == [
        (False, False),
        (False, False),
    ]
    assert rows[0].notes == "法定节假日休息，调休工作日正常办公。"
    closure, special = rows[2:]
    assert (closure.kind, closure.valid_from, closure.valid_to, closure.description) == (
        "closed",
        date(2027, 2, 5),
        date(2027, 2, 7),
        "春节除夕至正月初二休息",
    )
    assert (special.kind, special.opens_at, special.closes_at) == (
        "special_hours",
        time(9, 0),
        time(12, 0),
    )

    # The one clock reads what the editor typed.
    status = clock_at(at(2027, 2, 6, 10, 0)).status(rows)
    assert (status.is_open, status.reason) == (False, "春节除夕至正月初二休息")
    assert clock_at(at(2027, 2, 10, 10, 0)).status(rows).is_open  # 初四, specially open
    assert not clock_at(at(2027, 2, 10, 14, 0)).status(rows).is_open
    assert clock_at(at(2026, 10, 2, 10, 0)).status(rows).is_open  # no longer rests on 国庆
    other_rows = list(other.schedules.all())
    assert all(row.closed_on_holidays for row in other_rows)
    assert not clock_at(at(2026, 10, 2, 10, 0)).status(other_rows).is_open


def test_unreadable_hours_are_refused_at_their_row_and_column(tmp_path, catalog):
    before = export_services()
    sheet = exported_sheet(tmp_path)
    row = sheet.set(SENIOR_CARD, "每周八 09:00–11:30\n2027-02-30 闭馆（春节）")
    other_row = sheet.set(OWN_HOURS_FREE_OF_HOLIDAYS, "法定节假日休息")
    with pytest.raises(ExcelImportError) as caught:
        import_workbook(sheet.save())
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [(row, HOURS), (other_row, HOURS)]
    assert str(problems[0]) == (
        f"第{row}行「办理时间」：第1行“每周八 09:00–11:30”：“八”无法识别："
        "星期应写成“周一至周五”或“周六、周日”；"
        "第2行“2027-02-30 闭馆（春节）”：“2027-02-30”不是有效日期，应为YYYY-MM-DD。"
    )
    assert "只适用于常规办理时间" in problems[1].message
    assert export_services() == before


def test_an_emptied_cell_leaves_the_service_to_its_centers_hours(tmp_path, catalog):
    sheet = exported_sheet(tmp_path)
    sheet.set(SENIOR_CARD, None)
    import_workbook(sheet.save())
    assert not Service.objects.get(name=SENIOR_CARD).schedules.exists()


def test_a_sheet_made_before_the_hours_column_keeps_the_hours(tmp_path, catalog):
    before = export_services()
    sheet = exported_sheet(tmp_path)
    sheet.sheet.delete_cols(sheet.columns[HOURS])
    summary = import_workbook(sheet.save())
    assert (summary.created, summary.updated) == (0, 0)
    assert export_services() == before
