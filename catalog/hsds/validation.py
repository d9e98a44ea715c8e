"""HSDS 3.1 documents checked against the JSON schemas of the specification, offline.

The schemas are Open Referral's own files, kept unedited in ``schema/`` beside this module
(see schema/README.md for their source and licence). The entity schemas point at each other
with relative ``$ref``s (``"phone.json"``) and openapi.json at raw.githubusercontent.com
addresses; a ``referencing.Registry`` answers every one of those addresses with the local
file, so nothing is ever fetched::

    problems = validate_service(record)                     # [] when valid
    problems = validate("service_list", page)                # GET /services
    problems = validate("service_list", page, full=True)     # GET /services?full=true
    problems = validate("organization", record)              # GET /organizations/{id}
    problems = validate("organization", record, full_service=True)  # ?full_service=true
    problems = validate_services(export_services())          # a file of records

Every endpoint of the HSDS API has its kind: the pages ``service_list``,
``organization_list``, ``service_at_location_list``, ``taxonomy_list`` and
``taxonomy_term_list``, and the records ``service``, ``organization``,
``service_at_location``, ``taxonomy`` and ``taxonomy_term``.

Each problem is a ``Problem`` with the JSON path of the offending value (``$[3].phones[0]``,
as the importer reports its own) and jsonschema's message.

Strict (the default) is what upstream's CI applies to its examples: every object schema
that lists properties refuses any other (``additionalProperties: false``), so a misspelt or
invented property is reported; a page must also carry ``contents``. ``Page.empty`` is
required, as HSDS 3.1.1 made it. Formats are checked: uuid and email always, ``date-time``
and ``uri`` with rfc3339-validator and rfc3986-validator (dependencies of the project).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from catalog.hsds.problems import Problem

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

# The local files' base address: a name only (the reserved .invalid domain), never fetched.
# It is hierarchical so that relative $refs such as "phone.json" resolve against it.
BASE = "https://hsds.invalid/3.1/schema/"
# Addresses at which openapi.json (and other people's documents) refer to the same files.
ALIASES = (
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/",
    "https://raw.githubusercontent.com/openreferral/specification/3.1/schema/",
    "https://raw.githubusercontent.com/openreferral/specification/3.1-dev/schema/",
)

#: What a document may be: a page of a list endpoint (``GET /services``…, by the name below),
#: a record of a detail endpoint (``service``, ``organization``, ``service_at_location``,
#: ``taxonomy``, ``taxonomy_term``), or any single entity by its schema's name (``phone``…).
#: A page's items, and with ``full=True`` (``?full=true``) what replaces them.
LIST_ITEMS = {
    "service_list": "compiled/service_list.json",
    "organization_list": "compiled/organization_list.json",
    "service_at_location_list": "compiled/service_at_location_list.json",
    "taxonomy_list": "taxonomy.json",
    "taxonomy_term_list": "taxonomy_term.json",
}
FULL_ITEMS = {
    "service_list": "service.json",
    "organization_list": "compiled/organization.json",
    "service_at_location_list": "compiled/service_at_location.json",
}
#: The records of the detail endpoints that are not an entity file as they stand: upstream
#: builds them into ``compiled/`` (not vendored; see _compiled below).
COMPILED = {
    "organization": "compiled/organization.json",
    "service_at_location": "compiled/service_at_location.json",
}


def close_objects(node):
    """``additionalProperties: false`` on every object schema that lists its properties
    and says nothing of others (what upstream's CI does to validate its examples)."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict) and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            close_objects(value)
    elif isinstance(node, list):
        for value in node:
            close_objects(value)
    return node


def _moved_into_compiled(node):
    """The relative ``$ref``s of an entity file ("phone.json"), pointed from ``compiled/``
    back at the entity files ("../phone.json")."""
    if isinstance(node, dict):
        return {
            key: "../" + value
            if key == "$ref" and isinstance(value, str) and not value.startswith(("#", "http"))
            else _moved_into_compiled(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_moved_into_compiled(value) for value in node]
    return node


def _compiled(documents: dict[str, dict]) -> dict[str, dict]:
    """What upstream's ``compiled/`` holds besides the vendored files, built from the entity
    files the way upstream builds it (openapi.json refers to these addresses):

    - ``compiled/service.json``: service.json (upstream's is it with every $ref inlined);
    - ``compiled/organization.json``: organization.json and its ``services`` (an array of
      full services: the reverse link an organization's endpoint gives);
    - ``compiled/service_at_location.json``: service_at_location.json and its ``service``;
    - ``compiled/organization_with_service_list.json``: an organization whose ``services``
      are service list items (``GET /organizations/{id}`` without ``full_service``).
    """

    def extended(entity: str, name: str, schema: dict) -> dict:
        document = _moved_into_compiled(copy.deepcopy(documents[entity]))
        document["properties"][name] = schema
        return document

    def services(item: str) -> dict:
        return {"name": "services", "type": "array", "items": {"$ref": item}}

    return {
        "compiled/service.json": _moved_into_compiled(copy.deepcopy(documents["service.json"])),
        "compiled/organization.json": extended(
            "organization.json", "services", services("../service.json")
        ),
        "compiled/organization_with_service_list.json": extended(
            "organization.json", "services", services("service_list.json")
        ),
        "compiled/service_at_location.json": extended(
            "service_at_location.json", "service", {"$ref": "../service.json"}
        ),
    }


@cache
def _documents(strict: bool) -> dict[str, dict]:
    documents = {}
    for path in sorted(SCHEMA_DIR.rglob("*.json")):
        name = path.relative_to(SCHEMA_DIR).as_posix()
        document = json.loads(path.read_text(encoding="utf-8"))
        if strict and name != "openapi.json":
            close_objects(document)
        documents[name] = document
    for name, document in _compiled(documents).items():
        documents.setdefault(name, document)  # a vendored compiled file would win
    return documents


@cache
def _registry(strict: bool) -> Registry:
    resources = []
    for name, document in _documents(strict).items():
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        resources.extend((prefix + name, resource) for prefix in (BASE, *ALIASES))
    # Crawled once, so no lookup is left to do (and none could reach the network anyway:
    # the registry has no retrieve function, an unknown address is an error).
    return Registry().with_resources(resources).crawl()


def schema_registry(strict: bool = False) -> Registry:
    """Every schema file at each of its addresses (the local one and the raw.githubusercontent
    ones), for a document that refers to them, such as openapi.json."""
    return _registry(strict)


def _page_schema(items: dict, strict: bool) -> dict:
    """A paginated list: the ``Page`` of openapi.json and its ``contents``."""
    page = copy.deepcopy(_documents(strict)["openapi.json"]["components"]["schemas"]["Page"])
    properties = {**page.get("properties", {}), "contents": {"type": "array", "items": items}}
    required = list(page.get("required", []))
    # Page.empty is required from HSDS 3.1.1 on; the 3.1 files predate it.
    required += [name for name in ("empty", "contents") if name not in required]
    if not strict:
        required.remove("contents")
    schema = {"type": "object", "properties": properties, "required": required}
    if strict:
        schema["additionalProperties"] = False
    return schema


def _organization_file(full_service: bool) -> str:
    # An organization's services are list items, or full services with ?full_service=true.
    if full_service:
        return "compiled/organization.json"
    return "compiled/organization_with_service_list.json"


def schema_for(
    kind: str, *, strict: bool = True, full: bool = False, full_service: bool = False
) -> dict:
    """The root schema of a ``kind`` of document; ``KeyError`` for an unknown kind.

    ``full``: a page of full records (``?full=true``) rather than list items.
    ``full_service``: an organization's ``services`` (of ``organization``, or of the items
    of a full ``organization_list``) are full services rather than list items.
    """
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{BASE}{kind}/"}
    documents = _documents(strict)
    if kind in LIST_ITEMS:
        items = LIST_ITEMS[kind]
        if kind == "organization_list" and (full or full_service):
            items = _organization_file(full_service)
        elif full and kind in FULL_ITEMS:
            items = FULL_ITEMS[kind]
        root.update(_page_schema({"$ref": BASE + items}, strict))
    elif kind == "organization":
        root["$ref"] = BASE + _organization_file(full_service)
    elif kind in COMPILED:
        root["$ref"] = BASE + COMPILED[kind]
    elif f"{kind}.json" in documents and kind != "openapi":
        root["$ref"] = f"{BASE}{kind}.json"
    else:
        raise KeyError(kind)
    return root


@cache
def validator(
    kind: str, *, strict: bool = True, full: bool = False, full_service: bool = False
) -> Draft202012Validator:
    """A validator of ``kind`` (``service``, ``service_list``, ``phone``…), built once."""
    return Draft202012Validator(
        schema_for(kind, strict=strict, full=full, full_service=full_service),
        registry=_registry(strict),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def validate(
    kind: str,
    document,
    *,
    strict: bool = True,
    full: bool = False,
    full_service: bool = False,
    path: str = "$",
) -> list[Problem]:
    """Every way ``document`` fails the schema of ``kind``, by JSON path; ``path`` is where
    the document sits in a larger one (``$[3]`` for the fourth record of a file)."""
    errors = sorted(
        validator(kind, strict=strict, full=full, full_service=full_service).iter_errors(document),
        key=lambda error: ([_sortable(part) for part in error.absolute_path], error.message),
    )
    return [Problem(path + error.json_path[1:], error.message) for error in errors]


def validate_service(record: dict, *, strict: bool = True, path: str = "$") -> list[Problem]:
    """One full service record (``GET /services/{id}``)."""
    return validate("service", record, strict=strict, path=path)


def _sortable(part: int | str) -> tuple:
    return (0, part, "") if isinstance(part, int) else (1, 0, part)


def validate_services(records: Iterable[dict], *, strict: bool = True) -> list[Problem]:
    """A file of full service records (what ``export_hsds`` writes), record by record."""
    problems = []
    for index, record in enumerate(records):
        problems += validate_service(record, strict=strict, path=f"$[{index}]")
    return problems
