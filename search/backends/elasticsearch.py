"""The Elasticsearch 8 backend: the same documents and the same matching rules as
:mod:`search.backends.database`, stored in three indexes of a cluster (services,
activities, pages).

Settings (``settings.JIAMENKOU_SEARCH``)::

    {
        "BACKEND": "search.backends.elasticsearch",
        "URLS": ["http://localhost:9200"],  # required
        "INDEX_PREFIX": "jiamenkou",  # <prefix>-services, <prefix>-activities, <prefix>-pages
        "REFRESH": False,  # refresh after each bulk write (tests: True)
        "TIMEOUT": 10,  # seconds per request
        "MAX_RETRIES": 2,
        "REPLICAS": 0,  # number_of_replicas of the indexes
        "SHARDS": 1,  # number_of_shards (one keeps term statistics global, as in the database)
        "OPTIONS": {},  # more keyword arguments of elasticsearch.Elasticsearch
    }

Contracts shared with the database backend:

- Documents are :class:`search.documents.Document` as analysed by :mod:`search.analysis`;
  the token fields are indexed with a whitespace-and-lowercase analyzer, so the cluster
  never re-segments Chinese text and a token means the same thing in every backend.
- Matching: relaxed mode needs any one group of :func:`search.query.groups_for`, every
  other mode (strict, homophone, …) all of them; a group matches through any of its
  alternatives; an alternative needs all its tokens, each in any of the four token fields
  (or in the pinyin field only for pinyin alternatives), the last one as a prefix when the
  alternative says so. Field weights are those of SQLite's bm25: 10/6/1/6.
- Facet counts are disjunctive: each facet is counted under the other facets' choices.
- Open now is judged in Python (:func:`search.opening.open_ids_among`) over the matched
  ids, then applied as an id filter.
- Activities are offered while they have a session to come that is not cancelled: each
  document keeps its last such session's end (``last_ends_at``, written whenever the
  activity is saved), filtered on at the moment of the search; the page then reads the
  next session from the database (:mod:`search.activities`).

Index names and rebuilds: ``<prefix>-services`` (and ``-activities``, ``-pages``) is an
alias, which searches and writes use; it points at one index named after it with a
time stamp (``<prefix>-services-20261206031500123456``). :meth:`SearchBackend.rebuilding`
fills new indexes while searches go on against the old ones, then swaps the aliases and
deletes the old indexes in one atomic request (:func:`swap_actions`), so a rebuild never
leaves residents without results. Each site on a shared cluster needs its own prefix
(settings checks in :mod:`search.checks`).

Nothing here talks to the cluster until a request is executed: the connection is created
on first use, and the ``build_*`` methods only compose requests (tests rely on that).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import urllib.parse
from collections.abc import Iterator

from django.utils import timezone
from elasticsearch import ConnectionError as TransportConnectionError
from elasticsearch import ConnectionTimeout, NotFoundError
from elasticsearch.dsl import (
    Date,
    FacetedSearch,
    GeoPoint,
    Index,
    Integer,
    Keyword,
    Search,
    TermsFacet,
    Text,
    analyzer,
    connections,
)
from elasticsearch.dsl import Document as EsDocument
from elasticsearch.dsl.query import (
    Bool,
    FunctionScore,
    GeoDistance,
    MatchAll,
    Prefix,
    Query,
    Range,
    Term,
    Terms,
    Wildcard,
)
from elasticsearch.helpers import bulk

from catalog.filters import VISIBLE_STATUSES
from search.activities import ACTIVITY_FACETS
from search.analysis import CJK, Alternative, Group, fold
from search.backends.base import BaseSearchBackend, SearchUnavailable
from search.documents import Document
from search.learning import boosts_for
from search.models import IndexVersion
from search.query import (
    FACETS,
    BackendResults,
    CatalogQuery,
    Circle,
    Hit,
    Mode,
    groups_for,
)

#: Tokens arrive analysed by search.analysis: split on spaces, lower-case, nothing more.
TOKEN_ANALYZER = analyzer("jiamenkou_tokens", tokenizer="whitespace", filter=["lowercase"])
#: The token fields and their weights, as in SQLite's bm25(search_entry_fts, 10, 6, 1, 6).
FIELD_WEIGHTS = {
    "name_tokens": 10.0,
    "keyword_tokens": 6.0,
    "body_tokens": 1.0,
    "pinyin_tokens": 6.0,
}
PINYIN_FIELD = "pinyin_tokens"
#: Keyword fields of a service document: the facets, and the status that keeps a stale
#: document of a retired service out of the results.
SERVICE_FACET_FIELDS = (*FACETS, "status")
#: Buckets per facet: more than the district has topics, audiences or centers.
FACET_SIZE = 500
#: Most matched ids fetched for the open-now check.
MAX_OPEN_CANDIDATES = 10_000
#: The search page allows 500 pages of 50 results; Elasticsearch's default window is 10 000.
MAX_RESULT_WINDOW = 25_000
DEFAULT_PREFIX = "jiamenkou"
#: What Elasticsearch accepts as an index name (lower case; no \\ / * ? " < > | , # : or
#: space; not starting with - _ +), for the prefix.
INDEX_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


class ElasticsearchBackendError(SearchUnavailable):
    """The cluster answered, but not with results (an index is missing, …); the message
    is in Chinese for the people who run the site."""


class ElasticsearchUnavailable(ElasticsearchBackendError):
    """The cluster could not be reached."""


# -- documents --------------------------------------------------------------------------------


def _tokens_field():
    return Text(analyzer=TOKEN_ANALYZER)


class ServiceDocument(EsDocument):
    """One visible service: its analysed text, facet values and the points of its centers."""

    service_id = Keyword()
    title = Keyword()
    name_tokens = _tokens_field()
    keyword_tokens = _tokens_field()
    body_tokens = _tokens_field()
    pinyin_tokens = _tokens_field()
    kind = Keyword(multi=True)
    topic = Keyword(multi=True)
    audience = Keyword(multi=True)
    center = Keyword(multi=True)
    cost = Keyword(multi=True)
    channel = Keyword(multi=True)
    status = Keyword(multi=True)
    location = GeoPoint(multi=True)

    class Index:
        # A placeholder: each backend binds its own "<prefix>-services" (see index_for), so
        # this class is never tied to one cluster or prefix.
        name = f"{DEFAULT_PREFIX}-services"


class ActivityDocument(EsDocument):
    """One activity: its analysed text, the facets it shares with services (center,
    audience, cost) and when its last session that is not cancelled ends."""

    activity_id = Integer()
    title = Keyword()
    name_tokens = _tokens_field()
    keyword_tokens = _tokens_field()
    body_tokens = _tokens_field()
    pinyin_tokens = _tokens_field()
    center = Keyword(multi=True)
    audience = Keyword(multi=True)
    cost = Keyword(multi=True)
    last_ends_at = Date()

    class Index:
        name = f"{DEFAULT_PREFIX}-activities"


class PageDocument(EsDocument):
    """One live searchable page."""

    page_id = Integer()
    title = Keyword()
    name_tokens = _tokens_field()
    keyword_tokens = _tokens_field()
    body_tokens = _tokens_field()
    pinyin_tokens = _tokens_field()
    type = Keyword(multi=True)

    class Index:
        name = f"{DEFAULT_PREFIX}-pages"


DOCUMENT_CLASSES = {
    "service": ServiceDocument,
    "activity": ActivityDocument,
    "page": PageDocument,
}
INDEX_SUFFIXES = {"service": "services", "activity": "activities", "page": "pages"}


def index_for(
    source: str,
    prefix: str = DEFAULT_PREFIX,
    *,
    using: str = "default",
    replicas: int = 0,
    shards: int = 1,
):
    """The :class:`elasticsearch.dsl.Index` of ``source`` ("service", "activity" or
    "page"): its name (the alias searches use), settings (one shard by default, so term
    statistics are global as in the database; replicas as the cluster allows) and mapping."""
    index = Index(f"{prefix}-{INDEX_SUFFIXES[source]}", using=using)
    index.settings(
        number_of_shards=shards,
        number_of_replicas=replicas,
        max_result_window=MAX_RESULT_WINDOW,
    )
    index.document(DOCUMENT_CLASSES[source])
    return index


def index_stamp() -> str:
    """A new index's suffix: the UTC time to the microsecond, so names sort by age."""
    return timezone.now().strftime("%Y%m%d%H%M%S%f")


def swap_actions(alias: str, new_index: str, current: list[str]) -> list[dict]:
    """The ``_aliases`` actions that point ``alias`` at ``new_index`` and delete
    ``current`` (the indexes it pointed at; or an index named like the alias itself, from
    before aliases), in one atomic request: searches see the old index or the new one,
    never none."""
    return [
        {"add": {"index": new_index, "alias": alias}},
        *({"remove_index": {"index": name}} for name in current if name != new_index),
    ]


def service_mapping() -> dict:
    """The body that creates a services index: ``{"settings": …, "mappings": …}``, the
    token analyzer defined in ``settings.analysis``."""
    return index_for("service").to_dict()


def activity_mapping() -> dict:
    """The body that creates an activities index (as :func:`service_mapping`)."""
    return index_for("activity").to_dict()


def page_mapping() -> dict:
    """The body that creates a pages index (as :func:`service_mapping`)."""
    return index_for("page").to_dict()


def document_source(document: Document) -> dict:
    """The ``_source`` stored for ``document``: token lists joined by spaces (as in
    SearchEntry), facet values without blanks, points as ``{"lat", "lon"}``."""
    fields = {
        "title": document.title,
        **{name: document.joined(name) for name in FIELD_WEIGHTS},
    }
    if document.source == "service":
        fields["service_id"] = document.key
        for facet in SERVICE_FACET_FIELDS:
            fields[facet] = [str(value) for value in document.facets.get(facet, []) if value]
        fields["location"] = [{"lat": lat, "lon": lng} for lat, lng in document.points]
    elif document.source == "activity":
        fields["activity_id"] = int(document.key)
        for facet in ACTIVITY_FACETS:
            fields[facet] = [str(value) for value in document.facets.get(facet, []) if value]
        fields["last_ends_at"] = document.last_ends_at
    else:
        fields["page_id"] = int(document.key)
        fields["type"] = [str(value) for value in document.facets.get("type", []) if value]
    return DOCUMENT_CLASSES[document.source](**fields).to_dict()


# -- queries ----------------------------------------------------------------------------------


def _token_query(token: str, fields: dict[str, float], prefix: bool) -> Query:
    kind = Prefix if prefix else Term
    clauses = [
        kind(**{field: {"value": token, "boost": weight}}) for field, weight in fields.items()
    ]
    if len(clauses) == 1:
        return clauses[0]
    return Bool(should=clauses, minimum_should_match=1)


def alternative_query(alternative: Alternative) -> Query:
    """All tokens of ``alternative``, each in any token field (pinyin alternatives: the
    pinyin field only); with ``prefix`` the last token is a prefix."""
    fields = {PINYIN_FIELD: FIELD_WEIGHTS[PINYIN_FIELD]} if alternative.pinyin else FIELD_WEIGHTS
    last = len(alternative.tokens) - 1
    clauses = [
        _token_query(token, fields, alternative.prefix and position == last)
        for position, token in enumerate(alternative.tokens)
    ]
    return clauses[0] if len(clauses) == 1 else Bool(must=clauses)


def group_query(group: Group) -> Query:
    """Any alternative of ``group``; the scores of those that match add up, as bm25 sums
    the phrases that match."""
    return Bool(
        should=[alternative_query(alternative) for alternative in group.alternatives],
        minimum_should_match=1,
    )


def text_query(groups: list[Group], mode: Mode) -> Query:
    """The match of ``groups`` (from :func:`groups_for`): all of them, or any one when
    relaxed; no groups match everything."""
    if not groups:
        return MatchAll()
    clauses = [group_query(group) for group in groups]
    if mode is Mode.RELAXED:
        return Bool(should=clauses, minimum_should_match=1)
    return Bool(must=clauses)


def learned(match: Query, boosts: dict[str, float] | None) -> Query:
    """``match`` with each boosted service's score multiplied by ``1 + boost`` (what
    residents opened, :mod:`search.learning`), as the database backend does; unchanged
    without boosts. Services without a boost keep their score (no function matches)."""
    if not boosts or isinstance(match, MatchAll):
        return match
    functions = [
        {"filter": {"term": {"service_id": service_id}}, "weight": 1 + boost}
        for service_id, boost in sorted(boosts.items())
    ]
    return FunctionScore(
        query=match, functions=functions, score_mode="first", boost_mode="multiply"
    )


def restricted(match: Query, restrictions: list[Query]) -> Query:
    """``match`` scored, ``restrictions`` as non-scoring filters. Composed explicitly
    rather than with Search.filter(), which merges into ``match``'s own bool clauses."""
    if not restrictions:
        return match
    if isinstance(match, MatchAll):
        # Nothing to score (the order is by name or distance): a pure filter.
        return Bool(filter=restrictions)
    return Bool(must=[match], filter=restrictions)


def facet_filter(facet: str, value: str) -> Query:
    """One chosen facet value, as the database backend's ``facet_token``."""
    if facet not in FACETS:
        raise ValueError(f"unknown facet {facet!r}")
    return Terms(**{facet: [value]})


def circle_filter(circle: Circle) -> Query:
    """Services with a center inside the walking circle."""
    return GeoDistance(
        distance=f"{circle.radius_m}m",
        location={"lat": circle.latitude, "lon": circle.longitude},
    )


def distance_sort(circle: Circle) -> dict:
    return {
        "_geo_distance": {
            "location": {"lat": circle.latitude, "lon": circle.longitude},
            "order": "asc",
            "unit": "m",
            "mode": "min",
            "distance_type": "arc",
            "ignore_unmapped": True,
        }
    }


SCORE_DESC = {"_score": {"order": "desc"}}
BY_ID = {"service_id": {"order": "asc"}}
BY_TITLE = {"title": {"order": "asc"}}


def service_sort(query: CatalogQuery, has_text: bool) -> list[dict]:
    """The database backend's orders: distance then score; score then id; else name."""
    if query.sort == "distance" and query.circle is not None:
        return [distance_sort(query.circle), SCORE_DESC, BY_ID]
    if has_text:
        return [SCORE_DESC, BY_ID]
    return [BY_TITLE, BY_ID]


def escape_wildcard(text: str) -> str:
    return "".join("\\" + char if char in "\\*?" else char for char in text)


class ServiceFacetedSearch(FacetedSearch):
    """Matched services, narrowed by the chosen facets (a post filter, so each facet's
    aggregation sees the other facets' choices only)."""

    facets = {facet: TermsFacet(field=facet, size=FACET_SIZE) for facet in FACETS}

    def __init__(
        self,
        *,
        index: str,
        using: str,
        match: Query,
        restrictions: list[Query],
        filters: dict[str, str],
        sort: list[dict],
    ):
        # FacetedSearch reads these in __init__ (it builds the request there).
        self.index = index
        self.using = using
        self._match = match
        self._restrictions = restrictions
        for facet in filters:
            facet_filter(facet, filters[facet])  # unknown facets fail as in the database
        super().__init__(filters=filters, sort=sort)

    def search(self) -> Search:
        search = super().search().query(restricted(self._match, self._restrictions))
        return search.source(["service_id", "location"]).extra(track_total_hits=True)

    def to_dict(self) -> dict:
        """The request body, for tests and debugging."""
        return self._s.to_dict()


# -- the backend ------------------------------------------------------------------------------


class SearchBackend(BaseSearchBackend):
    """Three indexes, ``<INDEX_PREFIX>-services``, ``-activities`` and ``-pages``, on the
    cluster at ``URLS``."""

    name = "elasticsearch"

    def __init__(self, params: dict):
        super().__init__(params)
        urls = params.get("URLS") or []
        self.urls = [urls] if isinstance(urls, str) else list(urls)
        if not self.urls:
            raise ValueError("JIAMENKOU_SEARCH['URLS'] must name the Elasticsearch cluster")
        self.prefix = params.get("INDEX_PREFIX") or DEFAULT_PREFIX
        self.refresh = params.get("REFRESH", False)
        self.client_options = {
            "request_timeout": params.get("TIMEOUT", 10),
            "max_retries": params.get("MAX_RETRIES", 2),
            "retry_on_timeout": True,
            **params.get("OPTIONS", {}),
        }
        # One client per cluster and options, shared by the backends that use them.
        fingerprint = json.dumps([self.urls, self.client_options], sort_keys=True, default=str)
        self.alias = "jiamenkou-search-" + hashlib.sha1(fingerprint.encode()).hexdigest()[:12]
        self.replicas = int(params.get("REPLICAS", 0))
        self.shards = int(params.get("SHARDS", 1))
        self.indexes = {
            source: index_for(
                source, self.prefix, using=self.alias, replicas=self.replicas, shards=self.shards
            )
            for source in DOCUMENT_CLASSES
        }
        self._ready: set[str] = set()
        #: During :meth:`rebuilding`: source → the new index written to.
        self._building: dict[str, str] = {}

    def alias_name(self, source: str) -> str:
        """The name searches use: an alias of the current index of ``source``."""
        return self.indexes[source]._name

    def index_name(self, source: str) -> str:
        """Where requests about ``source`` go: the alias, or during a rebuild (in the
        rebuilding process) the new index."""
        return self._building.get(source) or self.alias_name(source)

    # -- the connection --------------------------------------------------------------------

    @property
    def client(self):
        """The cluster's client, created on first use (creating it sends nothing)."""
        try:
            return connections.get_connection(self.alias)
        except KeyError:
            return connections.create_connection(
                alias=self.alias, hosts=self.urls, **self.client_options
            )

    def shown_urls(self) -> str:
        """The cluster's URLs without any user name or password, for messages."""
        shown = []
        for url in self.urls:
            parts = urllib.parse.urlsplit(url)
            host = parts.netloc.rpartition("@")[2]
            shown.append(urllib.parse.urlunsplit(parts._replace(netloc=host)))
        return "、".join(shown)

    @contextlib.contextmanager
    def translating_errors(self) -> Iterator[None]:
        """Turn transport failures into :class:`ElasticsearchUnavailable` (in Chinese)."""
        _ = self.client  # registers the alias the dsl objects look their client up by
        try:
            yield
        except (TransportConnectionError, ConnectionTimeout) as error:
            raise ElasticsearchUnavailable(
                f"无法连接 Elasticsearch（{self.shown_urls()}）：{error}。"
                "请检查 ELASTICSEARCH_URL 与集群是否在运行。"
            ) from error
        except NotFoundError as error:
            raise ElasticsearchBackendError(
                f"Elasticsearch 中缺少搜索索引（{self.prefix}-services、{self.prefix}-activities"
                f"或 {self.prefix}-pages）："
                "请运行 manage.py rebuild_search_index 重建索引。"
            ) from error

    # -- indexing --------------------------------------------------------------------------

    def create_index(self, source: str, name: str) -> str:
        """Create the index ``name`` with the settings and mapping of ``source``."""
        # 400: another process created it meanwhile (ensure_index's fixed name).
        self.client.options(ignore_status=400).indices.create(
            index=name, **self.indexes[source].to_dict()
        )
        return name

    def current_indexes(self, source: str) -> list[str]:
        """The indexes the alias of ``source`` points at (the alias's own name when an
        index from before aliases holds it); none when neither exists."""
        try:
            found = self.client.indices.get(index=self.alias_name(source))
        except NotFoundError:
            return []
        return sorted(found.body)

    def swap(self, new_indexes: dict[str, str]) -> None:
        """Point each source's alias at its new index and delete the old ones, all in
        one atomic request."""
        actions = []
        for source, name in new_indexes.items():
            actions += swap_actions(self.alias_name(source), name, self.current_indexes(source))
        self.client.indices.update_aliases(actions=actions)

    def ensure_index(self, source: str) -> None:
        """Create the index of ``source`` with its mapping, and its alias, if missing
        (writing to a missing index would make Elasticsearch guess a mapping that
        analyses Chinese). The first index has a fixed name, so processes that do this at
        the same time create and alias the same one."""
        if source in self._ready or source in self._building:
            return
        with self.translating_errors():
            if not self.indexes[source].exists():
                first = self.create_index(source, f"{self.alias_name(source)}-initial")
                self.client.indices.update_aliases(
                    actions=[{"add": {"index": first, "alias": self.alias_name(source)}}]
                )
        self._ready.add(source)

    @contextlib.contextmanager
    def rebuilding(self) -> Iterator[dict[str, str]]:
        """Write into new, empty indexes inside the block (searches elsewhere go on
        against the current ones); when it ends, refresh them and swap the aliases over,
        deleting the old indexes. If the block fails the new indexes are deleted and
        nothing changes for residents."""
        stamp = index_stamp()
        with self.translating_errors():
            building = {
                source: self.create_index(source, f"{self.alias_name(source)}-{stamp}")
                for source in DOCUMENT_CLASSES
            }
        self._building = building
        try:
            yield building
        except BaseException:
            self._building = {}
            with contextlib.suppress(Exception), self.translating_errors():
                self.client.options(ignore_status=404).indices.delete(
                    index=",".join(building.values())
                )
            raise
        self._building = {}
        with self.translating_errors():
            self.client.indices.refresh(index=",".join(building.values()))
            self.swap(building)
        self._ready.update(building)
        IndexVersion.renew()

    def write_documents(self, source: str, documents: list[Document]) -> None:
        if not documents:
            return
        self.ensure_index(source)
        name = self.index_name(source)
        actions = (
            {"_op_type": "index", "_index": name, "_id": doc.key, "_source": document_source(doc)}
            for doc in documents
        )
        with self.translating_errors():
            bulk(self.client, actions, refresh=self.refresh)
        IndexVersion.renew()

    def remove_documents(self, source: str, keys: list[str]) -> None:
        if not keys:
            return
        name = self.index_name(source)
        actions = ({"_op_type": "delete", "_index": name, "_id": key} for key in keys)
        with self.translating_errors():
            # 404: the document (or the whole index) is already gone.
            bulk(self.client, actions, refresh=self.refresh, ignore_status=(404,))
        IndexVersion.renew()

    def clear(self) -> None:
        """Empty the indexes: new ones, empty, with their mappings, swapped in for the
        old. Inside :meth:`rebuilding` the new indexes are empty already."""
        if self._building:
            return
        stamp = index_stamp()
        with self.translating_errors():
            self.swap(
                {
                    source: self.create_index(source, f"{self.alias_name(source)}-{stamp}")
                    for source in DOCUMENT_CLASSES
                }
            )
        self._ready.update(DOCUMENT_CLASSES)
        IndexVersion.renew()

    def document_count(self, source: str = "service") -> int:
        with self.translating_errors():
            try:
                return self.client.count(index=self.index_name(source))["count"]
            except NotFoundError:
                return 0

    def delete_indexes(self) -> None:
        """Drop the indexes and their aliases (tests clean up with this)."""
        with self.translating_errors():
            for source in self.indexes:
                for name in self.current_indexes(source):
                    self.client.options(ignore_status=404).indices.delete(index=name)
        self._ready.clear()

    # -- building requests (no network) ----------------------------------------------------

    def service_restrictions(self, query: CatalogQuery, open_ids: list[str] | None) -> list[Query]:
        """What narrows the results and the facet counts alike: visible statuses (a stale
        document must not outlive its service's retirement), the circle, open now."""
        restrictions: list[Query] = [Terms(status=[str(status) for status in VISIBLE_STATUSES])]
        if query.circle is not None:
            restrictions.append(circle_filter(query.circle))
        if open_ids is not None:
            restrictions.append(Terms(service_id=list(open_ids)))
        return restrictions

    def build_service_search(
        self,
        query: CatalogQuery,
        mode: Mode,
        open_ids: list[str] | None = None,
        boosts: dict[str, float] | None = None,
    ) -> ServiceFacetedSearch:
        """The request for one page of ``query`` in ``mode``, with facet aggregations.
        ``open_ids`` (the services found open, see :meth:`build_open_candidates_search`)
        restricts the results when ``query.open_now``; ``boosts`` (service id → learned
        boost, :func:`search.learning.boosts_for`) multiply the scores."""
        groups = groups_for(query.analysed, mode)
        faceted = ServiceFacetedSearch(
            index=self.index_name("service"),
            using=self.alias,
            match=learned(text_query(groups, mode), boosts),
            restrictions=self.service_restrictions(query, open_ids),
            filters=dict(query.filters),
            sort=service_sort(query, bool(groups)),
        )
        return faceted[query.offset : query.offset + query.page_size]

    def build_service_page_search(
        self,
        query: CatalogQuery,
        mode: Mode,
        open_ids: list[str] | None = None,
        boosts: dict[str, float] | None = None,
    ) -> Search:
        """The request for the page of :meth:`build_service_search` alone: the same
        scores and order, the chosen facets as filters, no aggregation and no total."""
        groups = groups_for(query.analysed, mode)
        restrictions = [
            *self.service_restrictions(query, open_ids),
            *(facet_filter(facet, value) for facet, value in query.filters.items()),
        ]
        search = (
            Search(index=self.index_name("service"), using=self.alias)
            .query(restricted(learned(text_query(groups, mode), boosts), restrictions))
            .sort(*service_sort(query, bool(groups)))
            .source(["service_id", "location"])
            .extra(track_total_hits=False)
        )
        return search[query.offset : query.offset + query.page_size]

    def build_open_candidates_search(self, query: CatalogQuery, mode: Mode) -> Search:
        """Ids of every service that matches ``query``'s text and circle, for the open-now
        check. As in the database backend the chosen facets do not narrow it: each facet
        is counted under the other facets' choices, and those counts need every open
        match."""
        groups = groups_for(query.analysed, mode)
        restrictions = self.service_restrictions(query, None)
        search = Search(index=self.index_name("service"), using=self.alias)
        return (
            search.query(restricted(text_query(groups, mode), restrictions))
            .source(False)
            .extra(size=MAX_OPEN_CANDIDATES, track_total_hits=False)
        )

    def build_page_search(self, query: CatalogQuery, mode: Mode, limit: int) -> Search | None:
        """The best ``limit`` pages for ``query``; None when there is no text to match."""
        groups = groups_for(query.analysed, mode)
        if not groups:
            return None
        search = Search(index=self.index_name("page"), using=self.alias)
        return (
            search.query(text_query(groups, mode))
            .sort(SCORE_DESC, {"page_id": {"order": "asc"}})
            .source(["page_id"])
            .extra(size=limit)
        )

    def build_activity_search(
        self, query: CatalogQuery, mode: Mode, filters: dict[str, str], limit: int
    ) -> Search | None:
        """The best ``limit`` activities for ``query`` under ``filters`` (center, audience,
        cost) whose last session still to come ends after ``query.moment``, with their
        exact total; None when there is no text to match."""
        groups = groups_for(query.analysed, mode)
        if query.analysed.is_empty or not groups:
            return None
        moment = query.moment or timezone.now()
        restrictions: list[Query] = [Range(last_ends_at={"gt": moment.isoformat()})]
        for facet, value in filters.items():
            if facet not in ACTIVITY_FACETS:
                raise ValueError(f"unknown activity facet {facet!r}")
            restrictions.append(Terms(**{facet: [value]}))
        search = Search(index=self.index_name("activity"), using=self.alias)
        return (
            search.query(restricted(text_query(groups, mode), restrictions))
            .sort(SCORE_DESC, {"activity_id": {"order": "asc"}})
            .source(["activity_id"])
            .extra(size=limit, track_total_hits=True)
        )

    def build_autocomplete_search(self, prefix: str, limit: int) -> Search | None:
        """Chinese: names containing ``prefix`` (ranked afterwards, names starting with it
        first); letters: pinyin starting with them. None when nothing is left to look for."""
        prefix = fold(prefix).strip()
        if not prefix:
            return None
        search = Search(index=self.index_name("service"), using=self.alias)
        if CJK.search(prefix):
            pattern = f"*{escape_wildcard(prefix)}*"
            # case_insensitive: SQLite's LIKE (the database backend) ignores ASCII case.
            return (
                search.query(Wildcard(title={"value": pattern, "case_insensitive": True}))
                .sort(BY_TITLE, BY_ID)
                .source(["service_id", "title"])
                .extra(size=limit * 5)
            )
        letters = "".join(char for char in prefix if char.isalnum())
        if not letters:
            return None
        # The database backend's one-group query, which is this one alternative.
        typed = Alternative((letters,), prefix=True, pinyin=True)
        return (
            search.query(alternative_query(typed))
            .sort(SCORE_DESC, BY_TITLE, BY_ID)
            .source(["service_id"])
            .extra(size=limit)
        )

    # -- querying ----------------------------------------------------------------------------

    def open_ids(self, query: CatalogQuery, mode: Mode) -> list[str]:
        """The matched services open at ``query.moment``, judged in Python."""
        from catalog.models import Service
        from search.opening import open_ids_among

        with self.translating_errors():
            response = self.build_open_candidates_search(query, mode).execute()
        ids = [hit.meta.id for hit in response]
        services = Service.objects.filter(pk__in=ids, status__in=VISIBLE_STATUSES)
        return [
            str(pk) for pk in open_ids_among(services, query.moment, query.filters.get("center"))
        ]

    def search_services(self, query: CatalogQuery, mode: Mode) -> BackendResults:
        open_ids = self.open_ids(query, mode) if query.open_now else None
        boosts = boosts_for(query.analysed)
        faceted = self.build_service_search(query, mode, open_ids, boosts)
        with self.translating_errors():
            response = faceted.execute()
            facets = {
                facet: {value: count for value, count, _ in response.facets[facet] if count}
                for facet in FACETS
            }
        by_distance = query.sort == "distance" and query.circle is not None
        hits = [self._hit(hit, query.circle, by_distance) for hit in response.hits]
        return BackendResults(hits=hits, total=response.hits.total.value, facets=facets)

    def search_service_page(self, query: CatalogQuery, mode: Mode) -> list[Hit]:
        open_ids = self.open_ids(query, mode) if query.open_now else None
        search = self.build_service_page_search(query, mode, open_ids, boosts_for(query.analysed))
        with self.translating_errors():
            response = search.execute()
        by_distance = query.sort == "distance" and query.circle is not None
        return [self._hit(hit, query.circle, by_distance) for hit in response.hits]

    @staticmethod
    def _hit(hit, circle: Circle | None, by_distance: bool) -> Hit:
        result = Hit(str(hit.service_id), float(hit.meta.score or 0.0))
        if circle is not None:
            # Measured as the database backend does (haversine to the nearest center), so
            # both show the same number; the sort value is the fallback.
            points = hit.to_dict().get("location") or []
            if isinstance(points, dict):
                points = [points]
            distances = [circle.distance_to(p["lat"], p["lon"]) for p in points]
            if distances:
                result.distance_m = round(min(distances))
            elif by_distance and hit.meta.sort:
                result.distance_m = round(float(hit.meta.sort[0]))
        return result

    def search_pages(self, query: CatalogQuery, mode: Mode, limit: int) -> list[int]:
        search = self.build_page_search(query, mode, limit)
        if search is None:
            return []
        with self.translating_errors():
            return [int(hit.page_id) for hit in search.execute()]

    def search_activities(
        self, query: CatalogQuery, mode: Mode, filters: dict[str, str], limit: int
    ) -> tuple[list[tuple[int, float]], int]:
        search = self.build_activity_search(query, mode, filters, limit)
        if search is None:
            return [], 0
        with self.translating_errors():
            response = search.execute()
        matches = [(int(hit.activity_id), float(hit.meta.score or 0.0)) for hit in response]
        return matches, response.hits.total.value

    def autocomplete(self, prefix: str, limit: int) -> list[str]:
        search = self.build_autocomplete_search(prefix, limit)
        if search is None:
            return []
        with self.translating_errors():
            hits = list(search.execute())
        folded = fold(prefix).strip()
        if CJK.search(folded):
            hits.sort(key=lambda hit: (not hit.title.startswith(folded), len(hit.title)))
        return [str(hit.service_id) for hit in hits[:limit]]
