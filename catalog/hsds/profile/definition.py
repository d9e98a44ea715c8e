"""What the profile says, built from the catalog's own rules: the taxonomies of
``catalog.taxonomy_seed.TAXONOMIES`` (never retyped here), the attribute conventions of
``catalog.hsds.conventions`` and ``catalog.models.taxonomy``, and the price rules of
``catalog.rules``.

Two readers: the profile's page (``taxonomies()``, ``conventions()``) and the profile's files
(``patches()``: JSON Merge Patches against the core HSDS 3.1 schemas; ``data()``: the
taxonomies and terms as HSDS records). The files in ``profile/`` beside this module are
``patches()`` and ``data()`` written out (see ``files.py``); a test keeps them in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog.hsds.conventions import (
    SCHEDULE_EXCEPTION_KINDS,
    SCHEDULE_FLAGS,
    SCHEDULE_LINK_ENTITY,
)
from catalog.models.services import CHANNELS_WITH_URL, FREE_KINDS, ServiceKind, ServiceStatus
from catalog.models.taxonomy import (
    AUDIENCE_TAXONOMY,
    CHANNEL_TAXONOMY,
    GUIDE_TAXONOMY,
    KIND_TAXONOMY,
    LINK_TYPES,
    SCHEDULE_TAXONOMY,
    TOPIC_TAXONOMY,
)
from catalog.rules import FREE_WORDING
from catalog.taxonomy_seed import (
    NAMESPACE,
    TAXONOMIES,
    TAXONOMY_URI,
    VERSION,
    taxonomy_id,
    term_id,
)

#: The profile's own version (semantic versioning, independent of HSDS's, as Open
#: Referral's Profiles Reference recommends).
PROFILE_VERSION = "1.0.0"
HSDS_VERSION = "3.1"
#: Where the profile is published (its canonical URI is this path on the site's host); the
#: modifications sit under ``profile/`` and the merged schemas under ``schema/`` below it.
PROFILE_PATH = "/api/hsds/profile/"
TITLE = "海河东区家门口 HSDS 扩展规范（Profile）"

#: Editors add terms to these in the admin (catalog/wagtail_hooks.py), with random ids:
#: the profile names their taxonomy, not their terms.
EDITABLE_TAXONOMIES = (TOPIC_TAXONOMY, AUDIENCE_TAXONOMY)

#: What the page calls each taxonomy; a taxonomy missing here is shown by its name.
HEADINGS = {
    KIND_TAXONOMY: "服务类别",
    TOPIC_TAXONOMY: "服务领域",
    AUDIENCE_TAXONOMY: "服务对象",
    CHANNEL_TAXONOMY: "办理渠道",
    GUIDE_TAXONOMY: "办事指南属性",
    SCHEDULE_TAXONOMY: "时间安排规则",
}

# Prices as catalog.rules.price_text writes them: yuan, no unit, no trailing zeros.
PRICE_PATTERN = r"^(0|[1-9][0-9]*)(\.[0-9]?[1-9])?$"
URL_PATTERN = "^https?://"


@dataclass(frozen=True)
class ValueRule:
    """What an attribute's ``value`` holds for one term."""

    required: bool
    schema: dict
    #: The rule in words, for the page.
    text: str


_URL_VALUE = {"type": "string", "format": "uri", "pattern": URL_PATTERN}
GUIDE_VALUES = {
    "time_limit": ValueRule(
        True, {"type": "string", "minLength": 1, "maxLength": 100}, "必填，文本，不超过100字。"
    ),
    "visits": ValueRule(
        True,
        {"type": "string", "pattern": "^[0-9]+$"},
        "必填，十进制整数写成的字符串，如“0”“1”“2”（0表示不用跑）。",
    ),
    "legal_basis": ValueRule(True, {"type": "string", "minLength": 1}, "必填，文本。"),
    "market_reference_price": ValueRule(
        True,
        {"type": "string", "pattern": PRICE_PATTERN},
        "必填，金额写成的字符串，单位为人民币元，不带单位，最多两位小数且不带末尾的0，"
        "如“120”“0.5”。只有低偿服务有此属性，且低偿服务必须有。",
    ),
}


def value_rule(taxonomy: str, code: str) -> ValueRule | None:
    """The value a term's attribute carries; None: the attribute has no ``value``."""
    if taxonomy == GUIDE_TAXONOMY:
        return GUIDE_VALUES[code]
    if taxonomy == CHANNEL_TAXONOMY:
        if code in CHANNELS_WITH_URL:
            return ValueRule(True, _URL_VALUE, "必填，办理入口网址，以 http:// 或 https:// 开头。")
        return ValueRule(False, _URL_VALUE, "可不填；填写时为办理或预约网址，以 http(s):// 开头。")
    return None


def link_entity(taxonomy: str) -> str:
    return SCHEDULE_LINK_ENTITY if taxonomy == SCHEDULE_TAXONOMY else "service"


@dataclass(frozen=True)
class Term:
    code: str
    name: str
    description: str
    id: str
    value: ValueRule | None


@dataclass(frozen=True)
class Taxonomy:
    name: str
    heading: str
    description: str
    id: str
    uri: str
    link_type: str
    link_entity: str
    editable: bool
    terms: tuple[Term, ...]

    @property
    def takes_values(self) -> bool:
        return any(term.value for term in self.terms)


def taxonomies() -> list[Taxonomy]:
    """Every shipped taxonomy and its terms, in the seed's order."""
    return [
        Taxonomy(
            name=name,
            heading=HEADINGS.get(name, name),
            description=description,
            id=str(taxonomy_id(name)),
            uri=TAXONOMY_URI.format(name=name),
            link_type=LINK_TYPES[name],
            link_entity=link_entity(name),
            editable=name in EDITABLE_TAXONOMIES,
            terms=tuple(
                Term(
                    code=code,
                    name=term_name,
                    description=term_description,
                    id=str(term_id(name, code)),
                    value=value_rule(name, code),
                )
                for code, term_name, term_description in terms
            ),
        )
        for name, (description, terms) in TAXONOMIES.items()
    ]


def conventions() -> dict:
    """The identifiers, clock, statuses and money of the catalog's records, for the page."""
    return {
        "namespace": str(NAMESPACE),
        "taxonomy_version": VERSION,
        "statuses": [(status, ServiceStatus(status).label) for status in ServiceStatus.values],
        "free_kinds": [
            ServiceKind(kind).label for kind in ServiceKind.values if kind in FREE_KINDS
        ],
        "free_wording": FREE_WORDING,
    }


# --- the profile's files -----------------------------------------------------------------


def _term_id(taxonomy: str, code: str) -> str:
    return str(term_id(taxonomy, code))


def _has(key: str, schema: dict) -> dict:
    """``key`` is there and matches ``schema`` (an ``if`` that absence does not satisfy)."""
    return {"properties": {key: schema}, "required": [key]}


def _is_term(taxonomy: str, *codes: str) -> dict:
    return _has("taxonomy_term_id", {"enum": [_term_id(taxonomy, code) for code in codes]})


def _has_attribute(taxonomy: str, *codes: str) -> dict:
    return _has("attributes", {"contains": _is_term(taxonomy, *codes)})


def _lacks_attribute(taxonomy: str, *codes: str) -> dict:
    return {"properties": {"attributes": {"not": {"contains": _is_term(taxonomy, *codes)}}}}


def attribute_patch() -> dict:
    """Every attribute names its term by id and embeds it; its link_type says the term's
    taxonomy; the value is there only for the terms that take one, in their format."""
    rules = []
    for taxonomy in taxonomies():
        then = {
            "properties": {
                "link_entity": {"const": taxonomy.link_entity},
                "taxonomy_term": {
                    "properties": {
                        "taxonomy": {"const": taxonomy.name},
                        "taxonomy_id": {"const": taxonomy.id},
                    },
                    "required": ["taxonomy", "taxonomy_id"],
                },
            }
        }
        if not taxonomy.editable:
            then["properties"]["taxonomy_term_id"] = {"enum": [term.id for term in taxonomy.terms]}
        if not taxonomy.takes_values:
            then["properties"]["value"] = False
        rules.append({"if": _has("link_type", {"const": taxonomy.link_type}), "then": then})
        if taxonomy.editable:
            continue
        for term in taxonomy.terms:
            then = {
                "properties": {
                    "link_type": {"const": taxonomy.link_type},
                    "taxonomy_term": {
                        "properties": {"id": {"const": term.id}, "code": {"const": term.code}}
                    },
                }
            }
            if term.value is None:
                then["properties"]["value"] = False
            else:
                then["properties"]["value"] = term.value.schema
                if term.value.required:
                    then["required"] = ["value"]
            rules.append({"if": _has("taxonomy_term_id", {"const": term.id}), "then": then})
    return {
        "description": (
            "In this profile, an attribute classifies a service (link_entity service: its "
            "kind, topics, audiences, channels and service-guide fields) or a schedule "
            "(link_entity schedule: its holiday rules and dated exceptions) with a term of "
            "one of the catalog's taxonomies; link_type names the taxonomy."
        ),
        "properties": {
            "link_type": {"enum": [taxonomy.link_type for taxonomy in taxonomies()]},
            "link_entity": {"enum": sorted({taxonomy.link_entity for taxonomy in taxonomies()})},
        },
        "required": [
            "id",
            "link_id",
            "link_type",
            "link_entity",
            "taxonomy_term_id",
            "taxonomy_term",
        ],
        "allOf": rules,
    }


def service_patch() -> dict:
    """One kind per service; the market reference price exactly on low-cost services; free
    kinds charge nothing and say so."""
    free_kinds = [kind for kind in ServiceKind.values if kind in FREE_KINDS]
    kinds = _has("link_type", {"const": LINK_TYPES[KIND_TAXONOMY]})
    return {
        "properties": {
            "attributes": {
                "items": {
                    "properties": {
                        "link_entity": {"const": "service"},
                        "link_type": {"not": {"const": LINK_TYPES[SCHEDULE_TAXONOMY]}},
                    }
                },
                "contains": kinds,
                "minContains": 1,
                "maxContains": 1,
            },
        },
        "required": ["id", "name", "status", "attributes"],
        "allOf": [
            {
                "if": _has_attribute(KIND_TAXONOMY, ServiceKind.LOW_COST),
                "then": _has_attribute(GUIDE_TAXONOMY, "market_reference_price"),
                "else": _lacks_attribute(GUIDE_TAXONOMY, "market_reference_price"),
            },
            {
                "if": _has_attribute(KIND_TAXONOMY, *free_kinds),
                "then": {
                    "properties": {
                        "fees_description": {"pattern": re.escape(FREE_WORDING)},
                        "cost_options": {"items": {"properties": {"amount": {"const": 0}}}},
                    },
                    "required": ["fees_description"],
                },
            },
        ],
    }


def schedule_patch() -> dict:
    """A dated exception (closed, special hours) is its dates, without recurrence or
    holiday rules; closed means no hours, special hours means both."""
    closed, special = SCHEDULE_EXCEPTION_KINDS
    exception = {
        "required": ["valid_from", "valid_to"],
        "properties": {
            "freq": False,
            "attributes": {"not": {"contains": _is_term(SCHEDULE_TAXONOMY, *SCHEDULE_FLAGS)}},
        },
    }
    return {
        "properties": {
            "attributes": {
                "items": {
                    "properties": {
                        "link_entity": {"const": SCHEDULE_LINK_ENTITY},
                        "link_type": {"const": LINK_TYPES[SCHEDULE_TAXONOMY]},
                    }
                }
            }
        },
        "allOf": [
            {
                "if": _has_attribute(SCHEDULE_TAXONOMY, closed),
                "then": {
                    "allOf": [exception],
                    "properties": {"opens_at": False, "closes_at": False},
                },
            },
            {
                "if": _has_attribute(SCHEDULE_TAXONOMY, special),
                "then": {"allOf": [exception], "required": ["opens_at", "closes_at"]},
            },
            {
                "not": {
                    "allOf": [
                        _has_attribute(SCHEDULE_TAXONOMY, closed),
                        _has_attribute(SCHEDULE_TAXONOMY, special),
                    ]
                }
            },
        ],
    }


def openapi_patch() -> dict:
    return {
        "info": {
            "title": "海河东区家门口服务目录 HSDS API",
            "version": PROFILE_VERSION,
            "summary": "海河东区社区党群服务中心服务目录，按 HSDS 3.1 及本区扩展规范发布。",
            "description": (
                "The service catalog of the community centers of 海河东区, as HSDS 3.1 "
                "records that conform to the 海河东区家门口 profile, published at "
                f"{PROFILE_PATH} on this site."
            ),
            "contact": None,
            "license": None,
        },
        "paths": {
            "/": {
                "get": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "properties": {
                                            "version": {"const": HSDS_VERSION},
                                            "profile": {
                                                "pattern": re.escape(PROFILE_PATH) + "$",
                                                "description": (
                                                    "The URL of this profile: "
                                                    f"{PROFILE_PATH} on the API's host."
                                                ),
                                            },
                                        },
                                        "required": ["version", "profile", "openapi_url"],
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    }


def patches() -> dict[str, dict]:
    """The profile's modifications, by the name of the core file each one changes."""
    return {
        "attribute.json": attribute_patch(),
        "schedule.json": schedule_patch(),
        "service.json": service_patch(),
        "openapi.json": openapi_patch(),
    }


def data() -> dict[str, list[dict]]:
    """The shipped taxonomies and terms as HSDS records (the profile's default data)."""
    return {
        "taxonomy.json": [
            {
                "id": taxonomy.id,
                "name": taxonomy.name,
                "description": taxonomy.description,
                "uri": taxonomy.uri,
                "version": VERSION,
            }
            for taxonomy in taxonomies()
        ],
        "taxonomy_term.json": [
            {
                "id": term.id,
                "code": term.code,
                "name": term.name,
                "description": term.description,
                "taxonomy": taxonomy.name,
                "taxonomy_id": taxonomy.id,
                "language": "zh",
            }
            for taxonomy in taxonomies()
            for term in taxonomy.terms
        ],
    }
