"""积分导入: an xlsx of entries for one center, all or nothing, in the admin."""

from datetime import date, datetime
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from catalog.excel.problems import ExcelImportError
from catalog.opening import LOCAL_TZ
from honors import excel, ledger
from honors.models import Participant, PointsEntry
from tests.district.builders import build_center, build_home, build_street
from tests.honors.builders import participant

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "手机号", "志愿者编号", "积分", "事由", "日期"]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2026, 12, 6, 10, 0, tzinfo=LOCAL_TZ), tick=False):
        yield


@pytest.fixture
def centers():
    street = build_street(build_home())
    return build_center(street, "T-01"), build_center(street, "T-02")


@pytest.fixture
def center(centers):
    return centers[0]


def xlsx(rows, headers=HEADERS, name="积分.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


GOOD_ROWS = [
    ["张晓明", "139 1234 5678", "", 10, "社区志愿服务", "2026-11-15"],
    ["李华", "", "V-0012", 5, "垃圾分类宣传", datetime(2026, 11, 20)],
    ["张晓明", "13912345678", "", -2, "扣分：未按时到岗", "2026/11/21"],
]


def test_a_good_file_records_every_row(center):
    summary = excel.import_points(xlsx(GOOD_ROWS), center=center)
    assert (summary.entries, summary.points, summary.participants) == (3, 13, 2)
    zhang = Participant.objects.get(mobile="13912345678")
    assert ledger.total(zhang) == 8
    li = Participant.objects.get(volunteer_number="V-0012")
    entry = li.entries.get()
    assert (entry.source, entry.date, entry.center) == ("import", date(2026, 11, 20), center)


def test_one_bad_row_saves_nothing_and_is_named(center):
    rows = [*GOOD_ROWS, ["王奶奶", "12345", "", "十分", "", "2026-13-01"]]
    with pytest.raises(ExcelImportError) as refused:
        excel.import_points(xlsx(rows), center=center)
    places = {(problem.row, problem.column) for problem in refused.value.problems}
    assert places == {(5, "手机号"), (5, "积分"), (5, "事由"), (5, "日期")}
    assert not PointsEntry.objects.exists()
    assert not Participant.objects.exists()


def test_a_file_without_the_columns_is_refused(center):
    with pytest.raises(ExcelImportError, match="缺少列：积分、手机号（或志愿者编号）"):
        excel.import_points(
            xlsx([["张晓明", "x"]], headers=["姓名", "事由", "日期"]), center=center
        )


def test_the_template_reads_back_as_an_import(center):
    upload = SimpleUploadedFile("模板.xlsx", excel.workbook_bytes(excel.template_workbook()))
    summary = excel.import_points(upload, center=center)
    assert summary.entries == 1  # the example row
    sheet = load_workbook(BytesIO(excel.workbook_bytes(excel.template_workbook()))).active
    assert [cell.value for cell in sheet[1]] == HEADERS


# -- the admin page ------------------------------------------------------------------------


@pytest.fixture
def community_editor(centers):
    from tests.activities.builders import editor

    return editor("community", centers[0], codenames=[])


def test_the_admin_import_keeps_the_choice_and_lists_problems(client, centers, community_editor):
    own, other = centers
    client.force_login(community_editor)
    url = reverse("honors_ledger:import")
    page = client.get(url).content.decode()
    assert "积分导入" in page and "下载积分导入模板" in page

    rows = [*GOOD_ROWS, ["王奶奶", "13900000003", "", 3, "", "2026-11-30"]]
    response = client.post(url, {"center": own.pk, "file": xlsx(rows)})
    text = response.content.decode()
    assert response.status_code == 200
    assert "所有积分记录均未保存" in text and "第5行" in text and "事由" in text
    assert f'<option value="{own.pk}" selected>' in text
    assert not PointsEntry.objects.exists()

    response = client.post(url, {"center": own.pk, "file": xlsx(GOOD_ROWS)})
    assert response.status_code == 302
    assert PointsEntry.objects.filter(center=own, source="import").count() == 3


def test_an_editor_cannot_import_for_another_center(client, centers, community_editor):
    own, other = centers
    client.force_login(community_editor)
    response = client.post(
        reverse("honors_ledger:import"), {"center": other.pk, "file": xlsx(GOOD_ROWS)}
    )
    assert response.status_code == 200
    assert not PointsEntry.objects.exists()


def test_the_template_downloads(client, center, community_editor):
    client.force_login(community_editor)
    response = client.get(reverse("honors_ledger:template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == HEADERS


def test_existing_participants_are_found_not_duplicated(center):
    known = participant(center, "张晓明", "13912345678")
    excel.import_points(xlsx(GOOD_ROWS[:1]), center=center)
    assert Participant.objects.filter(mobile="13912345678").get() == known
