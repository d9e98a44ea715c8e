"""Migration 0011 gives an index that already holds services its facet keys (and, on
PostgreSQL, the head vector): searches count and rank as after a rebuild, going back
works, and on SQLite the full-text index still follows every write (a rebuilt table
would lose the FTS5 triggers)."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from catalog.hsds import import_services
from catalog.models import Service, Taxonomy, TaxonomyTerm
from catalog.taxonomy_seed import seed_taxonomies
from search.backends.database import facet_key
from search.catalog import search_catalog
from search.indexing import rebuild_index
from search.models import SearchEntry
from tests.catalog.hsds_data import demo_catalog

BEFORE = [("search", "0010_querylog_corrected_query")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def leaf_nodes():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def answer(text: str):
    result, _ = search_catalog({"q": text, "page_size": "20"}, log=False)
    facets = {f: {v.value: v.count for v in values} for f, values in result.facets.items()}
    return result.total, [hit.service.name for hit in result.hits], facets


class FacetKeyMigrationTests(TransactionTestCase):
    def setUp(self):
        # Another transactional test may have emptied the tables the migrations seeded.
        seed_taxonomies(Taxonomy, TaxonomyTerm)
        import_services(demo_catalog())
        rebuild_index(progress=False)
        self.expected = {text: answer(text) for text in ("老人", "义诊")}

    def tearDown(self):
        migrate(leaf_nodes())

    def test_existing_entries_get_their_keys_and_search_answers_as_before(self):
        migrate(BEFORE)
        migrate(leaf_nodes())
        for values, key in SearchEntry.objects.values_list("facet_values", "facet_key"):
            self.assertEqual(key, facet_key(values))
        for text, expected in self.expected.items():
            self.assertEqual(answer(text), expected, text)

        # The full-text index sees an entry written after the migration.
        service = Service.objects.get(name="爱心义剪")
        service.alternate_name = "绞脸"
        service.save()  # outside a transaction: the index follows at once
        result, _ = search_catalog({"q": "绞脸"}, log=False)
        self.assertEqual([hit.service.name for hit in result.hits], ["爱心义剪"])
