"""Migration 0004 adds the facet values to an index that already holds services: the
entries get their values from the catalog, and the database's full-text index still
follows every write afterwards (on SQLite a rebuilt table would lose its triggers)."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from catalog.hsds import import_services
from catalog.models import Service, Taxonomy, TaxonomyTerm
from catalog.taxonomy_seed import seed_taxonomies
from search.catalog import search_catalog
from search.indexing import rebuild_index
from search.models import SearchEntry
from tests.catalog.hsds_data import demo_catalog

BEFORE = [("search", "0003_seed_synonyms")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


class FacetValuesMigrationTests(TransactionTestCase):
    def setUp(self):
        # Another transactional test may have emptied the tables the migrations seeded.
        seed_taxonomies(Taxonomy, TaxonomyTerm)
        import_services(demo_catalog())
        rebuild_index(progress=False)
        self.expected = dict(
            SearchEntry.objects.filter(source="service").values_list("service_id", "facet_values")
        )

    def tearDown(self):
        migrate(executor_leaf_nodes())

    def test_existing_entries_get_their_facet_values_and_the_index_still_follows(self):
        migrate(BEFORE)
        migrate(executor_leaf_nodes())  # 0004 and what follows it
        filled = dict(
            SearchEntry.objects.filter(source="service").values_list("service_id", "facet_values")
        )
        self.assertEqual(filled, self.expected)
        self.assertTrue(all(values for values in filled.values()))

        # The full-text index sees an entry written after the migration.
        service = Service.objects.get(name="爱心义剪")
        service.alternate_name = "绞脸"
        service.save()  # outside a transaction: the index follows at once
        result, _ = search_catalog({"q": "绞脸"}, log=False)
        self.assertEqual([hit.service.name for hit in result.hits], ["爱心义剪"])


def executor_leaf_nodes():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
