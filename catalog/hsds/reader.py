"""Reading HSDS records: every record checked and turned into rows to write
(``Entity``), every problem recorded with its JSON path and a Chinese message.

``read_records`` keeps only the field values it will write, so a file of 100,000 records
(1.5 GB, streamed by ``catalog.hsds.stream.iter_records``) is read in bounded memory.
"""

import operator
import re
import uuid
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from catalog.hsds.conventions import (
    GUIDE_FIELDS,
    SCHEDULE_EXCEPTION_KINDS,
    SCHEDULE_FLAGS,
    SERVICE_STATUSES,
    WEEKDAYS,
)
from catalog.hsds.entities import LOOKUP_BATCH, Entity, batches, existing_ids, gc_paused
from catalog.hsds.problems import Problem
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
from catalog.models.services import CHANNELS_WITH_URL
from catalog.models.taxonomy import (
    AUDIENCE_TAXONOMY,
    CHANNEL_TAXONOMY,
    GUIDE_TAXONOMY,
    KIND_TAXONOMY,
    LINK_TYPES,
    SCHEDULE_TAXONOMY,
    TOPIC_TAXONOMY,
)
from catalog.opening import CLOSED, REGULAR, SPECIAL_HOURS
from catalog.rules import price_problems

BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")


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
            self._schedule_rules(schedule, schedule_path, values)
            rows.append(Entity(model, values))
        return rows

    def _schedule_rules(self, schedule: dict, path: str, values: dict) -> None:
        """A schedule's attributes (taxonomy jiamenkou-schedule) into its kind and holiday
        rules. A schedule without them is regular hours that ignore the holiday calendar."""
        values["kind"] = REGULAR
        values.update(dict.fromkeys(SCHEDULE_FLAGS, False))
        kinds = []
        for attribute_path, attribute in self.items(schedule, "attributes", path):
            term = self._term(attribute, attribute_path)
            if term is None:
                continue
            taxonomy = term.taxonomy.name
            if taxonomy != SCHEDULE_TAXONOMY:
                self.error(
                    f"{attribute_path}.taxonomy_term_id",
                    f"“{term.name}”（分类体系 {taxonomy}）不能用于时间安排，"
                    f"应为分类体系 {SCHEDULE_TAXONOMY} 的分类词。",
                )
                continue
            if attribute.get("link_type") and attribute["link_type"] != LINK_TYPES[taxonomy]:
                self.error(
                    f"{attribute_path}.link_type",
                    f"应为“{LINK_TYPES[taxonomy]}”（分类体系 {taxonomy}）。",
                )
            if term.code in SCHEDULE_FLAGS:
                values[term.code] = True
            elif term.code in SCHEDULE_EXCEPTION_KINDS:
                kinds.append(term)
            else:
                self.error(
                    f"{attribute_path}.taxonomy_term_id",
                    f"分类词“{term.name}”（{term.code}）不是时间安排能用的属性，应为 "
                    f"{' / '.join((*SCHEDULE_FLAGS, *SCHEDULE_EXCEPTION_KINDS))} 之一。",
                )
        if not kinds:
            return
        if len({term.code for term in kinds}) > 1:
            self.error(
                f"{path}.attributes",
                "一条时间安排只能是“特定日期闭馆”或“特定日期特别开放时间”之一。",
            )
        term = kinds[0]
        values["kind"] = term.code
        if schedule.get("valid_from") in (None, ""):
            self.error(
                f"{path}.valid_from", f"“{term.name}”必须填写生效日期（valid_from），即哪一天起。"
            )
        values["valid_to"] = values["valid_to"] or values["valid_from"]
        if term.code == CLOSED and (values["opens_at"] or values["closes_at"]):
            key = "opens_at" if values["opens_at"] else "closes_at"
            self.error(f"{path}.{key}", "特定日期闭馆为全天不开放，不应填写开始时间或结束时间。")
        if term.code == SPECIAL_HOURS:
            for key in ("opens_at", "closes_at"):
                if schedule.get(key) in (None, ""):
                    self.error(f"{path}.{key}", "特定日期特别开放时间必须填写开始时间和结束时间。")
        if any(values[flag] for flag in SCHEDULE_FLAGS):
            self.error(
                f"{path}.attributes",
                f"“法定节假日休息”“调休上班日按工作日开放”只适用于常规开放时间，不能用于“{term.name}”。",
            )

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
            if taxonomy == SCHEDULE_TAXONOMY:
                self.error(
                    f"{attribute_path}.taxonomy_term_id",
                    f"“{term.name}”是时间安排的属性，应写在 schedules[].attributes 中。",
                )
                continue
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
        term_id = attribute.get("taxonomy_term_id")
        if term_id and term_data.get("id") and not _same_id(term_data["id"], term_id):
            self.error(
                f"{path}.taxonomy_term.id",
                f"与 taxonomy_term_id（{term_id}）不一致：一个属性只能指向一个分类词。",
            )
        raw_id = term_id or term_data.get("id")
        if type(raw_id) is str:
            key = ("term", raw_id)
            if key not in self._parsed:
                self._parsed[key] = self.terms_by_id.get(_as_uuid(raw_id))
            term = self._parsed[key]
        else:
            term = self.terms_by_id.get(_as_uuid(raw_id))
        if term is not None:
            self._embedded_term_agrees(term, term_data, path)
        elif term_data.get("taxonomy") and term_data.get("code"):
            term = self.terms_by_code.get((term_data["taxonomy"], term_data["code"]))
        if term is None:
            label = term_data.get("name") or term_data.get("code") or raw_id or ""
            self.error(f"{path}.taxonomy_term_id", f"未知的分类词“{label}”：请先在分类体系中添加。")
        return term

    def _embedded_term_agrees(self, term: TaxonomyTerm, term_data: dict, path: str) -> None:
        """An embedded ``taxonomy_term`` describes the term its id names: the same code,
        in the same taxonomy (else the file means two terms, and saying which is a guess)."""
        described = tuple(term_data.get(key) for key in ("code", "taxonomy", "taxonomy_id"))
        # A description found to agree before (they recur across records) is not checked
        # again; only texts are remembered (anything else is wrong, and said so each time).
        known = ("agrees", term.id, *described)
        texts = all(type(value) is str or value is None for value in described)
        if texts and known in self._parsed:
            return
        taxonomy = term.taxonomy
        agrees = True
        for key, given, expected, same, what in (
            ("code", described[0], term.code, operator.eq, "分类词代码"),
            ("taxonomy", described[1], taxonomy.name, operator.eq, "分类体系"),
            ("taxonomy_id", described[2], taxonomy.id, _same_id, "分类体系id"),
        ):
            if given in (None, "") or same(given, expected):
                continue
            agrees = False
            self.error(
                f"{path}.taxonomy_term.{key}",
                f"{what}“{given}”与 taxonomy_term_id 所指的分类词“{term.name}”不一致"
                f"（应为“{expected}”）。",
            )
        if agrees and texts:
            self._parsed[known] = True

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


def _same_id(first, second) -> bool:
    """Whether two ids are the same: as UUIDs (however written) when both are ones."""
    if first == second:
        return True
    first_uuid, second_uuid = _as_uuid(first), _as_uuid(second)
    if first_uuid and second_uuid:
        return first_uuid == second_uuid
    return str(first) == str(second)


def read_records(records: Iterable) -> tuple[RecordReader, list[Entity]]:
    """Check every record of ``records`` (a list, or ``iter_records`` of a file, read once)
    and turn them into entities; ``reader.problems`` lists what is wrong."""
    terms = {term.id: term for term in TaxonomyTerm.objects.select_related("taxonomy")}
    reader = RecordReader(terms)
    services = []
    with gc_paused():
        for index, record in enumerate(records):
            path = f"$[{index}]"
            if not isinstance(record, dict):
                reader.error(path, "应为服务记录对象。")
                continue
            services.append(reader.service(record, path))
    _check_references(reader, services)
    return reader, services


def _check_references(reader: RecordReader, services: list[Entity]) -> None:
    """What the file refers to must be in it or in the catalog; names must not clash."""
    location_ids = {
        link.values["location_id"]
        for service in services
        for link in service.children["service_at_locations"]
        if link.values["location_id"]
    }
    known = set(reader.locations)
    known |= existing_ids(Location, location_ids - known)
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
    known_organizations = set(reader.organizations) | existing_ids(Organization, wanted)
    for path, org_id in referenced:
        if org_id and org_id not in known_organizations:
            reader.error(path, f"所属单位 {org_id} 既不在文件中，也不在服务目录里。")
    names = {
        service.values["name"]: service.values["id"]
        for service in services
        if service.values["name"]
    }
    for batch in batches(names, LOOKUP_BATCH):
        for name, other_id in Service.objects.filter(name__in=batch).values_list("name", "id"):
            if other_id != names[name]:
                reader.error("$", f"服务名称“{name}”已被另一项服务（{other_id}）使用。")
