"""Search tests run against the district's shared catalog, imported and indexed once per
test class."""

import unittest

from django.conf import settings
from django.test import TestCase

from catalog.hsds import import_services
from search.indexing import rebuild_index
from search.models import SynonymSet
from search.seeding import load_synonym_seed
from tests.catalog.hsds_data import shared_catalog

CATALOG_FILE = settings.SHARED_DATA_DIR / "catalog-hsds.json"

needs_shared_catalog = unittest.skipUnless(
    CATALOG_FILE.exists(), f"{CATALOG_FILE} is absent (shared data beside the project)"
)


@needs_shared_catalog
class SharedCatalogTestCase(TestCase):
    """The 200 services of ../shared/data, the starter synonyms, a fresh index."""

    @classmethod
    def setUpTestData(cls):
        cls.build_pages()
        import_services(shared_catalog())
        load_synonym_seed(SynonymSet)
        rebuild_index(progress=False)

    @classmethod
    def build_pages(cls):
        """Pages the class needs besides the catalog (none by default)."""
