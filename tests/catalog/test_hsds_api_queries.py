"""The HSDS API's SQL does not grow with what it returns: a page of 50 costs what a page of
10 does, and a whole ndjson stream costs a fixed number of queries per batch of records."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from catalog.api import hsds_views
from catalog.hsds import import_services
from search.indexing import rebuild_index
from tests.catalog.hsds_data import demo_catalog

LISTS = {
    "/api/hsds/services": [{}, {"full": "true"}, {"minimal": "true"}, {"search": "老年"}],
    "/api/hsds/organizations": [{}, {"full": "true"}, {"full_service": "true"}],
    "/api/hsds/taxonomy_terms": [{}],
    "/api/hsds/service_at_locations": [{}, {"full": "true"}, {"search": "老年"}],
}


class HsdsQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_services(demo_catalog())
        rebuild_index()

    def queries(self, url, params) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url, params)
            if response.streaming:
                records = b"".join(response.streaming_content).decode().splitlines()
            else:
                records = response.json()["contents"]
        self.assertEqual(response.status_code, 200, params)
        return len(captured), len(records)

    def test_a_bigger_page_costs_no_more_queries(self):
        for url, variants in LISTS.items():
            for params in variants:
                with self.subTest(url=url, params=params):
                    self.queries(url, {**params, "per_page": 1})  # warm the caches
                    small, small_count = self.queries(url, {**params, "per_page": 10})
                    large, large_count = self.queries(url, {**params, "per_page": 50})
                    self.assertGreater(large_count, small_count)  # the page really grew
                    self.assertEqual(small, large)

    def test_a_stream_costs_a_fixed_number_of_queries_per_batch(self):
        self.queries("/api/hsds/services", {"format": "ndjson", "full": "true"})  # warm
        for batch in (50, 100):
            with self.subTest(batch=batch):
                original = hsds_views.STREAM_BATCH
                hsds_views.STREAM_BATCH = batch
                try:
                    count, records = self.queries(
                        "/api/hsds/services", {"format": "ndjson", "full": "true"}
                    )
                finally:
                    hsds_views.STREAM_BATCH = original
                self.assertEqual(records, 200)
                batches = -(-records // batch)
                # Each batch: its rows, then the export's fixed prefetches (about twenty);
                # one query per record would be 200 and more.
                self.assertLessEqual(count, 5 + batches * 25, count)


class HsdsModifiedAfterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_services(demo_catalog())

    def test_an_edited_service_is_listed_as_modified(self):
        from django.utils import timezone

        from catalog.models import Service

        since = timezone.now().isoformat()
        self.assertEqual(
            self.client.get("/api/hsds/services", {"modified_after": since}).json()["total_items"],
            0,
        )
        service = Service.objects.get(name="老年人优待证办理")
        service.keywords = f"{service.keywords} 老人证"
        service.save(update_fields=["keywords"])
        page = self.client.get("/api/hsds/services", {"modified_after": since}).json()
        self.assertEqual([item["name"] for item in page["contents"]], ["老年人优待证办理"])

    def test_any_offset_and_the_edges_of_time(self):
        # Offsets PostgreSQL would refuse, and moments that overflow in UTC.
        answers = {
            "6015-11-17T09:39:56.0+21:09": 200,
            "2026-01-01T00:00:00-23:59": 200,
            "9999-12-31T23:00:00-23:00": 400,
            "0001-01-01T00:30:00+23:00": 400,
        }
        for moment, status in answers.items():
            with self.subTest(moment):
                response = self.client.get(
                    "/api/hsds/service_at_locations", {"modified_after": moment}
                )
                self.assertEqual(response.status_code, status, response.content[:200])
