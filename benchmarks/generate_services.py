#!/usr/bin/env python3
"""Generate N synthetic HSDS 3.1 service records of 海河东区 for benchmarks.

The output has the shape of the demo catalog, catalog/demo/data/catalog-hsds.json (a JSON
array, one full ``GET /services/{id}`` record per line) and follows every convention of
that file, so an importer written for the demo file accepts it.  It is
meant for measuring import time and page latency at 10,000 and 100,000 services:

    python benchmarks/generate_services.py --services 10000 \\
        --output var/bench/services-10000.json [--seed 1] [--check]

How records are made: the 200 demo records are the templates.  Each generated
record takes one template's guide texts, organisation, classification and prices, and
varies them: it is placed at a new set of centers (which drives the name prefix, the
service areas and the responsible editor), gets extra description, eligibility and
process fragments, scaled prices for market and low-cost services, a new status and new
verification dates.  Organisations, locations and taxonomy terms are copied verbatim
from the demo file, so every demo id keeps identical content.

Standard library only; deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

DEMO_CATALOG = (
    Path(__file__).resolve().parents[1] / "catalog" / "demo" / "data" / "catalog-hsds.json"
)

# Same id scheme as the demo file (README "Identifiers").
NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://www.haihedong.example.gov.cn/jiamenkou/hsds")
TODAY = dt.date(2026, 11, 21)  # reference date of the demo snapshot
ONLINE_HALL = "https://zwfw.jinhai.example.gov.cn"
MOBILE_APP = "https://m.jinhai.example.gov.cn/app"
SITE = "https://www.haihedong.example.gov.cn"

KIND_TAX = "jiamenkou-service-kind"
GUIDE_TAX = "jiamenkou-guide"
FREE_KINDS = ("government", "public_welfare")
# Shares of the four kinds, as in the demo catalog (60/55/40/45).
KIND_WEIGHTS = {"government": 60, "public_welfare": 55, "market": 40, "low_cost": 45}
# Code prefixes of the demo file (HHD-ZW-001 ...); generated codes start at 1001 so they
# never clash with the 200 demo services.
KIND_PREFIX = {"government": "ZW", "public_welfare": "GY", "market": "SC", "low_cost": "DC"}
FIRST_SERIAL = 1001

# Centers in the demo file's order: code -> (editor slug, street key or None).
CENTERS = {
    "HHD-ZW": ("zhengwu", None),
    "HHD-CH": ("chunhua", "CH"),
    "HHD-CH-01": ("haitangyuan", "CH"),
    "HHD-CH-02": ("chunhuili", "CH"),
    "HHD-CH-03": ("jinxiuyuan", "CH"),
    "HHD-XY": ("xiangyang", "XY"),
    "HHD-XY-01": ("xiangyangxincun", "XY"),
    "HHD-XY-02": ("zhaoxiali", "XY"),
    "HHD-XY-03": ("donghuwan", "XY"),
}
CENTER_ORDER = list(CENTERS)
HALL = "HHD-ZW"
STREETS = {"CH": ("HHD-CH", "春华街道"), "XY": ("HHD-XY", "向阳街道")}
STREET_CENTERS = [code for code, _ in STREETS.values()]
COMMUNITIES = {
    street: [c for c, (_, s) in CENTERS.items() if s == street and c != center]
    for street, (center, _) in STREETS.items()
}
ALL_COMMUNITIES = [c for comms in COMMUNITIES.values() for c in comms]

# Words that tie a template's text to particular centers: such templates keep their
# own centers, so that a description never names a center the service is not at.
PLACE_WORDS = ("春华", "向阳", "海棠", "春晖", "锦绣", "朝霞", "东湖")

# Colloquial words may appear in alternate_name only (README "Name and alternate name");
# the generator's own fragments must not introduce them.  Copied from build_catalog.py.
COLLOQUIAL = [
    "低保", "老年证", "残疾证", "公租房", "社保", "医保", "准生证", "暂住证", "上牌", "月嫂",
    "育儿嫂", "钟点工", "保姆", "小饭桌", "托老所", "下水道", "修水管", "失业金", "特困供养",
    "老年食堂", "高龄津贴", "租房补贴", "慢病", "特扶", "喘息", "跑腿", "骑手", "理疗按摩",
    "义修", "幼升小", "托儿所", "电动车",
]  # fmt: skip

# ---------------------------------------------------------------------------
# Text fragments, combined with the templates' texts so that records differ.
# ---------------------------------------------------------------------------
DESC_EXTRA = {
    "government": [
        "本事项已纳入“一网通办”，材料齐全、符合法定形式的当场受理。",
        "老年人、残疾人等特殊群体可走“绿色通道”优先办理，行动不便的可预约帮办代办。",
        "办理进度可通过“津海通”查询，也可拨打12345热线咨询。",
        "窗口实行“一次告知”，材料不全的一次性告知需补正的全部内容。",
        "办理结果可选择邮寄送达，不必再次到现场领取。",
    ],
    "public_welfare": [
        "服务全程免费，名额有限，以报名先后为序。",
        "活动安排在社区公开栏和“津海通”同步发布，欢迎居民参与。",
        "志愿者均经过岗前培训，服务中不收取任何费用。",
        "服务由党员志愿者和社会组织共同参与，接受居民监督和评议。",
        "独居老人、困难家庭等重点群体可优先预约。",
    ],
    "market": [
        "服务商经党群服务中心遴选引入，明码标价，服务质量接受居民评议。",
        "服务完成后可扫码评价，对服务不满意的可向党群服务中心反映。",
        "收费项目和价格在服务台公示，不另收取其他费用。",
        "服务人员持证上岗，上门服务时主动出示工作证件。",
    ],
    "low_cost": [
        "收费标准经街道审核后公示，低于周边同类市场价格。",
        "服务由党群服务中心引入的服务商提供，收费项目在服务台公示。",
        "最低生活保障对象、特困人员等困难群众可优先安排。",
        "价格定期评估调整，调整前在社区公开栏公示。",
    ],
}
ELIG_EXTRA = {
    "government": [
        "行动不便的，可委托近亲属代为申请。",
        "申请人应对所提交材料的真实性负责。",
        "不符合条件的，窗口当场说明理由。",
    ],
    "public_welfare": [
        "首次参加的须先在服务台登记。",
        "同等条件下困难群众优先。",
        "名额已满的可登记候补。",
    ],
    "market": [
        "服务范围以海河东区为主，超出范围的可与服务商协商。",
        "须提前预约，服务时间以服务商确认为准。",
    ],
    "low_cost": [
        "享受优惠价格的，须出示相关证明。",
        "同等条件下困难群众优先。",
        "名额已满的可登记候补。",
    ],
}
# Steps put before the template's first step, and after its last one.
STEP_FIRST = {
    "government": [
        "可先通过“津海通”查阅办事指南，预约办理时间",
        "材料不全或不清楚办理条件的，可先拨打咨询电话确认",
    ],
    "public_welfare": [
        "通过社区公开栏、居民群或“津海通”了解服务安排",
        "首次参加的，先到服务台登记姓名和联系电话",
    ],
    "market": [
        "电话或到服务台咨询服务内容和收费标准",
        "通过“津海通”便民服务栏目查看服务商信息",
    ],
    "low_cost": [
        "到服务台或电话咨询服务内容、收费标准和优惠条件",
        "通过“津海通”便民服务栏目预约",
    ],
}
STEP_LAST = {
    "government": [
        "办结后可通过“津海通”或窗口评价器对服务进行评价",
        "对办理结果有异议的，可拨打12345热线反映",
        "办理进度和结果可通过“津海通”查询",
    ],
    "public_welfare": [
        "服务结束后可填写满意度评价",
        "对服务有意见建议的，可向党群服务中心反映",
        "需要长期服务的，可与社区约定后续服务时间",
    ],
    "market": [
        "服务完成后确认并付款，可索要收费凭证",
        "服务完成后可扫码评价",
        "对服务质量有异议的，可向党群服务中心反映，中心协调处理",
    ],
    "low_cost": [
        "服务完成后按公示标准付费，可索要收费凭证",
        "服务完成后可扫码评价",
        "对收费有疑问的，可向党群服务中心反映",
    ],
}
DOC_EXTRA = {
    "government": ["委托他人代办的，提供代办人居民身份证和授权委托书"],
    "public_welfare": ["居民身份证或社会保障卡（首次登记时出示）"],
    "low_cost": ["享受优惠价格的，提供相关身份证明", "居民身份证（首次登记时出示）"],
}
MARKET_FEES_EXTRA = ["价格在服务台公示。", "上门服务的，服务前告知收费项目。", ""]
# Alerts of the statuses other than active, by status and kind.
ALERTS = {
    "inactive": {
        "government": [
            "因业务系统升级，本事项暂停受理，恢复时间另行通知。",
            "本事项暂停在本中心受理，期间请到区政务服务中心办理。",
        ],
        "public_welfare": [
            "本期服务已结束，下一期开放时间另行公告。",
            "因服务场地调整，本服务暂停，恢复时间另行通知。",
        ],
        "market": ["服务合作协议到期，正在重新遴选服务商，暂停受理新的预约。"],
        "low_cost": [
            "服务合作协议到期，正在重新遴选服务商，暂停受理新的预约。",
            "低偿服务价格正在重新核定，核定期间暂停受理。",
        ],
    },
    "temporarily closed": [
        "因设施维修改造，{date}前暂停服务，期间可到就近的党群服务中心咨询。",
        "因场地临时调整，{date}前暂停开放，已预约的居民将另行电话通知。",
    ],
    "defunct": {
        "government": ["本事项已整合至其他服务事项，不再单独受理。"],
        "public_welfare": ["服务项目已结项，不再提供，相关需求可到服务台登记转介。"],
        "market": ["服务商已停止经营，本服务不再提供，相关需求可到服务台登记转介。"],
        "low_cost": ["服务商已停止经营，本服务不再提供，相关需求可到服务台登记转介。"],
    },
}
# Rooms for a center the template was not offered at (government windows by tier).
GOV_ROOMS = {
    "hall": "一楼综合受理窗口",
    "street": "一楼便民服务大厅综合受理窗口",
    "community": "一站式服务窗口",
}
# Price factors for market and low-cost services; 1.0 keeps the template's prices and text.
PRICE_FACTORS = [1.0, 1.0, 1.0, 0.8, 0.9, 1.1, 1.2, 1.25, 1.5]


def uid(entity: str, name: str) -> str:
    return str(uuid.uuid5(NS, f"{entity}:{name}"))


def child(parent: str, *parts: object) -> str:
    return str(uuid.uuid5(uuid.UUID(parent), ":".join(str(p) for p in parts)))


def tier(code: str) -> str:
    if code == HALL:
        return "hall"
    return "street" if code in STREET_CENTERS else "community"


def strip_ids(obj: dict, *keys: str) -> dict:
    """A copy without the given keys (ids and parent links), keeping the key order."""
    return {k: v for k, v in obj.items() if k not in keys}


def num(value: float) -> int | float:
    """Whole yuan as int (12, not 12.0), as in the demo file."""
    return int(value) if float(value).is_integer() else round(value, 2)


# ---------------------------------------------------------------------------
# Reference data from the demo catalog
# ---------------------------------------------------------------------------
class Reference:
    """What the generator reuses from the demo file: templates (one per demo record),
    organisations, locations, taxonomy terms, service-area texts and the names in use."""

    def __init__(self, records: list[dict]):
        self.organizations: dict[str, dict] = {}
        self.locations: dict[str, dict] = {}  # center code -> location
        self.terms: dict[tuple[str, str], dict] = {}  # (taxonomy, code) -> taxonomy_term
        self.link_types: dict[str, str] = {}  # taxonomy -> attribute link_type
        self.areas: dict[str, tuple[str, str]] = {}  # uri -> (name, description)
        self.names = {r["name"] for r in records}
        self.templates: dict[str, list[dict]] = {kind: [] for kind in KIND_WEIGHTS}
        for record in records:
            self.organizations.setdefault(record["organization"]["id"], record["organization"])
            for sal in record["service_at_locations"]:
                loc = sal["location"]
                self.locations.setdefault(loc["external_identifier"], loc)
            for attr in record["attributes"]:
                term = attr["taxonomy_term"]
                self.terms.setdefault((term["taxonomy"], term["code"]), term)
                self.link_types.setdefault(term["taxonomy"], attr["link_type"])
            for area in record["service_areas"]:
                self.areas.setdefault(area["uri"], (area["name"], area["description"]))
            template = self._template(record)
            self.templates[template["kind"]].append(template)
        missing = set(CENTERS) - set(self.locations)
        if missing:
            raise ValueError(f"demo catalog lacks centers {sorted(missing)}")
        # Organisations that run a center; each must also provide a generated service so
        # that an importer learns them from service records (README convention checks).
        self.location_orgs = list(
            dict.fromkeys(self.locations[c]["organization_id"] for c in CENTER_ORDER)
        )

    @staticmethod
    def _template(r: dict) -> dict:
        attrs = [
            (a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"], a.get("value"))
            for a in r["attributes"]
        ]
        kind = next(code for tax, code, _ in attrs if tax == KIND_TAX)
        guide = {code: value for tax, code, value in attrs if tax == GUIDE_TAX}
        steps = [line.split(". ", 1)[1] for line in r["application_process"].split("\n")]
        text = " ".join(
            [r["name"], r["description"], r["eligibility_description"], r["application_process"]]
        )
        sals = {}
        for sal in r["service_at_locations"]:
            sched = [strip_ids(s, "id", "service_at_location_id") for s in sal.get("schedules", [])]
            sals[sal["location"]["external_identifier"]] = (sal["description"], sched)
        return {
            "kind": kind,
            "name": r["name"],
            "alternate_name": r.get("alternate_name"),
            "description": r["description"],
            "eligibility": r["eligibility_description"],
            "steps": [s.removesuffix("。") for s in steps],
            "fees": r["fees_description"],
            "docs": [d["document"] for d in r.get("required_documents", [])],
            "minimum_age": r.get("minimum_age"),
            "maximum_age": r.get("maximum_age"),
            "interpretation": r.get("interpretation_services"),
            "languages": [(lang["code"], lang["name"]) for lang in r["languages"]],
            "organization_id": r["organization_id"],
            "email": r["email"],
            "phones": [(p["number"], p.get("description")) for p in r["phones"]],
            "contacts": [strip_ids(c, "id", "service_id") for c in r.get("contacts", [])],
            "classes": [(tax, code) for tax, code, _ in attrs if tax not in (KIND_TAX, GUIDE_TAX)],
            "guide": {k: v for k, v in guide.items() if k != "market_reference_price"},
            "reference_price": (
                float(guide["market_reference_price"]) if kind == "low_cost" else None
            ),
            "costs": [
                (c["option"], c.get("amount"), c["amount_description"]) for c in r["cost_options"]
            ],
            "schedules": [strip_ids(s, "id", "service_id") for s in r.get("schedules", [])],
            "sals": sals,
            "centers": list(sals),
            "pinned": any(word in text for word in PLACE_WORDS),
        }


def load_reference(path: Path = DEMO_CATALOG) -> Reference:
    with path.open(encoding="utf-8") as fh:
        return Reference(json.load(fh))


# ---------------------------------------------------------------------------
# Placement: centers, name prefix, service areas, responsible editor
# ---------------------------------------------------------------------------
def pick_centers(rng: random.Random, kind: str, template: dict) -> list[str]:
    """A set of centers with roughly the demo file's mix of single-center, street-wide and
    district-wide services.  Only government services sit in the district hall."""
    if template["pinned"] or (kind == "government" and rng.random() < 0.25):
        return template["centers"]
    street = rng.choice(list(STREETS))
    street_center = STREETS[street][0]
    if kind == "government":
        patterns = [
            (20, lambda: [rng.choice(CENTER_ORDER)]),
            (8, lambda: [HALL]),
            (20, lambda: [street_center, *COMMUNITIES[street]]),
            (10, lambda: STREET_CENTERS),
            (15, lambda: STREET_CENTERS + ALL_COMMUNITIES),
            (5, lambda: ALL_COMMUNITIES),
            (12, lambda: [HALL, *STREET_CENTERS]),
            (10, lambda: CENTER_ORDER),
        ]
    else:
        patterns = [
            (50, lambda: [rng.choice(CENTER_ORDER[1:])]),
            (12, lambda: [street_center, *COMMUNITIES[street]]),
            (10, lambda: rng.sample(COMMUNITIES[street], 2)),
            (8, lambda: STREET_CENTERS),
            (5, lambda: ALL_COMMUNITIES),
            (5, lambda: STREET_CENTERS + ALL_COMMUNITIES),
            (10, lambda: [rng.choice(COMMUNITIES["CH"]), rng.choice(COMMUNITIES["XY"])]),
        ]
    make = rng.choices([p for _, p in patterns], weights=[w for w, _ in patterns])[0]
    return sorted(set(make()), key=CENTER_ORDER.index)


def name_prefix(centers: list[str], ref: Reference) -> str:
    """The place a service name starts with: its center, its street, or the district."""
    if centers == [HALL]:
        return "区政务服务中心"
    if len(centers) == 1:
        code = centers[0]
        if code in STREET_CENTERS:
            return STREETS[CENTERS[code][1]][1]
        return ref.locations[code]["name"].removesuffix("党群服务中心")
    streets = {CENTERS[c][1] for c in centers}
    if HALL not in centers and len(streets) == 1:
        return STREETS[streets.pop()][1]
    return "海河东区"


def place_phrase(kind: str, centers: list[str], ref: Reference) -> str:
    verb = "办理" if kind == "government" else "提供服务"
    if len(centers) == len(CENTER_ORDER) - 1 and HALL not in centers:
        return f"两个街道及所辖社区党群服务中心均可{verb}。"
    names = "、".join(ref.locations[c]["name"] for c in centers[:3])
    more = f"等{len(centers)}个中心" if len(centers) > 3 else ""
    return f"可在{names}{more}{verb}。"


def assurer_email(centers: list[str]) -> str:
    """README ownership rule: one center -> its editor; one street -> the street's editor;
    otherwise the district editor."""
    if len(centers) == 1:
        slug = CENTERS[centers[0]][0]
    else:
        streets = {CENTERS[c][1] for c in centers}
        if HALL not in centers and len(streets) == 1:
            slug = CENTERS[STREETS[streets.pop()][0]][0]
        else:
            slug = "haihedong"
    return f"bianji.{slug}@haihedong.example.gov.cn"


def service_areas(sid: str, centers: list[str], ref: Reference) -> list[dict]:
    """README "service_areas": the district when the hall, both street centers or all six
    community centers offer it; else each street whose center offers it, and each other
    community center's community."""
    uris = []
    if (
        HALL in centers
        or set(STREET_CENTERS) <= set(centers)
        or set(ALL_COMMUNITIES) <= set(centers)
    ):
        uris.append(f"{SITE}/areas/haihedong")
    else:
        for street, (street_center, _) in STREETS.items():
            street_uri = f"{SITE}/areas/{CENTERS[street_center][0]}"
            if street_center in centers:
                uris.append(street_uri)
                continue
            uris += [f"{street_uri}/{CENTERS[c][0]}" for c in centers if CENTERS[c][1] == street]
    areas = []
    for uri in uris:
        name, desc = ref.areas[uri]
        areas.append(
            {
                "id": child(sid, "service_area", uri),
                "service_id": sid,
                "name": name,
                "description": desc,
                "uri": uri,
            }
        )
    return areas


def room_for(code: str, kind: str, template: dict) -> str:
    """The template's room at this center, else its room at a center of the same tier, else
    a generic window (government) or the template's first room."""
    sals = template["sals"]
    if code in sals:
        return sals[code][0]
    same_tier = [desc for c, (desc, _) in sals.items() if tier(c) == tier(code)]
    if same_tier:
        return same_tier[0]
    if kind == "government":
        return GOV_ROOMS[tier(code)]
    return next(iter(sals.values()))[0]


def sal_schedules(code: str, template: dict) -> list[dict]:
    """Per-center hours only where the template has them (17 demo services do)."""
    sals = template["sals"]
    if not any(sched for _, sched in sals.values()):
        return []
    if sals.get(code, ("", []))[1]:
        return sals[code][1]
    same_tier = [sched for c, (_, sched) in sals.items() if sched and tier(c) == tier(code)]
    return same_tier[0] if same_tier else next(s for _, s in sals.values() if s)


# ---------------------------------------------------------------------------
# Prices
# ---------------------------------------------------------------------------
def scale_price(amount: float | None, factor: float) -> float | None:
    """A plausible rounded price: dimes below 2 yuan, whole yuan below 100, tens above."""
    if amount is None or amount == 0 or factor == 1.0:
        return amount
    value = amount * factor
    if amount < 2:
        value = round(value, 1)
    elif value < 100:
        value = round(value)
    else:
        value = round(value / 10) * 10
    return num(value) if value > 0 else amount


def price_text(costs: list[tuple[str, float | None, str]]) -> str:
    parts = []
    for option, amount, desc in costs:
        if amount is None or amount == 0:
            parts.append(f"{option}{desc if amount is None else '不收费'}")
        else:
            parts.append(f"{option}{amount:g}{desc}")
    return "；".join(parts) + "。"


def priced_costs(rng: random.Random, template: dict) -> tuple[list, float | None, str]:
    """Cost options, market reference price and fees text of a market or low-cost service.
    Low-cost amounts stay strictly below the reference price (README "Costs"); when rounding
    would break that, the template's own prices are kept."""
    factor = rng.choice(PRICE_FACTORS)
    ref_price = template["reference_price"]
    if factor != 1.0:
        costs = [(o, scale_price(a, factor), d) for o, a, d in template["costs"]]
        new_ref = scale_price(ref_price, factor) if ref_price is not None else None
        if new_ref is None or all(a is None or a < new_ref for _, a, d in costs):
            text = price_text(costs)
            if new_ref is not None:
                unit = costs[0][2].split("，")[0] if costs[0][2].startswith("元") else "元"
                text += f"同类服务市场参考价约{new_ref:g}{unit}。"
            else:
                text += rng.choice(MARKET_FEES_EXTRA)
            return costs, new_ref, text
    return list(template["costs"]), ref_price, template["fees"]


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------
def pick_dates(rng: random.Random, status: str) -> tuple[str, str]:
    """assured_date over 2025-01..2026-11 (about a quarter older than a year) and
    last_modified in RFC 3339 with milliseconds, on or after it and before the reference
    date.  A service that is not active was verified recently, after the event its alert
    describes (as in the demo file)."""
    if status != "active":
        start, end = TODAY - dt.timedelta(days=100), TODAY - dt.timedelta(days=4)
    elif rng.random() < 0.24:
        start, end = dt.date(2025, 1, 6), dt.date(2025, 11, 14)
    else:
        start, end = dt.date(2025, 11, 24), dt.date(2026, 11, 18)
    assured = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
    modified = min(assured + dt.timedelta(days=rng.randrange(12)), TODAY - dt.timedelta(days=1))
    minutes = 8 * 60 + 40 + rng.randrange(500)
    stamp = (
        f"{modified.isoformat()}T{minutes // 60:02d}:{minutes % 60:02d}:"
        f"{rng.randrange(60):02d}.{rng.randrange(1000):03d}+08:00"
    )
    return assured.isoformat(), stamp


def pick_status(rng: random.Random, kind: str) -> tuple[str, str | None]:
    """Mostly active; a few inactive / temporarily closed / defunct, each with an alert."""
    roll = rng.random()
    if roll >= 0.035:
        return "active", None
    if roll < 0.015:
        return "inactive", rng.choice(ALERTS["inactive"][kind])
    if roll < 0.030:
        # Closed until a date after the reference date, so the status is still current.
        until = TODAY + dt.timedelta(days=rng.randrange(10, 120))
        when = f"{until.year}年{until.month}月{until.day}日"
        return "temporarily closed", rng.choice(ALERTS["temporarily closed"]).format(date=when)
    return "defunct", rng.choice(ALERTS["defunct"][kind])


def attribute(ref: Reference, sid: str, tax: str, code: str, value: str | None = None) -> dict:
    term = ref.terms[(tax, code)]
    attr = {
        "id": child(sid, "attribute", tax, code),
        "link_id": sid,
        "link_type": ref.link_types[tax],
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
    }
    if value is not None:
        attr["value"] = value
    attr["taxonomy_term"] = term
    return attr


def channel_value(code: str, service_code: str) -> str | None:
    if code == "online":
        return f"{ONLINE_HALL}/item/{service_code}"
    if code == "mobile":
        return f"{MOBILE_APP}/item/{service_code}"
    return None


def build_record(
    rng: random.Random, ref: Reference, template: dict, name: str, centers: list[str], code: str
) -> dict:
    kind = template["kind"]
    sid = uid("service", name)
    status, alert = pick_status(rng, kind)
    assured, modified = pick_dates(rng, status)

    # Guide texts: the template's, plus fragments that make records differ.
    description = template["description"]
    if rng.random() < 0.6:
        description += rng.choice(DESC_EXTRA[kind])
    if rng.random() < 0.5:
        description += place_phrase(kind, centers, ref)
    eligibility = template["eligibility"]
    if rng.random() < 0.4:
        eligibility += rng.choice(ELIG_EXTRA[kind])
    if kind != "government" and len(centers) == 1 and rng.random() < 0.3:
        area = name_prefix(centers, ref)
        eligibility += f"以{area}辖区居民为主，其他居民可预约。"
    steps = list(template["steps"])
    if rng.random() < 0.3:
        steps.insert(0, rng.choice(STEP_FIRST[kind]))
    if rng.random() < 0.5:
        steps.append(rng.choice(STEP_LAST[kind]))
    docs = list(template["docs"])
    extra_docs = DOC_EXTRA.get(kind, [])
    if extra_docs and (not docs or kind == "government") and rng.random() < 0.6:
        extra = rng.choice(extra_docs)
        if not any(extra[:4] in d for d in docs):
            docs.append(extra)

    # Costs: free kinds keep one or more options of 0 yuan, "不收费".
    ref_price = None
    if kind in FREE_KINDS:
        costs = [(o, 0, "不收费") for o, a, _ in template["costs"] if a == 0]
        costs = costs or [("办理费用" if kind == "government" else "服务费用", 0, "不收费")]
        fees = template["fees"] if "不收费" in template["fees"] else "不收费。" + template["fees"]
    else:
        costs, ref_price, fees = priced_costs(rng, template)
    price_year = "2026-01-01" if assured >= "2026-01-01" else "2025-01-01"

    # Classification: kind, topics, audiences, channels, guide fields.
    attrs = [attribute(ref, sid, KIND_TAX, kind)]
    classes = list(template["classes"])
    channels = {c for tax, c in classes if tax == "jiamenkou-channel"}
    if kind == "government" and "nearby" not in channels and set(centers) & set(ALL_COMMUNITIES):
        if rng.random() < 0.5:
            classes.append(("jiamenkou-channel", "nearby"))
    elif kind != "government" and "appointment" not in channels and rng.random() < 0.15:
        classes.append(("jiamenkou-channel", "appointment"))
    attrs += [attribute(ref, sid, tax, c, channel_value(c, code)) for tax, c in classes]
    attrs += [attribute(ref, sid, GUIDE_TAX, c, v) for c, v in template["guide"].items()]
    if ref_price is not None:
        attrs.append(attribute(ref, sid, GUIDE_TAX, "market_reference_price", f"{ref_price:g}"))

    sals = []
    for center in centers:
        sal_id = child(sid, "service_at_location", center)
        location = ref.locations[center]
        sal = {
            "id": sal_id,
            "service_id": sid,
            "location_id": location["id"],
            "description": room_for(center, kind, template),
        }
        sched = sal_schedules(center, template)
        if sched:
            sal["schedules"] = [
                {"id": child(sal_id, "schedule", i), "service_at_location_id": sal_id, **s}
                for i, s in enumerate(sched, 1)
            ]
        sal["location"] = location
        sals.append(sal)

    record = {"id": sid, "organization_id": template["organization_id"], "name": name}
    if template["alternate_name"] and rng.random() < 0.9:
        record["alternate_name"] = template["alternate_name"]
    record["description"] = description
    if kind == "government":
        record["url"] = f"{ONLINE_HALL}/guide/{code}"
    record["email"] = template["email"]
    record["status"] = status
    if template["interpretation"]:
        record["interpretation_services"] = template["interpretation"]
    record["application_process"] = "\n".join(f"{i}. {s}。" for i, s in enumerate(steps, 1))
    record["fees_description"] = fees
    record["eligibility_description"] = eligibility
    for key in ("minimum_age", "maximum_age"):
        if template[key] is not None:
            record[key] = template[key]
    record["assured_date"] = assured
    record["assurer_email"] = assurer_email(centers)
    if alert:
        record["alert"] = alert
    record["last_modified"] = modified
    record["organization"] = ref.organizations[template["organization_id"]]
    phones = []
    for i, (number, desc) in enumerate(template["phones"], 1):
        phone = {"id": child(sid, "phone", i), "service_id": sid, "number": number, "type": "voice"}
        if desc:
            phone["description"] = desc
        phones.append(phone)
    record["phones"] = phones
    if template["schedules"]:
        record["schedules"] = [
            {"id": child(sid, "schedule", i), "service_id": sid, **s}
            for i, s in enumerate(template["schedules"], 1)
        ]
    record["service_areas"] = service_areas(sid, centers, ref)
    record["service_at_locations"] = sals
    record["languages"] = [
        {"id": child(sid, "language", c), "service_id": sid, "name": n, "code": c}
        for c, n in template["languages"]
    ]
    record["cost_options"] = [
        {
            "id": child(sid, "cost_option", i),
            "service_id": sid,
            "option": option,
            "currency": "CNY",
            **({"amount": amount} if amount is not None else {}),
            "amount_description": desc,
            "valid_from": price_year,
        }
        for i, (option, amount, desc) in enumerate(costs, 1)
    ]
    if docs:
        record["required_documents"] = [
            {"id": child(sid, "required_document", i), "service_id": sid, "document": d}
            for i, d in enumerate(docs, 1)
        ]
    if template["contacts"] and rng.random() < 0.85:
        contacts = []
        for i, contact in enumerate(template["contacts"], 1):
            cid = child(sid, "contact", i)
            phones = [
                {
                    "id": child(cid, "phone", j),
                    "contact_id": cid,
                    **strip_ids(p, "id", "contact_id"),
                }
                for j, p in enumerate(contact.get("phones", []), 1)
            ]
            contacts.append({"id": cid, "service_id": sid, **contact, "phones": phones})
        record["contacts"] = contacts
    record["attributes"] = attrs
    return record


def generate(count: int, seed: int = 1, ref: Reference | None = None) -> Iterator[dict]:
    """Yield `count` records; the same seed and demo file give the same records."""
    ref = ref or load_reference()
    rng = random.Random(seed)
    kinds = list(KIND_WEIGHTS)
    weights = list(KIND_WEIGHTS.values())
    # The first records come from templates of the organisations that run the centers.
    forced = [
        next(t for k in kinds for t in ref.templates[k] if t["organization_id"] == org)
        for org in ref.location_orgs
    ]
    stems: Counter[str] = Counter()
    serials = dict.fromkeys(kinds, FIRST_SERIAL)
    for index in range(count):
        if index < len(forced):
            template = forced[index]
        else:
            template = rng.choice(ref.templates[rng.choices(kinds, weights=weights)[0]])
        kind = template["kind"]
        centers = pick_centers(rng, kind, template)
        # Unique names: place prefix + the template's formal name, and a serial when that
        # combination is taken (or is one of the demo file's names).
        prefix = name_prefix(centers, ref)
        base = template["name"]
        if prefix.endswith("社区") and base.startswith("社区"):
            base = base[2:]  # 锦绣园社区 + 社区自助洗衣 -> 锦绣园社区自助洗衣
        stem = prefix + base
        stems[stem] += 1
        name = (
            stem if stems[stem] == 1 and stem not in ref.names else f"{stem}（第{stems[stem]}号）"
        )
        code = f"HHD-{KIND_PREFIX[kind]}-{serials[kind]}"
        serials[kind] += 1
        yield build_record(rng, ref, template, name, centers, code)


def write_records(records: Iterable[dict], path: Path) -> int:
    """Write a JSON array with one compact record per line (the demo file's layout);
    return the number of records."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("[\n")
        for n, record in enumerate(records, 1):
            if n > 1:
                fh.write(",\n")
            fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        fh.write("\n]\n")
    return n


# ---------------------------------------------------------------------------
# Convention checks (--check, and the tests)
# ---------------------------------------------------------------------------
TIME_RE = re.compile(r"^\d\d:\d\d\+08:00$")
STAMP_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$")


def walk(obj):
    if isinstance(obj, dict):
        yield obj
        for value in obj.values():
            yield from walk(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from walk(value)


class ConventionChecker:
    """Checks records one by one against the README conventions (those build_catalog.py
    checks, plus a few format rules); ids seen twice must carry identical content.

    ``strict`` adds the generator's own, narrower rules, which the demo file does not
    always meet: every free option is amount 0 with "不收费", and only services that are
    not active carry an alert."""

    def __init__(self, strict: bool = False):
        self.strict = strict
        self.problems: list[str] = []
        self._seen: dict[str, bytes] = {}
        self._names: set[str] = set()
        self._service_orgs: set[str] = set()
        self._location_orgs: set[str] = set()

    def __call__(self, r: dict) -> dict:
        p = self.problems
        where = r["name"]
        if where in self._names:
            p.append(f"duplicate service name {where}")
        self._names.add(where)
        self._service_orgs.add(r["organization_id"])
        for node in walk(r):
            if "id" in node:
                blob = json.dumps(node, ensure_ascii=False, sort_keys=True).encode()
                digest = hashlib.blake2b(blob, digest_size=16).digest()
                if self._seen.setdefault(node["id"], digest) != digest:
                    p.append(f"{where}: id {node['id']} reused with different content")
            if "opens_at" in node:
                if not (TIME_RE.match(node["opens_at"]) and TIME_RE.match(node["closes_at"])):
                    p.append(f"{where}: schedule time format")
                elif node["opens_at"] >= node["closes_at"]:
                    p.append(f"{where}: schedule closes before it opens")
                if node["timezone"] != 8 or node["wkst"] != "MO":
                    p.append(f"{where}: schedule timezone/wkst")
        by_tax = Counter(a["taxonomy_term"]["taxonomy"] for a in r["attributes"])
        if by_tax[KIND_TAX] != 1:
            p.append(f"{where}: needs exactly one service kind")
            return r
        for tax in ("jiamenkou-topic", "jiamenkou-audience", "jiamenkou-channel"):
            if by_tax[tax] < 1:
                p.append(f"{where}: no {tax} attribute")
        kind = next(
            a["taxonomy_term"]["code"] for a in r["attributes"] if a["link_type"] == "service_kind"
        )
        guide = {
            a["taxonomy_term"]["code"]: a.get("value")
            for a in r["attributes"]
            if a["taxonomy_term"]["taxonomy"] == GUIDE_TAX
        }
        for a in r["attributes"]:
            if a["taxonomy_term"]["code"] in ("online", "mobile") and not str(
                a.get("value", "")
            ).startswith("https://"):
                p.append(f"{where}: online channel without URL")
        if kind == "government" and not {"time_limit", "visits", "legal_basis"} <= guide.keys():
            p.append(f"{where}: government service lacks guide fields")
        amounts = [c["amount"] for c in r["cost_options"] if "amount" in c]
        if any(c["currency"] != "CNY" for c in r["cost_options"]):
            p.append(f"{where}: currency other than CNY")
        if kind == "low_cost":
            ref = float(guide.get("market_reference_price", "nan"))
            if not amounts or not all(a < ref for a in amounts):
                p.append(f"{where}: low-cost price not below market reference {ref}")
        elif "market_reference_price" in guide:
            p.append(f"{where}: market_reference_price on a non-low-cost service")
        if kind in FREE_KINDS and any(a > 0 for a in amounts):
            p.append(f"{where}: {kind} service with a price")
        if (
            self.strict
            and kind in FREE_KINDS
            and any(
                c.get("amount") != 0 or c["amount_description"] != "不收费"
                for c in r["cost_options"]
            )
        ):
            p.append(f"{where}: free option without amount 0 and 不收费")
        if all(a == 0 for a in amounts) and "不收费" not in r["fees_description"]:
            p.append(f"{where}: free service must say 不收费")
        if r.get("minimum_age", 0) > r.get("maximum_age", 200):
            p.append(f"{where}: minimum_age > maximum_age")
        for field in ("name", "description", "eligibility_description", "application_process"):
            p += [f"{where}: colloquial {w!r} in {field}" for w in COLLOQUIAL if w in r[field]]
        if not STAMP_RE.match(r["last_modified"]):
            p.append(f"{where}: last_modified format")
        if not ("2025-01-01" <= r["assured_date"] <= r["last_modified"][:10] <= TODAY.isoformat()):
            p.append(f"{where}: assured_date / last_modified out of order")
        if r["status"] != "active" and "alert" not in r:
            p.append(f"{where}: {r['status']} service without an alert")
        if self.strict and r["status"] == "active" and "alert" in r:
            p.append(f"{where}: alert on an active service")
        codes = [s["location"]["external_identifier"] for s in r["service_at_locations"]]
        if r["assurer_email"] != assurer_email(codes):
            p.append(f"{where}: assurer_email does not follow the ownership rule")
        self._location_orgs.update(
            s["location"]["organization_id"] for s in r["service_at_locations"]
        )
        return r

    def finish(self) -> list[str]:
        for missing in sorted(self._location_orgs - self._service_orgs):
            self.problems.append(f"location organisation {missing} provides no service")
        return self.problems


def check_records(records: Iterable[dict], strict: bool = False) -> list[str]:
    checker = ConventionChecker(strict)
    for record in records:
        checker(record)
    return checker.finish()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10000, help="number of records")
    parser.add_argument(
        "--output", type=Path, help="output file (default: var/bench/services-N.json)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument(
        "--catalog",
        type=Path,
        default=DEMO_CATALOG,
        help=f"demo catalog used as templates (default: {DEMO_CATALOG})",
    )
    parser.add_argument(
        "--check", action="store_true", help="also run the convention checks (slower)"
    )
    args = parser.parse_args(argv)
    if args.services < 0:
        parser.error("--services must not be negative")
    if not args.catalog.is_file():
        parser.error(f"demo catalog not found: {args.catalog}")
    output = args.output or Path("var/bench") / f"services-{args.services}.json"

    started = time.perf_counter()
    records = generate(args.services, args.seed, load_reference(args.catalog))
    checker = ConventionChecker(strict=True) if args.check else None
    if checker:
        records = map(checker, records)
    count = write_records(records, output)
    elapsed = time.perf_counter() - started
    if checker and checker.finish():
        print("\n".join(checker.problems[:20]), file=sys.stderr)
        print(f"{len(checker.problems)} convention problem(s) in {output}", file=sys.stderr)
        return 1
    size = output.stat().st_size
    print(f"wrote {count} services to {output}: {size / 1e6:.1f} MB in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
