"""Editors fill the programme in Excel and upload it: all or nothing, problems per cell."""

import io
from datetime import date, time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from openpyxl import load_workbook

from activities.excel import (
    HEADERS,
    build_workbook,
    format_weekdays,
    parse_weekdays,
    workbook_bytes,
)
from activities.models import Activity, Occurrence
from catalog.opening import LOCAL_TZ
from tests.activities.builders import add_room, build_activity, editor, kind
from tests.district.builders import build_center, build_home, build_street

URL = "/admin/activities/excel/"


def sheet_upload(*rows, name="节目单.xlsx"):
    workbook = build_workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append([row.get(header) for header in HEADERS])
    return SimpleUploadedFile(name, workbook_bytes(workbook))


def row(**cells):
    defaults = {
        "中心编码": "T-01",
        "活动名称": "太极拳",
        "活动类型": "文体康养",
        "功能室": "多功能厅",
        "首次日期": "2026-12-01",
        "开始时间": "09:00",
        "结束时间": "10:30",
        "重复": "每周",
        "星期": "周二、周四",
        "截止日期": "2026-12-31",
    }
    return {**defaults, **cells}


class ProgrammeUploadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = build_home()
        street = build_street(home)
        cls.center = build_center(street)
        cls.other = build_center(street, "T-02", place=False)
        add_room(cls.center, "书画室")
        kind("文体康养")
        kind("党群活动")
        cls.editor = editor("t01", cls.center)

    def setUp(self):
        self.client.force_login(self.editor)

    def upload(self, *rows):
        return self.client.post(URL, {"file": sheet_upload(*rows)})

    def test_an_upload_creates_activities_with_their_occurrences(self):
        response = self.upload(
            row(),
            row(
                活动名称="读书会",
                功能室="书画室",
                重复="每月",
                星期="第二个周六",
                截止日期=None,
                重复次数=3,
                开始时间="14:00",
                结束时间="16:00",
            ),
        )
        self.assertRedirects(response, URL, fetch_redirect_response=False)
        taiji = Activity.objects.get(title="太极拳")
        self.assertEqual(taiji.byday, "TU,TH")
        self.assertEqual(taiji.occurrences.count(), 10)
        reading = Activity.objects.get(title="读书会")
        days = [o.starts_at.astimezone(LOCAL_TZ).date() for o in reading.occurrences.all()]
        self.assertEqual(days, [date(2026, 12, 12), date(2027, 1, 9), date(2027, 2, 13)])
        page = self.client.get(URL).content.decode()
        self.assertIn("新增 2 项活动", page)

    def test_one_bad_row_saves_nothing_and_names_each_cell(self):
        response = self.upload(
            row(),
            row(活动名称="合唱", 功能室="天台", 开始时间="9点"),
            row(活动名称="议事会", 活动类型="开会", 星期="周八"),
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Activity.objects.exists())
        problems = {(p.row, p.column): p.message for p in response.context["problems"]}
        self.assertEqual(problems[(4, "功能室")], "T-01社区党群服务中心没有名为“天台”的功能室。")
        self.assertIn("“9点”不是有效时间", problems[(4, "开始时间")])
        self.assertIn("“开会”不在活动类型中", problems[(5, "活动类型")])
        self.assertIn("“周八”不是星期几", problems[(5, "星期")])
        self.assertContains(response, 'data-path="rows[4].功能室"')
        self.assertContains(response, "所有活动均未保存")

    def test_a_clash_between_two_rows_is_refused_naming_the_other_activity(self):
        response = self.upload(
            row(),
            row(
                活动名称="合唱",
                重复="单次",
                首次日期="2026-12-10",
                开始时间="10:00",
                结束时间="11:00",
            ),
        )
        self.assertFalse(Activity.objects.exists())
        (problem,) = response.context["problems"]
        self.assertEqual((problem.row, problem.column), (4, "功能室"))
        self.assertIn("已被“太极拳”占用", problem.message)
        self.assertIn("2026-12-10（周四）10:00–11:00", problem.message)

    def test_a_clash_with_an_activity_already_saved_is_refused(self):
        build_activity(
            self.center,
            "党课",
            dtstart=date(2026, 12, 3),
            start_time=time(9, 30),
            end_time=time(11),
        )
        response = self.upload(row())
        self.assertIn("已被“党课”占用", response.context["problems"][0].message)
        self.assertEqual(Occurrence.objects.count(), 1)

    def test_sessions_outside_opening_hours_are_saved_with_a_warning(self):
        # The test center opens on weekdays 08:30–17:30: a Saturday session is outside.
        response = self.upload(row(重复="单次", 首次日期="2026-12-12"))
        self.assertRedirects(response, URL, fetch_redirect_response=False)
        page = self.client.get(URL).content.decode()
        self.assertIn("其中 1 个场次不在中心开放时间内", page)

    def test_the_model_rules_apply_to_a_row(self):
        response = self.upload(row(收费="低偿", 价格=30, 市场参考价=20, 需要报名="是"))
        messages = {(p.column, p.message) for p in response.context["problems"]}
        self.assertIn(
            ("价格", "低偿服务价格30元不低于市场参考价20元，不能按低偿服务登记。"), messages
        )
        self.assertIn(("人数上限", "需要报名的活动必须填写人数上限。"), messages)

    def test_another_centers_code_is_refused(self):
        response = self.upload(row(中心编码="T-02"))
        self.assertEqual(response.context["problems"][0].message, "“T-02”不是您可编辑的中心编码。")

    def test_export_then_upload_updates_in_place(self):
        activity = build_activity(
            self.center,
            freq="WEEKLY",
            byday="TU,TH",
            dtstart=date(2026, 12, 1),
            until=date(2026, 12, 31),
            capacity=20,
            signup_required=True,
        )
        first_ids = set(activity.occurrences.values_list("pk", flat=True))
        exported = self.client.get(URL + "export/")
        workbook = load_workbook(io.BytesIO(exported.content))
        sheet = workbook.active
        values = [cell.value for cell in sheet[3]]
        self.assertEqual(values[HEADERS.index("星期")], "周二、周四")
        sheet.cell(3, HEADERS.index("活动名称") + 1, "太极拳（提高班）")
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = self.client.post(URL, {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())})
        self.assertRedirects(response, URL)
        activity.refresh_from_db()
        self.assertEqual(activity.title, "太极拳（提高班）")
        self.assertEqual(set(activity.occurrences.values_list("pk", flat=True)), first_ids)

    def test_a_file_that_is_not_a_workbook_is_refused_in_chinese(self):
        bad = SimpleUploadedFile("x.xlsx", b"not a workbook")
        response = self.client.post(URL, {"file": bad})
        self.assertIn("无法读取这个文件", response.context["problems"][0].message)

    def test_an_editor_without_activity_rights_is_turned_away(self):
        plain = get_user_model().objects.create_user("plain", password="pw-123456")
        plain.groups.add(Group.objects.get(name="t01编辑"))
        Group.objects.get(name="t01编辑").permissions.remove(
            *Permission.objects.filter(content_type__app_label="activities")
        )
        self.client.force_login(plain)
        self.assertNotEqual(self.client.get(URL).status_code, 200)


def test_weekday_words_round_trip():
    for words, codes in [
        ("周二、周四", "TU,TH"),
        ("第二个周六", "2SA"),
        ("最后一个周五", "-1FR"),
        ("星期一,星期三", "MO,WE"),
    ]:
        assert parse_weekdays(words) == codes
    assert format_weekdays("TU,TH") == "周二、周四"
    assert format_weekdays("2SA,-1FR") == "第二个周六、最后一个周五"
