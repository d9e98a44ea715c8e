"""Editors can only build a sensible tree: district → street → center → sections."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from district.models import (
    CenterPage,
    HomePage,
    NoticeCategory,
    NoticeIndexPage,
    NoticePage,
    StreetPage,
)
from tests.district.builders import build_center, build_home, build_notice_index, build_street


class PageTreeRulesTests(WagtailPageTestCase):
    def test_home_page_sits_at_the_root_only(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_streets_sit_under_the_district_home(self):
        self.assertAllowedParentPageTypes(StreetPage, {HomePage})

    def test_centers_sit_under_a_street_or_the_home_page_for_the_service_hall(self):
        self.assertAllowedParentPageTypes(CenterPage, {StreetPage, HomePage})

    def test_notice_sections_sit_under_a_street_or_a_center(self):
        self.assertAllowedParentPageTypes(NoticeIndexPage, {StreetPage, CenterPage})
        self.assertAllowedSubpageTypes(NoticeIndexPage, {NoticePage})

    def test_notices_sit_only_in_a_notice_section_and_have_no_children(self):
        self.assertAllowedParentPageTypes(NoticePage, {NoticeIndexPage})
        self.assertAllowedSubpageTypes(NoticePage, set())

    def test_senseless_moves_are_refused(self):
        self.assertCanNotCreateAt(HomePage, NoticePage)
        self.assertCanNotCreateAt(StreetPage, StreetPage)
        self.assertCanNotCreateAt(CenterPage, CenterPage)
        self.assertCanNotCreateAt(CenterPage, StreetPage)
        self.assertCanNotCreateAt(HomePage, NoticeIndexPage)
        self.assertCanNotCreateAt(NoticeIndexPage, CenterPage)


class EditorBuildsTreeTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = build_home()
        cls.street = build_street(cls.home)
        cls.center = build_center(cls.street)

    def setUp(self):
        self.login()

    def test_a_center_takes_one_notice_section_only(self):
        build_notice_index(self.center)
        self.assertFalse(NoticeIndexPage.can_create_at(self.center))
        other_center = build_center(self.street, code="T-02")
        self.assertTrue(NoticeIndexPage.can_create_at(other_center))

    def test_an_editor_publishes_a_notice_through_the_admin(self):
        index = build_notice_index(self.center)
        self.assertCanCreate(
            index,
            NoticePage,
            nested_form_data(
                {
                    "title": "停水通知",
                    "slug": "tingshui",
                    "date": "2026-11-20",
                    "category": NoticeCategory.objects.get(slug="tingshui-tingdian").pk,
                    "expires_on": "2026-11-25",
                    "summary": "11月25日停水",
                    "body": rich_text("<p>因管网维修，11月25日9:00至15:00停水。</p>"),
                }
            ),
        )
        notice = NoticePage.objects.get(slug="tingshui")
        self.assertEqual(notice.get_parent().id, index.id)
        self.assertEqual(notice.category.name, "停水停电")

    def test_a_notice_needs_a_category_and_ends_no_earlier_than_it_is_dated(self):
        index = build_notice_index(self.center)
        form = nested_form_data(
            {
                "title": "停水通知",
                "slug": "tingshui",
                "date": "2026-11-20",
                "expires_on": "2026-11-19",
                "body": rich_text("<p>停水。</p>"),
            }
        )
        with self.assertRaisesMessage(AssertionError, "有效期不能早于发布日期"):
            self.assertCanCreate(index, NoticePage, form)
        with self.assertRaisesMessage(AssertionError, "category"):
            self.assertCanCreate(index, NoticePage, form)

    def test_an_editor_creates_a_center_with_rooms_and_is_sent_to_its_place_form(self):
        form = nested_form_data(
            {
                "title": "新建社区党群服务中心",
                "slug": "xinjian",
                "kind": "community",
                "code": "T-99",
                "rooms": inline_formset([{"name": "议事厅", "floor": "一楼", "capacity": "30"}]),
            }
        )
        self.assertCanCreate(self.street, CenterPage, form)
        center = CenterPage.objects.get(code="T-99")
        self.assertEqual([room.name for room in center.rooms.all()], ["议事厅"])
        # The edit form says where the address and hours are kept, and links there with
        # the center filled in.
        edit = self.client.get(f"/admin/pages/{center.pk}/edit/").content.decode()
        self.assertIn("本中心还没有关联的服务地点", edit)
        self.assertIn(f"/admin/catalog/location/create/?center={center.pk}", edit)
        create = self.client.get(f"/admin/catalog/location/create/?center={center.pk}")
        self.assertContains(create, 'value="T-99"')
        self.assertContains(create, 'value="新建社区党群服务中心"')
