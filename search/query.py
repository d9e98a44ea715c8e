"""The search request and its results, as every backend receives and returns them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from catalog.geo import haversine_m
from search.analysis import AnalysedQuery, Group

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
    if mode is Mode.CORE:
        return [group for group in groups if not group.optional] or groups
    if mode is Mode.RELAXED:
        return [group for group in groups if not group.function] or groups
    return groups
