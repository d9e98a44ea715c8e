"""HSDS as a tabular data package: CSV files and a datapackage.json that frictionless
accepts, read back into the catalog with nothing lost and nothing saved when a row is wrong."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from frictionless import validate

from catalog.hsds import HsdsImportError, export_services, import_services
from catalog.hsds.tabular import import_package, write_package
from catalog.models import Location, Organization, Service
from tests.catalog.hsds_data import demo_catalog

pytestmark = pytest.mark.django_db

PACKAGE_FILES = {
    "datapackage.json",
    "organizations.csv",
    "services.csv",
    "attributes.csv",
    "service_at_location.csv",
    "locations.csv",
    "phones.csv",
    "contacts.csv",
    "addresses.csv",
    "schedules.csv",
    "service_areas.csv",
    "required_documents.csv",
    "languages.csv",
    "accessibility.csv",
    "taxonomy_terms.csv",
    "cost_options.csv",
    "taxonomies.csv",
}


@pytest.fixture
def catalog():
    import_services(demo_catalog())


@pytest.fixture
def package(catalog, tmp_path):
    directory = tmp_path / "hsds"
    write_package(directory)
    return directory


def read_table(path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames), list(reader)


def write_table(path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, header)
        writer.writeheader()
        writer.writerows(rows)


def empty_the_catalog() -> None:
    Service.objects.all().delete()
    Location.objects.all().delete()
    Organization.objects.all().delete()


def refused(path) -> list[str]:
    """The package is refused, and the catalog is as it was."""
    before = export_services()
    with pytest.raises(HsdsImportError) as error:
        import_package(path)
    assert export_services() == before, "a refused import changed the catalog"
    return [str(problem) for problem in error.value.problems]


def row_of(rows: list[dict], **values) -> tuple[int, dict]:
    """The first row with these values, and its row number as a spreadsheet shows it."""
    for index, row in enumerate(rows):
        if all(row[key] == value for key, value in values.items()):
            return index + 2, row
    raise LookupError(values)


# -- out ----------------------------------------------------------------------------------


def test_frictionless_accepts_the_package_of_the_demo_catalog(package):
    report = validate(package / "datapackage.json")
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "note"])[:20]
    assert {path.name for path in package.iterdir()} == PACKAGE_FILES
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    # Upstream's layout: services name their organisation, a service at a location both ends.
    assert resources["service"]["schema"]["foreignKeys"] == [
        {"fields": "organization_id", "reference": {"resource": "organization", "fields": "id"}}
    ]
    assert {fk["fields"] for fk in resources["service_at_location"]["schema"]["foreignKeys"]} == {
        "service_id",
        "location_id",
    }
    assert len(read_table(package / "services.csv")[1]) == 200
    assert len(read_table(package / "organizations.csv")[1]) == 79
    assert len(read_table(package / "locations.csv")[1]) == 9


def test_every_column_of_a_service_is_the_schemas_and_times_are_table_schema_times(package):
    header, rows = read_table(package / "services.csv")
    assert header[:4] == ["id", "organization_id", "program_id", "name"]
    _, senior_card = row_of(rows, name="老年人优待证办理")
    assert senior_card["minimum_age"] == "60"
    assert senior_card["last_modified"] == "2025-02-15T09:49:57.000+08:00"
    _, schedules = read_table(package / "schedules.csv")
    _, schedule = row_of(schedules, service_id=senior_card["id"])
    assert (schedule["opens_at"], schedule["closes_at"]) == ("09:00:00+08:00", "11:30:00+08:00")


def test_an_organisation_known_only_by_its_center_is_in_the_package(catalog, tmp_path):
    center = Location.objects.get(name="海河东区政务服务中心")
    Service.objects.filter(organization=center.organization).delete()
    write_package(tmp_path)
    _, organizations = read_table(tmp_path / "organizations.csv")
    assert str(center.organization_id) in {row["id"] for row in organizations}
    assert validate(tmp_path / "datapackage.json").valid


# -- round trip ---------------------------------------------------------------------------


def test_json_to_tabular_to_json_loses_nothing(package):
    first = export_services()
    empty_the_catalog()
    summary = import_package(package)
    assert (summary.created, summary.updated) == (200, 0)
    assert (summary.organizations, summary.locations) == (79, 9)
    assert export_services() == first


def test_importing_the_package_again_updates_in_place(package):
    first = export_services()
    summary = import_package(package / "datapackage.json")
    assert (summary.created, summary.updated) == (0, 200)
    assert Service.objects.count() == 200
    assert export_services() == first


# -- refused packages ---------------------------------------------------------------------


def test_a_service_naming_a_missing_organisation_is_refused_at_its_row(package):
    header, rows = read_table(package / "services.csv")
    line, row = row_of(rows, name="老年人优待证办理")
    row["organization_id"] = "00000000-0000-4000-8000-000000000000"
    row["description"] = "不应保存的修改。"
    write_table(package / "services.csv", header, rows)
    assert refused(package) == [
        f"services.csv 第{line}行 organization_id："
        "“00000000-0000-4000-8000-000000000000”在 organizations.csv 中没有对应的记录。"
    ]


def test_a_missing_required_column_is_refused(package):
    header, rows = read_table(package / "addresses.csv")
    header.remove("postal_code")
    for row in rows:
        del row["postal_code"]
    write_table(package / "addresses.csv", header, rows)
    assert refused(package) == ["addresses.csv：缺少必填列 postal_code。"]


def test_a_bad_number_is_refused_at_its_cell(package):
    header, rows = read_table(package / "services.csv")
    line, row = row_of(rows, name="老年人优待证办理")
    row["minimum_age"] = "六十"
    write_table(package / "services.csv", header, rows)
    assert refused(package) == [f"services.csv 第{line}行 minimum_age：“六十”不是有效的数字。"]


def test_what_the_record_reader_finds_is_reported_at_the_row_it_came_from(package):
    header, rows = read_table(package / "addresses.csv")
    address_line, address = row_of(rows)
    address["postal_code"] = ""
    write_table(package / "addresses.csv", header, rows)
    header, rows = read_table(package / "services.csv")
    service_line, service = row_of(rows, name="老年人优待证办理")
    service["status"] = "closed"
    write_table(package / "services.csv", header, rows)
    header, rows = read_table(package / "attributes.csv")
    kind_line, kind = row_of(rows, link_id=service["id"], link_type="service_kind")
    rows.remove(kind)
    write_table(package / "attributes.csv", header, rows)

    problems = refused(package)
    assert f"addresses.csv 第{address_line}行 postal_code：缺少必填字段。" in problems
    assert (
        f"services.csv 第{service_line}行 status：状态“closed”无效，"
        "应为 active / defunct / inactive / temporarily closed 之一。"
    ) in problems
    assert any(
        problem.startswith(f"services.csv 第{service_line}行（attributes.csv）：每项服务必须")
        for problem in problems
    ), problems
    assert len(problems) == 3, problems


def test_a_row_belonging_to_nothing_and_a_dangling_link_are_refused(package):
    header, rows = read_table(package / "phones.csv")
    phone_line, phone = row_of(rows)
    for column in ("service_id", "organization_id", "location_id", "contact_id"):
        phone[column] = ""
    write_table(package / "phones.csv", header, rows)
    header, rows = read_table(package / "attributes.csv")
    attribute_line, attribute = row_of(rows, link_entity="schedule")
    attribute["link_id"] = "11111111-1111-4111-8111-111111111111"
    write_table(package / "attributes.csv", header, rows)
    assert refused(package) == [
        f"attributes.csv 第{attribute_line}行 link_id："
        "“11111111-1111-4111-8111-111111111111”在 schedules.csv 中没有对应的记录。",
        f"phones.csv 第{phone_line}行：没有所属记录：应填写 contact_id、service_at_location_id、"
        "service_id、location_id、organization_id 之一。",
    ]


def test_files_that_are_missing_or_not_utf8_are_refused(package):
    (package / "organizations.csv").unlink()
    text = (package / "contacts.csv").read_text(encoding="utf-8")
    (package / "contacts.csv").write_bytes(text.encode("gb18030"))
    assert refused(package) == [
        "organizations.csv：文件不存在（datapackage.json 列出了它）。",
        "contacts.csv：不是UTF-8编码的文本（用Excel保存时请选“CSV UTF-8”）。",
    ]
    # Without a descriptor, a file is wanted when a row names one of its records.
    (package / "datapackage.json").unlink()
    (package / "contacts.csv").write_text(text, encoding="utf-8")
    problems = refused(package)
    assert len(problems) == 1 and problems[0].startswith(
        "organizations.csv：数据包中没有这个文件，而 services.csv 第2行 organization_id 等引用了其中的记录"
    ), problems


def test_a_name_used_twice_is_reported_at_both_rows(package):
    header, rows = read_table(package / "services.csv")
    first_line, first = row_of(rows, name="老年人优待证办理")
    second_line, second = row_of(rows, name=rows[-1]["name"])
    second["name"] = first["name"]
    write_table(package / "services.csv", header, rows)
    assert refused(package) == [
        f"services.csv 第{second_line}行 name："
        f"服务名称“老年人优待证办理”与 services.csv 第{first_line}行 重复。",
        # The catalog holds it already, under the first row's id.
        f"services.csv：服务名称“老年人优待证办理”已被另一项服务（{first['id']}）使用。",
    ]


def test_the_descriptor_names_the_files(package):
    (package / "services.csv").rename(package / "fuwu.csv")
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "service":
            resource["path"] = "fuwu.csv"
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    header, rows = read_table(package / "fuwu.csv")
    line, row = row_of(rows, name="老年人优待证办理")
    row["minimum_age"] = "1.5.0"
    write_table(package / "fuwu.csv", header, rows)
    assert refused(package) == [f"fuwu.csv 第{line}行 minimum_age：“1.5.0”不是有效的数字。"]

    (package / "languages.csv").unlink()
    assert refused(package / "datapackage.json") == [
        f"fuwu.csv 第{line}行 minimum_age：“1.5.0”不是有效的数字。",
        "languages.csv：文件不存在（datapackage.json 列出了它）。",
    ]
    # A file the descriptor does not list is not the package's.
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "language"]
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (package / "languages.csv").write_text("不是CSV的内容\n", encoding="utf-8")
    assert refused(package / "datapackage.json") == [
        f"fuwu.csv 第{line}行 minimum_age：“1.5.0”不是有效的数字。",
    ]


# -- the commands -------------------------------------------------------------------------


def test_the_commands_write_and_read_a_package(catalog, tmp_path):
    directory = tmp_path / "out"
    out = StringIO()
    call_command("export_hsds", "--format", "tabular", "--validate", str(directory), stdout=out)
    assert "200" in out.getvalue() and str(directory) in out.getvalue()
    assert {path.name for path in directory.iterdir()} == PACKAGE_FILES
    first = export_services()
    empty_the_catalog()

    out = StringIO()
    call_command("import_hsds", str(directory / "datapackage.json"), stdout=out)
    assert "新增 200 项服务" in out.getvalue()
    assert export_services() == first

    # The JSON form stays the default, a file named as before.
    target = tmp_path / "catalog.json"
    call_command("export_hsds", str(target), stdout=StringIO())
    assert json.loads(target.read_text(encoding="utf-8")) == first


def test_the_import_command_lists_the_rows_and_saves_nothing(package):
    header, rows = read_table(package / "services.csv")
    line, row = row_of(rows, name="老年人优待证办理")
    row["minimum_age"] = "-"
    write_table(package / "services.csv", header, rows)
    err = StringIO()
    with pytest.raises(CommandError, match="共1个问题，未做任何修改"):
        call_command("import_hsds", str(package), stdout=StringIO(), stderr=err)
    assert f"services.csv 第{line}行 minimum_age：“-”不是有效的数字。" in err.getvalue()
