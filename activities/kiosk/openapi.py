"""The part of /api/openapi.json for /api/kiosks/ (``catalog.api.openapi.document`` merges
it in): the lobby screen's data document and its heartbeat. The limits are imported from
the views, not repeated."""

from activities.kiosk.data import AUTH_SCHEME, HEARTBEAT_FIELDS, WEEK_HIGHLIGHTS
from activities.kiosk.slides import (
    HONORS_SHOWN,
    NOTICES_SHOWN,
    PHOTO_FILTER,
    RANKING_ROWS,
    RANKING_TOP,
    URGENT_SHOWN,
)
from activities.models import OccurrenceStatus, Orientation, SlideKind
from catalog.api.openapi import _array, _json, _nullable, _object, _ref, _string
from catalog.filters import CENTER_CODE
from honors.models import RecipientKind

MOMENT = _string("北京时间，ISO 8601，带+08:00", format="date-time")
CLOCK_TIME = _nullable("string", "HH:MM；不熄屏时为null", pattern="^([01][0-9]|2[0-3]):[0-5][0-9]$")
QR_KEY = _nullable("string", "qr表中二维码的键；不附二维码时为null")

PATH_PARAMETERS = [
    {
        "name": "code",
        "in": "path",
        "required": True,
        "description": "服务中心编码，如HHD-CH-01。没有这个中心时返回404。",
        "schema": _string(pattern=f"^{CENTER_CODE}$"),
        "example": "HHD-CH",
    },
    {
        "name": "slug",
        "in": "path",
        "required": True,
        "description": "大厅屏的网址名，如dating。该中心没有这块屏时返回404。",
        "schema": _string(pattern="^[-a-z0-9]+$"),
        "example": "dating",
    },
]

SESSION = _object(
    {
        "id": {"type": "integer", "description": "场次编号"},
        "activity_id": {"type": "integer"},
        "title": _string(),
        "starts_at": MOMENT,
        "ends_at": MOMENT,
        "all_day": {"type": "boolean"},
        "room": _string("地点：功能室（如“二楼 书画室”）或地点说明"),
        "status": {
            "type": "string",
            "enum": list(OccurrenceStatus.values),
            "description": "、".join(f"{s.value}（{s.label}）" for s in OccurrenceStatus),
        },
        "reason": _string("取消或改期的原因，给居民看"),
        "url": _nullable("string", "活动介绍页面；中心没有活动节目单页面时为null", format="uri"),
        "qr": QR_KEY,
    },
    [
        "id",
        "activity_id",
        "title",
        "starts_at",
        "ends_at",
        "all_day",
        "room",
        "status",
        "reason",
        "url",
        "qr",
    ],
)
DAY = _string("日期，ISO 8601", format="date")
NOTICE = _object(
    {
        "id": {"type": "integer", "description": "通知页面编号"},
        "title": _string(),
        "date": DAY,
        "category": _string("通知类别，如“停水停电”；没有类别时为空"),
        "is_urgent": {"type": "boolean", "description": "紧急通知（类别为紧急）"},
        "summary": _string("摘要，可为空"),
        "url": _nullable("string", "通知页面", format="uri"),
        "qr": QR_KEY,
    },
    ["id", "title", "date", "category", "is_urgent", "summary", "url", "qr"],
)
URGENT = _object(
    {
        "id": {"type": "integer", "description": "通知页面编号"},
        "title": _string(),
        "category": _string(),
        "summary": _string(),
    },
    ["id", "title", "category", "summary"],
)
HONOR = _object(
    {
        "id": {"type": "integer", "description": "上榜记录编号"},
        "name": _string("显示的姓名：个人和家庭未同意公开时为“张*明”"),
        "recipient_kind": {
            "type": "string",
            "enum": list(RecipientKind.values),
            "description": "、".join(f"{k.value}（{k.label}）" for k in RecipientKind),
        },
        "award": _string("荣誉称号"),
        "period_start": DAY,
        "period_end": DAY,
        "citation": _string("事迹（截短；未同意公开时其中的姓名也打码）"),
        "photo": _nullable(
            "string", f"照片（{PHOTO_FILTER}）；仅在本人同意公开时给出，否则为null", format="uri"
        ),
    },
    [
        "id",
        "name",
        "recipient_kind",
        "award",
        "period_start",
        "period_end",
        "citation",
        "photo",
    ],
)
RANKING = _object(
    {
        "period": _string("月份，如“2026年12月”"),
        "rows": _array(
            _object(
                {
                    "rank": {"type": "integer", "minimum": 1, "description": "名次，并列同名次"},
                    "name": _string("姓名：未同意公开时为“张*明”，团队为全称"),
                    "points": {"type": "integer", "description": "本月积分"},
                    "stars": _nullable("integer", "星级（1–5），未达一星为null"),
                },
                ["rank", "name", "points", "stars"],
            ),
            f"前{RANKING_TOP}名（第{RANKING_TOP}名并列的都列出），最多{RANKING_ROWS}行",
        ),
    },
    ["period", "rows"],
)
KIOSK_DATA = _object(
    {
        "version": _string("大厅屏页面的版本；与屏幕上的不同时，屏幕稍后自行更新"),
        "generated_at": MOMENT,
        "center": _object({"code": _string(), "title": _string()}, ["code", "title"]),
        "kiosk": _object(
            {
                "name": _string(),
                "orientation": {"type": "string", "enum": list(Orientation.values)},
                "dark_from": CLOCK_TIME,
                "dark_until": CLOCK_TIME,
                "touch": {"type": "boolean"},
                "slides": _array(
                    _object(
                        {
                            "kind": {"type": "string", "enum": list(SlideKind.values)},
                            "title": _string(),
                            "seconds": {"type": "integer", "minimum": 0},
                            "url": _nullable(
                                "string", "该页内容的完整页面；没有时为null", format="uri"
                            ),
                            "qr": QR_KEY,
                        },
                        ["kind", "title", "seconds", "url", "qr"],
                    ),
                    "轮播页，按顺序；中心没有当前通知或光荣榜时略去这两种",
                ),
            },
            ["name", "orientation", "dark_from", "dark_until", "touch", "slides"],
        ),
        "today": _array(_ref("KioskSession"), "今天的场次（含已取消的），按开始时间"),
        "tomorrow": _array(_ref("KioskSession"), "明天的场次"),
        "week": _array(
            _ref("KioskSession"),
            f"本周精选：今后7天内每个活动最近一场未开始、未取消的场次，最多{WEEK_HIGHLIGHTS}个",
        ),
        "services_open": _array(
            _object(
                {"name": _string(), "url": _string(format="uri"), "qr": QR_KEY},
                ["name", "url", "qr"],
            ),
            "此刻在本中心正在办理的服务（按中心的开放时间和节假日）",
        ),
        "notices": _array(
            _ref("KioskNotice"),
            f"通知公告：紧急通知在前（含街道的），然后是置顶和最新的，最多{NOTICES_SHOWN}条；"
            "轮播页没有“通知公告”时为空",
        ),
        "urgent": _array(
            _ref("KioskUrgentNotice"),
            f"有效期内的紧急通知（含街道的），最多{URGENT_SHOWN}条：屏幕在每一页顶部显示红色横幅",
        ),
        "honors": _array(
            _ref("KioskHonor"),
            f"本中心光荣榜当前上榜的，按编辑排定的顺序，最多{HONORS_SHOWN}个；"
            "轮播页没有“光荣榜”时为空",
        ),
        "ranking": {
            "oneOf": [_ref("KioskRanking"), {"type": "null"}],
            "description": "本中心本月积分榜的前几名，随光荣榜一页显示；"
            "轮播页没有“光荣榜”或本月还没有人得分时为null",
        },
        "qr": {
            "type": "object",
            "additionalProperties": _string("二维码：可直接嵌入页面的SVG"),
            "description": "二维码，按键共用（同一网址只画一次）",
        },
    },
    [
        "version",
        "generated_at",
        "center",
        "kiosk",
        "today",
        "tomorrow",
        "week",
        "services_open",
        "notices",
        "urgent",
        "honors",
        "ranking",
        "qr",
    ],
)
HEARTBEAT = _object(
    {
        "version": _string(HEARTBEAT_FIELDS["version"], maxLength=40),
        "screen": _string("屏幕尺寸，宽x高", pattern="^[0-9]+x[0-9]+$", maxLength=20),
        "online_since": _nullable("string", HEARTBEAT_FIELDS["online_since"], format="date-time"),
        "last_data_at": _nullable("string", HEARTBEAT_FIELDS["last_data_at"], format="date-time"),
    },
    description="大厅屏每分钟报告一次。",
)
HEARTBEAT["additionalProperties"] = False
KIOSK_ERROR = _object(
    {
        "detail": _string("给人看的中文说明"),
        "errors": _array(
            _object(
                {
                    "field": _string("出错的字段（请求正文中的名称，或Authorization）"),
                    "message": _string("该字段的中文说明"),
                },
                ["field", "message"],
            )
        ),
    },
    ["detail"],
)
ETAG = {"description": "内容的强校验值；下次请求放在If-None-Match中", "schema": _string()}
NOT_FOUND = _json(
    "没有这个编码的服务中心，或该中心没有这块大厅屏；errors给出参数名。", _ref("Error")
)
AUTH = _json("令牌不对", _ref("KioskError"))


def openapi_paths() -> dict:
    return {
        "/api/kiosks/{code}/{slug}/data": {
            "parameters": PATH_PARAMETERS,
            "get": {
                "operationId": "getKioskData",
                "tags": ["大厅屏"],
                "summary": "大厅屏的数据：今天、明天的场次，本周精选，此刻正在办理的服务，"
                "通知公告与光荣榜",
                "description": "屏幕每分钟请求一次，带上次的ETag（If-None-Match）；"
                "内容没有变化时返回304，没有正文。编辑在后台保存活动、通知或光荣榜后，"
                "内容和ETag随之变化。",
                "parameters": [
                    {
                        "name": "If-None-Match",
                        "in": "header",
                        "required": False,
                        "description": "上次得到的ETag",
                        "schema": _string(),
                    }
                ],
                "responses": {
                    "200": {
                        **_json("数据", _ref("KioskData")),
                        "headers": {"ETag": ETAG},
                    },
                    "304": {"description": "没有变化", "headers": {"ETag": ETAG}},
                    "404": NOT_FOUND,
                },
            },
        },
        "/api/kiosks/{code}/{slug}/heartbeat": {
            "parameters": PATH_PARAMETERS,
            "post": {
                "operationId": "reportKioskHeartbeat",
                "tags": ["大厅屏"],
                "summary": "大厅屏的心跳：页面版本、屏幕尺寸、连续在线起、数据更新于",
                "description": f"须带这块屏自己的令牌：Authorization: {AUTH_SCHEME} <令牌>"
                "（后台的设置链接交给屏幕）。没有令牌返回401，别的屏的令牌返回403。",
                "security": [{"kioskToken": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("KioskHeartbeat")}},
                },
                "responses": {
                    "204": {"description": "已记录"},
                    "400": _json("请求有误：errors逐项给出字段和中文说明", _ref("KioskError")),
                    "401": _json("没有令牌", _ref("KioskError")),
                    "403": AUTH,
                    "404": NOT_FOUND,
                },
            },
        },
    }


def openapi_schemas() -> dict:
    return {
        "KioskSession": SESSION,
        "KioskData": KIOSK_DATA,
        "KioskNotice": NOTICE,
        "KioskUrgentNotice": URGENT,
        "KioskHonor": HONOR,
        "KioskRanking": RANKING,
        "KioskHeartbeat": HEARTBEAT,
        "KioskError": KIOSK_ERROR,
    }


SECURITY_SCHEMES = {
    "kioskToken": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": f"{AUTH_SCHEME} <令牌>：每块大厅屏自己的令牌",
    }
}
