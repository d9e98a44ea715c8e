"""Migration district 0002 moves a center page's place facts into its catalog location,
for sites that held both: the location keeps what it had, the page fills the gaps."""

from datetime import time

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from catalog.models import Location
from tests.district.builders import build_home, build_street

BEFORE = [("district", "0001_initial"), ("catalog", "0006_seed_public_holidays_2026")]
HOLIDAYS_CLOSED = "法定节假日休息，调休工作日正常办公。"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def leaf_nodes():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


class PlaceFactsMigrationTests(TransactionTestCase):
    def tearDown(self):
        migrate(leaf_nodes())

    def test_page_facts_move_to_the_location_and_the_location_keeps_its_own(self):
        from district.models import CenterPage

        street = build_street(build_home())
        for code in ("T-01", "T-02"):
            street.add_child(instance=CenterPage(title=f"{code}中心", slug=code.lower(), code=code))
        old = migrate(BEFORE)
        OldCenter = old.get_model("district", "CenterPage")
        OldHours = old.get_model("district", "CenterOpeningHours")
        OldLocation = old.get_model("catalog", "Location")
        OldAddress = old.get_model("catalog", "LocationAddress")
        facts = {
            "address": "页面路1号",
            "address_detail": "东门",
            "postal_code": "300001",
            "latitude": "39.100000",
            "longitude": "117.200000",
            "transportation": "公交1路",
            "phone": "022-0000-0001",
            "accessibility": "无障碍坡道\n无障碍卫生间",
            "hours_note": HOLIDAYS_CLOSED,
        }
        OldCenter.objects.filter(code__in=["T-01", "T-02"]).update(**facts)
        for page in OldCenter.objects.all():
            for weekday in range(5):
                OldHours.objects.create(
                    page=page, weekday=weekday, opens_at=time(8, 30), closes_at=time(17, 30)
                )
            OldHours.objects.create(page=page, weekday=5, opens_at=time(9), closes_at=time(12))
        # T-02 already has a catalog location, linked by its code, with its own address.
        kept = OldLocation.objects.create(
            name="T-02中心", external_identifier="T-02", transportation="地铁2号线"
        )
        OldAddress.objects.create(
            location=kept,
            address_1="目录路9号",
            city="津海市",
            state_province="津海市",
            postal_code="300002",
            sort_order=0,
        )

        migrate(leaf_nodes())

        first = CenterPage.objects.get(code="T-01").place
        self.assertEqual(first.external_identifier, "T-01")
        self.assertEqual(first.address.address_1, "页面路1号")
        self.assertEqual(first.address.address_2, "东门")
        self.assertEqual(first.phone.number, "022-0000-0001")
        self.assertEqual(str(first.latitude), "39.100000")
        self.assertEqual(
            [item.description for item in first.accessibility.all()],
            ["无障碍坡道", "无障碍卫生间"],
        )
        self.assertEqual(
            [(row.byday, row.opens_at, row.closed_on_holidays) for row in first.schedules.all()],
            [("MO,TU,WE,TH,FR", time(8, 30), True), ("SA", time(9), True)],
        )
        second = CenterPage.objects.get(code="T-02").place
        self.assertEqual(second.pk, kept.pk)
        self.assertEqual(second.address.address_1, "目录路9号")  # the location's own
        self.assertEqual(second.transportation, "地铁2号线")
        self.assertEqual(second.phone.number, "022-0000-0001")  # a gap the page filled
        self.assertEqual(Location.objects.count(), 2)
