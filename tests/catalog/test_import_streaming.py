"""Big HSDS files: streamed reading, bulk writing with few queries, the same results.

The behaviour contract of the import itself is test_hsds_import_export.py; these tests
check what makes it scale: ``iter_records`` yields what ``json.load`` would (and reports
a broken line as ``parse_json`` would, without loading the file whole), and ``write``
saves a file in a number of queries that hardly grows with it, leaving Wagtail's
reference index as saving row by row did.
"""

import json
import random
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.demo import CATALOG_PATH
from catalog.hsds import HsdsImportError, import_services, iter_records, parse_json, stream, writer
from catalog.hsds.reader import read_records
from catalog.hsds.writer import write
from catalog.models import (
    Location,
    Organization,
    RequiredDocument,
    Service,
    ServiceAtLocation,
    ServiceSchedule,
)
from tests.catalog.hsds_data import demo_catalog, record_named, self_contained

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "benchmarks" / "generate_services.py"
GENERATED = 300


def lines_of(records: list) -> str:
    """A JSON array written one record per line, as the demo file and export_hsds are."""
    rows = ",\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    return f"[\n{rows}\n]\n"


@pytest.fixture(scope="module")
def generated_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / f"services-{GENERATED}.json"
    command = [sys.executable, str(GENERATOR), "--services", str(GENERATED)]
    subprocess.run([*command, "--output", str(path)], check=True, capture_output=True, cwd=ROOT)
    return path


@pytest.fixture
def no_whole_file_parse(monkeypatch):
    """Fail if the streamed reader falls back to parsing the whole file."""

    def refuse(raw):
        raise AssertionError("the file was parsed whole")

    monkeypatch.setattr(stream, "parse_json", refuse)


# -- reading: the same records as json.load -------------------------------------------------


def test_the_demo_file_streams_the_records_json_load_reads(no_whole_file_parse):
    expected = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    assert list(iter_records(CATALOG_PATH)) == expected
    assert len(expected) == 200


def test_a_generated_file_streams_the_records_json_load_reads(generated_file, no_whole_file_parse):
    expected = json.loads(generated_file.read_text(encoding="utf-8"))
    assert list(iter_records(generated_file)) == expected
    assert len(expected) == GENERATED


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        "[\n]\n",
        "[\n\n]",
        "\ufeff[\n" + '{"a": 1},\n{"b": [1, 2]}\n]\n',  # a byte order mark
        '[\r\n{"a": 1}  ,  \r\n  {"b": "逗号,结尾"}  \r\n]\r\n',  # CRLF, spaces
        '[\n{"a": 1}\n,{"b": 2}\n]',  # the comma leading the next line
        '[\n{"a": 1}, {"b": 2},\n{"c": 3}\n]',  # two records on a line
        '[\n{"a": 1},\n{"b": 2}]\n',  # "]" closing the last line
        '[\n{"a": 1},\n"not an object",\n7\n]',  # what the reader reports, not the parser
        json.dumps([{"a": 1}, {"b": {"c": [1, 2]}}], indent=2),  # pretty-printed
        json.dumps([{"a": 1}, {"b": 2}]),  # one line
    ],
)
def test_other_layouts_read_as_json_load_reads_them(tmp_path, text):
    path = tmp_path / "records.json"
    path.write_text(text, encoding="utf-8")
    assert list(iter_records(path)) == json.loads(text.removeprefix("\ufeff"))


# -- reading: a broken file is reported as parse_json reports it ----------------------------


def outcome(read) -> tuple[str, object]:
    try:
        return "records", read()
    except HsdsImportError as error:
        return "refused", [str(problem) for problem in error.problems]


def test_a_malformed_line_is_reported_with_its_line_and_column(tmp_path, no_whole_file_parse):
    records = [{"id": str(n), "name": f"服务{n}"} for n in range(5)]
    lines = lines_of(records).splitlines()
    lines[3] = '{"id": "2", "name": 服务2},'  # line 4: a text without quotes
    path = tmp_path / "broken.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(HsdsImportError) as error:
        list(iter_records(path))
    assert [str(problem) for problem in error.value.problems] == [
        "$: 文件不是有效的JSON（第4行第21列）。"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[\n{"a": 1}\n{"b": 2}\n]', "$: 文件不是有效的JSON（第3行第1列）。"),  # no comma
        ('[\n{"a": 1},\n]', "$: 文件不是有效的JSON（第3行第1列）。"),  # a comma before "]"
        ('[\n{"a": 1},\n{"b": 2', "$: 文件不是有效的JSON（第3行第8列）。"),  # cut short
        ('[\n{"a": 1},\n{"b": 2},\n', "$: 文件不是有效的JSON（第4行第1列）。"),  # no "]"
        ('[\n{"a": 1}\n]\n]', "$: 文件不是有效的JSON（第4行第1列）。"),  # after the end
        ('[\n{"a": 1} x\n]', "$: 文件不是有效的JSON（第2行第10列）。"),
        ('[\n{"a": "line\nbreak"}\n]', "$: 文件不是有效的JSON（第2行第12列）。"),
    ],
)
def test_broken_files_are_refused_as_parse_json_refuses_them(tmp_path, text, message):
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    assert outcome(lambda: list(iter_records(path))) == ("refused", [message])
    assert outcome(lambda: parse_json(text.encode())) == ("refused", [message])


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('[\n{"name": "café"}\n]\n'.encode("latin-1"))
    assert outcome(lambda: list(iter_records(path))) == (
        "refused",
        ["$: 文件不是有效的JSON。"],
    )


def test_any_damage_reads_as_json_load_would(tmp_path):
    """Delete, insert or replace a character anywhere, or cut the file short: the stream
    gives the records json.load gives, or the same refusal at the same line and column."""
    records = [
        {"id": f"{n:04d}", "名称": f"服务{n}", "tags": ["a", n, None, True], "x": {"y": 1.5}}
        for n in range(6)
    ]
    text = lines_of(records)
    chance = random.Random(7)
    path = tmp_path / "damaged.json"
    for _ in range(400):
        position = chance.randrange(len(text) + 1)
        damage = chance.choice(["delete", "insert", "replace", "cut"])
        char = chance.choice('{}[],:"\n x1-')
        damaged = {
            "delete": text[:position] + text[position + 1 :],
            "insert": text[:position] + char + text[position:],
            "replace": text[:position] + char + text[position + 1 :],
            "cut": text[:position],
        }[damage]
        path.write_text(damaged, encoding="utf-8")
        streamed = outcome(lambda: list(iter_records(path)))  # noqa: B023 - called at once
        whole = outcome(lambda: parse_json(damaged.encode()))  # noqa: B023
        assert streamed == whole, (damage, position, char, damaged)


# -- importing: the command, twice ----------------------------------------------------------


def counts() -> dict:
    models = [Service, Organization, Location, ServiceAtLocation, ServiceSchedule]
    return {model.__name__: model.objects.count() for model in [*models, RequiredDocument]}


@pytest.mark.django_db
def test_the_command_imports_a_generated_file_and_again_updates_it_in_place(generated_file):
    out, err = StringIO(), StringIO()
    call_command(
        "import_hsds", str(generated_file), "--progress-every", "100", stdout=out, stderr=err
    )
    assert f"新增 {GENERATED} 项服务，更新 0 项" in out.getvalue()
    assert "已读取并检查 100 条记录" in err.getvalue()
    assert f"已写入 {GENERATED}/{GENERATED} 项服务" in err.getvalue()
    first = counts()
    assert first["Service"] == GENERATED
    assert first["ServiceAtLocation"] > GENERATED

    out = StringIO()
    call_command("import_hsds", str(generated_file), stdout=out, stderr=StringIO())
    assert f"新增 0 项服务，更新 {GENERATED} 项" in out.getvalue()
    assert counts() == first


@pytest.mark.django_db
def test_small_files_print_no_progress(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(lines_of(demo_catalog()), encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_hsds", str(path), stdout=out, stderr=err)
    assert "新增 200 项服务" in out.getvalue()
    assert err.getvalue() == ""


# -- writing: few queries, same rows, same indexes -----------------------------------------


def queries_to_write(records: list) -> int:
    """Queries of the write phase for ``records``, into the catalog as it is (undone)."""
    with transaction.atomic():
        reader, services = read_records(records)
        assert not reader.problems
        with CaptureQueriesContext(connection) as queries:
            write(reader, services)
        transaction.set_rollback(True)
    return len(queries)


@pytest.mark.django_db
def test_writing_four_times_the_services_takes_not_twice_the_queries(generated_file):
    records = json.loads(generated_file.read_text(encoding="utf-8"))
    few, many = queries_to_write(records[:50]), queries_to_write(records[:200])
    assert many < 2 * few, (few, many)
    # Updating in place as well: the same records once more.
    import_services(records[:200])
    assert queries_to_write(records[:200]) < 2 * queries_to_write(records[:50])


@pytest.mark.django_db
def test_services_and_progress_are_written_in_batches(generated_file, monkeypatch):
    monkeypatch.setattr(writer, "BATCH_SIZE", 70)
    reported = []
    summary = import_services(
        iter_records(generated_file), progress=lambda saved, total: reported.append(saved)
    )
    assert (summary.created, summary.updated) == (GENERATED, 0)
    assert reported == [70, 140, 210, 280, 300]
    by_id = {
        record["id"]: record for record in json.loads(generated_file.read_text(encoding="utf-8"))
    }
    for service in Service.objects.prefetch_related("service_at_locations")[:40]:
        record = by_id[str(service.id)]
        assert [str(link.id) for link in service.service_at_locations.all()] == [
            link["id"] for link in record["service_at_locations"]
        ]


@pytest.mark.django_db
def test_a_place_moved_to_another_service_keeps_its_id():
    """Children with children of their own were upserted by id: one may move."""
    records = demo_catalog()
    giver = record_named(records, "老年人优待证办理")
    taker = next(
        r
        for r in records
        if r is not giver and r["organization"]["id"] == giver["organization"]["id"]
    )
    import_services(self_contained(records, giver["name"], taker["name"]))
    moved = giver["service_at_locations"][0]
    taker["service_at_locations"].append({**moved, "service_id": taker["id"]})
    second = self_contained(records, taker["name"])
    assert all(record is not giver for record in second)
    import_services(second)
    link = ServiceAtLocation.objects.get(id=moved["id"])
    assert str(link.service_id) == taker["id"]
    assert link.sort_order == len(taker["service_at_locations"]) - 1
    assert link.schedules.count() == len(moved.get("schedules", []))


@pytest.mark.django_db
def test_the_reference_index_is_as_saving_row_by_row_leaves_it():
    from wagtail.models import ReferenceIndex

    def snapshot():
        return sorted(
            ReferenceIndex.objects.values_list(
                "base_content_type", "object_id", "to_content_type", "to_object_id", "content_path"
            )
        )

    records = demo_catalog()
    import_services(records)
    import_services(records)  # and once more, updating
    after_import = snapshot()
    location = Location.objects.get(external_identifier="HHD-CH-01")
    assert ReferenceIndex.get_references_to(location).count() >= 54

    # What the save signals did one row at a time changes nothing now.
    for model in (Organization, Location, Service):
        for obj in model.objects.all():
            ReferenceIndex.create_or_update_for_object(obj)
    assert snapshot() == after_import


@pytest.mark.django_db
def test_a_large_import_leaves_postgresql_statistics_for_the_catalog_it_wrote(
    monkeypatch, django_capture_on_commit_callbacks
):
    """Right after a bulk import PostgreSQL must plan the lists for the tables' new size,
    not wait for autovacuum: the import refreshes the catalog's statistics when it commits."""
    if connection.vendor != "postgresql":
        pytest.skip("statistics are refreshed on PostgreSQL only")

    def estimated_services() -> float:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Service._meta.db_table]
            )
            return cursor.fetchone()[0]

    # A size no other test's import leaves in the statistics (they survive rollbacks).
    records = demo_catalog()
    chosen = self_contained(records, *(record["name"] for record in records[:137]))
    monkeypatch.setattr(writer, "ANALYZE_AFTER", len(chosen))
    with django_capture_on_commit_callbacks(execute=True):
        import_services(chosen[:-1])  # below the threshold: left to autovacuum
    assert estimated_services() != len(chosen) - 1
    with django_capture_on_commit_callbacks(execute=True):
        import_services(chosen)
    assert estimated_services() == Service.objects.count() == len(chosen)
