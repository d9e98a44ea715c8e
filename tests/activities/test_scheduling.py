"""Schedules expand as RFC 5545 says, meet the holiday calendar, take exceptions, and never
let two occurrences hold one room at once — whatever path saves them."""

import threading
from datetime import date, datetime, time

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import TestCase, TransactionTestCase

from activities.models import Activity, Occurrence, OccurrenceStatus
from activities.recurrence import rrule_text
from activities.scheduling import RoomClash, check_schedule, schedule_activity
from catalog.models import PublicHoliday
from catalog.opening import LOCAL_TZ
from tests.activities.builders import add_room, build_activity, kind, room_of
from tests.district.builders import build_center, build_home, build_street


def local_starts(activity):
    return [
        o.starts_at.astimezone(LOCAL_TZ).replace(tzinfo=None)
        for o in activity.occurrences.order_by("starts_at")
    ]


class CenterTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = build_home()
        cls.center = build_center(build_street(home))
        cls.hall = room_of(cls.center)
        cls.studio = add_room(cls.center, "书画室")


class RecurrenceTests(CenterTestCase):
    def test_every_tuesday_and_thursday_until_a_date(self):
        activity = build_activity(
            self.center,
            freq="WEEKLY",
            byday="TU,TH",
            dtstart=date(2026, 12, 1),
            until=date(2026, 12, 17),
        )
        self.assertEqual(
            local_starts(activity),
            [datetime(2026, 12, day, 9, 0) for day in (1, 3, 8, 10, 15, 17)],
        )
        self.assertTrue(
            all(
                o.ends_at - o.starts_at == (o.ends_at - o.starts_at)
                for o in activity.occurrences.all()
            )
        )
        first = activity.occurrences.first()
        self.assertEqual(first.ends_at.astimezone(LOCAL_TZ).time(), time(10, 30))

    def test_second_saturday_of_each_month(self):
        activity = build_activity(
            self.center,
            "读书会",
            freq="MONTHLY",
            byday="2SA",
            dtstart=date(2026, 12, 1),
            count=3,
            start_time=time(14),
            end_time=time(16),
        )
        self.assertEqual(
            [start.date() for start in local_starts(activity)],
            [date(2026, 12, 12), date(2027, 1, 9), date(2027, 2, 13)],
        )

    def test_an_all_day_event_takes_the_whole_local_day(self):
        activity = build_activity(
            self.center, "社区开放日", all_day=True, start_time=None, end_time=None
        )
        occurrence = activity.occurrences.get()
        self.assertTrue(occurrence.all_day)
        self.assertEqual(
            occurrence.starts_at.astimezone(LOCAL_TZ), datetime(2026, 12, 8, tzinfo=LOCAL_TZ)
        )
        self.assertEqual(
            occurrence.ends_at.astimezone(LOCAL_TZ), datetime(2026, 12, 9, tzinfo=LOCAL_TZ)
        )

    def test_an_open_ended_rule_is_expanded_a_year_ahead(self):
        activity = build_activity(self.center, freq="WEEKLY", byday="MO", dtstart=date(2026, 12, 7))
        self.assertGreaterEqual(activity.occurrences.count(), 52)
        self.assertIsNotNone(activity.scheduled_until)

    def test_the_rule_reads_as_rfc_5545(self):
        activity = Activity(
            freq="WEEKLY", byday="tu, th", interval=2, until=date(2026, 12, 31), all_day=False
        )
        self.assertEqual(
            rrule_text(activity), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20261231T155959Z"
        )

    def test_a_malformed_rule_is_refused_in_chinese(self):
        activity = Activity(
            center=self.center,
            title="x",
            kind=kind(),
            dtstart=date(2026, 12, 1),
            start_time=time(10),
            end_time=time(9),
            freq="WEEKLY",
            byday="周二",
        )
        with self.assertRaises(Exception) as caught:
            activity.full_clean()
        errors = caught.exception.message_dict
        self.assertIn("结束时间必须晚于开始时间。", errors["end_time"])
        self.assertIn("星期写法不对", errors["byday"][0])


class HolidayTests(CenterTestCase):
    def test_skipping_public_holidays(self):
        # 2026 National Day: 10-01..10-07 off, 10-10 (Saturday) a make-up workday.
        activity = build_activity(
            self.center,
            "广场舞",
            freq="WEEKLY",
            byday="MO,TU,WE,TH,FR",
            dtstart=date(2026, 9, 28),
            until=date(2026, 10, 10),
            skip_holidays=True,
        )
        days = [start.date() for start in local_starts(activity)]
        self.assertEqual(
            days,
            [
                date(2026, 9, 28),
                date(2026, 9, 29),
                date(2026, 9, 30),
                date(2026, 10, 8),
                date(2026, 10, 9),
            ],
        )

    def test_running_on_make_up_workdays_when_the_editor_says_so(self):
        activity = build_activity(
            self.center,
            "广场舞",
            freq="WEEKLY",
            byday="MO,TU,WE,TH,FR",
            dtstart=date(2026, 10, 5),
            until=date(2026, 10, 11),
            skip_holidays=True,
            runs_on_makeup_workdays=True,
        )
        days = [start.date() for start in local_starts(activity)]
        self.assertEqual(days, [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)])

    def test_without_the_flag_a_holiday_is_an_ordinary_day(self):
        activity = build_activity(
            self.center, "广场舞", freq="DAILY", dtstart=date(2026, 10, 1), count=2
        )
        self.assertEqual(len(local_starts(activity)), 2)

    def test_the_plan_names_the_holidays_it_skipped(self):
        activity = build_activity(
            self.center,
            "太极拳",
            freq="WEEKLY",
            byday="TH",
            dtstart=date(2026, 9, 24),
            until=date(2026, 10, 15),
            skip_holidays=True,
        )
        plan, _, _ = check_schedule(activity, today=date(2026, 9, 1))
        self.assertEqual(plan.holiday_skips, [(date(2026, 10, 1), "国庆节")])


class ExceptionTests(CenterTestCase):
    def test_cancel_one_occurrence_with_its_reason(self):
        activity = build_activity(
            self.center,
            freq="WEEKLY",
            byday="TU",
            dtstart=date(2026, 12, 1),
            count=3,
            exceptions=[
                {"occurrence_date": date(2026, 12, 8), "action": "cancel", "reason": "场地维修"}
            ],
        )
        cancelled = activity.occurrences.get(status=OccurrenceStatus.CANCELLED)
        self.assertEqual(cancelled.starts_at.astimezone(LOCAL_TZ).date(), date(2026, 12, 8))
        self.assertEqual(cancelled.reason, "场地维修")
        self.assertEqual(activity.occurrences.count(), 3)

    def test_move_one_occurrence_keeps_its_recurrence_id(self):
        activity = build_activity(
            self.center,
            freq="WEEKLY",
            byday="TU",
            dtstart=date(2026, 12, 1),
            count=3,
            exceptions=[
                {
                    "occurrence_date": date(2026, 12, 8),
                    "action": "move",
                    "new_date": date(2026, 12, 9),
                    "new_start_time": time(15),
                    "new_end_time": time(16),
                    "new_room": self.studio,
                    "reason": "多功能厅借用",
                }
            ],
        )
        moved = activity.occurrences.get(status=OccurrenceStatus.MOVED)
        self.assertEqual(
            moved.recurrence_id.astimezone(LOCAL_TZ), datetime(2026, 12, 8, 9, tzinfo=LOCAL_TZ)
        )
        self.assertEqual(
            moved.starts_at.astimezone(LOCAL_TZ), datetime(2026, 12, 9, 15, tzinfo=LOCAL_TZ)
        )
        self.assertEqual(moved.room, self.studio)
        self.assertEqual(moved.reason, "多功能厅借用")

    def test_an_exception_on_a_date_without_an_occurrence_is_reported(self):
        activity = build_activity(
            self.center, freq="WEEKLY", byday="TU", dtstart=date(2026, 12, 1), count=2
        )
        activity.exceptions = []
        from activities.models import ActivityException

        stray = ActivityException(occurrence_date=date(2026, 12, 9), action="cancel", reason="x")
        plan, _, _ = check_schedule(activity, exceptions=[stray])
        self.assertEqual(plan.stray_exceptions[0][1], "2026-12-09这一天没有本活动的场次。")

    def test_changing_the_time_keeps_the_sign_ups_with_their_session(self):
        activity = build_activity(
            self.center,
            freq="WEEKLY",
            byday="TU",
            dtstart=date(2026, 12, 1),
            count=2,
            capacity=10,
            signup_required=True,
        )
        first = activity.occurrences.first()
        first.sign_ups.create(name="张三", phone="13800000001", status="confirmed")
        activity.start_time, activity.end_time = time(14), time(15)
        activity.save()
        first.refresh_from_db()
        self.assertEqual(first.starts_at.astimezone(LOCAL_TZ).time(), time(14))
        self.assertEqual(first.sign_ups.count(), 1)

    def test_a_session_dropped_from_the_schedule_with_sign_ups_is_cancelled_not_deleted(self):
        activity = build_activity(
            self.center,
            freq="WEEKLY",
            byday="TU",
            dtstart=date(2026, 12, 1),
            count=3,
            capacity=10,
            signup_required=True,
        )
        last = activity.occurrences.last()
        last.sign_ups.create(name="张三", phone="13800000001", status="confirmed")
        activity.count = 2
        activity.save()
        last.refresh_from_db()
        self.assertEqual(last.status, OccurrenceStatus.CANCELLED)
        self.assertEqual(last.reason, "活动安排调整，本场取消")
        self.assertEqual(activity.occurrences.exclude(status="cancelled").count(), 2)


class RoomClashTests(CenterTestCase):
    def setUp(self):
        self.taiji = build_activity(
            self.center,
            "太极拳",
            freq="WEEKLY",
            byday="TU,TH",
            dtstart=date(2026, 12, 1),
            until=date(2026, 12, 31),
        )

    def test_a_one_off_booking_over_a_recurrence_is_refused_naming_it(self):
        with self.assertRaises(RoomClash) as caught:
            build_activity(
                self.center,
                "议事会",
                dtstart=date(2026, 12, 10),
                start_time=time(10),
                end_time=time(11),
            )
        message = caught.exception.messages[0]
        self.assertIn("“太极拳”", message)
        self.assertIn("2026-12-10（周四）10:00–11:00", message)
        self.assertIn("多功能厅", message)
        self.assertFalse(Activity.objects.filter(title="议事会").exists())

    def test_a_recurrence_over_a_recurrence_names_the_first_dates(self):
        with self.assertRaises(RoomClash) as caught:
            build_activity(
                self.center,
                "合唱",
                freq="WEEKLY",
                byday="TH",
                dtstart=date(2026, 12, 1),
                until=date(2026, 12, 31),
                start_time=time(10),
                end_time=time(11),
            )
        message = caught.exception.messages[0]
        self.assertIn(
            "2026-12-03（周四）10:00–11:00、2026-12-10（周四）10:00–11:00、2026-12-17（周四）10:00–11:00等",
            message,
        )
        self.assertIn("共5次", message)

    def test_touching_sessions_do_not_clash(self):
        build_activity(
            self.center,
            "合唱",
            dtstart=date(2026, 12, 8),
            start_time=time(10, 30),
            end_time=time(11, 30),
        )

    def test_another_room_is_free(self):
        build_activity(self.center, "书法", room=self.studio, dtstart=date(2026, 12, 8))

    def test_a_cancelled_occurrence_frees_its_room(self):
        self.taiji.exceptions = [
            *self.taiji.exceptions.all(),
        ]
        from activities.models import ActivityException

        self.taiji.exceptions.add(
            ActivityException(occurrence_date=date(2026, 12, 8), action="cancel", reason="停电")
        )
        self.taiji.save()
        build_activity(self.center, "议事会", dtstart=date(2026, 12, 8))

    def test_moving_an_occurrence_onto_another_activity_is_refused(self):
        calligraphy = build_activity(
            self.center,
            "书法",
            room=self.studio,
            dtstart=date(2026, 12, 9),
            start_time=time(15),
            end_time=time(16),
        )
        from activities.models import ActivityException

        self.taiji.exceptions.add(
            ActivityException(
                occurrence_date=date(2026, 12, 8),
                action="move",
                new_date=date(2026, 12, 9),
                new_start_time=time(15, 30),
                new_end_time=time(16, 30),
                new_room=self.studio,
                reason="调整",
            )
        )
        with self.assertRaises(RoomClash) as caught:
            self.taiji.save()
        self.assertIn("“书法”", caught.exception.messages[0])
        self.assertTrue(calligraphy.occurrences.exists())
        self.assertFalse(Occurrence.objects.filter(activity=self.taiji, status="moved").exists())

    def test_a_booking_moved_onto_the_freed_slot_is_accepted(self):
        from activities.models import ActivityException

        self.taiji.exceptions.add(
            ActivityException(
                occurrence_date=date(2026, 12, 8),
                action="move",
                new_start_time=time(14),
                new_end_time=time(15, 30),
                reason="上午停电",
            )
        )
        self.taiji.save()
        build_activity(self.center, "议事会", dtstart=date(2026, 12, 8))

    def test_an_activity_cannot_overlap_itself(self):
        with self.assertRaises(RoomClash):
            build_activity(
                self.center,
                "书法",
                room=self.studio,
                freq="WEEKLY",
                byday="TU",
                dtstart=date(2026, 12, 1),
                count=2,
                exceptions=[
                    {
                        "occurrence_date": date(2026, 12, 1),
                        "action": "move",
                        "new_date": date(2026, 12, 8),
                        "reason": "x",
                    }
                ],
            )

    def test_nothing_is_written_when_a_save_clashes(self):
        before = Occurrence.objects.count()
        self.taiji.start_time = time(8)
        build_activity(
            self.center,
            "早操",
            dtstart=date(2026, 12, 15),
            start_time=time(8),
            end_time=time(8, 30),
        )
        with self.assertRaises(RoomClash):
            self.taiji.save()
        self.assertEqual(Occurrence.objects.count(), before + 1)
        self.taiji.refresh_from_db()
        self.assertEqual(self.taiji.start_time, time(9))


class OutsideHoursTests(CenterTestCase):
    def test_sessions_outside_the_centers_hours_are_flagged_not_refused(self):
        # The test center opens on weekdays 08:30–17:30.
        activity = build_activity(
            self.center,
            "周末舞会",
            freq="WEEKLY",
            byday="FR,SA",
            dtstart=date(2026, 12, 4),
            count=2,
            start_time=time(16, 30),
            end_time=time(18),
        )
        flagged = [o.outside_hours for o in activity.occurrences.order_by("starts_at")]
        self.assertEqual(flagged, [True, True])
        inside = build_activity(
            self.center, "午间操", dtstart=date(2026, 12, 9), start_time=time(12), end_time=time(13)
        )
        self.assertFalse(inside.occurrences.get().outside_hours)
        _, _, warnings = check_schedule(activity)
        self.assertEqual(len(warnings), 2)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's exclusion constraint and row locks; SQLite serialises every write",
)
class PostgresGuardTests(TransactionTestCase):
    def setUp(self):
        home = build_home()
        self.center = build_center(build_street(home))
        self.hall = room_of(self.center)

    def test_the_database_refuses_an_overlap_written_around_the_scheduler(self):
        taiji = build_activity(self.center, "太极拳")
        occurrence = taiji.occurrences.get()
        other = Activity.objects.create  # noqa: F841 (documenting: no scheduler below)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Occurrence.objects.create(
                activity=taiji,
                center=self.center,
                room=self.hall,
                recurrence_id=occurrence.recurrence_id.replace(hour=5),
                starts_at=occurrence.starts_at,
                ends_at=occurrence.ends_at,
            )

    def test_two_editors_booking_the_same_slot_at_once(self):
        barrier = threading.Barrier(2)
        outcomes = []

        def book(title):
            try:
                activity = Activity(
                    center=self.center,
                    title=title,
                    kind=kind(),
                    room=self.hall,
                    dtstart=date(2026, 12, 8),
                    start_time=time(9),
                    end_time=time(10),
                )
                barrier.wait()
                activity.save()
                outcomes.append("saved")
            except RoomClash:
                outcomes.append("refused")
            finally:
                connection.close()

        threads = [threading.Thread(target=book, args=(title,)) for title in ("甲", "乙")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sorted(outcomes), ["refused", "saved"])
        self.assertEqual(Occurrence.objects.filter(room=self.hall).count(), 1)


class ScheduleAgainTests(CenterTestCase):
    def test_scheduling_twice_changes_nothing(self):
        activity = build_activity(
            self.center, freq="WEEKLY", byday="TU", dtstart=date(2026, 12, 1), count=4
        )
        ids = list(activity.occurrences.values_list("pk", flat=True))
        schedule_activity(activity)
        self.assertEqual(list(activity.occurrences.values_list("pk", flat=True)), ids)

    def test_holidays_entered_later_are_applied_when_rescheduled(self):
        PublicHoliday.objects.filter(date=date(2027, 1, 1)).delete()
        activity = build_activity(
            self.center,
            freq="WEEKLY",
            byday="FR",
            dtstart=date(2027, 1, 1),
            count=2,
            skip_holidays=True,
        )
        self.assertEqual(activity.occurrences.count(), 2)
        PublicHoliday.objects.get_or_create(
            date=date(2027, 1, 1), defaults={"name": "元旦", "kind": "holiday"}
        )
        schedule_activity(activity)
        self.assertEqual([start.date() for start in local_starts(activity)], [date(2027, 1, 8)])


def test_a_window_gives_the_same_dates_as_the_whole_rule():
    """Expanding only a month (started near it, not at a first date years back) gives
    exactly the dates the whole rule gives in that month, for every kind of rule."""
    import random
    from datetime import timedelta

    from activities.recurrence import rule_dates

    chooser = random.Random(20261206)
    weekday_codes = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    for _ in range(400):
        freq = chooser.choice(["DAILY", "WEEKLY", "MONTHLY"])
        byday, bymonthday = "", ""
        if freq == "WEEKLY" and chooser.random() < 0.8:
            byday = ",".join(chooser.sample(weekday_codes, chooser.randint(1, 3)))
        elif freq == "MONTHLY":
            choice = chooser.random()
            if choice < 0.4:
                byday = f"{chooser.choice([1, 2, 3, 4, -1])}{chooser.choice(weekday_codes)}"
            elif choice < 0.8:
                bymonthday = str(chooser.choice([1, 10, 15, 28, 31, -1]))
        activity = Activity(
            freq=freq,
            byday=byday,
            bymonthday=bymonthday,
            interval=chooser.choice([1, 1, 2, 3]),
            dtstart=date(2024, 1, 1) + timedelta(days=chooser.randint(0, 900)),
            until=chooser.choice([None, date(2027, 6, 30)]),
            count=chooser.choice([None, None, None, 40]),
        )
        first = date(2026, 12, 1)
        last = date(2026, 12, 31)
        whole = [day for day in rule_dates(activity, last) if day >= first]
        assert rule_dates(activity, last, first) == whole, rrule_text(activity) + str(
            activity.dtstart
        )
