"""Excel: the template, the export of the catalog, and uploads that save all rows or none."""

import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from wagtail.models import ModelLogEntry

from catalog.excel import (
    ExcelImportError,
    build_workbook,
    import_workbook,
    service_queryset,
    workbook_bytes,
)
from catalog.excel.columns import COLUMNS
from catalog.hsds import export_services, import_services
from catalog.models import CostOption, Location, Service, ServiceAtLocation, ServiceContact
from tests.catalog.hsds_data import demo_catalog, self_contained

pytestmark = pytest.mark.django_db

HEADERS = [column.header for column in COLUMNS]
# A small catalog: a government, a low-cost and a market service, with their centers
# (and the services that bring those centers' organisations along).
SMALL = ("老年人优待证办理", "家电检修服务（低偿）", "家用电器维修")


# -- helpers -----------------------------------------------------------------------------


def export_to(path, queryset=None):
    path.write_bytes(workbook_bytes(build_workbook(service_queryset(queryset))))
    return path


class Sheet:
    """The service sheet of a saved workbook, addressed by service name and header."""

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

    def get(self, name: str, header: str):
        return self.sheet.cell(row=self.row_of(name), column=self.columns[header]).value

    def set(self, name_or_row, header: str, value) -> int:
        row = name_or_row if isinstance(name_or_row, int) else self.row_of(name_or_row)
        # Not cell(..., value=value): openpyxl ignores a value of None there.
        self.sheet.cell(row=row, column=self.columns[header]).value = value
        return row

    def swap(self, row: int, other: int) -> None:
        for column in self.columns.values():
            first = self.sheet.cell(row=row, column=column)
            second = self.sheet.cell(row=other, column=column)
            first.value, second.value = second.value, first.value

    def append(self, values: dict) -> int:
        row = self.sheet.max_row + 1
        for header, value in values.items():
            self.set(row, header, value)
        return row

    def save(self, path=None):
        self.workbook.save(path or self.path)
        return path or self.path


def problems_of(source) -> list:
    with pytest.raises(ExcelImportError) as caught:
        import_workbook(source)
    return caught.value.problems


@pytest.fixture
def small_catalog():
    import_services(self_contained(demo_catalog(), *SMALL))


@pytest.fixture
def full_catalog():
    import_services(demo_catalog())


# -- the template ------------------------------------------------------------------------


def test_the_template_has_chinese_headers_instructions_and_drop_downs(tmp_path, small_catalog):
    path = tmp_path / "template.xlsx"
    path.write_bytes(workbook_bytes(build_workbook()))
    workbook = load_workbook(path)

    assert workbook.sheetnames == ["服务目录", "填写说明", "可选值"]
    sheet = workbook["服务目录"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert HEADERS[:2] == ["服务编号", "服务名称"]
    assert sheet.max_row == 1, "the template has no rows"
    assert sheet.freeze_panes == "C2"
    assert sheet.column_dimensions["H"].width == 50  # 服务内容
    assert sheet["A1"].comment.text.startswith("系统生成的编号")

    drop_downs = {
        validation.formula1: str(validation.sqref)
        for validation in sheet.data_validations.dataValidation
    }
    kind_column = get_column_letter(HEADERS.index("服务类型") + 1)
    status_column = get_column_letter(HEADERS.index("状态") + 1)
    assert drop_downs['"政务服务,公益服务,市场服务,低偿服务"'].startswith(f"{kind_column}2:")
    assert drop_downs['"正常提供,暂不提供,临时关闭,已撤销"'].startswith(f"{status_column}2:")

    instructions = "\n".join(
        str(cell.value) for row in workbook["填写说明"].iter_rows() for cell in row if cell.value
    )
    for header in HEADERS:
        assert header in instructions
    assert "新增服务请留空" in instructions
    choices = [cell.value for cell in workbook["可选值"]["F"]]
    assert choices[0] == "办理地点编码" and "HHD-CH-01" in choices


def test_an_empty_template_uploads_without_changing_anything(tmp_path, small_catalog):
    path = tmp_path / "template.xlsx"
    path.write_bytes(workbook_bytes(build_workbook()))
    summary = import_workbook(path)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 0)


# -- the round trip on the demo catalog --------------------------------------------------


def test_export_then_import_of_the_demo_catalog_changes_nothing(tmp_path, full_catalog):
    before = export_services()  # every field and child id, as HSDS sees it
    path = export_to(tmp_path / "catalog.xlsx")

    sheet = Sheet(path)
    assert sheet.sheet.max_row == 201
    assert sheet.get("老年人优待证办理", "服务编号") == "bfaa2bb6-ef84-5993-aa76-5376522e0f98"
    assert sheet.get("老年人优待证办理", "服务类型") == "政务服务"
    assert sheet.get("老年人优待证办理", "俗称") == "老年证"
    assert (
        sheet.get("家电检修服务（低偿）", "收费项目") == "检测：0：不收费\n维修人工费：30：元/项起"
    )
    assert sheet.get("家电检修服务（低偿）", "市场参考价") == 60
    assert sheet.get("家电检修服务（低偿）", "办理地点").splitlines()[0].startswith("HHD-CH-01")

    summary = import_workbook(path)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 200)
    assert export_services() == before


def test_an_edit_updates_one_service_and_keeps_what_the_sheet_does_not_show(tmp_path, full_catalog):
    hours_per_center = Service.objects.filter(service_at_locations__schedules__isnull=False)[0]
    with_contacts = Service.objects.filter(contacts__isnull=False, schedules__isnull=False)[0]
    market = Service.objects.get(name="家用电器维修")
    before = {record["id"]: record for record in export_services()}

    sheet = Sheet(export_to(tmp_path / "catalog.xlsx"))
    sheet.set(hours_per_center.name, "服务内容", "新的服务内容。")
    phones = sheet.get(with_contacts.name, "咨询电话")
    sheet.set(with_contacts.name, "咨询电话", phones + "\n022-2611-9999：夜间咨询")
    costs = sheet.get(market.name, "收费项目").splitlines()
    costs[1] = costs[1].replace("150", "160")
    sheet.set(market.name, "收费项目", "\n".join(costs))
    summary = import_workbook(sheet.save())

    assert (summary.created, summary.updated, summary.unchanged) == (0, 3, 197)
    after = {record["id"]: record for record in export_services()}
    edited = {str(hours_per_center.id), str(with_contacts.id), str(market.id)}
    for service_id, record in before.items():
        if service_id not in edited:
            assert after[service_id] == record

    # What Excel does not carry is untouched: per-center hours, contacts, schedules…
    first, then = before[str(hours_per_center.id)], after[str(hours_per_center.id)]
    assert then["description"] == "新的服务内容。"
    for key in ("service_at_locations", "schedules", "contacts", "languages", "service_areas"):
        assert then.get(key) == first.get(key), key
    assert then["last_modified"] != first["last_modified"]

    first, then = before[str(with_contacts.id)], after[str(with_contacts.id)]
    assert then["phones"][:-1] == first["phones"]
    assert then["phones"][-1]["number"] == "022-2611-9999"
    assert then["phones"][-1]["description"] == "夜间咨询"
    for key in ("contacts", "schedules", "languages", "service_areas", "cost_options"):
        assert then.get(key) == first.get(key), key

    # A cost item keeps its id, currency and start date when only its amount changes.
    first, then = before[str(market.id)], after[str(market.id)]
    assert [option["id"] for option in then["cost_options"]] == [
        option["id"] for option in first["cost_options"]
    ]
    assert then["cost_options"][1]["amount"] == 160
    assert then["cost_options"][1]["valid_from"] == first["cost_options"][1]["valid_from"]


# -- new services and renames ------------------------------------------------------------


def test_a_row_without_id_creates_a_service_with_its_lines(tmp_path, small_catalog):
    sheet = Sheet(export_to(tmp_path / "catalog.xlsx"))
    row = sheet.append(
        {
            "服务名称": "社区助浴服务",
            "服务类型": "低偿服务",
            "服务领域": "养老、便民生活",
            "服务对象": "老年人",
            "服务内容": "为行动不便的老年人提供上门助浴。",
            "最低年龄": 60,
            "申请材料": "居民身份证\n老年人优待证",
            "收费标准": "每次40元，低保家庭免费。",
            "收费项目": "上门助浴：40：元/次\n低保家庭：0：元/次",
            "市场参考价": 80,
            "办理渠道": "预约办、网上办",
            "网上办网址": "https://zwfw.jinhai.example.gov.cn/item/zhuyu",
            "办理地点": "HHD-CH-01 社区服务台（预约）\nHHD-XY-02",
            "咨询电话": "022-2611-0101转8：预约电话",
            "服务提供方": "津海惠邻家电维修服务有限公司",
            "最近核实日期": "2026/11/20",
            "核实人邮箱": "bianji.haihedong@haihedong.example.gov.cn",
        }
    )
    existing = Service.objects.count()
    summary = import_workbook(sheet.save())

    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, existing)
    service = Service.objects.get(name="社区助浴服务")
    assert (service.kind, service.status, service.minimum_age) == ("low_cost", "active", 60)
    assert service.market_reference_price == Decimal("80")
    assert sorted(term.name for term in service.topics.all()) == ["便民生活", "养老"]
    assert [d.document for d in service.required_documents.all()] == ["居民身份证", "老年人优待证"]
    assert [(o.option, o.amount) for o in service.cost_options.all()] == [
        ("上门助浴", Decimal("40")),
        ("低保家庭", Decimal("0")),
    ]
    assert [(c.channel, c.url) for c in service.channels.all()] == [
        ("appointment", ""),
        ("online", "https://zwfw.jinhai.example.gov.cn/item/zhuyu"),
    ]
    places = [
        (link.location.external_identifier, link.description)
        for link in service.service_at_locations.all()
    ]
    assert places == [("HHD-CH-01", "社区服务台（预约）"), ("HHD-XY-02", "")]
    phone = service.phones.get()
    assert (phone.number, phone.extension, phone.description) == ("022-2611-0101", "8", "预约电话")
    assert service.assured_date.isoformat() == "2026-11-20"
    assert service.last_modified is not None
    assert row == existing + 2


def test_two_services_may_swap_names_in_one_upload(tmp_path, small_catalog):
    sheet = Sheet(export_to(tmp_path / "catalog.xlsx"))
    first, second = sheet.row_of("家用电器维修"), sheet.row_of("家电检修服务（低偿）")
    sheet.set(first, "服务名称", "家电检修服务（低偿）")
    sheet.set(second, "服务名称", "家用电器维修")
    ids = {name: Service.objects.get(name=name).id for name in SMALL}
    summary = import_workbook(sheet.save())
    assert summary.updated == 2
    assert Service.objects.get(name="家电检修服务（低偿）").id == ids["家用电器维修"]


# -- refusals: every problem at its row and column, nothing saved -------------------------


BAD_CELLS = [
    # (service row, cell edited, new value, column the problem is reported in, message)
    pytest.param(
        "老年人优待证办理",
        "服务类型",
        "政府服务",
        "服务类型",
        "“政府服务”不是有效的服务类型，应为 政务服务、公益服务、市场服务、低偿服务 之一。",
        id="unknown-kind",
    ),
    pytest.param(
        "老年人优待证办理",
        "服务领域",
        "养老、旅游",
        "服务领域",
        "“旅游”不是有效的服务领域",
        id="unknown-topic",
    ),
    pytest.param(
        "老年人优待证办理",
        "最近核实日期",
        "2026-13-45",
        "最近核实日期",
        "“2026-13-45”不是有效日期，应为YYYY-MM-DD。",
        id="bad-date",
    ),
    pytest.param(
        "家电检修服务（低偿）",
        "收费项目",
        "检测：0：不收费\n维修人工费：60：元/项起",
        "收费项目",
        "第2项“维修人工费”：低偿服务价格60元不低于市场参考价60元，不能按低偿服务登记。",
        id="low-cost-at-market-price",
    ),
    pytest.param(
        "家电检修服务（低偿）",
        "市场参考价",
        None,
        "市场参考价",
        "低偿服务必须注明市场参考价",
        id="low-cost-without-reference-price",
    ),
    pytest.param(
        "家用电器维修", "服务名称", None, "服务名称", "必填，不能为空。", id="missing-name"
    ),
    pytest.param(
        "老年人优待证办理",
        "服务名称",
        "家用电器维修",
        "服务名称",
        "服务名称“家用电器维修”与第",
        id="duplicate-name",
    ),
    pytest.param(
        "家用电器维修",
        "办理地点",
        "HHD-CH-01 便民服务台\nHHD-XX-09 一站式服务窗口",
        "办理地点",
        "第2个办理地点“HHD-XX-09”不是已知的服务中心编码",
        id="unknown-center",
    ),
    pytest.param(
        "家用电器维修",
        "服务提供方",
        "不存在的公司",
        "服务提供方",
        "服务提供方“不存在的公司”不存在",
        id="unknown-organization",
    ),
    pytest.param(
        "老年人优待证办理",
        "收费标准",
        "按规定收取。",
        "收费标准",
        "免费服务的收费标准须写明“不收费”。",
        id="free-kind-without-free-wording",
    ),
    pytest.param(
        "家用电器维修",
        "办理渠道",
        "窗口办、指尖办",
        "指尖办网址",
        "“指尖办”须填写以http(s)://开头的办理入口网址。",
        id="mobile-channel-without-url",
    ),
    pytest.param(
        "家用电器维修",
        "最高年龄",
        10,
        "最高年龄",
        "最高年龄（10）不能小于最低年龄（18）。",
        id="maximum-below-minimum-age",
    ),
    pytest.param(
        "家用电器维修",
        "服务编号",
        str(uuid.uuid4()),
        "服务编号",
        "服务目录中没有这个服务编号",
        id="unknown-id",
    ),
]


@pytest.mark.parametrize(("service", "header", "value", "column", "message"), BAD_CELLS)
def test_a_bad_cell_is_reported_at_its_row_and_column_and_nothing_is_saved(
    tmp_path, small_catalog, service, header, value, column, message
):
    before = export_services()
    sheet = Sheet(export_to(tmp_path / "catalog.xlsx"))
    # A valid edit in another row, which must not be saved either.
    other = next(name for name in SMALL if name != service)
    sheet.set(other, "服务内容", "这条修改不应保存。")
    if header == "最高年龄":
        sheet.set(service, "最低年龄", 18)
    row = sheet.set(service, header, value)

    problems = problems_of(sheet.save())

    assert [(p.row, p.column) for p in problems] == [(row, column)], [str(p) for p in problems]
    assert message in problems[0].message
    assert problems[0].path == f"rows[{row}].{column}"
    assert str(problems[0]).startswith(f"第{row}行「{column}」：")
    assert export_services() == before


def test_the_kind_message_reads_as_editors_expect(tmp_path, small_catalog):
    sheet = Sheet(export_to(tmp_path / "catalog.xlsx"))
    sheet.swap(sheet.row_of("老年人优待证办理"), 5)
    sheet.set(5, "服务类型", "政府服务")
    (problem,) = problems_of(sheet.save())
    assert str(problem) == (
        "第5行「服务类型」：“政府服务”不是有效的服务类型，"
        "应为 政务服务、公益服务、市场服务、低偿服务 之一。"
    )
    assert problem.path == "rows[5].服务类型"


def test_every_problem_of_every_row_is_listed_at_once(tmp_path, small_catalog):
    sheet = Sheet(export_to(tmp_path / "catalog.xlsx"))
    sheet.set("老年人优待证办理", "服务类型", "政府服务")
    sheet.set("老年人优待证办理", "最低年龄", "六十")
    sheet.set("家用电器维修", "核实人邮箱", "不是邮箱")
    new_row = sheet.append(
        {"服务类型": "公益服务", "服务内容": "缺少名称的新服务。", "收费标准": "不收费"}
    )
    problems = problems_of(sheet.save())
    places = [(p.row, p.column) for p in problems]
    assert len(places) == 4, [str(p) for p in problems]
    assert (new_row, "服务名称") in places
    assert [row for row, _ in places] == sorted(row for row, _ in places)


def test_a_name_already_used_by_a_service_outside_the_sheet_is_refused(tmp_path, small_catalog):
    path = export_to(tmp_path / "one.xlsx", Service.objects.filter(name="家用电器维修"))
    sheet = Sheet(path)
    sheet.set("家用电器维修", "服务名称", "老年人优待证办理")
    (problem,) = problems_of(sheet.save())
    assert problem.column == "服务名称"
    assert "已被另一项服务使用" in problem.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a spreadsheet", "无法读取文件"),
        ("服务名称,服务类型\n测试,政务服务\n".encode(), "无法读取文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "旧版Excel（.xls）"),
        (b"PK\x03\x04broken zip", "无法读取文件"),
    ],
    ids=["text", "csv", "xls", "corrupt-zip"],
)
def test_a_file_that_is_not_an_xlsx_is_refused_in_chinese(tmp_path, content, message):
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content)
    (problem,) = problems_of(path)
    assert problem.row is None and problem.path == "file"
    assert message in problem.message
    assert str(problem).startswith("文件：")


def test_a_sheet_without_the_template_columns_is_refused(tmp_path, small_catalog):
    workbook = Workbook()
    workbook.active.append([h for h in HEADERS if h != "服务类型"])
    workbook.active.append(["", "新服务"])
    path = tmp_path / "columns.xlsx"
    workbook.save(path)
    (problem,) = problems_of(path)
    assert (problem.row, problem.column) == (1, "服务类型")
    assert "缺少这一列" in problem.message
    assert not Service.objects.filter(name="新服务").exists()


# -- permissions -------------------------------------------------------------------------


def editor_with(*codenames):
    user = get_user_model().objects.create_user("excel-editor", password="pw-excel-123")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", *codenames]))
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


def test_creating_a_service_needs_the_add_permission(tmp_path, small_catalog):
    user = editor_with("change_service")
    sheet = Sheet(export_to(tmp_path / "catalog.xlsx"))
    row = sheet.append(
        {"服务名称": "新服务", "服务类型": "公益服务", "服务内容": "内容。", "收费标准": "不收费"}
    )
    with pytest.raises(ExcelImportError) as caught:
        import_workbook(sheet.save(), user=user)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (row, "服务编号")
    assert "没有新增服务的权限" in problem.message


def test_unchanged_rows_need_no_permission_but_changed_ones_do(tmp_path, small_catalog):
    user = editor_with()
    path = export_to(tmp_path / "catalog.xlsx")
    assert import_workbook(path, user=user).unchanged == Service.objects.count()
    sheet = Sheet(path)
    row = sheet.set("家用电器维修", "俗称", "修家电")
    with pytest.raises(ExcelImportError) as caught:
        import_workbook(sheet.save(), user=user)
    assert [(p.row, p.column) for p in caught.value.problems] == [(row, "服务编号")]


# -- the admin page ----------------------------------------------------------------------


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("excel-admin", password="pw-admin-123")
    client.force_login(user)
    return client


def test_the_admin_page_offers_both_downloads_and_the_upload(superuser_client, small_catalog):
    response = superuser_client.get("/admin/catalog/excel/")
    assert response.status_code == 200
    content = response.content.decode()
    assert f"导出当前服务目录（{Service.objects.count()} 项）" in content
    assert "下载空白模板" in content
    assert 'enctype="multipart/form-data"' in content
    assert "/admin/catalog/excel/" in superuser_client.get("/admin/").content.decode()  # menu

    export = superuser_client.get("/admin/catalog/excel/export/")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in export["Content-Disposition"]
    template = superuser_client.get("/admin/catalog/excel/template/")
    assert template.status_code == 200


def test_an_upload_through_the_admin_lists_problems_or_reports_counts(
    superuser_client, small_catalog, tmp_path
):
    path = export_to(tmp_path / "catalog.xlsx")
    with path.open("rb") as upload:
        response = superuser_client.post("/admin/catalog/excel/", {"file": upload}, follow=True)
    summary = f"新增 0 项服务，更新 0 项，{Service.objects.count()} 项无变化。"
    assert summary in response.content.decode()

    sheet = Sheet(path)
    row = sheet.set("老年人优待证办理", "服务类型", "政府服务")
    sheet.save()
    with path.open("rb") as upload:
        response = superuser_client.post("/admin/catalog/excel/", {"file": upload})
    content = response.content.decode()
    assert response.status_code == 200
    assert "所有修改均未保存" in content
    assert f'data-path="rows[{row}].服务类型"' in content
    assert "“政府服务”不是有效的服务类型" in content


def test_the_admin_refuses_other_file_types_and_users_without_permission(
    superuser_client, client, tmp_path
):
    path = tmp_path / "catalog.csv"
    path.write_text("服务名称\n测试\n", encoding="utf-8")
    with path.open("rb") as upload:
        response = superuser_client.post("/admin/catalog/excel/", {"file": upload})
    assert "只能上传.xlsx格式的Excel文件" in response.content.decode()

    client.force_login(editor_with())
    assert client.get("/admin/catalog/excel/").status_code == 302
    assert client.get("/admin/catalog/excel/export/").status_code == 302
    assert "/admin/catalog/excel/" not in client.get("/admin/").content.decode()


def test_costs_contacts_and_places_keep_their_ids_on_a_round_trip(tmp_path, small_catalog):
    ids = {
        model: set(model.objects.values_list("id", flat=True))
        for model in (CostOption, ServiceAtLocation, ServiceContact)
    }
    import_workbook(export_to(tmp_path / "catalog.xlsx"))
    for model, before in ids.items():
        assert set(model.objects.values_list("id", flat=True)) == before


def test_a_sheet_of_something_else_gets_one_message_not_one_per_column(tmp_path):
    workbook = Workbook()
    workbook.active.append(["姓名", "电话"])
    workbook.active.append(["张三", "13800138000"])
    path = tmp_path / "other.xlsx"
    workbook.save(path)
    (problem,) = problems_of(path)
    assert (problem.row, problem.path) == (1, "rows[1]")
    assert "没有找到服务目录的列名" in problem.message


def test_a_url_the_sheet_has_no_column_for_is_kept(tmp_path, small_catalog):
    service = Service.objects.get(name="家用电器维修")
    channel = service.channels.first()
    channel.url = "https://example.com/booking"
    channel.save()
    summary = import_workbook(export_to(tmp_path / "catalog.xlsx"))
    assert summary.updated == 0
    channel.refresh_from_db()
    assert channel.url == "https://example.com/booking"


def test_an_editor_may_not_change_services_outside_their_centers(tmp_path, small_catalog):
    user = editor_with("change_service")  # model permission, but no center of their own
    sheet = Sheet(export_to(tmp_path / "catalog.xlsx"))
    row = sheet.set("家用电器维修", "俗称", "修家电")
    with pytest.raises(ExcelImportError) as caught:
        import_workbook(sheet.save(), user=user)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (row, "服务编号")
    assert "您无权修改这项服务" in problem.message


def test_changes_are_logged_in_the_history_under_the_uploader(
    superuser_client, small_catalog, tmp_path
):
    sheet = Sheet(export_to(tmp_path / "catalog.xlsx"))
    sheet.set("家用电器维修", "俗称", "修家电")
    path = sheet.save()
    with path.open("rb") as upload:
        response = superuser_client.post("/admin/catalog/excel/", {"file": upload}, follow=True)
    assert "更新 1 项" in response.content.decode()
    service = Service.objects.get(name="家用电器维修")
    assert service.alternate_name == "修家电"
    (entry,) = ModelLogEntry.objects.filter(object_id=str(service.pk))
    assert (entry.action, entry.user.username) == ("wagtail.edit", "excel-admin")


# -- the shared writer -------------------------------------------------------------------


def test_adding_a_place_keeps_the_other_places_own_hours(tmp_path, full_catalog):
    link = ServiceAtLocation.objects.filter(schedules__isnull=False).first()
    service, hours = link.service, list(link.schedules.values_list("id", flat=True))
    offered_at = list(service.service_at_locations.values_list("location_id", flat=True))
    other = Location.objects.exclude(id__in=offered_at).exclude(external_identifier="").first()
    sheet = Sheet(export_to(tmp_path / "catalog.xlsx"))
    places = sheet.get(service.name, "办理地点")
    sheet.set(service.name, "办理地点", f"{places}\n{other.external_identifier} 便民服务台")
    summary = import_workbook(sheet.save())

    assert (summary.created, summary.updated) == (0, 1)
    kept = ServiceAtLocation.objects.get(id=link.id)
    assert list(kept.schedules.values_list("id", flat=True)) == hours
    added = service.service_at_locations.get(location=other)
    assert (added.description, added.sort_order) == ("便民服务台", len(offered_at))


def test_an_upload_is_searchable_once_committed(
    tmp_path, small_catalog, django_capture_on_commit_callbacks
):
    from search.catalog import search_catalog

    sheet = Sheet(export_to(tmp_path / "catalog.xlsx"))
    sheet.set("家用电器维修", "关键词", "修冰箱")
    with django_capture_on_commit_callbacks(execute=True):
        import_workbook(sheet.save())
    result, _ = search_catalog({"q": "修冰箱"}, log=False)
    assert [hit.service.name for hit in result.hits] == ["家用电器维修"]
