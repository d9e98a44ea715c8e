"""A center's list counts its services by kind off its links' copies of each service's kind
and visibility (``ServiceAtLocation.service_kind`` / ``service_visible``): the figures on
the kind buttons (全部（N） 政务服务（N）…) are the services residents can open there, and
every way a kind, a status or a link changes shows in them at once."""

from django.test import TestCase

from catalog.demo import load_service_list_pages
from catalog.hsds import import_services
from catalog.models import Location, Service, ServiceAtLocation, ServiceKind, ServiceListPage
from catalog.models.services import VISIBLE_STATUSES, ServiceStatus, store_link_copies
from district.demo.loader import load_district
from tests.catalog.hsds_data import demo_catalog, record_named

HAITANGYUAN = "/chunhua/haitangyuan/fuwu/"
SENIOR_CARD = "老年人优待证办理"  # a government service offered at 海棠苑, among others


def expected_counts(location) -> dict:
    """The center's visible services by kind, counted from the services themselves."""
    counts: dict = {}
    for kind in (
        Service.objects.at_location(location)
        .filter(status__in=VISIBLE_STATUSES)
        .values_list("kind", flat=True)
    ):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


class CenterKindCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_district(password="kind-counts-password")
        import_services(demo_catalog())
        load_service_list_pages()
        cls.haitangyuan = Location.objects.get(external_identifier="HHD-CH-01")

    def shown_counts(self, url=HAITANGYUAN) -> dict:
        """The counts on the kind buttons, as the page shows them."""
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        counts = {item["kind"]: item["count"] for item in response.context["kinds"]}
        self.assertEqual(response.context["all_kinds_total"], sum(counts.values()))
        self.assertContains(response, f"全部（{sum(counts.values())}）")
        return counts

    def test_every_center_shows_its_visible_services_by_kind(self):
        pages = [
            page
            for page in ServiceListPage.objects.live().specific()
            if getattr(page.get_center(), "location", None) is not None
        ]
        self.assertGreaterEqual(len(pages), 9)
        for page in pages:
            location = page.get_center().location
            with self.subTest(center=location.name):
                expected = expected_counts(location)
                self.assertTrue(expected)
                self.assertEqual(self.shown_counts(page.url), expected)
                # One kind chosen: the buttons still count every kind.
                self.assertEqual(self.shown_counts(page.url + "?kind=market"), expected)

    def test_a_kind_changed_in_the_admin_moves_the_service_at_once(self):
        before = self.shown_counts()
        service = Service.objects.get(name=SENIOR_CARD)
        service.kind = ServiceKind.PUBLIC_WELFARE
        service.save()
        after = self.shown_counts()
        self.assertEqual(after["government"], before["government"] - 1)
        self.assertEqual(after["public_welfare"], before["public_welfare"] + 1)
        self.assertEqual(after, expected_counts(self.haitangyuan))
        # update_fields, as a partial save does, carries the copies too.
        service.kind = ServiceKind.GOVERNMENT
        service.save(update_fields=["kind"])
        self.assertEqual(self.shown_counts(), before)

    def test_a_defunct_service_leaves_the_counts_and_comes_back(self):
        before = self.shown_counts()
        service = Service.objects.get(name=SENIOR_CARD)
        service.status = ServiceStatus.DEFUNCT
        service.save()
        self.assertEqual(self.shown_counts()["government"], before["government"] - 1)
        service.status = ServiceStatus.TEMPORARILY_CLOSED  # paused: still listed
        service.save()
        self.assertEqual(self.shown_counts(), before)

    def test_a_link_added_or_removed_counts_at_once(self):
        service = Service.objects.exclude(
            pk__in=Service.objects.at_location(self.haitangyuan).values("pk")
        ).filter(status__in=VISIBLE_STATUSES, kind=ServiceKind.MARKET)[0]
        before = self.shown_counts()
        # As the admin's form saves it: the links are the cluster's until the service saves.
        service.service_at_locations = [
            *service.service_at_locations.all(),
            ServiceAtLocation(location=self.haitangyuan, description="二楼"),
        ]
        service.save()
        self.assertEqual(self.shown_counts()["market"], before["market"] + 1)
        # A second window at the same center: still one service.
        ServiceAtLocation.objects.create(
            service=service, location=self.haitangyuan, description="三楼"
        )
        self.assertEqual(self.shown_counts()["market"], before["market"] + 1)
        ServiceAtLocation.objects.filter(service=service, location=self.haitangyuan).delete()
        self.assertEqual(self.shown_counts(), before)

    def test_an_import_that_retires_a_service_takes_it_out_of_the_counts(self):
        before = self.shown_counts()
        records = demo_catalog()
        record_named(records, SENIOR_CARD)["status"] = "defunct"
        import_services(records)
        self.assertEqual(self.shown_counts()["government"], before["government"] - 1)
        import_services(demo_catalog())
        self.assertEqual(self.shown_counts(), before)

    def test_storing_again_changes_only_what_is_wrong(self):
        self.assertEqual(store_link_copies(Service.objects.all()), 0)
        links = ServiceAtLocation.objects.count()
        ServiceAtLocation.objects.update(service_kind="", service_visible=True)
        defunct_links = ServiceAtLocation.objects.exclude(
            service__status__in=VISIBLE_STATUSES
        ).count()
        self.assertEqual(store_link_copies(Service.objects.all()), links)
        self.assertEqual(
            ServiceAtLocation.objects.filter(service_visible=False).count(), defunct_links
        )
        self.assertEqual(self.shown_counts(), expected_counts(self.haitangyuan))

    def test_filtered_lists_still_count_what_the_filters_leave(self):
        response = self.client.get(HAITANGYUAN + "?cost=free")
        free = Service.objects.at_location(self.haitangyuan).filter(
            status__in=VISIBLE_STATUSES, stored_cost_category="free"
        )
        self.assertEqual(response.context["all_kinds_total"], free.count())
        self.assertLess(free.count(), sum(expected_counts(self.haitangyuan).values()))
