"""The columns of the service sheet, in one place: Chinese header, width, instructions,
how a service fills the cell (``export``) and how a cell becomes a value (``parse``).

One row is one service. Child rows the sheet carries (documents, cost items, channels,
places, phones, the service's own hours) are written one per line inside their cell;
``parse`` returns plain values and raises ``CellError`` with a Chinese message, so the
importer can collect every problem of every row before anything is saved.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from catalog.excel.hours import HoursError, hours_text, parse_hours
from catalog.models import (
    Channel,
    Location,
    Organization,
    Service,
    ServiceKind,
    ServiceStatus,
    TaxonomyTerm,
)
from catalog.models.taxonomy import AUDIENCE_TAXONOMY, TOPIC_TAXONOMY
from catalog.rules import price_text

LIST_SEPARATOR = "、"
# Editors type whichever comma or semicolon their input method gives them.
LIST_SPLIT = re.compile(r"[、,，;；\n]+")
PART_SEPARATOR = "："
PHONE_NUMBER = re.compile(r"^[0-9+()（）\- ]{3,40}$")
EXTENSION_SEPARATOR = "转"
LOCATION_LINE = re.compile(r"^(\S+?)(?:\s*[：:]\s*|\s+|$)(.*)$")
# PositiveSmallIntegerField and DecimalField(max_digits=10, decimal_places=2) limits.
SMALL_INTEGER_MAX = 32767
PRICE_MAX = Decimal("99999999.99")


class CellError(Exception):
    """A cell's value was refused; the message is shown to the editor as is."""


@dataclass
class Lookups:
    """What cells refer to by name, fetched once per workbook."""

    topics: dict[str, TaxonomyTerm]
    audiences: dict[str, TaxonomyTerm]
    organizations: dict[str, list[Organization]]
    locations: dict[str, Location]
    location_codes: list[str] = field(default_factory=list)

    @classmethod
    def load(cls) -> "Lookups":
        terms = TaxonomyTerm.objects.select_related("taxonomy")
        organizations: dict[str, list[Organization]] = {}
        for organization in Organization.objects.only("id", "name"):
            organizations.setdefault(organization.name, []).append(organization)
        locations: dict[str, Location] = {}
        codes = []
        for location in Location.objects.order_by("external_identifier", "name"):
            # A center is found by its code (HHD-CH-01); a place without one, by its name.
            if location.external_identifier:
                locations[location.external_identifier] = location
                codes.append(location.external_identifier)
            locations.setdefault(location.name, location)
        return cls(
            topics={term.name: term for term in terms.of(TOPIC_TAXONOMY)},
            audiences={term.name: term for term in terms.of(AUDIENCE_TAXONOMY)},
            organizations=organizations,
            locations=locations,
            location_codes=codes,
        )


# -- cell helpers ------------------------------------------------------------------------


def cell_text(raw) -> str:
    """Any cell value as trimmed text with "\\n" line ends."""
    if raw is None:
        return ""
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == time(0) else raw.isoformat(sep=" ")
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).replace("\r\n", "\n").replace("\r", "\n").strip()


def cell_lines(raw) -> list[str]:
    return [line.strip() for line in cell_text(raw).split("\n") if line.strip()]


def check_length(text: str, max_length: int | None, what: str = "") -> str:
    if max_length and len(text) > max_length:
        raise CellError(f"{what}过长：最多{max_length}个字符，现有{len(text)}个。")
    return text


def parse_decimal(raw, what: str = "") -> Decimal | None:
    """A non-negative price with at most two decimals; "22元" is read as 22."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise CellError(f"{what}应为数字。")
    text = cell_text(raw) if not isinstance(raw, int | float) else str(raw)
    text = text.removesuffix("元").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(f"{what}“{cell_text(raw)}”不是有效数字。") from None
    if not value.is_finite() or value < 0:
        raise CellError(f"{what}“{cell_text(raw)}”不是有效的非负数。")
    if value != value.quantize(Decimal("0.01")):
        raise CellError(f"{what}“{cell_text(raw)}”最多保留两位小数。")
    if value > PRICE_MAX:
        raise CellError(f"{what}“{cell_text(raw)}”过大。")
    return value


# -- columns -----------------------------------------------------------------------------


class Column:
    """One column of the service sheet."""

    number_format = "@"  # text: keeps ids, phone numbers and codes as typed
    wrap = False

    def __init__(self, header: str, key: str, *, width: int, help: str, example: str = ""):
        self.header = header
        self.key = key
        self.width = width
        self.help = help
        self.example = example
        self.required = False
        self.choices: list[str] = []
        # An optional column may be missing from a sheet (one exported before it was
        # added): what it holds is then left as it is.
        self.optional = False

    def export(self, service: Service):
        return getattr(service, self.key)

    def parse(self, raw, lookups: Lookups):
        raise NotImplementedError


class IdColumn(Column):
    def export(self, service):
        return str(service.id)

    def parse(self, raw, lookups):
        text = cell_text(raw)
        if not text:
            return None
        try:
            return uuid.UUID(text)
        except ValueError:
            raise CellError(f"“{text}”不是有效的服务编号；新增服务请将服务编号留空。") from None


class TextColumn(Column):
    def __init__(self, header, key, *, required=False, wrap=False, **kwargs):
        super().__init__(header, key, **kwargs)
        self.required = required
        self.wrap = wrap
        self.max_length = Service._meta.get_field(key).max_length

    def parse(self, raw, lookups):
        text = cell_text(raw)
        if self.required and not text:
            raise CellError("必填，不能为空。")
        return check_length(text, self.max_length)


class IntegerColumn(Column):
    number_format = "0"

    def parse(self, raw, lookups):
        text = cell_text(raw)
        if not text:
            return None
        if isinstance(raw, bool) or not text.isdigit():
            raise CellError(f"“{text}”应为不小于0的整数。")
        value = int(text)
        if value > SMALL_INTEGER_MAX:
            raise CellError(f"“{text}”过大。")
        return value


class DecimalColumn(Column):
    number_format = "General"

    def export(self, service):
        value = getattr(service, self.key)
        # A number cell, written as the catalog writes prices: 22, 0.5.
        return None if value is None else Decimal(price_text(value))

    def parse(self, raw, lookups):
        return parse_decimal(raw)


class DateColumn(Column):
    number_format = "yyyy-mm-dd"

    def parse(self, raw, lookups):
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = cell_text(raw)
        if not text:
            return None
        try:
            if not re.fullmatch(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}", text):
                raise ValueError
            year, month, day = (int(part) for part in re.split(r"[-/.]", text))
            return date(year, month, day)
        except ValueError:
            raise CellError(f"“{text}”不是有效日期，应为YYYY-MM-DD。") from None


class EmailColumn(Column):
    def parse(self, raw, lookups):
        text = cell_text(raw)
        if not text:
            return ""
        try:
            validate_email(text)
        except ValidationError:
            raise CellError(f"“{text}”不是有效的电子邮箱。") from None
        return check_length(text, Service._meta.get_field(self.key).max_length)


class ChoiceColumn(Column):
    """A Chinese label standing for a TextChoices value; the sheet offers a drop-down."""

    def __init__(self, header, key, *, enum, required=False, default=None, **kwargs):
        super().__init__(header, key, **kwargs)
        self.enum = enum
        self.required = required
        self.default = default
        self.choices = [str(label) for label in enum.labels]

    def export(self, service):
        value = getattr(service, self.key)
        return str(self.enum(value).label) if value else ""

    def parse(self, raw, lookups):
        text = cell_text(raw)
        if not text:
            if self.required:
                raise CellError(f"必填，应为 {LIST_SEPARATOR.join(self.choices)} 之一。")
            return self.default
        for value, label in self.enum.choices:
            if text == str(label):
                return value
        raise CellError(
            f"“{text}”不是有效的{self.header}，应为 {LIST_SEPARATOR.join(self.choices)} 之一。"
        )


class TermsColumn(Column):
    """Taxonomy terms by name, separated by 、 (a many-to-many of the service)."""

    wrap = True

    def __init__(self, header, key, *, lookup: str, **kwargs):
        super().__init__(header, key, **kwargs)
        self.lookup = lookup

    def export(self, service):
        return LIST_SEPARATOR.join(term.name for term in getattr(service, self.key).all())

    def parse(self, raw, lookups):
        known = getattr(lookups, self.lookup)
        names = list(
            dict.fromkeys(filter(None, (n.strip() for n in LIST_SPLIT.split(cell_text(raw)))))
        )
        unknown = [name for name in names if name not in known]
        if unknown:
            quoted = "".join(f"“{name}”" for name in unknown)
            raise CellError(
                f"{quoted}不是有效的{self.header}，应为 {LIST_SEPARATOR.join(known)} 之一"
                "（多个用“、”分隔）。"
            )
        return [known[name] for name in names]


class DocumentsColumn(Column):
    wrap = True

    def export(self, service):
        return "\n".join(document.document for document in service.required_documents.all())

    def parse(self, raw, lookups):
        max_length = 300
        return [
            {"document": check_length(line, max_length, f"第{index}项材料")}
            for index, line in enumerate(cell_lines(raw), start=1)
        ]


class CostOptionsColumn(Column):
    """One cost item per line: 项目：金额：计价说明 (the description may hold colons)."""

    wrap = True

    def export(self, service):
        lines = []
        for option in service.cost_options.all():
            amount = "" if option.amount is None else price_text(option.amount)
            parts = [option.option, amount]
            if option.amount_description:
                parts.append(option.amount_description)
            lines.append(PART_SEPARATOR.join(parts))
        return "\n".join(lines)

    def parse(self, raw, lookups):
        items = []
        for index, line in enumerate(cell_lines(raw), start=1):
            what = f"第{index}项"
            separator = PART_SEPARATOR if PART_SEPARATOR in line else ":"
            parts = [part.strip() for part in line.split(separator, 2)]
            if len(parts) == 1:
                raise CellError(
                    f"{what}“{line}”应写成“项目：金额：计价说明”，如“服务费：10：元/次”。"
                )
            option, amount = parts[0], parts[1]
            items.append(
                {
                    "option": check_length(option, 100, f"{what}的项目名称"),
                    "amount": parse_decimal(amount, f"{what}的金额"),
                    "amount_description": check_length(
                        parts[2] if len(parts) == 3 else "", 200, f"{what}的计价说明"
                    ),
                }
            )
        return items


class ChannelsColumn(Column):
    wrap = True

    def export(self, service):
        return LIST_SEPARATOR.join(
            str(Channel(row.channel).label) for row in service.channels.all()
        )

    def parse(self, raw, lookups):
        by_label = {str(label): value for value, label in Channel.choices}
        names = list(
            dict.fromkeys(filter(None, (n.strip() for n in LIST_SPLIT.split(cell_text(raw)))))
        )
        unknown = [name for name in names if name not in by_label]
        if unknown:
            quoted = "".join(f"“{name}”" for name in unknown)
            raise CellError(
                f"{quoted}不是有效的办理渠道，应为 {LIST_SEPARATOR.join(by_label)} 之一"
                "（多个用“、”分隔）。"
            )
        return [by_label[name] for name in names]


class ChannelUrlColumn(Column):
    """The entry address of one channel (网上办, 指尖办); checked against 办理渠道 per row."""

    def __init__(self, header, key, *, channel: str, **kwargs):
        super().__init__(header, key, **kwargs)
        self.channel = channel

    def export(self, service):
        return next((row.url for row in service.channels.all() if row.channel == self.channel), "")

    def parse(self, raw, lookups):
        text = cell_text(raw)
        if not text:
            return ""
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise CellError(f"“{text}”不是有效网址，应以http://或https://开头。") from None
        return check_length(text, 200)


class LocationsColumn(Column):
    """One place per line: the center code, then the window or room."""

    wrap = True

    def export(self, service):
        lines = []
        for link in service.service_at_locations.all():
            place = link.location.external_identifier or link.location.name
            lines.append(f"{place} {link.description}".strip())
        return "\n".join(lines)

    def parse(self, raw, lookups):
        links, seen = [], set()
        for index, line in enumerate(cell_lines(raw), start=1):
            code, description = LOCATION_LINE.match(line).groups()
            location = lookups.locations.get(code)
            if location is None:
                raise CellError(
                    f"第{index}个办理地点“{code}”不是已知的服务中心编码，应为 "
                    f"{LIST_SEPARATOR.join(lookups.location_codes)} 之一（编码后空一格写窗口或功能室）。"
                )
            if location.id in seen:
                raise CellError(f"办理地点“{code}”重复填写。")
            seen.add(location.id)
            links.append(
                {
                    "location_id": location.id,
                    "description": check_length(
                        description.strip(), 200, f"第{index}个办理地点的窗口/功能室"
                    ),
                    "center_id": location.center_id,
                }
            )
        return links


class PhonesColumn(Column):
    """One number per line: 号码：说明, an extension after 转."""

    wrap = True

    def export(self, service):
        lines = []
        for phone in service.phones.all():
            number = phone.number + (
                f"{EXTENSION_SEPARATOR}{phone.extension}" if phone.extension else ""
            )
            lines.append(
                f"{number}{PART_SEPARATOR}{phone.description}" if phone.description else number
            )
        return "\n".join(lines)

    def parse(self, raw, lookups):
        phones = []
        for index, line in enumerate(cell_lines(raw), start=1):
            separator = PART_SEPARATOR if PART_SEPARATOR in line else ":"
            number, _, description = (part.strip() for part in line.partition(separator))
            number, _, extension = (part.strip() for part in number.partition(EXTENSION_SEPARATOR))
            if not PHONE_NUMBER.match(number) or (extension and not extension.isdigit()):
                raise CellError(f"第{index}个电话“{line}”不是有效的电话号码，应写成“号码：说明”。")
            phones.append(
                {
                    "number": number,
                    "extension": check_length(extension, 10, f"第{index}个电话的分机"),
                    "description": check_length(description, 200, f"第{index}个电话的说明"),
                }
            )
        return phones


class HoursColumn(Column):
    """The service's own hours, one schedule row per line, with its holiday rules and
    dated exceptions (see ``catalog.excel.hours``). Empty: the centers' hours apply."""

    wrap = True

    def __init__(self, header, key, **kwargs):
        super().__init__(header, key, **kwargs)
        self.optional = True

    def export(self, service):
        return hours_text(service.schedules.all())

    def parse(self, raw, lookups):
        try:
            return parse_hours(cell_lines(raw))
        except HoursError as error:
            raise CellError(str(error)) from None


class OrganizationColumn(Column):
    def export(self, service):
        return service.organization.name if service.organization else ""

    def parse(self, raw, lookups):
        name = cell_text(raw)
        if not name:
            return None
        found = lookups.organizations.get(name, [])
        if not found:
            raise CellError(
                f"服务提供方“{name}”不存在：请核对名称（见“可选值”表），或先在后台“服务提供方”中添加。"
            )
        if len(found) > 1:
            raise CellError(
                f"有{len(found)}个名为“{name}”的服务提供方，无法确定是哪一个，请在后台改名区分。"
            )
        return found[0]


KIND_LABELS = LIST_SEPARATOR.join(str(label) for label in ServiceKind.labels)
STATUS_LABELS = LIST_SEPARATOR.join(str(label) for label in ServiceStatus.labels)

# The sheet, left to right. Headers are what the importer looks for; order may change.
COLUMNS: list[Column] = [
    IdColumn(
        "服务编号",
        "id",
        width=38,
        help="系统生成的编号，用于识别已有服务。请勿修改；新增服务请留空。",
        example="bfaa2bb6-ef84-5993-aa76-5376522e0f98",
    ),
    TextColumn(
        "服务名称",
        "name",
        required=True,
        width=28,
        help="规范的服务名称，全目录不能重复。",
        example="老年人优待证办理",
    ),
    TextColumn("俗称", "alternate_name", width=14, help="居民常用的叫法。", example="老年证"),
    TextColumn(
        "关键词",
        "keywords",
        width=18,
        help="帮助居民搜到的词，用逗号分隔。",
        example="老年证，优待证",
    ),
    ChoiceColumn(
        "服务类型",
        "kind",
        enum=ServiceKind,
        required=True,
        width=12,
        help=f"从下拉列表选择：{KIND_LABELS}。",
        example="政务服务",
    ),
    TermsColumn(
        "服务领域",
        "topics",
        lookup="topics",
        width=16,
        help="一个或多个，用“、”分隔，名称见“可选值”表。",
        example="养老",
    ),
    TermsColumn(
        "服务对象",
        "audiences",
        lookup="audiences",
        width=16,
        help="一个或多个，用“、”分隔，名称见“可选值”表。",
        example="老年人",
    ),
    TextColumn(
        "服务内容",
        "description",
        required=True,
        wrap=True,
        width=50,
        help="向居民说明这项服务做什么。",
        example="为本区户籍及常住的60周岁以上老年人办理老年人优待证。",
    ),
    TextColumn(
        "办理对象/条件",
        "eligibility_description",
        wrap=True,
        width=40,
        help="谁可以申请、需满足什么条件。",
        example="年满60周岁的本区户籍老年人。",
    ),
    IntegerColumn(
        "最低年龄", "minimum_age", width=10, help="周岁，整数；不限可留空。", example="60"
    ),
    IntegerColumn("最高年龄", "maximum_age", width=10, help="周岁，整数；不限可留空。", example=""),
    DocumentsColumn(
        "申请材料",
        "required_documents",
        width=36,
        help="每行一项材料（单元格内换行：Alt+Enter）。",
        example="居民身份证原件\n近期一寸免冠照片1张",
    ),
    TextColumn(
        "办理流程",
        "application_process",
        wrap=True,
        width=44,
        help="每行一个步骤，如“1. 提交申请。”。",
        example="1. 申请人到窗口提交材料。\n2. 窗口当场审核并制证。",
    ),
    TextColumn(
        "办理时限", "time_limit", width=16, help="如：即办；承诺15个工作日。", example="即办"
    ),
    IntegerColumn(
        "最多跑动次数", "most_visits", width=12, help="居民最多需要到现场几次，整数。", example="1"
    ),
    TextColumn(
        "设定依据",
        "legal_basis",
        wrap=True,
        width=30,
        help="法律法规或政策文件名称。",
        example="《中华人民共和国老年人权益保障法》",
    ),
    TextColumn(
        "收费标准",
        "fees_description",
        wrap=True,
        width=30,
        help="收费的文字说明。政务服务、公益服务必须写明“不收费”。",
        example="不收费。",
    ),
    CostOptionsColumn(
        "收费项目",
        "cost_options",
        width=32,
        help="每行一项，写成“项目：金额：计价说明”，金额单位为元，不收费写0。"
        "低偿服务的每项金额必须低于市场参考价。",
        example="上门理发：10：元/次",
    ),
    DecimalColumn(
        "市场参考价",
        "market_reference_price",
        width=12,
        help="元，只有低偿服务填写（且必须填写），按第一项收费的计价单位。",
        example="25",
    ),
    ChannelsColumn(
        "办理渠道",
        "channels",
        width=22,
        help=f"一个或多个，用“、”分隔：{LIST_SEPARATOR.join(str(c) for c in Channel.labels)}。",
        example="窗口办、网上办",
    ),
    ChannelUrlColumn(
        "网上办网址",
        "channel_url_online",
        channel=Channel.ONLINE,
        width=30,
        help="办理渠道含“网上办”时必填，以http://或https://开头。",
        example="https://zwfw.jinhai.example.gov.cn/item/HHD-ZW-001",
    ),
    ChannelUrlColumn(
        "指尖办网址",
        "channel_url_mobile",
        channel=Channel.MOBILE,
        width=30,
        help="办理渠道含“指尖办”时必填，以http://或https://开头。",
        example="https://m.jinhai.example.gov.cn/app/item/HHD-ZW-001",
    ),
    LocationsColumn(
        "办理地点",
        "service_at_locations",
        width=34,
        help="每行一个服务中心：中心编码，空一格，再写窗口或功能室。编码见“可选值”表。",
        example="HHD-CH-01 一站式服务窗口\nHHD-CH-02 便民服务台",
    ),
    HoursColumn(
        "办理时间",
        "schedules",
        width=40,
        help="这项服务自己的办理时间，每行一条，如“每周一至周五 09:00–17:00”"
        "“每月第一个周六 09:00–11:30”；“法定节假日休息”“调休上班日按工作日开放”写一行，"
        "对本格每条时间都有效；特定日期写“2027-02-05至2027-02-07 闭馆（原因）”"
        "或“2027-02-10 09:00–12:00（原因）”，括号里的原因居民会看到。"
        "留空表示按办理地点（服务中心）的开放时间。",
        example="每周一至周五 09:00–11:30\n每周一至周五 13:30–17:00\n"
        "法定节假日休息，调休上班日正常开放\n2027-02-05至2027-02-07 闭馆（春节除夕至正月初二休息）",
    ),
    PhonesColumn(
        "咨询电话",
        "phones",
        width=34,
        help="每行一个，写成“号码：说明”；有分机写“号码转分机”。",
        example="022-2611-0000：咨询电话\n12345：津海市12345政务服务便民热线",
    ),
    OrganizationColumn(
        "服务提供方",
        "organization",
        width=26,
        help="提供服务的单位，须与系统中的名称完全一致（见“可选值”表）。",
        example="春华街道办事处",
    ),
    ChoiceColumn(
        "状态",
        "status",
        enum=ServiceStatus,
        default=ServiceStatus.ACTIVE,
        width=12,
        help=f"从下拉列表选择：{STATUS_LABELS}；留空视为“正常提供”。",
        example="正常提供",
    ),
    TextColumn(
        "状态说明",
        "alert",
        wrap=True,
        width=30,
        help="暂停、关闭的原因或恢复时间。",
        example="",
    ),
    DateColumn(
        "最近核实日期",
        "assured_date",
        width=14,
        help="最近一次核实服务信息的日期，格式YYYY-MM-DD。",
        example="2026-11-20",
    ),
    EmailColumn(
        "核实人邮箱",
        "assurer_email",
        width=34,
        help="负责核实的编辑的电子邮箱。",
        example="bianji.chunhua@haihedong.example.gov.cn",
    ),
]
COLUMNS_BY_HEADER = {column.header: column for column in COLUMNS}
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
