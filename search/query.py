"""The search request and its results, as every backend receives and returns them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from catalog.geo import haversine_m
from search.analysis import Alternative, AnalysedQuery, Group

#: The facets residents narrow results by, in the order the page shows them.
FACETS = ("kind", "topic", "audience", "center", "cost", "channel")
#: The seeds' service circles: how far one walks in a minute.
WALKING_METRES_PER_MINUTE = 80


class Mode(Enum):
    STRICT = "strict"  # every query word matches (through a synonym or its pinyin)
    HOMOPHONE = "homophone"  # words matched by their sound: a slip such as 老年正
    CORE = "core"  # every word but lone characters without synonyms (岁 in 65岁体检)
    RELAXED = "relaxed"  # any query word matches


@dataclass(frozen=True)
class Circle:
    """A walking circle: ``minutes`` on foot from a point (a center's or the resident's)."""

    latitude: float
    longitude: float
    minutes: int
    center_code: str = ""

    @property
    def radius_m(self) -> float:
        return self.minutes * WALKING_METRES_PER_MINUTE

    def distance_to(self, latitude: float, longitude: float) -> float:
        return haversine_m(self.latitude, self.longitude, latitude, longitude)


@dataclass
class CatalogQuery:
    """A validated catalog search. ``filters`` maps a facet name to the one value chosen
    (codes as the API takes them: kind=government, topic=elderly_care, center=HHD-CH …)."""

    analysed: AnalysedQuery
    filters: dict[str, str] = field(default_factory=dict)
    open_now: bool = False
    moment: datetime | None = None
    circle: Circle | None = None
    sort: str = "relevance"  # or "distance"
    page: int = 1
    page_size: int = 10
    #: The index version the search reads at, once for all it caches (set when it runs).
    index_version: str = ""

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass
class Hit:
    service_id: str
    score: float
    distance_m: float | None = None


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class BackendResults:
    """What a backend answers: one page of hits, the total, the facet counts."""

    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def groups_for(analysed: AnalysedQuery, mode: Mode) -> list[Group]:
    """The groups a backend matches in ``mode``: in CORE only the required ones (all when
    every group is optional); otherwise all of them (RELAXED: any one will do, function words apart)."""
    groups = analysed.homophone_groups() if mode is Mode.HOMOPHONE else analysed.groups
    if mode is Mode.STRICT and any(group.optional for group in groups):
        # A lone character (换 of 换锁芯, 店 of 干洗店) beside a need that leads to a topic
        # would find any service of the topic holding that character (缝纫改衣's 换拉链),
        # and those would hide what the need's own words find once the character is
        # dropped (CORE: 开锁换锁). Two weak conditions do not make a strict match.
        groups = [group.without_leads() for group in groups]
    if mode in (Mode.CORE, Mode.RELAXED):
        # The query as typed found nothing: its words also stand for the needs it says
        # in its own words (Group.extra).
        groups = [group.loosened() for group in groups]
    if mode is Mode.CORE:
        return [group for group in groups if not group.optional] or groups
    if mode is Mode.RELAXED:
        meaningful = [group for group in groups if not group.function] or groups
        return with_weak_words_paired(meaningful)
    return groups


#: At most this many pairs of a weak word's and another word's alternatives.
MAX_PAIRS = 64


def with_weak_words_paired(groups: list[Group]) -> list[Group]:
    """Any one of ``groups`` will do, except that a word saying only whom the need concerns
    (老人, 孩子: ``Group.weak``) counts only beside another word of the query: 老人 alone would
    bring in every service for the elderly and rank them above the one answering what the
    need is (噎住 → 急救), while 老年 beside 日托 still ranks 老年人日间照料 first. So each
    weak group becomes pairs of its alternatives with the other groups' (all their words
    must match); a query of weak words only keeps them as they are."""
    weak = [group for group in groups if group.weak]
    strong = [group for group in groups if not group.weak]
    if not weak or not strong:
        return groups

    def plain(group: Group) -> list[Alternative]:
        return [alt for alt in group.alternatives if not alt.prefix and not alt.pinyin]

    pairs = [
        Alternative((*who.tokens, *what.tokens))
        for group in weak
        for who in plain(group)
        for other in strong
        for what in plain(other)
    ][:MAX_PAIRS]
    if not pairs:
        return strong
    word = "".join(group.word for group in weak)
    surface = tuple(term for group in weak for term in group.surface)
    return [*strong, Group(word, tuple(dict.fromkeys(pairs)), surface)]


def as_uuid(value) -> uuid.UUID:
    """A service's (or location's) id as a UUID, from a UUID or its text: backends and
    the catalog hand ids over in either form."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
