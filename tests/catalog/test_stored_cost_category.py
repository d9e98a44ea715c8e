"""The cost filter reads each service's stored cost category (``stored_cost_category``):
every way a price or a kind changes — an edit in the admin, a cost option saved or deleted,
an HSDS import, an Excel upload — shows in the lists filtered by cost at once."""

from decimal import Decimal

from django.test import TestCase

from catalog.filters import ServiceFilterSet, store_cost_categories
from catalog.hsds import import_services
from catalog.models import CostOption, Service, ServiceKind
from district.demo.loader import load_district
from tests.catalog.hsds_data import demo_catalog, record_named, self_contained

CLEANING = "家庭日常保洁"  # a market service of the demo catalog: 45 and 260 元


def listed_by_cost(category: str) -> set[str]:
    """The names the lists show for ``?cost=category``."""
    filters = ServiceFilterSet({"cost": category}, queryset=Service.objects.all())
    return set(filters.qs.values_list("name", flat=True))


def make_free(record: dict) -> dict:
    for option in record["cost_options"]:
        option["amount"] = 0
    return record


class StoredCostCategoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_district(password="cost-category-password")
        import_services(self_contained(demo_catalog(), CLEANING))

    def setUp(self):
        self.service = Service.objects.get(name=CLEANING)

    def assertListedAs(self, category: str):
        self.assertEqual(self.service.cost_category(), category)  # the rule, in Python
        for each in ("free", "low_cost", "market"):
            with self.subTest(cost=each):
                self.assertEqual(CLEANING in listed_by_cost(each), each == category)

    def test_the_import_stores_what_the_rule_says(self):
        self.assertListedAs("market")
        for service in Service.objects.prefetch_related("cost_options"):
            self.assertEqual(service.stored_cost_category, service.cost_category(), service)

    def test_a_cost_option_saved_changes_the_list_at_once(self):
        for option in self.service.cost_options.all():
            option.amount = Decimal(0)
            option.save()
        self.assertListedAs("free")
        option.amount = Decimal("12.50")
        option.save()
        self.assertListedAs("market")

    def test_a_cost_option_added_or_deleted_changes_the_list_at_once(self):
        self.service.cost_options.all().delete()  # a queryset: no saves, stored again below
        store_cost_categories(Service.objects.filter(pk=self.service.pk))
        self.assertListedAs("free")
        option = CostOption.objects.create(service=self.service, option="上门费", amount=30)
        self.assertListedAs("market")
        option.delete()
        self.assertListedAs("free")

    def test_an_edit_of_the_service_and_its_options_in_one_save(self):
        # As the admin's form saves: the options are the cluster's, in memory, until saved.
        self.service.cost_options = [CostOption(option="咨询", amount=0)]
        self.service.save()
        self.assertListedAs("free")
        self.service.cost_options = [CostOption(option="上门", amount=80)]
        self.service.save()
        self.assertListedAs("market")
        self.service.kind = ServiceKind.PUBLIC_WELFARE
        self.service.save(update_fields=["kind"])
        self.assertListedAs("free")

    def test_a_new_import_of_the_service_stores_its_new_prices(self):
        records = self_contained(demo_catalog(), CLEANING)
        make_free(record_named(records, CLEANING))
        import_services(records)
        self.assertListedAs("free")
        records = self_contained(demo_catalog(), CLEANING)
        import_services(records)
        self.assertListedAs("market")

    def test_storing_again_changes_nothing_that_is_right(self):
        self.assertEqual(store_cost_categories(Service.objects.all()), 0)
        Service.objects.update(stored_cost_category="")
        self.assertEqual(store_cost_categories(Service.objects.all()), Service.objects.count())
        self.assertListedAs("market")
