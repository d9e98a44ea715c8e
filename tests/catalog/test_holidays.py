"""Public holidays (法定节假日) and make-up workdays (调休上班日) in "open now": the model,
its 2026 seed, and the filter, the API and the service list page honouring a holiday."""

from datetime import date, datetime, time
from unittest import mock
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse

from catalog.clock import clock_at
from catalog.demo import load_service_list_pages
from catalog.filters import ServiceFilterSet
from catalog.hsds import import_services
from catalog.models import Location, LocationSchedule, PublicHoliday, Service
from catalog.opening import is_open_at
from district.demo.loader import load_district
from tests.catalog.hsds_data import demo_catalog

SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY_MORNING = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)  # an ordinary Friday
SENIOR_CARD = "bfaa2bb6-ef84-5993-aa76-5376522e0f98"  # 老年人优待证办理, rests on holidays
GOVERNMENT = "老年人优待证办理"
NO_HOLIDAY_NOTES = "血压血糖免费检测"  # its own Mon–Fri hours say nothing about holidays


HAITANGYUAN_WEEKDAYS = LocationSchedule(
    byday="MO,TU,WE,TH,FR",
    opens_at=time(8, 30),
    closes_at=time(17, 30),
    closed_on_holidays=True,
    open_on_makeup_workdays=True,
)


def make_holiday(day: date, kind: str = "holiday") -> PublicHoliday:
    holiday, _ = PublicHoliday.objects.update_or_create(
        date=day, defaults={"name": "测试假日", "kind": kind}
    )
    return holiday


class PublicHolidayModelTests(TestCase):
    def test_the_2026_official_schedule_is_seeded(self):
        year = PublicHoliday.objects.calendar(date(2026, 1, 1), date(2026, 12, 31))
        self.assertEqual(year.kind_of(date(2026, 10, 1)), "holiday")
        self.assertEqual(year.name_of(date(2026, 10, 1)), "国庆节")
        self.assertEqual(year.kind_of(date(2026, 2, 15)), "holiday")
        self.assertEqual(year.kind_of(date(2026, 2, 23)), "holiday")
        self.assertEqual(year.kind_of(date(2026, 2, 28)), "makeup_workday")
        self.assertEqual(year.kind_of(date(2026, 10, 10)), "makeup_workday")
        self.assertEqual(year.kind_of(date(2026, 11, 20)), "")
        of_2026 = PublicHoliday.objects.filter(date__year=2026)
        self.assertEqual(of_2026.filter(kind="holiday").count(), 33)
        self.assertEqual(of_2026.filter(kind="makeup_workday").count(), 6)
        # Of 2027 only the day the law fixes, until the State Council's schedule is entered.
        self.assertEqual(
            list(PublicHoliday.objects.filter(date__year=2027).values_list("date", "name")),
            [(date(2027, 1, 1), "元旦")],
        )

    def test_the_kind_is_that_of_the_district_local_date(self):
        # 2026-09-30 16:30 UTC is already 1 October in Beijing.
        utc = datetime(2026, 9, 30, 16, 30, tzinfo=ZoneInfo("UTC"))
        self.assertEqual(
            PublicHoliday.objects.calendar_at(utc).kind_of(date(2026, 10, 1)), "holiday"
        )
        self.assertEqual(clock_at(utc).status([HAITANGYUAN_WEEKDAYS]).reason, "国庆节休息")

    def test_an_edit_is_seen_at_once(self):
        self.assertTrue(clock_at(FRIDAY_MORNING).is_open([HAITANGYUAN_WEEKDAYS]))
        holiday = make_holiday(FRIDAY_MORNING.date())
        self.assertFalse(clock_at(FRIDAY_MORNING).is_open([HAITANGYUAN_WEEKDAYS]))
        holiday.delete()
        self.assertTrue(clock_at(FRIDAY_MORNING).is_open([HAITANGYUAN_WEEKDAYS]))

    def test_the_admin_lists_the_holidays_by_date(self):
        admin = get_user_model().objects.create_superuser("holiday-admin", "a@example.cn", "x")
        self.client.force_login(admin)
        response = self.client.get(reverse("catalog_publicholiday_modeladmin_index"))
        self.assertContains(response, "法定节假日")
        self.assertContains(response, "国庆节")
        self.assertContains(response, "调休上班日")


class HolidayOpenNowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_district(password="holiday-password")
        import_services(demo_catalog())
        load_service_list_pages()

    def open_names(self, **params) -> set[str]:
        filters = ServiceFilterSet(
            {"open_now": "1", **params},
            queryset=Service.objects.all(),
            clock=clock_at(FRIDAY_MORNING),
        )
        return set(filters.qs.values_list("name", flat=True))

    def test_the_filter_closes_holiday_resting_services_on_a_holiday(self):
        before = self.open_names()
        self.assertIn(GOVERNMENT, before)
        self.assertIn(NO_HOLIDAY_NOTES, before)
        make_holiday(FRIDAY_MORNING.date())
        after = self.open_names()
        self.assertNotIn(GOVERNMENT, after)
        self.assertIn(NO_HOLIDAY_NOTES, after)  # no holiday notes: unaffected
        self.assertLess(len(after), len(before))

    def test_chunhuili_keeps_its_daily_hours_on_a_holiday(self):
        make_holiday(FRIDAY_MORNING.date())
        clock = clock_at(FRIDAY_MORNING)
        chunhuili = Location.objects.get(external_identifier="HHD-CH-02")  # 照常开放
        haitangyuan = Location.objects.get(external_identifier="HHD-CH-01")  # 节假日休息
        self.assertTrue(clock.is_open(chunhuili.schedules.all()))
        self.assertFalse(clock.is_open(haitangyuan.schedules.all()))
        self.assertTrue(is_open_at(haitangyuan.schedules.all(), FRIDAY_MORNING))

    def test_the_api_honours_a_holiday(self):
        with mock.patch("catalog.api.views.current_moment", return_value=FRIDAY_MORNING):
            guide = self.client.get(f"/api/services/{SENIOR_CARD}").json()
            self.assertIs(guide["open_now"], True)
            make_holiday(FRIDAY_MORNING.date())
            guide = self.client.get(f"/api/services/{SENIOR_CARD}").json()
            listed = self.client.get("/api/services/", {"open_now": "1", "page_size": 100})
        self.assertIs(guide["open_now"], False)
        names = {entry["name"] for entry in listed.json()["results"]}
        self.assertNotIn(GOVERNMENT, names)
        self.assertIn(NO_HOLIDAY_NOTES, names)

    def test_the_service_list_page_honours_a_holiday(self):
        url = "/chunhua/haitangyuan/fuwu/"
        with mock.patch("django.utils.timezone.now", return_value=FRIDAY_MORNING):
            self.assertContains(self.client.get(url, {"open_now": "1"}), GOVERNMENT)
            make_holiday(FRIDAY_MORNING.date())
            response = self.client.get(url, {"open_now": "1"})
        self.assertNotContains(response, GOVERNMENT)
