"""load_demo builds the demo district and its catalog (catalog/demo/data), once however
often it runs. The tests share one load (``LoadedDemoTest``); those of loading again load
a second time on top of it."""

import re
from contextlib import redirect_stdout
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase, override_settings
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from activities.models import Room
from district.demo import content
from district.models import CenterPage, HomePage, NoticePage, StreetPage

DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def counts():
    return {
        "pages": Page.objects.count(),
        "homes": HomePage.objects.count(),
        "streets": StreetPage.objects.count(),
        "centers": CenterPage.objects.count(),
        "notices": NoticePage.objects.count(),
        "rooms": Room.objects.count(),
        "places": CenterPage.objects.filter(location__isnull=False).count(),
        "images": get_image_model().objects.count(),
        "users": get_user_model().objects.count(),
        "sites": Site.objects.count(),
    }


class LoadedDemoTest(TestCase):
    """One load of the demo, shared by the tests that read it; the tests of loading it
    again into the loaded site make that second load themselves."""

    @classmethod
    def setUpTestData(cls):
        # Development prints e-mail to the console: the demo's workflow notices must not be.
        cls.output = StringIO()
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"),
            redirect_stdout(StringIO()) as console,
        ):
            call_command("load_demo", password="printed-password", stdout=cls.output)
        cls.console = console.getvalue()
        cls.first = counts()

    def test_load_demo_twice_leaves_one_copy_of_everything(self):
        first = self.first
        call_command("load_demo", password="second-password", stdout=StringIO())
        assert counts() == first
        assert first["homes"] == 1
        assert first["streets"] == 2
        assert first["centers"] == 9
        assert first["notices"] == sum(len(c.notices) for c in content.ALL_CENTERS) + sum(
            len(s.notices) for s in content.STREETS
        )
        assert first["rooms"] == sum(len(c.rooms) for c in content.ALL_CENTERS)
        # One picture per center (the honor boards' portraits are images too).
        assert CenterPage.objects.exclude(image=None).values("image").distinct().count() == 9
        site = Site.objects.get(is_default_site=True)
        assert site.root_page.specific_class is HomePage

    def test_load_demo_prints_a_working_editor_login_and_no_mail(self):
        assert "Subject:" not in self.console
        assert "账号 bianji  密码 printed-password" in self.output.getvalue()
        assert "/admin/" in self.output.getvalue()
        editor = get_user_model().objects.get(username="bianji")
        assert editor.check_password("printed-password")
        assert editor.has_perm("wagtailadmin.access_admin")

    def test_an_edit_by_an_editor_is_overwritten_but_not_duplicated(self):
        center = CenterPage.objects.get(code="HHD-CH-01")
        center.title = "改过的名字"
        center.save_revision().publish()
        call_command("load_demo", password="x-password", stdout=StringIO())
        assert CenterPage.objects.filter(code="HHD-CH-01").get().title == "海棠苑社区党群服务中心"
        assert Room.objects.filter(center__code="HHD-CH-01").count() == 5

    def test_every_demo_center_shows_the_place_facts_of_its_catalog_location(self):
        for center in CenterPage.objects.all():
            place = center.place
            assert place is not None, center.code
            assert place.external_identifier == center.code
            page = self.client.get(center.url).content.decode()
            assert place.address.street_line in page
            assert place.phone.number in page
            assert "开放时间请电话咨询" not in page

    def test_load_demo_leaves_a_searchable_district(self):
        from catalog.models import Service
        from search.models import SearchEntry, SynonymSet

        out = self.output
        # The catalog ships with the project: nothing beside the checkout is needed.
        assert "服务目录：新增 200 项服务" in out.getvalue()
        assert Service.objects.count() == 200
        assert "搜索：" in out.getvalue()
        assert SynonymSet.objects.filter(terms__contains="最低生活保障").exists()
        assert (
            SearchEntry.objects.filter(source="page").count() == NoticePage.objects.live().count()
        )
        response = self.client.get("/sousuo/", {"q": "办低保"})
        text = re.sub(r"<[^>]+>", "", response.content.decode())  # names carry <mark>
        assert "最低生活保障待遇申请" in text
        # Residents' searches to try the demand list with: unmet ones listed, met ones not,
        # and a line handled last month for the monthly report.
        from search.demand import demand_lines
        from search.models import HandledDemand

        listed = {(line.center_code, line.query) for line in demand_lines(days=90)}
        assert {("HHD-CH-01", "宠物寄养"), ("HHD-CH-01", "水喉坏了")} <= listed
        assert ("HHD-CH-01", "老年证") not in listed
        assert HandledDemand.objects.filter(center_code="HHD-CH-01", query="开锁").exists()


@pytest.mark.django_db
def test_load_demo_makes_up_a_password_when_none_is_given():
    out = StringIO()
    call_command("load_demo", password=None, stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "bianji" in line)
    password = line.split("密码")[1].strip()
    assert len(password) >= 10
    assert get_user_model().objects.get(username="bianji").check_password(password)
