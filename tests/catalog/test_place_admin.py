"""A center's editors keep its place (address, phones, hours and dated exceptions) in one
form, found from the center page; other centers' places are not theirs."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import TestCase
from wagtail.models import GroupPagePermission

from tests.district.builders import build_center, build_home, build_street


class PlaceAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        street = build_street(build_home())
        cls.own = build_center(street, code="T-01", address="本中心路1号")
        cls.other = build_center(street, code="T-02", address="别的中心路2号")
        group = Group.objects.create(name="T-01编辑")
        group.permissions.add(
            Permission.objects.get(codename="access_admin"),
            *Permission.objects.filter(
                content_type__app_label="catalog", codename__in=["change_location", "view_location"]
            ),
        )
        for codename in ("change_page", "publish_page"):
            GroupPagePermission.objects.create(
                group=group, page=cls.own, permission=Permission.objects.get(codename=codename)
            )
        cls.editor = get_user_model().objects.create_user("t01", password="x")
        cls.editor.groups.add(group)

    def setUp(self):
        self.client.force_login(self.editor)

    def edit_url(self, center):
        return f"/admin/catalog/location/edit/{center.place.pk}/"

    def test_the_center_page_form_shows_the_place_and_links_to_its_form(self):
        page = self.client.get(f"/admin/pages/{self.own.pk}/edit/").content.decode()
        self.assertIn("地址、电话与开放时间", page)
        self.assertIn("津海市海河东区本中心路1号", page)
        self.assertIn("每周一至周五 08:30–17:30", page)
        self.assertIn("法定节假日休息，调休上班日正常开放", page)
        self.assertIn(self.edit_url(self.own), page)

    def test_an_editor_edits_the_own_center_place_but_not_another(self):
        self.assertEqual(self.client.get(self.edit_url(self.own)).status_code, 200)
        self.assertNotEqual(self.client.get(self.edit_url(self.other)).status_code, 200)
        listing = self.client.get("/admin/catalog/location/").content.decode()
        self.assertIn("T-01", listing)
        self.assertNotIn("T-02", listing)

    def test_the_place_form_offers_holiday_rules_and_dated_exceptions(self):
        form = self.client.get(self.edit_url(self.own)).content.decode()
        for label in (
            "法定节假日休息",
            "调休上班日按工作日开放",
            "特定日期闭馆",
            "特定日期特别开放时间",
        ):
            self.assertIn(label, form)
