"""Catalog search on the demo catalog, through the database backend: what residents type
finds the right services, with facets, filters, the walking circle and suggestions."""

import contextlib
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.models import Service
from search.backends import get_search_backend
from search.catalog import SearchParameters, search_catalog
from search.models import SearchEntry, SynonymSet
from search.query import Mode
from tests.search.base import DemoCatalogTestCase
from tests.search.helpers import names

SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY_MORNING = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
SUNDAY_NIGHT = datetime(2026, 11, 22, 23, 0, tzinfo=SHANGHAI)


class FindingServicesTests(DemoCatalogTestCase):
    def test_alternate_name_finds_the_official_service_first(self):
        self.assertEqual(names("老年证")[0], "老年人优待证办理")

    def test_editor_synonym_finds_the_official_name(self):
        SynonymSet.objects.create(terms="低保，最低生活保障")
        self.assertEqual(names("我想办低保")[0], "最低生活保障待遇申请")

    def test_a_synonym_edit_applies_to_the_next_query_without_reindexing(self):
        SynonymSet.objects.all().delete()
        self.assertNotIn("室内排水管道疏通", names("堵了"))
        SynonymSet.objects.create(terms="堵了，疏通")
        self.assertIn("室内排水管道疏通", names("堵了"))

    def test_need_words_through_synonyms(self):
        SynonymSet.objects.create(terms="修，维修，修理")
        SynonymSet.objects.create(terms="水管，管道，排水，水电")
        found = names("修水管")[:3]
        self.assertIn("房屋水电维修", found)

    def test_full_pinyin_and_initials_find_the_name(self):
        self.assertIn(names("yizhen")[0], {"专家进社区义诊", "中医药健康义诊"})
        self.assertIn("专家进社区义诊", names("yz")[:3])
        self.assertEqual(names("laonianzheng")[0], "老年人优待证办理")

    def test_traditional_characters(self):
        self.assertEqual(names("老年證")[0], "老年人优待证办理")
        self.assertIn(names("義診")[0], {"专家进社区义诊", "中医药健康义诊"})

    def test_a_homophone_slip_finds_the_service_and_suggests_the_right_word(self):
        # exact=1: as typed, without the automatic correction (tests/search/test_slip_correction.py).
        result, _ = search_catalog({"q": "老年正", "exact": "1"}, log=False)
        self.assertEqual(result.mode, Mode.HOMOPHONE)
        self.assertEqual(result.hits[0].service.name, "老年人优待证办理")
        self.assertEqual(result.suggestion, "老年证")

    def test_mixed_script_query(self):
        self.assertEqual(names("老年zheng")[0], "老年人优待证办理")

    def test_words_matched_loosely_when_no_service_has_them_all(self):
        result, _ = search_catalog({"q": "孩子 放学 火箭"}, log=False)
        self.assertEqual(result.mode, Mode.RELAXED)
        self.assertTrue(result.messages)
        self.assertIn("四点半课堂课后看护服务", [hit.service.name for hit in result.hits])

    def test_matched_words_are_highlighted_and_escaped(self):
        result, _ = search_catalog({"q": "义诊"}, log=False)
        hit = result.hits[0]
        self.assertIn("<mark>义诊</mark>", hit.name_html)
        self.assertIn("<mark>", hit.snippet_html)
        Service.objects.filter(pk=hit.service.pk).update(description="<b>义诊</b> & 咨询")
        result, _ = search_catalog({"q": "义诊"}, log=False)
        snippet = next(h.snippet_html for h in result.hits if h.service.pk == hit.service.pk)
        self.assertIn("&lt;b&gt;<mark>义诊</mark>&lt;/b&gt; &amp; 咨询", snippet)

    def test_defunct_services_are_never_found(self):
        self.assertNotIn("手机电脑维修", names("手机电脑维修"))
        self.assertIn("厨卫局部翻新", names("厨卫局部翻新"))  # temporarily closed: still shown


class FacetAndFilterTests(DemoCatalogTestCase):
    def facets(self, params, **kwargs):
        result, problems = search_catalog(params, log=False, **kwargs)
        self.assertEqual(problems, [])
        return result, {
            f: {v.value: v.count for v in values} for f, values in result.facets.items()
        }

    def test_facet_counts_add_up_to_the_results(self):
        result, facets = self.facets({"q": "老年"})
        self.assertEqual(sum(facets["kind"].values()), result.total)
        self.assertEqual(sum(facets["cost"].values()), result.total)
        self.assertGreater(facets["kind"]["low_cost"], 0)
        self.assertIn("HHD-CH", facets["center"])

    def test_choosing_a_kind_keeps_the_other_kinds_counts(self):
        _, before = self.facets({"q": "老年"})
        result, after = self.facets({"q": "老年", "kind": "low_cost"})
        self.assertEqual(result.total, before["kind"]["low_cost"])
        self.assertEqual(after["kind"], before["kind"])
        self.assertTrue(all(hit.service.kind == "low_cost" for hit in result.hits))
        self.assertLessEqual(sum(after["topic"].values()), sum(before["topic"].values()))

    def test_facet_counts_are_those_of_the_catalog_under_the_other_choices(self):
        """Counted from the index's own facet values, each count must be what the catalog
        says of the matching services, under the other facets' choices."""
        everything, _ = search_catalog({"q": "服务", "page_size": 50}, log=False)
        self.assertGreater(everything.total, 50)
        for chosen in ({}, {"kind": "market"}, {"kind": "government", "audience": "elderly"}):
            with self.subTest(chosen):
                result, counts = self.facets({"q": "服务", **chosen})
                matched = self.matching_services({"q": "服务"})
                for facet, values in counts.items():
                    others = {name: value for name, value in chosen.items() if name != facet}
                    admitted = [
                        s
                        for s in matched
                        if all(value in facet_values_of(s)[name] for name, value in others.items())
                    ]
                    expected = {}
                    for service in admitted:
                        for value in facet_values_of(service)[facet]:
                            expected[value] = expected.get(value, 0) + 1
                    self.assertEqual(
                        {v: c for v, c in values.items() if c},
                        {v: c for v, c in expected.items() if c},
                        facet,
                    )
                within = [
                    s
                    for s in matched
                    if all(value in facet_values_of(s)[name] for name, value in chosen.items())
                ]
                self.assertEqual(result.total, len(within))

    def matching_services(self, params) -> list[Service]:
        """Every service the search finds, through its pages."""
        found, page = [], 1
        while True:
            result, _ = search_catalog({**params, "page_size": 50, "page": page}, log=False)
            found += [hit.service.pk for hit in result.hits]
            if page >= result.page_count:
                break
            page += 1
        self.assertEqual(len(found), len(set(found)))
        return list(
            Service.objects.filter(pk__in=found).prefetch_related(
                "topics", "audiences", "channels", "cost_options", "service_at_locations__location"
            )
        )

    def test_an_unknown_facet_is_refused_before_it_reaches_the_sql(self):
        query = SearchParameters({"q": "服务"}).read()
        query.filters = {"kind = 1) OR (1": "x"}
        with self.assertRaisesRegex(ValueError, "unknown facet"):
            get_search_backend().search_services(query, Mode.STRICT)

    def test_every_facet_filters(self):
        for params, check in [
            ({"topic": "health"}, lambda s: "health" in {t.code for t in s.topics.all()}),
            ({"audience": "elderly"}, lambda s: "elderly" in {t.code for t in s.audiences.all()}),
            ({"cost": "free"}, lambda s: s.cost_category() == "free"),
            ({"channel": "online"}, lambda s: "online" in {c.channel for c in s.channels.all()}),
            (
                {"center": "HHD-CH-01"},
                lambda s: any(
                    link.location.external_identifier == "HHD-CH-01"
                    for link in s.service_at_locations.all()
                ),
            ),
        ]:
            with self.subTest(params):
                result, _ = search_catalog({"q": "服务", **params, "page_size": 50}, log=False)
                self.assertGreater(result.total, 0)
                for hit in result.hits:
                    self.assertTrue(check(hit.service), hit.service.name)

    def test_open_now(self):
        open_friday, _ = search_catalog(
            {"q": "老年证", "open_now": "1"}, moment=FRIDAY_MORNING, log=False
        )
        closed_sunday, _ = search_catalog(
            {"q": "老年证", "open_now": "1"}, moment=SUNDAY_NIGHT, log=False
        )
        self.assertEqual(open_friday.hits[0].service.name, "老年人优待证办理")
        self.assertNotIn("老年人优待证办理", [hit.service.name for hit in closed_sunday.hits])

    def test_open_now_still_counts_the_kinds_not_chosen(self):
        """Choosing a kind while open now must not make the other kinds look empty."""
        _, everything = self.facets({"q": "服务", "open_now": "1"}, moment=FRIDAY_MORNING)
        result, chosen = self.facets(
            {"q": "服务", "open_now": "1", "kind": "market"}, moment=FRIDAY_MORNING
        )
        self.assertEqual(chosen["kind"], everything["kind"])
        self.assertGreater(everything["kind"]["government"], 0)
        self.assertEqual(result.total, everything["kind"]["market"])
        self.assertTrue(all(hit.service.kind == "market" for hit in result.hits))

    def test_walking_circle_of_a_center_sorted_by_distance(self):
        result, problems = search_catalog(
            {"q": "老年", "near": "HHD-CH", "minutes": "10", "sort": "distance", "page_size": 50},
            log=False,
        )
        self.assertEqual(problems, [])
        self.assertGreater(result.total, 0)
        distances = [hit.distance_m for hit in result.hits]
        self.assertTrue(all(d is not None and d <= 800 for d in distances))
        self.assertEqual(distances, sorted(distances))
        # 向阳 (about 2 km away) is outside a 10-minute walk, inside a 30-minute one.
        centers = {
            link.location.external_identifier
            for hit in result.hits
            for link in hit.service.service_at_locations.all()
        }
        farther, _ = search_catalog({"q": "老年", "near": "HHD-CH", "minutes": "30"}, log=False)
        self.assertGreater(farther.total, result.total)
        self.assertIn("HHD-CH-01", centers)

    def test_walking_circle_of_a_point(self):
        result, problems = search_catalog(
            {"q": "义诊", "near": "39.1248,117.2447", "minutes": "15"}, log=False
        )
        self.assertEqual(problems, [])
        self.assertTrue(result.hits)
        self.assertTrue(all(hit.distance_m <= 1200 for hit in result.hits))

    def test_empty_query_browses_with_filters(self):
        result, _ = search_catalog({"kind": "market"}, log=False)
        self.assertEqual(
            result.total, Service.objects.filter(kind="market").exclude(status="defunct").count()
        )


def facet_values_of(service: Service) -> dict[str, set[str]]:
    """A service's facet values as the catalog itself says them."""
    return {
        "kind": {service.kind},
        "topic": {term.code for term in service.topics.all()},
        "audience": {term.code for term in service.audiences.all()},
        "center": {
            link.location.external_identifier for link in service.service_at_locations.all()
        },
        "cost": {service.cost_category()},
        "channel": {row.channel for row in service.channels.all()},
    }


class IndexFollowsTheCatalogTests(DemoCatalogTestCase):
    def test_saving_renaming_and_deleting_a_service(self):
        service = Service.objects.get(name="爱心义剪")
        with self.captureOnCommitCallbacks(execute=True):
            service.alternate_name = "绞脸"
            service.save()
        self.assertEqual(names("绞脸")[0], "爱心义剪")
        with self.captureOnCommitCallbacks(execute=True):
            service.status = "defunct"
            service.save()
        self.assertNotIn("爱心义剪", names("绞脸"))
        self.assertFalse(SearchEntry.objects.filter(service=service).exists())
        with self.captureOnCommitCallbacks(execute=True):
            service.status = "active"
            service.save()
        self.assertIn("爱心义剪", names("绞脸"))
        with self.captureOnCommitCallbacks(execute=True):
            service.delete()
        self.assertEqual(names("绞脸"), [])

    def test_a_rolled_back_savepoint_loses_nothing_else(self):
        kept, dropped = Service.objects.get(name="爱心义剪"), Service.objects.get(name="开锁换锁")
        with self.captureOnCommitCallbacks(execute=True):
            kept.alternate_name = "绞脸"
            kept.save()
            with contextlib.suppress(RuntimeError), transaction.atomic():
                dropped.alternate_name = "绞脸"
                dropped.save()
                raise RuntimeError("the editor's second change fails")
        self.assertEqual(names("绞脸"), ["爱心义剪"])

    def test_rebuild_indexes_every_visible_service(self):
        backend = get_search_backend()
        visible = Service.objects.exclude(status="defunct").count()
        self.assertEqual(backend.document_count("service"), visible)


class QueryCountTests(DemoCatalogTestCase):
    def count_queries(self, params) -> int:
        cache.clear()  # each search from nothing cached, so the counts compare
        with CaptureQueriesContext(connection) as queries:
            result, _ = search_catalog(params, log=False)
        self.assertTrue(result.hits)
        return len(queries)

    def test_a_search_reads_the_synonyms_and_the_index_version_once(self):
        # A first page few services fill (related services follow), a slip corrected: every
        # step of one search reads the synonyms it was analysed with.
        for query in ["卫生间想装个扶手", "老人助参", "托育"]:
            with self.subTest(query=query):
                cache.clear()
                with CaptureQueriesContext(connection) as queries:
                    search_catalog({"q": query}, log=False)
                tables = [q["sql"] for q in queries.captured_queries]
                synonym_reads = [sql for sql in tables if 'FROM "search_synonymset"' in sql]
                version_reads = [sql for sql in tables if 'FROM "search_indexversion"' in sql]
                self.assertEqual(len(synonym_reads), 1, synonym_reads)
                self.assertEqual(len(version_reads), 1, version_reads)

    def test_a_page_with_related_services_reads_the_audiences_once(self):
        # 卫生间想装个扶手: one result, then related services; both lists are ordered by
        # audience from one read of the services' audiences.
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            result, _ = search_catalog({"q": "卫生间想装个扶手"}, log=False)
        self.assertTrue(result.related)
        links = Service.audiences.through._meta.db_table
        audience_reads = [q["sql"] for q in queries.captured_queries if links in q["sql"]]
        self.assertEqual(len(audience_reads), 1, audience_reads)

    def test_queries_do_not_grow_with_the_page_size_or_the_matches(self):
        small = self.count_queries({"q": "服务", "page_size": 10})
        large = self.count_queries({"q": "服务", "page_size": 50})
        self.assertEqual(small, large)
        # A first page one result fills is followed by the services like it: the first
        # result's name and topics read, their page searched, and those services read.
        narrow = self.count_queries({"q": "老年证", "page_size": 10})
        self.assertEqual(narrow, small + LIKE_THE_FIRST_QUERIES)
        broad = self.count_queries({"q": "服务", "kind": "government", "audience": "elderly"})
        narrow = self.count_queries({"q": "老年证", "kind": "government", "audience": "elderly"})
        self.assertEqual(narrow, broad + LIKE_THE_FIRST_QUERIES)


#: What the services like the first result add to a short first page (see above).
LIKE_THE_FIRST_QUERIES = 3


class PageAloneTests(DemoCatalogTestCase):
    """``search_service_page``: the page of ``search_services`` without its counts, for
    the related services and the demand list's preview."""

    def test_the_page_alone_is_the_counted_search_page(self):
        backend = get_search_backend()
        cases = [
            ("卫生间 扶手 轮椅", Mode.RELAXED, {}, 1),
            ("老人 吃饭 送餐", Mode.RELAXED, {}, 2),
            ("老年 证", Mode.STRICT, {}, 1),
            ("服务", Mode.STRICT, {"kind": "government"}, 2),
            ("老年", Mode.RELAXED, {"kind": "public_welfare", "audience": "elderly"}, 1),
        ]
        for text, mode, filters, page in cases:
            with self.subTest(text=text, filters=filters, page=page):
                query = SearchParameters({"q": text, **filters, "page": page}).read()
                counted = backend.search_services(query, mode)
                self.assertTrue(counted.hits)
                alone = backend.search_service_page(query, mode)
                self.assertEqual(
                    [(hit.service_id, round(hit.score, 6)) for hit in alone],
                    [(hit.service_id, round(hit.score, 6)) for hit in counted.hits],
                )

    def test_the_page_alone_finds_nothing_where_the_search_finds_nothing(self):
        query = SearchParameters({"q": "宇宙飞船"}).read()
        self.assertEqual(get_search_backend().search_service_page(query, Mode.STRICT), [])
