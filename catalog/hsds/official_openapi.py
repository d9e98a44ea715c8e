"""Open Referral's own OpenAPI document of the HSDS API, self-contained, for a client (or
schemathesis) that must read it without the network.

``schema/openapi.json`` is kept unedited on disk. Its responses point at the HSDS schemas
by raw.githubusercontent.com addresses, and those files point at each other by relative
names ("phone.json"). :func:`official_openapi_document` bundles every schema file it
needs into ``components/schemas`` under a stable name (the file's path without ``.json``,
``/`` as ``.``: ``service``, ``compiled.service_list``) and rewrites every ``$ref`` to
point there. Nothing else of the contract changes; only ``servers`` (where the API is) and
the placeholder ``info`` (metadata: "REQUIRED -- TITLE OF YOUR API HERE") are ours.

openapi.json also names ``compiled/service.json`` and ``compiled/organization.json``,
upstream's inlined forms of service.json and organization.json, which are not vendored:
those point at the entity files.
"""

from __future__ import annotations

import copy
import json
import posixpath
from functools import cache

from catalog.hsds.validation import ALIASES, SCHEMA_DIR

TITLE = "海河东区 · 家门口 服务目录 HSDS接口"
VERSION = "3.1"
# Upstream's inlined files that were not vendored, and the entity file each one inlines.
NOT_VENDORED = {
    "compiled/service.json": "service.json",
    "compiled/organization.json": "organization.json",
}
COMPONENTS = "#/components/schemas/"


def component_name(file: str) -> str:
    """The name under ``components/schemas`` of a schema file (``compiled/x.json``)."""
    return file.removesuffix(".json").replace("/", ".")


@cache
def _vendored(file: str) -> dict:
    return json.loads((SCHEMA_DIR / file).read_text(encoding="utf-8"))


def _local_file(address: str, base_file: str | None) -> tuple[str, str]:
    """The vendored file and the fragment that ``address`` names, relative to
    ``base_file`` (the schema file it appears in, ``None`` for openapi.json itself)."""
    address, _, fragment = address.partition("#")
    for alias in ALIASES:
        if address.startswith(alias):
            file = address.removeprefix(alias)
            break
    else:
        if address.startswith(("http:", "https:")):
            raise ValueError(f"openapi.json refers to {address}, which is not vendored")
        if base_file is None:
            raise ValueError(f"openapi.json refers to {address} relative to nothing")
        file = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), address))
    return NOT_VENDORED.get(file, file), fragment


def _rewritten(node, base_file: str | None, needed: list[str]):
    """``node`` with every ``$ref`` to a schema file pointed at its component; the files
    named are appended to ``needed``."""
    if isinstance(node, list):
        return [_rewritten(value, base_file, needed) for value in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            if value.startswith("#"):
                # Within a schema file: within its component (openapi.json's stay as they are).
                result[key] = value if base_file is None else _within(base_file, value[1:])
            else:
                file, fragment = _local_file(value, base_file)
                needed.append(file)
                result[key] = _within(file, fragment)
        else:
            result[key] = _rewritten(value, base_file, needed)
    return result


def _within(file: str, fragment: str) -> str:
    return COMPONENTS + component_name(file) + fragment


@cache
def _bundled() -> dict:
    document = _vendored("openapi.json")
    needed: list[str] = []
    bundled = _rewritten(document, None, needed)
    schemas = bundled["components"]["schemas"]
    done: set[str] = set()
    while needed:
        file = needed.pop()
        if file in done:
            continue
        done.add(file)
        name = component_name(file)
        if name in schemas:
            raise ValueError(f"{file} and openapi.json both define the component {name}")
        schemas[name] = _rewritten(_vendored(file), file, needed)
    return bundled


def official_openapi_document(base_path: str = "/api/hsds") -> dict:
    """Open Referral's openapi.json (HSDS 3.1), self-contained, served at ``base_path``."""
    document = copy.deepcopy(_bundled())
    document["servers"] = [{"url": base_path, "description": "本站的HSDS接口"}]
    document["info"] = {
        "title": TITLE,
        "version": VERSION,
        "summary": "Open Referral HSDS 3.1 接口（官方OpenAPI文档）",
        "description": (
            "Open Referral 发布的 HSDS 3.1 OpenAPI 文档（schema/openapi.json，内容未改动），"
            "其引用的HSDS schema已从远程地址改为文档内的components/schemas。"
        ),
        "license": {
            "name": "HSDS schemas: CC BY-SA 4.0",
            "url": "https://creativecommons.org/licenses/by-sa/4.0/",
        },
    }
    return document
