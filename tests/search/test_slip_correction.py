"""Slips corrected as the major search engines do: when what was typed finds only weak
matches (by sound, some of its words, or nothing) and its corrected reading matches
strictly, the page and the API show the corrected reading's results, say so, and link to
a search of exactly what was typed (``exact=1``)."""

import difflib
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from catalog.models import Service
from search.backends import get_search_backend
from search.catalog import ranked_service_ids
from search.models import QueryLog
from tests.search.test_search_views import SENIOR_CARD, SearchViewsTestCase

DISABILITY_CARD = "残疾人证办理（新办、换领、迁移）"


class SlipCorrectionTestCase(SearchViewsTestCase):
    def page(self, params, **headers):
        response = self.client.get("/sousuo/", params, **headers)
        self.assertEqual(response.status_code, 200)
        return response

    def notice(self, response) -> str:
        """The correction notice's text, tags stripped."""
        html = response.content.decode()
        start = html.find('class="notice corrected-query"')
        if start == -1:
            return ""
        paragraph = html[start : html.index("</p>", start)]
        text = paragraph[paragraph.index(">") + 1 :]
        while "<" in text:
            text = text[: text.index("<")] + text[text.index(">") + 1 :]
        return unescape(text)

    def exact_link(self, response) -> str:
        html = response.content.decode()
        start = html.index('class="notice corrected-query"')
        href = html.index('href="', start) + len('href="')
        return unescape(html[href : html.index('"', href)])

    def shown_names(self, response) -> list[str]:
        return [hit.service.name for hit in response.context["result"].hits]


class CorrectedSlipTests(SlipCorrectionTestCase):
    def test_the_page_shows_the_corrected_results_and_says_so(self):
        response = self.page({"q": "老年正"})
        self.assertEqual(self.notice(response), "已显示“老年证”的结果，仍搜索“老年正”")
        self.assertEqual(self.shown_names(response)[0], "老年人优待证办理")
        self.assertContains(response, "<mark>")
        # The correction is applied, so it is not offered again.
        self.assertNotContains(response, "您是不是要找")
        # The search box keeps what the resident typed.
        self.assertContains(response, 'name="q" value="老年正"')

    def test_the_corrected_reading_is_searched_once(self):
        """Its results are searched at once, not asked first whether it finds anything
        (that took a query of its own, as long as the search itself when nothing matches)."""
        from unittest import mock

        backend = type(get_search_backend())
        with (
            mock.patch.object(backend, "has_matches", side_effect=AssertionError("asked")),
            mock.patch.object(
                backend, "search_services", autospec=True, side_effect=backend.search_services
            ) as searched,
        ):
            response = self.page({"q": "老年正"})
        self.assertEqual(self.notice(response), "已显示“老年证”的结果，仍搜索“老年正”")
        corrected = [
            call for call in searched.call_args_list if call.args[1].analysed.text == "老年证"
        ]
        self.assertEqual(len(corrected), 1)

    def test_the_api_gives_both_texts_and_the_exact_search(self):
        body = self.search_api({"q": "残疾人正"})
        self.assertEqual(body["corrected_query"], "残疾人证")
        self.assertEqual(body["original_query"], "残疾人正")
        self.assertEqual(body["query"], "残疾人正")
        self.assertEqual(body["match"], "strict")
        self.assertIsNone(body["suggestion"])
        self.assertEqual(body["results"][0]["name"], DISABILITY_CARD)
        exact = urlsplit(body["exact_url"])
        self.assertEqual(exact.path, "/api/services/search")
        self.assertEqual(parse_qs(exact.query), {"q": ["残疾人正"], "exact": ["1"]})

    def test_a_pinyin_slip_in_the_sound_of_a_word_is_corrected(self):
        body = self.search_api({"q": "临时救注"})
        self.assertEqual(body["corrected_query"], "临时救助")
        self.assertIn("临时救助申请", [item["name"] for item in body["results"][:3]])

    def test_a_slip_between_sounds_many_do_not_tell_apart_is_corrected(self):
        # 症 zheng for 诊 zhen: nothing sounds exactly like 陪症, so it found nothing.
        self.assertEqual(self.search_api({"q": "陪症", "exact": "1"})["count"], 0)
        body = self.search_api({"q": "陪症"})
        self.assertEqual((body["corrected_query"], body["original_query"]), ("陪诊", "陪症"))
        self.assertIn("就医陪诊服务", [item["name"] for item in body["results"]])

    def test_words_around_the_slip_do_not_hide_it(self):
        for typed in ("我想办老年正", "老年正 办理"):
            with self.subTest(typed):
                body = self.search_api({"q": typed})
                self.assertEqual(body["corrected_query"], "老年证")
                self.assertEqual(body["original_query"], typed)
                self.assertEqual(body["results"][0]["id"], SENIOR_CARD)

    def test_a_slip_in_one_word_of_several_is_corrected_in_that_word(self):
        body = self.search_api({"q": "法律资询"})
        self.assertEqual(body["corrected_query"], "法律咨询")
        self.assertEqual(body["match"], "strict")

    def test_every_page_of_a_corrected_search_is_corrected(self):
        first = self.search_api({"q": "家政服物", "page_size": 3})
        second = self.search_api({"q": "家政服物", "page_size": 3, "page": 2})
        self.assertEqual(first["corrected_query"], "家政服务")
        self.assertEqual(second["corrected_query"], "家政服务")
        self.assertEqual(second["count"], first["count"])
        self.assertTrue(second["results"])
        self.assertFalse({r["id"] for r in first["results"]} & {r["id"] for r in second["results"]})
        self.assertEqual(parse_qs(urlsplit(first["next"]).query)["page"], ["2"])

    def test_the_exact_link_searches_what_was_typed_with_its_own_weak_results(self):
        corrected = self.page({"q": "残疾人正", "kind": "government"})
        corrected_names = self.shown_names(corrected)
        link = self.exact_link(corrected)
        self.assertEqual(
            parse_qs(urlsplit(link).query),
            {"q": ["残疾人正"], "kind": ["government"], "exact": ["1"]},
        )
        exact = self.client.get(link)
        result = exact.context["result"]
        self.assertEqual(result.mode.value, "homophone")
        self.assertEqual(self.notice(exact), "")
        self.assertEqual(self.shown_names(exact)[0], DISABILITY_CARD)
        self.assertLess(result.total, corrected.context["result"].total)
        self.assertNotEqual(self.shown_names(exact), corrected_names)
        # Not applied, the correction is still offered.
        self.assertContains(exact, "您是不是要找")
        self.assertEqual(result.suggestion, "残疾人证")

    def test_a_centers_page_links_back_to_its_own_exact_search(self):
        response = self.client.get("/sousuo/HHD-CH-01/", {"q": "老年正", "walk": "30"})
        self.assertEqual(self.notice(response), "已显示“老年证”的结果，仍搜索“老年正”")
        link = urlsplit(self.exact_link(response))
        self.assertEqual(link.path, "/sousuo/HHD-CH-01/")
        self.assertEqual(
            parse_qs(link.query),
            {"q": ["老年正"], "near": ["HHD-CH-01"], "minutes": ["30"], "exact": ["1"]},
        )
        exact = self.client.get(self.exact_link(response))
        self.assertIsNone(exact.context["result"].correction)
        self.assertEqual(exact.context["result"].query.circle.minutes, 30)
        self.assertEqual(exact.context["result"].query.filters["center"], "HHD-CH-01")

    def test_exact_in_the_api(self):
        body = self.search_api({"q": "老年正", "exact": "1"})
        self.assertIsNone(body["corrected_query"])
        self.assertIsNone(body["original_query"])
        self.assertIsNone(body["exact_url"])
        self.assertEqual(body["match"], "homophone")
        self.assertEqual(body["suggestion"], "老年证")
        body = self.search_api({"q": "老年正", "exact": "maybe"}, status=400)
        self.assertEqual([error["parameter"] for error in body["errors"]], ["exact"])

    def test_an_exact_search_stays_exact_through_its_filters_and_pages(self):
        response = self.page({"q": "服务 火箭", "exact": "1"})
        html = response.content.decode()
        facet_links = re.findall(
            r'<a href="([^"]*)" (?:aria-current="true" )?class="facet__value', html
        )
        page_links = re.findall(r'<a class="button" href="([^"]*)">下一页', html)
        self.assertTrue(facet_links and page_links)
        for link in facet_links + page_links:
            self.assertEqual(parse_qs(urlsplit(unescape(link)).query)["exact"], ["1"], link)

    def test_the_notice_in_the_elderly_mode(self):
        self.client.cookies["elderly_mode"] = "1"
        response = self.page({"q": "义珍"})
        self.assertContains(response, 'class="elderly-mode"')
        self.assertEqual(self.notice(response), "已显示“义诊”的结果，仍搜索“义珍”")
        self.assertIn("exact=1", self.exact_link(response))

    def test_the_log_keeps_what_was_typed_once(self):
        before = QueryLog.objects.count()
        response = self.page({"q": "老年正"})
        self.assertEqual(QueryLog.objects.count(), before + 1)
        entry = QueryLog.objects.latest("pk")
        self.assertEqual(entry.query, "老年正")
        self.assertEqual(entry.corrected_query, "老年证")
        self.assertEqual(entry.pk, response.context["result"].log_id)
        # Results were shown: the demand list does not count it as unmet.
        self.assertEqual(entry.result_count, response.context["result"].total)
        self.assertGreater(entry.result_count, 0)
        self.search_api({"q": "老年正"})
        self.assertEqual(QueryLog.objects.count(), before + 2)
        self.assertEqual(QueryLog.objects.latest("pk").query, "老年正")

    def test_the_demand_list_shows_what_a_slip_was_corrected_to(self):
        from django.contrib.auth import get_user_model

        for _ in range(3):  # shown, never opened: a line of the demand list
            self.page({"q": "老年正"})
        admin = get_user_model().objects.create_superuser("chief", "chief@example.com", "x")
        self.client.force_login(admin)
        response = self.client.get("/admin/search/demand/")
        self.assertContains(response, "已自动纠正为“老年证”（3次）")
        self.client.logout()
        # A query found as typed records no correction.
        self.page({"q": "老年证"})
        self.assertEqual(QueryLog.objects.latest("pk").corrected_query, "")


class OtherSystemsTests(SlipCorrectionTestCase):
    def test_the_hsds_search_corrects_a_slip_as_the_site_does(self):
        site = self.search_api({"q": "临时救注", "page_size": 50})
        self.assertEqual(site["corrected_query"], "临时救助")
        self.assertEqual(
            ranked_service_ids("临时救注", 50), [item["id"] for item in site["results"]]
        )


class LeftAloneTests(SlipCorrectionTestCase):
    def test_a_query_that_finds_what_it_names_is_never_corrected(self):
        for typed in ("老年证", "义诊", "心理咨询", "yizhen", "laonianzheng"):
            with self.subTest(typed):
                body = self.search_api({"q": typed})
                self.assertEqual(body["match"], "strict")
                self.assertIsNone(body["corrected_query"])
                self.assertIsNone(body["exact_url"])

    def test_alternate_names_are_read_once_per_index_version(self):
        # A query that finds nothing looks for its correction among every service's
        # alternate name: read once, until the index changes.
        def distinct_reads(typed):
            with CaptureQueriesContext(connection) as queries:
                body = self.search_api({"q": typed})
            reads = [q for q in queries if "DISTINCT" in q["sql"] and "alternate_name" in q["sql"]]
            return body, len(reads)

        body, reads = distinct_reads("栾堡提")
        self.assertEqual((body["count"], body["corrected_query"], reads), (0, None, 1))
        self.assertEqual(distinct_reads("火箭发射")[1], 0)
        service = Service.objects.get(name="开锁换锁")
        with self.captureOnCommitCallbacks(execute=True):
            service.alternate_name = "栾堡缇"
            service.save()
        # The index changed: the next query that finds nothing reads them again.
        self.assertEqual(distinct_reads("火箭发射")[1], 1)
        self.assertEqual(distinct_reads("火箭发射")[1], 0)
        body = self.search_api({"q": "栾堡提"})
        self.assertEqual(body["corrected_query"], "栾堡缇")
        self.assertEqual([item["name"] for item in body["results"]], ["开锁换锁"])

    def test_a_word_that_sounds_like_a_commoner_one_is_searched_as_typed(self):
        # 义珍 is corrected while nothing is called so; once a service is, it is searched.
        self.assertEqual(self.search_api({"q": "义珍"})["corrected_query"], "义诊")
        service = Service.objects.get(name="专家进社区义诊")
        with self.captureOnCommitCallbacks(execute=True):
            service.name = "义珍书画义卖"
            service.save()
        body = self.search_api({"q": "义珍"})
        self.assertIsNone(body["corrected_query"])
        self.assertEqual(body["match"], "strict")
        self.assertEqual([item["name"] for item in body["results"]], ["义珍书画义卖"])
        response = self.page({"q": "义珍"})
        self.assertEqual(self.notice(response), "")

    def test_a_query_with_no_plausible_correction_is_left_alone(self):
        nothing = self.search_api({"q": "火箭发射"})
        self.assertEqual((nothing["count"], nothing["corrected_query"]), (0, None))
        self.assertIn("没有找到相关服务", "".join(nothing["messages"]))
        loose = self.search_api({"q": "孩子 放学 火箭"})
        self.assertEqual(loose["match"], "relaxed")
        self.assertIsNone(loose["corrected_query"])
        self.assertIn("四点半课堂课后看护服务", [item["name"] for item in loose["results"]])
        response = self.page({"q": "孩子 放学 火箭"})
        self.assertEqual(self.notice(response), "")
        self.assertContains(response, "没有同时符合所有词的服务")

    def test_a_long_sentence_is_not_corrected_to_a_few_of_its_words(self):
        # difflib finds 一个人在家 (a lonely old person) alike enough to the sentence; a
        # slip does not drop half of what was typed: the sentence's own results, winter care
        # among the first two (PostgreSQL puts the visits to old people living alone, 独居,
        # first: a rare word of the need 一个人在家 leads to).
        body = self.search_api({"q": "放寒假了孩子一个人在家"})
        self.assertIsNone(body["corrected_query"])
        self.assertIn("寒假学生托管班", [item["name"] for item in body["results"][:2]])

    def test_a_correction_that_the_filters_rule_out_is_not_applied(self):
        # No market service is called 老年证: the filters stay, the slip is not corrected.
        body = self.search_api({"q": "老年正", "kind": "market"})
        self.assertIsNone(body["corrected_query"])
        self.assertTrue(all(item["kind"] == "market" for item in body["results"]))


class CloseMatchesTests(TestCase):
    """``close_matches`` leaves out the words sharing no character with the query before
    difflib compares them: the same words as ``difflib.get_close_matches``."""

    def test_the_same_words_as_difflib(self):
        from search.catalog import close_matches, current_synonyms

        vocabulary = sorted(
            {*current_synonyms(), "托老所", "托老院", "老年证", "老年餐", "", "yizhen", "义诊"}
        )
        for typed in ("托老素", "老年正", "浴室地太滑怕老人摔", "yizhen", "yizen", "义", "zz"):
            for cutoff in (0.6, 0.8):
                with self.subTest(typed=typed, cutoff=cutoff):
                    self.assertEqual(
                        close_matches(typed, vocabulary, n=5, cutoff=cutoff),
                        difflib.get_close_matches(typed, vocabulary, n=5, cutoff=cutoff),
                    )
        self.assertEqual(
            close_matches("托老素", vocabulary, n=5, cutoff=0.6)[:2], ["托老院", "托老所"]
        )
