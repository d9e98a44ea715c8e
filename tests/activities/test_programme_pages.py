"""活动节目单: a center's (or a street's) occurrences by day, its door sheet, activity pages
with their schema.org events, 今天的活动 on the center page and the next sessions on a
service guide. The clock is fixed at Sunday 2026-12-06 10:00 in the district."""

import json
import re
from datetime import date, datetime, time
from pathlib import Path
from unittest import mock

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity, ProgrammeSheetPage, SignUp
from catalog.models import (
    Organization,
    PublicHoliday,
    Service,
    ServiceAtLocation,
    ServiceListPage,
    Taxonomy,
    TaxonomyTerm,
)
from catalog.models.taxonomy import AUDIENCE_TAXONOMY
from catalog.opening import LOCAL_TZ
from tests.activities.builders import add_room, build_activity, kind, room_of
from tests.district.builders import build_center, build_home, build_street

STATIC = Path(__file__).resolve().parents[2] / "static"
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=LOCAL_TZ)
WEEK_OF_DEC_7 = {"date": "2026-12-08"}


def build_programme(parent, slug="huodong-jiemudan", **fields) -> ProgrammeSheetPage:
    page = ProgrammeSheetPage(**{"title": "活动节目单", "slug": slug, **fields})
    parent.add_child(instance=page)
    return page


def audience(code="elderly", name="老年人") -> TaxonomyTerm:
    taxonomy, _ = Taxonomy.objects.get_or_create(name=AUDIENCE_TAXONOMY)
    return TaxonomyTerm.objects.get_or_create(taxonomy=taxonomy, code=code, name=name)[0]


def for_audiences(activity, *terms):
    activity.audiences.set(terms)
    activity.save()  # a ParentalManyToManyField is written when its activity is saved


def titles_in_order(content: str) -> list[str]:
    """The titles of the programme lines, linked or not."""
    found = re.findall(
        r'class="programme-line__title">(?:<s>)?(?:<a href="[^"]+">)?([^<]+)<', content
    )
    return [title.strip() for title in found]


def day_section(content: str, day_id: str) -> str:
    return content.split(f'id="day-{day_id}"')[1].split("</section>")[0]


def json_ld(content: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.+?)</script>', content, re.S)
    return json.loads(match.group(1))


class FixedClock(TestCase):
    def setUp(self):
        patcher = mock.patch("activities.pages.now", return_value=NOW)
        patcher.start()
        self.addCleanup(patcher.stop)


class CenterProgrammeTests(FixedClock):
    @classmethod
    def setUpTestData(cls):
        home = build_home()
        cls.street = build_street(home)
        cls.center = build_center(cls.street, "T-01")
        cls.hall = room_of(cls.center)
        cls.studio = add_room(cls.center, "书画室", floor="二楼")
        cls.programme = build_programme(cls.center)
        cls.url = cls.programme.url
        cls.elderly = audience()
        cls.children = audience("children", "少年儿童")
        cls.organizer = Organization.objects.create(name="夕阳红志愿服务队")
        cls.taichi = build_activity(
            cls.center,
            "太极拳",
            freq="WEEKLY",
            byday="TU,TH",
            until=date(2026, 12, 31),
            organizer=cls.organizer,
            exceptions=[
                {"occurrence_date": date(2026, 12, 8), "action": "cancel", "reason": "场地维修"},
                {
                    "occurrence_date": date(2026, 12, 10),
                    "action": "move",
                    "new_date": date(2026, 12, 11),
                    "reason": "老师出差",
                },
            ],
        )
        for_audiences(cls.taichi, cls.elderly)
        cls.calligraphy = build_activity(
            cls.center,
            "书法班",
            room=cls.studio,
            dtstart=date(2026, 12, 8),
            start_time=time(14, 0),
            end_time=time(16, 0),
            kind=kind("培训讲座"),
            signup_required=True,
            capacity=2,
            cost="low_cost",
            price="10",
            market_reference_price="30",
        )
        for_audiences(cls.calligraphy, cls.elderly)
        cls.homework = build_activity(
            cls.center,
            "四点半课堂",
            room=cls.studio,
            dtstart=date(2026, 12, 7),
            start_time=time(16, 30),
            end_time=time(18, 0),
            kind=kind("四点半课堂"),
            signup_required=True,
            capacity=1,
        )
        for_audiences(cls.homework, cls.children)
        cls.square_dance = build_activity(
            cls.center,
            "广场舞",
            room=None,
            place_note="小区中心广场",
            dtstart=date(2026, 12, 28),
            all_day=True,
            start_time=None,
            end_time=None,
        )
        session = cls.calligraphy.occurrences.get()
        SignUp.objects.create(
            occurrence=session, name="张三", phone="13800001111", status="confirmed"
        )
        homework_session = cls.homework.occurrences.get()
        SignUp.objects.create(
            occurrence=homework_session, name="李四", phone="13800002222", status="confirmed"
        )

    def test_lists_occurrences_in_time_order_under_day_headings(self):
        content = self.client.get(self.url, WEEK_OF_DEC_7).content.decode()
        self.assertEqual(titles_in_order(content), ["四点半课堂", "太极拳", "书法班", "太极拳"])
        self.assertIn('id="day-20261207" class="programme-day__heading">12月7日 周一', content)
        self.assertIn("12月13日 周日", content)  # every day of the week, empty ones too
        self.assertIn("2026年12月7日至13日", content)
        monday = day_section(content, "20261207")
        self.assertIn("16:30–18:00", monday)
        self.assertIn("地点：二楼 书画室", monday)
        tuesday = day_section(content, "20261208")
        self.assertLess(tuesday.index("太极拳"), tuesday.index("书法班"))
        self.assertIn("主办：夕阳红志愿服务队", tuesday)
        self.assertIn("对象：老年人", tuesday)
        self.assertIn("费用：低偿 10元/次（市场价30元）", tuesday)

    def test_this_week_is_the_default_and_next_week_and_this_month_are_routes(self):
        this_week = self.client.get(self.url).content.decode()
        self.assertIn("2026年11月30日至12月6日", this_week)
        self.assertEqual(titles_in_order(this_week), [])
        self.assertIn(
            "这段时间没有安排活动" if "暂无活动" not in this_week else "暂无活动", this_week
        )

        next_week = self.client.get(self.url + "xiazhou/").content.decode()
        self.assertIn("2026年12月7日至13日", next_week)
        self.assertIn("书法班", titles_in_order(next_week))

        month = self.client.get(self.url + "benyue/").content.decode()
        self.assertIn("2026年12月", month)
        self.assertEqual(titles_in_order(day_section(month, "20261228")), ["广场舞"])
        self.assertIn("全天", day_section(month, "20261228"))
        self.assertNotIn('id="day-20261201"', month)  # a month lists only days with activities

    def test_date_moves_through_weeks_and_months_and_bad_dates_are_explained(self):
        content = self.client.get(self.url, {"date": "2026-12-30"}).content.decode()
        self.assertIn("2026年12月28日至2027年1月3日", content)
        self.assertIn("广场舞", content)
        self.assertIn("?date=2026-12-21", content)  # 上一周
        self.assertIn("?date=2027-01-04", content)  # 下一周
        month = self.client.get(self.url + "benyue/", {"date": "2027-01-15"}).content.decode()
        self.assertIn("2027年1月", month)
        self.assertIn("?date=2026-12-01", month)  # 上个月

        response = self.client.get(self.url, {"date": "12月8日"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "看不懂（date 应写成 2026-12-08），下面显示的是本周")
        self.assertContains(response, "2026年11月30日至12月6日")

    def test_filters_by_audience_kind_and_room(self):
        by_audience = self.client.get(self.url, {**WEEK_OF_DEC_7, "audience": "children"})
        self.assertEqual(titles_in_order(by_audience.content.decode()), ["四点半课堂"])

        lecture = kind("培训讲座")
        by_kind = self.client.get(self.url, {**WEEK_OF_DEC_7, "kind": lecture.pk})
        self.assertEqual(titles_in_order(by_kind.content.decode()), ["书法班"])

        by_room = self.client.get(self.url, {**WEEK_OF_DEC_7, "room": self.hall.pk})
        self.assertEqual(titles_in_order(by_room.content.decode()), ["太极拳", "太极拳"])
        # The form keeps the choice, and names the rooms of this center only.
        self.assertContains(
            by_room, f'<option value="{self.hall.pk}" selected>一楼 多功能厅</option>'
        )
        self.assertContains(by_room, "二楼 书画室")

        unknown = self.client.get(self.url, {**WEEK_OF_DEC_7, "room": "9999"})
        self.assertContains(unknown, "没有这个功能室，已显示全部。")
        self.assertEqual(len(titles_in_order(unknown.content.decode())), 4)

    def test_cancelled_and_moved_occurrences_say_so_with_their_reasons(self):
        content = self.client.get(self.url, WEEK_OF_DEC_7).content.decode()
        tuesday = day_section(content, "20261208")
        self.assertIn("<s><a href=", tuesday)
        self.assertIn("已取消：场地维修", tuesday)
        self.assertNotIn('id="day-20261210"' and "太极拳", day_section(content, "20261210"))
        friday = day_section(content, "20261211")
        self.assertIn("太极拳", friday)
        self.assertIn("已改期（原定12月10日（周四）09:00）：老师出差", friday)

    def test_places_left_full_and_no_sign_up(self):
        content = self.client.get(self.url, WEEK_OF_DEC_7).content.decode()
        self.assertIn("余1个名额", day_section(content, "20261208"))  # 书法班: 1 of 2 taken
        self.assertIn(  # 四点半课堂: 1 of 1, marked as full
            '<li class="programme-line__places programme-line__places--full">已满，可候补</li>',
            day_section(content, "20261207"),
        )
        self.assertIn("无需报名", day_section(content, "20261211"))  # 太极拳
        self.assertNotIn("无需报名", day_section(content, "20261208").split("书法班")[0])

    def test_what_editors_typed_is_shown_as_text(self):
        build_activity(
            self.center,
            "<b>粤剧 & 京剧</b>",
            room=None,
            place_note='<script>alert("x")</script>',
            dtstart=date(2026, 12, 9),
            exceptions=[
                {
                    "occurrence_date": date(2026, 12, 9),
                    "action": "cancel",
                    "reason": "<i>暂停</i>",
                }
            ],
        )
        wednesday = day_section(
            self.client.get(self.url, WEEK_OF_DEC_7).content.decode(), "20261209"
        )
        self.assertIn("&lt;b&gt;粤剧 &amp; 京剧&lt;/b&gt;</a></s>", wednesday)
        self.assertIn("地点：&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;", wednesday)
        self.assertIn("已取消：&lt;i&gt;暂停&lt;/i&gt;", wednesday)
        self.assertNotIn("<script>", wednesday)

    def test_public_holidays_name_their_day(self):
        PublicHoliday.objects.update_or_create(date=date(2027, 1, 1), defaults={"name": "元旦"})
        content = self.client.get(self.url, {"date": "2027-01-01"}).content.decode()
        self.assertIn(
            '<span class="badge badge--holiday">元旦</span>', day_section(content, "20270101")
        )

    def test_advertises_the_calendar_feeds(self):
        content = self.client.get(self.url).content.decode()
        feed = reverse("activities:center_ical", kwargs={"code": "T-01"})
        self.assertIn(
            f'<link rel="alternate" type="text/calendar" title="T-01社区党群服务中心的活动（日历订阅）" href="{feed}">',
            content,
        )
        self.assertIn(f'href="{feed}">T-01社区党群服务中心的活动（日历订阅）</a>', content)
        self.assertIn("订阅日历", content)

    def test_the_door_sheet_is_a_grid_of_rooms_and_days_printed_on_one_page(self):
        listing = self.client.get(self.url, WEEK_OF_DEC_7).content.decode()
        self.assertIn(f'href="{self.url}dayin/?date=2026-12-07">打印本周节目单</a>', listing)
        self.assertIn('href="/static/css/programme-print.css" media="print"', listing)

        content = self.client.get(self.url + "dayin/", WEEK_OF_DEC_7).content.decode()
        self.assertIn("T-01社区党群服务中心 · 一周活动", content)
        header = content.split("<thead>")[1].split("</thead>")[0]
        self.assertEqual(
            re.findall(r"(周.)<br>", header),
            ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
        )
        rows = re.findall(r'<tr>\s*<th scope="row">([^<]+)</th>(.*?)</tr>', content, re.S)
        self.assertEqual([label for label, _cells in rows], ["一楼 多功能厅", "二楼 书画室"])
        hall_cells = re.findall(r"<td>(.*?)</td>", rows[0][1], re.S)
        self.assertIn("<s>太极拳</s>", hall_cells[1])  # Tuesday, cancelled
        self.assertIn("已改期", hall_cells[4])  # Friday, moved from Thursday
        self.assertEqual(hall_cells[3], "")
        studio_cells = re.findall(r"<td>(.*?)</td>", rows[1][1], re.S)
        self.assertIn("16:30–18:00</span> 四点半课堂", studio_cells[0])
        self.assertIn("14:00–16:00</span> 书法班", studio_cells[1])
        self.assertIn('href="/static/css/programme-door-sheet-print.css" media="print"', content)
        css = (STATIC / "css" / "programme-door-sheet-print.css").read_text(encoding="utf-8")
        self.assertIn("@page { size: A4 landscape", css)

    def test_activity_page(self):
        url = self.calligraphy.get_url()
        self.assertEqual(url, f"{self.url}huodong/{self.calligraphy.pk}/")
        response = self.client.get(url)
        self.assertContains(response, "<h1>书法班</h1>", html=True)
        content = response.content.decode()
        for fact in [
            "培训讲座",
            "低偿 10元/次（市场价30元）",
            "限2人",
            "需要报名",
            "二楼 书画室",
            "测试路1号",
        ]:
            self.assertIn(fact, content)
        self.assertIn("2026年12月8日（周二）14:00–16:00", content)
        sign_up = reverse(
            "activities:sign_up", kwargs={"occurrence_id": self.calligraphy.occurrences.get().pk}
        )
        self.assertIn(f'href="{sign_up}"', content)
        feed = reverse("activities:activity_ical", kwargs={"uid": self.calligraphy.uid})
        self.assertIn(
            f'<link rel="alternate" type="text/calendar" title="书法班（日历订阅）" href="{feed}">',
            content,
        )

    def test_activity_page_schedule_changes_and_json_ld(self):
        PublicHoliday.objects.create(date=date(2026, 12, 29), name="测试假日")
        self.taichi.skip_holidays = True
        self.taichi.save()
        content = self.client.get(self.taichi.get_url()).content.decode()
        self.assertIn(
            "每周二、周四 09:00–10:30（2026-12-08起，至2026-12-31）；法定节假日停开", content
        )
        self.assertIn("12月8日（周二）09:00这一场<strong>取消</strong>。原因：场地维修", content)
        self.assertIn(
            "12月10日（周四）09:00这一场<strong>改到12月11日（周五）09:00</strong>", content
        )
        self.assertIn("12月29日（周二）是测试假日，停开一次", content)
        self.assertNotIn("baoming", content)  # no sign-up needed

        events = json_ld(content)["@graph"]
        self.assertEqual(len(events), 7)  # 8 Tuesdays and Thursdays, one a holiday
        first = events[0]
        self.assertEqual(first["@type"], "Event")
        self.assertEqual(first["name"], "太极拳")
        self.assertEqual(first["startDate"], "2026-12-08T09:00:00+08:00")
        self.assertEqual(first["endDate"], "2026-12-08T10:30:00+08:00")
        self.assertEqual(first["eventStatus"], "https://schema.org/EventCancelled")
        self.assertEqual(
            first["eventAttendanceMode"], "https://schema.org/OfflineEventAttendanceMode"
        )
        self.assertEqual(first["location"]["@type"], "Place")
        self.assertEqual(first["location"]["address"]["streetAddress"], "测试路1号")
        self.assertEqual(first["location"]["address"]["addressCountry"], "CN")
        self.assertEqual(first["organizer"], {"@type": "Organization", "name": "夕阳红志愿服务队"})
        self.assertEqual(first["offers"]["price"], "0")
        self.assertEqual(first["offers"]["priceCurrency"], "CNY")
        moved = events[1]
        self.assertEqual(moved["eventStatus"], "https://schema.org/EventRescheduled")
        self.assertEqual(moved["startDate"], "2026-12-11T09:00:00+08:00")
        self.assertEqual(moved["previousStartDate"], "2026-12-10T09:00:00+08:00")
        self.assertEqual(events[2]["eventStatus"], "https://schema.org/EventScheduled")

        priced = json_ld(self.client.get(self.calligraphy.get_url()).content.decode())["@graph"][0]
        self.assertEqual(priced["offers"]["price"], "10.00")

    def test_the_activity_image_is_a_rendition_named_by_the_title(self):
        from wagtail.images.models import Image
        from wagtail.images.tests.utils import get_test_image_file

        self.calligraphy.image = Image.objects.create(
            title="照片", file=get_test_image_file(size=(1600, 1000))
        )
        self.calligraphy.save()
        content = self.client.get(self.calligraphy.get_url()).content.decode()
        tag = re.search(r'<img class="activity__image"[^>]+>', content).group(0)
        self.assertIn('width="800" height="450" alt="书法班"', tag)
        image_url = json_ld(content)["@graph"][0]["image"]
        self.assertTrue(image_url.startswith("http://testserver/"), image_url)
        self.assertIn(image_url.removeprefix("http://testserver"), tag)

    def test_json_ld_cannot_end_its_script_element(self):
        self.calligraphy.description = "</script><script>alert(1)</script>"
        self.calligraphy.save()
        content = self.client.get(self.calligraphy.get_url()).content.decode()
        self.assertNotIn("<script>alert(1)", content)
        self.assertEqual(
            json_ld(content)["@graph"][0]["description"], "</script><script>alert(1)</script>"
        )

    def test_an_activity_of_another_center_is_not_found_here(self):
        other = build_center(self.street, "T-09")
        activity = build_activity(other, "别处的活动", room=None, place_note="别处")
        self.assertIsNone(activity.get_url())  # its center has no programme page
        response = self.client.get(f"{self.url}huodong/{activity.pk}/")
        self.assertEqual(response.status_code, 404)

    def test_the_center_page_shows_todays_activities(self):
        build_activity(
            self.center,
            "周日观影",
            room=None,
            place_note="活动室",
            dtstart=date(2026, 12, 6),
            start_time=time(15, 0),
            end_time=time(17, 0),
        )
        build_activity(
            self.center,
            "周日早茶",
            room=None,
            place_note="活动室",
            dtstart=date(2026, 12, 6),
            start_time=time(8, 0),
            end_time=time(9, 0),
        )
        content = self.client.get(self.center.url).content.decode()
        today = content.split('id="today-heading"')[1].split("</section>")[0]
        self.assertIn("12月6日 周日", today)
        self.assertEqual(titles_in_order(today), ["周日早茶", "周日观影"])
        self.assertIn("已结束", today)  # 08:00–09:00 is over at 10:00
        self.assertIn(f'href="{self.url}">查看本周全部活动</a>', today)


class StreetProgrammeTests(FixedClock):
    @classmethod
    def setUpTestData(cls):
        home = build_home()
        cls.street = build_street(home)
        cls.first = build_center(cls.street, "T-01", title="海棠苑社区党群服务中心")
        cls.second = build_center(cls.street, "T-02", title="紫藤里社区党群服务中心")
        draft = build_center(cls.street, "T-03", title="未发布中心")
        draft.unpublish()
        cls.programme = build_programme(cls.street)
        cls.center_programme = build_programme(cls.first)
        build_activity(cls.first, "合唱团", start_time=time(10, 0), end_time=time(11, 0))
        build_activity(cls.second, "象棋赛", start_time=time(9, 0), end_time=time(10, 0))
        build_activity(draft, "不该出现")

    def test_lists_the_centers_together_naming_each(self):
        content = self.client.get(self.programme.url, WEEK_OF_DEC_7).content.decode()
        self.assertEqual(titles_in_order(content), ["象棋赛", "合唱团"])
        self.assertNotIn("不该出现", content)
        tuesday = day_section(content, "20261208")
        self.assertIn('<span class="programme-line__center">紫藤里社区党群服务中心</span>', tuesday)
        # Each activity links to its own center's programme, or to the street's when its
        # center has none.
        chorus, chess = Activity.objects.get(title="合唱团"), Activity.objects.get(title="象棋赛")
        self.assertIn(f'href="{self.center_programme.url}huodong/{chorus.pk}/"', tuesday)
        self.assertIn(f'href="{self.programme.url}huodong/{chess.pk}/"', tuesday)
        # Rooms of every center, named with their center.
        self.assertIn("紫藤里社区党群服务中心 · 一楼 多功能厅", content)
        feed = reverse("activities:street_ical", kwargs={"street_id": self.street.pk})
        self.assertIn(
            f'type="text/calendar" title="测试街道全部中心的活动（日历订阅）" href="{feed}"',
            content,
        )

    def test_activities_open_on_their_centers_programme(self):
        chorus = Activity.objects.get(title="合唱团")
        chess = Activity.objects.get(title="象棋赛")
        response = self.client.get(f"{self.programme.url}huodong/{chorus.pk}/")
        self.assertRedirects(response, chorus.get_url())
        # A center without a programme page of its own: the street's shows the activity.
        response = self.client.get(f"{self.programme.url}huodong/{chess.pk}/")
        self.assertContains(response, "<h1>象棋赛</h1>", html=True)

    def test_the_door_sheet_has_a_row_per_center_room(self):
        content = self.client.get(self.programme.url + "dayin/", WEEK_OF_DEC_7).content.decode()
        rows = re.findall(r'<th scope="row">([^<]+)</th>', content)
        self.assertEqual(
            rows,
            ["海棠苑社区党群服务中心 · 一楼 多功能厅", "紫藤里社区党群服务中心 · 一楼 多功能厅"],
        )


class QueryCountTests(FixedClock):
    """Each page runs the same number of queries for 3 activities as for 30 with many
    occurrences each."""

    @classmethod
    def setUpTestData(cls):
        home = build_home()
        cls.street = build_street(home)
        cls.center = build_center(cls.street, "T-01")
        cls.other = build_center(cls.street, "T-02")
        cls.programme = build_programme(cls.center)
        cls.street_programme = build_programme(cls.street)
        cls.term = audience()
        organization = Organization.objects.create(name="共建单位")
        cls.service = Service.objects.create(
            name="健康义诊", description="免费量血压", kind="public_welfare"
        )
        ServiceAtLocation.objects.create(service=cls.service, location=cls.center.place)
        cls.service_list = ServiceListPage(title="服务清单", slug="fuwu")
        cls.center.add_child(instance=cls.service_list)
        cls.organization = organization
        cls.add_activities(3)

    @classmethod
    def add_activities(cls, how_many, start=0):
        for number in range(start, start + how_many):
            center = cls.center if number % 2 == 0 else cls.other
            activity = build_activity(
                center,
                f"活动{number:02d}",
                room=None,
                place_note=f"{number}号场地",
                dtstart=date(2026, 12, 1),
                freq="DAILY",
                until=date(2027, 1, 31),
                organizer=cls.organization,
                signup_required=True,
                capacity=10,
                service=cls.service,
                start_time=time(8 + number % 10, 0),
                end_time=time(9 + number % 10, 0),
            )
            for_audiences(activity, cls.term)
            first = activity.occurrences.order_by("starts_at")[6]
            SignUp.objects.create(
                occurrence=first, name="王五", phone="13800003333", status="confirmed"
            )

    def count(self, url, params=None) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url, params or {})
        self.assertEqual(response.status_code, 200, url)
        return len(queries)

    def urls(self):
        activity = Activity.objects.filter(center=self.center).first()
        guide = self.service_list.url + self.service_list.reverse_subpage(
            "service_guide", kwargs={"service_id": self.service.pk}
        )
        return [
            (self.programme.url, WEEK_OF_DEC_7),
            (self.programme.url + "benyue/", {"audience": "elderly"}),
            (self.programme.url + "dayin/", WEEK_OF_DEC_7),
            (self.street_programme.url, WEEK_OF_DEC_7),
            (self.street_programme.url + "dayin/", WEEK_OF_DEC_7),
            (activity.get_url(), {}),
            (self.center.url, {}),
            (guide, {}),
        ]

    def test_queries_do_not_grow_with_activities_and_occurrences(self):
        for url, params in self.urls():
            self.count(url, params)  # warm Wagtail's caches (site root paths)
        small = {url: self.count(url, params) for url, params in self.urls()}
        self.add_activities(27, start=3)
        self.assertGreater(Activity.objects.count(), 29)
        large = {url: self.count(url, params) for url, params in self.urls()}
        self.assertEqual(small, large)
        content = self.client.get(self.programme.url + "benyue/").content.decode()
        self.assertEqual(len(re.findall(r'<li class="programme-line[" ]', content)), 15 * 31)
        guide = self.client.get(self.urls()[-1][0]).content.decode()
        self.assertIn("近期场次", guide)
        self.assertEqual(len(titles_in_order(guide)), 5)
