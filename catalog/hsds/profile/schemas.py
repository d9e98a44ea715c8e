"""The profile's schemas: each core HSDS 3.1 schema (``catalog/hsds/schema/``) with the
profile's modification applied by JSON Merge Patch, as Open Referral's Profiles Reference
has a profile publish them under ``schema/``; and validators that check records against
them, offline, the way ``catalog.hsds.validation`` checks them against the core::

    problems = validate_service(record)     # [] when the record conforms to the profile

Strict (the default), like the core validator: every core object schema refuses properties
it does not list. The modifications are applied after closing the core objects, so that
their conditions (``if``/``then`` over a few properties) are not closed themselves.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from catalog.hsds.problems import Problem
from catalog.hsds.profile import definition
from catalog.hsds.profile.merge import merge_patch
from catalog.hsds.validation import ALIASES, BASE, SCHEMA_DIR, close_objects


@cache
def _core(strict: bool) -> dict[str, dict]:
    documents = {}
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if strict and path.name != "openapi.json":
            close_objects(document)
        documents[path.name] = document
    return documents


@cache
def _documents(strict: bool) -> dict[str, dict]:
    patches = definition.patches()
    documents = {}
    for name, core in _core(strict).items():
        document = merge_patch(core, patches[name]) if name in patches else core
        if document is not None:
            documents[name] = document
    return documents


def schema_names() -> list[str]:
    """The core files the profile has a schema for (all of them: it removes none)."""
    return sorted(_documents(False))


def schema(name: str) -> dict:
    """The profile's schema (or API document) called ``name`` (``service.json``),
    as published: not closed. ``KeyError`` for a name HSDS does not have."""
    return _documents(False)[name]


@cache
def _registry() -> Registry:
    resources = []
    for name, document in _documents(True).items():
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        resources.extend((prefix + name, resource) for prefix in (BASE, *ALIASES))
    return Registry().with_resources(resources).crawl()


@cache
def validator(kind: str) -> Draft202012Validator:
    """A strict validator of one entity of the profile (``service``, ``attribute``…)."""
    if f"{kind}.json" not in _documents(True) or kind == "openapi":
        raise KeyError(kind)
    root = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE}profile/{kind}/",
        "$ref": f"{BASE}{kind}.json",
    }
    return Draft202012Validator(
        root, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def validate(kind: str, document, *, path: str = "$") -> list[Problem]:
    errors = sorted(
        validator(kind).iter_errors(document),
        key=lambda error: (error.json_path, error.message),
    )
    return [Problem(path + error.json_path[1:], error.message) for error in errors]


def validate_service(record: dict, *, path: str = "$") -> list[Problem]:
    return validate("service", record, path=path)


def validate_services(records: Iterable[dict]) -> list[Problem]:
    problems = []
    for index, record in enumerate(records):
        problems += validate_service(record, path=f"$[{index}]")
    return problems
