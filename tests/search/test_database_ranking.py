"""The database backend answers a broad word without ranking every match: matches are
counted by their combination of facet values, and on PostgreSQL the page is ranked in two
tiers (name, keywords or pinyin first, then the description alone). What a resident sees
must not change with that: every match once across the pages, the counts of the catalog,
and services that name the word before those that only mention it."""

from unittest import skipUnless

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from catalog.models import Service
from search.backends.database import facet_key, rarity_classes, word_shares
from search.catalog import SearchParameters, search_catalog
from search.models import SearchEntry
from tests.search.base import DemoCatalogTestCase


def all_pages(params: dict, page_size: int) -> tuple[int, list[str]]:
    """The total and the service ids of every page, in order."""
    ids, page, total = [], 1, None
    while True:
        result, _ = search_catalog(
            {**params, "page": str(page), "page_size": str(page_size)}, log=False
        )
        total = result.total if total is None else total
        if not result.hits:
            return total, ids
        ids += [str(hit.service.pk) for hit in result.hits]
        page += 1


class FacetKeyTests(DemoCatalogTestCase):
    def test_entries_with_the_same_facet_values_share_a_key(self):
        entries = list(SearchEntry.objects.values_list("facet_values", "facet_key"))
        self.assertTrue(entries)
        by_values = {}
        for values, key in entries:
            self.assertEqual(key, facet_key(values))
            by_values.setdefault(key, set()).add(tuple(values))
        self.assertTrue(all(len(combinations) == 1 for combinations in by_values.values()))
        self.assertLess(len(by_values), len(entries), "services share combinations")


class PagingTests(DemoCatalogTestCase):
    def test_paging_through_a_broad_word_shows_every_match_once(self):
        for params in ({"q": "服务"}, {"q": "老人"}, {"q": "服务", "kind": "government"}):
            with self.subTest(params):
                total, ids = all_pages(params, page_size=7)
                self.assertGreater(total, 7)
                self.assertEqual(len(ids), total)
                self.assertEqual(len(set(ids)), total)
                # A longer page is the same order.
                result, _ = search_catalog({**params, "page_size": "21"}, log=False)
                self.assertEqual([str(hit.service.pk) for hit in result.hits], ids[:21])

    def test_one_full_text_query_whichever_page(self):
        for page in ("1", "3"):
            with CaptureQueriesContext(connection) as queries:
                search_catalog({"q": "服务", "page": page, "page_size": "5"}, log=False)
            counted = [q for q in queries.captured_queries if "m AS (SELECT" in q["sql"]]
            self.assertEqual(len(counted), 1, page)


@skipUnless(connection.vendor == "postgresql", "SQLite ranks every match by bm25")
class TierTests(DemoCatalogTestCase):
    def head_matches(self, text: str) -> dict[str, bool]:
        """Service id → whether its name, keywords or pinyin hold one of the query's
        readings (every token of an alternative)."""
        analysed = SearchParameters({"q": text}).read().analysed
        alternatives = [alt for group in analysed.groups for alt in group.alternatives]
        # A topic a need leads to puts no service in the first tier (unless it is all).
        alternatives = [alt for alt in alternatives if not alt.lead] or alternatives
        found = {}
        for service_id, *columns in SearchEntry.objects.filter(source="service").values_list(
            "service_id", "name_tokens", "keyword_tokens", "pinyin_tokens"
        ):
            head = set(" ".join(columns).split())
            found[str(service_id)] = any(
                all(token in head for token in alt.tokens) for alt in alternatives
            )
        return found

    def test_services_naming_the_word_come_before_those_only_describing_it(self):
        for text in ("义诊", "理发", "老人"):
            with self.subTest(text):
                total, ids = all_pages({"q": text}, page_size=50)
                heads = self.head_matches(text)
                tiers = [heads[pk] for pk in ids]
                self.assertIn(True, tiers)
                first_description_only = tiers.index(False) if False in tiers else len(tiers)
                self.assertNotIn(True, tiers[first_description_only:], text)


@skipUnless(connection.vendor == "postgresql", "GIN indexes are PostgreSQL's")
class PendingEntriesTests(DemoCatalogTestCase):
    def test_an_index_write_leaves_no_pending_entries_for_searches_to_read(self):
        from catalog.models import Service
        from search.backends import get_search_backend
        from search.backends.database import GIN_INDEXES

        service = Service.objects.exclude(status="defunct").order_by("name").first()
        with connection.cursor() as cursor:
            get_search_backend().index_services([service.pk])
            for index in GIN_INDEXES:
                # The pages it would merge now: none, the write merged its entries.
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
                self.assertEqual(cursor.fetchone()[0], 0, index)
        result, _ = search_catalog({"q": service.name}, log=False)
        self.assertIn(str(service.pk), [str(hit.service.pk) for hit in result.hits])


def settings_with(**values):
    from django.conf import settings
    from django.test import override_settings

    return override_settings(JIAMENKOU_SEARCH={**settings.JIAMENKOU_SEARCH, **values})


@skipUnless(connection.vendor == "postgresql", "the tsquery matching is PostgreSQL's")
class AlternativeMatchingTests(DemoCatalogTestCase):
    """Each alternative of a query is matched on its own (one GIN scan each, OR-ed): the
    services found must be exactly those its whole tsquery finds."""

    def whole_expression_matches(self, text: str, mode) -> set[str]:
        from search.backends.database import PostgresDialect
        from search.query import groups_for

        analysed = SearchParameters({"q": text}).read().analysed
        expression = PostgresDialect().expression(groups_for(analysed, mode), mode)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT service_id FROM search_searchentry "
                "WHERE source = 'service' AND search_vector @@ to_tsquery('simple', %s)",
                [expression],
            )
            return {str(row[0]) for row in cursor.fetchall()}

    def test_a_need_in_many_words_finds_what_its_whole_query_finds(self):
        from search.query import Mode

        with settings_with(COUNT_BOUND=0, RESULT_CACHE_SECONDS=0):
            for text in ("老人腿脚不好下不了楼吃饭", "孩子放学没人管", "老人", "lnz", "义诊 理发"):
                with self.subTest(text):
                    result, _ = search_catalog({"q": text, "page_size": "1"}, log=False)
                    self.assertGreater(result.total, 0)
                    total, ids = all_pages({"q": text}, page_size=50)
                    self.assertEqual(len(ids), total)
                    if result.mode in (Mode.STRICT, Mode.RELAXED):
                        self.assertEqual(set(ids), self.whole_expression_matches(text, result.mode))

    def test_an_alternative_another_implies_is_not_scanned(self):
        """孩子 & 寒假 & 托管 finds nothing that 寒假 & 托管 does not: a need is matched by the
        alternatives it needs, each scanned once, and finds what its whole query finds."""
        from search.backends.database import PostgresDialect
        from search.query import Mode, groups_for

        text = "放寒假了孩子一个人在家"
        analysed = SearchParameters({"q": text}).read().analysed
        alternatives = [
            alternative
            for group in groups_for(analysed, Mode.RELAXED)
            for alternative in group.alternatives
        ]
        dialect = PostgresDialect()
        # The topics the need leads to are no head's words (see TierTests.head_matches).
        heads = [alternative for alternative in alternatives if not alternative.lead]
        needed = dialect.fewest(heads)
        self.assertLess(len(needed), len(set(heads)))
        for alternative in heads:
            terms = set(dialect.terms(alternative))
            self.assertTrue(any(set(dialect.terms(kept)) <= terms for kept in needed))
        with settings_with(COUNT_BOUND=0, RESULT_CACHE_SECONDS=0):
            with CaptureQueriesContext(connection) as queries:
                result, _ = search_catalog({"q": text}, log=False)
            self.assertIs(result.mode, Mode.RELAXED)
            total, ids = all_pages({"q": text}, page_size=50)
        self.assertEqual(len(ids), total)
        self.assertEqual(set(ids), self.whole_expression_matches(text, Mode.RELAXED))
        searches = [q["sql"] for q in queries.captured_queries if "m AS (SELECT" in q["sql"]]
        # The head's index is asked once an alternative needed (the page's first tier,
        # counted from there too), and the other matches' heads once as their whole tsquery.
        self.assertEqual(searches[-1].count("e.search_head @@ to_tsquery"), len(needed) + 1)

    def test_each_alternative_is_its_own_index_condition(self):
        with CaptureQueriesContext(connection) as queries:
            search_catalog({"q": "老人腿脚不好下不了楼吃饭"}, log=False)
        searches = [q["sql"] for q in queries.captured_queries if "m AS (SELECT" in q["sql"]]
        self.assertTrue(searches)
        self.assertGreater(searches[-1].count("e.search_vector @@ to_tsquery"), 2)
        self.assertGreater(searches[-1].count("e.search_head @@ to_tsquery"), 2)


@skipUnless(connection.vendor == "postgresql", "SQLite ranks every match by bm25")
class TierTwoBoundTests(DemoCatalogTestCase):
    """Tier two (matches in the description alone) ranks at most TIER_TWO_BOUND of them:
    the page stays full, tier one first, and one full-text query answers it."""

    head_matches = TierTests.head_matches

    def test_a_bounded_second_tier_still_fills_the_page_after_the_first(self):
        text = "老人"
        heads = self.head_matches(text)
        with settings_with(COUNT_BOUND=0, RESULT_CACHE_SECONDS=0):
            unbounded, _ = search_catalog({"q": text, "page_size": "50"}, log=False)
            with settings_with(TIER_TWO_BOUND=1), CaptureQueriesContext(connection) as queries:
                result, _ = search_catalog({"q": text, "page_size": "50"}, log=False)
        ids = [str(hit.service.pk) for hit in result.hits]
        everything = [str(hit.service.pk) for hit in unbounded.hits]
        self.assertEqual(len(ids), len(everything))
        named = [pk for pk in everything if heads[pk]]
        self.assertTrue(named)
        self.assertIn(False, [heads[pk] for pk in ids], "the page reaches the second tier")
        self.assertEqual(ids[: len(named)], named, "the first tier is unchanged")
        self.assertEqual(len(set(ids)), len(ids))
        counted = [q for q in queries.captured_queries if "m AS (SELECT" in q["sql"]]
        self.assertEqual(len(counted), 1)


class RarityClassTests(TestCase):
    """How a query's words are put in classes of rarity (PostgreSQL weighs each class by
    one ts_rank; the rule itself is plain arithmetic)."""

    def test_words_about_as_rare_make_one_class(self):
        classes = rarity_classes({"血压": 3.0, "降压": 3.4}, 3)
        self.assertEqual(classes, [(["血压", "降压"], 3.2)])

    def test_common_and_rare_words_are_weighted_apart(self):
        rarities = {"服务": 0.2, "社区": 0.4, "健康": 2.5, "门诊": 3.9, "慢特病": 5.3}
        classes = rarity_classes(rarities, 3)
        self.assertEqual(len(classes), 3)
        self.assertEqual(sorted(word for words, _ in classes for word in words), sorted(rarities))
        self.assertEqual(classes[0][0], ["服务", "社区"])
        self.assertEqual(classes[-1][0], ["门诊", "慢特病"])
        weights = [weight for _, weight in classes]
        self.assertEqual(weights, sorted(weights))
        self.assertAlmostEqual(weights[-1], 4.6)
        self.assertEqual(len(rarity_classes(rarities, 1)), 1)


@skipUnless(connection.vendor == "postgresql", "SQLite's bm25 weighs words by rarity itself")
class RarityWeightingTests(DemoCatalogTestCase):
    """PostgreSQL's ts_rank counts every word of a query alike; a need said in everyday
    words stands for dozens of them, common ones (健康, a topic's token) among the one
    that names what answers it. The words are weighted by their share of the index, read
    from the statistics a rebuild refreshes."""

    query = "常年吃降压药想多报销点"
    answer = "门诊慢性病、特殊病待遇资格认定"

    def names(self, query: str = "", **params) -> list[str]:
        with settings_with(RESULT_CACHE_SECONDS=0, **params):
            result, _ = search_catalog({"q": query or self.query}, log=False)
        return [hit.service.name for hit in result.hits]

    def test_the_rebuild_leaves_the_words_shares_to_weigh_by(self):
        shares = word_shares()
        self.assertIsNotNone(shares, "rebuild_index analyses the index")
        self.assertGreater(shares.rarity("慢特病"), shares.rarity("健康"))
        self.assertGreater(shares.rarity("健康"), shares.rarity("服务"))

    def test_the_rare_word_of_a_need_outweighs_its_common_ones(self):
        query, answer = "住六楼没电梯我妈下不了楼", "既有住宅加装电梯申请"
        self.assertEqual(self.names(query)[0], answer)
        # Every word alike (one class), a service saying the need's common words more
        # often comes first.
        self.assertNotEqual(self.names(query, RARITY_CLASSES=1)[0], answer)

    def test_the_shares_are_read_once_for_each_version_of_the_index(self):
        def reads(text: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                self.names(text)
            return sum("pg_stats" in query["sql"] for query in queries.captured_queries)

        reads("老人 吃饭")
        self.assertEqual(reads(self.query), 0)  # every reading, from the process's copy
        service = Service.objects.get(name=self.answer)
        with self.captureOnCommitCallbacks(execute=True):
            service.alternate_name = "门慢"
            service.save()  # a write renews the index's version
        self.assertEqual(reads(self.query), 1)

    def test_a_topic_the_need_leads_to_puts_no_service_first_by_its_name(self):
        # 中医药健康义诊 holds the health topic's token in its keywords (健康 of 医疗健康);
        # it no longer comes before what answers the need's own words.
        weighted = self.names()
        self.assertLess(weighted.index(self.answer), weighted.index("中医药健康义诊"))
