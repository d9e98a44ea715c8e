"""Search tests run against the district's demo catalog, imported and indexed once per
test class."""

from django.test import TestCase

from catalog.hsds import import_services
from search.indexing import rebuild_index
from search.models import SynonymSet
from search.seeding import load_synonym_seed
from tests.catalog.hsds_data import demo_catalog


class DemoCatalogTestCase(TestCase):
    """The 200 services of the demo catalog, the starter synonyms, a fresh index."""

    @classmethod
    def setUpTestData(cls):
        cls.build_pages()
        import_services(demo_catalog())
        load_synonym_seed(SynonymSet)
        rebuild_index(progress=False)

    @classmethod
    def build_pages(cls):
        """Pages the class needs besides the catalog (none by default)."""
