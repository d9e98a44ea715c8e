"""HSDS 3.1 as a tabular data package: one CSV per entity and a ``datapackage.json``.

The layout is upstream's (Open Referral's ``datapackage.json``, generated from the same
schemas by their hsds_schema_tools): each entity schema in ``schema/`` names its file
(``path``), its resource metadata (``datapackage_metadata``) and the columns a CSV must fill
beyond the JSON ``required`` (``tabular_required``); its scalar properties are the columns,
``datapackage_type`` overriding the JSON type; an array of another entity in schema X gives
that entity's CSV a foreign key ``X_id``, an embedded object of entity T gives X's CSV a
``T_id``. The package holds the entities a full service record carries (``CARRIED``), so
every foreign key points at a file in the package and ``frictionless validate`` can check
them all.

Out: ``write_package(directory)`` flattens ``export_services()``; each organisation,
location and taxonomy term is written once. In: ``read_package(path)`` checks the files
(every problem at ``文件 第N行 列``, rows numbered as a spreadsheet shows them, the header
being row 1) and rebuilds the full service records, which ``import_package`` hands to the
JSON form's reader and writer; the reader's problems are translated back to the file, row
and column they came from.
"""

from __future__ import annotations

import csv
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path, PurePosixPath

from catalog.hsds.conventions import SERVICE_ARRAYS
from catalog.hsds.problems import HsdsImportError, Problem

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

DESCRIPTOR = "datapackage.json"
ROOT = "service"

#: What a full service record carries (``catalog.hsds.exporter``): entity -> its nested
#: properties, arrays and objects, each of the entity its schema's ``$ref`` names.
CARRIED = {
    "service": ("organization", *SERVICE_ARRAYS),
    "organization": ("phones",),
    "service_at_location": ("schedules", "location"),
    "location": ("addresses", "phones", "schedules", "accessibility"),
    "schedule": ("attributes",),
    "contact": ("phones",),
    "attribute": ("taxonomy_term",),
    "taxonomy_term": ("taxonomy_detail",),
}
# A row naming several parents (a phone of a contact of a service) hangs under the most
# specific one the record carries; nesting it twice would repeat its id.
PARENT_PRECEDENCE = ("contact", "service_at_location", "service", "location", "organization")
# Attributes point at what they describe by link_id and link_entity, not by a foreign key.
ATTRIBUTE = "attribute"
ATTRIBUTE_OWNERS = ("service", "schedule")
# Neither foreign keys nor files: upstream leaves them out of the relations too.
POLYMORPHIC = ("attribute.json", "metadata.json")

_TIME_WITHOUT_SECONDS = re.compile(r"^(\d{1,2}:\d{2})(?=$|[+\-Z])")
_INTEGER = re.compile(r"^[+-]?\d+$")
# A JSON path in a reader's message (“与 $[3] 重复”), said again as a row.
_JSON_PATH = re.compile(r"\$(?:\[\d+\]|\.[A-Za-z_]\w*)+")


# -- the descriptor, from the vendored schemas --------------------------------------------


@dataclass(frozen=True)
class Table:
    """One entity's CSV: its columns and how it hangs in a full service record."""

    name: str
    path: str
    fields: tuple[str, ...]
    types: dict[str, str]
    required: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str], ...]  # (column, entity it names)
    parents: tuple[str, ...]  # entities whose schema holds this one in an array
    arrays: tuple[tuple[str, str], ...]  # (property, entity) nested as arrays
    objects: tuple[tuple[str, str, str], ...]  # (property, entity, column naming it)
    descriptor: dict


def _ref(prop: dict) -> str | None:
    ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
    return ref.removesuffix(".json") if ref else None


@cache
def _schemas() -> dict[str, dict]:
    schemas = {}
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        if path.name != "openapi.json":
            schema = json.loads(path.read_text(encoding="utf-8"))
            schemas[schema["name"]] = schema
    return schemas


def _relations(schemas: dict[str, dict]) -> list[tuple[str, str, bool]]:
    """(entity with the key, entity it names, whether the latter holds the former in an
    array), as upstream derives them."""
    pairs = []
    for name, schema in schemas.items():
        for prop in schema["properties"].values():
            if prop.get("type") == "array" and prop.get("items", {}).get("$ref"):
                if prop["items"]["$ref"] not in POLYMORPHIC:
                    pairs.append((_ref(prop), name, True))
            elif "$ref" in prop:
                pairs.append((name, _ref(prop), False))
    return pairs


def _held(schemas: dict[str, dict]) -> list[str]:
    """The entities a full service record carries, in the schemas' datapackage order."""
    held, todo = set(), [ROOT]
    while todo:
        name = todo.pop()
        if name in held:
            continue
        held.add(name)
        properties = schemas[name]["properties"]
        todo.extend(_ref(properties[prop]) for prop in CARRIED.get(name, ()))
    return sorted(held, key=lambda name: schemas[name]["datapackage_metadata"]["order"])


def _field(name: str, prop: dict, required: bool) -> dict:
    """A Table Schema field from a JSON Schema property, as upstream converts it."""
    field = {
        key: prop[key] for key in ("name", "type", "title", "description", "format") if key in prop
    }
    field["name"] = name
    if "datapackage_type" in prop:
        field["type"] = prop["datapackage_type"]
        field.pop("format", None)
    constraints = {"required": required, "unique": prop.get("constraints", {}).get("unique", False)}
    if "enum" in prop:
        constraints["enum"] = prop["enum"]
    field["constraints"] = constraints
    for key in ("example", "core"):
        if key in prop:
            field[key] = prop[key]
    return field


@cache
def tables() -> dict[str, Table]:
    """The package's tables, by entity name, in upstream's order."""
    schemas = _schemas()
    held = _held(schemas)
    relations = _relations(schemas)
    result = {}
    for name in held:
        schema = schemas[name]
        properties = schema["properties"]
        required = {*schema.get("required", ()), *schema.get("tabular_required", ())}
        scalar = {
            key: prop
            for key, prop in properties.items()
            if prop.get("type") not in ("array", "object") and "$ref" not in prop
        }
        foreign_keys = sorted(
            {
                (f"{target}_id", target)
                for holder, target, _array in relations
                if holder == name and target in held and f"{target}_id" in scalar
            }
        )
        fields = [_field(key, prop, key in required) for key, prop in scalar.items()]
        descriptor = {
            "name": name,
            "path": schema["path"],
            "description": schema.get("description", ""),
            **{k: v for k, v in schema["datapackage_metadata"].items() if k != "order"},
            "encoding": "utf-8",
            "schema": {"primaryKey": "id", "fields": fields},
        }
        if foreign_keys:
            descriptor["schema"]["foreignKeys"] = [
                {"fields": column, "reference": {"resource": target, "fields": "id"}}
                for column, target in foreign_keys
            ]
        array_parents = {holder for child, holder, array in relations if child == name and array}
        carried = CARRIED.get(name, ())
        result[name] = Table(
            name=name,
            path=schema["path"],
            fields=tuple(scalar),
            types={field["name"]: field["type"] for field in fields},
            required=tuple(key for key in scalar if key in required),
            foreign_keys=tuple(foreign_keys),
            parents=tuple(
                parent
                for parent in dict.fromkeys((*PARENT_PRECEDENCE, *sorted(array_parents)))
                if parent in array_parents and parent in held and f"{parent}_id" in scalar
            ),
            arrays=tuple(
                (prop, _ref(properties[prop]))
                for prop in carried
                if properties[prop].get("type") == "array"
            ),
            objects=tuple(
                (prop, _ref(properties[prop]), f"{_ref(properties[prop])}_id")
                for prop in carried
                if "$ref" in properties[prop]
            ),
            descriptor=descriptor,
        )
    return result


def datapackage() -> dict:
    """The package descriptor: upstream's, with the resources this catalog holds."""
    return {
        "profile": "tabular-data-package",
        "name": "human_services_data",
        "title": "Human Services Data Specification",
        "description": (
            "HSDS describes data about organizations, the services they provide, the "
            "locations at which these services can be accessed, and associated details."
        ),
        "version": "3.1",
        "homepage": "https://docs.openreferral.org",
        "resources": [table.descriptor for table in tables().values()],
    }


# -- out ----------------------------------------------------------------------------------


def table_rows(records: Iterable[dict]) -> dict[str, list[dict]]:
    """Full service records flattened into rows, entity by entity; what several records
    share (an organisation, a location, a taxonomy term) is one row, the first seen."""
    layout = tables()
    rows: dict[str, list[dict]] = {name: [] for name in layout}
    seen: set[tuple[str, object]] = set()

    def visit(name: str, obj: dict, parent: tuple[str, object] | None = None) -> None:
        key = (name, obj.get("id"))
        if key in seen:
            return
        seen.add(key)
        table = layout[name]
        row = {field: obj[field] for field in table.fields if obj.get(field) is not None}
        if parent and f"{parent[0]}_id" in table.fields:
            row.setdefault(f"{parent[0]}_id", parent[1])
        rows[name].append(row)
        for prop, child in table.arrays:
            for item in obj.get(prop) or ():
                visit(child, item, (name, obj.get("id")))
        for prop, child, _column in table.objects:
            if isinstance(obj.get(prop), dict):
                visit(child, obj[prop])

    for record in records:
        visit(ROOT, record)
    return rows


def _cell(value, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    text = str(value)
    if kind == "time":
        # Table Schema's time is HH:MM:SS; HSDS records write 09:00+08:00.
        text = _TIME_WITHOUT_SECONDS.sub(r"\1:00", text)
    return text


def write_package(directory: Path, records: list[dict] | None = None) -> dict[str, int]:
    """Write the catalog (or ``records``) as a tabular package into ``directory``;
    returns the number of rows per file."""
    if records is None:
        from catalog.hsds.exporter import export_services

        records = export_services()
    rows = table_rows(records)
    rows["organization"] += _organizations_of_locations(rows)
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, table in tables().items():
        with open(directory / table.path, "w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(table.fields)
            for row in rows[name]:
                writer.writerow(
                    [_cell(row.get(field), table.types[field]) for field in table.fields]
                )
        counts[table.path] = len(rows[name])
    (directory / DESCRIPTOR).write_text(
        json.dumps(datapackage(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return counts


def _organizations_of_locations(rows: dict[str, list[dict]]) -> list[dict]:
    """Organisations a center belongs to that no exported service is provided by: the
    package names them too, so that every foreign key resolves."""
    known = {row["id"] for row in rows["organization"]}
    wanted = {row["organization_id"] for row in rows["location"] if row.get("organization_id")}
    if not wanted - known:
        return []
    from catalog.hsds.exporter import Exporter
    from catalog.models import Organization

    exporter, fields = Exporter(), tables()["organization"].fields
    added = []
    extra = Organization.objects.filter(id__in=wanted - known).prefetch_related("phones")
    for organization in extra.order_by("name", "id"):
        record = exporter.organization(organization)
        added.append({field: record[field] for field in fields if field in record})
        rows["phone"] += record.get("phones", [])
    return added


# -- in -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TabularProblem(Problem):
    """A problem at a file, row and column of the package (``services.csv 第3行 name``)."""

    def __str__(self):
        return f"{self.path}：{self.message}"


class _Row(dict):
    """A CSV row as the JSON object it becomes, remembering where it was read."""

    __slots__ = ("file", "line", "table")

    def where(self, column: str | None = None) -> str:
        place = f"{self.file} 第{self.line}行"
        return f"{place} {column}" if column else place


def _key(value) -> str:
    """An id as compared: a UUID however written, any other text as it is."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(value)


class PackageReader:
    """Reads a package's files into full service records, every problem collected."""

    def __init__(self, path: Path):
        self.problems: list[Problem] = []
        self.listed: set[str] | None = None  # the tables a descriptor names, if any
        self.directory, self.paths = self._locate(Path(path))
        self.rows: dict[str, list[_Row]] = {}
        self.missing: set[str] = set()

    def error(self, path: str, message: str) -> None:
        self.problems.append(TabularProblem(path, message))

    # -- files -------------------------------------------------------------------------

    def _locate(self, path: Path) -> tuple[Path, dict[str, str]]:
        """The package's directory and each table's file (the descriptor's, else the
        schema's default name)."""
        paths = {name: table.path for name, table in tables().items()}
        descriptor = path if path.suffix == ".json" else path / DESCRIPTOR
        if path.suffix != ".json" and not descriptor.exists():
            return path, paths
        try:
            data = json.loads(descriptor.read_text(encoding="utf-8-sig"))
        except OSError as error:
            self.error(descriptor.name, f"无法读取：{error.strerror}。")
            return descriptor.parent, paths
        except ValueError as error:
            position = (
                f"（第{error.lineno}行第{error.colno}列）"
                if isinstance(error, json.JSONDecodeError)
                else ""
            )
            self.error(descriptor.name, f"不是有效的JSON{position}。")
            return descriptor.parent, paths
        resources = data.get("resources") if isinstance(data, dict) else None
        if not isinstance(resources, list):
            self.error(f"{descriptor.name} resources", "应为数据资源组成的数组。")
            return descriptor.parent, paths
        self.listed = set()
        for index, resource in enumerate(resources):
            if not isinstance(resource, dict) or resource.get("name") not in paths:
                continue  # an entity the catalog does not hold (programs, funding…)
            given = resource.get("path")
            where = f"{descriptor.name} resources[{index}].path"
            if not isinstance(given, str) or not given:
                self.error(where, "应为包内一个CSV文件的相对路径。")
                continue
            relative = PurePosixPath(given)
            if relative.is_absolute() or ".." in relative.parts or "://" in given:
                self.error(where, f"“{given}”应为包内的相对路径。")
                continue
            paths[resource["name"]] = given
            self.listed.add(resource["name"])
        return descriptor.parent, paths

    def load(self) -> None:
        for name, table in tables().items():
            self.rows[name] = self._load(table, self.directory / self.paths[name])

    def _load(self, table: Table, file_path: Path) -> list[_Row]:
        label = self.paths[table.name]
        unlisted = self.listed is not None and table.name not in self.listed
        if unlisted or not file_path.is_file():
            # A file the package does not have is an empty table, unless the descriptor
            # lists it (or, see link(), a row names one of its records).
            if table.name == ROOT:
                missing = f"{DESCRIPTOR} 没有列出它" if unlisted else "文件不存在"
                self.error(label, f"{missing}：服务数据包至少要有服务表。")
            elif self.listed and table.name in self.listed:
                self.error(label, f"文件不存在（{DESCRIPTOR} 列出了它）。")
            self.missing.add(table.name)
            return []
        rows = []
        try:
            with open(file_path, encoding="utf-8-sig", newline="") as file:
                reader = csv.reader(file)
                header = next(reader, None)
                if header is None:
                    self.error(label, "文件为空，缺少表头。")
                    return []
                header = [column.strip() for column in header]
                absent = [column for column in table.required if column not in header]
                for column in absent:
                    self.error(label, f"缺少必填列 {column}。")
                if absent:
                    return []
                columns = [(index, column) for index, column in enumerate(header)]
                columns = [(i, c) for i, c in columns if c in table.types]
                for line, cells in enumerate(reader, start=2):
                    if not any(cell.strip() for cell in cells):
                        continue
                    rows.append(self._row(table, label, line, cells, columns))
        except UnicodeDecodeError:
            self.error(label, "不是UTF-8编码的文本（用Excel保存时请选“CSV UTF-8”）。")
            return []
        except csv.Error as error:
            self.error(label, f"CSV格式有误：{error}。")
            return []
        except OSError as error:
            self.error(label, f"无法读取：{error.strerror}。")
            return []
        return rows

    def _row(self, table: Table, label: str, line: int, cells: list[str], columns) -> _Row:
        row = _Row()
        row.table, row.file, row.line = table, label, line
        for index, column in columns:
            cell = cells[index] if index < len(cells) else ""
            if cell == "":
                continue
            if table.types[column] == "number":
                number = _number(cell)
                if number is None:
                    self.error(row.where(column), f"“{cell}”不是有效的数字。")
                    continue
                row[column] = number
            else:
                row[column] = cell
        return row

    # -- relations ---------------------------------------------------------------------

    def link(self) -> list[dict]:
        """Check keys and foreign keys, then nest the rows into full service records."""
        layout = tables()
        index: dict[str, dict[str, _Row]] = {}
        for name, rows in self.rows.items():
            index[name] = {}
            for row in rows:
                if "id" not in row:
                    continue  # the reader reports the missing id
                first = index[name].setdefault(_key(row["id"]), row)
                if first is not row:
                    self.error(row.where("id"), f"id重复：与第{first.line}行相同。")
        reported_missing = set()
        for name, table in layout.items():
            for row in self.rows[name]:
                for column, target in table.foreign_keys:
                    value = row.get(column)
                    if value is None or _key(value) in index[target]:
                        continue
                    if target in self.missing:
                        if target not in reported_missing:
                            reported_missing.add(target)
                            self.error(
                                self.paths[target],
                                f"数据包中没有这个文件，而 {row.where(column)} 等引用了其中的记录。",
                            )
                        continue
                    self.error(
                        row.where(column),
                        f"“{value}”在 {self.paths[target]} 中没有对应的记录。",
                    )
        children: dict[tuple[str, str], dict[str, list[_Row]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for name, table in layout.items():
            if name == ATTRIBUTE:
                self._attributes(index, children)
                continue
            carried = [p for p in table.parents if name in dict(layout[p].arrays).values()]
            if not carried:
                continue  # held as an object (a location), or not nested at all
            for row in self.rows[name]:
                named = [p for p in table.parents if row.get(f"{p}_id") is not None]
                if not named:
                    columns = "、".join(f"{p}_id" for p in table.parents)
                    self.error(row.where(), f"没有所属记录：应填写 {columns} 之一。")
                    continue
                # Else under the most specific parent a record carries it with; a row
                # naming only others (a contact of an organisation) is not the catalog's.
                parent = next((p for p in carried if p in named), None)
                if parent is not None:
                    children[(name, parent)][_key(row[f"{parent}_id"])].append(row)
        for name, table in layout.items():
            for row in self.rows[name]:
                if "id" not in row:
                    continue
                own = _key(row["id"])
                for prop, child in table.arrays:
                    items = children[(child, name)].get(own)
                    if items:
                        row[prop] = items
                for prop, target, column in table.objects:
                    if row.get(column) is not None and _key(row[column]) in index[target]:
                        row[prop] = index[target][_key(row[column])]
        return list(self.rows[ROOT])

    def _attributes(self, index, children) -> None:
        for row in self.rows[ATTRIBUTE]:
            entity = row.get("link_entity")
            if entity not in (None, *ATTRIBUTE_OWNERS):
                continue  # describes an entity the catalog does not hold
            link = row.get("link_id")
            if link is None:
                continue  # a required column: the schema, not the catalog, says so
            owners = (entity,) if entity else ATTRIBUTE_OWNERS
            owner = next((o for o in owners if _key(link) in index[o]), None)
            if owner is None:
                files = "、".join(self.paths[o] for o in owners)
                self.error(row.where("link_id"), f"“{link}”在 {files} 中没有对应的记录。")
                continue
            children[(ATTRIBUTE, owner)][_key(link)].append(row)


def _number(cell: str) -> int | float | None:
    """A number as JSON has it: an integer when written as one."""
    text = cell.strip()
    if _INTEGER.match(text):
        return int(text)
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return float(value) if value.is_finite() else None


@dataclass
class PackageRecords:
    """The full service records rebuilt from a package, and the way back to its rows."""

    records: list[dict]
    paths: dict[str, str]  # entity -> its file in the package

    def translate(self, problems: Iterable[Problem]) -> list[Problem]:
        """The JSON reader's problems (``$[3].phones[0].number``) at the CSV row and
        column each came from (``phones.csv 第5行 number``), and so the paths their
        messages name; repeats said once."""
        translated, said = [], set()
        for problem in problems:
            message = _JSON_PATH.sub(lambda match: self._where(match[0]), problem.message)
            again = TabularProblem(self._where(problem.path), message)
            if (again.path, again.message) not in said:
                said.add((again.path, again.message))
                translated.append(again)
        return translated

    def _where(self, path: str) -> str:
        steps = re.findall(r"\[(\d+)\]|\.([^.\[]+)", path.removeprefix("$"))
        node, row, rest = self.records, None, []
        for position, name in steps:
            step = int(position) if position else name
            try:
                node = node[step]
            except (IndexError, KeyError, TypeError):
                rest.append(step)
                node = None
                continue
            if isinstance(node, _Row):
                row, rest = node, []
            else:
                rest.append(step)
        if row is None:
            return self.paths[ROOT]
        if not rest:
            return row.where()
        first = rest[0]
        if len(rest) == 1 and first in row.table.types:
            return row.where(first)
        nested = dict(row.table.arrays)
        if first in nested:
            return f"{row.where()}（{self.paths[nested[first]]}）"
        return row.where(".".join(str(step) for step in rest))


def read_package(path: Path) -> PackageRecords:
    """The full service records a package holds; ``HsdsImportError`` with every problem
    of its files (nothing of the catalog is looked at yet)."""
    reader = PackageReader(path)
    if not reader.problems:
        reader.load()
    if not reader.problems:
        records = reader.link()
    if reader.problems:
        raise HsdsImportError(reader.problems)
    return PackageRecords(records, reader.paths)


def import_package(path: Path, *, progress: Callable[[int, int], None] | None = None):
    """Import a tabular package as ``import_services`` imports records: all or nothing,
    the problems at the rows they came from."""
    from catalog.hsds.reader import read_records
    from catalog.hsds.writer import write

    package = read_package(path)
    reader, services = read_records(package.records)
    if reader.problems:
        raise HsdsImportError(package.translate(reader.problems))
    return write(reader, services, progress=progress)


def is_package(path: Path) -> bool:
    """Whether ``path`` names a tabular package (a directory, or its descriptor)."""
    return Path(path).is_dir() or Path(path).name == DESCRIPTOR
