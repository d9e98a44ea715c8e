"""load_demo's honor boards and points ledger: every street and community center (and each
street) has a 光荣榜 with current and archived honours, one person without consent is shown
masked and without a photo, the ledger has a reversal that nets out, this month's ranking at
the sample center has two leaders on equal points, no mobile number is shown whole, and
loading twice changes nothing."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum
from django.test import TestCase
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page

from district.demo.loader import load_district
from district.models import CenterKind, CenterPage, StreetPage
from honors import demo
from honors.models import HonorBoardPage, HonorEntry, Participant, PointsEntry, PointsSource
from honors.rankings import ranking
from jiamenkou.privacy import find_personal_numbers, mask_name
from jiamenkou.public_pages import public_pages

SHANGHAI = ZoneInfo("Asia/Shanghai")


def counts() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "boards": HonorBoardPage.objects.count(),
        "entries": HonorEntry.objects.count(),
        "images": get_image_model().objects.count(),
        "participants": Participant.objects.count(),
        "points": PointsEntry.objects.count(),
    }


def month_totals(center, today):
    """Each participant's points at ``center`` this month, highest first."""
    start = today.replace(day=1)
    return list(
        PointsEntry.objects.filter(center=center, date__range=(start, today))
        .values("participant")
        .annotate(total=Sum("points"))
        .order_by("-total")
        .values_list("participant", "total")
    )


def ranking_rows(board, today):
    """This month's ranking at the board's center: (rank, participant, points, shown name)."""
    rows = ranking(board.belongs_to, "month", today).rows
    return [(row.rank, row.participant.pk, row.points, row.shown_name) for row in rows]


class HonorsDemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = StringIO()
        call_command("load_demo", password="demo-password", stdout=cls.output)
        cls.first = counts()

    def centers(self):
        return CenterPage.objects.filter(
            kind__in=[CenterKind.STREET, CenterKind.COMMUNITY]
        ).order_by("path")

    def test_every_center_and_street_has_a_board_with_current_and_archived_entries(self):
        today = timezone.localdate()
        centers = self.centers()
        self.assertEqual(centers.count(), 8)
        for parent in [*centers, *StreetPage.objects.all()]:
            board = HonorBoardPage.objects.child_of(parent).live().get()
            self.assertEqual((board.slug, board.title, board.ranking_size), demo_board())
            entries = board.entries.all()
            current = entries.filter(period_start__lte=today, period_end__gte=today)
            archived = entries.filter(period_end__lt=today)
            self.assertTrue(current.exists(), parent.title)
            self.assertGreaterEqual(
                len({entry.period_end.year for entry in archived}), 1, parent.title
            )
        for center in centers:
            board = HonorBoardPage.objects.child_of(center).get()
            current = board.entries.filter(period_start__lte=today, period_end__gte=today)
            self.assertEqual(
                set(current.values_list("recipient_kind", flat=True)),
                {"person", "family", "team", "organisation"},
            )
            self.assertEqual(
                {entry.period_end.year for entry in board.entries.filter(period_end__lt=today)},
                {today.year - 1, today.year - 2},
            )
            with_photo = current.exclude(photo=None)
            self.assertTrue(with_photo.exists())
            self.assertTrue(all(entry.consent_given for entry in with_photo))
        self.assertFalse(HonorBoardPage.objects.child_of(CenterPage.objects.get(code="HHD-ZW")))

    def test_a_person_without_consent_is_masked_and_has_no_photo_on_the_board(self):
        today = timezone.localdate()
        hidden = HonorEntry.objects.filter(
            recipient_kind="person",
            consent_given=False,
            period_start__lte=today,
            period_end__gte=today,
        )
        self.assertTrue(hidden.exists())
        self.assertFalse(hidden.exclude(photo=None).exists())
        entry = hidden.get(board__in=HonorBoardPage.objects.child_of(sample()))
        response = self.client.get(entry.board.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, mask_name(entry.name))
        self.assertNotContains(response, entry.name)
        self.assertIn(f"显示为{mask_name(entry.name)}", self.output.getvalue())

    def test_a_duplicated_entry_is_reversed_and_nets_out(self):
        reversals = PointsEntry.objects.filter(source=PointsSource.REVERSAL)
        self.assertEqual(reversals.count(), 8)
        for reversal in reversals:
            original = reversal.reverses
            self.assertEqual(reversal.reason, demo.REVERSAL_REASON)
            self.assertEqual(reversal.points + original.points, 0)
            self.assertEqual(reversal.participant, original.participant)
            twins = PointsEntry.objects.filter(
                participant=original.participant, reason=original.reason, date=original.date
            )
            self.assertEqual(twins.count(), 2)
            self.assertEqual(sum(entry.points for entry in [*twins, reversal]), original.points)

    def test_this_months_ranking_at_the_sample_center_has_a_tie_at_the_top(self):
        today = timezone.localdate()
        board = HonorBoardPage.objects.child_of(sample()).get()
        rows = ranking_rows(board, today)
        first, second, third = rows[:3]
        self.assertEqual((first[0], second[0]), (1, 1))
        self.assertEqual(first[2], second[2])
        self.assertEqual(third[0], 3)
        leaders = Participant.objects.filter(pk__in=[first[1], second[1]])
        self.assertEqual(sorted(p.name_consent for p in leaders), [False, True])
        self.assertIn("并列第1名", self.output.getvalue())
        page = self.client.get(board.url + "jifen/")
        names = sorted(row[3] for row in rows[:2])
        self.assertEqual(
            sorted(mask_name(p.name) if not p.name_consent else p.name for p in leaders), names
        )
        for name in names:
            self.assertContains(page, name)
        hidden = leaders.get(name_consent=False)
        self.assertNotContains(page, hidden.name)

    def test_the_ledger_covers_three_months_and_its_sources(self):
        today = timezone.localdate()
        for center in self.centers():
            people = Participant.objects.filter(center=center)
            self.assertEqual(people.filter(kind="person").count(), 12)
            self.assertEqual(people.filter(kind="team").count(), 1)
            self.assertTrue(people.exclude(volunteer_number=None).exists())
            for person in people.filter(kind="person"):
                self.assertRegex(person.mobile, r"^139\d{8}$")
            entries = PointsEntry.objects.filter(center=center)
            months = {(entry.date.year, entry.date.month) for entry in entries}
            self.assertEqual(len(months), 3, center.title)
            self.assertLessEqual(max(entry.date for entry in entries), today)
            self.assertTrue(
                {"manual", "check_in", "attendance", "reversal"} <= {e.source for e in entries}
            )

    def test_no_whole_mobile_number_on_the_board_or_the_ranking(self):
        board = HonorBoardPage.objects.child_of(sample()).get()
        for path in (board.url, board.url + "jifen/", board.url + "guidang/"):
            response = self.client.get(path)
            self.assertEqual(response.status_code, 200, path)
            self.assertEqual(find_personal_numbers(response.content.decode()), [], path)

    def test_the_accessibility_sweep_finds_the_honor_pages_of_the_sample_center(self):
        found = public_pages()  # LookupError naming any type the demo has no page of
        board = HonorBoardPage.objects.child_of(sample()).get()
        honor_pages = [
            (page_type, path)
            for page_type, path in found
            if page_type.page_model == "honors.HonorBoardPage"
        ]
        self.assertGreaterEqual(len(honor_pages), 3)
        for page_type, path in honor_pages:
            self.assertTrue(path.startswith(board.url), (page_type.name, path))
            response = self.client.get(path)
            self.assertEqual(response.status_code, 200, page_type.name)
            self.assertEqual(find_personal_numbers(response.content.decode()), [], path)

    def test_loading_again_changes_nothing(self):
        output = StringIO()
        call_command("load_demo", password="demo-password", stdout=output)
        self.assertEqual(counts(), self.first)
        self.assertIn("新增上榜0条", output.getvalue())
        self.assertIn("新增积分记录0条", output.getvalue())


def demo_board():
    return (demo.BOARD_SLUG, demo.BOARD_TITLE, demo.RANKING_SIZE)


def sample():
    return CenterPage.objects.get(code=demo.TIE_CENTER)


@pytest.mark.django_db
@pytest.mark.parametrize("today", [date(2027, 1, 1), date(2027, 3, 31), date(2027, 7, 15)])
def test_a_tie_and_a_reversal_whatever_the_day(today):
    """On the first day of a year the month has one day; loading again a later month adds
    that month's entries, with its own tie."""
    with time_machine.travel(datetime(today.year, today.month, today.day, 9, tzinfo=SHANGHAI)):
        load_district("test-password")
        lines = demo.load_honors()
        center = CenterPage.objects.get(code=demo.TIE_CENTER)
        totals = month_totals(center, today)
        assert totals[0][1] == totals[1][1] > totals[2][1]
        assert any("并列第1名" in line for line in lines)
        board = HonorBoardPage.objects.child_of(center).get()
        assert board.entries.filter(period_start__lte=today, period_end__gte=today).count() >= 6
    later = date(today.year, today.month, 28) if today.day < 28 else today
    with time_machine.travel(datetime(later.year, later.month, later.day, 9, tzinfo=SHANGHAI)):
        before = PointsEntry.objects.count()
        demo.load_honors()
        assert PointsEntry.objects.count() == before
