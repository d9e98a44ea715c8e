"""The four ways a week's programme goes out — the page, the door sheet to print, the
iCalendar feed and the JSON API — list the same sessions, each read as its reader would
(HTML parsed, the feed expanded by recurring_ical_events, the API's JSON)."""

from datetime import date, datetime, time, timedelta

import recurring_ical_events
from bs4 import BeautifulSoup
from django.test import TestCase
from django.urls import reverse
from icalendar import Calendar

from activities.models import ProgrammeSheetPage
from catalog.opening import LOCAL_TZ
from tests.activities.builders import add_room, build_activity
from tests.district.builders import build_center, build_home, build_street

MONDAY = date(2026, 12, 7)
WEEK = [MONDAY + timedelta(days=n) for n in range(7)]


class ProgrammeAgreementTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.center = build_center(build_street(build_home()))
        studio = add_room(cls.center, "书画室")
        programme = ProgrammeSheetPage(title="活动节目单", slug="jiemudan")
        cls.center.add_child(instance=programme)
        cls.programme_url = programme.url
        build_activity(
            cls.center,
            "太极拳",
            freq="WEEKLY",
            byday="TU,TH",
            dtstart=date(2026, 12, 1),
            until=date(2026, 12, 31),
            exceptions=[
                {"occurrence_date": date(2026, 12, 10), "action": "cancel", "reason": "场地维修"}
            ],
        )
        build_activity(
            cls.center,
            "书法班",
            room=studio,
            freq="WEEKLY",
            byday="MO,WE,FR",
            dtstart=date(2026, 11, 30),
            start_time=time(14),
            end_time=time(16),
            exceptions=[
                {
                    "occurrence_date": date(2026, 12, 9),
                    "action": "move",
                    "new_date": date(2026, 12, 12),
                    "new_start_time": time(9),
                    "new_end_time": time(11),
                    "reason": "老师出差",
                }
            ],
        )
        build_activity(
            cls.center,
            "读书会",
            room=studio,
            freq="MONTHLY",
            byday="2SA",
            dtstart=date(2026, 12, 1),
            start_time=time(14),
            end_time=time(16),
        )
        build_activity(
            cls.center, "议事会", dtstart=date(2026, 12, 11), start_time=time(15), end_time=time(16)
        )

    def from_page(self) -> set:
        page = BeautifulSoup(
            self.client.get(self.programme_url + "?date=2026-12-07").content, "html.parser"
        )
        sessions = set()
        for section in page.select("section.programme-day"):
            day = datetime.strptime(section.h2["id"], "day-%Y%m%d").date()
            for line in section.select("li.programme-line"):
                title = line.select_one(
                    ".programme-line__title a, .programme-line__title"
                ).get_text(strip=True)
                start = line.select_one(".programme-line__time").get_text(strip=True).split("–")[0]
                cancelled = "programme-line--cancelled" in line["class"]
                sessions.add((day, start, title, cancelled))
        return sessions

    def from_door_sheet(self) -> set:
        page = BeautifulSoup(
            self.client.get(self.programme_url + "dayin/?date=2026-12-07").content, "html.parser"
        )
        sessions = set()
        for row in page.select("table.door-sheet__grid tbody tr"):
            for day, cell in zip(WEEK, row.find_all("td"), strict=True):
                for item in cell.select("p.sheet-item"):
                    start = item.select_one(".sheet-item__time").get_text(strip=True).split("–")[0]
                    struck = item.find("s")
                    if struck is not None:
                        title = struck.get_text(strip=True)
                    else:
                        title = "".join(item.find_all(string=True, recursive=False)).strip()
                    cancelled = "sheet-item--cancelled" in item["class"]
                    sessions.add((day, start, title, cancelled))
        return sessions

    def from_feed(self) -> set:
        url = reverse("activities:center_ical", kwargs={"code": self.center.code})
        calendar = Calendar.from_ical(self.client.get(url).content)
        sessions = set()
        for event in recurring_ical_events.of(calendar).between(
            WEEK[0], WEEK[-1] + timedelta(days=1)
        ):
            start = event["DTSTART"].dt.astimezone(LOCAL_TZ)
            title = str(event["SUMMARY"]).removeprefix("【已取消】")
            cancelled = str(event.get("STATUS", "")) == "CANCELLED"
            sessions.add((start.date(), f"{start:%H:%M}", title, cancelled))
        return sessions

    def from_api(self) -> set:
        response = self.client.get(
            "/api/activities/occurrences",
            {
                "center": self.center.code,
                "start": "2026-12-07",
                "end": "2026-12-13",
                "per_page": 100,
            },
        )
        sessions = set()
        for item in response.json()["results"]:
            start = datetime.fromisoformat(item["starts_at"]).astimezone(LOCAL_TZ)
            cancelled = item["status"] == "cancelled"
            sessions.add((start.date(), f"{start:%H:%M}", item["activity"]["title"], cancelled))
        return sessions

    def test_page_door_sheet_feed_and_api_list_the_same_sessions(self):
        page = self.from_page()
        expected = {
            (date(2026, 12, 7), "14:00", "书法班", False),
            (date(2026, 12, 8), "09:00", "太极拳", False),
            (date(2026, 12, 10), "09:00", "太极拳", True),
            (date(2026, 12, 11), "14:00", "书法班", False),
            (date(2026, 12, 11), "15:00", "议事会", False),
            (date(2026, 12, 12), "09:00", "书法班", False),  # moved from Wednesday
            (date(2026, 12, 12), "14:00", "读书会", False),  # the second Saturday
        }
        self.assertEqual(page, expected)
        self.assertEqual(self.from_door_sheet(), expected)
        self.assertEqual(self.from_feed(), expected)
        self.assertEqual(self.from_api(), expected)
