"""The embedded default: full-text search in the site's own database.

Both dialects read the same pre-analysed tokens from :class:`search.models.SearchEntry`
(migration 0002 builds the FTS5 table or the tsvector column from them); only the match
expression and the scoring function differ. Filters and facet counts are ordinary ORM
queries on the catalog, restricted to the matched services by a subquery, so a page of
results costs the same number of queries however many services match.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL

from catalog.filters import VISIBLE_STATUSES, cost_category_q
from catalog.models import Location, Service, ServiceAtLocation
from catalog.models.services import CostCategory
from search.analysis import CJK, Alternative, Group, fold
from search.backends.base import BaseSearchBackend, facet_q
from search.documents import Document
from search.models import SearchEntry
from search.opening import open_service_ids
from search.query import FACETS, BackendResults, CatalogQuery, Hit, Mode, groups_for

# Column weights: a word in the name counts most, then alternate names, keywords and
# pinyin, then the description.
SQLITE_WEIGHTS = "10.0, 6.0, 1.0, 6.0"  # name, keywords, body, pinyin
FACET_FIELDS = {
    "kind": "kind",
    "topic": "topics__code",
    "audience": "audiences__code",
    "center": "service_at_locations__location__external_identifier",
    "channel": "channels__channel",
}


class SqliteDialect:
    """FTS5: ``"word"``, ``"yz" *``, ``{pinyin_tokens} : …``; bm25 (lower is better)."""

    @staticmethod
    def alternative(alternative: Alternative) -> str:
        tokens = [f'"{token}"' for token in alternative.tokens]
        if alternative.prefix:
            tokens[-1] += " *"
        expression = " AND ".join(tokens)
        if alternative.pinyin:
            return f"{{pinyin_tokens}} : ({expression})"
        return f"({expression})"

    def expression(self, groups: list[Group], mode: Mode) -> str:
        parts = [
            "(" + " OR ".join(self.alternative(alt) for alt in group.alternatives) + ")"
            for group in groups
        ]
        return (" OR " if mode is Mode.RELAXED else " AND ").join(parts)

    @staticmethod
    def match_sql(expression: str, source: str) -> tuple[str, list]:
        return (
            f"SELECT e.service_id AS service_id, e.page_id AS page_id, "
            f"-bm25(search_entry_fts, {SQLITE_WEIGHTS}) AS score "
            "FROM search_entry_fts JOIN search_searchentry e ON e.id = search_entry_fts.rowid "
            "WHERE search_entry_fts MATCH %s AND e.source = %s",
            [expression, source],
        )

    @staticmethod
    def ids_sql(expression: str, source: str) -> tuple[str, list]:
        """The matching ids only: no score to compute, for filters and facet counts."""
        return (
            "SELECT e.service_id FROM search_entry_fts "
            "JOIN search_searchentry e ON e.id = search_entry_fts.rowid "
            "WHERE search_entry_fts MATCH %s AND e.source = %s",
            [expression, source],
        )


class PostgresDialect:
    """tsquery: ``'word'``, ``'yz':*B`` (B holds keywords and pinyin); ts_rank."""

    @staticmethod
    def alternative(alternative: Alternative) -> str:
        suffix = "B" if alternative.pinyin else ""
        tokens = [f"'{token}'" + (":" + suffix if suffix else "") for token in alternative.tokens]
        if alternative.prefix:
            tokens[-1] = f"'{alternative.tokens[-1]}':*{suffix}"
        return "(" + " & ".join(tokens) + ")"

    def expression(self, groups: list[Group], mode: Mode) -> str:
        parts = [
            "(" + " | ".join(self.alternative(alt) for alt in group.alternatives) + ")"
            for group in groups
        ]
        return (" | " if mode is Mode.RELAXED else " & ").join(parts)

    @staticmethod
    def match_sql(expression: str, source: str) -> tuple[str, list]:
        return (
            "SELECT e.service_id AS service_id, e.page_id AS page_id, "
            "ts_rank(e.search_vector, to_tsquery('simple', %s), 1) AS score "
            "FROM search_searchentry e "
            "WHERE e.search_vector @@ to_tsquery('simple', %s) AND e.source = %s",
            [expression, expression, source],
        )

    @staticmethod
    def ids_sql(expression: str, source: str) -> tuple[str, list]:
        return (
            "SELECT e.service_id FROM search_searchentry e "
            "WHERE e.search_vector @@ to_tsquery('simple', %s) AND e.source = %s",
            [expression, source],
        )


DIALECTS = {"sqlite": SqliteDialect(), "postgresql": PostgresDialect()}


class SearchBackend(BaseSearchBackend):
    name = "database"

    @property
    def dialect(self):
        try:
            return DIALECTS[connection.vendor]
        except KeyError:
            raise NotImplementedError(
                f"数据库搜索只支持 SQLite 和 PostgreSQL，当前数据库为 {connection.vendor}。"
            ) from None

    # -- indexing ----------------------------------------------------------------------

    def write_documents(self, source: str, documents: list[Document]) -> None:
        if not documents:
            return
        target = "service_id" if source == "service" else "page_id"
        keys = [document.key for document in documents]
        with transaction.atomic():
            SearchEntry.objects.filter(source=source, **{f"{target}__in": keys}).delete()
            SearchEntry.objects.bulk_create(
                [
                    SearchEntry(
                        source=source,
                        title=document.title[:255],
                        name_tokens=document.joined("name_tokens"),
                        keyword_tokens=document.joined("keyword_tokens"),
                        body_tokens=document.joined("body_tokens"),
                        pinyin_tokens=document.joined("pinyin_tokens"),
                        **{target: document.key},
                    )
                    for document in documents
                ]
            )

    def remove_documents(self, source: str, keys: list[str]) -> None:
        if keys:
            target = "service_id" if source == "service" else "page_id"
            SearchEntry.objects.filter(source=source, **{f"{target}__in": keys}).delete()

    def clear(self) -> None:
        SearchEntry.objects.all().delete()

    def document_count(self, source: str = "service") -> int:
        return SearchEntry.objects.filter(source=source).count()

    # -- querying ----------------------------------------------------------------------

    def _match(self, query: CatalogQuery, mode: Mode, source: str) -> tuple[str, list] | None:
        groups = groups_for(query.analysed, mode)
        if not groups:
            return None
        return self.dialect.match_sql(self.dialect.expression(groups, mode), source)

    def _matching_ids(self, query: CatalogQuery, mode: Mode) -> tuple[str, list] | None:
        groups = groups_for(query.analysed, mode)
        if not groups:
            return None
        return self.dialect.ids_sql(self.dialect.expression(groups, mode), "service")

    def _scope(self, query: CatalogQuery, mode: Mode):
        """(visible, chosen facet conditions, centers in the circle): the services the
        text, circle and open-now admit, before the facets are applied."""
        visible = Service.objects.filter(status__in=VISIBLE_STATUSES)
        matching = self._matching_ids(query, mode)
        if matching is not None:
            visible = visible.filter(pk__in=RawSQL(*matching))
        near = near_locations(query)
        if near is not None:
            visible = visible.filter(
                pk__in=ServiceAtLocation.objects.filter(location__in=list(near)).values(
                    "service_id"
                )
            )
        chosen_q = {facet: facet_q(facet, value) for facet, value in query.filters.items()}
        if query.open_now:
            center = query.filters.get("center")
            location = (
                Location.objects.filter(external_identifier=center).first() if center else None
            )
            chosen = visible.filter(*chosen_q.values())
            visible = visible.filter(pk__in=open_service_ids(chosen, query.moment, location))
        return visible, chosen_q, near

    def has_matches(self, query: CatalogQuery, mode: Mode) -> bool:
        visible, chosen_q, _ = self._scope(query, mode)
        return visible.filter(*chosen_q.values()).exists()

    def search_services(self, query: CatalogQuery, mode: Mode) -> BackendResults:
        match = self._match(query, mode, "service")
        visible, chosen_q, near = self._scope(query, mode)
        filtered = visible.filter(*chosen_q.values())

        if query.sort == "distance" and near is not None:
            hits, total = self._by_distance(filtered, match, near, query)
        elif match is None:
            total = filtered.count()
            services = filtered.order_by("name").values_list("pk", flat=True)
            page = services[query.offset : query.offset + query.page_size]
            hits = [Hit(str(pk), 0.0) for pk in page]
        else:
            hits, total = self._ranked(filtered, match, query)
        if near is not None:
            add_distances(hits, near)
        facets = self._facets(visible, chosen_q)
        return BackendResults(hits=hits, total=total, facets=facets)

    def _ranked(self, filtered, match, query: CatalogQuery) -> tuple[list[Hit], int]:
        sql, params = match
        try:
            within_sql, within_params = filtered.values("pk").query.sql_with_params()
        except EmptyResultSet:  # e.g. open now, and nothing is
            return [], 0
        ranked = f"SELECT m.service_id, m.score FROM ({sql}) m WHERE m.service_id IN ({within_sql})"
        total = filtered.count()  # the matching ids already restrict it: no scores needed
        with connection.cursor() as cursor:
            cursor.execute(
                f"{ranked} ORDER BY m.score DESC, m.service_id LIMIT %s OFFSET %s",
                [*params, *within_params, query.page_size, query.offset],
            )
            rows = cursor.fetchall()
        return [Hit(str(as_uuid(pk)), float(score)) for pk, score in rows], total

    def _by_distance(self, filtered, match, near, query) -> tuple[list[Hit], int]:
        if match is None:
            scores = {str(pk): 0.0 for pk in filtered.values_list("pk", flat=True)}
        else:
            sql, params = match
            try:
                within_sql, within_params = filtered.values("pk").query.sql_with_params()
            except EmptyResultSet:
                return [], 0
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT m.service_id, m.score FROM ({sql}) m "
                    f"WHERE m.service_id IN ({within_sql})",
                    [*params, *within_params],
                )
                scores = {str(as_uuid(pk)): float(score) for pk, score in cursor.fetchall()}
        hits = [Hit(pk, score) for pk, score in scores.items()]
        add_distances(hits, near)
        hits.sort(key=lambda hit: (hit.distance_m or 0.0, -hit.score, hit.service_id))
        return hits[query.offset : query.offset + query.page_size], len(hits)

    def _facets(self, visible, chosen_q: dict[str, Q]) -> dict[str, dict[str, int]]:
        """Counts per facet value, each facet counted under the other facets' choices (so
        choosing a kind still shows how many results the other kinds have)."""
        facets: dict[str, dict[str, int]] = {}
        for facet in FACETS:
            others = [q for name, q in chosen_q.items() if name != facet]
            services = visible.filter(*others)
            if facet == "cost":
                counts = services.aggregate(
                    **{
                        category: Count("pk", filter=cost_category_q(category))
                        for category in CostCategory.values
                    }
                )
            else:
                field = FACET_FIELDS[facet]
                rows = (
                    services.order_by()
                    .values(field)
                    .annotate(count=Count("pk", distinct=True))
                    .values_list(field, "count")
                )
                counts = {value: count for value, count in rows if value}
            facets[facet] = {value: count for value, count in counts.items() if count}
        return facets

    def search_pages(self, query: CatalogQuery, mode: Mode, limit: int) -> list[int]:
        match = self._match(query, mode, "page")
        if match is None:
            return []
        sql, params = match
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.page_id FROM ({sql}) m ORDER BY m.score DESC, m.page_id LIMIT %s",
                [*params, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def autocomplete(self, prefix: str, limit: int) -> list[str]:
        prefix = fold(prefix).strip()
        if not prefix:
            return []
        if CJK.search(prefix):
            entries = (
                SearchEntry.objects.filter(source="service", title__contains=prefix)
                .order_by("title")
                .values_list("service_id", "title")[: limit * 5]
            )
            ranked = sorted(entries, key=lambda e: (not e[1].startswith(prefix), len(e[1])))
            return [str(as_uuid(pk)) for pk, _ in ranked[:limit]]
        letters = "".join(char for char in prefix if char.isalnum())
        if not letters:
            return []
        # The whole typed pinyin as a word ranks above names it only begins.
        group = Group(
            letters,
            (
                Alternative((letters,), pinyin=True),
                Alternative((letters,), prefix=True, pinyin=True),
            ),
        )
        sql, params = self.dialect.match_sql(
            self.dialect.expression([group], Mode.STRICT), "service"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.service_id, m.score FROM ({sql}) m ORDER BY m.score DESC LIMIT %s",
                [*params, limit * 5],
            )
            scores = {str(as_uuid(pk)): score for pk, score in cursor.fetchall()}
        entries = SearchEntry.objects.filter(service_id__in=list(scores)).values_list(
            "service_id", "title", "pinyin_tokens"
        )
        # Names whose pinyin is exactly what was typed (lnz → 老年证) before names that only
        # begin with it, then the shorter name.
        ranked = sorted(
            entries,
            key=lambda e: (
                letters not in e[2].split(),
                -scores[str(as_uuid(e[0]))],
                len(e[1]),
            ),
        )
        return [str(as_uuid(pk)) for pk, _, _ in ranked[:limit]]


def as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def near_locations(query: CatalogQuery) -> dict[int, float] | None:
    """Centers inside the walking circle, with their distance in metres (None: no circle).
    There are few locations, so they are measured in Python."""
    circle = query.circle
    if circle is None:
        return None
    min_lat, max_lat, min_lng, max_lng = circle.bounding_box()
    candidates = Location.objects.filter(
        latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lng, longitude__lte=max_lng
    ).values_list("pk", "latitude", "longitude")
    distances = {pk: circle.distance_to(float(lat), float(lng)) for pk, lat, lng in candidates}
    return {pk: metres for pk, metres in distances.items() if metres <= circle.radius_m}


def add_distances(hits: list[Hit], near: dict[int, float]) -> None:
    """Set each hit's distance: that of its nearest center inside the circle."""
    if not hits:
        return
    links = ServiceAtLocation.objects.filter(
        service_id__in=[hit.service_id for hit in hits], location_id__in=list(near)
    ).values_list("service_id", "location_id")
    nearest: dict[str, float] = defaultdict(lambda: float("inf"))
    for service_id, location_id in links:
        key = str(as_uuid(service_id))
        nearest[key] = min(nearest[key], near[location_id])
    for hit in hits:
        distance = nearest.get(hit.service_id)
        hit.distance_m = None if distance in (None, float("inf")) else round(distance)
