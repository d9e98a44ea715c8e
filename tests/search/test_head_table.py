"""PostgreSQL: the narrow table of service heads (``search_service_head``, migration 0016)
that the first tier of a search counts and ranks from. It must hold exactly the service
entries' heads whatever writes the index (a service saved, made defunct or deleted, a
rebuild, a flush), and a database indexed before it must get it filled by the migration,
searches answering as before."""

from unittest import skipUnless

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext

from catalog.hsds import import_services
from catalog.models import Service, Taxonomy, TaxonomyTerm
from catalog.taxonomy_seed import seed_taxonomies
from search.backends import get_search_backend
from search.backends.database import HEAD_TABLE
from search.catalog import search_catalog
from search.indexing import rebuild_index
from search.models import SearchEntry, SynonymSet
from search.seeding import load_synonym_seed
from tests.catalog.hsds_data import demo_catalog
from tests.search.base import DemoCatalogTestCase

BEFORE = [("search", "0015_reseed_lexicon")]


def heads() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, service_id, facet_values::text, facet_key, search_head::text "
            f"FROM {HEAD_TABLE}"
        )
        return set(cursor.fetchall())


def entry_heads() -> set[tuple]:
    """What the table should hold: each service entry's id, service, facets and head."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, service_id, facet_values::text, facet_key, search_head::text "
            "FROM search_searchentry WHERE source = 'service'"
        )
        return set(cursor.fetchall())


def found(text: str) -> list[str]:
    result, _ = search_catalog({"q": text, "page_size": "50"}, log=False)
    return [hit.service.name for hit in result.hits]


def answer(text: str):
    result, _ = search_catalog({"q": text, "page_size": "20"}, log=False)
    return result.total, result.total_is_lower_bound, [hit.service.name for hit in result.hits]


@skipUnless(connection.vendor == "postgresql", "the table of heads is PostgreSQL's")
class HeadTableTests(DemoCatalogTestCase):
    def test_the_table_holds_every_service_entrys_head(self):
        expected = entry_heads()
        self.assertGreater(len(expected), 100)
        self.assertEqual(heads(), expected)

    def test_a_renamed_service_is_found_by_its_new_name_and_not_its_old(self):
        service = Service.objects.get(name="爱心义剪")
        self.assertIn("爱心义剪", found("义剪"))
        service.name = "巷口绞脸铺"
        service.alternate_name = ""
        service.save()
        get_search_backend().index_services([service.pk])
        self.assertEqual(heads(), entry_heads())
        self.assertEqual(found("绞脸"), ["巷口绞脸铺"])
        self.assertNotIn("爱心义剪", found("义剪"))

    def test_a_service_made_defunct_or_deleted_leaves_the_table(self):
        defunct = Service.objects.get(name="爱心义剪")
        deleted = Service.objects.exclude(pk=defunct.pk).filter(name__contains="义诊").first()
        self.assertIsNotNone(deleted)
        defunct.status = "defunct"
        defunct.save()
        get_search_backend().index_services([defunct.pk])
        deleted_pk = deleted.pk
        deleted.delete()  # the entry goes with it (on delete cascade)
        self.assertEqual(heads(), entry_heads())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {HEAD_TABLE} WHERE service_id = ANY(%s::uuid[])",
                [[defunct.pk, deleted_pk]],
            )
            self.assertEqual(cursor.fetchone()[0], 0)
        self.assertNotIn("爱心义剪", found("义剪"))

    def test_a_rebuild_and_a_clear_keep_it_in_step(self):
        rebuild_index(progress=False)
        self.assertEqual(heads(), entry_heads())
        get_search_backend().clear()
        self.assertEqual(heads(), set())
        self.assertFalse(found("义诊"))

    def test_a_broad_word_is_counted_and_ranked_from_the_table(self):
        with CaptureQueriesContext(connection) as queries:
            names = found("老人")
        self.assertTrue(names)
        searches = [q["sql"] for q in queries.captured_queries if "m AS (SELECT" in q["sql"]]
        self.assertEqual(len(searches), 1)
        # Ranked from the heads, read once (a), and counted from there (m reads a).
        self.assertEqual(searches[0].count(f"FROM {HEAD_TABLE} e"), 1)
        self.assertIn("FROM a UNION ALL", searches[0])


@skipUnless(connection.vendor == "postgresql", "the table of heads is PostgreSQL's")
class HeadTableMigrationTests(TransactionTestCase):
    """Migration 0016 fills the table from an index built before it, and the triggers
    follow every write after it, a flush included (as tests and ``flush`` make them)."""

    def setUp(self):
        seed_taxonomies(Taxonomy, TaxonomyTerm)
        load_synonym_seed(SynonymSet)
        import_services(demo_catalog())
        rebuild_index(progress=False)
        self.texts = ("老人", "义诊", "理发", "lnz", "老人腿脚不好下不了楼吃饭")
        self.expected = {text: answer(text) for text in self.texts}

    def tearDown(self):
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)

    def test_an_index_built_before_gets_the_table_filled_and_answers_as_before(self):
        self.migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [HEAD_TABLE])
            self.assertIsNone(cursor.fetchone()[0])
        # Written while there is no table: the migration must still find it.
        service = Service.objects.get(name="爱心义剪")
        service.alternate_name = "绞脸"
        service.save()
        get_search_backend().index_services([service.pk])
        self.migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        self.assertEqual(heads(), entry_heads())
        self.assertEqual(found("绞脸"), ["爱心义剪"])
        for text in self.texts:
            self.assertEqual(answer(text), self.expected[text], text)

    def test_a_flush_empties_it(self):
        self.assertTrue(heads())
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_searchentry")
        self.assertEqual(heads(), set())
        self.assertEqual(SearchEntry.objects.count(), 0)


@skipUnless(connection.vendor == "postgresql", "ts_rank is PostgreSQL's")
class RankExpressionTests(DemoCatalogTestCase):
    """A query is ranked by its distinct words once each, OR-ed, where that gives every
    entry the same rank as the query itself (its top operator is not AND)."""

    texts = (
        "放寒假了孩子一个人在家",
        "老人腿脚不好下不了楼吃饭",
        "义诊 理发",
        "老人",
        "lnz",
        "laonian",
        "租房登记",
        "寒假托管",
    )

    def ranks(self, column: str, tsquery: str) -> dict[int, float]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, ts_rank({column}, to_tsquery('simple', %s), 1) "
                "FROM search_searchentry WHERE source = 'service'",
                [tsquery],
            )
            return dict(cursor.fetchall())

    def test_every_entry_ranks_as_by_the_query_itself(self):
        from search.backends.database import PostgresDialect
        from search.catalog import SearchParameters
        from search.query import Mode, groups_for

        dialect = PostgresDialect()
        shorter = ranked = 0
        for text in self.texts:
            analysed = SearchParameters({"q": text}).read().analysed
            for mode in (Mode.STRICT, Mode.RELAXED):
                groups = groups_for(analysed, mode)
                if not groups:
                    continue
                expression = dialect.expression(groups, mode)
                ranked_by = dialect.rank_expression(groups, mode)
                shorter += len(ranked_by) < len(expression)
                for column in ("search_vector", "search_head"):
                    with self.subTest(text=text, mode=mode, column=column):
                        expected = self.ranks(column, expression)
                        ranked += any(expected.values())
                        self.assertEqual(self.ranks(column, ranked_by), expected)
        self.assertGreater(ranked, 10)
        self.assertGreater(shorter, 3, "the long needs are ranked by fewer nodes")
