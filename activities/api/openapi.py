"""The part of /api/openapi.json for /api/activities/ (``catalog.api.openapi.document``
merges it in). The views' limits (the longest span, page sizes, the shape of a code) are
imported, not repeated. The iCalendar feeds under /huodong/ical/ are outside /api/ and are
named in the operations' descriptions."""

from activities.api.views import DATE_PATTERN, DEFAULT_DAYS, MAX_DAYS
from activities.feeds import FEED_PAST_DAYS
from activities.models import ActivityCost, OccurrenceStatus
from catalog.api.openapi import PAGE, _array, _json, _nullable, _object, _query, _ref, _string
from catalog.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from catalog.filters import CENTER_CODE

FEEDS = (
    "日历订阅（iCalendar，text/calendar）：/huodong/ical/zhongxin/{中心编码}.ics（一个中心）、"
    "/huodong/ical/jiedao/{街道页面id}.ics（一个街道的各中心）、/huodong/ical/huodong/{活动uid}.ics"
    f"（一个活动的全部场次）。中心和街道的订阅包含{FEED_PAST_DAYS}天内仍有场次的活动；"
    "取消的场次以STATUS:CANCELLED列出，改期的场次以RECURRENCE-ID列出新时间。"
)

DATE = _string(format="date", pattern=f"^{DATE_PATTERN}$")

OCCURRENCE_PARAMETERS = [
    _query(
        "start",
        f"第一天（含），YYYY-MM-DD，北京时间。默认今天；只给end时为end前{DEFAULT_DAYS}天。",
        DATE,
        "2026-12-07",
    ),
    _query(
        "end",
        f"最后一天（含）。默认start后{DEFAULT_DAYS}天。不能早于start；"
        f"start到end最多{MAX_DAYS}天，超过时返回400。",
        DATE,
        "2026-12-13",
    ),
    _query(
        "center",
        "服务中心编码，如HHD-CH-01。没有这个编码的中心时返回404。",
        _string(pattern=f"^{CENTER_CODE}$"),
        "HHD-CH",
    ),
    _query(
        "kind",
        "活动类型：名称（如文体康养）或编号。没有该类型时返回404。",
        _string(),
        "文体康养",
    ),
    _query(
        "audience",
        "活动对象：服务对象分类词的代码（如elderly）、名称（如老年人）或编号（UUID）。"
        "没有该分类词时返回404。",
        _string(),
        "elderly",
    ),
    PAGE,
    _query(
        "page_size",
        f"每页条数，默认{DEFAULT_PAGE_SIZE}，最多{MAX_PAGE_SIZE}。",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        10,
    ),
]

MOMENT = _string("北京时间，ISO 8601，带+08:00", format="date-time")
ACTIVITY_REFERENCE = _object(
    {
        "id": {"type": "integer"},
        "uid": _string("iCalendar的UID用它：activity-{uid}@jiamenkou", format="uuid"),
        "title": _string(),
        "kind": _string("活动类型"),
        "url": _nullable("string", "活动介绍页面（中心的活动节目单上）", format="uri"),
        "ical_url": _string("该活动的日历订阅（text/calendar）", format="uri"),
    },
    ["id", "uid", "title", "kind", "url"],
)
OCCURRENCE = _object(
    {
        "id": {"type": "integer"},
        "activity": ACTIVITY_REFERENCE,
        "center": _object({"code": _string(), "title": _string()}, ["code", "title"]),
        "room": {
            "anyOf": [
                _object(
                    {
                        "id": {"type": "integer"},
                        "name": _string(),
                        "floor": _string(),
                        "label": _string("如“二楼 书画室”"),
                    },
                    ["id", "name", "floor", "label"],
                ),
                {"type": "null"},
            ],
            "description": "功能室；不在功能室举办时为null，见place",
        },
        "place": _string("地点：功能室（如“二楼 书画室”）或地点说明（如“小区中心广场”）"),
        "starts_at": MOMENT,
        "ends_at": MOMENT,
        "all_day": {
            "type": "boolean",
            "description": "全天活动：starts_at、ends_at为当天0点和次日0点",
        },
        "status": {
            "type": "string",
            "enum": list(OccurrenceStatus.values),
            "description": "、".join(f"{s.value}（{s.label}）" for s in OccurrenceStatus),
        },
        "status_label": _string(),
        "reason": _string("取消或改期的原因，给居民看"),
        "capacity": _nullable("integer", "人数上限；不限人数为null"),
        "places_left": _nullable("integer", "尚余名额（人数上限减已报名）；不限人数为null"),
        "signup_required": {"type": "boolean"},
        "cost": {"type": "string", "enum": list(ActivityCost.values)},
        "price_label": _string("如“免费”“低偿 5元/次（市场价30元）”"),
        "audiences": _array(
            _object({"code": _string(), "name": _string()}, ["code", "name"]), "活动对象"
        ),
    },
    [
        "id",
        "activity",
        "center",
        "room",
        "place",
        "starts_at",
        "ends_at",
        "all_day",
        "status",
        "reason",
        "capacity",
        "places_left",
        "signup_required",
        "cost",
        "price_label",
        "audiences",
    ],
)
OCCURRENCE_PAGE = _object(
    {
        "start": _string("第一天", format="date"),
        "end": _string("最后一天", format="date"),
        "count": {"type": "integer"},
        "page": {"type": "integer"},
        "page_size": {"type": "integer"},
        "total_pages": {"type": "integer"},
        "next": _nullable("string", "下一页地址", format="uri"),
        "previous": _nullable("string", "上一页地址", format="uri"),
        "results": _array(_ref("Occurrence")),
    },
    ["start", "end", "count", "page", "page_size", "total_pages", "results"],
)

TIME = _string(pattern="^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")
BOOKING = _object(
    {
        "center": _string("服务中心编码", pattern=f"^{CENTER_CODE}$", maxLength=40),
        "room": _string("功能室名称或编号", minLength=1, maxLength=60),
        "title": _string("活动名称", minLength=1, maxLength=100),
        "kind": _string("活动类型名称或编号", minLength=1, maxLength=30),
        "date": _string("日期，不能早于今天", format="date"),
        "start_time": {**TIME, "description": "开始时间HH:MM"},
        "end_time": {**TIME, "description": "结束时间HH:MM，晚于开始时间"},
        "description": _string("活动介绍"),
    },
    ["center", "room", "title", "kind", "date", "start_time", "end_time"],
    "预约一次性的活动场次。",
)
BOOKING["additionalProperties"] = False
BOOKING_ERROR = _object(
    {
        "detail": _string("给人看的中文说明"),
        "errors": _array(
            _object(
                {
                    "field": _string("出错的字段（请求正文中的名称，如room、end_time）"),
                    "message": _string("该字段的中文说明"),
                },
                ["field", "message"],
            )
        ),
        "clashes": _array(
            _object(
                {
                    "activity_id": _nullable("integer", "已占用该功能室的活动"),
                    "title": _string(),
                    "room": _string(),
                    "starts_at": MOMENT,
                    "ends_at": MOMENT,
                },
                ["title", "room", "starts_at", "ends_at"],
            ),
            "409时：冲突的场次（本次预约的时间）与占用它的活动",
        ),
    },
    ["detail"],
)
BOOKED = _object(
    {
        "activity": ACTIVITY_REFERENCE,
        "occurrences": _array(_ref("Occurrence")),
        "warnings": _array(_string(), "提醒，如场次不在中心开放时间内"),
    },
    ["activity", "occurrences", "warnings"],
)
AUTH_ERROR = _json(
    "未登录或用户名密码不对（401），或没有该中心的权限、CSRF校验失败（403）", _ref("BookingError")
)


def openapi_paths() -> dict:
    listing = {
        "tags": ["活动"],
        "summary": "活动场次（节目单）：按日期、中心、类型和对象查找",
        "description": "按开始时间、编号排序；只列出已发布中心的场次，取消的场次也列出（status、reason）。"
        + FEEDS,
        "parameters": OCCURRENCE_PARAMETERS,
        "responses": {
            "200": _json("一页场次", _ref("OccurrencePage")),
            "400": _json("参数有误：每个错误给出参数名和中文说明。", _ref("Error")),
            "404": _json(
                "参数格式正确，但所指的对象不存在（中心编码、活动类型、活动对象、超出最后一页）。",
                _ref("Error"),
            ),
        },
    }
    return {
        "/api/activities/occurrences": {
            "get": {"operationId": "listOccurrences", **listing},
        },
        "/api/activities/occurrences/": {
            "get": {
                "operationId": "listOccurrencesSlashed",
                **listing,
                "summary": "同/api/activities/occurrences（带斜杠的写法）",
            },
        },
        "/api/activities/bookings": {
            "post": {
                "operationId": "bookRoom",
                "tags": ["活动"],
                "summary": "工作人员预约功能室，举办一次性活动",
                "description": "需要能管理该中心的工作人员账号：HTTP Basic，或后台登录后的会话"
                "（须带X-CSRFToken请求头）。与其他活动占用的时间冲突时返回409，"
                "说明被哪个活动占用、哪几天，不保存任何内容。",
                "security": [{"basicAuth": []}, {"sessionCookie": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("Booking")}},
                },
                "responses": {
                    "201": _json("已预约：活动和它的场次", _ref("Booked")),
                    "400": _json("请求有误：errors逐项给出字段和中文说明", _ref("BookingError")),
                    "401": AUTH_ERROR,
                    "403": AUTH_ERROR,
                    "409": _json("功能室时间冲突", _ref("BookingError")),
                    "415": _json("请以JSON提交", _ref("BookingError")),
                },
            }
        },
    }


def openapi_schemas() -> dict:
    return {
        "Occurrence": OCCURRENCE,
        "OccurrencePage": OCCURRENCE_PAGE,
        "Booking": BOOKING,
        "Booked": BOOKED,
        "BookingError": BOOKING_ERROR,
    }


SECURITY_SCHEMES = {
    "basicAuth": {"type": "http", "scheme": "basic", "description": "工作人员的后台账号"},
    "sessionCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": "后台登录后的会话；须带X-CSRFToken请求头",
    },
}
