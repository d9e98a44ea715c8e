"""Each page type renders for residents, in Chinese, with the demo district's content."""

from django.test import TestCase
from django.urls import reverse

from district.models import CenterPage, NoticeIndexPage, NoticePage
from tests.district.builders import (
    build_center,
    build_home,
    build_notice,
    build_notice_index,
    build_street,
)


class DemoDistrictPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from catalog.demo import load_catalog_demo
        from district.demo.loader import load_district

        load_district(password="demo-password-1")
        load_catalog_demo("demo-password-1")  # the centers' places: address, phones, hours

    def test_home_lists_the_service_hall_streets_and_their_centers(self):
        response = self.client.get("/")
        self.assertContains(response, '<html lang="zh-CN"', html=False)
        self.assertContains(response, "海河东区政务服务中心")
        self.assertContains(response, "春华街道")
        self.assertContains(response, "向阳街道")
        self.assertContains(response, "东湖湾社区党群服务中心")
        self.assertContains(response, "最新通知公告")

    def test_home_shows_the_newest_notices_with_who_posted_them(self):
        content = self.client.get("/").content.decode()
        newest = content.index("长者食堂十二月菜单及助餐补贴说明")  # 2026-11-20
        older = content.index("十二月社区律师值班表")  # 2026-11-19
        self.assertLess(newest, older)
        self.assertIn("春华街道党群服务中心", content[newest : newest + 400])

    def test_street_page_lists_its_own_center_first(self):
        content = self.client.get("/chunhua/").content.decode()
        self.assertLess(
            content.index("春华街道党群服务中心"), content.index("海棠苑社区党群服务中心")
        )
        self.assertIn("锦绣园社区党群服务中心", content)
        self.assertNotIn("向阳新村社区党群服务中心", content)

    def test_center_page_publishes_what_a_center_must(self):
        response = self.client.get("/chunhua/jinxiuyuan/")
        self.assertContains(response, "锦绣道155号")
        self.assertContains(response, 'href="tel:02226110303"')
        self.assertContains(response, "北纬 39.1181°，东经 117.2326°")
        self.assertContains(
            response,
            '<th scope="row">每周一至周五</th><td>08:30–12:00，13:00–17:30</td>',
            html=False,
        )
        self.assertContains(response, '<th scope="row">每周六</th><td>09:00–12:00</td>', html=False)
        self.assertContains(response, "法定节假日休息，调休上班日正常开放。")
        self.assertContains(response, "<strong>4150</strong><span>户</span>", html=False)
        self.assertContains(response, "<strong>9980</strong><span>常住人口</span>", html=False)
        self.assertContains(response, "<strong>10</strong><span>个网格</span>", html=False)
        self.assertContains(response, "社区康复站")
        self.assertContains(response, 'href="/chunhua/jinxiuyuan/tongzhi/"')

    def test_center_page_has_breadcrumbs_street_then_center(self):
        response = self.client.get("/chunhua/haitangyuan/tongzhi/2026-after-school/")
        crumbs = response.content.decode().split('aria-label="当前位置"')[1].split("</nav>")[0]
        self.assertLess(crumbs.index("首页"), crumbs.index("春华街道"))
        self.assertLess(crumbs.index("春华街道"), crumbs.index("海棠苑社区党群服务中心"))
        self.assertLess(crumbs.index("海棠苑社区党群服务中心"), crumbs.index("通知公告"))
        self.assertIn('aria-current="page">四点半课堂冬季学期报名通知', crumbs)

    def test_service_hall_sits_under_the_home_page(self):
        response = self.client.get("/zhengwu/")
        self.assertContains(response, "区政务服务中心")
        self.assertContains(response, "24小时自助服务区")

    def test_notice_page_renders_its_body_and_date(self):
        response = self.client.get("/chunhua/haitangyuan/tongzhi/2026-after-school/")
        self.assertContains(response, "四点半课堂冬季学期报名通知")
        self.assertContains(response, "2026年11月15日")
        self.assertContains(response, "由志愿者辅导作业")

    def test_every_page_has_a_skip_link_and_the_elderly_mode_toggle(self):
        for url in ("/", "/chunhua/", "/chunhua/zhongxin/", "/chunhua/zhongxin/tongzhi/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(
                    response, '<a class="skip-link" href="#main">跳到主要内容</a>', html=True
                )
                self.assertContains(response, "关怀版")
                self.assertContains(response, 'id="main"')

    def test_unknown_page_gives_a_chinese_404(self):
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "页面未找到", status_code=404)


class ElderlyModeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_home()

    def test_toggle_link_sets_a_cookie_and_returns_to_the_page(self):
        response = self.client.get(reverse("toggle_elderly_mode"), {"on": "1", "next": "/?x=1"})
        self.assertRedirects(response, "/?x=1", fetch_redirect_response=False)
        self.assertEqual(response.cookies["elderly_mode"].value, "1")
        page = self.client.get("/")
        self.assertContains(page, '<html lang="zh-CN" class="elderly-mode">', html=False)
        self.assertContains(page, "标准版")

    def test_switching_off_clears_the_cookie(self):
        self.client.cookies["elderly_mode"] = "1"
        response = self.client.get(reverse("toggle_elderly_mode"), {"on": "0", "next": "/"})
        self.assertEqual(response.cookies["elderly_mode"].value, "")
        self.assertNotContains(self.client.get("/"), 'elderly-mode">')

    def test_toggle_never_redirects_to_another_site(self):
        response = self.client.get(
            reverse("toggle_elderly_mode"), {"on": "1", "next": "https://evil.example.com/"}
        )
        self.assertRedirects(response, "/", fetch_redirect_response=False)


class NoticeIndexTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = build_home()
        cls.center = build_center(build_street(home))
        cls.index = build_notice_index(cls.center)

    def test_notices_are_newest_first_and_paginated_by_ten(self):
        for number in range(1, 13):
            build_notice(
                self.index, number, date=f"2026-03-{number:02d}", title=f"三月第{number}号通知"
            )
        first_page = self.client.get(self.index.url).content.decode()
        self.assertLess(first_page.index("三月第12号通知"), first_page.index("三月第11号通知"))
        self.assertNotIn("三月第2号通知", first_page)
        self.assertIn("第 1 / 2 页", first_page)
        second_page = self.client.get(self.index.url, {"page": 2}).content.decode()
        self.assertIn("三月第1号通知", second_page)
        self.assertIn("三月第2号通知", second_page)
        self.assertNotIn("三月第3号通知", second_page)

    def test_a_bad_page_number_shows_a_page_not_an_error(self):
        build_notice(self.index, 1)
        self.assertEqual(self.client.get(self.index.url, {"page": "abc"}).status_code, 200)
        self.assertEqual(self.client.get(self.index.url, {"page": "999"}).status_code, 200)

    def test_unpublished_notices_stay_hidden(self):
        draft = build_notice(self.index, 1, title="草稿通知")
        draft.unpublish()
        self.assertNotContains(self.client.get(self.index.url), "草稿通知")


class QueryCountTests(TestCase):
    """Pages issue the same number of SQL queries however much content there is."""

    @classmethod
    def setUpTestData(cls):
        cls.home = build_home()
        cls.street = build_street(cls.home)
        cls.center = build_center(cls.street)
        cls.index = build_notice_index(cls.center)
        build_notice(cls.index, 1)

    def count_queries(self, url) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.get(url)  # warm caches (site root paths, settings) as a live server would be
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def grow(self):
        for number in range(2, 30):
            build_notice(self.index, number)
        for number in range(2, 8):
            center = build_center(self.street, code=f"T-0{number}")
            build_notice(build_notice_index(center), 100 + number)

    def test_pages_do_not_issue_more_queries_as_content_grows(self):
        urls = {
            "home": self.home.url,
            "street": self.street.url,
            "center": self.center.url,
            "notice index": self.index.url,
            "notice": NoticePage.objects.first().url,
        }
        before = {name: self.count_queries(url) for name, url in urls.items()}
        self.grow()
        after = {name: self.count_queries(url) for name, url in urls.items()}
        self.assertEqual(before, after)
        self.assertEqual(CenterPage.objects.count(), 7)
        self.assertEqual(NoticeIndexPage.objects.count(), 7)
