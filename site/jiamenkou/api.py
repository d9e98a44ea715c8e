"""Wagtail's pages API (v2) for the district's pages: /api/v2/pages/.

The fields each page type exposes are its ``api_fields`` (site/district/models.py).
Wagtail's viewset is kept, answering like the rest of /api/ and as /api/openapi.json
describes it (the document's part for this API is built here, ``openapi_paths``):

- each documented query parameter is checked against the schema the document declares
  for it (``listing_parameters``…); a bad value is a 400 in Chinese naming the parameter,
  in the error shape of /api/ (``{"detail": …, "errors": [{"parameter": …, "message": …}]}``),
  and so are Wagtail's own refusals (an unknown parameter, …);
- a well-formed page id or path that names no published page is a 404 in that shape;
- ``fields`` may name any field of any page type: those the listed type lacks are left
  out rather than refused;
- ``child_of`` and ``descendant_of`` together both apply;
- JSON only, and a method other than GET is a 405 with ``Allow``.
"""

import re

from django.conf import settings
from django.http import Http404
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.renderers import JSONRenderer
from wagtail.api.v2 import filters
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError, parse_fields_parameter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.models import get_page_models

from catalog.api.views import bad_request, error_response
from catalog.filters import InvalidParameters, ParameterProblem

MAX_PAGE_ID = 2**31 - 1  # an integer column on every database
MAX_OFFSET = 100_000
# Ordering by these works with and without ``search`` (Wagtail's FilterFields of Page).
ORDER_FIELDS = ("title", "first_published_at", "id")


def page_types() -> list[str]:
    return sorted(f"{m._meta.app_label}.{m.__name__}" for m in get_page_models())


def field_names() -> list[str]:
    """Every field some page type has in this API (``fields`` may ask for any of them)."""
    names = set()
    for model in get_page_models():
        names.update(DistrictPagesAPIViewSet.get_available_fields(model))
    # Longest first, so that a regular expression tries ``title`` before ``tit…``.
    return sorted(names, key=lambda name: (-len(name), name))


def fields_pattern() -> str:
    """What ``fields`` may be: names separated by commas, each optionally negated with -;
    or * (all) followed by negated names; or _ (none) followed by names."""
    name = "(?:" + "|".join(field_names()) + ")"
    return rf"^(?:\*(?:,-{name})*|_(?:,{name})*|-?{name}(?:,-?{name})*)?$"


def _integer(minimum: int, maximum: int) -> dict:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


def _page_id() -> dict:
    return _integer(1, MAX_PAGE_ID)


def limit_max() -> int:
    return getattr(settings, "WAGTAILAPI_LIMIT_MAX", 20) or 20


def fields_schema() -> dict:
    return {"type": "string", "pattern": fields_pattern()}


def listing_parameters() -> dict[str, tuple[str, dict, object]]:
    """name → (description, schema, example) of the listing's documented parameters."""
    return {
        "type": (
            "页面类型；指定后可用该类型的字段筛选和排序。",
            {"enum": page_types()},
            "district.CenterPage",
        ),
        "fields": (
            "附加字段，逗号分隔，-表示去掉；*为全部，_为不要默认字段。"
            "可用任一页面类型的字段名，所列页面没有的字段不输出。",
            fields_schema(),
            "title,html_url",
        ),
        "limit": (f"每页条数，默认与最多均为{limit_max()}。", _integer(0, limit_max()), 10),
        "offset": ("跳过条数。", _integer(0, MAX_OFFSET), 0),
        "order": (
            "排序字段，-表示倒序。",
            {"enum": [f"{sign}{name}" for name in ORDER_FIELDS for sign in ("", "-")]},
            "title",
        ),
        "search": ("全文检索（标题等）。", {"type": "string"}, "服务中心"),
        "child_of": ("只列出该页面的子页面（页面id）。", _page_id(), 3),
        "descendant_of": ("只列出该页面下的各级页面（页面id）；可与child_of同用。", _page_id(), 3),
    }


def find_parameters() -> dict[str, tuple[str, dict, object]]:
    return {
        "html_path": ("页面的网址路径，如/chunhua/。", {"type": "string"}, "/"),
        "id": ("页面id。", _page_id(), 3),
    }


def detail_parameters() -> dict[str, tuple[str, dict, object]]:
    return {"fields": listing_parameters()["fields"]}


def problem_with(name: str, raw: str, schema: dict) -> ParameterProblem | None:
    """The problem with one query parameter's value, checked against its schema (the
    subset these parameters use: enum, integer with bounds, and the pattern of ``fields``)."""
    shown = raw[:60]
    if "enum" in schema:
        if raw not in schema["enum"]:
            choices = "、".join(schema["enum"])
            return ParameterProblem(name, f"{name}只能是{choices}之一，收到“{shown}”。")
    elif schema.get("type") == "integer":
        low, high = schema["minimum"], schema["maximum"]
        if not (re.fullmatch(r"[0-9]+", raw) and low <= int(raw) <= high):
            return ParameterProblem(name, f"{name}应为{low}到{high}之间的整数，收到“{shown}”。")
    elif "pattern" in schema and not re.fullmatch(schema["pattern"], raw):
        return ParameterProblem(
            name,
            f"无法识别的{name}“{shown}”：字段名用逗号分隔（如title,html_url），*表示全部字段。",
        )
    return None


def check(params, documented: dict[str, tuple[str, dict, object]]) -> list[ParameterProblem]:
    problems = []
    for name, (_, schema, _) in documented.items():
        if name in params:
            problem = problem_with(name, params[name], schema)
            if problem is not None:
                problems.append(problem)
    return problems


# Wagtail's own refusals that the checks above leave possible (an undocumented parameter
# such as ancestor_of, a page id that names no page): the English message → the parameter
# (fixed, or a group of the pattern), what is wrong with it in Chinese, and the status.
WAGTAIL_REFUSALS = [
    (r"parent page doesn't exist", "child_of", "所指的页面不存在或未发布", 404),
    (r"ancestor page doesn't exist", "descendant_of", "所指的页面不存在或未发布", 404),
    (r"descendant page doesn't exist", "ancestor_of", "所指的页面不存在或未发布", 404),
    (r"translation_of page doesn't exist", "translation_of", "所指的页面不存在或未发布", 404),
    (r"^(\w+) must be a positive integer", r"\1", "应为正整数", 400),
    (r"^limit cannot be higher", "limit", "超过了每页条数的上限", 400),
    (r"random ordering|cannot order by", "order", "无法按此排序", 400),
    (r"^field filter error.* for (\w+)", r"\1", "不是该字段可用的值", 400),
    (r"^fields error|^unknown fields|does not support nested fields", "fields", "有误", 400),
    (r"^type doesn't exist", "type", "不是已有的页面类型", 400),
    (r"search", "search", "无法按此搜索", 400),
    (r"rich.?text", "rich_text_format", "有误", 400),
]
UNKNOWN_PARAMETERS = re.compile(r"query parameter is not an operation or a recognised field: (.+)")


def translate(error: BadRequestError) -> list[ParameterProblem]:
    """Wagtail's refusal as problems naming their parameter (its English kept in brackets)."""
    message = str(error)
    unknown = UNKNOWN_PARAMETERS.match(message)
    if unknown:
        return [
            ParameterProblem(name, f"不支持的参数“{name}”，可用的参数见 /api/openapi.json。")
            for name in unknown.group(1).split(", ")
        ]
    for pattern, parameter, wrong, status in WAGTAIL_REFUSALS:
        match = re.search(pattern, message)
        if match:
            name = match.expand(parameter)
            return [ParameterProblem(name, f"{name}{wrong}（{message}）。", status)]
    return [ParameterProblem("", f"参数有误（{message}）。")]


class DescendantOfFilter(filters.DescendantOfFilter):
    """``descendant_of`` also under ``child_of``: the children of one page that lie below
    another (Wagtail refuses the pair)."""

    def filter_queryset(self, request, queryset, view):
        child_of = queryset.__dict__.pop("_filtered_by_child_of", None)
        queryset = super().filter_queryset(request, queryset, view)
        if child_of is not None:
            queryset._filtered_by_child_of = child_of
        return queryset


class DistrictPagesAPIViewSet(PagesAPIViewSet):
    renderer_classes = [JSONRenderer]
    filter_backends = [
        DescendantOfFilter if backend is filters.DescendantOfFilter else backend
        for backend in PagesAPIViewSet.filter_backends
    ]

    def listing_view(self, request):
        self.refuse_bad(check(request.GET, listing_parameters()))
        self.drop_nul(request, "search")
        return super().listing_view(request)

    def detail_view(self, request, pk):
        self.refuse_bad(check(request.GET, detail_parameters()))
        if pk > MAX_PAGE_ID:
            raise Http404
        return super().detail_view(request, pk)

    def find_view(self, request):
        self.refuse_bad(check(request.GET, find_parameters()))
        self.drop_nul(request, "html_path")
        return super().find_view(request)

    @staticmethod
    def refuse_bad(problems: list[ParameterProblem]) -> None:
        if problems:
            raise InvalidParameters(problems)

    @staticmethod
    def drop_nul(request, name: str) -> None:
        """PostgreSQL refuses a NUL byte in a query: free text loses it."""
        if "\x00" in request.GET.get(name, ""):
            query = request.GET.copy()
            query[name] = query[name].replace("\x00", "")
            request._request.GET = query

    def get_serializer_class(self):
        """Wagtail's, except that ``fields`` the page type lacks are left out."""
        if self.action == "listing_view":
            model, show_details = self.get_queryset().model, False
        else:
            model, show_details = type(self.get_object()), True
        try:
            fields_config = parse_fields_parameter(self.request.GET.get("fields", ""))
        except ValueError as error:
            raise BadRequestError(f"fields error: {error}") from error
        available = set(self.get_available_fields(model))
        if not show_details:
            available -= set(self.detail_only_fields)
        fields_config = [field for field in fields_config if field[0] in {"*", "_", *available}]
        return self._get_serializer_class(
            self.request.wagtailapi_router, model, fields_config, show_details=show_details
        )

    def handle_exception(self, exc):
        if isinstance(exc, InvalidParameters):
            return bad_request(exc.problems)
        if isinstance(exc, BadRequestError):
            return bad_request(translate(exc))
        if isinstance(exc, Http404):
            return self.not_found()
        if isinstance(exc, MethodNotAllowed):
            return error_response(405, f"不支持{self.request.method}请求，本接口只读。")
        return super().handle_exception(exc)

    def not_found(self):
        params = self.request.GET
        if self.action == "find_view":
            asked = [name for name in ("html_path", "id") if name in params]
            return bad_request(
                [
                    ParameterProblem(name, f"没有{name}为“{params[name][:60]}”的已发布页面。", 404)
                    for name in asked
                ]
                or [ParameterProblem("html_path", "请提供html_path或id。", 404)]
            )
        if self.action == "detail_view":
            pk = self.kwargs.get("pk")
            return bad_request([ParameterProblem("pk", f"没有id为{pk}的已发布页面。", 404)])
        return error_response(404, "未找到。")


def openapi_paths() -> dict:
    """This API's part of /api/openapi.json (``catalog.api.openapi`` adds it)."""
    return {
        "/api/v2/pages/": {
            "get": {
                "operationId": "listPages",
                "tags": ["页面"],
                "summary": "已发布的页面（区、街道、服务中心、通知公告、服务清单）",
                "parameters": _query(listing_parameters()),
                "responses": {
                    "200": _json("页面列表", _ref("PageListing")),
                    "400": _json("参数有误：每个错误给出参数名和中文说明。", _ref("Error")),
                    "404": _json("child_of或descendant_of所指的页面不存在。", _ref("Error")),
                },
                "externalDocs": {
                    "url": "https://docs.wagtail.org/en/stable/advanced_topics/api/v2/usage.html"
                },
            }
        },
        "/api/v2/pages/{pk}/": {
            "parameters": [
                {
                    "name": "pk",
                    "in": "path",
                    "required": True,
                    "description": "页面id",
                    "schema": _page_id(),
                    "example": 3,
                }
            ],
            "get": {
                "operationId": "getPage",
                "tags": ["页面"],
                "summary": "一个页面的全部字段（其类型的api_fields）",
                "parameters": _query(detail_parameters()),
                "responses": {
                    "200": _json("页面", _ref("Page")),
                    "400": _json("参数有误", _ref("Error")),
                    "404": _json("没有该id的已发布页面", _ref("Error")),
                },
            },
        },
        "/api/v2/pages/find/": {
            "get": {
                "operationId": "findPage",
                "tags": ["页面"],
                "summary": "按网址路径（或id）找到页面，重定向到其详情",
                "parameters": _query(find_parameters()),
                "responses": {
                    "302": {
                        "description": "重定向到/api/v2/pages/{pk}/",
                        "headers": {"Location": {"schema": {"type": "string"}, "required": True}},
                    },
                    "400": _json("参数有误", _ref("Error")),
                    "404": _json("没有该路径或id的已发布页面", _ref("Error")),
                },
            }
        },
    }


def openapi_schemas() -> dict:
    """The page shapes of this API, for the document's components."""
    nullable_string = {"type": ["string", "null"]}
    meta = {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": page_types(), "description": "页面类型"},
            "detail_url": {"type": "string", "format": "uri"},
            "html_url": {**nullable_string, "description": "页面网址"},
            "slug": {"type": "string"},
            "first_published_at": {**nullable_string, "format": "date-time"},
            "show_in_menus": {"type": "boolean"},
            "seo_title": {"type": "string"},
            "search_description": {"type": "string"},
            "alias_of": {"type": ["object", "null"]},
            "parent": {"type": ["object", "null"], "description": "上级页面（详情中）"},
            "locale": {"type": "string"},
        },
    }
    page = {
        "type": "object",
        "description": "一个页面。除这些字段外还有其类型的api_fields（如服务中心的code）；"
        "fields可去掉任一字段，故没有必有的字段。",
        "properties": {"id": {"type": "integer"}, "meta": meta, "title": {"type": "string"}},
    }
    listing = {
        "type": "object",
        "properties": {
            "meta": {
                "type": "object",
                "properties": {
                    "total_count": {"type": "integer", "description": "符合条件的页面数"}
                },
                "required": ["total_count"],
            },
            "items": {"type": "array", "items": _ref("Page")},
        },
        "required": ["meta", "items"],
        "description": "Wagtail API v2页面列表",
    }
    return {"Page": page, "PageListing": listing}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(documented: dict[str, tuple[str, dict, object]]) -> list[dict]:
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": schema,
            "example": example,
        }
        for name, (description, schema, example) in documented.items()
    ]


pages_api_router = WagtailAPIRouter("wagtailapi")
pages_api_router.register_endpoint("pages", DistrictPagesAPIViewSet)
