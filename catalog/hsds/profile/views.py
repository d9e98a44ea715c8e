"""The profile served: its page, its README, its modifications and default data, and the
core schemas with the modifications applied. Read-only, like the rest of /api/: other
methods are answered 405 in JSON, unknown files 404 in JSON."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from catalog.api.views import JsonView, error_response, json_response
from catalog.hsds.profile import definition, schemas

README = Path(__file__).resolve().parent / "README.md"


def _url(request, name: str, *args) -> str:
    """A profile URL in the namespace the page was reached through (``catalog_api``)."""
    namespace = request.resolver_match.namespace
    return reverse(f"{namespace}:{name}" if namespace else name, args=args)


def _stem(name: str) -> str:
    return name.removesuffix(".json")


class ProfilePageView(JsonView):
    def get(self, request):
        files = [
            (
                f"profile/{name}",
                "修改（JSON Merge Patch）",
                _url(request, "hsds_profile_patch", _stem(name)),
            )
            for name in definition.patches()
        ]
        files += [
            (
                f"profile/data/{name}",
                "默认数据（分类体系和分类词的 HSDS 记录）",
                _url(request, "hsds_profile_data", _stem(name)),
            )
            for name in definition.data()
        ]
        merged = [
            (name, _url(request, "hsds_profile_schema", _stem(name)))
            for name in schemas.schema_names()
        ]
        return render(
            request,
            "catalog/hsds_profile.html",
            {
                "title": definition.TITLE,
                "profile_version": definition.PROFILE_VERSION,
                "hsds_version": definition.HSDS_VERSION,
                "profile_url": request.build_absolute_uri(_url(request, "hsds_profile")),
                "readme_url": _url(request, "hsds_profile_readme"),
                "files": files,
                "merged": merged,
                "taxonomies": definition.taxonomies(),
                "conventions": definition.conventions(),
            },
        )


class ReadmeView(JsonView):
    def get(self, request):
        return HttpResponse(
            README.read_text(encoding="utf-8"), content_type="text/markdown; charset=utf-8"
        )


def _not_found(kind: str, name: str, known) -> HttpResponse:
    names = "、".join(f"{_stem(known_name)}.json" for known_name in known)
    return error_response(404, f"本扩展规范没有{kind}“{name}.json”，现有：{names}。")


class PatchView(JsonView):
    def get(self, request, name):
        patches = definition.patches()
        if f"{name}.json" not in patches:
            return _not_found("修改文件", name, patches)
        return json_response(patches[f"{name}.json"])


class DataView(JsonView):
    def get(self, request, name):
        data = definition.data()
        if f"{name}.json" not in data:
            return _not_found("默认数据文件", name, data)
        return json_response(data[f"{name}.json"])


class SchemaView(JsonView):
    def get(self, request, name):
        known = schemas.schema_names()
        if f"{name}.json" not in known:
            return _not_found("schema", name, known)
        return json_response(schemas.schema(f"{name}.json"))
