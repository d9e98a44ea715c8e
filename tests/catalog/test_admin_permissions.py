"""Who may list, edit, create and verify which services: a matrix over editor groups."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Count
from django.test import TestCase
from django.utils import timezone
from wagtail.models import GroupPagePermission
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from catalog.hsds import import_services
from catalog.models import CorrectionReport, Location, Service
from district.demo.loader import load_district
from district.models import CenterPage, HomePage, StreetPage
from tests.catalog.hsds_data import demo_catalog

SERVICE_PERMISSIONS = [
    "add_service",
    "change_service",
    "delete_service",
    "change_correctionreport",
    "view_correctionreport",
]


def editor_group(name: str, page, model_permissions=True) -> Group:
    group = Group.objects.create(name=name)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    if model_permissions:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="catalog", codename__in=SERVICE_PERMISSIONS
            )
        )
    for codename in ("change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group, page=page, permission=Permission.objects.get(codename=codename)
        )
    return group


def services_only_at(*codes: str):
    """Services offered at exactly these centers."""
    located = Service.objects.annotate(places=Count("service_at_locations"))
    found = located.filter(places=len(codes))
    for code in codes:
        found = found.filter(service_at_locations__location__external_identifier=code)
    return found


class PermissionMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_district(password="matrix-password")
        import_services(demo_catalog())
        home = HomePage.objects.get()
        chunhua = StreetPage.objects.get(slug="chunhua")
        haitangyuan = CenterPage.objects.get(code="HHD-CH-01")
        users = get_user_model().objects
        cls.district_editor = users.create_user(
            "district", email="d@example.gov.cn", password="pw-district-1"
        )
        cls.district_editor.groups.add(editor_group("区级编辑", home))
        cls.street_editor = users.create_user(
            "street", email="s@example.gov.cn", password="pw-street-12"
        )
        cls.street_editor.groups.add(editor_group("春华街道编辑", chunhua))
        cls.center_editor = users.create_user(
            "center", email="c@example.gov.cn", password="pw-center-12"
        )
        cls.center_editor.groups.add(editor_group("海棠苑社区编辑", haitangyuan))
        cls.page_only_editor = users.create_user("pages", password="pw-pages-123")
        cls.page_only_editor.groups.add(
            editor_group("只编辑页面", haitangyuan, model_permissions=False)
        )

        cls.haitangyuan_service = services_only_at("HHD-CH-01").first()
        cls.zhaoxiali_service = services_only_at("HHD-XY-02").first()
        cls.district_service = Service.objects.get(name="老年人优待证办理")
        cls.haitangyuan = haitangyuan

    def can_edit(self, user, service) -> bool:
        self.client.force_login(user)
        response = self.client.get(f"/admin/catalog/service/edit/{service.pk}/")
        return response.status_code == 200

    def listed(self, user, service) -> bool:
        self.client.force_login(user)
        page = self.client.get("/admin/catalog/service/", {"q": service.name}).content.decode()
        return f'name="services" value="{service.pk}"' in page  # its row's checkbox

    def test_the_list_search_matches_keywords_and_descriptions(self):
        """The 服务事项 list's search box reads the catalog itself (names, alternate
        names, keywords, descriptions); Wagtail's own search index holds no services."""
        from django.contrib.contenttypes.models import ContentType
        from wagtail.search.models import IndexEntry

        service = self.district_service
        service.keywords = "银发卡"
        service.save()
        self.client.force_login(self.district_editor)
        for query in ("银发卡", service.description[2:8]):
            page = self.client.get("/admin/catalog/service/", {"q": query}).content.decode()
            self.assertIn(f'name="services" value="{service.pk}"', page, query)
        page = self.client.get("/admin/catalog/service/", {"q": "银发卡"}).content.decode()
        self.assertEqual(page.count('name="services" value="'), 1)
        service_type = ContentType.objects.get_for_model(Service)
        self.assertFalse(IndexEntry.objects.filter(content_type=service_type).exists())

    def test_the_matrix(self):
        expected = {
            # user: (haitangyuan-only service, zhaoxiali-only service, district-wide service)
            "district": (True, True, True),
            "street": (True, False, False),
            "center": (True, False, False),
            "pages": (False, False, False),
        }
        users = {
            "district": self.district_editor,
            "street": self.street_editor,
            "center": self.center_editor,
            "pages": self.page_only_editor,
        }
        services = (self.haitangyuan_service, self.zhaoxiali_service, self.district_service)
        for name, user in users.items():
            for service, allowed in zip(services, expected[name], strict=True):
                with self.subTest(user=name, service=service.name):
                    self.assertEqual(self.can_edit(user, service), allowed)
                    self.assertEqual(self.listed(user, service), allowed)

    def service_form(self, location: Location, **overrides) -> dict:
        data = {
            "name": "社区理发服务（测试）",
            "description": "为行动不便的老人上门理发。",
            "kind": "public_welfare",
            "fees_description": "不收费。",
            "status": "active",
            "required_documents": inline_formset([]),
            "cost_options": inline_formset(
                [{"option": "服务费", "amount": "0", "currency": "CNY"}]
            ),
            "channels": inline_formset([]),
            "service_at_locations": inline_formset(
                [{"location": str(location.pk), "description": "一楼"}]
            ),
            "schedules": inline_formset([]),
            "phones": inline_formset([]),
            "service_areas": inline_formset([]),
            **overrides,
        }
        return nested_form_data(data)

    def test_a_center_editor_creates_services_at_their_own_center_only(self):
        self.client.force_login(self.center_editor)
        elsewhere = Location.objects.get(external_identifier="HHD-XY-02")
        response = self.client.post("/admin/catalog/service/create/", self.service_form(elsewhere))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Service.objects.filter(name="社区理发服务（测试）").exists())
        own = Location.objects.get(external_identifier="HHD-CH-01")
        response = self.client.post("/admin/catalog/service/create/", self.service_form(own))
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        self.assertTrue(Service.objects.filter(name="社区理发服务（测试）").exists())

    def test_a_new_place_row_offers_a_center_editor_only_their_own_centers(self):
        self.client.force_login(self.center_editor)
        page = self.client.get("/admin/catalog/service/create/").content.decode()
        own = Location.objects.get(external_identifier="HHD-CH-01")
        elsewhere = Location.objects.get(external_identifier="HHD-XY-02")
        # The blank row the 增加 button copies lists the places as options.
        self.assertIn(f'value="{own.pk}"', page)
        self.assertNotIn(f'value="{elsewhere.pk}"', page)

    def test_the_form_refuses_a_low_cost_price_at_market_and_keeps_what_was_typed(self):
        self.client.force_login(self.district_editor)
        own = Location.objects.get(external_identifier="HHD-CH-01")
        form = self.service_form(
            own,
            kind="low_cost",
            fees_description="每次10元。",
            market_reference_price="10",
            cost_options=inline_formset([{"option": "服务费", "amount": "10", "currency": "CNY"}]),
        )
        response = self.client.post("/admin/catalog/service/create/", form)
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertIn("低偿服务价格10元不低于市场参考价10元，不能按低偿服务登记。", content)
        self.assertIn("为行动不便的老人上门理发。", content)
        self.assertFalse(Service.objects.filter(name="社区理发服务（测试）").exists())

    def test_mark_as_verified_touches_only_the_editors_own_services(self):
        stale_day = timezone.localdate().replace(year=2020)
        Service.objects.filter(
            pk__in=[self.haitangyuan_service.pk, self.zhaoxiali_service.pk]
        ).update(assured_date=stale_day)
        self.client.force_login(self.center_editor)
        response = self.client.post(
            "/admin/catalog/services/verify/",
            {
                "services": [self.haitangyuan_service.pk, self.zhaoxiali_service.pk, "not-a-uuid"],
                "next": "https://evil.example.com/",
            },
        )
        self.assertRedirects(response, "/admin/catalog/service/", fetch_redirect_response=False)
        self.haitangyuan_service.refresh_from_db()
        self.zhaoxiali_service.refresh_from_db()
        self.assertEqual(self.haitangyuan_service.assured_date, timezone.localdate())
        self.assertEqual(self.haitangyuan_service.assurer_email, "c@example.gov.cn")
        self.assertEqual(self.zhaoxiali_service.assured_date, stale_day)

    def test_stale_filter_lists_services_past_the_verification_period(self):
        Service.objects.filter(pk=self.haitangyuan_service.pk).update(
            assured_date=timezone.localdate().replace(year=2020)
        )
        Service.objects.filter(pk=self.zhaoxiali_service.pk).update(
            assured_date=timezone.localdate()
        )
        self.client.force_login(self.district_editor)
        content = self.client.get("/admin/catalog/service/", {"stale": "1"}).content.decode()
        self.assertIn(self.haitangyuan_service.name, content)
        self.assertNotIn(self.zhaoxiali_service.name, content)
        self.assertIn("待核实", content)

    def test_correction_reports_queue_per_center_with_contacts_masked(self):
        CorrectionReport.objects.create(
            service=self.haitangyuan_service,
            center=self.haitangyuan,
            reason="phone",
            contact="13800138000",
        )
        CorrectionReport.objects.create(
            service=self.zhaoxiali_service,
            center=CenterPage.objects.get(code="HHD-XY-02"),
            reason="hours",
        )
        self.client.force_login(self.center_editor)
        content = self.client.get("/admin/catalog/correctionreport/").content.decode()
        self.assertIn(self.haitangyuan_service.name, content)
        self.assertNotIn(self.zhaoxiali_service.name, content)
        self.assertIn("138****8000", content)
        self.assertNotIn("13800138000", content)

    def test_the_dashboard_counts_what_waits_in_the_editors_own_part(self):
        Service.objects.filter(pk=self.haitangyuan_service.pk).update(
            assured_date=timezone.localdate().replace(year=2020)
        )
        CorrectionReport.objects.create(
            service=self.haitangyuan_service, center=self.haitangyuan, reason="hours"
        )
        stale_everywhere = Service.objects.stale(365).count()
        self.client.force_login(self.district_editor)
        self.assertContains(self.client.get("/admin/"), f"{stale_everywhere} 项服务超过365天未核实")
        self.client.force_login(self.center_editor)
        dashboard = self.client.get("/admin/")
        own_stale = (
            Service.objects.stale(365)
            .filter(pk__in=services_only_at("HHD-CH-01").values("pk"))
            .count()
        )
        self.assertContains(dashboard, f"{own_stale} 项服务超过365天未核实")
        self.assertContains(dashboard, "1 条居民纠错待处理")
        self.assertLess(own_stale, stale_everywhere)
