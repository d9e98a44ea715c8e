"""The lobby screen's notice and honor-board slides and its urgent strip, in the data
document (/api/kiosks/<code>/<slug>/data).

The package's clock stands at Sunday 2026-12-06 10:00 in the district.
"""

import json
from datetime import date

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from activities.models import Kiosk, KioskSlide, SlideKind
from activities.models.kiosks import DEFAULT_SLIDES
from district.models import NoticeCategory
from honors.models import HonorEntry
from tests.district.builders import (
    build_center,
    build_home,
    build_notice,
    build_notice_index,
    build_street,
)
from tests.honors.builders import add_points, build_honor_board, entry_fields, participant


def category(slug):
    return NoticeCategory.objects.get(slug=slug)


def photo(title="照片"):
    return get_image_model().objects.create(title=title, file=get_test_image_file(size=(800, 1000)))


def build_kiosk(center, kinds, slug="dating") -> Kiosk:
    kiosk = Kiosk.objects.create(center=center, name="一楼大厅屏", slug=slug)
    for order, kind in enumerate(kinds):
        KioskSlide.objects.create(kiosk=kiosk, kind=kind, seconds=15, sort_order=order)
    return kiosk


class KioskSlidesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.street = build_street(build_home())
        cls.center = build_center(cls.street, code="HHD-CH-01", title="海棠苑")
        cls.kiosk = build_kiosk(cls.center, [SlideKind.TODAY, SlideKind.NOTICES, SlideKind.HONORS])
        index = build_notice_index(cls.center)
        cls.notices = {}
        for number, (title, slug, day, extra) in enumerate(
            (
                ("社区书法班招募学员", "zhaomu", date(2026, 12, 5), {}),
                ("医保缴费提醒", "banshi-tixing", date(2026, 12, 1), {}),
                ("周二停水通知", "tingshui-tingdian", date(2026, 11, 30), {}),
                (
                    "已过期的活动预告",
                    "huodong-yugao",
                    date(2026, 11, 1),
                    {"expires_on": date(2026, 11, 30)},
                ),
                (
                    "置顶的冬季防火提醒",
                    "banshi-tixing",
                    date(2026, 10, 1),
                    {"pinned_until": date(2026, 12, 31)},
                ),
            ),
            start=1,
        ):
            cls.notices[title] = build_notice(
                index,
                number,
                title=title,
                date=day,
                category=category(slug),
                summary=f"{title}的摘要",
                **extra,
            )
        # The street's urgent notice shows at its centers too.
        street_index = build_notice_index(cls.street, slug="jiedao-tongzhi")
        build_notice(
            street_index,
            9,
            title="街道停电检修",
            date=date(2026, 12, 4),
            category=category("tingshui-tingdian"),
        )
        cls.board = build_honor_board(
            cls.center,
            entries=[
                {"name": "张晓明", "citation": "张晓明常年照顾独居老人。"},
                {
                    "name": "李芳",
                    "award": "五星志愿者",
                    "consent_given": True,
                    "photo": photo("李芳"),
                },
                {"name": "王大伟", "photo": photo("王大伟")},  # a photo but no consent
                {"name": "夕阳红志愿队", "recipient_kind": "team", "award": "助人为乐"},
                {
                    "name": "赵过去",
                    "period_start": date(2025, 1, 1),
                    "period_end": date(2025, 12, 31),
                },
            ],
        )
        # This month's points: a tie at the top, a team third, a fourth left out; November's
        # points do not count.
        for name, mobile, points, fields in (
            ("王小红", "13900000001", 30, {}),
            ("李四", "13900000002", 30, {"name_consent": True}),
            ("夕阳红志愿队", "", 20, {"kind": "team"}),
            ("赵六", "13900000004", 10, {}),
        ):
            who = participant(cls.center, name, mobile, **fields)
            add_points(who, points, day=date(2026, 12, 2))
            add_points(who, 500, day=date(2026, 11, 2))
        cls.url = reverse("kiosk_api:data", args=["HHD-CH-01", "dating"])

    def document(self, **headers):
        response = self.client.get(self.url, headers=headers)
        self.assertEqual(response.status_code, 200)
        return response, json.loads(response.content)

    def test_notices_urgent_first_then_pinned_then_newest_at_most_five(self):
        _, document = self.document()
        shown = [(n["title"], n["category"], n["is_urgent"]) for n in document["notices"]]
        self.assertEqual(
            shown,
            [
                ("街道停电检修", "停水停电", True),
                ("周二停水通知", "停水停电", True),
                ("置顶的冬季防火提醒", "办事提醒", False),
                ("社区书法班招募学员", "招募", False),
                ("医保缴费提醒", "办事提醒", False),
            ],
        )
        first = document["notices"][1]
        self.assertEqual(first["date"], "2026-11-30")
        self.assertEqual(first["summary"], "周二停水通知的摘要")
        self.assertTrue(first["url"].startswith("http://testserver/"), first["url"])
        self.assertIn("<svg", document["qr"][first["qr"]])
        self.assertNotIn("已过期的活动预告", json.dumps(document, ensure_ascii=False))

    def test_urgent_notices_make_the_strip_over_every_slide(self):
        _, document = self.document()
        self.assertEqual(
            [(n["title"], n["category"]) for n in document["urgent"]],
            [("街道停电检修", "停水停电"), ("周二停水通知", "停水停电")],
        )

    def test_honor_board_masks_names_and_shows_only_consented_photos(self):
        _, document = self.document()
        entries = {e["name"]: e for e in document["honors"]}
        # By award (好邻居, 五星志愿者, 助人为乐), then as the editor ordered them.
        self.assertEqual(list(entries), ["张*明", "王*伟", "李芳", "夕阳红志愿队"])
        self.assertEqual(entries["张*明"]["citation"], "张*明常年照顾独居老人。")
        self.assertEqual(entries["张*明"]["award"], "好邻居")
        self.assertIsNone(entries["王*伟"]["photo"])
        self.assertIsNone(entries["夕阳红志愿队"]["photo"])
        photo_url = entries["李芳"]["photo"]
        self.assertTrue(photo_url.startswith("http://testserver/media/images/"), photo_url)
        self.assertIn(".fill-300x400", photo_url)
        self.assertEqual(self.client.get(photo_url[len("http://testserver") :]).status_code, 200)
        document_text = json.dumps(document, ensure_ascii=False)
        for full_name in ("张晓明", "王大伟", "赵过去"):
            self.assertNotIn(full_name, document_text)

    def test_this_months_points_ranking_top_three_with_ties_and_masked_names(self):
        _, document = self.document()
        ranking = document["ranking"]
        self.assertEqual(ranking["period"], "2026年12月")
        rows = [(row["rank"], row["name"], row["points"]) for row in ranking["rows"]]
        self.assertEqual(rows, [(1, "李四", 30), (1, "王*红", 30), (3, "夕阳红志愿队", 20)])
        self.assertEqual(ranking["rows"][0]["stars"], 3)  # 530 points in all: 三星

    def test_each_slide_links_to_its_page(self):
        _, document = self.document()
        slides = {slide["kind"]: slide for slide in document["kiosk"]["slides"]}
        self.assertEqual(list(slides), ["today", "notices", "honors"])
        self.assertEqual(slides["notices"]["title"], "通知公告")
        self.assertEqual(slides["notices"]["url"], "http://testserver/street/hhd-ch-01/tongzhi/")
        self.assertEqual(
            slides["honors"]["url"], "http://testserver/street/hhd-ch-01/guangrongbang/"
        )
        self.assertIn("<svg", document["qr"][slides["honors"]["qr"]])

    def test_a_change_to_a_notice_or_an_entry_changes_the_etag(self):
        response, _ = self.document()
        etag = response["ETag"]
        self.assertEqual(
            self.client.get(self.url, headers={"if-none-match": etag}).status_code, 304
        )

        notice = self.notices["医保缴费提醒"]
        notice.title = "医保缴费截止提醒"
        notice.save_revision().publish()
        response, document = self.document(if_none_match=etag)
        self.assertNotEqual(response["ETag"], etag)
        self.assertIn("医保缴费截止提醒", [n["title"] for n in document["notices"]])

        etag = response["ETag"]
        HonorEntry.objects.filter(board=self.board, name="张晓明").update(consent_given=True)
        response, document = self.document(if_none_match=etag)
        self.assertNotEqual(response["ETag"], etag)
        self.assertEqual(document["honors"][0]["name"], "张晓明")

    def test_query_count_does_not_grow_with_notices_and_entries(self):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(self.url).status_code, 200)
            return len(captured)

        queries()  # site root paths, renditions made once
        few = queries()
        board = self.board
        for number in range(6):
            HonorEntry.objects.create(
                board=board,
                **entry_fields(name=f"新邻居{number}", consent_given=True, photo=photo()),
            )
        for number in range(6):
            who = participant(self.center, f"新志愿者{number}", f"1370000000{number}")
            add_points(who, 5 + number, day=date(2026, 12, 3))
        index = self.notices["医保缴费提醒"].get_parent()
        for number in range(20, 26):
            build_notice(index, number, date=date(2026, 12, 6), category=category("zhaomu"))
        queries()  # the new photos' renditions are made once
        self.assertEqual(queries(), few)


class KioskWithoutNoticesOrBoardTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        center = build_center(build_street(build_home()), code="HHD-CH-02")
        cls.kiosk = build_kiosk(center, [SlideKind.TODAY, SlideKind.NOTICES, SlideKind.HONORS])
        cls.plain = build_kiosk(center, [SlideKind.TODAY], slug="erlou")
        cls.center = center

    def document(self, slug="dating"):
        response = self.client.get(reverse("kiosk_api:data", args=["HHD-CH-02", slug]))
        self.assertEqual(response.status_code, 200)
        return json.loads(response.content)

    def test_a_center_without_notices_or_board_skips_their_slides(self):
        document = self.document()
        self.assertEqual([s["kind"] for s in document["kiosk"]["slides"]], ["today"])
        self.assertEqual((document["notices"], document["honors"]), ([], []))
        self.assertEqual((document["urgent"], document["ranking"]), ([], None))

    def test_a_board_without_current_entries_skips_its_slide(self):
        build_honor_board(
            self.center,
            entries=[{"period_start": date(2025, 1, 1), "period_end": date(2025, 12, 31)}],
        )
        document = self.document()
        self.assertEqual([s["kind"] for s in document["kiosk"]["slides"]], ["today"])

    def test_a_kiosk_not_showing_the_slides_gets_no_notices_or_entries(self):
        index = build_notice_index(self.center)
        build_notice(index, 1, category=category("tingshui-tingdian"), title="停水")
        build_notice(index, 2, category=category("zhaomu"))
        build_honor_board(self.center, entries=[{}])
        document = self.document("erlou")
        self.assertEqual((document["notices"], document["honors"]), ([], []))
        # The urgent strip is for every screen of the center.
        self.assertEqual([n["title"] for n in document["urgent"]], ["停水"])


class DefaultSlidesTests(TestCase):
    def test_new_kiosks_rotate_notices_and_the_honor_board_too(self):
        kinds = [kind for kind, _seconds in DEFAULT_SLIDES]
        self.assertEqual(
            kinds,
            ["today", "tomorrow", "week", "services_open", "notices", "honors"],
        )
