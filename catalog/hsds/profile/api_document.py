"""The profile's routes as OpenAPI 3.1 path items, for the API's own document
(``catalog/api/openapi.py`` lists every route under /api/): ``paths()`` is ready to be
merged into its paths. Errors refer to the document's ``#/components/schemas/Error``."""

from __future__ import annotations

from catalog.hsds.profile import definition, schemas

ERROR = {"$ref": "#/components/schemas/Error"}


def _json_file(operation_id: str, summary: str, names: list[str], what: str) -> dict:
    name = {
        "name": "name",
        "in": "path",
        "required": True,
        "description": f"{what}的文件名（不带 .json）",
        "schema": {"type": "string", "enum": [n.removesuffix(".json") for n in names]},
        "example": names[0].removesuffix(".json"),
    }
    return {
        "parameters": [name],
        "get": {
            "operationId": operation_id,
            "tags": ["HSDS"],
            "summary": summary,
            "responses": {
                "200": {
                    "description": what,
                    "content": {"application/json": {"schema": {}}},
                },
                "404": {
                    "description": "没有这个文件：说明中列出现有的文件",
                    "content": {"application/json": {"schema": ERROR}},
                },
            },
        },
    }


def paths() -> dict:
    """/api/hsds/profile/ and the files below it."""
    prefix = definition.PROFILE_PATH
    return {
        prefix: {
            "get": {
                "operationId": "getHsdsProfile",
                "tags": ["HSDS"],
                "summary": "本目录的 HSDS 扩展规范（Profile）：分类体系和分类词、办事指南属性、"
                "校验规则和约定（HTML）",
                "responses": {
                    "200": {
                        "description": "扩展规范页",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        f"{prefix}README.md": {
            "get": {
                "operationId": "getHsdsProfileReadme",
                "tags": ["HSDS"],
                "summary": "扩展规范的说明文档（Markdown，英文、中文）",
                "responses": {
                    "200": {
                        "description": "README.md",
                        "content": {"text/markdown": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        f"{prefix}profile/{{name}}.json": _json_file(
            "getHsdsProfileModification",
            "扩展规范对一个 HSDS 核心文件的修改（JSON Merge Patch）",
            list(definition.patches()),
            "修改文件",
        ),
        f"{prefix}profile/data/{{name}}.json": _json_file(
            "getHsdsProfileData",
            "扩展规范的默认数据：分类体系和分类词的 HSDS 记录",
            list(definition.data()),
            "默认数据文件",
        ),
        f"{prefix}schema/{{name}}.json": _json_file(
            "getHsdsProfileSchema",
            "合并了扩展规范修改的 HSDS schema（及 API 文档 openapi.json）",
            schemas.schema_names(),
            "schema",
        ),
    }
