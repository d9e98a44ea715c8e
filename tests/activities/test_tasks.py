"""Open-ended schedules are kept a year ahead by a django-tasks task (and its command for
cron); a clash in the newly reached weeks leaves that one activity as it was."""

from datetime import date, time, timedelta
from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from activities.recurrence import HORIZON_DAYS
from activities.scheduling import schedule_activity
from activities.tasks import extend_activity_schedules
from catalog.opening import LOCAL_TZ
from tests.activities.builders import add_room, build_activity, room_of
from tests.district.builders import build_center, build_home, build_street

# Saved long ago: the weekly rules below were planned only up to a year after this day.
LONG_AGO = date(2026, 6, 2)
WEEKLY = {"freq": "WEEKLY", "byday": "TU", "dtstart": date(2026, 6, 2)}


def last_session(activity) -> date:
    return activity.occurrences.order_by("-starts_at").first().starts_at.astimezone(LOCAL_TZ).date()


class ExtendSchedulesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        center = build_center(build_street(build_home()))
        cls.hall = room_of(center)
        cls.studio = add_room(center, "书画室")
        cls.center = center

    def planned_long_ago(self, title, room, **fields):
        activity = build_activity(self.center, title, room=room, **{**WEEKLY, **fields})
        schedule_activity(activity, today=LONG_AGO)
        activity.refresh_from_db()
        return activity

    def test_an_open_ended_schedule_is_extended_to_a_year_ahead(self):
        taiji = self.planned_long_ago("太极拳", self.hall)
        self.assertEqual(taiji.scheduled_until, LONG_AGO + timedelta(days=HORIZON_DAYS))
        self.assertEqual(last_session(taiji), date(2027, 6, 1))

        result = extend_activity_schedules.enqueue()

        self.assertEqual(result.return_value, {"extended": [taiji.pk], "clashed": []})
        taiji.refresh_from_db()
        horizon = timezone.localdate() + timedelta(days=HORIZON_DAYS)
        self.assertEqual(taiji.scheduled_until, horizon)
        self.assertGreater(last_session(taiji), horizon - timedelta(days=7))

        # Now a year ahead: the next run leaves it alone.
        self.assertEqual(extend_activity_schedules.call(), {"extended": [], "clashed": []})

    def test_schedules_that_end_or_are_far_enough_ahead_are_left_alone(self):
        ended = self.planned_long_ago("冬季讲座", self.hall, until=date(2027, 1, 26))
        current = build_activity(self.center, "书法", room=self.studio, **WEEKLY)
        one_off = build_activity(self.center, "义诊", room=self.studio, dtstart=date(2026, 12, 9))
        self.assertEqual(extend_activity_schedules.call(), {"extended": [], "clashed": []})
        for activity in (ended, current, one_off):
            before = activity.scheduled_until
            activity.refresh_from_db()
            self.assertEqual(activity.scheduled_until, before, activity.title)

    def test_a_clash_in_the_new_weeks_skips_that_activity_only(self):
        taiji = self.planned_long_ago("太极拳", self.hall)
        calligraphy = self.planned_long_ago("书法", self.studio)
        # Booked into the hall after taiji's planned sessions ended.
        build_activity(self.center, "合唱比赛", room=self.hall, dtstart=date(2027, 7, 6))
        sessions_before = taiji.occurrences.count()

        with self.assertLogs("activities.tasks", "WARNING") as logs:
            summary = extend_activity_schedules.call()

        self.assertEqual(summary, {"extended": [calligraphy.pk], "clashed": [taiji.pk]})
        self.assertIn("太极拳", logs.output[0])
        self.assertIn("合唱比赛", logs.output[0])
        taiji.refresh_from_db()
        self.assertEqual(taiji.scheduled_until, LONG_AGO + timedelta(days=HORIZON_DAYS))
        self.assertEqual(taiji.occurrences.count(), sessions_before)
        calligraphy.refresh_from_db()
        self.assertEqual(
            calligraphy.scheduled_until, timezone.localdate() + timedelta(days=HORIZON_DAYS)
        )

    def test_the_command_for_cron(self):
        self.planned_long_ago("太极拳", self.hall, start_time=time(14), end_time=time(15))
        out = StringIO()
        call_command("extend_activity_schedules", stdout=out)
        self.assertIn("已延长1个活动的排期", out.getvalue())
        out = StringIO()
        call_command("extend_activity_schedules", "--now", stdout=out)
        self.assertIn("已延长0个活动的排期", out.getvalue())
