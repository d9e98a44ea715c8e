"""Closing a demand-list line in one step: the query's words as keywords of services or as
a synonym set, previewed first; the next search finds the service."""

from unittest.mock import patch

from django.test import TestCase
from wagtail.models import ModelLogEntry

from catalog.models import Service
from search.demand import demand_lines
from search.demand_actions import keywords_with, suggested_terms
from search.models import HandledDemand, IndexVersion, SearchEntry, SynonymSet
from tests.catalog.test_admin_permissions import services_only_at
from tests.search.base import DemoCatalogTestCase
from tests.search.helpers import names
from tests.search.test_demand_list import HAITANGYUAN, ZHAOXIALI, assert_denied, editors, log

ACT_URL = "/admin/search/demand/act/"
DEMAND_URL = "/admin/search/demand/"
REPAIRS = "房屋水电维修"  # offered at several centers: district editors only
TRAINING = "认知障碍老年人认知训练"  # offered only at 海棠苑


class KeywordsTests(DemoCatalogTestCase):
    @classmethod
    def build_pages(cls):
        editors(cls)

    def setUp(self):
        log("水喉", center=HAITANGYUAN, times=3)
        log("脑子糊涂", center=HAITANGYUAN, times=2)
        log("办护照", center=ZHAOXIALI)
        self.repairs = Service.objects.get(name=REPAIRS)
        self.training = Service.objects.get(name=TRAINING)
        self.hairdresser = services_only_at(ZHAOXIALI).get(name="社区美发服务")

    def act(self, user, query, center=HAITANGYUAN, **data):
        self.client.force_login(user)
        data = {"center_code": center, "query": query, "action": "keywords", **data}
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(ACT_URL, data)

    def test_the_page_prefills_the_words_and_offers_candidates(self):
        self.client.force_login(self.center_editor)
        response = self.client.get(ACT_URL, {"center_code": HAITANGYUAN, "query": "脑子糊涂"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["terms_text"], "脑子，糊涂")
        self.assertContains(response, "居民在<strong>海棠苑")
        # The demand list links each line here.
        listing = self.client.get(DEMAND_URL).content.decode()
        self.assertIn(f"{ACT_URL}?center_code={HAITANGYUAN}&amp;query=%E6%B0%B4%E5%96%89", listing)

        # Nothing finds 水喉 yet: the editor looks the service up by name.
        self.client.force_login(self.district_editor)
        response = self.client.post(
            ACT_URL,
            {
                "center_code": HAITANGYUAN,
                "query": "水喉",
                "action": "keywords",
                "terms": "水喉",
                "service_search": "水电",
                "intent": "find",
            },
        )
        self.assertIn(self.repairs, response.context["candidates"])
        self.assertEqual(response.context["errors"], {})  # looking up is not saving

    def test_keywords_make_the_next_search_find_the_service(self):
        self.assertEqual(names("水喉"), [])
        response = self.act(
            self.district_editor,
            "水喉",
            terms="水喉",
            services=[str(self.repairs.pk)],
            note="粤语说法",
            intent="save",
            next=f"{DEMAND_URL}?days=30",
        )
        self.assertRedirects(response, f"{DEMAND_URL}?days=30", fetch_redirect_response=False)
        self.assertIn(REPAIRS, names("水喉"))
        self.repairs.refresh_from_db()
        self.assertTrue(self.repairs.keywords.endswith("水喉"))
        handled = HandledDemand.objects.get(center_code=HAITANGYUAN, query="水喉")
        self.assertEqual(
            (handled.action, handled.terms, handled.service_ids, handled.handled_by, handled.note),
            ("keywords", "水喉", [str(self.repairs.pk)], self.district_editor, "粤语说法"),
        )
        self.assertNotIn("水喉", [line.query for line in demand_lines()])
        listing = self.client.get(DEMAND_URL, {"handled": "1"})
        self.assertContains(listing, "（加为服务的关键词：水喉）：粤语说法")
        # Saved as the catalog admin saves a service: an edit in its history.
        entry = ModelLogEntry.objects.filter(object_id=str(self.repairs.pk)).latest("timestamp")
        self.assertEqual((entry.action, entry.user), ("wagtail.edit", self.district_editor))

        # Attached again (the line came back): the keyword is not doubled.
        keywords = self.repairs.keywords
        self.act(
            self.district_editor,
            "水喉",
            terms="水喉，水喉",
            services=[str(self.repairs.pk)],
            intent="save",
        )
        self.repairs.refresh_from_db()
        self.assertEqual(self.repairs.keywords, keywords)

        # Renewing the note with "标记已处理" keeps what was done.
        self.client.post(
            "/admin/search/demand/handle/",
            {"center_code": HAITANGYUAN, "query": "水喉", "note": "已核实"},
        )
        handled.refresh_from_db()
        self.assertEqual((handled.action, handled.note), ("keywords", "已核实"))

    def test_a_center_editor_attaches_words_to_their_own_service(self):
        self.assertNotIn(TRAINING, names("脑子糊涂"))
        response = self.act(
            self.center_editor,
            "脑子糊涂",
            terms="脑子，糊涂",
            services=[str(self.training.pk)],
            intent="save",
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(names("脑子糊涂")[0], TRAINING)

    def test_a_center_editor_cannot_attach_to_another_centers_service(self):
        for service in (self.hairdresser, self.repairs):
            keywords = service.keywords
            response = self.act(
                self.center_editor,
                "水喉",
                terms="水喉",
                services=[str(service.pk)],
                intent="save",
            )
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, f"您没有修改“{service.name}”的权限")
            service.refresh_from_db()
            self.assertEqual(service.keywords, keywords)
        self.assertFalse(HandledDemand.objects.exists())
        # Nor are such services offered, nor the other center's lines.
        response = self.client.get(ACT_URL, {"center_code": HAITANGYUAN, "query": "水喉"})
        for service in response.context["candidates"]:
            self.assertTrue(services_only_at(HAITANGYUAN).filter(pk=service.pk).exists())
        assert_denied(self, self.client.get(ACT_URL, {"center_code": ZHAOXIALI, "query": "办护照"}))
        # Center editors do not make synonym sets (they apply to the whole district).
        response = self.act(
            self.center_editor, "水喉", action="synonyms", terms="水喉", target="水龙头"
        )
        self.assertContains(response, "只有区级编辑可以新建同义词组")
        self.assertFalse(SynonymSet.objects.filter(terms__contains="水喉").exists())

    def test_a_line_that_was_never_searched_is_not_found(self):
        self.client.force_login(self.district_editor)
        response = self.client.get(ACT_URL, {"center_code": HAITANGYUAN, "query": "从没搜过"})
        self.assertEqual(response.status_code, 404)

    def test_the_preview_changes_nothing(self):
        def state():
            return (
                list(Service.objects.order_by("pk").values_list("keywords", flat=True)),
                list(SearchEntry.objects.order_by("pk").values_list("keyword_tokens", flat=True)),
                list(SynonymSet.objects.values_list("terms", flat=True)),
                HandledDemand.objects.count(),
                ModelLogEntry.objects.count(),
                IndexVersion.current(),
            )

        before = state()
        response = self.act(
            self.district_editor,
            "水喉",
            terms="水喉",
            services=[str(self.repairs.pk)],
            intent="preview",
        )
        self.assertEqual(response.status_code, 200)
        at_the_center, district = response.context["preview"].lists
        self.assertEqual((at_the_center.before, district.before), ([], []))
        # Not offered at 海棠苑: its own page still lists nothing; the district finds it.
        self.assertEqual(at_the_center.after, [])
        self.assertEqual(district.after[0].name, REPAIRS)
        self.assertTrue(district.after[0].chosen)
        self.assertContains(response, "所选服务")
        # The form is still filled in, ready to save.
        self.assertEqual(response.context["terms_text"], "水喉")
        self.assertEqual(response.context["selected"], {str(self.repairs.pk)})

        synonyms = self.act(
            self.district_editor,
            "水喉",
            action="synonyms",
            terms="水喉",
            target="水龙头",
            intent="preview",
        ).context["preview"]
        self.assertIn(REPAIRS, [hit.name for hit in synonyms.lists[-1].after])

        # A service offered at the center shows on the center's own page too.
        at_the_center, _ = (
            self.act(
                self.center_editor,
                "脑子糊涂",
                terms="脑子，糊涂",
                services=[str(self.training.pk)],
                intent="preview",
            )
            .context["preview"]
            .lists
        )
        self.assertTrue(at_the_center.where.startswith("在海棠苑"))
        self.assertEqual(at_the_center.after[0].name, TRAINING)

        self.assertEqual(state(), before)
        self.assertEqual(names("水喉"), [])

    def test_on_elasticsearch_the_keywords_preview_is_an_estimate(self):
        """Its index is outside the transaction: nothing is written to it for a preview;
        the chosen services are shown first instead, and the page says so."""
        log("配锁匙", center=HAITANGYUAN)
        keys = Service.objects.get(name="修鞋配钥匙")
        entry = SearchEntry.objects.get(service=keys).keyword_tokens
        with patch("search.demand_actions.database_backend", return_value=False):
            response = self.act(
                self.center_editor,
                "配锁匙",
                terms="锁匙",
                services=[str(keys.pk)],
                intent="preview",
            )
        preview = response.context["preview"]
        self.assertTrue(preview.estimated)
        self.assertContains(response, "处理后的结果是估计")
        for shown in preview.lists:
            self.assertEqual(shown.after[0].name, "修鞋配钥匙")
            self.assertTrue(shown.after[0].chosen)
            self.assertEqual(
                [hit.name for hit in shown.after[1:]],
                [hit.name for hit in shown.before if hit.name != "修鞋配钥匙"][:9],
            )
        keys.refresh_from_db()
        self.assertNotIn("锁匙", keys.keywords)
        self.assertEqual(SearchEntry.objects.get(service=keys).keyword_tokens, entry)

    def test_errors_are_said_in_chinese_and_the_form_keeps_what_was_typed(self):
        response = self.act(
            self.district_editor, "水喉", terms="水喉，水龙头头", note="待查", intent="save"
        )
        self.assertContains(response, "请至少选择一项服务。")
        self.assertEqual(response.context["terms_text"], "水喉，水龙头头")
        self.assertContains(response, 'value="待查"')
        response = self.act(
            self.district_editor,
            "水喉",
            action="synonyms",
            terms="水喉",
            target="完全不存在的说法",
            intent="save",
        )
        self.assertContains(response, "“完全不存在的说法”现在搜不到任何服务")
        self.assertContains(response, 'value="完全不存在的说法"')
        response = self.act(self.district_editor, "水喉", terms="", intent="save")
        self.assertContains(response, "请填写要关联的词。")
        self.assertFalse(HandledDemand.objects.exists())
        self.assertFalse(SynonymSet.objects.filter(terms__contains="水喉").exists())


class SynonymTests(DemoCatalogTestCase):
    @classmethod
    def build_pages(cls):
        editors(cls)

    def test_a_synonym_set_makes_the_next_search_find_the_service(self):
        log("水喉", center=HAITANGYUAN, times=2)
        self.assertEqual(names("水喉"), [])
        self.client.force_login(self.district_editor)
        response = self.client.post(
            ACT_URL,
            {
                "center_code": HAITANGYUAN,
                "query": "水喉",
                "action": "synonyms",
                "terms": "水喉",
                "target": "水龙头",
                "intent": "save",
            },
        )
        self.assertRedirects(response, DEMAND_URL, fetch_redirect_response=False)
        synonyms = SynonymSet.objects.get(terms="水喉，水龙头")
        self.assertEqual(synonyms.source, "居民搜索（需求清单）")
        self.assertIn(REPAIRS, names("水喉"))
        handled = HandledDemand.objects.get()
        self.assertEqual(
            (handled.action, handled.terms, handled.service_ids), ("synonyms", "水喉，水龙头", [])
        )


class WordsTests(TestCase):
    def test_the_words_that_matter(self):
        self.assertEqual(suggested_terms("水喉"), ["水喉"])
        # Words said around the need and lone characters are left out.
        self.assertNotIn("怎么办", suggested_terms("我家水喉坏了怎么办"))
        self.assertIn("水喉", suggested_terms("我家水喉坏了怎么办"))
        self.assertNotIn("坏", suggested_terms("我家水喉坏了怎么办"))

    def test_keywords_are_appended_once(self):
        self.assertEqual(keywords_with("", ["水喉"]), ("水喉", ["水喉"]))
        self.assertEqual(
            keywords_with("水管，水龙头", ["水喉", "水龍頭"]), ("水管，水龙头，水喉", ["水喉"])
        )
        self.assertEqual(keywords_with("水管,水龙头", ["水喉"]), ("水管,水龙头,水喉", ["水喉"]))
        self.assertEqual(keywords_with("水喉", ["水喉"]), ("水喉", []))
