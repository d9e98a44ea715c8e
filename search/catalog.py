"""Catalog search as residents use it: parameters in, ranked services out.

:func:`search_catalog` is what the search page and the API call. It reads and checks the
parameters, analyses the text with the editors' current synonyms, asks the configured
backend (strict first; by sound when nothing matched; then any word), and dresses the
hits with highlights, a "did you mean" suggestion and facet labels. A slip whose own
results are weak while its corrected reading matches strictly shows the corrected reading's
results instead, as the major search engines do (``exact=1`` searches what was typed).
A first page that every word fills only partly is followed by related services, matching
some of the words (:func:`related_to`), apart from the results and their total.
Views never talk to a backend themselves.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from catalog.filters import CENTER_CODE, ParameterProblem, ServiceFilterSet
from catalog.models import (
    Channel,
    Location,
    Service,
    ServiceKind,
    TaxonomyTerm,
)
from catalog.models.services import CostCategory
from search.activities import ActivityResults, find_activities
from search.analysis import (
    CJK,
    LATIN_RUN,
    MAX_QUERY_LENGTH,
    AnalysedQuery,
    analyse,
    analyse_query,
    fold,
    highlight_spans,
    pinyin_highlight_terms,
    pinyin_of,
)
from search.backends import get_search_backend
from search.backends.base import facets_are_counted, total_is_lower_bound
from search.caching import cache_get, cache_set
from search.models import IndexVersion
from search.query import (
    FACETS,
    BackendResults,
    CatalogQuery,
    Circle,
    FacetValue,
    Mode,
    as_uuid,
)
from search.synonyms import current_synonyms

DEFAULT_MINUTES = 15
MAX_MINUTES = 120
MAX_PAGE = 500
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
SNIPPET_LENGTH = 80
SUGGESTION_NAMES = 2000
FACET_LABEL_SECONDS = 3600
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
PARAMETERS = (
    "q",
    *FACETS,
    "open_now",
    "near",
    "minutes",
    "sort",
    "page",
    "page_size",
    "scope",
    "exact",
)
#: Modes whose results are weak: nothing matched every word as typed (CORE: only once
#: its lone characters and function words were dropped, 零时 of the slip 零时救助 among
#: them, see :func:`weak_suggestion`), so a corrected reading that matches every word is
#: shown instead.
WEAK_MODES = (Mode.HOMOPHONE, Mode.CORE, Mode.RELAXED)
LATITUDE = r"-?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
LONGITUDE = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]+)?)"
LATLNG = re.compile(rf"({LATITUDE}),({LONGITUDE})")
# ``near``: "latitude,longitude" within range, or a center's code. The OpenAPI document
# declares this pattern; a value of another shape is refused (400), a code no center has is
# not found (404).
NEAR_PATTERN = rf"^(?:{LATITUDE},{LONGITUDE}|{CENTER_CODE})$"

FACET_TITLES = {
    "kind": "服务类型",
    "topic": "服务领域",
    "audience": "服务对象",
    "center": "服务中心",
    "cost": "收费",
    "channel": "办理渠道",
}


@dataclass
class ServiceHit:
    service: Service
    score: float
    name_html: SafeString
    snippet_html: SafeString
    distance_m: float | None = None

    @property
    def walking_minutes(self) -> int | None:
        from search.query import WALKING_METRES_PER_MINUTE

        if self.distance_m is None:
            return None
        return max(1, round(self.distance_m / WALKING_METRES_PER_MINUTE))


@dataclass
class CatalogSearch:
    """One search's answer, ready for a template or the API."""

    query: CatalogQuery
    hits: list[ServiceHit]
    total: int
    facets: dict[str, list[FacetValue]]
    mode: Mode
    suggestion: str = ""
    messages: list[str] = field(default_factory=list)
    pages: list = field(default_factory=list)
    log_id: int | None = None
    #: Upcoming activities the text finds (:mod:`search.activities`), when asked for.
    activities: ActivityResults | None = None
    #: The corrected reading whose results are shown instead of the typed query's weak
    #: ones (``query`` stays what was typed: the log and the search box keep it).
    correction: CatalogQuery | None = None
    #: The search parameters as a query string that searches exactly what was typed
    #: (``exact=1``, first page), when a correction was applied.
    exact_parameters: str = ""
    #: Searched exactly as typed (``exact=1``): no correction was tried.
    exact: bool = False
    #: The backend stopped counting at a bound: at least ``total`` services match.
    total_is_lower_bound: bool = False
    #: The facet values carry counts; past the backend's bound they do not (None).
    facets_counted: bool = True
    #: Related services, shown after the hits of a first page that every word (or the core
    #: words) fills only partly: services matching some of the words (:func:`related_to`).
    #: Not hits: not in ``total``, the pages or the facets.
    related: list[ServiceHit] = field(default_factory=list)
    #: The first result's name, when services of its topic like it close the related
    #: services (:func:`like_the_first`).
    related_like: str = ""
    #: Some related services match some of the query's words (:func:`related_to`).
    related_by_words: bool = False

    @property
    def shown_total(self) -> str:
        """The total as the page shows it: the bound with thousands separated past it
        (the page says 超过 2,000 项)."""
        return f"{self.total:,}" if self.total_is_lower_bound else str(self.total)

    @property
    def text(self) -> str:
        """What the resident typed."""
        return self.query.analysed.text

    @property
    def corrected_query(self) -> str:
        """The corrected reading the results are for, when one was applied."""
        return self.correction.analysed.text if self.correction else ""

    @property
    def shown_query(self) -> CatalogQuery:
        """The query whose results are shown."""
        return self.correction or self.query

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.query.page_size))


class SearchParameters:
    """Reads search parameters (a QueryDict or dict) into a :class:`CatalogQuery`, noting
    each bad one as a :class:`ParameterProblem` in Chinese (and dropping it)."""

    def __init__(self, data, *, moment: datetime | None = None, center_code: str = ""):
        # One value per parameter, without control characters (a NUL byte cannot even be
        # stored in PostgreSQL): what a phone keyboard or a broken link may send.
        self.data = {key: CONTROL.sub("", str(data.get(key) or "")) for key in PARAMETERS}
        self.moment = moment or timezone.now()
        self.context_center = center_code
        self.problems: list[ParameterProblem] = []
        #: Notes that do not stop the search (a choice that needs another one first).
        self.warnings: list[str] = []

    def problem(self, parameter: str, message: str, status: int = 400) -> None:
        self.problems.append(ParameterProblem(parameter, message, status))

    def read(self) -> CatalogQuery:
        data = self.data
        text = str(data.get("q") or "")
        analysed = analyse_query(text, current_synonyms())
        filters = self.read_filters()
        open_now = self.read_open_now()
        circle = self.read_circle(filters)
        sort = str(data.get("sort") or "relevance")
        if sort not in ("relevance", "distance"):
            self.problem(
                "sort", f"排序方式只能是relevance（相关度）或distance（距离），收到“{sort[:20]}”。"
            )
            sort = "relevance"
        if sort == "distance" and circle is None:
            self.warnings.append("按距离排序需要先选择位置，已按相关度排序。")
            sort = "relevance"
        return CatalogQuery(
            analysed=analysed,
            filters=filters,
            open_now=open_now,
            moment=self.moment,
            circle=circle,
            sort=sort,
            page=self.read_int("page", 1, 1, MAX_PAGE, "页码"),
            page_size=self.read_int("page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, "每页条数"),
        )

    def read_filters(self) -> dict[str, str]:
        data = self.data
        wanted = {key: str(data.get(key)).strip() for key in FACETS if data.get(key)}
        if self.context_center and "center" not in wanted and data.get("scope") != "all":
            wanted["center"] = self.context_center
        catalog_filters = {key: value for key, value in wanted.items() if key != "channel"}
        filters = dict(wanted)
        if catalog_filters:  # most searches choose nothing: no filter set to build then
            checked = ServiceFilterSet(catalog_filters, queryset=Service.objects.none())
            bad = {problem.parameter for problem in checked.problems}
            self.problems.extend(checked.problems)
            filters = {key: value for key, value in wanted.items() if key not in bad}
            if "center" in filters:
                filters["center"] = checked.form.cleaned_data["center"].external_identifier
        channel = filters.get("channel")
        if channel and channel not in Channel.values:
            self.problem("channel", f"未知的办理渠道“{channel}”。")
            del filters["channel"]
        return filters

    def read_open_now(self) -> bool:
        return self.read_flag("open_now")

    def read_exact(self) -> bool:
        """``exact=1``: search what was typed, without correcting a slip."""
        return self.read_flag("exact")

    def read_flag(self, name: str) -> bool:
        value = str(self.data.get(name) or "").strip().lower()
        if value in ("", "0", "false", "no"):
            return False
        if value in ("1", "true", "yes", "on"):
            return True
        self.problem(name, f"{name}只能是1或0（true或false），收到“{value[:20]}”。")
        return False

    def exact_parameters(self) -> str:
        """The parameters given, with ``exact=1`` and without ``page``: the link that
        searches exactly what was typed, from its first page."""
        kept = [
            (key, value)
            for key, value in self.data.items()
            if value and key not in ("page", "exact")
        ]
        return urlencode([*kept, ("exact", "1")])

    def read_int(self, name: str, default: int, low: int, high: int, label: str) -> int:
        raw = str(self.data.get(name) or "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            self.problem(name, f"{label}必须是整数，收到“{raw[:20]}”。")
            return default
        if not low <= value <= high:
            self.problem(name, f"{label}必须在{low}到{high}之间，收到{value}。")
            return min(max(value, low), high)
        return value

    def read_circle(self, filters: dict[str, str]) -> Circle | None:
        raw = str(self.data.get("near") or "").strip()
        has_minutes = bool(str(self.data.get("minutes") or "").strip())
        # Read (and refused when wrong) even without near: a bad value is bad either way.
        minutes = self.read_int("minutes", DEFAULT_MINUTES, 1, MAX_MINUTES, "步行分钟数")
        if not raw:
            if has_minutes:
                self.warnings.append("步行范围需要先选择位置（从哪个中心或地点出发），已不限距离。")
            return None
        if not re.fullmatch(NEAR_PATTERN, raw):
            self.problem(
                "near",
                f"无法识别位置“{raw[:40]}”：请提供“纬度,经度”（例如 39.125,117.2398，"
                "纬度±90、经度±180以内）或服务中心编码。",
            )
            return None
        match = LATLNG.fullmatch(raw)
        if match:
            return Circle(float(match.group(1)), float(match.group(2)), minutes)
        location = Location.objects.filter(external_identifier=raw).first()
        if location is None:
            self.problem("near", f"没有编码为“{raw[:40]}”的服务中心。", status=404)
            return None
        if location.latitude is None or location.longitude is None:
            self.problem("near", f"服务中心“{location.name}”还没有登记经纬度。")
            return None
        return Circle(float(location.latitude), float(location.longitude), minutes, raw)


def search_catalog(
    data,
    *,
    moment: datetime | None = None,
    center_code: str = "",
    channel: str = "web",
    log: bool = True,
    with_pages: bool = False,
    with_activities: bool = False,
) -> tuple[CatalogSearch, list[ParameterProblem]]:
    """Run a resident's search. ``center_code`` scopes a center's own search page (the
    resident may widen it with ``scope=all``), its activities as well as its services.
    A slip is corrected unless ``exact`` is given (see :func:`run_query`)."""
    parameters = SearchParameters(data, moment=moment, center_code=center_code)
    query = parameters.read()
    exact = parameters.read_exact()
    result = run_query(query, with_pages=with_pages, correct=not exact)
    result.exact = exact
    if result.correction is not None:
        result.exact_parameters = parameters.exact_parameters()
    if with_activities:
        # Shown with the first page of services only (the same few each page otherwise).
        scoped = center_code if parameters.data.get("scope") != "all" else ""
        shown = result.shown_query
        modes = candidate_modes(shown.analysed) if query.page == 1 else []
        result.activities = find_activities(shown, modes, center_code=scoped)
    notes = [f"{p.message}（已忽略）" for p in parameters.problems] + parameters.warnings
    result.messages[:0] = notes
    if log and query.page == 1 and not query.analysed.is_empty:
        from search.querylog import record

        # Once, under what was typed: the demand list counts residents' own words.
        result.log_id = record(result, channel=channel)
    return result, parameters.problems


def ranked_service_ids(text: str, limit: int) -> list[str]:
    """The services the residents' search finds for ``text`` (synonyms, pinyin, slips —
    corrected as on the site), best first, at most ``limit``: what other systems'
    free-text parameters (the HSDS API's ``search``) go through, so a Chinese query finds
    there what it finds on the site. Not logged: machines' queries would swamp the
    residents' demand list."""
    query = CatalogQuery(analysed=analyse_query(CONTROL.sub("", text), current_synonyms()))
    if query.analysed.is_empty:
        return []
    query.page_size = limit
    query.index_version = IndexVersion.current()
    backend = get_search_backend()
    found = backend.first_matching(query, candidate_modes(query.analysed))
    mode, results = found or (None, BackendResults(hits=[], total=0))
    if mode is None or mode in WEAK_MODES:
        # The suggestion the site's first page would make, from its hits.
        first_page = dress_hits(results.hits[:DEFAULT_PAGE_SIZE], query.analysed)
        suggestion = weak_suggestion(
            query.analysed, mode, results.total, first_page, query.index_version
        )
        corrected = corrected_reading(backend, query, suggestion) if suggestion else None
        if corrected is not None:
            query, results = corrected
    hits = by_audience(results.hits, query, audiences_of([hit.service_id for hit in results.hits]))
    hits = named_first(hits, query)
    return [str(hit.service_id) for hit in hits]


def run_query(
    query: CatalogQuery, *, with_pages: bool = False, correct: bool = True
) -> CatalogSearch:
    """Search ``query``. When ``correct`` and the query as typed finds only weak matches
    (by sound, or some of its words) or nothing, while its "did you mean" reading matches
    every word, the results are the corrected reading's (``CatalogSearch.correction``).
    A query that matches as typed is never corrected."""
    backend = get_search_backend()
    query.index_version = IndexVersion.current()
    analysed = query.analysed
    messages = []
    if analysed.truncated:
        messages.append(f"搜索词太长，只按前{MAX_QUERY_LENGTH}个字查找。")
    if analysed.is_empty and analysed.folded:
        messages.append("没有能用来查找的文字，请输入服务名称或您想办的事，例如“老年证”“修水管”。")
    if analysed.is_empty:
        mode, results = Mode.STRICT, backend.search_services(query, Mode.STRICT)
    else:
        # The first reading that finds anything, with its results (one query a reading
        # on the database backend, rather than asking first whether it finds anything).
        found = backend.first_matching(query, candidate_modes(analysed))
        mode, results = found or (Mode.STRICT, BackendResults(hits=[], total=0))
    hits = dress_hits(results.hits, analysed)
    first_page = hits
    if mode in WEAK_MODES and query.page > 1:
        # Suggested from the first page, so that every page agrees on the correction.
        first = backend.search_service_page(dataclasses.replace(query, page=1), mode)
        first_page = dress_hits(first, analysed)
    suggestion = weak_suggestion(analysed, mode, results.total, first_page, query.index_version)
    corrected = corrected_reading(backend, query, suggestion) if correct and suggestion else None
    correction = None
    if corrected is not None:
        correction, results = corrected
        mode, suggestion = Mode.STRICT, ""
        hits = dress_hits(results.hits, correction.analysed)
    elif results.total == 0 and not analysed.is_empty:
        if query.filters or query.open_now or query.circle:
            messages.append("在当前筛选条件下没有找到服务，可以减少筛选条件再试。")
        else:
            messages.append("没有找到相关服务。可以换个说法，或拨打中心电话咨询。")
    elif mode is Mode.RELAXED:
        messages.append("没有同时符合所有词的服务，下面是符合部分词的结果。")
    if analysed.is_empty and not analysed.folded and not query.filters:
        messages.append("请输入要找的服务，例如“老年证”“修水管”，也可以输入拼音首字母。")
    shown = correction or query
    related = related_to(backend, shown, mode, results)
    alike, like = like_the_first(backend, shown, mode, results, related)
    by_words = bool(related)
    related = dress_hits([*related, *alike], shown.analysed) if related or alike else []
    # One read of the audiences (and of the groups the query names) for both lists.
    ordered = [page for page in (hits, related) if orders_by_audience(page, shown)]
    audiences = (
        audiences_of([hit.service.pk for page in ordered for hit in page]) if ordered else {}
    )
    named = named_audiences(shown.analysed, shown.index_version) if ordered else set()
    hits = named_first(by_audience(hits, shown, audiences, named), shown)
    related = by_audience(related, shown, audiences, named)
    pages = []
    if with_pages and not analysed.is_empty:
        pages = find_pages(correction or query, mode)
    return CatalogSearch(
        query=query,
        hits=hits,
        total=results.total,
        total_is_lower_bound=total_is_lower_bound(results),
        facets=label_facets(
            results.facets,
            query.filters,
            query.index_version,
            counted=facets_are_counted(results),
        ),
        facets_counted=facets_are_counted(results),
        mode=mode,
        suggestion=suggestion,
        messages=messages,
        pages=pages,
        correction=correction,
        related=related,
        related_like=like,
        related_by_words=by_words,
    )


#: The readings whose few results related services complete: every word, or every core
#: word. A query found only by sound or by some of its words has nothing stricter to add
#: to (and one found nowhere has the "did you mean" and the no-result advice).
RELATED_AFTER = (Mode.STRICT, Mode.CORE)


def related_to(backend, query: CatalogQuery, mode: Mode, results: BackendResults) -> list:
    """The related services of ``query``'s first page, best first: when the ``results``
    of every word (or the core words) are fewer than a page, the services matching only
    some of the words (RELAXED) that are not among them, up to the page's free places.
    卫生间想装个扶手 finds one service that says both 卫生间 and 扶手, while the home
    adaptations that answer it say only 扶手 or 适老化改造; a page of one result helps
    nobody. One more backend search, and only then; none on later pages."""
    if (
        mode not in RELATED_AFTER
        or query.page != 1
        or not 0 < results.total < query.page_size
        or Mode.RELAXED not in candidate_modes(query.analysed)
    ):
        return []
    found = {hit.service_id for hit in results.hits}
    relaxed = backend.search_service_page(query, Mode.RELAXED)
    others = [hit for hit in relaxed if hit.service_id not in found]
    return others[: query.page_size - len(results.hits)]


def like_the_first(
    backend, query: CatalogQuery, mode: Mode, results: BackendResults, related: list
) -> tuple[list, str]:
    """The services of the first result's topic most like it (its name's words, any of
    them), up to the first page's places left after the results and ``related``, with the
    first result's name; none when the page is full or has no result. 报临时户口 finds the
    residence registration alone: the residence permit beside it in the same topic is what
    the resident will be asked for next. One read of the first result's name and topics
    and one backend search, and only then; none on later pages or within a chosen topic."""
    room = query.page_size - len(results.hits) - len(related)
    if mode not in RELATED_AFTER or query.page != 1 or room <= 0 or not results.hits:
        return [], ""
    if "topic" in query.filters:  # the results are of one topic already
        return [], ""
    first = Service.objects.filter(pk=results.hits[0].service_id)
    rows = list(first.values_list("name", "topics__code"))  # one read
    topics = sorted(code for _, code in rows if code)
    if not topics:
        return [], ""
    name = rows[0][0]
    # The name's own words, no synonyms: the service is what it is called.
    like = dataclasses.replace(
        query, analysed=analyse_query(name, {}), filters={**query.filters, "topic": topics[0]}
    )
    taken = {hit.service_id for hit in [*results.hits, *related]}
    hits = [
        hit
        for hit in backend.search_service_page(like, Mode.RELAXED)
        if hit.service_id not in taken
    ]
    return hits[:room], name if hits else ""


def weak_suggestion(
    analysed: AnalysedQuery, mode: Mode | None, total: int, hits, version: str = ""
) -> str:
    """The "did you mean" of a search that found nothing or only weak matches; none for
    a query that matched as typed. ``version``: the index's, read once by the search."""
    if total == 0 and not analysed.is_empty:
        return suggest(analysed, [], version)
    if mode is Mode.CORE:
        # Found once its lone characters and function words were dropped: only a respelling
        # of what was typed (零时救助 → 临时救助, 零时 read as a function word) is a better
        # reading; a shorter one (吃低保 → 低保) would only drop words CORE dropped already.
        respelled = suggest(analysed, hits, version)
        return respelled if len(respelled) == len(analysed.folded) else ""
    if mode in WEAK_MODES:
        return suggest(analysed, hits, version)
    return ""


def corrected_reading(
    backend, query: CatalogQuery, suggestion: str
) -> tuple[CatalogQuery, BackendResults] | None:
    """``query`` read as ``suggestion`` (same filters and page) with its results, when that
    reading matches every word strictly: only then are its results stronger than the typed
    query's. Searched at once, not asked first whether it matches (one query, not two)."""
    analysed = analyse_query(suggestion, synonyms_of(query.analysed))
    if analysed.is_empty or analysed.folded == query.analysed.folded:
        return None
    correction = dataclasses.replace(query, analysed=analysed)
    found = backend.first_matching(correction, [Mode.STRICT])
    return None if found is None else (correction, found[1])


def candidate_modes(analysed: AnalysedQuery) -> list[Mode]:
    """The ways of reading a query, in the order they are tried: strict; by sound (a slip
    such as 老年正); without lone characters; any word. The first that finds anything is
    the one answered (``first_matching`` of the backend)."""
    modes = [Mode.STRICT]
    if CJK.search(analysed.folded):
        modes.append(Mode.HOMOPHONE)
    if any(group.optional for group in analysed.groups):
        modes.append(Mode.CORE)
    if len(analysed.groups) > 1:
        modes.append(Mode.RELAXED)
    return modes


def find_pages(query: CatalogQuery, mode: Mode, limit: int = 5) -> list:
    from wagtail.models import Page

    ids = get_search_backend().search_pages(query, mode, limit)
    pages = Page.objects.live().public().filter(pk__in=ids).specific()
    by_id = {page.pk: page for page in pages}
    return [by_id[pk] for pk in ids if pk in by_id]


# -- a service named by the query ---------------------------------------------------------


#: A query of fewer characters is a word many names share (老年, 养老), not a name: its
#: services keep the order their words, synonyms and residents' clicks give them.
NAME_TYPED = 3


def named_first(hits: list, query: CatalogQuery) -> list:
    """The page's hits with the services whose name or alternate name holds the whole
    query (Chinese, :data:`NAME_TYPED` characters or more) first (临时救助 → 临时救助申请,
    小饭桌 → the after-school care residents call so), in their order: a resident who
    types a service's name means that service, whatever else the words' synonyms find (on
    PostgreSQL 临时救助's need set ranked 最低生活保障待遇申请 first). Within the page; a
    search by distance keeps its order."""
    typed = "".join(CJK.findall(query.analysed.folded))
    if (
        len(hits) < 2
        or query.sort == "distance"
        or len(typed) < NAME_TYPED
        or typed != "".join(query.analysed.folded.split())
    ):
        return hits
    dressed = all(isinstance(hit, ServiceHit) for hit in hits)
    if dressed:
        names = {id(hit): (hit.service.name, hit.service.alternate_name) for hit in hits}
    else:
        rows = Service.objects.filter(pk__in=[hit.service_id for hit in hits]).values_list(
            "pk", "name", "alternate_name"
        )
        by_id = {str(as_uuid(pk)): (name, alternate) for pk, name, alternate in rows}
        names = {id(hit): by_id.get(str(as_uuid(hit.service_id)), ("", "")) for hit in hits}

    def named(hit) -> bool:
        return any(typed in fold(text) for text in names[id(hit)] if text)

    return [hit for hit in hits if named(hit)] + [hit for hit in hits if not named(hit)]


# -- whom a service is for -----------------------------------------------------------------

#: Audiences of a stage of life (children and young people, mothers and babies): a
#: resident who names none of them is seldom asking for one (心情不好 is not 青少年心理成长
#: 辅导's). The other groups (older, disabled, low-income residents …) are often what a
#: need implies without naming them (助餐, 低保金), and are left in their order.
LIFE_STAGE_AUDIENCES = frozenset({"children_youth", "women"})
#: How much such a service counts against the others of its page: it stays above those
#: scoring less than this share of its score.
OTHER_GROUP_FACTOR = 0.5


def orders_by_audience(hits: list, query: CatalogQuery) -> bool:
    """Whether :func:`by_audience` may reorder ``hits``: two or more, ranked by words."""
    return len(hits) >= 2 and query.sort != "distance" and not query.analysed.is_empty


def by_audience(
    hits: list,
    query: CatalogQuery,
    audiences: dict[str, set[str]] | None = None,
    named: set[str] | None = None,
):
    """The page's hits with services only for a stage of life the query does not name
    (:data:`LIFE_STAGE_AUDIENCES`: 青少年心理成长辅导 for 睡不着觉, 母婴护理服务 for 照顾老人)
    after those open to all, unless they score far more (:data:`OTHER_GROUP_FACTOR`) or
    their name holds a word typed (托育 names 婴幼儿全日托育's). The groups are the
    catalog's audiences; the query names one when a word of it, or a synonym of the word,
    is part of the audience's name or holds it (孩子 = 儿童 of 儿童青少年). Within the page:
    the pages keep their services, and a search by distance or by name keeps its order.
    ``audiences`` and ``named`` (:func:`named_audiences`): read by the caller, when it has
    more than one page to order."""
    if not orders_by_audience(hits, query):
        return hits
    if audiences is None:
        audiences = audiences_of([str(hit.service.pk) for hit in hits])
    named = set(named_audiences(query.analysed, query.index_version) if named is None else named)

    def codes_of(hit) -> set[str]:
        dressed = isinstance(hit, ServiceHit)
        return audiences.get(str(as_uuid(hit.service.pk if dressed else hit.service_id)), set())

    for code in LIFE_STAGE_AUDIENCES:
        # A page mostly for one stage of life says the query is about it (托育, 托管班).
        if 2 * sum(code in codes_of(hit) for hit in hits) >= len(hits):
            named.add(code)
    typed = [group.word for group in query.analysed.groups if CJK.search(group.word)]

    def other(hit) -> bool:
        dressed = isinstance(hit, ServiceHit)
        codes = codes_of(hit)
        if not codes or not codes <= LIFE_STAGE_AUDIENCES or codes & named:
            return False
        name = fold(hit.service.name) if dressed else ""
        return not any(len(word) > 1 and word in name for word in typed)

    # Each such service moves down past the services open to all that follow it and score
    # at least the share of its score; the others keep their order (on PostgreSQL a page
    # is ranked in tiers, whose scores do not compare across them).
    ordered = list(hits)
    flags = [other(hit) for hit in ordered]
    for start in range(len(ordered) - 1, -1, -1):
        position = start
        while (
            flags[position]
            and position + 1 < len(ordered)
            and not flags[position + 1]
            and ordered[position + 1].score >= OTHER_GROUP_FACTOR * ordered[position].score
        ):
            ordered[position], ordered[position + 1] = ordered[position + 1], ordered[position]
            flags[position], flags[position + 1] = flags[position + 1], flags[position]
            position += 1
    return ordered


def audiences_of(service_ids) -> dict[str, set[str]]:
    """Each service's audience codes (one query for the page)."""
    from catalog.models.taxonomy import AUDIENCE_TAXONOMY

    rows = Service.audiences.through.objects.filter(
        service_id__in=list(service_ids), taxonomyterm__taxonomy__name=AUDIENCE_TAXONOMY
    ).values_list("service_id", "taxonomyterm__code")
    found: dict[str, set[str]] = {}
    for service_id, code in rows:
        found.setdefault(str(as_uuid(service_id)), set()).add(code)
    return found


def synonyms_of(analysed: AnalysedQuery):
    """The synonyms ``analysed`` was read with, or the current ones (a query analysed
    without any)."""
    return analysed.synonyms if analysed.synonyms is not None else current_synonyms()


def named_audiences(analysed: AnalysedQuery, version: str = "") -> set[str]:
    """The audiences (codes) the query's words or their synonyms name."""
    synonyms = synonyms_of(analysed)
    said = {analysed.folded, *(g.word for g in analysed.groups), *analyse(analysed.folded)}
    terms = {str(term) for word in said for term in synonyms.get(word, (word,))}
    terms.update(str(term) for group in analysed.groups for term in group.surface)
    terms = {term for term in terms if len(term) > 1 and CJK.search(term)}
    return {
        code
        for code, name in facet_labels(version)["audience"].items()
        if any(term in fold(name) or fold(name) in term for term in terms)
    }


# -- dressing the hits ----------------------------------------------------------------------


def dress_hits(raw_hits, analysed: AnalysedQuery) -> list[ServiceHit]:
    ids = [hit.service_id for hit in raw_hits]
    # The service rows alone: the page shows names, kinds and descriptions; the API reads
    # what else it lists with prefetches of its own.
    services = {str(service.pk): service for service in Service.objects.filter(pk__in=ids)}
    terms = analysed.highlight_terms()
    pinyin_typed = [g.word for g in analysed.groups if LATIN_RUN.fullmatch(g.word)]
    dressed = []
    for hit in raw_hits:
        service = services.get(hit.service_id)
        if service is None:  # deleted since it was indexed
            continue
        name_terms = list(terms)
        for typed in pinyin_typed:
            name_terms += pinyin_highlight_terms(service.name, typed)
        dressed.append(
            ServiceHit(
                service=service,
                score=hit.score,
                name_html=mark(service.name, name_terms),
                snippet_html=snippet(service.description, terms),
                distance_m=hit.distance_m,
            )
        )
    return dressed


def mark(text: str, terms) -> SafeString:
    """``text`` escaped, with the matched ``terms`` in ``<mark>``."""
    spans = highlight_spans(text, terms)
    out, position = [], 0
    for start, end in spans:
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 — every piece above is escaped


def snippet(text: str, terms, length: int = SNIPPET_LENGTH) -> SafeString:
    """About ``length`` characters of ``text`` around its first match."""
    text = " ".join((text or "").split())
    spans = highlight_spans(text, terms)
    start = max(0, spans[0][0] - length // 4) if spans else 0
    piece = text[start : start + length]
    prefix = "…" if start else ""
    suffix = "…" if start + length < len(text) else ""
    return mark_safe(prefix + mark(piece, terms) + suffix)  # noqa: S308


# -- did you mean -------------------------------------------------------------------------


def suggest(analysed: AnalysedQuery, hits: list[ServiceHit], version: str = "") -> str:
    """A better spelling of the query: words of a found service that sound like what was
    typed, the query's Chinese as a whole (老年正 → 老年证) or word by word (法律资询 →
    法律咨询), else the closest name or synonym by spelling. Read from the query's words,
    so what residents add around them (我想办, 怎么办) does not hide the slip."""
    query = analysed.folded
    chinese = [group.word for group in analysed.groups if CJK.search(group.word)]
    cjk = "".join(CJK.findall("".join(chinese)))
    texts = [
        fold(text)
        for hit in hits[:3]
        for text in (hit.service.alternate_name, hit.service.name, hit.service.keywords)
        if text
    ]
    if cjk:
        wanted, _ = pinyin_of(cjk)
        for text in texts:
            found = sounding_like(text, cjk, wanted)
            if found and found != cjk:
                return found
        # Then as nearly the same sound (零时救助 for 临时救助: ling/lin).
        nearly = fuzzy_sound(cjk)
        for text in texts:
            found = sounding_like(text, cjk, nearly, sound=fuzzy_sound)
            if found and found != cjk:
                return found
    synonyms = synonyms_of(analysed)
    vocabulary = suggestion_vocabulary(hits, synonyms, version)
    if len(chinese) > 1 and len(chinese) == len(analysed.groups):
        respelled = [respell(word, texts) for word in chinese]
        if respelled == chinese:
            # Each word the synonyms and names do not hold, as one of theirs of nearly the
            # same sound (老人助参 → 老人助餐).
            known = set(vocabulary)
            respelled = [
                word if word in known or len(word) < 2 else sounding_same(word, vocabulary) or word
                for word in chinese
            ]
        if respelled != chinese:
            return "".join(respelled)
    if cjk:
        alike = sounding_nearly(cjk, vocabulary) or sounding_by_a_letter(cjk, vocabulary)
        if alike:
            return alike
    close = close_matches(query, vocabulary, n=5, cutoff=0.6)
    if close:
        # Of the words closest by spelling, the one closest by sound (托老素 → 托老所, not
        # 托老院).
        spelling = difflib.SequenceMatcher(None, b=query)
        best = closeness(spelling, close[0])
        tied = [word for word in close if closeness(spelling, word) == best]
        alike = max(tied, key=lambda word: sound_closeness(query, word))
        word = alike if sound_closeness(query, alike) >= SOUND_ALIKE else close[0]
        if word != query and about_as_long(word, query):
            return word
    typed = [group.word for group in analysed.groups]
    if len(typed) == 1 and LATIN_RUN.fullmatch(typed[0]):
        return nearest_sound_of(typed[0], synonyms)
    return ""


def close_matches(word: str, vocabulary: list[str], n: int, cutoff: float) -> list[str]:
    """``difflib.get_close_matches(word, vocabulary, n, cutoff)``, the same words, quicker:
    a word sharing no character with ``word`` is left out before difflib compares it (its
    ratio is 0, under any cutoff above 0). Most of the thousands of synonyms share none
    with a query (5-10 ms per weak search, 1-2 ms so)."""
    if cutoff > 0 and word:
        characters = set(word)
        vocabulary = [other for other in vocabulary if not characters.isdisjoint(other)]
    return difflib.get_close_matches(word, vocabulary, n=n, cutoff=cutoff)


def closeness(matcher: difflib.SequenceMatcher, word: str) -> float:
    matcher.set_seq1(word)
    return round(matcher.ratio(), 6)


def sound_closeness(typed: str, word: str) -> float:
    """How alike the pinyin of two texts is (0 to 1)."""
    return difflib.SequenceMatcher(None, pinyin_of(typed)[0], pinyin_of(word)[0]).ratio()


#: How alike the syllable typed and the one meant must be (sou for sao).
SYLLABLE_CLOSENESS = 0.6
#: How alike by sound a word as close by spelling as the first must be to be preferred.
SOUND_ALIKE = 0.9
#: How alike pinyin typed and a word's must be for the word to be what was meant (shiyjin
#: for shiyejin, 失业金; yeusao for yuesao, 月嫂).
PINYIN_CLOSENESS = 0.8


def nearest_sound_of(typed: str, synonyms) -> str:
    """The word of ``synonyms`` whose pinyin is nearest to the pinyin ``typed`` (one letter
    missing, extra, wrong or swapped), beginning with the same letter."""
    from search.analysis import MIN_SPLIT_LETTERS

    if len(typed) < MIN_SPLIT_LETTERS + 1:
        return ""
    sounds = getattr(synonyms, "sounds", {})
    keys = [
        key
        for key in difflib.get_close_matches(typed, list(sounds), n=5, cutoff=PINYIN_CLOSENESS)
        if key[0] == typed[0] and abs(len(key) - len(typed)) <= 1 and key != typed
    ]
    return sounds[keys[0]][0] if keys else ""


def about_as_long(suggestion: str, typed: str) -> bool:
    """Whether a suggestion found by spelling alone could be what was meant: it keeps at
    least two thirds of what was typed (家住五楼没电梯 → 老楼没电梯), where a slip's
    correction would be; it does not leave half the query out (放寒假了孩子一个人在家 is alike
    enough to 一个人在家 for difflib, and means a child, not an old person, alone at home)."""
    shorter, longer = sorted((len(suggestion), len(typed)))
    return 3 * shorter >= 2 * longer


def respell(word: str, texts: list[str]) -> str:
    """``word`` as the found services write a word of the same sound (资询 → 咨询); a lone
    character is left as it is (too many characters share its sound)."""
    if len(word) < 2 or not CJK.fullmatch(word[0]):
        return word
    if any(word in text for text in texts):
        return word
    wanted, _ = pinyin_of(word)
    return next((found for text in texts if (found := sounding_like(text, word, wanted))), word)


def sounding_like(
    text: str, typed: str, wanted: str, sound=lambda piece: pinyin_of(piece)[0]
) -> str:
    """A piece of ``text`` as long as ``typed`` whose ``sound`` is ``wanted`` (by default
    its pinyin; :func:`fuzzy_sound` for nearly the same sound)."""
    size = len(typed)
    for start in range(0, max(0, len(text) - size) + 1):
        piece = text[start : start + size]
        if len(piece) == size and CJK.fullmatch(piece[0]) and sound(piece) == wanted:
            return piece
    return ""


#: Sounds many residents do not tell apart (and pinyin keyboards forgive): zh/z, ch/c,
#: sh/s and n/l at the start of a syllable, -ng/-n at its end (陪症 peizheng for 陪诊).
FUZZY_INITIAL = re.compile(r"^(?:([zcs])h|n(?!g$))")
FUZZY_FINAL = re.compile(r"([aei])ng$")


@functools.lru_cache(maxsize=20000)
def fuzzy_sound(text: str) -> str:
    """The sound of Chinese ``text`` with the sounds in :data:`FUZZY_INITIAL` and
    :data:`FUZZY_FINAL` merged, syllable by syllable (read as a phrase: 长城 is chang)."""
    from pypinyin import lazy_pinyin

    return " ".join(
        FUZZY_FINAL.sub(r"\1n", FUZZY_INITIAL.sub(lambda m: m.group(1) or "l", syllable))
        for syllable in lazy_pinyin(text, errors="default")
    )


def sounding_nearly(typed: str, vocabulary: list[str]) -> str:
    """A word of ``vocabulary`` as long as ``typed`` that sounds nearly the same (see
    :func:`fuzzy_sound`), the one sharing most characters with it."""
    wanted = fuzzy_sound(typed)
    alike = [
        word
        for word in vocabulary
        if len(word) == len(typed)
        and word != typed
        and CJK.fullmatch(word[0])
        and fuzzy_sound(word) == wanted
    ]
    return max(
        alike, key=lambda word: sum(a == b for a, b in zip(word, typed, strict=True)), default=""
    )


def sounding_same(typed: str, vocabulary: list[str]) -> str:
    """A word of ``vocabulary`` as long as ``typed`` with the very same pinyin (助参 → 助餐),
    the one sharing most characters with it."""
    wanted = pinyin_of(typed)[0]
    alike = [
        word
        for word in vocabulary
        if len(word) == len(typed) and word != typed and pinyin_of(word)[0] == wanted
    ]
    return max(
        alike, key=lambda word: sum(a == b for a, b in zip(word, typed, strict=True)), default=""
    )


def sounding_by_a_letter(typed: str, vocabulary: list[str]) -> str:
    """A word of ``vocabulary`` as long as ``typed`` (two characters or more), sharing all
    its characters but one, whose sound differs from that of the typed one as a slip of the
    pinyin keyboard does (月艘 yuesou → 月嫂 yuesao): the same first letter, the rest nearly
    the same (:data:`SYLLABLE_CLOSENESS`); the closest first."""
    if len(typed) < 2:
        return ""
    alike = []
    for word in vocabulary:
        if len(word) != len(typed) or word == typed or not CJK.fullmatch(word[0]):
            continue
        differing = [(a, b) for a, b in zip(word, typed, strict=True) if a != b]
        if len(differing) != 1:
            continue
        meant, slipped = (pinyin_of(char)[0] for char in differing[0])
        if not meant or not slipped or meant[0] != slipped[0]:
            continue
        near = difflib.SequenceMatcher(None, meant, slipped).ratio()
        if near >= SYLLABLE_CLOSENESS:
            alike.append((near, word))
    return max(alike)[1] if alike else ""


def suggestion_vocabulary(hits: list[ServiceHit], synonyms, version: str = "") -> list[str]:
    """What a suggestion may be: the words of ``synonyms``, the names of what was found, and
    the alternate names residents use (bounded: this runs on every query that found
    nothing)."""
    words = set(synonyms)
    for hit in hits:
        words.update(fold(text) for text in (hit.service.name, hit.service.alternate_name) if text)
    if not hits:
        words.update(alternate_names(version))
    return sorted(words)


#: How long the alternate names are kept for suggestions; they are keyed by the index
#: version too, so a service renamed is seen at once.
ALTERNATE_NAMES_SECONDS = 3600


def alternate_names(version: str = "") -> list[str]:
    """The alternate names services carry (at most :data:`SUGGESTION_NAMES`), read once
    per version of the index: a DISTINCT over every service (26 ms on average, up to
    97 ms, at 100,000 services on PostgreSQL), asked by every query that finds nothing."""
    key = f"search:alternate-names:{version or IndexVersion.current()}"
    names = cache_get(key)
    if names is None:
        names = list(
            Service.objects.exclude(alternate_name="")
            .order_by()
            .values_list("alternate_name", flat=True)
            .distinct()[:SUGGESTION_NAMES]
        )
        cache_set(key, names, ALTERNATE_NAMES_SECONDS)
    return names


# -- facet labels ---------------------------------------------------------------------------


def label_facets(
    counts: dict[str, dict[str, int | None]],
    chosen: dict[str, str],
    version: str = "",
    counted: bool = True,
):
    """Each facet's values with their names, in the labels' order, a chosen value always
    among them. Not ``counted`` (the backend stopped counting at its bound), every value
    the catalog names is listed, with None for its count."""
    labels = facet_labels(version)
    facets = {}
    for facet in FACETS:
        values = counts.get(facet, {}) if counted else dict.fromkeys(labels[facet])
        if chosen.get(facet) and chosen[facet] not in values:
            values = {**values, chosen[facet]: 0 if counted else None}
        order = list(labels[facet])
        facets[facet] = sorted(
            (
                FacetValue(
                    value, labels[facet].get(value, value), count, chosen.get(facet) == value
                )
                for value, count in values.items()
            ),
            key=lambda item: (
                order.index(item.value) if item.value in order else len(order),
                item.value,
            ),
        )
    return facets


def facet_labels(version: str = "") -> dict[str, dict[str, str]]:
    """The names of the facet values. Kept while the index is unchanged: a renamed topic
    or center reindexes its services, which gives the index a new version."""
    key = f"search:facet-labels:{version or IndexVersion.current()}"
    labels = cache_get(key)
    if labels is None:
        labels = read_facet_labels()
        cache_set(key, labels, FACET_LABEL_SECONDS)
    return labels


def read_facet_labels() -> dict[str, dict[str, str]]:
    terms = TaxonomyTerm.objects.select_related("taxonomy").values_list(
        "taxonomy__name", "code", "name"
    )
    by_taxonomy: dict[str, dict[str, str]] = {}
    for taxonomy, code, label in terms:
        by_taxonomy.setdefault(taxonomy, {})[code] = label
    centers = dict(
        Location.objects.exclude(external_identifier="")
        .order_by("external_identifier")
        .values_list("external_identifier", "name")
    )
    from catalog.models.taxonomy import AUDIENCE_TAXONOMY, TOPIC_TAXONOMY

    labels = {
        "kind": dict(ServiceKind.choices),
        "topic": by_taxonomy.get(TOPIC_TAXONOMY, {}),
        "audience": by_taxonomy.get(AUDIENCE_TAXONOMY, {}),
        "center": centers,
        "cost": dict(CostCategory.choices),
        "channel": dict(Channel.choices),
    }
    # Plain strings: the choices' lazy translations take a millisecond to unpickle from
    # the cache; the site speaks one language.
    return {
        facet: {code: str(label) for code, label in names.items()}
        for facet, names in labels.items()
    }
