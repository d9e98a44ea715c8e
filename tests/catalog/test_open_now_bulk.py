"""The open-now filter judged in bulk (``catalog.clock.open_service_ids``) gives, for every
service of the demo catalog, the answer of the one clock asked service by service, on
ordinary days, holidays, make-up workdays and dated exceptions, in a number of queries
that does not grow with the catalog (issue 14: lists at scale)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.test import TestCase

from catalog.clock import clock_at, open_service_ids
from catalog.hsds import import_services
from catalog.models import (
    Location,
    LocationSchedule,
    Service,
    ServiceAtLocation,
    ServiceAtLocationSchedule,
    ServiceSchedule,
)
from catalog.opening import OPENING_PREFETCH
from tests.catalog.hsds_data import demo_catalog

SHANGHAI = ZoneInfo("Asia/Shanghai")
CLOSED_DAY = date(2026, 11, 23)  # a Monday: one center closed, one service's special hours

MOMENTS = {
    "weekday morning": "2026-11-20 10:00",
    "lunch break": "2026-11-20 12:30",
    "evening": "2026-11-20 20:00",
    "Sunday": "2026-11-22 10:00",
    "National Day (holiday)": "2026-10-02 10:00",
    "Saturday make-up workday": "2026-10-10 10:00",
    "center closed on a date": "2026-11-23 10:00",
    "special hours in the evening": "2026-11-23 19:30",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class OpenNowInBulkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_services(demo_catalog())
        locations = list(Location.objects.order_by("pk"))
        cls.closed_center = locations[0]
        LocationSchedule.objects.create(
            location=cls.closed_center,
            kind="closed",
            valid_from=CLOSED_DAY,
            valid_to=CLOSED_DAY,
            description="设备检修闭馆",
        )
        link = ServiceAtLocation.objects.filter(location=locations[1]).first()
        ServiceAtLocationSchedule.objects.create(
            service_at_location=link,
            kind="special_hours",
            valid_from=CLOSED_DAY,
            valid_to=CLOSED_DAY,
            opens_at=time(18, 0),
            closes_at=time(21, 0),
            description="夜间延时服务",
        )
        own = Service.objects.filter(schedules__isnull=False, status="active").first()
        ServiceSchedule.objects.create(
            service=own,
            kind="special_hours",
            valid_from=CLOSED_DAY,
            valid_to=CLOSED_DAY,
            opens_at=time(19, 0),
            closes_at=time(20, 0),
            description="周一晚间加开",
        )
        # A service offered at no center, with its own hours, and one with no hours at all.
        for name, hours in (("上门理发", True), ("待定服务", False)):
            service = Service.objects.create(
                name=name, description=name, kind="market", status="active"
            )
            if hours:
                ServiceSchedule.objects.create(
                    service=service, byday="SA,SU", opens_at=time(9), closes_at=time(17)
                )
        cls.locations = [None, *locations[:4], locations[-1]]

    def test_bulk_gives_the_clocks_answer_for_every_service(self):
        services = list(Service.objects.order_by("name").prefetch_related(*OPENING_PREFETCH))
        self.assertGreater(len(services), 200)
        answers = set()
        for label, moment in MOMENTS.items():
            clock = clock_at(at(moment))
            for location in self.locations:
                location_id = location.pk if location is not None else None
                with self.subTest(label, location=str(location)):
                    expected = [s.pk for s in services if clock.service_open(s, location_id)]
                    bulk = open_service_ids(Service.objects.order_by("name"), clock, location_id)
                    self.assertEqual(bulk, expected)
                    answers.add(len(expected))
        # The moments tell services apart (not everything open, not everything shut).
        self.assertGreater(len(answers), 3)

    def test_the_exceptions_decide_in_bulk_too(self):
        clock = clock_at(at(MOMENTS["center closed on a date"]))
        open_ids = set(open_service_ids(Service.objects.all(), clock, self.closed_center.pk))
        self.assertEqual(open_ids, set())
        evening = clock_at(at(MOMENTS["special hours in the evening"]))
        self.assertTrue(open_service_ids(Service.objects.all(), evening))

    def test_the_number_of_queries_does_not_grow_with_the_services(self):
        clock = clock_at(at(MOMENTS["weekday morning"]))
        few = Service.objects.filter(kind="government")
        every = Service.objects.all()
        self.assertLess(few.count() * 3, every.count())
        for location in (None, self.closed_center):
            location_id = location.pk if location is not None else None
            for services in (few, every, Service.objects.none()):
                with self.subTest(location=str(location), services=services.count()):
                    expected = 5 if services.exists() else 0  # none(): no query at all
                    with self.assertNumQueries(expected):
                        open_service_ids(services, clock, location_id)

    def test_a_slice_of_services_is_judged_too(self):
        clock = clock_at(at(MOMENTS["weekday morning"]))
        first = Service.objects.order_by("name")[:50]
        expected = [
            s.pk for s in first.prefetch_related(*OPENING_PREFETCH) if clock.service_open(s)
        ]
        self.assertTrue(expected)
        self.assertEqual(open_service_ids(first, clock), expected)
