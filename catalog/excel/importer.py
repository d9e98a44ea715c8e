"""Import the service sheet, atomically, as the HSDS importer does: every row is read and
checked first, each problem recorded at its row and column; only a sheet without problems
is written, inside one transaction.

A row updates its service in place. Children the sheet shows (documents, cost items,
channels, places, phones, the service's own hours) are matched to the existing rows by
content, so a matched row keeps its id and whatever the sheet does not show (a cost item's
currency and dates, a place's own schedules, an hours row's notes); contacts, languages
and service areas are not touched at all. Rows that change nothing write nothing, so
uploading an export is a no-op.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from catalog.excel.columns import COLUMNS, COLUMNS_BY_KEY, CellError, Lookups
from catalog.excel.hours import FLAGS, line_key
from catalog.excel.problems import ExcelImportError, ExcelImportSummary, ExcelProblem
from catalog.excel.workbook import read_rows, service_queryset
from catalog.hsds.entities import Entity
from catalog.hsds.writer import save_services
from catalog.models import (
    Channel,
    CostOption,
    RequiredDocument,
    Service,
    ServiceAtLocation,
    ServiceChannel,
    ServicePhone,
    ServiceSchedule,
)
from catalog.models.services import CHANNELS_WITH_URL
from catalog.permissions import may_offer_at, services_editable_by
from catalog.rules import price_problems

# Service fields a row sets directly (the others are relations, handled below).
SCALAR_FIELDS = [
    "name",
    "alternate_name",
    "keywords",
    "kind",
    "description",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "application_process",
    "time_limit",
    "most_visits",
    "legal_basis",
    "fees_description",
    "market_reference_price",
    "status",
    "alert",
    "assured_date",
    "assurer_email",
]
MANY_FIELDS = ["topics", "audiences"]
CHANNEL_URL_KEYS = {Channel.ONLINE: "channel_url_online", Channel.MOBILE: "channel_url_mobile"}


@dataclass(frozen=True)
class ChildSpec:
    """A child relation the sheet carries. ``keys`` are tried in order to pair a line of
    the sheet with an existing row: the exact content first, then looser keys, so that
    editing one value of an item keeps the item's id and hidden fields. A key is field
    names, or a function of a row (or of a line's values) giving the line's text.
    ``updates`` limits what a paired row takes from its line (default: every field)."""

    model: type
    fields: tuple[str, ...]
    keys: tuple[tuple[str, ...] | Callable, ...]
    updates: tuple[str, ...] | None = None


CHILD_SPECS = {
    "required_documents": ChildSpec(RequiredDocument, ("document",), (("document",),)),
    "cost_options": ChildSpec(
        CostOption,
        ("option", "amount", "amount_description"),
        (("option", "amount", "amount_description"), ("option", "amount_description"), ("option",)),
    ),
    "channels": ChildSpec(ServiceChannel, ("channel", "url"), (("channel",),)),
    "service_at_locations": ChildSpec(
        ServiceAtLocation,
        ("location_id", "description"),
        (("location_id", "description"), ("location_id",)),
    ),
    "phones": ChildSpec(
        ServicePhone,
        ("number", "extension", "description"),
        (("number", "extension", "description"), ("number", "extension")),
    ),
    # An hours line is paired by its wording (which a row's notes are not part of); only
    # its holiday rules change in place, any other edit makes it a new row.
    "schedules": ChildSpec(
        ServiceSchedule,
        (
            "kind",
            "freq",
            "byday",
            "bymonthday",
            "interval",
            "dtstart",
            "opens_at",
            "closes_at",
            "valid_from",
            "valid_to",
            "description",
            *FLAGS,
        ),
        (line_key,),
        updates=FLAGS,
    ),
}


@dataclass
class ChildChanges:
    deletes: list = field(default_factory=list)
    updates: list[tuple[object, dict]] = field(default_factory=list)
    creates: list[tuple[int, dict]] = field(default_factory=list)

    def __bool__(self):
        return bool(self.deletes or self.updates or self.creates)


@dataclass
class ServiceChanges:
    fields: dict = field(default_factory=dict)
    many: dict = field(default_factory=dict)
    children: dict[str, ChildChanges] = field(default_factory=dict)

    def __bool__(self):
        return bool(self.fields or self.many or any(self.children.values()))


@dataclass
class RowPlan:
    row: int
    values: dict
    service: Service | None = None  # the existing service, None for a new one
    changes: ServiceChanges | None = None


class SheetReader:
    """Turns rows into plans, collecting every problem."""

    def __init__(self, user=None):
        self.user = user
        self.problems: list[ExcelProblem] = []
        self.lookups = Lookups.load()

    def error(self, row: int, key_or_header: str, message: str) -> None:
        column = COLUMNS_BY_KEY.get(key_or_header)
        self.problems.append(ExcelProblem(row, column.header if column else key_or_header, message))

    def read(self, rows: list[tuple[int, dict]]) -> list[RowPlan]:
        plans = [self.read_row(row, raw) for row, raw in rows]
        self.check_sheet(plans)
        failed = {problem.row for problem in self.problems}
        for plan in plans:
            if plan.row not in failed:
                plan.changes = service_changes(plan.service, plan.values)
        if self.user is not None:
            self.check_permissions([plan for plan in plans if plan.row not in failed])
        return plans

    def read_row(self, row: int, raw: dict) -> RowPlan:
        values, bad = {}, set()
        for column in COLUMNS:
            if column.optional and column.header not in raw:
                continue  # the sheet lacks the column: leave what it holds alone
            try:
                values[column.key] = column.parse(raw.get(column.header), self.lookups)
            except CellError as error:
                self.error(row, column.key, str(error))
                bad.add(column.key)
        self.check_row(row, values, bad)
        return RowPlan(row, values)

    def check_row(self, row: int, values: dict, bad: set) -> None:
        """Rules across cells, as the HSDS importer and the admin form apply them."""
        minimum, maximum = values.get("minimum_age"), values.get("maximum_age")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.error(row, "maximum_age", f"最高年龄（{maximum}）不能小于最低年龄（{minimum}）。")

        if "channels" not in bad:
            for channel, key in CHANNEL_URL_KEYS.items():
                if key in bad:
                    continue
                label = Channel(channel).label
                listed = channel in values["channels"]
                if listed and channel in CHANNELS_WITH_URL and not values[key]:
                    self.error(row, key, f"“{label}”须填写以http(s)://开头的办理入口网址。")
                elif values[key] and not listed:
                    self.error(
                        row,
                        key,
                        f"填写了网址，但「办理渠道」中没有“{label}”：请补上该渠道或删去网址。",
                    )
            values["channels"] = [
                {"channel": channel, "url": values.get(CHANNEL_URL_KEYS.get(channel), "")}
                for channel in values["channels"]
            ]

        price_keys = {"kind", "market_reference_price", "cost_options", "fees_description"}
        if not price_keys & bad:
            options = values["cost_options"]
            for where, message in price_problems(
                values["kind"],
                values["market_reference_price"],
                [option["amount"] for option in options],
                values["fees_description"],
            ):
                if where == "reference":
                    self.error(row, "market_reference_price", message)
                elif where == "fees_description":
                    self.error(row, "fees_description", message)
                else:
                    index = where[1]
                    self.error(
                        row,
                        "cost_options",
                        f"第{index + 1}项“{options[index]['option']}”：{message}",
                    )

    def check_sheet(self, plans: list[RowPlan]) -> None:
        """One row per service, names unique in the sheet and in the catalog, ids known."""
        rows_by_id, rows_by_name = {}, {}
        for plan in plans:
            service_id, name = plan.values.get("id"), plan.values.get("name")
            if service_id:
                first = rows_by_id.setdefault(service_id, plan.row)
                if first != plan.row:
                    self.error(plan.row, "id", f"服务编号与第{first}行重复：同一项服务只能占一行。")
            if name:
                first = rows_by_name.setdefault(name, plan.row)
                if first != plan.row:
                    self.error(plan.row, "name", f"服务名称“{name}”与第{first}行重复。")

        existing = {
            service.id: service
            for service in service_queryset(Service.objects.filter(id__in=list(rows_by_id)))
        }
        sheet_names = {}
        for plan in plans:
            service_id = plan.values.get("id")
            if service_id is None:
                continue
            plan.service = existing.get(service_id)
            sheet_names[service_id] = plan.values.get("name")
            if plan.service is None:
                self.error(
                    plan.row,
                    "id",
                    "服务目录中没有这个服务编号（可能已被删除）；新增服务请将服务编号留空。",
                )

        # A name held by a service outside the sheet stays taken; one held by a service in
        # the sheet is either renamed there or reported above as a duplicate.
        plans_by_row = {plan.row: plan for plan in plans}
        taken = Service.objects.filter(name__in=list(rows_by_name)).values_list("name", "id")
        for name, owner in taken:
            plan = plans_by_row[rows_by_name[name]]
            unknown_id = plan.values.get("id") and plan.service is None
            if owner not in sheet_names and plan.values.get("id") != owner and not unknown_id:
                self.error(
                    plan.row, "name", f"服务名称“{name}”已被另一项服务使用（服务编号 {owner}）。"
                )

    def check_permissions(self, plans: list[RowPlan]) -> None:
        """Django model permissions, and the centers an editor is responsible for (the
        same rules as the admin's service form: catalog.permissions)."""
        user = self.user
        changed = [plan for plan in plans if plan.service is not None and plan.changes]
        editable = set(
            services_editable_by(
                user, Service.objects.filter(id__in=[plan.service.id for plan in changed])
            ).values_list("id", flat=True)
        )
        for plan in plans:
            if plan.service is None:
                if not user.has_perm("catalog.add_service"):
                    self.error(
                        plan.row, "id", "您没有新增服务的权限（服务编号为空的行会新增服务）。"
                    )
                    continue
            elif not plan.changes:
                continue
            elif not user.has_perm("catalog.change_service"):
                self.error(plan.row, "id", "您没有修改服务的权限。")
                continue
            elif plan.service.id not in editable:
                self.error(plan.row, "id", "您无权修改这项服务：它还在您负责的服务中心以外提供。")
                continue
            places = plan.changes.children.get("service_at_locations")
            if plan.service is None or places:
                centers = {link["center_id"] for link in plan.values["service_at_locations"]}
                if not may_offer_at(user, centers):
                    self.error(
                        plan.row,
                        "service_at_locations",
                        "您只能登记本中心提供的服务：请至少填写一个您负责的服务中心，且不要填写其他中心。",
                    )


def service_changes(service: Service | None, values: dict) -> ServiceChanges:
    """What writing ``values`` would change; everything, for a new service."""
    changes = ServiceChanges()
    for name in SCALAR_FIELDS:
        if service is None or getattr(service, name) != values[name]:
            changes.fields[name] = values[name]
    organization = values["organization"]
    if service is None or service.organization_id != (organization.id if organization else None):
        changes.fields["organization"] = organization
    for name in MANY_FIELDS:
        current = set() if service is None else {term.id for term in getattr(service, name).all()}
        if service is None or current != {term.id for term in values[name]}:
            changes.many[name] = values[name]
    for relation, spec in CHILD_SPECS.items():
        if relation not in values:
            continue  # an optional column the sheet lacks
        existing = [] if service is None else list(getattr(service, relation).all())
        wanted = [
            {name: item[name] for name in spec.fields if name in item} for item in values[relation]
        ]
        if relation == "channels":
            # Only 网上办 and 指尖办 have a URL column; any other channel keeps its URL.
            urls = {row.channel: row.url for row in existing}
            for item in wanted:
                if item["channel"] not in CHANNEL_URL_KEYS:
                    item["url"] = urls.get(item["channel"], "")
        changes.children[relation] = child_changes(spec, existing, wanted)
    return changes


def child_changes(spec: ChildSpec, existing: list, wanted: list[dict]) -> ChildChanges:
    matched: dict[int, object] = {}
    free = list(existing)
    for key in spec.keys:
        if callable(key):
            row_key, item_key = key, key
        else:
            row_key = lambda row, key=key: tuple(getattr(row, n) for n in key)  # noqa: E731
            item_key = lambda item, key=key: tuple(item[n] for n in key)  # noqa: E731
        for index, item in enumerate(wanted):
            if index in matched:
                continue
            target = item_key(item)
            row = next((row for row in free if row_key(row) == target), None)
            if row is not None:
                matched[index] = row
                free.remove(row)
    changes = ChildChanges(deletes=free)
    for position, item in enumerate(wanted):
        row = matched.get(position)
        if row is None:
            changes.creates.append((position, item))
            continue
        names = item if spec.updates is None else [n for n in spec.updates if n in item]
        diff = {name: item[name] for name in names if getattr(row, name) != item[name]}
        if row.sort_order != position:
            diff["sort_order"] = position
        if diff:
            changes.updates.append((row, diff))
    return changes


def read_workbook(source, user=None) -> list[RowPlan]:
    """Plans for every row, or ExcelImportError listing every problem."""
    header, rows = read_rows(_as_bytes(source))
    reader = SheetReader(user)
    plans = reader.read(rows)
    if reader.problems:
        raise ExcelImportError(
            sorted(reader.problems, key=lambda p: (p.row or 0, _column_order(p.column)))
        )
    return plans


def import_workbook(source, user=None) -> ExcelImportSummary:
    """Check every row, then save all of them or, on any problem, nothing.

    ``source`` is the file's bytes, a path or an open (uploaded) file. With ``user``,
    rows must be within that user's permissions, and each change is logged in the
    service's history under that user; without, nothing is checked for access.
    """
    return write(read_workbook(source, user), user)


@transaction.atomic
def write(plans: list[RowPlan], user=None) -> ExcelImportSummary:
    """Save the rows that change something through the catalog's bulk writer (the HSDS
    import's), and log each in its service's history as one operation."""
    now = timezone.now()
    # Free the old names of renamed services first, so two services may swap names.
    for plan in plans:
        if plan.service is not None and "name" in plan.changes.fields:
            Service.objects.filter(pk=plan.service.pk).update(name=str(plan.service.pk))
    written = [plan for plan in plans if plan.service is None or plan.changes]
    entities = [_service_entity(plan, now) for plan in written]
    save_services(entities)
    saved = Service.objects.in_bulk([entity.values["id"] for entity in entities])
    batch = uuid.uuid4()  # one upload reads as one operation in the history
    for plan, entity in zip(written, entities, strict=True):
        action = "wagtail.create" if plan.service is None else "wagtail.edit"
        log(saved[entity.values["id"]], action, user=user, uuid=batch, content_changed=True)
    created = sum(plan.service is None for plan in written)
    return ExcelImportSummary(
        created=created, updated=len(written) - created, unchanged=len(plans) - len(written)
    )


def _service_entity(plan: RowPlan, now) -> Entity:
    """A row's changes as the bulk writer takes them: the fields that change, the links
    that change, and each child relation that changes as its whole new list, in the
    sheet's order (a kept row by its id, with the fields that change; a new row whole)."""
    service, changes = plan.service, plan.changes
    values = {"id": service.pk if service else uuid.uuid4(), "last_modified": now}
    for name, value in changes.fields.items():
        if name == "organization":
            values["organization_id"] = value.pk if value else None
        else:
            values[name] = value
    children = {}
    for relation, child in changes.children.items():
        if not child:
            continue
        model = CHILD_SPECS[relation].model
        gone = {row.pk for row in child.deletes}
        diffs = {row.pk: diff for row, diff in child.updates}
        current = getattr(service, relation).all() if service else []
        lines = []
        for row in current:
            if row.pk in gone:
                continue
            diff = dict(diffs.get(row.pk, {}))
            # A kept row without a new position is already where the sheet puts it.
            position = diff.pop("sort_order", row.sort_order)
            lines.append((position, Entity(model, {"id": row.pk, **diff})))
        lines += [(position, Entity(model, dict(item))) for position, item in child.creates]
        children[relation] = [entity for _, entity in sorted(lines, key=lambda line: line[0])]
    many = {name: list(terms) for name, terms in changes.many.items()}
    return Entity(Service, values, children=children, many=many)


def _as_bytes(source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()


def _column_order(header: str) -> int:
    headers = [column.header for column in COLUMNS]
    return headers.index(header) if header in headers else -1
