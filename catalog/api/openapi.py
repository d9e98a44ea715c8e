"""The OpenAPI 3.1 document of /api/: the HSDS API, the residents' services API, the
search API, the activities and kiosk APIs, and Wagtail's pages API (whose part
``jiamenkou.api`` builds from its page types). Written by hand so that it says what the
views really do: tests check that it lists every route and accepts every documented
parameter, and tests/test_api_contract.py sends schemathesis's requests to the views and
checks every answer against it. The views' rules (page sizes, the shape of a center code,
the walking limit) are imported, not repeated.

The HSDS part follows Open Referral's own ``openapi.json`` (HSDS 3.1): the same paths,
unslashed (the slashed aliases are not listed), the same operations and parameters, with
our rules for each. Its shapes are described here (after ``compiled/*_list.json`` and the
entity schemas) instead of referenced by URL, so the document stands alone, offline;
nested records are described loosely, catalog/hsds/validation.py checks them strictly.
"""

import uuid

from catalog.api.pagination import (
    DEFAULT_PAGE_SIZE,
    HSDS_DEFAULT_PER_PAGE,
    HSDS_MAX_PER_PAGE,
    HSDS_MINIMAL_PER_PAGE,
    MAX_PAGE_SIZE,
)
from catalog.filters import ALIASES, CENTER_CODE, STATUS_BY_PARAMETER
from catalog.hsds.conventions import SERVICE_ARRAYS
from catalog.models import Channel, ServiceKind, ServiceStatus
from catalog.models.rows import ScheduleKind
from catalog.models.services import CostCategory
from catalog.taxonomy_seed import NAMESPACE, TAXONOMIES, taxonomy_id, term_id
from search import catalog as search

HSDS_DOCS = "https://docs.openreferral.org/en/latest/hsds/schema_reference.html"
# Examples are ids of the district's demo catalog (uuid5 names: catalog/demo/data/README.md).
EXAMPLE_SERVICE_ID = str(uuid.uuid5(NAMESPACE, "service:老年人优待证办理"))
EXAMPLE_ORGANIZATION_ID = str(uuid.uuid5(NAMESPACE, "organization:海河东区民政局"))
EXAMPLE_TERM_ID = str(term_id("jiamenkou-topic", "elderly_care"))
EXAMPLE_TAXONOMY_ID = str(taxonomy_id("jiamenkou-audience"))
# 老年人优待证办理 at 春华街道党群服务中心 (HHD-CH), whose postcode is the example's.
EXAMPLE_SERVICE_AT_LOCATION_ID = str(
    uuid.uuid5(uuid.UUID(EXAMPLE_SERVICE_ID), "service_at_location:HHD-CH")
)
EXAMPLE_POSTCODE = "300271"


def _codes(taxonomy: str) -> str:
    return "、".join(f"{code}（{name}）" for code, name, _ in TAXONOMIES[taxonomy][1])


def _code_enum(taxonomy: str) -> dict:
    return {"type": "string", "enum": [code for code, _, _ in TAXONOMIES[taxonomy][1]]}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name: str, description: str, schema: dict, example, *, empty: bool = True) -> dict:
    """An optional query parameter. An empty value (``kind=``, as a form sends "全部") is
    the same as leaving the parameter out, hence ``allowEmptyValue``; with ``empty=False``
    it is refused (400)."""
    parameter = {
        "name": name,
        "in": "query",
        "required": False,
        "allowEmptyValue": empty,
        "description": description,
        "schema": schema,
        "example": example,
    }
    if not empty:
        del parameter["allowEmptyValue"]
    return parameter


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _string(description: str = "", **more) -> dict:
    return {"type": "string", **({"description": description} if description else {}), **more}


def _nullable(type_name: str, description: str = "", **more) -> dict:
    schema = {"type": [type_name, "null"], **more}
    if description:
        schema["description"] = description
    return schema


def _array(items: dict, description: str = "") -> dict:
    schema = {"type": "array", "items": items}
    if description:
        schema["description"] = description
    return schema


def _object(properties: dict, required: list[str] | None = None, description: str = "") -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if description:
        schema["description"] = description
    return schema


ERRORS = {
    "400": _json("参数有误：每个错误给出参数名和中文说明。", _ref("Error")),
}
NOT_FOUND = _json("未找到。", _ref("Error"))
# A list whose parameters are well formed but name something there is not.
#: Refused by the per-address rate limit (jiamenkou.security.ratelimit), with Retry-After.
TOO_MANY = {
    "description": "同一地址请求过于频繁，请按Retry-After（秒）稍后再试",
    "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
LIST_NOT_FOUND = _json(
    "参数格式正确，但所指的对象不存在（如没有这个编码的服务中心、超出最后一页）；errors给出参数名。",
    _ref("Error"),
)
SERVICE_ID = {
    "name": "service_id",
    "in": "path",
    "required": True,
    "description": "服务编号（UUID）。格式不对时返回400，没有该服务时返回404。",
    "schema": _string(format="uuid"),
    "example": EXAMPLE_SERVICE_ID,
}
PAGE = _query(
    "page", "页码，从1开始。超出最后一页时返回404。", {"type": "integer", "minimum": 1}, 1
)


# -- HSDS parameters -----------------------------------------------------------------------
# As Open Referral's openapi.json defines them, with the rules of catalog/api/hsds_params.py.
# Its integers, booleans and dates have no empty form: sent empty, they are refused (400).

HSDS_BOOLEAN = {"type": "string", "enum": ["true", "false", "1", "0"]}


def _hsds_boolean(name: str, description: str) -> dict:
    return _query(
        name,
        f"{description}取值true或false（1或0），默认false。",
        HSDS_BOOLEAN,
        "true",
        empty=False,
    )


def _hsds_search(what: str, how: str, example: str) -> dict:
    return _query("search", f"全文检索{what}：{how}", _string(), example)


def _hsds_filter(name: str, description: str, example: str) -> dict:
    """A filter naming a record by id: any text is accepted, and one that is not a UUID
    names nothing, like a UUID nobody has (404), as the official document types it."""
    return _query(name, f"{description}不是UUID或没有该记录时返回404。", _string(), example)


def _hsds_path_id(what: str, example: str) -> dict:
    return {
        "name": "id",
        "in": "path",
        "required": True,
        "description": f"{what}编号（UUID）。不是UUID或没有该{what}时返回404。",
        "schema": _string(),
        "example": example,
    }


HSDS_PAGE = _query(
    "page",
    "页码，从1开始；小于1时按第1页。超出最后一页时返回404。format=ndjson时不分页，不看此参数。",
    {"type": "integer"},
    1,
    empty=False,
)


def _hsds_per_page(minimal: bool = False) -> dict:
    description = (
        f"每页条数，默认{HSDS_DEFAULT_PER_PAGE}，最多{HSDS_MAX_PER_PAGE}："
        f"小于1时按默认，大于{HSDS_MAX_PER_PAGE}时按{HSDS_MAX_PER_PAGE}。"
    )
    if minimal:
        description += (
            f"minimal=true时默认和最多均为{HSDS_MINIMAL_PER_PAGE}，以便一次取回全部服务。"
        )
    return _query("per_page", description, {"type": "integer"}, 10, empty=False)


HSDS_FORMAT = _query(
    "format",
    "json（默认）：一页HSDS分页对象；ndjson：application/x-ndjson，每行一个记录"
    "（与json页面contents中的一项相同），列出全部符合条件的记录，不分页，边查边发。",
    {"type": "string", "enum": ["json", "ndjson"]},
    "ndjson",
)


def _hsds_modified_after(what: str) -> dict:
    return _query(
        "modified_after",
        f"只列出{what}在此时刻（含）之后修改过的记录；ISO 8601日期时间（亦可只写日期，"
        "即当天0时），不带时区时按北京时间。",
        _string(format="date-time"),
        "2026-01-01T00:00:00+08:00",
        empty=False,
    )


def _hsds_taxonomy_filters(what: str) -> list[dict]:
    return [
        _hsds_filter(
            "taxonomy_term_id",
            f"只列出{what}带有该分类词（服务类型、领域、对象、渠道或办事指南字段）的记录。",
            EXAMPLE_TERM_ID,
        ),
        _hsds_filter(
            "taxonomy_id", f"只列出{what}带有该分类体系中任一分类词的记录。", EXAMPLE_TAXONOMY_ID
        ),
    ]


def _hsds_organization_filter(what: str) -> dict:
    return _hsds_filter("organization_id", f"只列出该服务提供方的{what}。", EXAMPLE_ORGANIZATION_ID)


HSDS_SERVICE_PARAMETERS = [
    _hsds_search(
        "服务",
        "与居民搜索相同（中文分词、同义词、拼音），按相关度排序；否则按名称排序。",
        "老年证",
    ),
    HSDS_PAGE,
    _hsds_per_page(minimal=True),
    HSDS_FORMAT,
    *_hsds_taxonomy_filters("服务"),
    _hsds_organization_filter("服务"),
    _hsds_modified_after("服务"),
    _hsds_boolean(
        "minimal",
        "true：contents每项只有id、name、status和last_modified（HSDS列表项必填name和status），"
        "每页默认即可取回全部服务。",
    ),
    _hsds_boolean("full", "true：contents为完整嵌套的服务记录（同GET /api/hsds/services/{id}）。"),
]
HSDS_FULL_SERVICE = _hsds_boolean(
    "full_service",
    "true：完整嵌套的服务提供方，其services为完整嵌套的服务记录，而非只有一对一字段的列表项。",
)
HSDS_ORGANIZATION_PARAMETERS = [
    _hsds_search(
        "服务提供方",
        "名称或别名含有该文字，或有服务可按该文字搜到（同services的search），按名称排序。",
        "民政",
    ),
    HSDS_FULL_SERVICE,
    _hsds_boolean(
        "full",
        "true：contents为完整嵌套的服务提供方（同GET /api/hsds/organizations/{id}，"
        "含电话、办理地点和services：其各项服务的一对一字段）。",
    ),
    *_hsds_taxonomy_filters("其服务"),
    HSDS_PAGE,
    _hsds_per_page(),
    HSDS_FORMAT,
]
HSDS_TAXONOMY_PARAMETERS = [
    _hsds_search("分类体系", "名称或说明中含有该文字。", "服务"),
    HSDS_PAGE,
    _hsds_per_page(),
    HSDS_FORMAT,
]
HSDS_TAXONOMY_TERM_PARAMETERS = [
    _hsds_search("分类词", "名称、代码或说明中含有该文字。", "养老"),
    HSDS_PAGE,
    _hsds_per_page(),
    HSDS_FORMAT,
    _hsds_filter("taxonomy_id", "只列出该分类体系的分类词。", EXAMPLE_TAXONOMY_ID),
    _hsds_boolean(
        "top_only", "true：只列出没有上级的分类词；本目录的分类词都没有上级，故与不填相同。"
    ),
    _hsds_filter(
        "parent_id",
        "只列出以该分类词为上级的分类词；本目录的分类词都没有下级，故为空页。",
        EXAMPLE_TERM_ID,
    ),
]
HSDS_SERVICE_AT_LOCATION_PARAMETERS = [
    _hsds_search(
        "办理地点上的服务",
        "其服务可按该文字搜到（同services的search），按服务的相关度排序。",
        "老年证",
    ),
    *_hsds_taxonomy_filters("其服务"),
    _hsds_organization_filter("服务（在各办理地点）"),
    _hsds_modified_after("其服务"),
    _hsds_boolean(
        "full",
        "true：contents为完整嵌套的记录（同GET /api/hsds/service_at_locations/{id}，"
        "含在该地点的服务时间和完整的办理地点）。",
    ),
    HSDS_PAGE,
    _hsds_per_page(),
    HSDS_FORMAT,
    _query(
        "postcode",
        "邮政编码：只列出地址在该邮编的办理地点；与proximity同用时，改为列出距该邮编中心点"
        "（该邮编各办理地点坐标的平均）proximity米以内的办理地点。",
        _string(),
        EXAMPLE_POSTCODE,
    ),
    _query(
        "proximity",
        "距离（米，非负数），与postcode同用：只列出距该邮编中心点不超过这个距离的办理地点"
        "（没有postcode时无从量起，不起作用）。该邮编没有登记经纬度的办理地点时返回404"
        "（errors指postcode）。",
        {"type": "number", "minimum": 0},
        1500,
    ),
]


RESIDENT_PARAMETERS = [
    _query(
        "kind",
        "服务类型：" + "、".join(f"{c.value}（{c.label}）" for c in ServiceKind),
        {"type": "string", "enum": list(ServiceKind.values)},
        "government",
    ),
    _query(
        "topic",
        "服务领域代码：" + _codes("jiamenkou-topic") + "。",
        _code_enum("jiamenkou-topic"),
        "elderly_care",
    ),
    _query(
        "audience",
        "服务对象代码：" + _codes("jiamenkou-audience") + "。",
        _code_enum("jiamenkou-audience"),
        "elderly",
    ),
    _query(
        "center",
        "服务中心编码，只列出在该中心办理的服务，如HHD-CH-01。没有这个编码的中心时返回404。",
        _string(pattern=f"^{CENTER_CODE}$"),
        "HHD-CH",
    ),
    _query(
        "cost",
        "收费类型："
        + "、".join(f"{c.value}（{c.label}）" for c in CostCategory)
        + "。低偿按服务类型；政务、公益服务，以及各收费项目均为0的服务为免费；其余为市场价。",
        {"type": "string", "enum": list(CostCategory.values)},
        "free",
    ),
    _query(
        "status",
        "服务状态。不填时列出正常提供、临时关闭和暂不提供的服务（各附状态说明）；已撤销的服务不列出。",
        {"type": "string", "enum": [*STATUS_BY_PARAMETER, *ALIASES["status"]]},
        "active",
    ),
    _query(
        "open_now",
        "1：只列出此刻可办理的服务（北京时间；按办理地点时间＞服务时间＞中心开放时间的优先顺序；"
        "计入法定节假日、调休上班日和特定日期的闭馆或特别开放时间）。与center同用时只看该中心。"
        "在其他条件筛过的结果上逐项计算。",
        {"type": "string", "enum": ["1", "0", "true", "false"]},
        "1",
    ),
    PAGE,
    _query(
        "page_size",
        f"每页条数，默认{DEFAULT_PAGE_SIZE}，最多{MAX_PAGE_SIZE}。",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        10,
    ),
]

SEARCH_PARAMETERS = [
    _query(
        "q",
        "要找什么：服务名称、平时的叫法（老年证）、想办的事（修水管）、拼音（yizhen）或拼音首字母（yz），"
        "繁体字亦可。按中文分词、同义词（后台维护）和拼音查找；过长时只按前100个字查找。"
        "不填时按其他条件列出全部服务。",
        _string(),
        "老年证",
    ),
    *[p for p in RESIDENT_PARAMETERS if p["name"] not in ("status", "page", "page_size")],
    _query(
        "channel",
        "办理渠道：" + "、".join(f"{c.value}（{c.label}）" for c in Channel) + "。",
        {"type": "string", "enum": list(Channel.values)},
        "window",
    ),
    _query(
        "near",
        "步行范围的出发点：“纬度,经度”（如39.125,117.2398）或服务中心编码（如HHD-CH）。"
        "只列出在该点步行minutes分钟（每分钟80米）范围内的中心办理的服务，并给出距离。"
        "没有这个编码的中心时返回404。",
        _string(pattern=search.NEAR_PATTERN),
        "HHD-CH",
    ),
    _query(
        "minutes",
        f"步行分钟数，默认{search.DEFAULT_MINUTES}（“15分钟服务圈”），1到{search.MAX_MINUTES}。"
        "需与near同用，单独提供时不限距离并在messages中说明。",
        {"type": "integer", "minimum": 1, "maximum": search.MAX_MINUTES},
        15,
    ),
    _query(
        "sort",
        "relevance（默认，按相关度）或distance（由近到远，需与near同用）。",
        {"type": "string", "enum": ["relevance", "distance"]},
        "distance",
    ),
    _query(
        "page",
        f"页码，从1开始，最多{search.MAX_PAGE}。超出最后一页时results为空。",
        {"type": "integer", "minimum": 1, "maximum": search.MAX_PAGE},
        1,
    ),
    _query(
        "page_size",
        f"每页条数，默认{search.DEFAULT_PAGE_SIZE}，最多{search.MAX_PAGE_SIZE}。",
        {"type": "integer", "minimum": 1, "maximum": search.MAX_PAGE_SIZE},
        10,
    ),
    _query(
        "exact",
        "1：只按输入的文字查找，不自动纠正错别字（suggestion仍会给出）。默认：输入的文字只有"
        "读音相近或部分词相符的结果、而纠正后的写法符合所有词时，返回纠正后写法的结果"
        "（见corrected_query）。",
        {"type": "string", "enum": ["1", "0", "true", "false"]},
        "1",
    ),
]

# -- HSDS schemas ------------------------------------------------------------------------
# After HSDS 3.1: the one-to-one fields exactly, nested records loosely (objects with the
# keys the specification requires). Empty values are left out, as the HSDS export writes.

HSDS_API_INFO = _object(
    {
        "version": _string("本接口所依据的HSDS版本"),
        "profile": _string("本目录的HSDS profile（扩展的分类体系和属性说明）", format="uri"),
        "openapi_url": _string("描述本接口的OpenAPI文档（即本文档）", format="uri"),
    },
    ["version", "profile", "openapi_url"],
    "HSDS 3.1 openapi.json的GET /：接口信息。",
)


def _one_to_one(schema: dict, arrays: tuple[str, ...]) -> dict:
    """``schema`` as a list item: none of the child ``arrays`` of the full record."""
    return {**schema, "not": {"anyOf": [{"required": [name]} for name in arrays]}}


def _nested_arrays(names: tuple[str, ...]) -> dict:
    return {name: _array({"type": "object"}, f"HSDS {name}") for name in names}


HSDS_ORGANIZATION_ITEM = _object(
    {
        "id": _string(format="uuid"),
        "name": _string(),
        "alternate_name": _string(),
        "description": _string(),
        "email": _string(format="email"),
        "website": _string(format="uri"),
        "legal_status": _string(),
        "year_incorporated": {"type": "number"},
        "parent_organization_id": _string(format="uuid"),
    },
    ["id", "name", "description"],
    "HSDS 3.1 compiled/organization_list.json：一对一字段。",
)
HSDS_ORGANIZATION_ARRAYS = ("phones", "locations", "services")
HSDS_ORGANIZATION_LIST_ITEM = _one_to_one(HSDS_ORGANIZATION_ITEM, HSDS_ORGANIZATION_ARRAYS)

# The child arrays of a full HSDS service record, which a list item never carries.
HSDS_CHILD_ARRAYS = SERVICE_ARRAYS

HSDS_SERVICE_ITEM = _one_to_one(
    _object(
        {
            "id": _string(format="uuid"),
            "organization_id": _string(format="uuid"),
            "name": _string(),
            "alternate_name": _string(),
            "description": _string(),
            "url": _string(format="uri"),
            "email": _string(format="email"),
            "status": {"type": "string", "enum": list(ServiceStatus.values)},
            "alert": _string(),
            "interpretation_services": _string(),
            "application_process": _string(),
            "fees_description": _string(),
            "eligibility_description": _string(),
            "minimum_age": {"type": "number"},
            "maximum_age": {"type": "number"},
            "assured_date": _string("YYYY-MM-DD"),
            "assurer_email": _string(format="email"),
            "last_modified": _string(format="date-time"),
            "organization": _ref("HsdsOrganizationListItem"),
        },
        ["id", "name", "status"],
        "HSDS 3.1 compiled/service_list.json：一对一字段，不含子数组；空值不输出。",
    ),
    HSDS_CHILD_ARRAYS,
)

HSDS_MINIMAL_SERVICE = {
    **_object(
        {
            name: HSDS_SERVICE_ITEM["properties"][name]
            for name in ("id", "name", "status", "last_modified")
        },
        ["id", "name", "status"],
        "minimal=true的列表项：只有编号、名称、状态和最后修改时间。",
    ),
    "additionalProperties": False,
}

HSDS_SERVICE = {
    **{key: value for key, value in HSDS_SERVICE_ITEM.items() if key != "not"},
    "description": "HSDS 3.1 service.json，完整嵌套（同HSDS的GET /services/{id}）。"
    "服务类型、领域、对象、渠道和办事指南字段以attributes表示，"
    "故attributes至少有一项（服务类型）；空的数组不输出。",
    "properties": {
        **HSDS_SERVICE_ITEM["properties"],
        "organization": _ref("HsdsOrganization"),  # with its phones
        **_nested_arrays(HSDS_CHILD_ARRAYS),
        "attributes": {
            **_array({"type": "object"}, "HSDS attributes"),
            "minItems": 1,
        },
    },
    "required": [*HSDS_SERVICE_ITEM["required"], "attributes"],
    "externalDocs": {"url": HSDS_DOCS},
}

HSDS_ORGANIZATION = {
    **HSDS_ORGANIZATION_ITEM,
    "description": "HSDS 3.1 compiled/organization.json：完整嵌套的服务提供方，"
    "含电话、办理地点和services（一对一字段的服务列表项；full_service=true时为完整服务记录）。",
    "properties": {
        **HSDS_ORGANIZATION_ITEM["properties"],
        **_nested_arrays(("phones",)),
        "locations": _array(_ref("HsdsLocation"), "HSDS locations"),
        "services": _array(
            {"anyOf": [_ref("HsdsServiceListItem"), _ref("HsdsService")]}, "该提供方的服务"
        ),
    },
    "externalDocs": {"url": HSDS_DOCS},
}

HSDS_LOCATION_FIELDS = {
    "id": _string(format="uuid"),
    "location_type": _string("physical、virtual或postal"),
    "organization_id": _string(format="uuid"),
    "name": _string(),
    "alternate_name": _string(),
    "description": _string(),
    "transportation": _string(),
    "latitude": {"type": "number"},
    "longitude": {"type": "number"},
    "external_identifier": _string(),
    "external_identifier_type": _string(),
}
HSDS_LOCATION_ARRAYS = ("addresses", "phones", "schedules", "accessibility")
HSDS_LOCATION = _object(
    {**HSDS_LOCATION_FIELDS, **_nested_arrays(HSDS_LOCATION_ARRAYS)},
    ["id", "location_type"],
    "HSDS 3.1 location.json：办理地点（党群服务中心等），含地址、电话、开放时间和无障碍设施。",
)

HSDS_SERVICE_AT_LOCATION_FIELDS = {
    "id": _string(format="uuid"),
    "service_id": _string(format="uuid"),
    "location_id": _string(format="uuid"),
    "description": _string("在该地点办理的说明，如窗口"),
}
HSDS_SERVICE_AT_LOCATION_ITEM = _one_to_one(
    _object(
        {
            **HSDS_SERVICE_AT_LOCATION_FIELDS,
            "location": _one_to_one(
                _object(HSDS_LOCATION_FIELDS, ["id", "location_type"]), HSDS_LOCATION_ARRAYS
            ),
            "service": _ref("HsdsServiceListItem"),
        },
        ["id"],
        "HSDS 3.1 compiled/service_at_location_list.json：一对一字段，"
        "办理地点和服务也只有一对一字段。",
    ),
    ("schedules",),
)
HSDS_SERVICE_AT_LOCATION = _object(
    {
        **HSDS_SERVICE_AT_LOCATION_FIELDS,
        "schedules": _array({"type": "object"}, "HSDS schedules：在该地点的服务时间"),
        "location": _ref("HsdsLocation"),
        "service": _ref("HsdsServiceListItem"),
    },
    ["id"],
    "HSDS 3.1 service_at_location.json：完整嵌套，含服务时间、完整的办理地点和服务的一对一字段。",
)

HSDS_TAXONOMY = _object(
    {
        "id": _string(format="uuid"),
        "name": _string("如jiamenkou-topic"),
        "description": _string(),
        "uri": _string(format="uri"),
        "version": _string(),
    },
    ["id", "name", "description"],
    "HSDS 3.1 taxonomy.json：分类体系（服务类型、领域、对象、渠道、办事指南字段等）。",
)
HSDS_TAXONOMY_TERM = _object(
    {
        "id": _string(format="uuid"),
        "code": _string(),
        "name": _string(),
        "description": _string(),
        "parent_id": _string(format="uuid"),
        "taxonomy": _string("所属分类体系的名称"),
        "taxonomy_id": _string(format="uuid"),
        "language": _string(),
        "taxonomy_detail": _ref("HsdsTaxonomy"),
    },
    ["id", "name", "description"],
    "HSDS 3.1 taxonomy_term.json：分类词，taxonomy_detail为所属分类体系。",
)


def _hsds_page(items: dict, what: str) -> dict:
    """An HSDS page of ``items``, with ``contents`` (which Page itself leaves out)."""
    return _object(
        {
            "total_items": {"type": "integer", "description": f"符合条件的{what}总数"},
            "total_pages": {"type": "integer", "description": "总页数（无结果时为1）"},
            "page_number": {"type": "integer", "description": "当前页码"},
            "size": {"type": "integer", "description": "本页条数"},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean", "description": "本页是否为空"},
            "contents": _array(items),
        },
        [
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
            "contents",
        ],
        "HSDS 3.1 openapi.json#/components/schemas/Page，加上contents。",
    )


# -- the residents' API -----------------------------------------------------------------

TERM = _object({"code": _string(), "name": _string()}, ["code", "name"])
PHONE = _object({"number": _string(), "extension": _string(), "description": _string()}, ["number"])
CENTER_REFERENCE = _object(
    {"code": _string("服务中心编码，如HHD-CH-01"), "name": _string()}, ["code", "name"]
)
HOURS = _object(
    {
        "label": _string(
            "中文说明，如“每周一至周五 08:30–17:30”“每月第一个周六 09:00–11:30”"
            "“2027-02-05至2027-02-07 闭馆（春节除夕至正月初二休息）”"
        ),
        "kind": {
            "type": "string",
            "enum": [choice.value for choice in ScheduleKind],
            "description": "、".join(f"{c.value}（{c.label}）" for c in ScheduleKind)
            + "。closed、special_hours为特定日期的安排：在valid_from至valid_to内取代常规时间，"
            "description为居民看到的原因。",
        },
        "closed_on_holidays": {
            "type": "boolean",
            "description": "法定节假日休息（常规时间）",
        },
        "open_on_makeup_workdays": {
            "type": "boolean",
            "description": "调休上班日按工作日开放（常规时间：周末调休上班的日子按周一至周五的时间开放）",
        },
        "freq": {"type": "string", "enum": ["WEEKLY", "MONTHLY"]},
        "byday": _string("如MO,TU或1SA、-1FR"),
        "bymonthday": _string(),
        "interval": _nullable("integer"),
        "dtstart": _nullable("string", "间隔起算日"),
        "opens_at": _nullable("string", "HH:MM，北京时间"),
        "closes_at": _nullable("string", "HH:MM；23:59表示到午夜"),
        "valid_from": _nullable("string", "YYYY-MM-DD：常规时间的起始日，或特定日期安排的第一天"),
        "valid_to": _nullable("string", "YYYY-MM-DD：常规时间的截止日，或特定日期安排的最后一天"),
        "description": _string("说明；特定日期安排的原因"),
        "notes": _string("备注（给人看的文字，判断是否开放不读它）"),
        "attending_type": _string("如预约上门"),
    },
    ["label", "kind", "closed_on_holidays", "open_on_makeup_workdays"],
)
STATUS_PROPERTIES = {
    "status": {"type": "string", "enum": list(ServiceStatus.values)},
    "status_label": _string("如“正常提供”“临时关闭”"),
    "alert": _string("状态说明：暂停原因、恢复时间等"),
}
KIND_PROPERTIES = {
    "kind": {"type": "string", "enum": list(ServiceKind.values)},
    "kind_label": _string("如“政务服务”"),
}
COST_PROPERTIES = {
    "cost_category": {"type": "string", "enum": list(CostCategory.values)},
    "cost_category_label": _string("免费、低偿或市场价"),
}
OPEN_NOW = _nullable("boolean", "此刻能否办理；没有任何时间安排时为null。非正常提供的服务为false。")

SERVICE_SUMMARY = _object(
    {
        "id": _string(format="uuid"),
        "name": _string(),
        "alternate_name": _string("居民常用的叫法"),
        **KIND_PROPERTIES,
        **COST_PROPERTIES,
        "topics": _array(TERM),
        "audiences": _array(TERM),
        "centers": _array(CENTER_REFERENCE),
        **STATUS_PROPERTIES,
        "open_now": OPEN_NOW,
        "assured_date": _nullable("string", "最近核实日期"),
        "stale": {"type": "boolean", "description": "超过核实有效期未核实，请以电话确认为准"},
        "detail_url": _string(format="uri"),
    },
    ["id", "name", "kind", "status", "open_now", "detail_url"],
)

CENTER = _object(
    {
        **CENTER_REFERENCE["properties"],
        "room": _string("窗口或功能室"),
        "address": _string(),
        "address_detail": _string(),
        "latitude": _nullable("number"),
        "longitude": _nullable("number"),
        "transportation": _string(),
        "accessibility": _array(_string()),
        "phones": _array(PHONE),
        "hours_source": _nullable(
            "string",
            "时间来自哪一级：service_at_location（本中心服务时间）、service（服务时间）、"
            "location（中心开放时间）",
        ),
        "hours_source_label": _string(),
        "hours": _array(HOURS),
        "open_now": OPEN_NOW,
        "page_url": _nullable("string", "服务中心页面"),
    },
    ["code", "name", "hours", "open_now"],
)

SERVICE_DETAIL = _object(
    {
        "id": _string(format="uuid"),
        "name": _string(),
        "alternate_name": _string(),
        "description": _string("服务内容"),
        **KIND_PROPERTIES,
        "topics": _array(TERM),
        "audiences": _array(TERM),
        "provider": {
            "anyOf": [
                _object(
                    {
                        "name": _string(),
                        "type_label": _string("如“社会组织”"),
                        "website": _string(),
                        "phones": _array(PHONE),
                    }
                ),
                {"type": "null"},
            ]
        },
        "eligibility": _object(
            {
                "description": _string("办理对象/条件"),
                "minimum_age": _nullable("integer"),
                "maximum_age": _nullable("integer"),
                "age_label": _string("如“60周岁及以上”"),
            }
        ),
        "required_documents": _array(
            _object({"document": _string(), "sample_url": _string()}), "申请材料"
        ),
        "steps": _array(_string(), "办理流程，每步一项"),
        "time_limit": _object(
            {
                "text": _string("办理时限，如“即办”“承诺15个工作日”"),
                "immediate": {"type": "boolean"},
                "promised_working_days": _nullable("integer"),
            }
        ),
        "most_visits": _nullable("integer", "最多跑动次数"),
        "legal_basis": _string("设定依据"),
        "fees": _object(
            {
                "description": _string("收费标准"),
                **COST_PROPERTIES,
                "market_reference_price": _nullable("number", "市场参考价（元，低偿服务）"),
                "cost_options": _array(
                    _object(
                        {
                            "option": _string(),
                            "amount": _nullable("number", "元"),
                            "currency": _string(),
                            "amount_description": _string("如“元/小时”"),
                            "valid_from": _nullable("string"),
                            "valid_to": _nullable("string"),
                        }
                    )
                ),
            }
        ),
        "channels": _array(
            _object(
                {
                    "code": _string(),
                    "label": _string("如“网上办”"),
                    "url": _string("网上办、指尖办的入口"),
                }
            ),
            "办理渠道",
        ),
        "centers": _array(CENTER, "办理地点"),
        "phones": _array(PHONE, "咨询电话"),
        "contacts": _array(
            _object(
                {
                    "name": _string(),
                    "title": _string(),
                    "department": _string(),
                    "email": _string(),
                    "phones": _array(PHONE),
                }
            ),
            "联系人（工作人员，机构电话）",
        ),
        "email": _string(),
        "guide_url": _string("办事指南网址"),
        "languages": _array(_object({"name": _string(), "code": _string(), "note": _string()})),
        "interpretation_services": _string(),
        "service_areas": _array(_object({"name": _string(), "description": _string()})),
        **STATUS_PROPERTIES,
        "open_now": OPEN_NOW,
        "open_now_at": _string("open_now的判断时刻", format="date-time"),
        "assured_date": _nullable("string"),
        "stale": {"type": "boolean"},
        "last_modified": _nullable("string"),
    },
    ["id", "name", "kind", "status", "centers", "open_now"],
)

SERVICE_PAGE = _object(
    {
        "count": {"type": "integer"},
        "page": {"type": "integer"},
        "page_size": {"type": "integer"},
        "total_pages": {"type": "integer"},
        "next": _nullable("string", "下一页地址", format="uri"),
        "previous": _nullable("string", "上一页地址", format="uri"),
        "open_now_at": _string("open_now的判断时刻", format="date-time"),
        "results": _array(_ref("ServiceSummary")),
    },
    ["count", "page", "page_size", "total_pages", "results"],
)

FACET_VALUES = _array(
    _object(
        {
            "value": _string("参数值"),
            "label": _string("中文名称"),
            "count": _nullable(
                "integer",
                "结果数；查找的文字找到的服务超过计数上限（如2000项）时不逐项计数，为null",
            ),
            "selected": {"type": "boolean"},
        },
        ["value", "label", "count", "selected"],
    )
)

SEARCH_RESULT = {
    "allOf": [
        _ref("ServiceSummary"),
        _object(
            {
                "hsds_url": _string(
                    "该服务的HSDS记录（GET /api/hsds/services/{id}）", format="uri"
                ),
                "score": {"type": "number", "description": "相关度（越大越相关）"},
                "highlight": _object(
                    {
                        "name": _string("服务名称，命中的词包在<mark>中（已转义的HTML）"),
                        "description": _string("服务内容摘要，命中的词包在<mark>中"),
                    },
                    ["name", "description"],
                ),
                "distance_m": _nullable("number", "到出发点最近的办理中心的距离（米），提供near时"),
                "walking_minutes": _nullable("integer", "步行约几分钟"),
            },
            ["hsds_url", "score", "highlight"],
        ),
    ]
}

SEARCH_PAGE = _object(
    {
        "query": _string("查找的文字"),
        "count": {
            "type": "integer",
            "description": "找到的服务数；count_is_lower_bound为true时是计数上限，实际更多",
        },
        "count_is_lower_bound": {
            "type": "boolean",
            "description": "结果超过计数上限（如2000项）时为true：count为该上限（页面显示"
            "“超过2,000项”），total_pages按它计算，facets各项的count为null；结果仍按相关度"
            "从全部匹配的服务中排序",
        },
        "page": {"type": "integer"},
        "page_size": {"type": "integer"},
        "total_pages": {"type": "integer"},
        "next": _nullable("string", "下一页地址", format="uri"),
        "previous": _nullable("string", "上一页地址", format="uri"),
        "match": {
            "type": "string",
            "enum": ["strict", "homophone", "core", "relaxed"],
            "description": "strict：符合所有词；homophone：按读音找到（可能打错字）；"
            "core：忽略了单个的字；relaxed：只符合部分词",
        },
        "suggestion": _nullable(
            "string", "“您是不是要找”：更可能的写法（已自动纠正时为null，见corrected_query）"
        ),
        "corrected_query": _nullable(
            "string",
            "自动纠正后的写法：输入的文字只有读音相近或部分词相符的结果（或没有结果），而纠正后的"
            "写法符合所有词时，results为纠正后写法的结果，match指纠正后的写法（页面显示"
            "“已显示“…”的结果，仍搜索“…””）；否则为null",
        ),
        "original_query": _nullable("string", "自动纠正时，居民输入的文字（同query）；否则为null"),
        "exact_url": _nullable(
            "string",
            "自动纠正时，只按输入的文字搜索（exact=1，不纠正）的地址；否则为null",
            format="uri",
        ),
        "messages": _array(_string(), "给居民看的中文提示"),
        "query_id": _nullable("integer", "本次搜索的记录编号（只记搜索词和条件，不记个人信息）"),
        "facets": _object(
            dict.fromkeys(("kind", "topic", "audience", "center", "cost", "channel"), FACET_VALUES),
            description="各筛选项的结果数；每一项按其他已选条件计数",
        ),
        "results": _array(_ref("SearchResult")),
        "related": _array(
            _ref("SearchResult"),
            "相关服务：第一页符合所有词（或主要的词）的服务不满一页时，先列只符合部分词的服务"
            "（按相关度排列），再列与第一项结果同属一类、名称相近的服务（见related_like），"
            "最多补满一页，不含results中的服务；不计入count，也不分页、不计入facets；其他情况为空",
        ),
        "related_like": _nullable(
            "string",
            "related末尾有与第一项结果同属一类的服务时，第一项结果的名称；否则为null",
        ),
    },
    [
        "query",
        "count",
        "count_is_lower_bound",
        "page",
        "page_size",
        "total_pages",
        "match",
        "facets",
        "results",
        "related",
        "related_like",
    ],
)

AUTOCOMPLETE = _object(
    {
        "query": _string(),
        "results": _array(
            _object({"id": _string(format="uuid"), "name": _string()}, ["id", "name"])
        ),
    },
    ["query", "results"],
)

ERROR = _object(
    {
        "detail": _string("给人看的中文说明（各项errors的说明连在一起）"),
        "errors": _array(
            _object(
                {
                    "parameter": _string("出错的参数名（查询参数或路径参数，如page、service_id）"),
                    "message": _string("该参数的中文说明"),
                },
                ["parameter", "message"],
            ),
            "逐项列出出错的参数；与参数无关的错误（如405）没有这一项",
        ),
    },
    ["detail"],
    "错误（400、404、405、410等）：detail为中文说明，errors逐项给出参数名。",
)


# -- HSDS operations -----------------------------------------------------------------------

HSDS_LIST_ANSWER = (
    "format=json（默认）：HSDS分页对象；format=ndjson：application/x-ndjson，"
    "每行一个JSON记录（其schema为一行的），全部记录，不分页。"
)


def _hsds_list(operation: str, summary: str, parameters: list[dict], page: dict, line: dict):
    """GET and POST of an HSDS list: the official document defines both, with the same
    query parameters (a POST carries them in its query string, no body)."""
    get = {
        "operationId": f"get{operation}",
        "tags": ["HSDS"],
        "summary": summary,
        "parameters": parameters,
        "responses": {
            "200": {
                "description": HSDS_LIST_ANSWER,
                "content": {
                    "application/json": {"schema": page},
                    "application/x-ndjson": {"schema": line},
                },
            },
            **ERRORS,
            "404": LIST_NOT_FOUND,
        },
    }
    post = {
        **get,
        "operationId": f"post{operation}",
        "summary": f"{summary}（POST：参数同GET，写在查询字符串中，不需要正文；也可用表单正文）",
    }
    return {"get": get, "post": post}


def _hsds_detail(
    operation: str, summary: str, identifier: dict, schema: dict, parameters: list[dict] = ()
) -> dict:
    get = {
        "operationId": operation,
        "tags": ["HSDS"],
        "summary": summary,
        "responses": {"200": _json(summary, schema), "404": NOT_FOUND},
    }
    if parameters:
        get["parameters"] = list(parameters)
        get["responses"].update(ERRORS)
    return {"parameters": [identifier], "get": get}


def hsds_paths() -> dict:
    """/api/hsds/: every path of Open Referral's openapi.json, unslashed as it writes them
    (the slashed spellings answer too and are not listed), and the profile's page and files
    (which the profile describes itself)."""
    from catalog.hsds.profile import api_document as profile

    return {
        "/api/hsds/": {
            "get": {
                "operationId": "getAPIMetaInformation",
                "tags": ["HSDS"],
                "summary": "接口信息：HSDS版本、本目录的profile和本文档的地址",
                "responses": {"200": _json("接口信息", _ref("HsdsApiInfo"))},
            }
        },
        "/api/hsds/services": _hsds_list(
            "PaginatedListOfServices",
            "分页列出服务。包括所有状态的服务，由status说明。",
            HSDS_SERVICE_PARAMETERS,
            {
                "anyOf": [
                    _ref("HsdsServiceListPage"),
                    _ref("HsdsFullServicePage"),
                    _ref("HsdsMinimalServicePage"),
                ]
            },
            {
                "anyOf": [
                    _ref("HsdsServiceListItem"),
                    _ref("HsdsService"),
                    _ref("HsdsMinimalService"),
                ]
            },
        ),
        "/api/hsds/services/{id}": _hsds_detail(
            "getFullyNestedServiceById",
            "一项服务的完整HSDS记录",
            _hsds_path_id("服务", EXAMPLE_SERVICE_ID),
            _ref("HsdsService"),
        ),
        "/api/hsds/organizations": _hsds_list(
            "PaginatedListOfOrganizations",
            "分页列出服务提供方",
            HSDS_ORGANIZATION_PARAMETERS,
            {"anyOf": [_ref("HsdsOrganizationListPage"), _ref("HsdsFullOrganizationPage")]},
            {"anyOf": [_ref("HsdsOrganizationListItem"), _ref("HsdsOrganization")]},
        ),
        "/api/hsds/organizations/{id}": _hsds_detail(
            "getOrganizationById",
            "一个服务提供方的完整HSDS记录，含其服务",
            _hsds_path_id("服务提供方", EXAMPLE_ORGANIZATION_ID),
            _ref("HsdsOrganization"),
            [HSDS_FULL_SERVICE],
        ),
        "/api/hsds/taxonomies": _hsds_list(
            "PaginatedListOfTaxonomies",
            "分页列出分类体系",
            HSDS_TAXONOMY_PARAMETERS,
            _ref("HsdsTaxonomyPage"),
            _ref("HsdsTaxonomy"),
        ),
        "/api/hsds/taxonomies/{id}": _hsds_detail(
            "getTaxonomyById",
            "一个分类体系",
            _hsds_path_id("分类体系", EXAMPLE_TAXONOMY_ID),
            _ref("HsdsTaxonomy"),
        ),
        "/api/hsds/taxonomy_terms": _hsds_list(
            "PaginatedListOfTaxonomyTerms",
            "分页列出分类词",
            HSDS_TAXONOMY_TERM_PARAMETERS,
            _ref("HsdsTaxonomyTermPage"),
            _ref("HsdsTaxonomyTerm"),
        ),
        "/api/hsds/taxonomy_terms/{id}": _hsds_detail(
            "getTaxonomyTermById",
            "一个分类词",
            _hsds_path_id("分类词", EXAMPLE_TERM_ID),
            _ref("HsdsTaxonomyTerm"),
        ),
        "/api/hsds/service_at_locations": _hsds_list(
            "PaginatedListOfServiceAtLocations",
            "分页列出办理地点上的服务（一项服务在一个中心办理为一条）",
            HSDS_SERVICE_AT_LOCATION_PARAMETERS,
            {
                "anyOf": [
                    _ref("HsdsServiceAtLocationListPage"),
                    _ref("HsdsFullServiceAtLocationPage"),
                ]
            },
            {"anyOf": [_ref("HsdsServiceAtLocationListItem"), _ref("HsdsServiceAtLocation")]},
        ),
        "/api/hsds/service_at_locations/{id}": _hsds_detail(
            "getServiceAtLocationWithNestedDataById",
            "办理地点上的一项服务，完整嵌套",
            _hsds_path_id("办理地点上的服务", EXAMPLE_SERVICE_AT_LOCATION_ID),
            _ref("HsdsServiceAtLocation"),
        ),
        **profile.paths(),
    }


def hsds_schemas() -> dict:
    return {
        "HsdsApiInfo": HSDS_API_INFO,
        "HsdsOrganizationListItem": HSDS_ORGANIZATION_LIST_ITEM,
        "HsdsOrganization": HSDS_ORGANIZATION,
        "HsdsServiceListItem": HSDS_SERVICE_ITEM,
        "HsdsMinimalService": HSDS_MINIMAL_SERVICE,
        "HsdsService": HSDS_SERVICE,
        "HsdsLocation": HSDS_LOCATION,
        "HsdsServiceAtLocationListItem": HSDS_SERVICE_AT_LOCATION_ITEM,
        "HsdsServiceAtLocation": HSDS_SERVICE_AT_LOCATION,
        "HsdsTaxonomy": HSDS_TAXONOMY,
        "HsdsTaxonomyTerm": HSDS_TAXONOMY_TERM,
        "HsdsServiceListPage": _hsds_page(_ref("HsdsServiceListItem"), "服务"),
        "HsdsFullServicePage": _hsds_page(_ref("HsdsService"), "服务"),
        "HsdsMinimalServicePage": _hsds_page(_ref("HsdsMinimalService"), "服务"),
        "HsdsOrganizationListPage": _hsds_page(_ref("HsdsOrganizationListItem"), "服务提供方"),
        "HsdsFullOrganizationPage": _hsds_page(_ref("HsdsOrganization"), "服务提供方"),
        "HsdsTaxonomyPage": _hsds_page(_ref("HsdsTaxonomy"), "分类体系"),
        "HsdsTaxonomyTermPage": _hsds_page(_ref("HsdsTaxonomyTerm"), "分类词"),
        "HsdsServiceAtLocationListPage": _hsds_page(_ref("HsdsServiceAtLocationListItem"), "记录"),
        "HsdsFullServiceAtLocationPage": _hsds_page(_ref("HsdsServiceAtLocation"), "记录"),
    }


def document() -> dict:
    # The site's pages API and the activities API describe themselves (imported here: they
    # import this app's views).
    from activities.api import openapi as activities_api
    from activities.kiosk import openapi as kiosk_api
    from jiamenkou import api as pages_api

    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "海河东区 · 家门口 服务目录接口",
            "version": "1.0.0",
            "description": (
                "只读的公开接口。/api/hsds/ 为 Open Referral HSDS 3.1 接口（按其官方OpenAPI文档，"
                "路径不带末尾斜杠；带斜杠的写法同样可用）：服务、服务提供方、分类体系、分类词和"
                "办理地点上的服务；/api/services/ 为居民应用使用的中文服务指南；"
                "/api/v2/pages/ 为 Wagtail 页面接口。"
                "查询参数为空值时等同于不填（/api/v2/pages/和HSDS的整数、布尔值和时间参数除外）。参数有误时返回400；参数格式正确但所指的对象不存在（服务、服务中心编码、页面、"
                "超出最后一页）时返回404；正文的errors逐项给出参数名和中文说明。只接受GET"
                "（及HEAD、OPTIONS），其他方法返回405并在Allow中列出可用的方法；"
                "例外是HSDS各列表按官方文档也接受POST（参数同GET，写在查询字符串中）、"
                "工作人员预约功能室的POST /api/activities/bookings和大厅屏的心跳"
                "POST /api/kiosks/{code}/{slug}/heartbeat。"
                "/api/activities/ 为活动场次；活动的日历订阅（iCalendar）见其说明。"
            ),
            "license": {"name": "HSDS schemas: CC BY-SA 4.0", "url": "https://openreferral.org/"},
        },
        "tags": [
            {
                "name": "HSDS",
                "description": "Open Referral HSDS 3.1",
                "externalDocs": {"url": HSDS_DOCS},
            },
            {"name": "居民服务", "description": "居民应用使用的服务目录"},
            {"name": "页面", "description": "Wagtail API v2"},
            {"name": "活动", "description": "党群服务中心的活动场次和功能室预约"},
            {"name": "大厅屏", "description": "中心大厅屏的数据和心跳"},
        ],
        "paths": {
            "/api/openapi.json": {
                "get": {
                    "operationId": "getOpenApiDocument",
                    "summary": "本文档",
                    "responses": {"200": _json("OpenAPI 3.1文档", {"type": "object"})},
                }
            },
            **hsds_paths(),
            "/api/services/": {
                "get": {
                    "operationId": "listServices",
                    "tags": ["居民服务"],
                    "summary": "按条件查找服务（居民应用）",
                    "parameters": RESIDENT_PARAMETERS,
                    "responses": {
                        "200": _json("一页服务", _ref("ServicePage")),
                        **ERRORS,
                        "404": LIST_NOT_FOUND,
                    },
                }
            },
            "/api/services/search": {
                "get": {
                    "operationId": "searchServices",
                    "tags": ["居民服务"],
                    "summary": "搜索服务：按相关度排序，附命中高亮和各筛选项的结果数",
                    "parameters": SEARCH_PARAMETERS,
                    "responses": {
                        "200": _json("一页搜索结果", _ref("SearchPage")),
                        **ERRORS,
                        "404": LIST_NOT_FOUND,
                        "429": TOO_MANY,
                        "503": _json("搜索暂时不可用", _ref("Error")),
                    },
                }
            },
            "/api/services/search/{query_id}/clicks": {
                "parameters": [
                    {
                        "name": "query_id",
                        "in": "path",
                        "required": True,
                        "description": "搜索结果中的query_id",
                        "schema": {"type": "integer", "minimum": 1},
                        "example": 1,
                    }
                ],
                "post": {
                    "operationId": "recordSearchClick",
                    "tags": ["居民服务"],
                    "summary": "记录居民打开了某次搜索的某个结果（应用、自助机用）",
                    "description": "计入需求清单的点击数；若开启了“从点击中学习”，也计入排序学习"
                    "（每位访客每小时一票，按地址限量）。无需登录，不读写会话。",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["service_id"],
                                    "properties": {
                                        "service_id": {
                                            "type": "string",
                                            "format": "uuid",
                                            "description": "打开的服务编号",
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "204": {"description": "已记录"},
                        "400": _json("请求有误", _ref("Error")),
                        "404": _json("没有这次搜索或这项服务", _ref("Error")),
                    },
                },
            },
            "/api/services/autocomplete": {
                "get": {
                    "operationId": "autocompleteServiceNames",
                    "tags": ["居民服务"],
                    "summary": "输入提示：名称含有这些字，或拼音、拼音首字母以此开头的服务（最多8项）",
                    "parameters": [
                        _query("q", "已输入的文字或拼音", _string(), "lnz"),
                    ],
                    "responses": {
                        "200": _json("服务名称", _ref("Autocomplete")),
                        "429": TOO_MANY,
                        "503": _json("输入提示暂时不可用", _ref("Error")),
                    },
                }
            },
            "/api/services/{service_id}": {
                "parameters": [SERVICE_ID],
                "get": {
                    "operationId": "getService",
                    "tags": ["居民服务"],
                    "summary": "一项服务的办事指南（居民应用）",
                    "responses": {
                        "200": _json("服务详情", _ref("ServiceDetail")),
                        **ERRORS,
                        "404": NOT_FOUND,
                        "410": _json("服务已撤销，附状态说明", _ref("Error")),
                    },
                },
            },
            **pages_api.openapi_paths(),
            **activities_api.openapi_paths(),
            **kiosk_api.openapi_paths(),
        },
        "components": {
            "schemas": {
                "Error": ERROR,
                **hsds_schemas(),
                "ServiceSummary": SERVICE_SUMMARY,
                "ServiceDetail": SERVICE_DETAIL,
                "ServicePage": SERVICE_PAGE,
                "SearchResult": SEARCH_RESULT,
                "SearchPage": SEARCH_PAGE,
                "Autocomplete": AUTOCOMPLETE,
                **pages_api.openapi_schemas(),
                **activities_api.openapi_schemas(),
                **kiosk_api.openapi_schemas(),
            },
            "securitySchemes": {
                **activities_api.SECURITY_SCHEMES,
                **kiosk_api.SECURITY_SCHEMES,
            },
        },
    }
