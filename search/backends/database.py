"""The embedded default: full-text search in the site's own database.

Both dialects read the same pre-analysed tokens from :class:`search.models.SearchEntry`
(migration 0002 builds the FTS5 table or the tsvector column from them); only the match
expression and the scoring function differ. Each entry also carries its service's facet
values (``kind:government``, ``topic:health`` …), so a search answers from the index
alone, without joining the catalog's tables: one query for whether anything matches, one
for the page of hits, the total and every facet count together, however many services
match. That answer is cached while the index is unchanged (:class:`~search.models.IndexVersion`).

A broad word matches a third of the catalog, so that query reads as little as it can of
each match: its id and ``facet_key`` (the matches are counted by combination of facet
values, each combination's values unpacked once). On PostgreSQL the page is not cut from
every match ranked by its whole vector, but in two tiers: first the matches whose name,
keywords or pinyin hold a word of the query, found and ranked through the small
``search_head`` vector and its own GIN index, then (only when they do not fill the page)
those matched in the description alone, at most :data:`TIER_TWO_BOUND` of them
(:meth:`SearchBackend._tiered_page`). The first tier is read from a narrow table of the
services' heads (:data:`HEAD_TABLE`, kept in step by triggers), found and ranked once,
and, past the count's bound, so are the matches counted: the description's index is
then not scanned at all. A query of many alternatives (a need said in everyday words
stands for dozens) is matched alternative by alternative, each through the GIN index
(:meth:`PostgresDialect.any_of`; those another implies left out), not as one tsquery,
and ranked by its distinct words once each (:meth:`PostgresDialect.rank_expression`, the
same ranks), each word weighted by how rare it is in the index, as SQLite's bm25 weighs
it (:func:`weighted_rank`: a few ``ts_rank`` s, one a class of rarity, the words' shares
read from the statistics ``ANALYZE`` keeps). Each write merges its entries into the GIN
indexes at once (:func:`flush_pending_entries`), so no search reads through a list of
pending ones. A
text search counts its matches only as far as :data:`COUNT_BOUND` (2,000): past it the
page says 超过 2,000 项, and finding the page costs what ranking its tiers costs, not
what counting a third of the catalog would.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import time
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from catalog.geo import locations_within
from catalog.models import Service, ServiceAtLocation
from search.analysis import CJK, Alternative, Group, fold
from search.backends.base import BaseSearchBackend, BoundedResults
from search.caching import cache_get, cache_set
from search.documents import Document
from search.learning import boosts_for
from search.models import IndexVersion, SearchEntry
from search.opening import open_ids_among
from search.query import (
    FACETS,
    BackendResults,
    CatalogQuery,
    Hit,
    Mode,
    as_uuid,
    groups_for,
)

logger = logging.getLogger(__name__)

# Column weights: a word in the name counts most, then alternate names, keywords and
# pinyin, then the description.
SQLITE_WEIGHTS = "10.0, 6.0, 1.0, 6.0"  # name, keywords, body, pinyin
ENTRY_TABLE = SearchEntry._meta.db_table
#: PostgreSQL: each service entry's id, service, facet values and key and head vector,
#: a narrow copy kept in step by triggers (migration 0016): a broad query's name,
#: keyword and pinyin matches are counted and ranked from its rows, not from the
#: entries' (see :meth:`SearchBackend._tiered_page`).
HEAD_TABLE = "search_service_head"
FLOAT = "DOUBLE PRECISION"  # a type name both dialects know
#: How long a search's counts and page are kept (settings: JIAMENKOU_SEARCH
#: ["RESULT_CACHE_SECONDS"]; 0 turns it off). Any write to the index makes them stale.
RESULT_CACHE_SECONDS = 300
#: How many matches a search counts at most (settings: JIAMENKOU_SEARCH["COUNT_BOUND"];
#: 0 counts them all). A broad word matches a quarter of the catalog: counting and
#: facet-counting every one of 30,000 matches cost 200-250 ms at 100,000 services, for a
#: figure residents read as "many". Past the bound the total is reported as a lower
#: bound (超过 2,000 项) and the facets' values are listed without counts; the page is
#: ranked from every match, as below the bound.
COUNT_BOUND = 2000
#: PostgreSQL: how many matches found in the description alone the page's second tier
#: ranks at most (settings: JIAMENKOU_SEARCH["TIER_TWO_BOUND"]; 0 ranks them all), see
#: :meth:`SearchBackend._tiered_page`. A word that no name, keyword or pinyin holds but a
#: quarter of the descriptions do (公司) had its every match's whole vector read and
#: ranked: 27,000 at 100,000 services, 200-700 ms.
TIER_TWO_BOUND = 2000
#: PostgreSQL: in how many classes of rarity a query's words are weighted at most, one
#: ``ts_rank`` a class (settings: JIAMENKOU_SEARCH["RARITY_CLASSES"]; 1 weighs every
#: word alike, as ``ts_rank`` alone does). See :func:`rarity_classes`.
RARITY_CLASSES = 3
#: PostgreSQL: how long a process keeps the words' shares it read for one version of the
#: index (see :func:`word_shares`): a write renews the version, and ``ANALYZE`` run by
#: autovacuum after writes is seen within this long.
RARITY_SECONDS = 600
#: The entry's column naming what it indexes, by source.
TARGETS = {"service": "service_id", "activity": "activity_id", "page": "page_id"}


def facet_token(facet: str, value: str) -> str:
    """How a facet value is stored in ``SearchEntry.facet_values``. The facet's name also
    names SQL columns (``ok_<facet>``): only the known ones are let through."""
    if facet not in FACETS:
        raise ValueError(f"unknown facet {facet!r}")
    return f"{facet}:{value}"


def entry_facet_values(document: Document) -> list[str]:
    return [
        facet_token(facet, value) for facet in FACETS for value in document.facets.get(facet, ())
    ]


def facet_key(values: list[str]) -> int:
    """``SearchEntry.facet_key``: a 64-bit hash of the facet values, the same as
    PostgreSQL's ``('x' || substr(md5(facet_values::text), 1, 16))::bit(64)::bigint``
    (migration 0011). Matches are counted by it: entries with the same key have the same
    values (a collision, at 2⁻⁶⁴, would count one combination under the other's values)."""
    text = json.dumps(list(values), ensure_ascii=False)
    return int.from_bytes(hashlib.md5(text.encode()).digest()[:8], "big", signed=True)


@dataclass
class Selection:
    """Entries of one source as SQL: ``FROM`` and ``WHERE`` parts with their parameters
    (in the order they appear), and the score of each entry."""

    from_sql: str
    from_params: list
    score_sql: str
    conditions: list[tuple[str, list]] = field(default_factory=list)
    #: PostgreSQL: the query's tsquery text and that of any of its words, when the
    #: matches are ranked in two tiers (:meth:`SearchBackend._tiered_page`): those whose
    #: name, keywords or pinyin hold a word first, then those matched in the description.
    tsquery: str | None = None
    head_tsquery: str | None = None
    #: PostgreSQL: the tsquery the head is ranked by (``tsh``): ``head_tsquery``, or the
    #: same rank from each of its words once (:meth:`PostgresDialect.rank_expression`).
    head_rank_tsquery: str | None = None
    #: PostgreSQL: the condition that an entry's head matches any of the query's words
    #: (with its parameters), in place of ``e.search_head @@ tsh`` (see :func:`any_of`).
    head_condition: tuple[str, list] | None = None
    #: PostgreSQL: matched through the GIN index of the whole vector (see :data:`INDEXED`).
    indexed: bool = False
    #: PostgreSQL: how the head is ranked when its words are weighted by rarity: the
    #: tsqueries to join (``tsh0`` …, with their parameters) and the score; None: by
    #: :data:`HEAD_RANK`.
    head_rank: WeightedRank | None = None

    def where(self, sql: str, params=()) -> Selection:
        return dataclasses.replace(self, conditions=[*self.conditions, (sql, list(params))])

    def sql(self, columns: str, column_params=()) -> tuple[str, list]:
        where = " AND ".join(f"({sql})" for sql, _ in self.conditions) or "1 = 1"
        params = [*column_params, *self.from_params, *(p for _, ps in self.conditions for p in ps)]
        return f"SELECT {columns} FROM {self.from_sql} WHERE {where}", params


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
    def matching(
        expression: str,
        source: str,
        head_expression: str = "",
        groups=None,
        mode=None,
        classes: int = 1,
        shares=None,
    ) -> Selection:
        # ``classes``, ``shares``: PostgreSQL's weighting of words by rarity; bm25 weighs
        # them itself.
        return Selection(
            f"search_entry_fts JOIN {ENTRY_TABLE} e ON e.id = search_entry_fts.rowid",
            [],
            f"-bm25(search_entry_fts, {SQLITE_WEIGHTS})",
        ).where("search_entry_fts MATCH %s AND e.source = %s", [expression, source])

    @staticmethod
    def has_facet(token: str, alias: str = "e") -> tuple[str, list]:
        return (
            f"EXISTS (SELECT 1 FROM json_each({alias}.facet_values) fv WHERE fv.value = %s)",
            [token],
        )

    @staticmethod
    def first_row(sql: str) -> str:
        return f"{sql} LIMIT 1"

    @staticmethod
    def each_facet(alias: str) -> str:
        """A join giving one row per facet value of ``alias``'s entry, as ``f.value``."""
        return f"json_each({alias}.facet_values) f"

    @staticmethod
    def among(ids: list) -> tuple[str, list]:
        # One JSON parameter however many ids: SQLite limits the number of parameters.
        return "e.service_id IN (SELECT value FROM json_each(%s))", [
            json.dumps([as_uuid(pk).hex for pk in ids])
        ]

    @staticmethod
    def boost_rows(boosts: dict[str, float]) -> tuple[str, list]:
        """The learned boosts as a table (``boosted_id``, ``boost``), one JSON parameter."""
        return "SELECT key AS boosted_id, value AS boost FROM json_each(%s)", [
            json.dumps({as_uuid(pk).hex: boost for pk, boost in boosts.items()})
        ]


class PostgresDialect:
    """tsquery: ``'word'``, ``'yz':*B`` (B holds keywords and pinyin); ts_rank."""

    @staticmethod
    def terms(alternative: Alternative) -> list[str]:
        """The tsquery terms all of which ``alternative`` needs."""
        suffix = "B" if alternative.pinyin else ""
        tokens = [f"'{token}'" + (":" + suffix if suffix else "") for token in alternative.tokens]
        if alternative.prefix:
            tokens[-1] = f"'{alternative.tokens[-1]}':*{suffix}"
        return tokens

    def alternative(self, alternative: Alternative) -> str:
        return "(" + " & ".join(self.terms(alternative)) + ")"

    def expression(self, groups: list[Group], mode: Mode) -> str:
        parts = [
            "(" + " | ".join(self.alternative(alt) for alt in group.alternatives) + ")"
            for group in groups
        ]
        return (" | " if mode is Mode.RELAXED else " & ").join(parts)

    def matching(
        self,
        expression: str,
        source: str,
        head_expression: str = "",
        groups: list[Group] | None = None,
        mode: Mode | None = None,
        classes: int = RARITY_CLASSES,
        shares: WordShares | None = None,
    ) -> Selection:
        """``head_expression`` (any of the query's words, RELAXED): services are ranked in
        two tiers by it, see :meth:`SearchBackend._tiered_page`. With the query's
        ``groups`` (and ``mode``) the entries are matched alternative by alternative
        (:meth:`match_condition`) rather than by the whole expression at once; ``tsq``
        still ranks them; each of their words weighted by its rarity (``shares``), in at
        most ``classes`` classes (:func:`weighted_rank`)."""
        match, match_params = "e.search_vector @@ tsq", []
        ranked_by, rank = expression, None
        if groups:
            # Matched without ``tsq``: it only ranks.
            match, match_params = self.match_condition("e.search_vector", groups, mode)
            ranked_by = self.rank_expression(groups, mode)
            rank = weighted_rank(groups, "e.search_vector", "tsq", classes, shares)
        joins, join_params, score = rank or ("", [], FULL_RANK)
        selection = Selection(
            f"{ENTRY_TABLE} e CROSS JOIN to_tsquery('simple', %s) AS tsq{joins}",
            [ranked_by, *join_params],
            score,
            indexed=True,
        ).where(f"{match} AND e.source = %s", [*match_params, source])
        if not head_expression or source != "service":
            return selection
        head_condition, head_ranked_by, head_rank = None, head_expression, None
        if groups:
            alternatives = [alt for group in groups for alt in group.alternatives]
            # A topic a need leads to does not put the topic's services in the first tier:
            # it is in the head of every service whose name shares a word with the topic's
            # (健康 of 医疗健康), which would come before those answering the need's own
            # words in the description (降压药太贵 → 门诊慢特病). Unless it is all there is.
            head_condition = self.any_of(
                "e.search_head", [alt for alt in alternatives if not alt.lead] or alternatives
            )
            head_ranked_by = self.rank_expression(groups, Mode.RELAXED)
            head_rank = weighted_rank(groups, "e.search_head", "tsh", classes, shares)
        return dataclasses.replace(
            selection,
            tsquery=expression,
            head_tsquery=head_expression,
            head_rank_tsquery=head_ranked_by,
            head_condition=head_condition,
            head_rank=head_rank,
        )

    def rank_expression(self, groups: list[Group], mode: Mode) -> str:
        """A tsquery that ranks every entry as :meth:`expression` does, but quicker: each
        of its words once, OR-ed. ``ts_rank`` of a query whose top operator is not AND
        sums a term for each distinct word the entry holds (divided by their number),
        whatever the operators and weights around it; but it sorts the query's words
        again for every entry ranked: a need said in everyday words stands for 80
        alternatives, some 400 nodes around 30 distinct words, and ranking 5,000 head
        matches by it took 65 ms of a 125 ms search, a third of that by its words.
        Left as it is when its top operator is AND (all of several words, or one
        alternative of several words: proximity counts) or when a word comes both as
        itself and as a prefix (which of the two ``ts_rank`` keeps is not defined)."""
        expression = self.expression(groups, mode)
        alternatives = [alt for group in groups for alt in group.alternatives]
        if len(alternatives) < 2 or (mode is not Mode.RELAXED and len(groups) > 1):
            return expression
        words = distinct_words(groups)
        return any_word(words) if words else expression

    def any_of(self, column: str, alternatives) -> tuple[str, list]:
        """``column`` matches any of ``alternatives``: one ``@@`` per alternative, OR-ed.
        The same match as ``column @@`` their tsquery joined by ``|``, but the planner
        answers it with one GIN index scan an alternative (a BitmapOr): each scan of a
        conjunction (寒假 & 托管) is driven by its rarest word, where the index asked the
        whole query at once tests every entry holding any of its words against all of it
        (a colloquial need of 80 alternatives around 老人, 孩子: 200-280 ms for the index
        scan alone at 100,000 services, about 25 ms as a BitmapOr). An alternative that
        needs all the terms of another and more is left out: every entry it matches, the
        other does (孩子 & 寒假 & 托管 beside 寒假 & 托管), so the match is the same, with
        fewer scans to plan and run (a need of 81 alternatives keeps 17)."""
        queries = [self.alternative(alt) for alt in self.fewest(alternatives)]
        condition = " OR ".join([f"{column} @@ to_tsquery('simple', %s)"] * len(queries))
        return f"({condition})", queries

    def fewest(self, alternatives) -> list[Alternative]:
        """``alternatives`` without those that another implies (see :meth:`any_of`), in
        their order; of alternatives needing the same terms, the first."""
        needs = {}
        for alternative in alternatives:
            needs.setdefault(frozenset(self.terms(alternative)), alternative)
        return [
            alternative
            for terms, alternative in needs.items()
            if not any(other < terms for other in needs)
        ]

    def match_condition(self, column: str, groups: list[Group], mode: Mode) -> tuple[str, list]:
        """``column`` matches ``groups`` in ``mode`` (see :meth:`expression`). Any of them
        (RELAXED, or one word): alternative by alternative (:meth:`any_of`). All of them:
        the whole expression, which the GIN index answers well (it is driven by the
        rarest word every match must hold; split, the planner would scan one word's
        matches and test the others on each entry's whole vector)."""
        if mode is Mode.RELAXED or len(groups) == 1:
            return self.any_of(column, [alt for group in groups for alt in group.alternatives])
        return f"{column} @@ to_tsquery('simple', %s)", [self.expression(groups, mode)]

    @staticmethod
    def has_facet(token: str, alias: str = "e") -> tuple[str, list]:
        return f"{alias}.facet_values @> %s::jsonb", [json.dumps([token])]

    @staticmethod
    def first_row(sql: str) -> str:
        # Planned without the LIMIT: for a word no entry has, a LIMIT invites a sequential
        # scan of every row in the hope of an early match; the CTE is still read lazily.
        return f"WITH found AS MATERIALIZED ({sql}) SELECT 1 FROM found LIMIT 1"

    @staticmethod
    def each_facet(alias: str) -> str:
        return f"jsonb_array_elements_text({alias}.facet_values) AS f(value)"

    @staticmethod
    def among(ids: list) -> tuple[str, list]:
        return "e.service_id = ANY(%s::uuid[])", [[as_uuid(pk) for pk in ids]]

    @staticmethod
    def boost_rows(boosts: dict[str, float]) -> tuple[str, list]:
        ids, values = zip(*boosts.items(), strict=True)
        return (
            f"SELECT boosted_id, boost FROM unnest(%s::uuid[], %s::{FLOAT}[]) "
            "AS b(boosted_id, boost)",
            [[as_uuid(pk) for pk in ids], [float(value) for value in values]],
        )


DIALECTS = {"sqlite": SqliteDialect(), "postgresql": PostgresDialect()}
#: PostgreSQL: the rank of an entry by its whole vector (name A, keywords and pinyin B,
#: description D), and by its head alone (name, keywords, pinyin; migration 0011)
#: against any of the query's words.
FULL_RANK = "ts_rank(e.search_vector, tsq, 1)"
HEAD_RANK = "ts_rank(e.search_head, tsh, 1)"
#: PostgreSQL: a rank whose words are weighted by rarity: the ``CROSS JOIN`` s naming its
#: tsqueries, their parameters, and the score over them.
WeightedRank = tuple[str, list, str]


def distinct_words(groups: list[Group]) -> dict[str, bool]:
    """The distinct words of ``groups``' alternatives, each with whether it is matched as a
    prefix (pinyin typed so far); empty when a word comes both as itself and as a prefix
    (which of the two ``ts_rank`` keeps is not defined)."""
    words: dict[str, set[bool]] = {}
    for alternative in (alt for group in groups for alt in group.alternatives):
        for position, token in enumerate(alternative.tokens):
            prefix = alternative.prefix and position == len(alternative.tokens) - 1
            words.setdefault(token, set()).add(prefix)
    if any(len(kinds) > 1 for kinds in words.values()):
        return {}
    return {word: True in kinds for word, kinds in words.items()}


def any_word(words) -> str:
    """The tsquery matching any of ``words`` (word → matched as a prefix)."""
    return " | ".join(f"'{word}'" + (":*" if words[word] else "") for word in words)


def weighted_rank(
    groups: list[Group], column: str, alias: str, classes: int, shares: WordShares | None
) -> WeightedRank | None:
    """PostgreSQL: ``column`` ranked by ``groups``' words, each weighted by how rare it is in
    the index, as SQLite's bm25 does and ``ts_rank`` does not: every word counts alike
    there, so a need's common words (健康, 社区, 便民, a topic's token) outweighed the one
    rare word that names what answers it (慢特病 in 降压药太贵: a health check first, the
    outpatient chronic-illness cover nowhere). The words are put in at most ``classes``
    classes of about one rarity, each ranked by one ``ts_rank`` (``{alias}0`` …) and
    weighted by its words' rarity and number: ``ts_rank`` of words OR-ed averages their
    terms, so the score is the sum of each word's term times its rarity, give or take the
    class. None (rank as before, by ``alias`` alone) without ``shares`` (a table never
    analysed: :func:`word_shares`) or when the words are about as rare as each other."""
    words = distinct_words(groups)
    if not words or not shares or classes < 2:
        return None
    ranked = rarity_classes({word: shares.rarity(word) for word in words}, classes)
    if len(ranked) < 2:
        return None
    joins = "".join(
        f" CROSS JOIN to_tsquery('simple', %s) AS {alias}{number}" for number in range(len(ranked))
    )
    params = [any_word({word: words[word] for word in members}) for members, _ in ranked]
    score = " + ".join(
        f"{weight * len(members):.6f} * ts_rank({column}, {alias}{number}, 1)"
        for number, (members, weight) in enumerate(ranked)
    )
    return joins, params, f"({score})"


def rarity_classes(rarities: dict[str, float], classes: int) -> list[tuple[list[str], float]]:
    """``rarities``' words in at most ``classes`` classes of equal width between the least
    and the most rare, each with its words' mean rarity; one class when the most rare is
    less than a quarter rarer than the least (weighting would not reorder much)."""
    low, high = min(rarities.values()), max(rarities.values())
    if high <= low * 1.25:
        return [(list(rarities), sum(rarities.values()) / len(rarities))]
    width = (high - low) / classes
    members: dict[int, list[str]] = {}
    for word, rarity in rarities.items():
        members.setdefault(min(int((rarity - low) / width), classes - 1), []).append(word)
    return [
        (words, sum(rarities[word] for word in words) / len(words))
        for _, words in sorted(members.items())
    ]


@dataclass(frozen=True)
class WordShares:
    """PostgreSQL: the share of the index's entries holding each of its common words, as
    the planner's statistics of the vector column have them (``most_common_elems``:
    ``ANALYZE`` samples the table; autovacuum runs it as the index changes). A word not
    among them is rarer than the least common listed (``floor``)."""

    shares: dict[str, float]
    floor: float

    def rarity(self, word: str) -> float:
        """The word's inverse document frequency, as bm25 reckons it: ln(1 + (N - n) / n)."""
        share = self.shares.get(word, self.floor / 2)
        return math.log(1 + (1 - share) / share)


#: Per database: the index version the shares were read for, until when they are kept,
#: and the shares (see :func:`word_shares`).
_read_shares: dict[str, tuple[str, float, WordShares | None]] = {}


def word_shares(version: str = "") -> WordShares | None:
    """The index's :class:`WordShares`; None while the table has no statistics. Read
    once for each ``version`` of the index (its token: a write renews it, and a rolled-back
    write's token never comes again), kept for :data:`RARITY_SECONDS` at most: reading
    ``pg_stats`` costs 2-4 ms at 100,000 services, a search reads for each of its readings,
    and a rebuild's ``ANALYZE`` forgets them (:meth:`SearchBackend.refresh_statistics`).
    Without a version, read each time."""
    database, now = connection.settings_dict["NAME"], time.monotonic()
    kept = _read_shares.get(database)
    if version and kept and kept[0] == version and kept[1] > now:
        return kept[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = %s AND attname = %s",
            [ENTRY_TABLE, "search_vector"],
        )
        row = cursor.fetchone()
    shares = None
    if row and row[0] and row[1]:
        words, frequencies = row
        # After the words' shares come their least and their greatest (and, for arrays,
        # the share of empty ones).
        listed = dict(zip(words, frequencies[: len(words)], strict=True))
        shares = WordShares(listed, max(frequencies[len(words)], 1e-6))
    if version:
        _read_shares[database] = (version, now + RARITY_SECONDS, shares)
    return shares


#: PostgreSQL: how a query matched through the vector's GIN index is planned. A broad
#: word's matches are many, so the planner prefers reading the whole table and testing
#: each entry's vector (unpacking it: most of an entry's width); the index finds them
#: without opening a vector (no recheck for words without weights). At 100,000 entries
#: such a plan may also cost enough to be compiled (JIT) first, which pays only for long
#: analytic queries.
INDEXED = "SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)"


def all_entries(source: str) -> Selection:
    """Every entry of ``source``, unscored: browsing by filters without a query."""
    return Selection(f"{ENTRY_TABLE} e", [], "0.0").where("e.source = %s", [source])


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
        target = TARGETS[source]
        keys = [document.key for document in documents]
        with transaction.atomic():
            IndexVersion.renew()
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
                        facet_values=entry_facet_values(document),
                        facet_key=facet_key(entry_facet_values(document)),
                        **{target: document.key},
                    )
                    for document in documents
                ]
            )
            if connection.vendor == "postgresql":
                flush_pending_entries()

    def remove_documents(self, source: str, keys: list[str]) -> None:
        if keys:
            target = TARGETS[source]
            with transaction.atomic():
                IndexVersion.renew()
                SearchEntry.objects.filter(source=source, **{f"{target}__in": keys}).delete()

    def clear(self) -> None:
        with transaction.atomic():
            IndexVersion.renew()
            SearchEntry.objects.all().delete()

    def document_count(self, source: str = "service") -> int:
        return SearchEntry.objects.filter(source=source).count()

    def refresh_statistics(self) -> None:
        """PostgreSQL: sample the index again (``ANALYZE``) for the words' shares that
        weight a query's words (:func:`word_shares`), and the planner's estimates.
        Autovacuum does it as editors change services; a rebuild should not wait for it."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ENTRY_TABLE}")
        _read_shares.clear()

    # -- querying ----------------------------------------------------------------------

    def _selection(self, query: CatalogQuery, mode: Mode, source: str) -> Selection | None:
        """The entries the query's text matches in ``mode``; every entry when the query has
        no text; None when the text leaves nothing to match in this mode."""
        if query.analysed.is_empty:
            return all_entries(source)
        groups = groups_for(query.analysed, mode)
        if not groups:
            return None
        dialect = self.dialect
        classes = int(self.params.get("RARITY_CLASSES", RARITY_CLASSES) or 1)
        weighted = classes > 1 and connection.vendor == "postgresql"
        return dialect.matching(
            dialect.expression(groups, mode),
            source,
            dialect.expression(groups, Mode.RELAXED),
            groups,
            mode,
            classes=classes,
            shares=word_shares(query.index_version) if weighted else None,
        )

    def _scope(self, query: CatalogQuery, mode: Mode) -> tuple[Selection | None, dict, dict]:
        """(the services the text, the circle and open-now admit, before the facets are
        chosen, or None when nothing is; the facet token of each chosen facet; the centers
        inside the circle with their distances, None without a circle)."""
        near = near_locations(query)
        selection = self._selection(query, mode, "service")
        if selection is None or near == {}:
            return None, {}, near
        if near is not None:
            links = ServiceAtLocation.objects.filter(location__in=list(near)).values("service_id")
            try:
                sql, params = links.query.sql_with_params()
            except EmptyResultSet:
                return None, {}, near
            selection = selection.where(f"e.service_id IN ({sql})", params)
        chosen = {facet: facet_token(facet, value) for facet, value in query.filters.items()}
        if query.open_now:
            # Hours are judged in Python (schedules, holidays), on the services the text and
            # circle admit, so that each facet is still counted under the others' choices.
            candidates = Service.objects.filter(pk__in=RawSQL(*selection.sql("e.service_id")))
            open_ids = open_ids_among(candidates, query.moment, query.filters.get("center"))
            if not open_ids:
                return None, {}, near
            selection = selection.where(*self.dialect.among(open_ids))
        return selection, chosen, near

    def _filtered(self, selection: Selection, chosen: dict[str, str]) -> Selection:
        for token in chosen.values():
            selection = selection.where(*self.dialect.has_facet(token))
        return selection

    def has_matches(self, query: CatalogQuery, mode: Mode) -> bool:
        selection, chosen, _ = self._scope(query, mode)
        if selection is None:
            return False
        sql, params = self._filtered(selection, chosen).sql("1")
        return bool(
            self._rows(self.dialect.first_row(sql), params, query.index_version, selection.indexed)
        )

    def first_matching(
        self, query: CatalogQuery, modes: list[Mode]
    ) -> tuple[Mode, BackendResults] | None:
        """A mode that finds nothing costs its one query as little as asking whether it
        does (the matches are found first, and there are none to count or rank); a mode
        that finds something is answered by that query, not asked about first."""
        for mode in modes:
            results = self.search_services(query, mode)
            if results.total:
                return mode, results
        return None

    def search_services(self, query: CatalogQuery, mode: Mode) -> BackendResults:
        return self._search(query, mode, counted=True)

    def search_service_page(self, query: CatalogQuery, mode: Mode) -> list[Hit]:
        """The page alone: the same query with neither the total nor the facets (for a
        broad reading such as RELAXED, counting thousands of matches costs more than
        ranking the page)."""
        return self._search(query, mode, counted=False).hits

    def _search(self, query: CatalogQuery, mode: Mode, counted: bool) -> BoundedResults:
        selection, chosen, near = self._scope(query, mode)
        if selection is None:
            return BoundedResults(hits=[], total=0, facets={})
        by_distance = query.sort == "distance" and near is not None
        # What residents opened for these words (search.learning): empty when disabled,
        # and then the query is exactly the one without learning.
        boosts = boosts_for(query.analysed)
        total, lower_bound, facets_counted, facets, hits = 0, False, False, {}, []
        if counted or not by_distance:
            total, lower_bound, facets_counted, facets, hits = self._one_pass(
                selection,
                chosen,
                page=None if by_distance else query,
                by_title=query.analysed.is_empty,
                version=query.index_version,
                boosts=boosts,
                counted=counted,
            )
        if by_distance:
            hits = self._by_distance(self._filtered(selection, chosen), near, query, boosts)
        elif near is not None:
            add_distances(hits, near)
        return BoundedResults(
            hits=hits,
            total=total,
            facets=facets,
            lower_bound=lower_bound,
            facets_counted=facets_counted,
        )

    def _one_pass(
        self,
        selection: Selection,
        chosen: dict[str, str],
        page: CatalogQuery | None,
        by_title: bool,
        version: str = "",
        boosts: dict[str, float] | None = None,
        counted: bool = True,
    ) -> tuple[int, bool, bool, dict[str, dict[str, int]], list[Hit]]:
        """One query over the matched entries: the total under every chosen facet; the
        count of each facet value, each facet counted under the other facets' choices (so
        choosing a kind still shows how many results the other kinds have); and, unless
        ``page`` is None, that page of hits, best first (by name when ``by_title``), each
        score multiplied by ``1 + boost`` of its learned boost before the page is cut.
        Returned as (total, whether the total is a lower bound, whether the facets were
        counted, facet counts, hits).

        Matches are counted by their combination of facet values first (``facet_key``, an
        integer): many services share one (a kind, a topic, the same centers), so the
        values are unpacked once a combination, from one entry that has it, rather than
        once a match.

        A text search counts at most :data:`COUNT_BOUND` matches (``m`` stops there): past
        it the total is that bound, a lower bound (the total under chosen facets is then
        counted apart, as far as the bound), and no facet is counted (``facets`` is empty:
        the caller lists the facets' values without counts). The page is still ranked
        from every match under the chosen facets (``pool``), so the bound changes no
        result.

        Not ``counted``: the page alone, every count and facet left out (total 0)."""
        dialect = self.dialect
        tiered = selection.head_tsquery is not None and page is not None and not by_title
        bound = 0 if by_title else int(self.params.get("COUNT_BOUND", COUNT_BOUND) or 0)
        columns = ", ".join(
            [
                "e.id AS entry_id",
                "e.service_id AS service_id",
                # Only what the page needs: a narrow row keeps the matches in memory.
                "e.title AS title" if by_title else "'' AS title",
                # Tiered, the page's tiers rank their own candidates.
                f"{'0.0' if tiered else selection.score_sql} AS score",
                "e.facet_key AS facet_key",
            ]
        )
        inner, params = selection.sql(columns)
        # Without a chosen facet the page's first tier holds exactly the matches whose
        # head holds a word of the query: they are found and ranked once (``a``: from the
        # narrow table, or, for a query that needs all its words, the entries matching
        # it) and counted from there, before the other matches. The index is not scanned
        # twice for them: a broad query needing all its words (老人腿脚不好下不了楼吃饭)
        # scanned the whole vector's index once to count and once more for ``a``; with
        # more head matches than the bound, its other matches are not even looked for.
        from_tier = tiered and not chosen and selection.head_condition is not None
        if tiered and (on_head_table(selection) or from_tier):
            # The head matches first, then the other matches: past the bound the second
            # part is never read (nor its index scanned).
            if from_tier:
                heads_sql, heads_params = (
                    "SELECT entry_id, service_id, '' AS title, 0.0 AS score, facet_key FROM a",
                    [],
                )
            else:  # from the narrow table
                heads_sql, heads_params = head_matches(selection).sql(columns)
            # Not a head match: the head tested against its alternatives as one tsquery
            # (the same answer as any of them; one condition to plan, not 80).
            rest_sql, rest_params = selection.where(
                "NOT (e.search_head @@ to_tsquery('simple', %s))",
                [" | ".join(selection.head_condition[1])],
            ).sql(columns)
            inner = f"{heads_sql} UNION ALL {rest_sql}"
            params = [*heads_params, *rest_params]
        if bound:
            inner += " LIMIT %s"
            params.append(bound + 1)
        flags, flag_params = [], []
        for facet, token in chosen.items():
            condition, condition_params = dialect.has_facet(token, "s")
            flags.append(f"CASE WHEN {condition} THEN 1 ELSE 0 END AS ok_{facet}")
            flag_params += condition_params

        def all_but(facet: str | None) -> str:
            others = [f"k.ok_{name} = 1" for name in chosen if name != facet]
            return " AND ".join(others) or "1 = 1"

        if chosen:
            counted = (
                "CASE "
                + "".join(
                    f"WHEN substr(f.value, 1, {len(name) + 1}) = '{name}:' "
                    f"THEN (CASE WHEN {all_but(name)} THEN k.n ELSE 0 END) "
                    for name in FACETS
                )
                + "ELSE 0 END"
            )
        else:
            counted = "k.n"
        parts = [
            f"SELECT 0, NULL, CAST(SUM(CASE WHEN {all_but(None)} THEN k.n ELSE 0 END) AS {FLOAT}), "
            "0 FROM k",
            f"SELECT 1, f.value, CAST(SUM({counted}) AS {FLOAT}), 0 "
            f"FROM k, {dialect.each_facet('k')} GROUP BY f.value",
        ]
        counting, counting_params = "", []
        if bound:
            # How many matches were counted, whatever the chosen facets. Past the bound
            # no facet is counted (``c`` is empty: a quarter of the catalog's matches have
            # hundreds of combinations of facet values, each unpacked).
            parts.append(f"SELECT 3, NULL, CAST(COUNT(*) AS {FLOAT}), 0 FROM m")
            counting, counting_params = "WHERE (SELECT COUNT(*) FROM m) <= %s ", [bound]
        filtered = self._filtered(selection, chosen)
        if page is not None:
            order = "title, service_id" if by_title else "score DESC, service_id"
            if bound:
                # The page's candidates: every match under the chosen facets, not the
                # matches counted.
                pool_sql, pool_params = filtered.sql(columns)
                pool, within = f"({pool_sql})", "1 = 1"
            else:
                pool, pool_params, within = "m", [], "1 = 1"
                if chosen:
                    within = f"m.facet_key IN (SELECT k.facet_key FROM k WHERE {all_but(None)})"
            if tiered:
                tier_sql, tier_params, page_sql, page_params = self._tiered_page(
                    filtered if bound else selection,
                    within,
                    filtered,
                    page,
                    boosts,
                    guarded=not from_tier,
                )
                parts.append(page_sql)
            else:
                score, learned, learned_params = "m.score", "", []
                if boosts and not by_title:
                    rows_sql, learned_params = dialect.boost_rows(boosts)
                    score = "m.score * (1 + COALESCE(b.boost, 0))"
                    learned = f" LEFT JOIN ({rows_sql}) b ON b.boosted_id = m.service_id"
                # The page is cut from every match, then numbered (ten rows) to keep its order.
                parts.append(
                    f"SELECT 2, CAST(service_id AS TEXT), CAST(score AS {FLOAT}), "
                    f"ROW_NUMBER() OVER (ORDER BY {order}) FROM (SELECT m.service_id AS "
                    f"service_id, m.title AS title, {score} AS score FROM {pool} m{learned} "
                    f"WHERE {within} ORDER BY {order} LIMIT %s OFFSET %s) AS page"
                )
                page_params = [*pool_params, *learned_params, page.page_size, page.offset]
        tier = ""
        if tiered:
            tier = (
                f"a AS MATERIALIZED ({tier_sql}), h AS (SELECT entry_id, service_id, score "
                "FROM a ORDER BY score DESC, service_id LIMIT %s)"
            )
            tier_params = [*tier_params, page.offset + page.page_size]
        if from_tier:
            # ``m`` reads ``a``: defined before it.
            sql, params = f"WITH {tier}, ", [*tier_params, *params]
        else:
            sql = "WITH "
        sql += (
            f"m AS ({inner}), "
            "c AS (SELECT facet_key, COUNT(*) AS n, MIN(entry_id) AS sample "
            f"FROM m {counting}GROUP BY facet_key), "
            f"k AS (SELECT {', '.join(['c.facet_key AS facet_key', 's.facet_values AS facet_values', 'c.n AS n', *flags])} "
            f"FROM c JOIN {ENTRY_TABLE} s ON s.id = c.sample) "
        )
        params += [*counting_params, *flag_params]
        if tiered and not from_tier:
            sql += f", {tier} "
            params += tier_params
        if page is not None:
            params += page_params
        if not counted:
            # The page alone (appended last): ``c`` and ``k``, read by nothing, are never run.
            parts = parts[-1:]
        sql += " UNION ALL ".join(parts)
        total, counted_matches, hits = 0, 0, []
        facets: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        for part, token, number, position in self._rows(sql, params, version, selection.indexed):
            if part == 0:
                total = int(number or 0)
            elif part == 1:
                facet, _, value = token.partition(":")
                if number and facet in facets:
                    facets[facet][value] = int(number)
            elif part == 3:
                counted_matches = int(number or 0)
            else:
                hits.append((position, Hit(str(as_uuid(token)), float(number))))
        # UNION ALL keeps no order of its own: the page is put back in its order here.
        hits = [hit for _, hit in sorted(hits, key=lambda item: item[0])]
        lower_bound = bool(bound) and counted_matches > bound
        facets_counted = not lower_bound
        if lower_bound:
            facets = {facet: {} for facet in FACETS}
            total = counted_matches
            if chosen:
                # The matches under the chosen facets, counted apart as far as the bound.
                total = self._bounded_count(filtered, bound, version)
            lower_bound = total > bound
            total = min(total, bound)
        return total, lower_bound, facets_counted, facets, hits

    def _bounded_count(self, selection: Selection, bound: int, version: str = "") -> int:
        """How many entries ``selection`` holds, counted as far as ``bound + 1``."""
        sql, params = selection.sql("1")
        rows = self._rows(
            f"SELECT COUNT(*) FROM ({sql} LIMIT %s) AS counted",
            [*params, bound + 1],
            version,
            selection.indexed,
        )
        return int(rows[0][0])

    def _tiered_page(
        self,
        selection: Selection,
        within: str,
        filtered: Selection,
        page: CatalogQuery,
        boosts: dict[str, float],
        guarded: bool = True,
    ) -> tuple[str, list, str, list]:
        """PostgreSQL: the page, from matches ranked in two tiers, without ranking every
        match (a broad word matches a third of the catalog): (the SQL of CTE ``a`` and its
        parameters, that of the page and its parameters). ``filtered`` holds the page's
        candidates: the matches under the chosen facets (``selection`` with those
        meeting ``within``). ``guarded``: ``a`` is not read when ``m`` is empty.

        Tier one, ``a``: the matches whose name, keywords or pinyin hold any of the query's
        words (found through the head's own GIN index), each with the rank of that head
        times the learned boost; ``h`` (made by the caller) is the best of them, as far as
        the page reaches. Tier two, only when tier one does not
        fill the page: the matches in the description alone, by their whole vector, each
        ranked as the scan finds it (no second read of the entry), and at most
        :data:`TIER_TWO_BOUND` of them: the first the index lists (the same ones for every page
        within the bound, which paging past :data:`COUNT_BOUND` never leaves). Each tier's order is
        total (ties by service id), so pages neither repeat nor skip a match. The page's
        rows are numbered in order."""
        needed = page.offset + page.page_size
        head_joins, head_join_params, head = selection.head_rank or ("", [], HEAD_RANK)
        full, learned, learned_params = filtered.score_sql, ["", ""], []
        if boosts:
            rows_sql, learned_params = self.dialect.boost_rows(boosts)
            head = f"{head} * (1 + COALESCE(b.boost, 0))"
            full = f"{full} * (1 + COALESCE(b.boost, 0))"
            learned = [f" LEFT JOIN ({rows_sql}) b ON b.boosted_id = e.service_id"] * 2
        # The entries whose head holds a word of the query (its GIN index) and that match.
        # When the query is that of its head (one word, or any word will do), a word in
        # the head is a match: the head's words are the vector's, with the same weights,
        # so the vector is not tested again (it would be unpacked, entry by entry).
        # Those are read from the narrow table of heads (the same vectors, so the same
        # ranks) unless the query needs all its words (its whole vector is tested).
        if on_head_table(selection):
            heads = head_matches(selection)
            heads = dataclasses.replace(
                heads,
                from_sql=f"{heads.from_sql} CROSS JOIN to_tsquery('simple', %s) AS tsh"
                f"{head_joins}{learned[0]}",
                from_params=[
                    *heads.from_params,
                    selection.head_rank_tsquery,
                    *head_join_params,
                    *learned_params,
                ],
                score_sql=head,
            )
        else:
            conditions = selection.conditions
            if selection.tsquery == selection.head_tsquery:
                conditions = [("e.source = 'service'", []), *conditions[1:]]
            heads = Selection(
                f"{selection.from_sql} CROSS JOIN to_tsquery('simple', %s) AS tsh"
                f"{head_joins}{learned[0]}",
                [
                    *selection.from_params,
                    selection.head_rank_tsquery,
                    *head_join_params,
                    *learned_params,
                ],
                head,
                conditions,
            ).where(*(selection.head_condition or ("e.search_head @@ tsh", [])))
        if within != "1 = 1":
            heads = heads.where(within.replace("m.facet_key", "e.facet_key"))
        if guarded:
            # Nothing matched (a mode that finds nothing, before the next is tried):
            # neither tier scans its index again (``m`` holds every match, or the first).
            heads = heads.where("EXISTS (SELECT 1 FROM m)")
        tier_sql, tier_params = heads.sql(
            "e.id AS entry_id, e.service_id AS service_id, e.facet_key AS facet_key, "
            f"{head} AS score"
        )
        # Tier two: the other matches, ranked in the scan that finds them (the rank is
        # computed only for the rows the LIMIT lets through).
        rest = (
            Selection(
                f"{filtered.from_sql}{learned[1]}",
                [*filtered.from_params, *learned_params],
                full,
                filtered.conditions,
            )
            .where("e.id NOT IN (SELECT h.entry_id FROM h)")
            .where("(SELECT COUNT(*) FROM h) < %s", [needed])
            .where("EXISTS (SELECT 1 FROM m)")
        )
        rest_sql, rest_params = rest.sql(f"e.service_id AS service_id, {full} AS score")
        bound = int(self.params.get("TIER_TWO_BOUND", TIER_TWO_BOUND) or 0)
        if bound:
            rest_sql += " LIMIT %s"
            rest_params.append(max(bound, needed))
        page_sql = (
            f"SELECT 2, CAST(service_id AS TEXT), CAST(score AS {FLOAT}), "
            "ROW_NUMBER() OVER (ORDER BY tier, score DESC, service_id) FROM ("
            "SELECT 1 AS tier, h.service_id, h.score FROM h "
            f"UNION ALL SELECT 2, t.service_id, t.score FROM ({rest_sql}) t "
            "ORDER BY tier, score DESC, service_id LIMIT %s OFFSET %s) AS page"
        )
        return tier_sql, tier_params, page_sql, [*rest_params, page.page_size, page.offset]

    def _rows(
        self, sql: str, params: list, version: str = "", indexed: bool = False
    ) -> list[tuple]:
        """The rows of a search query, from the result cache while the index is unchanged.
        Residents ask the same few things all day (老年证, 低保), and the broadest words
        match thousands of services whose counts the page shows."""
        seconds = self.params.get("RESULT_CACHE_SECONDS", RESULT_CACHE_SECONDS)
        key = None
        if seconds:
            digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
            key = f"search:database:{version or IndexVersion.current()}:{digest}"
            rows = cache_get(key)
            if rows is not None:
                return rows
        # The planner settings hold for a transaction of this query alone: inside a
        # caller's transaction they would hold for the rest of it, so there the query
        # is planned as it comes.
        tuned = indexed and connection.vendor == "postgresql" and not connection.in_atomic_block
        with transaction.atomic() if tuned else nullcontext(), connection.cursor() as cursor:
            if tuned:
                cursor.execute(INDEXED)
            cursor.execute(sql, params)
            rows = [tuple(row) for row in cursor.fetchall()]
        if key:
            cache_set(key, rows, seconds)
        return rows

    def _by_distance(
        self, filtered: Selection, near, query: CatalogQuery, boosts: dict[str, float]
    ) -> list[Hit]:
        """The page of the matches nearest first: each match with the centers inside the
        circle it is offered at, in one query (however many match, no list of ids)."""
        sql, params = filtered.sql(f"e.service_id AS service_id, {filtered.score_sql} AS score")
        centers = ", ".join(["%s"] * len(near))
        links = ServiceAtLocation._meta.db_table
        location_pk = ServiceAtLocation._meta.get_field("location").target_field
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.service_id, m.score, l.location_id FROM ({sql}) m "
                f"JOIN {links} l ON l.service_id = m.service_id WHERE l.location_id IN ({centers})",
                [*params, *(location_pk.get_db_prep_value(pk, connection) for pk in near)],
            )
            rows = cursor.fetchall()
        scores = {str(as_uuid(pk)): float(score) for pk, score, _ in rows}
        for key in scores.keys() & boosts.keys():
            scores[key] *= 1 + boosts[key]
        metres = nearest_metres(((pk, location_id) for pk, _, location_id in rows), near)
        hits = sorted(
            (Hit(key, score, metres[key]) for key, score in scores.items()),
            key=lambda hit: (hit.distance_m, -hit.score, hit.service_id),
        )
        return hits[query.offset : query.offset + query.page_size]

    def search_pages(self, query: CatalogQuery, mode: Mode, limit: int) -> list[int]:
        if query.analysed.is_empty:
            return []
        selection = self._selection(query, mode, "page")
        if selection is None:
            return []
        sql, params = selection.sql(f"e.page_id, {selection.score_sql} AS score")
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} ORDER BY score DESC, e.page_id LIMIT %s", [*params, limit])
            return [row[0] for row in cursor.fetchall()]

    def search_activities(
        self, query: CatalogQuery, mode: Mode, filters: dict[str, str], limit: int
    ) -> tuple[list[tuple[int, float]], int]:
        """One query: the page of activities and, in each row, how many match. Whether an
        activity has a session to come is asked of the occurrences table in that query,
        so it is true at ``query.moment`` without reindexing. Not cached: the moment
        changes with every search."""
        from search.activities import upcoming_occurrences

        if query.analysed.is_empty:
            return [], 0
        selection = self._selection(query, mode, "activity")
        if selection is None:
            return [], 0
        upcoming = upcoming_occurrences(query.moment or timezone.now()).values("activity_id")
        sub_sql, sub_params = upcoming.query.sql_with_params()
        selection = selection.where(f"e.activity_id IN ({sub_sql})", sub_params)
        for facet, value in filters.items():
            selection = selection.where(*self.dialect.has_facet(facet_token(facet, value)))
        # Counted outside the match: FTS5's bm25 cannot sit beside a window function.
        sql, params = selection.sql(f"e.activity_id AS activity_id, {selection.score_sql} AS score")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT activity_id, score, COUNT(*) OVER () FROM ({sql}) m "
                "ORDER BY score DESC, activity_id LIMIT %s",
                [*params, limit],
            )
            rows = cursor.fetchall()
        total = int(rows[0][2]) if rows else 0
        return [(int(pk), float(score)) for pk, score, _ in rows], total

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
        selection = self.dialect.matching(self.dialect.expression([group], Mode.STRICT), "service")
        sql, params = selection.sql(
            f"e.service_id, e.title, e.pinyin_tokens, {selection.score_sql} AS score"
        )
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} ORDER BY score DESC LIMIT %s", [*params, limit * 5])
            entries = cursor.fetchall()
        # Names whose pinyin is exactly what was typed (lnz → 老年证) before names that only
        # begin with it, then the shorter name.
        ranked = sorted(
            entries,
            key=lambda e: (letters not in e[2].split(), -e[3], len(e[1])),
        )
        return [str(as_uuid(pk)) for pk, _, _, _ in ranked[:limit]]


#: PostgreSQL: the GIN indexes of the entries and of their heads (migrations 0002, 0011
#: and 0016).
GIN_INDEXES = ("search_entry_vector", "search_entry_head", "search_service_head_vector")


def on_head_table(selection: Selection) -> bool:
    """PostgreSQL: whether ``selection``'s head matches can be read from
    :data:`HEAD_TABLE` alone: each is then a match (the query is that of its head: one
    word, or any word will do), and the head condition is known."""
    return (
        selection.head_condition is not None
        and selection.tsquery is not None
        and selection.tsquery == selection.head_tsquery
    )


def head_matches(selection: Selection) -> Selection:
    """The entries of :data:`HEAD_TABLE` (services only) whose head holds any of the
    query's words, under ``selection``'s other conditions (the circle, open now, the
    chosen facets: on the service id and the facet values, which the table holds)."""
    return Selection(f"{HEAD_TABLE} e", [], "0.0", selection.conditions[1:]).where(
        *selection.head_condition
    )


def flush_pending_entries() -> None:
    """PostgreSQL: move the words of entries just written from the GIN indexes' pending
    lists into the indexes proper. GIN indexes take new entries into an unsorted list
    (up to ``gin_pending_list_limit``, 4 MB) that every search then reads through in full
    until a vacuum merges it: after an import or a rebuild that list made each full-text
    query take 20-30 ms whatever it matched. Merged at each write (in its transaction),
    it never holds more than the entries being written. Only the indexes' owner may
    merge: a site whose database user does not own them leaves it to autovacuum."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT " + ", ".join(["gin_clean_pending_list(%s::regclass)"] * len(GIN_INDEXES)),
                list(GIN_INDEXES),
            )
    except DatabaseError as error:
        logger.warning("search index: pending entries not merged (%s)", error)


def near_locations(query: CatalogQuery) -> dict[int, float] | None:
    """Centers inside the walking circle, with their distance in metres (None: no circle)."""
    circle = query.circle
    if circle is None:
        return None
    return locations_within(circle.latitude, circle.longitude, circle.radius_m)


def add_distances(hits: list[Hit], near: dict[int, float]) -> None:
    """Set each hit's distance: that of its nearest center inside the circle."""
    if not hits:
        return
    links = ServiceAtLocation.objects.filter(
        service_id__in=[hit.service_id for hit in hits], location_id__in=list(near)
    ).values_list("service_id", "location_id")
    metres = nearest_metres(links, near)
    for hit in hits:
        hit.distance_m = metres.get(hit.service_id)


def nearest_metres(links, near: dict) -> dict[str, int]:
    """Service id → metres to its nearest center inside the circle, from (service id,
    location id) pairs of the centers it is offered at."""
    nearest: dict[str, int] = {}
    for service_id, location_id in links:
        key = str(as_uuid(service_id))
        metres = round(near[as_uuid(location_id)])
        nearest[key] = min(nearest.get(key, metres), metres)
    return nearest
