"""Import full HSDS 3.1 service records, atomically.

Two passes: ``RecordReader`` checks every record and turns it into plain field values,
collecting every problem with its JSON path; only a file without problems reaches
``write``, inside one transaction. Ids are kept, so importing the same file twice
updates the same rows in place.

Both passes scale to files of 100,000 records (1.5 GB): ``iter_records`` streams a file
written one record per line without loading it whole, the reader keeps only the field
values it will write, and ``write`` saves them model by model in batches (a fixed number
of queries per thousand services), then brings the search and reference indexes up to
date in bulk, as the per-row save signals used to.
"""

import codecs
import gc
import json
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from itertools import chain, islice
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from catalog.hsds.conventions import GUIDE_FIELDS, SERVICE_STATUSES, WEEKDAYS
from catalog.models import (
    ContactPhone,
    CostOption,
    Location,
    LocationAccessibility,
    LocationAddress,
    LocationPhone,
    LocationSchedule,
    Organization,
    OrganizationPhone,
    RequiredDocument,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAtLocationSchedule,
    ServiceChannel,
    ServiceContact,
    ServiceLanguage,
    ServicePhone,
    ServiceSchedule,
    TaxonomyTerm,
)
from catalog.models.locations import CENTER_CODE_IDENTIFIER_TYPE
from catalog.models.services import CHANNELS_WITH_URL
from catalog.models.taxonomy import (
    AUDIENCE_TAXONOMY,
    CHANNEL_TAXONOMY,
    GUIDE_TAXONOMY,
    KIND_TAXONOMY,
    LINK_TYPES,
    TOPIC_TAXONOMY,
)
from catalog.rules import price_problems
from catalog.signals import services_written

BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
# Rows per INSERT/upsert batch, and services per write round (all their rows together).
BATCH_SIZE = 1000
# Ids per ``IN (…)`` lookup: below SQLite's 999 variables.
LOOKUP_BATCH = 900

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}"


class HsdsImportError(Exception):
    """The file was refused; nothing was saved. ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    organizations: int = 0
    locations: int = 0

    def __str__(self):
        return (
            f"新增 {self.created} 项服务，更新 {self.updated} 项；"
            f"服务提供方 {self.organizations} 个，服务地点 {self.locations} 个。"
        )


def parse_json(raw: bytes | str) -> list:
    """The file's records, or HsdsImportError when it is not a JSON array."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        position = (
            f"（第{error.lineno}行第{error.colno}列）"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        raise HsdsImportError([Problem("$", f"文件不是有效的JSON{position}。")]) from error
    if not isinstance(data, list):
        raise HsdsImportError([Problem("$", "文件内容应为服务记录组成的JSON数组。")])
    return data


# -- streaming a big file ---------------------------------------------------------------

_JSON_SPACE = " \t\n\r"
_SKIP_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _not_json(lineno: int | None = None, colno: int | None = None) -> HsdsImportError:
    position = f"（第{lineno}行第{colno}列）" if lineno is not None else ""
    return HsdsImportError([Problem("$", f"文件不是有效的JSON{position}。")])


class _OtherLayout(Exception):
    """Valid JSON may be laid out otherwise than one record per line: parse it whole."""


def iter_records(path: str | Path) -> Iterator:
    """The records of a JSON array file, one at a time.

    A file written one record per line (``[``, then one record per line ending in a
    comma, then ``]``: the shared catalog, ``export_hsds`` and the benchmark generator
    write it so) is read line by line, so a 1.5 GB file never sits in memory whole. A
    syntax error is reported as ``parse_json`` reports it, at the same line and column
    (a UTF-8 file is checked up to its first error only). Any other layout is handed to
    ``parse_json`` whole, and so is a file that changes layout midway (the records
    already read are not read again). The file is opened at once (``OSError`` here);
    records and ``HsdsImportError`` come while iterating.
    """
    file = open(path, "rb")  # noqa: SIM115 - closed by the generator
    return _stream_records(file)


def _stream_records(file) -> Iterator:
    with file:
        yielded = 0
        try:
            for record in _records_by_line(file):
                yield record
                yielded += 1
        except _OtherLayout:
            file.seek(0)
            records = parse_json(file.read())
            # The records read so far are the array's first ones; go on from there.
            del records[:yielded]
            records.reverse()
            while records:
                yield records.pop()


def _records_by_line(file) -> Iterator:
    first = file.readline()
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8) :]
    if first.strip(_JSON_SPACE.encode()) != b"[":
        raise _OtherLayout
    lineno, line = 1, first.decode("utf-8", "surrogatepass")
    expecting = "first"  # first: a record or "]"; value: a record; comma: "," or "]"
    for raw in file:
        lineno += 1
        line = _decode(raw)
        start = _SKIP_SPACE.match(line).end()
        if start == len(line):
            continue
        char = line[start]
        if char == "]" and expecting != "value":
            _expect_only_space(file, line, start + 1, lineno)
            return
        if expecting == "comma":
            if char == ",":
                raise _OtherLayout  # the comma leads the next line
            raise _not_json(lineno, start + 1)  # Expecting ',' delimiter
        if char == "]":
            raise _not_json(lineno, start + 1)  # a comma before "]"
        try:
            record, end = _DECODER.raw_decode(line, start)
        except json.JSONDecodeError as error:
            if error.pos < len(line.rstrip(_JSON_SPACE)):
                raise _not_json(lineno, error.pos + 1) from error
            # The record goes on past this line: another layout, or the file ends here.
            rest = _space_to_end(file, line)
            try:
                _DECODER.raw_decode(rest, start)
            except json.JSONDecodeError as at_end:
                lines_before = rest.count("\n", 0, at_end.pos)
                colno = at_end.pos - rest.rfind("\n", 0, at_end.pos)
                raise _not_json(lineno + lines_before, colno) from at_end
            raise _not_json(*_end_position(rest, lineno)) from error
        after = _SKIP_SPACE.match(line, end).end()
        if after == len(line):
            expecting = "comma"
        elif line[after] == ",":
            if _SKIP_SPACE.match(line, after + 1).end() != len(line):
                raise _OtherLayout  # several records on one line
            expecting = "value"
        elif line[after] == "]":
            yield record
            _expect_only_space(file, line, after + 1, lineno)
            return
        else:
            raise _not_json(lineno, after + 1)  # Expecting ',' delimiter
        yield record
    # The file ended before the closing "]".
    raise _not_json(*_end_position(line, lineno))


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as error:
        raise _not_json() from error


def _expect_only_space(file, line: str, start: int, lineno: int) -> None:
    """After the closing "]" only white space may follow (else json's "Extra data")."""
    for text in chain([line], map(_decode, file)):
        position = _SKIP_SPACE.match(text, start).end()
        if position != len(text):
            raise _not_json(lineno, position + 1)
        start, lineno = 0, lineno + 1


def _space_to_end(file, line: str) -> str:
    """``line`` and the rest of the file, when the rest is only white space."""
    rest = [line]
    for raw in file:
        text = _decode(raw)
        if _SKIP_SPACE.match(text).end() != len(text):
            raise _OtherLayout
        rest.append(text)
    return "".join(rest)


def _end_position(text: str, lineno: int) -> tuple[int, int]:
    """Line and column just past ``text``, whose first line is line ``lineno``."""
    newlines = text.count("\n")
    return lineno + newlines, len(text) - text.rfind("\n")


@dataclass(slots=True)
class Entity:
    """One row to write: its model, field values and child rows."""

    model: type
    values: dict
    children: dict[str, list["Entity"]] = field(default_factory=dict)
    many: dict[str, list] = field(default_factory=dict)
    path: str = ""


class RecordReader:
    """Reads values out of JSON objects, recording a Chinese message per bad value."""

    def __init__(self, terms: dict):
        self.problems: list[Problem] = []
        self.terms_by_id = terms
        self.terms_by_code = {(term.taxonomy.name, term.code): term for term in terms.values()}
        self.organizations: dict[uuid.UUID, tuple[dict, Entity]] = {}
        self.locations: dict[uuid.UUID, tuple[dict, Entity]] = {}
        self.seen_ids: dict[tuple[str, uuid.UUID], str] = {}
        self.service_names: dict[str, str] = {}
        # Values that recur across records (texts, dates, times, term ids) are kept once:
        # a big file then costs memory for what differs, not for every repetition.
        self._strings: dict[str, str] = {}
        self._parsed: dict[tuple[str, str], object] = {}

    def error(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # -- scalar readers -------------------------------------------------------------

    def text(self, obj: dict, key: str, path: str, *, required=False, max_length=None) -> str:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.error(f"{path}.{key}", "缺少必填字段。")
            return ""
        if not isinstance(value, str):
            self.error(f"{path}.{key}", "应为文本。")
            return ""
        if max_length and len(value) > max_length:
            self.error(f"{path}.{key}", f"过长：最多{max_length}个字符。")
        return self._shared(value)

    def _shared(self, value):
        """One copy of a text that recurs (any other value as it is)."""
        if type(value) is not str:
            return value
        return self._strings.setdefault(value, value)

    def identifier(
        self, obj: dict, key: str, path: str, *, entity: str | None = None
    ) -> uuid.UUID | None:
        raw = obj.get(key)
        if raw is None or raw == "":
            self.error(f"{path}.{key}", "缺少必填字段。")
            return None
        try:
            value = uuid.UUID(str(raw))
        except ValueError:
            self.error(f"{path}.{key}", f"“{raw}”不是有效的UUID。")
            return None
        if entity:
            first = self.seen_ids.setdefault((entity, value), f"{path}.{key}")
            if first != f"{path}.{key}":
                self.error(f"{path}.{key}", f"id重复：与 {first} 相同。")
        return value

    def date(self, obj: dict, key: str, path: str) -> date | None:
        raw = obj.get(key)
        if raw in (None, ""):
            return None
        if type(raw) is str and (value := self._parsed.get(("date", raw))) is not None:
            return value
        try:
            if not isinstance(raw, str) or len(raw) != 10:
                raise ValueError
            value = date.fromisoformat(raw)
        except ValueError:
            self.error(f"{path}.{key}", f"“{raw}”不是有效日期，应为YYYY-MM-DD。")
            return None
        self._parsed[("date", raw)] = value
        return value

    def datetime(self, obj: dict, key: str, path: str) -> datetime | None:
        raw = obj.get(key)
        if raw in (None, ""):
            return None
        try:
            if not isinstance(raw, str):
                raise ValueError
            value = datetime.fromisoformat(raw)
        except ValueError:
            self.error(f"{path}.{key}", f"“{raw}”不是有效的时间戳（RFC 3339）。")
            return None
        if value.tzinfo is None:
            self.error(f"{path}.{key}", f"“{raw}”缺少时区，如+08:00。")
            return None
        return value

    def time(self, obj: dict, key: str, path: str) -> time | None:
        raw = obj.get(key)
        if raw in (None, ""):
            return None
        if type(raw) is str and (value := self._parsed.get(("time", raw))) is not None:
            return value
        try:
            if not isinstance(raw, str):
                raise ValueError
            # "09:00+08:00": the offset is the schedule's timezone field, kept there.
            value = time.fromisoformat(re.sub(r"(Z|[+-]\d{2}:?\d{2})$", "", raw))
            self._parsed[("time", raw)] = value
            return value
        except ValueError:
            self.error(f"{path}.{key}", f"“{raw}”不是有效时间，应为HH:MM，如09:00+08:00。")
            return None

    def decimal(self, obj: dict, key: str, path: str) -> Decimal | None:
        raw = obj.get(key)
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            self.error(f"{path}.{key}", "应为数字。")
            return None
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            self.error(f"{path}.{key}", f"“{raw}”不是有效数字。")
            return None
        if not value.is_finite() or value < 0:
            self.error(f"{path}.{key}", f"“{raw}”不是有效的非负数。")
            return None
        return value

    def integer(self, obj: dict, key: str, path: str) -> int | None:
        raw = obj.get(key)
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            self.error(f"{path}.{key}", "应为非负整数。")
            return None
        return raw

    def items(self, obj: dict, key: str, path: str) -> list[tuple[str, dict]]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(f"{path}.{key}", "应为数组。")
            return []
        result = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                result.append((f"{path}.{key}[{index}]", item))
            else:
                self.error(f"{path}.{key}[{index}]", "应为对象。")
        return result

    # -- entities ---------------------------------------------------------------------

    def phones(self, obj, path, model, entity: str) -> list[Entity]:
        rows = []
        for phone_path, phone in self.items(obj, "phones", path):
            rows.append(
                Entity(
                    model,
                    {
                        "id": self.identifier(phone, "id", phone_path, entity=entity),
                        "number": self.text(
                            phone, "number", phone_path, required=True, max_length=40
                        ),
                        "extension": self._shared(str(phone.get("extension") or "")),
                        "type": self.text(phone, "type", phone_path),
                        "description": self.text(phone, "description", phone_path, max_length=200),
                    },
                )
            )
        return rows

    def schedules(self, obj, path, model, entity: str) -> list[Entity]:
        rows = []
        for schedule_path, schedule in self.items(obj, "schedules", path):
            freq = self._shared(schedule.get("freq") or "WEEKLY")
            if freq not in ("WEEKLY", "MONTHLY"):
                self.error(f"{schedule_path}.freq", f"不支持的频率“{freq}”，应为WEEKLY或MONTHLY。")
            byday = self.text(schedule, "byday", schedule_path)
            for token in filter(None, byday.split(",")):
                if not BYDAY.match(token.strip()):
                    self.error(
                        f"{schedule_path}.byday",
                        f"“{token}”不是有效的星期，应为{','.join(WEEKDAYS)}之一。",
                    )
            values = {
                "id": self.identifier(schedule, "id", schedule_path, entity=entity),
                "freq": freq,
                "interval": self.integer(schedule, "interval", schedule_path),
                "byday": byday,
                "bymonthday": self._shared(str(schedule.get("bymonthday") or "")),
                "dtstart": self.date(schedule, "dtstart", schedule_path),
                "opens_at": self.time(schedule, "opens_at", schedule_path),
                "closes_at": self.time(schedule, "closes_at", schedule_path),
                "valid_from": self.date(schedule, "valid_from", schedule_path),
                "valid_to": self.date(schedule, "valid_to", schedule_path),
                "timezone": schedule.get("timezone")
                if isinstance(schedule.get("timezone"), int)
                else None,
                "wkst": self.text(schedule, "wkst", schedule_path),
                "description": self.text(schedule, "description", schedule_path, max_length=200),
                "notes": self.text(schedule, "notes", schedule_path, max_length=200),
                "attending_type": self.text(
                    schedule, "attending_type", schedule_path, max_length=40
                ),
            }
            if (
                values["opens_at"]
                and values["closes_at"]
                and values["opens_at"] >= values["closes_at"]
            ):
                self.error(f"{schedule_path}.closes_at", "结束时间必须晚于开始时间。")
            if (
                values["valid_from"]
                and values["valid_to"]
                and values["valid_from"] > values["valid_to"]
            ):
                self.error(f"{schedule_path}.valid_to", "失效日期不能早于生效日期。")
            rows.append(Entity(model, values))
        return rows

    def organization(self, data, path) -> uuid.UUID | None:
        org_id = self.identifier(data, "id", path)
        if org_id is None:
            return None
        if org_id in self.organizations:
            self._same_content(self.organizations[org_id][0], data, path, "服务提供方")
            return org_id
        parent = data.get("parent_organization_id")
        entity = Entity(
            Organization,
            {
                "id": org_id,
                "name": self.text(data, "name", path, required=True, max_length=200),
                "alternate_name": self.text(data, "alternate_name", path, max_length=200),
                "description": self.text(data, "description", path),
                "email": self.text(data, "email", path),
                "website": self.text(data, "website", path),
                "legal_status": self.text(data, "legal_status", path, max_length=50),
                "year_incorporated": self.integer(data, "year_incorporated", path),
                "parent_organization_id": self.identifier(data, "parent_organization_id", path)
                if parent
                else None,
            },
            children={"phones": self.phones(data, path, OrganizationPhone, "phone")},
            path=path,
        )
        self.organizations[org_id] = (data, entity)
        return org_id

    def location(self, data, path) -> uuid.UUID | None:
        location_id = self.identifier(data, "id", path)
        if location_id is None:
            return None
        if location_id in self.locations:
            self._same_content(self.locations[location_id][0], data, path, "服务地点")
            return location_id
        organization_id = data.get("organization_id")
        addresses = []
        for address_path, address in self.items(data, "addresses", path):
            addresses.append(
                Entity(
                    LocationAddress,
                    {
                        "id": self.identifier(address, "id", address_path, entity="address"),
                        "attention": self.text(address, "attention", address_path),
                        "address_1": self.text(
                            address, "address_1", address_path, required=True, max_length=200
                        ),
                        "address_2": self.text(address, "address_2", address_path, max_length=200),
                        "city": self.text(address, "city", address_path, required=True),
                        "region": self.text(address, "region", address_path),
                        "state_province": self.text(
                            address, "state_province", address_path, required=True
                        ),
                        "postal_code": self.text(
                            address, "postal_code", address_path, required=True
                        ),
                        "country": self.text(address, "country", address_path, required=True),
                        "address_type": self.text(
                            address, "address_type", address_path, required=True
                        ),
                    },
                )
            )
        accessibility = [
            Entity(
                LocationAccessibility,
                {
                    "id": self.identifier(item, "id", item_path, entity="accessibility"),
                    "description": self.text(item, "description", item_path),
                    "details": self.text(item, "details", item_path),
                    "url": self.text(item, "url", item_path),
                },
            )
            for item_path, item in self.items(data, "accessibility", path)
        ]
        entity = Entity(
            Location,
            {
                "id": location_id,
                "location_type": self.text(data, "location_type", path, required=True),
                "name": self.text(data, "name", path, max_length=200),
                "alternate_name": self.text(data, "alternate_name", path, max_length=200),
                "description": self.text(data, "description", path),
                "transportation": self.text(data, "transportation", path),
                "latitude": self._coordinate(data, "latitude", path, 90),
                "longitude": self._coordinate(data, "longitude", path, 180),
                "external_identifier": self.text(data, "external_identifier", path, max_length=50),
                "external_identifier_type": self.text(
                    data, "external_identifier_type", path, max_length=50
                ),
                "organization_id": self.identifier(data, "organization_id", path)
                if organization_id
                else None,
            },
            children={
                "addresses": addresses,
                "phones": self.phones(data, path, LocationPhone, "phone"),
                "schedules": self.schedules(data, path, LocationSchedule, "schedule"),
                "accessibility": accessibility,
            },
            path=path,
        )
        self.locations[location_id] = (data, entity)
        return location_id

    def _coordinate(self, data, key, path, limit) -> Decimal | None:
        raw = data.get(key)
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.error(f"{path}.{key}", "应为数字。")
            return None
        if abs(raw) > limit:
            self.error(f"{path}.{key}", f"超出范围（±{limit}）。")
            return None
        return Decimal(str(raw)).quantize(Decimal("0.000001"))

    def _same_content(self, first, again, path, label) -> None:
        if first != again:
            self.error(path, f"{label}“{again.get('name', '')}”与文件中先出现的同一id内容不一致。")

    def service(self, record: dict, path: str) -> Entity:
        service_id = self.identifier(record, "id", path, entity="service")
        name = self.text(record, "name", path, required=True, max_length=200)
        if name:
            first = self.service_names.setdefault(name, path)
            if first != path:
                self.error(f"{path}.name", f"服务名称“{name}”与 {first} 重复。")
        status = self._shared(record.get("status"))
        if status not in SERVICE_STATUSES:
            self.error(
                f"{path}.status",
                f"状态“{status or ''}”无效，应为 {' / '.join(sorted(SERVICE_STATUSES))} 之一。",
            )
        values = {
            "id": service_id,
            "name": name,
            "alternate_name": self.text(record, "alternate_name", path, max_length=200),
            "description": self.text(record, "description", path, required=True),
            "status": status,
            "alert": self.text(record, "alert", path, max_length=300),
            "url": self.text(record, "url", path),
            "email": self.text(record, "email", path),
            "eligibility_description": self.text(record, "eligibility_description", path),
            "minimum_age": self.integer(record, "minimum_age", path),
            "maximum_age": self.integer(record, "maximum_age", path),
            "application_process": self.text(record, "application_process", path),
            "fees_description": self.text(record, "fees_description", path),
            "interpretation_services": self.text(
                record, "interpretation_services", path, max_length=300
            ),
            "assured_date": self.date(record, "assured_date", path),
            "assurer_email": self.text(record, "assurer_email", path),
            "last_modified": self.datetime(record, "last_modified", path),
            "organization_id": None,
        }
        minimum, maximum = values["minimum_age"], values["maximum_age"]
        if minimum is not None and maximum is not None and minimum > maximum:
            self.error(
                f"{path}.maximum_age", f"最高年龄（{maximum}）不能小于最低年龄（{minimum}）。"
            )

        if isinstance(record.get("organization"), dict):
            values["organization_id"] = self.organization(
                record["organization"], f"{path}.organization"
            )
        if record.get("organization_id") and values["organization_id"] != _as_uuid(
            record["organization_id"]
        ):
            self.error(f"{path}.organization_id", "与 organization.id 不一致。")

        entity = Entity(Service, values, path=path)
        self._attributes(record, path, entity)
        entity.children["cost_options"] = self._cost_options(record, path)
        self._check_prices(entity, path)
        entity.children["required_documents"] = [
            Entity(
                RequiredDocument,
                {
                    "id": self.identifier(item, "id", item_path, entity="required_document"),
                    "document": self.text(
                        item, "document", item_path, required=True, max_length=300
                    ),
                    "uri": self.text(item, "uri", item_path),
                },
            )
            for item_path, item in self.items(record, "required_documents", path)
        ]
        entity.children["phones"] = self.phones(record, path, ServicePhone, "phone")
        entity.children["schedules"] = self.schedules(record, path, ServiceSchedule, "schedule")
        entity.children["service_areas"] = [
            Entity(
                ServiceArea,
                {
                    "id": self.identifier(item, "id", item_path, entity="service_area"),
                    "name": self.text(item, "name", item_path, max_length=100),
                    "description": self.text(item, "description", item_path, max_length=300),
                    "uri": self.text(item, "uri", item_path),
                },
            )
            for item_path, item in self.items(record, "service_areas", path)
        ]
        entity.children["service_at_locations"] = self._service_at_locations(record, path)
        entity.children["contacts"] = [
            Entity(
                ServiceContact,
                {
                    "id": self.identifier(item, "id", item_path, entity="contact"),
                    "name": self.text(item, "name", item_path, max_length=60),
                    "title": self.text(item, "title", item_path, max_length=60),
                    "department": self.text(item, "department", item_path, max_length=100),
                    "email": self.text(item, "email", item_path),
                },
                children={"phones": self.phones(item, item_path, ContactPhone, "phone")},
            )
            for item_path, item in self.items(record, "contacts", path)
        ]
        entity.children["languages"] = [
            Entity(
                ServiceLanguage,
                {
                    "id": self.identifier(item, "id", item_path, entity="language"),
                    "name": self.text(item, "name", item_path, required=True, max_length=60),
                    "code": self.text(item, "code", item_path, max_length=10),
                    "note": self.text(item, "note", item_path, max_length=200),
                },
            )
            for item_path, item in self.items(record, "languages", path)
        ]
        return entity

    def _attributes(self, record, path, entity: Entity) -> None:
        kinds, topics, audiences, channels = [], [], [], []
        for attribute_path, attribute in self.items(record, "attributes", path):
            term = self._term(attribute, attribute_path)
            if term is None:
                continue
            taxonomy = term.taxonomy.name
            expected_link_type = LINK_TYPES.get(taxonomy)
            if attribute.get("link_type") and attribute["link_type"] != expected_link_type:
                self.error(
                    f"{attribute_path}.link_type",
                    f"应为“{expected_link_type}”（分类体系 {taxonomy}）。",
                )
            value = self._shared(attribute.get("value"))
            if value is not None and not isinstance(value, str):
                self.error(f"{attribute_path}.value", "应为文本。")
                value = None
            if taxonomy == KIND_TAXONOMY:
                kinds.append((attribute_path, term.code))
            elif taxonomy == TOPIC_TAXONOMY:
                topics.append(term)
            elif taxonomy == AUDIENCE_TAXONOMY:
                audiences.append(term)
            elif taxonomy == CHANNEL_TAXONOMY:
                if term.code in CHANNELS_WITH_URL and not (value or "").startswith(
                    ("http://", "https://")
                ):
                    self.error(
                        f"{attribute_path}.value",
                        f"“{term.name}”须填写以http(s)://开头的办理入口网址。",
                    )
                channels.append(Entity(ServiceChannel, {"channel": term.code, "url": value or ""}))
            elif taxonomy == GUIDE_TAXONOMY:
                self._guide_value(entity.values, term.code, value or "", attribute_path)
        if len(kinds) != 1:
            found = "、".join(code for _, code in kinds) or "无"
            self.error(
                f"{path}.attributes",
                f"每项服务必须且只能有一个服务类型（{KIND_TAXONOMY}），现有：{found}。",
            )
        entity.values["kind"] = kinds[0][1] if kinds else None
        entity.many = {"topics": topics, "audiences": audiences}
        entity.children["channels"] = channels

    def _term(self, attribute, path) -> TaxonomyTerm | None:
        term_data = (
            attribute.get("taxonomy_term")
            if isinstance(attribute.get("taxonomy_term"), dict)
            else {}
        )
        raw_id = attribute.get("taxonomy_term_id") or term_data.get("id")
        if type(raw_id) is str:
            key = ("term", raw_id)
            if key not in self._parsed:
                self._parsed[key] = self.terms_by_id.get(_as_uuid(raw_id))
            term = self._parsed[key]
        else:
            term = self.terms_by_id.get(_as_uuid(raw_id))
        if term is None and term_data.get("taxonomy") and term_data.get("code"):
            term = self.terms_by_code.get((term_data["taxonomy"], term_data["code"]))
        if term is None:
            label = term_data.get("name") or term_data.get("code") or raw_id or ""
            self.error(f"{path}.taxonomy_term_id", f"未知的分类词“{label}”：请先在分类体系中添加。")
        return term

    def _guide_value(self, values, code, value, path) -> None:
        field_name = GUIDE_FIELDS[code]
        if field_name == "most_visits":
            if not value.isdigit():
                self.error(f"{path}.value", f"最多跑动次数应为整数，现为“{value}”。")
                return
            values[field_name] = int(value)
        elif field_name == "market_reference_price":
            values[field_name] = self.decimal({"value": value}, "value", path)
        else:
            values[field_name] = value

    def _cost_options(self, record, path) -> list[Entity]:
        options = []
        for option_path, option in self.items(record, "cost_options", path):
            options.append(
                Entity(
                    CostOption,
                    {
                        "id": self.identifier(option, "id", option_path, entity="cost_option"),
                        "option": self.text(option, "option", option_path, max_length=100),
                        "amount": self.decimal(option, "amount", option_path),
                        "currency": self.text(option, "currency", option_path) or "CNY",
                        "amount_description": self.text(
                            option, "amount_description", option_path, max_length=200
                        ),
                        "valid_from": self.date(option, "valid_from", option_path),
                        "valid_to": self.date(option, "valid_to", option_path),
                    },
                )
            )
        return options

    def _check_prices(self, entity: Entity, path: str) -> None:
        """The catalog's price rules (catalog.rules), reported at their JSON paths."""
        problems = price_problems(
            entity.values.get("kind"),
            entity.values.get("market_reference_price"),
            [option.values["amount"] for option in entity.children["cost_options"]],
            entity.values.get("fees_description", ""),
        )
        for where, message in problems:
            if where == "reference":
                self.error(f"{path}.attributes", message)
            elif where == "fees_description":
                self.error(f"{path}.fees_description", message)
            else:
                self.error(f"{path}.cost_options[{where[1]}].amount", message)

    def _service_at_locations(self, record, path) -> list[Entity]:
        links = []
        for link_path, link in self.items(record, "service_at_locations", path):
            location_id = _as_uuid(link.get("location_id"))
            if isinstance(link.get("location"), dict):
                nested_id = self.location(link["location"], f"{link_path}.location")
                if location_id and nested_id and location_id != nested_id:
                    self.error(f"{link_path}.location_id", "与 location.id 不一致。")
                location_id = location_id or nested_id
            if location_id is None:
                self.error(f"{link_path}.location_id", "缺少服务地点。")
            links.append(
                Entity(
                    ServiceAtLocation,
                    {
                        "id": self.identifier(link, "id", link_path, entity="service_at_location"),
                        "location_id": location_id,
                        "description": self.text(link, "description", link_path, max_length=200),
                    },
                    children={
                        "schedules": self.schedules(
                            link, link_path, ServiceAtLocationSchedule, "schedule"
                        ),
                    },
                )
            )
        return links


def _as_uuid(raw) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def read_records(records: Iterable) -> tuple[RecordReader, list[Entity]]:
    """Check every record of ``records`` (a list, or ``iter_records`` of a file, read once)
    and turn them into entities; ``reader.problems`` lists what is wrong."""
    terms = {term.id: term for term in TaxonomyTerm.objects.select_related("taxonomy")}
    reader = RecordReader(terms)
    services = []
    with _gc_paused():
        for index, record in enumerate(records):
            path = f"$[{index}]"
            if not isinstance(record, dict):
                reader.error(path, "应为服务记录对象。")
                continue
            services.append(reader.service(record, path))
    _check_references(reader, services)
    return reader, services


@contextmanager
def _gc_paused():
    """Build many long-lived objects without the cyclic collector rescanning them all
    again and again (it took over half of the reading time); they hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _check_references(reader: RecordReader, services: list[Entity]) -> None:
    """What the file refers to must be in it or in the catalog; names must not clash."""
    location_ids = {
        link.values["location_id"]
        for service in services
        for link in service.children["service_at_locations"]
        if link.values["location_id"]
    }
    known = set(reader.locations)
    known |= _existing_ids(Location, location_ids - known)
    for service in services:
        for link_index, link in enumerate(service.children["service_at_locations"]):
            location_id = link.values["location_id"]
            if location_id and location_id not in known:
                reader.error(
                    f"{service.path}.service_at_locations[{link_index}].location",
                    "服务地点不存在，请提供完整的location。",
                )
    referenced = [
        (f"{entity.path}.parent_organization_id", entity.values["parent_organization_id"])
        for _, entity in reader.organizations.values()
    ]
    referenced += [
        (f"{entity.path}.organization_id", entity.values["organization_id"])
        for _, entity in reader.locations.values()
    ]
    wanted = {org_id for _, org_id in referenced if org_id} - set(reader.organizations)
    known_organizations = set(reader.organizations) | _existing_ids(Organization, wanted)
    for path, org_id in referenced:
        if org_id and org_id not in known_organizations:
            reader.error(path, f"所属单位 {org_id} 既不在文件中，也不在服务目录里。")
    names = {
        service.values["name"]: service.values["id"]
        for service in services
        if service.values["name"]
    }
    for batch in _batches(names, LOOKUP_BATCH):
        for name, other_id in Service.objects.filter(name__in=batch).values_list("name", "id"):
            if other_id != names[name]:
                reader.error("$", f"服务名称“{name}”已被另一项服务（{other_id}）使用。")


def import_services(
    records: Iterable, *, progress: Callable[[int, int], None] | None = None
) -> ImportSummary:
    """Check every record, then save all of them or, on any problem, nothing.

    ``records`` is a list or any iterable (``iter_records(path)`` for a big file); it is
    read once. ``progress(saved, total)`` is called as services are saved."""
    reader, services = read_records(records)
    if reader.problems:
        raise HsdsImportError(reader.problems)
    return write(reader, services, progress=progress)


@transaction.atomic
def write(
    reader: RecordReader,
    services: list[Entity],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Save a checked file in one transaction: organisations, locations, then services,
    each row upserted by id with its children replaced by the file's.

    Rows are written in bulk, a thousand services at a time, so the number of queries
    grows with the file's size divided by a thousand. Bulk writes send no save signals,
    so the search index and Wagtail's reference index are updated here, in bulk, for
    every saved organisation, location and service.
    """
    summary = ImportSummary(
        organizations=len(reader.organizations), locations=len(reader.locations)
    )
    with _gc_paused():
        organizations = [entity for _, entity in reader.organizations.values()]
        parents = {entity.values["parent_organization_id"] for entity in organizations} - {None}
        known = set(reader.organizations)
        known |= _existing_ids(Organization, parents - known)
        # The parent may come later in the file: foreign keys are checked at commit.
        _save(
            Organization,
            [
                (entity, {"parent_organization_id": parent if parent in known else None})
                for entity in organizations
                for parent in [entity.values["parent_organization_id"]]
            ],
        )

        locations, gave_way = _locations_with_centers(reader)
        _save(Location, locations)

        total, saved = len(services), 0
        for batch in _batches(services, BATCH_SIZE):
            existing = _save(Service, [(entity, None) for entity in batch])
            summary.updated += len(existing)
            summary.created += len(batch) - len(existing)
            saved += len(batch)
            if progress:
                progress(saved, total)

        _update_indexes(Organization, [entity.values["id"] for entity in organizations])
        _update_indexes(Location, [entity.values["id"] for entity, _ in locations] + gave_way)
        _update_indexes(Service, [entity.values["id"] for entity in services])
    return summary


def _centers_by_code() -> dict[str, int]:
    from district.models import CenterPage

    return dict(CenterPage.objects.values_list("code", "id"))


def _locations_with_centers(reader: RecordReader) -> tuple[list, list]:
    """The file's locations, each with the center its code names (a center is one HSDS
    location: of several claiming one, the file's last wins, as saving them in turn
    did); other locations holding a claimed center give way, and are returned."""
    centers = _centers_by_code()
    claims: dict[int, uuid.UUID] = {}
    rows = []
    for _, entity in reader.locations.values():
        values = entity.values
        is_center = values["external_identifier_type"] == CENTER_CODE_IDENTIFIER_TYPE
        center = centers.get(values["external_identifier"]) if is_center else None
        if center:
            claims[center] = values["id"]
        rows.append((entity, center))
    holders = Location.objects.filter(center_id__in=claims).values_list("id", "center_id")
    gave_way = [location for location, center in holders if claims[center] != location]
    if gave_way:
        Location.objects.filter(id__in=gave_way).update(center=None)
    return [
        (
            entity,
            {"center_id": center if center and claims[center] == entity.values["id"] else None},
        )
        for entity, center in rows
    ], gave_way


def _existing_ids(model, ids: Iterable) -> set:
    found = set()
    for batch in _batches(ids, LOOKUP_BATCH):
        found.update(model._base_manager.filter(pk__in=batch).values_list("pk", flat=True))
    return found


def _save(model, rows: list[tuple[Entity, dict | None]], *, upsert: bool = True) -> set:
    """Write one model's rows, each an entity and the values the writer adds (parent,
    position, center), then their children and many-to-many links. Rows are upserted by
    id, or only created (``upsert=False``), as ``update_or_create`` and ``create`` did
    one row at a time. Returns the ids that existed before."""
    existing = set()
    if upsert:
        existing = _existing_ids(model, [entity.values["id"] for entity, _ in rows])
        # update_or_create updated only the fields it was given: group rows by those.
        groups: dict[frozenset, list] = {}
        for entity, extra in rows:
            values = {**entity.values, **extra} if extra else entity.values
            groups.setdefault(frozenset(values), []).append(model(**values))
        for fields, instances in groups.items():
            update_fields = sorted(fields - {"id"})
            model._base_manager.bulk_create(
                instances,
                batch_size=BATCH_SIZE,
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=update_fields,
            )
    else:
        model._base_manager.bulk_create(
            [
                model(**({**entity.values, **extra} if extra else entity.values))
                for entity, extra in rows
            ],
            batch_size=BATCH_SIZE,
        )
    _save_children(model, rows, existing)
    _save_many(model, rows, existing)
    return existing


def _save_children(model, rows, existing: set) -> None:
    """Replace the children of saved rows by the file's, in the file's order."""
    relations = dict.fromkeys(name for entity, _ in rows for name in entity.children)
    for relation in relations:
        parent_key = model._meta.get_field(relation).field
        child_model = parent_key.model
        replaced = [
            entity.values["id"]
            for entity, _ in rows
            if relation in entity.children and entity.values["id"] in existing
        ]
        for batch in _batches(replaced, LOOKUP_BATCH):
            _delete(child_model._base_manager.filter(**{f"{parent_key.attname}__in": batch}))
        ordered = any(f.name == "sort_order" for f in child_model._meta.fields)
        with_children, leaves = [], []
        for entity, _ in rows:
            for position, child in enumerate(entity.children.get(relation, ())):
                extra = {parent_key.attname: entity.values["id"]}
                if ordered:
                    extra["sort_order"] = position
                (with_children if child.children else leaves).append((child, extra))
        # A child with children of its own is upserted by id, as before; a leaf is created.
        if with_children:
            _save(child_model, with_children)
        if leaves:
            _save(child_model, leaves, upsert=False)


def _save_many(model, rows, existing: set) -> None:
    """Set many-to-many links (topics, audiences) through their tables, as ``set()`` did."""
    relations = dict.fromkeys(name for entity, _ in rows for name in entity.many)
    for relation in relations:
        field = model._meta.get_field(relation)
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name()).attname
        target = through._meta.get_field(field.m2m_reverse_field_name()).attname
        replaced = [
            entity.values["id"]
            for entity, _ in rows
            if relation in entity.many and entity.values["id"] in existing
        ]
        for batch in _batches(replaced, LOOKUP_BATCH):
            _delete(through._base_manager.filter(**{f"{source}__in": batch}))
        links = []
        for entity, _ in rows:
            row_id = entity.values["id"]
            targets = (getattr(item, "pk", item) for item in entity.many.get(relation, ()))
            links += [through(**{source: row_id, target: pk}) for pk in dict.fromkeys(targets)]
        through._base_manager.bulk_create(links, batch_size=BATCH_SIZE)


# -- indexes: what the save and delete signals did row by row ---------------------------


def _reference_index_updates_wanted() -> bool:
    from wagtail.signal_handlers import reference_index_auto_update_disabled

    return not getattr(reference_index_auto_update_disabled, "value", False)


def _delete(queryset) -> None:
    """``queryset.delete()``, with Wagtail's reference index updated in bulk rather than
    by a post_delete handler running two queries per deleted row."""
    from django.db.models.deletion import Collector
    from wagtail.models import ReferenceIndex
    from wagtail.signal_handlers import disable_reference_index_auto_update

    queryset = queryset.order_by()
    collector = Collector(using=queryset.db, origin=queryset)
    collector.collect(queryset)
    if not _reference_index_updates_wanted():
        collector.delete()
        return
    deleted = {
        model: [instance.pk for instance in instances]
        for model, instances in collector.data.items()
        if model in ReferenceIndex.tracked_models
    }
    with disable_reference_index_auto_update():
        collector.delete()
    for model, pks in deleted.items():
        base = ReferenceIndex._get_base_content_type(model)
        for batch in _batches(map(str, pks), LOOKUP_BATCH):
            ReferenceIndex.objects.filter(base_content_type=base, object_id__in=batch).delete()
            ReferenceIndex.objects.filter(to_content_type=base, to_object_id__in=batch).delete()


def _update_indexes(model, ids: list) -> None:
    _update_search_index(model, ids)
    _update_reference_index(model, ids)
    if model is Service:
        services_written.send(sender=Service, service_ids=ids)


def _update_search_index(model, ids: list) -> None:
    """Index the saved rows in every auto-updated search backend, a batch at a time."""
    from wagtail.search import index
    from wagtail.search.backends import get_search_backends_with_name

    if not issubclass(model, index.Indexed) or not getattr(model, "search_auto_update", True):
        return
    backends = list(get_search_backends_with_name(with_auto_update=True))
    for batch in _batches(ids, LOOKUP_BATCH) if backends else ():
        objects = list(model.get_indexed_objects().filter(pk__in=batch))
        for name, backend in backends:
            try:
                _forget_sqlite_entries(backend, model, objects)
                backend.add_bulk(model, objects)
            except Exception:
                # As modelsearch's own handler: log, and go on unless the backend says not to.
                logger.exception("Could not add %s rows to the '%s' search backend", model, name)
                if not backend.catch_indexing_errors:
                    raise


def _forget_sqlite_entries(backend, model, objects: list) -> None:
    """The SQLite index updates existing entries one query each; drop them first, so that
    ``add_bulk`` creates them all at once (their full-text rows follow by trigger)."""
    if connection.vendor != "sqlite" or not objects:
        return
    try:  # the module needs SQLite's full-text tables, there only when FTS5 is
        from modelsearch.backends.database.sqlite.sqlite import SQLiteIndex
    except (ImportError, LookupError):  # pragma: no cover
        return
    index = backend.get_index_for_model(model)
    if isinstance(index, SQLiteIndex):
        index.entries.filter(
            content_type_id=ContentType.objects.get_for_model(model).pk,
            object_id__in=[str(obj.pk) for obj in objects],
        )._raw_delete(index.write_connection.alias)


def _load_child_rows(objects: list, relations: list, *, empty: bool = False) -> None:
    """Give each row its child rows in memory (as an edit form does, through the cluster
    manager), one query per relation. The rows of relations that cannot point anywhere
    stay unread and empty; ``empty=True`` empties them all again, since child and parent
    then point at each other (a cycle only the garbage collector would free)."""
    from wagtail.models import ReferenceIndex

    for relation in relations:
        parent_key = relation.field
        found = defaultdict(list)
        if not empty and ReferenceIndex.model_is_indexable(
            relation.related_model, allow_child_models=True
        ):
            for batch in _batches([obj.pk for obj in objects], LOOKUP_BATCH):
                rows = relation.related_model._default_manager.filter(
                    **{f"{parent_key.attname}__in": batch}
                )
                for row in rows:
                    found[getattr(row, parent_key.attname)].append(row)
        for obj in objects:
            setattr(obj, relation.get_accessor_name(), found.get(obj.pk, []))


def _update_reference_index(model, ids: list) -> None:
    """``ReferenceIndex.create_or_update_for_object`` for many rows: record what each row
    and its child rows point to, add what is new and drop what is gone."""
    from modelcluster.models import ClusterableModel, get_all_child_relations
    from wagtail.models import ReferenceIndex

    if not ReferenceIndex.is_indexed(model) or not _reference_index_updates_wanted():
        return
    content_types = [
        ContentType.objects.get_for_model(each, for_concrete_model=False)
        for each in [model, *model._meta.get_parent_list()]
    ]
    content_type, base = content_types[0], content_types[-1]
    known_content_types = {each.id for each in content_types}
    relations = get_all_child_relations(model) if issubclass(model, ClusterableModel) else []
    for batch in _batches(ids, LOOKUP_BATCH):
        objects = list(model._default_manager.filter(pk__in=batch))
        _load_child_rows(objects, relations)
        wanted = {}
        for obj in objects:
            for reference in ReferenceIndex._extract_references_from_object(obj):
                wanted[(str(obj.pk), *reference)] = None
        _load_child_rows(objects, relations, empty=True)
        existing = {
            (object_id, to_content_type, to_object_id, model_path, content_path): (
                content_type_id,
                reference_id,
            )
            for (
                reference_id,
                content_type_id,
                object_id,
                to_content_type,
                to_object_id,
                model_path,
                content_path,
            ) in ReferenceIndex.objects.filter(
                base_content_type=base, object_id__in=[str(pk) for pk in batch]
            ).values_list(
                "id",
                "content_type_id",
                "object_id",
                "to_content_type_id",
                "to_object_id",
                "model_path",
                "content_path",
            )
        }
        ReferenceIndex.objects.bulk_create(
            [
                ReferenceIndex(
                    content_type=content_type,
                    base_content_type=base,
                    object_id=object_id,
                    to_content_type_id=to_content_type,
                    to_object_id=to_object_id,
                    model_path=model_path,
                    content_path=content_path,
                    content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
                )
                for key in wanted
                if key not in existing
                for object_id, to_content_type, to_object_id, model_path, content_path in [key]
            ],
            batch_size=BATCH_SIZE,
            ignore_conflicts=connection.features.supports_ignore_conflicts,
        )
        gone = [
            reference_id
            for key, (content_type_id, reference_id) in existing.items()
            if key not in wanted and content_type_id in known_content_types
        ]
        for gone_batch in _batches(gone, LOOKUP_BATCH):
            ReferenceIndex.objects.filter(id__in=gone_batch).delete()
