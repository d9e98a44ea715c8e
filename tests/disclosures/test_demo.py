"""load_demo's disclosures: every street and community center posts several months of each
type, the district has exactly one overdue item, one corrected disclosure and one waiting
for the committee, no unmasked number anywhere, and loading twice changes nothing."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Page, Revision, WorkflowState

from disclosures import demo
from disclosures.cadence import cadence_report
from disclosures.guard import find_problems
from disclosures.models import (
    CommitteeMember,
    DisclosureBoardPage,
    DisclosureKind,
    DisclosurePage,
    FinanceRow,
    PublishedVersion,
    ReviewDecision,
    ReviewLink,
    SupervisionCommittee,
)
from disclosures.review import approval_record
from disclosures.versions import short_fingerprint, versions_of
from district.demo.loader import load_district
from district.models import CenterKind, CenterPage, StreetPage
from jiamenkou.privacy import find_personal_numbers
from jiamenkou.public_pages import public_pages

SHANGHAI = ZoneInfo("Asia/Shanghai")


def counts() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "boards": DisclosureBoardPage.objects.count(),
        "disclosures": DisclosurePage.objects.count(),
        "live": DisclosurePage.objects.live().count(),
        "rows": FinanceRow.objects.count(),
        "revisions": Revision.objects.filter(content_type__app_label="disclosures").count(),
        "versions": PublishedVersion.objects.count(),
        "committees": SupervisionCommittee.objects.count(),
        "members": CommitteeMember.objects.count(),
        "links": ReviewLink.objects.count(),
        "decisions": ReviewDecision.objects.count(),
        "workflows": WorkflowState.objects.count(),
        "documents": get_document_model().objects.count(),
    }


def overdue_in_district(today=None):
    centers = CenterPage.objects.order_by("path")
    return [
        obligation
        for _center, found in cadence_report(centers, today)
        for obligation in found
        if obligation.is_overdue
    ]


class DisclosuresDemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = StringIO()
        call_command("load_demo", password="demo-password", stdout=cls.output)
        cls.first = counts()

    def centers(self):
        return CenterPage.objects.filter(
            kind__in=[CenterKind.STREET, CenterKind.COMMUNITY]
        ).order_by("path")

    def test_every_street_and_community_center_posts_each_type_for_months(self):
        centers = self.centers()
        self.assertEqual(centers.count(), 8)
        for center in centers:
            board = DisclosureBoardPage.objects.child_of(center).live().get()
            self.assertEqual((board.slug, board.title), ("gongkai", "公开栏"))
            self.assertEqual(board.tracking_from, demo.month_start_months_ago(date.today(), 6))
            live = board.disclosures()
            months = live.filter(kind=DisclosureKind.FINANCE, period_kind="month")
            self.assertGreaterEqual(months.count(), 3, center.title)
            self.assertEqual(
                set(live.values_list("kind", flat=True)), set(DisclosureKind.values), center.title
            )
            self.assertTrue(all(page.finance_rows.count() >= 5 for page in months))
        hall = CenterPage.objects.get(kind=CenterKind.SERVICE_HALL)
        self.assertFalse(DisclosureBoardPage.objects.child_of(hall).exists())

    def test_each_street_has_a_board_gathering_its_centers(self):
        for street in StreetPage.objects.all():
            board = DisclosureBoardPage.objects.child_of(street).live().get()
            self.assertFalse(board.get_children().exists())
            gathered = board.disclosures()
            self.assertGreater(gathered.count(), 20)
            response = self.client.get(board.url)
            self.assertEqual(response.status_code, 200)

    def test_some_are_being_posted_and_the_rest_are_in_the_archive(self):
        today = timezone.localdate()
        live = DisclosurePage.objects.live()
        posted_now = [page for page in live if page.is_posted_on(today)]
        self.assertTrue(posted_now)
        self.assertGreater(live.filter(posting_until__lt=today).count(), len(posted_now))
        self.assertFalse(live.filter(posting_from__gt=today).exists())

    def test_exactly_one_overdue_item_in_the_district_and_the_loader_names_it(self):
        overdue = overdue_in_district()
        self.assertEqual(len(overdue), 1, [o.label for o in overdue])
        (missing,) = overdue
        self.assertEqual(missing.center.code, "HHD-CH-02")
        self.assertEqual(missing.kind, DisclosureKind.FINANCE)
        self.assertIn(
            f"逾期示例：春晖里社区党群服务中心{missing.period.label}财务公开未发布",
            self.output.getvalue(),
        )

    def test_one_disclosure_was_corrected_and_shows_its_note(self):
        corrected = PublishedVersion.objects.filter(number=2)
        self.assertEqual(corrected.count(), 1)
        version = corrected.get()
        page = version.page
        self.assertEqual(page.center.code, "HHD-CH-01")
        self.assertEqual(page.kind, DisclosureKind.FINANCE)
        self.assertEqual(version.correction_note, demo.CORRECTION_NOTE)
        self.assertEqual(page.finance_rows.all()[2].expenditure, demo.RIGHT_UTILITIES)
        first = PublishedVersion.objects.get(page=page, number=1)
        self.assertNotEqual(first.fingerprint, version.fingerprint)
        response = self.client.get(page.url)
        self.assertContains(response, "1,208.00")
        self.assertContains(response, "录入错误")

    def test_one_major_matter_waits_for_the_committee_with_links_issued(self):
        waiting = WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS)
        self.assertEqual(waiting.count(), 1)
        page = waiting.get().content_object.specific
        self.assertFalse(page.live)
        self.assertEqual(page.period_kind, "matter")
        self.assertEqual(page.center.code, "HHD-CH-01")
        task_state = page.current_workflow_task_state
        self.assertEqual(ReviewLink.objects.filter(task_state=task_state).count(), 3)
        self.assertIn("待居务监督委员会审核", self.output.getvalue())

    def test_what_is_posted_now_was_approved_by_two_committee_members(self):
        today = timezone.localdate()
        posted_now = [p for p in DisclosurePage.objects.live() if p.is_posted_on(today)]
        for page in posted_now:
            names = [decision.member_name for decision in approval_record(page)]
            self.assertEqual(len(names), 2, page.title)
            committee = page.center.supervision_committee
            self.assertEqual(
                names, [member.name for member in committee.members.order_by("sort_order")[:2]]
            )

    def test_each_center_has_a_committee_of_three_with_made_up_mobiles(self):
        for center in self.centers():
            committee = center.supervision_committee
            self.assertEqual(committee.quorum, 2)
            members = list(committee.members.order_by("sort_order"))
            self.assertEqual([m.role for m in members], ["chair", "member", "member"])
            for member in members:
                self.assertRegex(member.mobile, r"^139\d{8}$")
                self.assertTrue(2 <= len(member.name) <= 3)

    def test_no_unmasked_id_or_mobile_number_in_any_disclosure(self):
        for page in DisclosurePage.objects.all():
            problems, unreadable = find_problems(page)
            self.assertEqual((problems, unreadable), ([], []), page.title)
        affairs = DisclosurePage.objects.live().filter(
            kind=DisclosureKind.AFFAIRS, period_kind="quarter"
        )
        shown = affairs.order_by("-posting_from").first()
        text = self.client.get(shown.url).content.decode()
        # The versions' SHA-256 fingerprints are hex: a run of their digits can read as a
        # mobile number (…14590494298…, seen once in CI); they are no one's number.
        for version in versions_of(shown):
            digest = version.fingerprint
            text = text.replace(digest, "").replace(short_fingerprint(digest), "")
        self.assertEqual(find_personal_numbers(text), [])
        self.assertIn("最低生活保障评议结果", text)
        names_shown = [name for name in demo.LOW_INCOME_HEADS if name in text]
        self.assertEqual(names_shown, [])

    def test_finance_months_chain_their_balances_and_some_keep_the_original_sheet(self):
        for center in self.centers():
            months = DisclosurePage.objects.filter(
                kind=DisclosureKind.FINANCE, path__startswith=center.path
            ).order_by("period_year", "period_number")
            self.assertIsNotNone(months[0].opening_balance)
            self.assertTrue(all(page.opening_balance is None for page in months[1:]))
            newest = months.last()
            self.assertIsNotNone(newest.finance_source)
            self.assertTrue(newest.finance_source.file.name.endswith(".xlsx"))

    def test_the_accessibility_sweep_and_the_screenshots_find_every_page_type(self):
        found = public_pages()  # LookupError naming any type the demo has no page of
        disclosure_pages = [
            (page_type, path)
            for page_type, path in found
            if page_type.page_model.startswith("disclosures.") or "disclosure" in page_type.name
        ]
        self.assertGreaterEqual(len(disclosure_pages), 4)
        for page_type, path in disclosure_pages:
            self.assertEqual(self.client.get(path).status_code, 200, page_type.name)

    def test_the_demo_editors_reach_the_committees_as_their_centers_allow(self):
        users = get_user_model().objects
        district, community = users.get(username="bianji"), users.get(username="bianji_haitangyuan")
        self.client.force_login(district)
        listing = self.client.get("/admin/disclosures/committees/")
        self.assertContains(listing, "春晖里社区党群服务中心")
        self.client.force_login(community)
        listing = self.client.get("/admin/disclosures/committees/")
        self.assertContains(listing, "海棠苑社区党群服务中心")
        self.assertNotContains(listing, "春晖里社区党群服务中心")
        committee = SupervisionCommittee.objects.get(center__code="HHD-CH-01")
        edit = self.client.get(f"/admin/disclosures/committees/edit/{committee.pk}/")
        self.assertContains(edit, committee.members.order_by("sort_order").first().name)
        board = DisclosureBoardPage.objects.child_of(committee.center).get()
        self.assertEqual(self.client.get(f"/admin/pages/{board.pk}/").status_code, 200)

    def test_loading_again_changes_nothing(self):
        output = StringIO()
        call_command("load_demo", password="demo-password", stdout=output)
        self.assertEqual(counts(), self.first)
        self.assertIn("新建公开事项0项", output.getvalue())
        self.assertEqual(len(overdue_in_district()), 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "today",
    [
        date(2027, 1, 10),  # December's finance falls due today: not overdue yet
        date(2027, 4, 2),  # March has ended but is not posted yet; Q1 neither
        date(2027, 2, 20),  # January, the newest month posted elsewhere, is the missing one
    ],
)
def test_one_overdue_item_whatever_the_day(today):
    with time_machine.travel(datetime(today.year, today.month, today.day, 9, tzinfo=SHANGHAI)):
        load_district("test-password")
        lines = demo.load_disclosures()
        overdue = overdue_in_district(today)
        assert [o.center.code for o in overdue] == ["HHD-CH-02"]
        assert any(o.period.label in line for line in lines for o in overdue)
        assert any("更正示例" in line for line in lines)
        for center in CenterPage.objects.exclude(kind=CenterKind.SERVICE_HALL):
            months = DisclosurePage.objects.live().filter(
                kind=DisclosureKind.FINANCE, path__startswith=center.path
            )
            assert months.count() >= 4
            newest = months.order_by("-period_year", "-period_number").first()
            assert newest.finance_source is not None, center.title
