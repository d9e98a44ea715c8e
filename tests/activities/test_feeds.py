"""The iCalendar feeds: what a subscribed calendar app shows is what the programme lists.

Each feed is parsed with ``icalendar`` and expanded with ``recurring_ical_events`` (as a
calendar app would), and the expanded sessions must be exactly the occurrence rows.
"""

from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

import icalendar
import recurring_ical_events
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Occurrence, OccurrenceStatus
from catalog.opening import LOCAL_TZ
from tests.activities.builders import add_room, build_activity, kind, room_of
from tests.district.builders import build_center, build_home, build_street

RANGE_START = datetime(2026, 9, 1, tzinfo=LOCAL_TZ)
RANGE_END = datetime(2027, 4, 1, tzinfo=LOCAL_TZ)


def expanded(body: bytes, start=RANGE_START, end=RANGE_END) -> set[tuple]:
    """(uid, start, end, status, summary) of every session a calendar app would show."""
    calendar = icalendar.Calendar.from_ical(body)
    return {
        (
            str(event["UID"]),
            event.decoded("DTSTART"),
            event.decoded("DTEND"),
            str(event.get("STATUS", "CONFIRMED")),
            str(event["SUMMARY"]),
        )
        for event in recurring_ical_events.of(calendar).between(start, end)
    }


def rows_between(start=RANGE_START, end=RANGE_END, **filters) -> set[tuple]:
    """The same of the occurrence rows the programme lists over the range."""
    rows = set()
    for occurrence in Occurrence.objects.filter(**filters).between(start, end).for_listing():
        activity = occurrence.activity
        cancelled = occurrence.status == OccurrenceStatus.CANCELLED
        if occurrence.all_day:
            span = (
                occurrence.starts_at.astimezone(LOCAL_TZ).date(),
                occurrence.ends_at.astimezone(LOCAL_TZ).date(),
            )
        else:
            span = (occurrence.starts_at, occurrence.ends_at)
        rows.add(
            (
                f"activity-{activity.uid}@jiamenkou",
                *span,
                "CANCELLED" if cancelled else "CONFIRMED",
                f"【已取消】{activity.title}" if cancelled else activity.title,
            )
        )
    return rows


def build_programme(center):
    """A center's programme with every kind of schedule the feeds must carry."""
    painting, reading = add_room(center, "书画室"), add_room(center, "阅览室")
    return {
        # Tue/Thu until the year's end; 国庆节 skipped; one cancelled, one moved.
        "taiji": build_activity(
            center,
            "太极拳",
            dtstart=date(2026, 9, 1),
            start_time=time(14, 0),
            end_time=time(15, 30),
            freq="WEEKLY",
            byday="TU,TH",
            until=date(2026, 12, 31),
            skip_holidays=True,
            exceptions=[
                {"occurrence_date": date(2026, 12, 8), "action": "cancel", "reason": "场地维修"},
                {
                    "occurrence_date": date(2026, 12, 10),
                    "action": "move",
                    "new_date": date(2026, 12, 11),
                    "new_start_time": time(15, 0),
                    "new_end_time": time(16, 30),
                    "new_room": painting,
                    "reason": "教练临时有事",
                },
            ],
        ),
        # The second Saturday of each month, open-ended.
        "calligraphy": build_activity(
            center,
            "书法课",
            room=painting,
            kind=kind("文化教育"),
            dtstart=date(2026, 9, 12),
            start_time=time(9, 0),
            end_time=time(11, 0),
            freq="MONTHLY",
            byday="2SA",
        ),
        # All day, one-off and on three days running.
        "fair": build_activity(
            center,
            "便民集市",
            room=None,
            place_note="小区中心广场",
            dtstart=date(2026, 12, 12),
            all_day=True,
        ),
        "exhibition": build_activity(
            center,
            "书画展",
            room=None,
            place_note="一楼大厅",
            dtstart=date(2026, 12, 19),
            all_day=True,
            freq="DAILY",
            count=3,
            exceptions=[
                {"occurrence_date": date(2026, 12, 20), "action": "cancel", "reason": "布展调整"}
            ],
        ),
        # Weekdays, holidays off, make-up workdays (2026-09-20, 10-10) on.
        "homework": build_activity(
            center,
            "四点半课堂",
            room=reading,
            kind=kind("四点半课堂"),
            dtstart=date(2026, 9, 14),
            start_time=time(16, 0),
            end_time=time(17, 0),
            freq="WEEKLY",
            byday="MO,TU,WE,TH,FR",
            until=date(2026, 10, 16),
            skip_holidays=True,
            runs_on_makeup_workdays=True,
        ),
    }


class FeedTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = build_home()
        cls.street = build_street(home, title="春华街道", slug="chunhua")
        cls.center = build_center(cls.street, code="HHD-CH-01", title="春华社区党群服务中心")
        cls.other = build_center(cls.street, code="HHD-CH-02", title="秋实社区党群服务中心")
        cls.programme = build_programme(cls.center)
        cls.elsewhere = build_activity(
            cls.other, "合唱团", dtstart=date(2026, 12, 9), start_time=time(9, 0)
        )

    def center_url(self, code="HHD-CH-01"):
        return reverse("activities:center_ical", kwargs={"code": code})

    def street_url(self):
        return reverse("activities:street_ical", kwargs={"street_id": self.street.pk})

    def activity_url(self, activity):
        return reverse("activities:activity_ical", kwargs={"uid": activity.uid})

    def feed(self, url, **headers):
        response = self.client.get(url, headers=headers)
        self.assertEqual(response.status_code, 200, response.content[:200])
        return response


class FeedsExpandToTheOccurrences(FeedTestCase):
    def test_the_center_feed_expands_to_exactly_the_occurrence_rows(self):
        body = self.feed(self.center_url()).content
        expected = rows_between(center=self.center)
        self.assertEqual(expanded(body), expected)
        # What the example holds, spelled out: the test is not comparing two empty sets.
        taiji = f"activity-{self.programme['taiji'].uid}@jiamenkou"
        starts = {entry[1] for entry in expected if entry[0] == taiji}
        self.assertNotIn(datetime(2026, 10, 1, 14, tzinfo=LOCAL_TZ), starts)  # 国庆节
        self.assertNotIn(datetime(2026, 10, 6, 14, tzinfo=LOCAL_TZ), starts)
        self.assertIn(datetime(2026, 10, 8, 14, tzinfo=LOCAL_TZ), starts)
        self.assertIn(
            (
                taiji,
                datetime(2026, 12, 8, 14, tzinfo=LOCAL_TZ),
                datetime(2026, 12, 8, 15, 30, tzinfo=LOCAL_TZ),
                "CANCELLED",
                "【已取消】太极拳",
            ),
            expected,
        )
        self.assertIn(datetime(2026, 12, 11, 15, tzinfo=LOCAL_TZ), starts)  # moved
        self.assertNotIn(datetime(2026, 12, 10, 14, tzinfo=LOCAL_TZ), starts)
        self.assertEqual(max(starts), datetime(2026, 12, 31, 14, tzinfo=LOCAL_TZ))
        homework = f"activity-{self.programme['homework'].uid}@jiamenkou"
        homework_days = {entry[1].date() for entry in expected if entry[0] == homework}
        self.assertIn(date(2026, 9, 20), homework_days)  # a make-up Sunday
        self.assertIn(date(2026, 10, 10), homework_days)  # a make-up Saturday
        self.assertNotIn(date(2026, 9, 25), homework_days)  # 中秋节
        fair = f"activity-{self.programme['fair'].uid}@jiamenkou"
        self.assertIn(
            (fair, date(2026, 12, 12), date(2026, 12, 13), "CONFIRMED", "便民集市"), expected
        )

    def test_the_open_ended_rule_goes_on_beyond_the_stored_occurrences(self):
        body = self.feed(self.activity_url(self.programme["calligraphy"])).content
        late = datetime(2028, 1, 1, tzinfo=LOCAL_TZ)
        sessions = expanded(body, late, late + timedelta(days=62))
        self.assertEqual(
            sorted(entry[1] for entry in sessions),
            [
                datetime(2028, 1, 8, 9, tzinfo=LOCAL_TZ),
                datetime(2028, 2, 12, 9, tzinfo=LOCAL_TZ),
            ],
        )

    def test_each_activity_feed_expands_to_its_own_rows(self):
        for activity in self.programme.values():
            with self.subTest(activity.title):
                body = self.feed(self.activity_url(activity)).content
                self.assertEqual(expanded(body), rows_between(activity=activity))

    def test_the_street_feed_holds_every_center_of_the_street(self):
        body = self.feed(self.street_url()).content
        self.assertEqual(expanded(body), rows_between(center__in=[self.center, self.other]))
        self.assertIn("合唱团", {summary for *_rest, summary in expanded(body)})

    def test_an_unpublished_center_leaves_the_street_feed_and_has_no_feed(self):
        self.other.unpublish()
        body = self.feed(self.street_url()).content
        self.assertNotIn("合唱团", {summary for *_rest, summary in expanded(body)})
        self.assertEqual(self.client.get(self.center_url("HHD-CH-02")).status_code, 404)
        self.assertEqual(self.client.get(self.activity_url(self.elsewhere)).status_code, 404)


class FeedContent(FeedTestCase):
    def calendar(self, url):
        return icalendar.Calendar.from_ical(self.feed(url).content)

    def test_the_calendar_is_named_in_chinese_in_beijing_time(self):
        response = self.feed(self.center_url())
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        self.assertIn('filename="huodong-HHD-CH-01.ics"', response["Content-Disposition"])
        calendar = icalendar.Calendar.from_ical(response.content)
        self.assertEqual(str(calendar["VERSION"]), "2.0")
        self.assertTrue(str(calendar["PRODID"]))
        self.assertEqual(str(calendar["X-WR-CALNAME"]), "春华社区党群服务中心 活动节目单")
        self.assertEqual(str(calendar["X-WR-TIMEZONE"]), "Asia/Shanghai")
        self.assertEqual([str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")], ["Asia/Shanghai"])
        self.assertIn(b"DTSTART;TZID=Asia/Shanghai:20260901T140000", response.content)
        self.assertIn(b"DTSTART;VALUE=DATE:20261212", response.content)
        self.assertIn(b"X-PUBLISHED-TTL:PT6H", response.content)  # how often apps re-read it

    def test_a_recurring_activity_is_one_master_with_rule_exdates_and_overrides(self):
        taiji = self.programme["taiji"]
        events = [
            event
            for event in self.calendar(self.activity_url(taiji)).walk("VEVENT")
            if str(event["UID"]) == f"activity-{taiji.uid}@jiamenkou"
        ]
        master = [event for event in events if "RECURRENCE-ID" not in event]
        self.assertEqual(len(master), 1)
        master = master[0]
        self.assertEqual(
            master["RRULE"].to_ical(), b"FREQ=WEEKLY;UNTIL=20261231T155959Z;BYDAY=TU,TH"
        )
        exdates = [d.dt for exdate in [master["EXDATE"]] for d in exdate.dts]
        self.assertEqual(
            exdates,
            [
                datetime(2026, 10, 1, 14, tzinfo=LOCAL_TZ),
                datetime(2026, 10, 6, 14, tzinfo=LOCAL_TZ),
            ],
        )
        self.assertNotIn("RDATE", master)
        self.assertEqual(master["CATEGORIES"].cats, ["文体康养"])
        self.assertEqual(str(master["LOCATION"]), "春华社区党群服务中心 一楼 多功能厅")
        overrides = {
            event.decoded("RECURRENCE-ID"): event for event in events if event is not master
        }
        cancelled = overrides[datetime(2026, 12, 8, 14, tzinfo=LOCAL_TZ)]
        self.assertEqual(str(cancelled["STATUS"]), "CANCELLED")
        self.assertIn("场地维修", str(cancelled["DESCRIPTION"]))
        moved = overrides[datetime(2026, 12, 10, 14, tzinfo=LOCAL_TZ)]
        self.assertEqual(moved.decoded("DTSTART"), datetime(2026, 12, 11, 15, tzinfo=LOCAL_TZ))
        self.assertEqual(moved.decoded("DTEND"), datetime(2026, 12, 11, 16, 30, tzinfo=LOCAL_TZ))
        self.assertEqual(str(moved["LOCATION"]), "春华社区党群服务中心 书画室")
        self.assertIn("教练临时有事", str(moved["DESCRIPTION"]))
        self.assertEqual(len(overrides), 2)

    def test_make_up_workdays_are_rdates(self):
        homework = self.programme["homework"]
        (master,) = self.calendar(self.activity_url(homework)).walk("VEVENT")
        rdates = [d.dt for d in master["RDATE"].dts]
        self.assertEqual(
            rdates,
            [
                datetime(2026, 9, 20, 16, tzinfo=LOCAL_TZ),
                datetime(2026, 10, 10, 16, tzinfo=LOCAL_TZ),
            ],
        )

    def test_events_link_the_activity_page_of_the_programme(self):
        from activities.models.pages import ProgrammeSheetPage

        self.center.add_child(instance=ProgrammeSheetPage(title="活动节目单", slug="jiemudan"))
        fair = self.programme["fair"]
        (master,) = self.calendar(self.activity_url(fair)).walk("VEVENT")
        page_path = urlsplit(fair.get_url(None)).path
        self.assertTrue(page_path.startswith(self.center.url_path.removeprefix("/test-home")))
        self.assertEqual(urlsplit(str(master["URL"])).path, page_path)
        self.assertTrue(str(master["URL"]).startswith("http"))

    def test_a_one_off_session_has_no_rule(self):
        (master,) = self.calendar(self.activity_url(self.programme["fair"])).walk("VEVENT")
        self.assertNotIn("RRULE", master)
        self.assertEqual(master.decoded("DTSTART"), date(2026, 12, 12))
        self.assertEqual(str(master["LOCATION"]), "春华社区党群服务中心 小区中心广场")

    def test_an_edit_raises_the_sequence_and_changes_the_etag(self):
        taiji = self.programme["taiji"]
        first = self.feed(self.activity_url(taiji))
        (master,) = [
            e
            for e in icalendar.Calendar.from_ical(first.content).walk("VEVENT")
            if "RECURRENCE-ID" not in e
        ]
        sequence = int(master["SEQUENCE"])
        taiji.refresh_from_db()
        taiji.updated_at  # noqa: B018 (read before the edit)
        taiji.title = "太极拳（初级班）"
        taiji.save()
        taiji.__class__.objects.filter(pk=taiji.pk).update(
            updated_at=taiji.updated_at + timedelta(seconds=5)
        )
        second = self.feed(self.activity_url(taiji))
        self.assertNotEqual(first["ETag"], second["ETag"])
        (master,) = [
            e
            for e in icalendar.Calendar.from_ical(second.content).walk("VEVENT")
            if "RECURRENCE-ID" not in e
        ]
        self.assertGreater(int(master["SEQUENCE"]), sequence)
        self.assertEqual(str(master["SUMMARY"]), "太极拳（初级班）")


class ConditionalGet(FeedTestCase):
    def test_a_current_copy_is_answered_304(self):
        first = self.feed(self.center_url())
        self.assertTrue(first["ETag"] and first["Last-Modified"])
        again = self.client.get(self.center_url(), headers={"If-None-Match": first["ETag"]})
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")
        since = self.client.get(
            self.center_url(), headers={"If-Modified-Since": first["Last-Modified"]}
        )
        self.assertEqual(since.status_code, 304)
        stale = self.client.get(self.center_url(), headers={"If-None-Match": '"other"'})
        self.assertEqual(stale.status_code, 200)

    def test_unknown_feeds_are_404_and_only_reading_is_allowed(self):
        self.assertEqual(self.client.get(self.center_url("HHD-XX-99")).status_code, 404)
        missing = reverse("activities:street_ical", kwargs={"street_id": 999999})
        self.assertEqual(self.client.get(missing).status_code, 404)
        response = self.client.post(self.center_url())
        self.assertEqual(response.status_code, 405)
        self.assertIn("GET", response["Allow"])


class FeedWindow(FeedTestCase):
    def test_the_center_feed_leaves_out_activities_ended_over_90_days_ago(self):
        build_activity(
            self.center, "春季运动会", room=room_of(self.center), dtstart=date(2026, 5, 12)
        )
        recent = build_activity(
            self.center, "秋季运动会", room=room_of(self.center), dtstart=date(2026, 9, 15)
        )
        summaries = {
            s
            for *_r, s in expanded(
                self.feed(self.center_url()).content, datetime(2026, 1, 1, tzinfo=LOCAL_TZ)
            )
        }
        self.assertIn("秋季运动会", summaries)
        self.assertNotIn("春季运动会", summaries)
        # The activity's own feed keeps its whole history.
        self.assertEqual(self.client.get(self.activity_url(recent)).status_code, 200)


class FeedQueries(FeedTestCase):
    def queries(self, url) -> int:
        with CaptureQueriesContext(connection) as captured:
            self.feed(url)
        return len(captured)

    def test_the_query_count_does_not_grow_with_activities_or_occurrences(self):
        urls = [self.center_url(), self.street_url(), self.activity_url(self.programme["taiji"])]
        before = [self.queries(url) for url in urls]
        for number in range(4):
            build_activity(
                self.center,
                f"活动{number}",
                room=add_room(self.center, f"活动室{number}"),
                dtstart=date(2026, 9, 7),
                freq="WEEKLY",
                byday="MO,WE",
                exceptions=[
                    {"occurrence_date": date(2026, 12, 9), "action": "cancel", "reason": "停电"}
                ],
            )
            build_activity(self.other, f"其他活动{number}", dtstart=date(2026, 12, 14 + number))
        self.assertEqual([self.queries(url) for url in urls], before)
        self.assertLessEqual(max(before), 8)


class FirstDateOffTheRuleTests(TestCase):
    """An editor may start a Tuesday-and-Thursday class on a Monday: RFC 5545 would count
    that first date as a session, the site does not, and neither must the feed."""

    @classmethod
    def setUpTestData(cls):
        cls.center = build_center(build_street(build_home()))
        cls.weekly = build_activity(
            cls.center,
            "太极拳",
            dtstart=date(2026, 12, 7),  # a Monday
            freq="WEEKLY",
            byday="TU,TH",
            count=4,
        )
        cls.monthly = build_activity(
            cls.center,
            "读书会",
            dtstart=date(2026, 12, 1),  # a Tuesday
            freq="MONTHLY",
            byday="2SA",
            until=date(2027, 2, 28),
            start_time=time(14),
            end_time=time(16),
        )

    def test_the_feed_expands_to_the_rows_not_to_the_first_date(self):
        for activity in (self.weekly, self.monthly):
            url = reverse("activities:activity_ical", kwargs={"uid": activity.uid})
            body = self.client.get(url).content
            self.assertEqual(expanded(body), rows_between(activity=activity), activity.title)
        self.assertEqual(self.weekly.occurrences.count(), 4)
