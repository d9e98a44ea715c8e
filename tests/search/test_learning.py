"""Learning from what residents open (search.learning): a click raises the opened result
and lowers the ones skipped above it once the boosts are recomputed; bounded (one voice
per address and day, a vote budget per address and hour, a cap, decay, a minimum of
voices); frozen and disabled as the editors' switches promise; applied alike by the
database backend and in the Elasticsearch request."""

from __future__ import annotations

import io
import math
from datetime import datetime, timedelta

import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Service
from search.analysis import analyse_query
from search.catalog import search_catalog
from search.learning import (
    SCORE_SCALE,
    VOTES_PER_ADDRESS_HOUR,
    boosts_for,
    forget_state,
    recompute_boosts,
    voice_of,
)
from search.models import LearnedBoost, QueryLog, ResultVote, SearchLearningSettings
from search.query import Mode
from tests.search.base import DemoCatalogTestCase
from tests.search.helpers import names
from tests.search.test_elasticsearch import body, offline_backend, query, text_part

EXAM = "体检"
BROWSER = "Mozilla/5.0 (Linux; Android 13) Mobile Safari/537.36"
MOMENT = timezone.make_aware(datetime(2026, 11, 2, 10, 0))


def learning(**fields) -> SearchLearningSettings:
    row = SearchLearningSettings.objects.order_by("pk").first() or SearchLearningSettings()
    for name, value in {"enabled": True, **fields}.items():
        setattr(row, name, value)
    row.save()
    return row


def service_id(name: str):
    return Service.objects.get(name=name).pk


def boost(key: str, name: str) -> float | None:
    found = LearnedBoost.objects.filter(key=key, service__name=name).first()
    return found.boost if found else None


class ClickLearningTests(DemoCatalogTestCase):
    def setUp(self):
        cache.clear()
        # 体检's first page by relevance alone (what the lexicon makes of it may change):
        # the first, the second, and one further down.
        self.page = names(EXAM)
        self.assertGreaterEqual(len(self.page), 5)
        self.first, self.second, self.low = self.page[0], self.page[1], self.page[4]

    def search(self, text: str = EXAM, channel: str = "web") -> int:
        result, _ = search_catalog({"q": text}, channel=channel)
        return result.log_id

    def click(self, log_id: int, name: str, address: str, agent: str = BROWSER):
        response = self.client.get(
            f"/sousuo/dianji/{log_id}/{service_id(name)}/",
            REMOTE_ADDR=address,
            HTTP_USER_AGENT=agent,
        )
        self.assertEqual(response.status_code, 302)
        return response

    def residents_open(self, name: str, residents: int, text: str = EXAM, first: int = 1):
        for number in range(first, first + residents):
            self.click(self.search(text), name, f"10.0.0.{number}")

    def learn(self, *options: str) -> str:
        out = io.StringIO()
        call_command("learn_from_clicks", *options, stdout=out)
        return out.getvalue()

    # -- learning ---------------------------------------------------------------------------

    def test_the_log_keeps_the_first_page_in_order(self):
        result, _ = search_catalog({"q": EXAM})
        shown = QueryLog.objects.get(pk=result.log_id).shown
        # The results, then the related services shown after a short page (if any).
        self.assertEqual(shown[: len(self.page)], [str(service_id(name)) for name in self.page])
        self.assertEqual(shown, [str(hit.service.pk) for hit in [*result.hits, *result.related]])

    def test_a_related_service_residents_open_is_learned_like_a_result(self):
        # 卫生间想装个扶手: one result, then related services (search.catalog.related_to).
        learning()
        text = "卫生间想装个扶手"
        result, _ = search_catalog({"q": text})
        page = [hit.service.name for hit in [*result.hits, *result.related]]
        self.assertEqual(len(result.hits), 1)
        self.assertEqual(
            QueryLog.objects.get(pk=result.log_id).shown, [str(service_id(n)) for n in page]
        )
        opened = page[3]  # the third related service
        before = next(hit.score for hit in result.related if hit.service.name == opened)
        self.residents_open(opened, 8, text=text)
        skipped = ResultVote.objects.filter(query=text, value=-1)
        self.assertEqual(set(skipped.values_list("service__name", flat=True)), set(page[:3]))
        self.learn()
        self.assertGreater(boost(text, opened), 0)
        result, _ = search_catalog({"q": text}, log=False)
        related = [hit.service.name for hit in result.related]
        after = result.related[related.index(opened)].score
        self.assertAlmostEqual(after, before * (1 + boost(text, opened)), places=6)
        self.assertLessEqual(related.index(opened), page[1:].index(opened))

    def test_an_app_reports_a_click_through_the_api_and_it_counts_as_on_the_site(self):
        learning()
        for number in range(1, 9):
            log_id = self.search(channel="api")
            response = self.client.post(
                f"/api/services/search/{log_id}/clicks",
                {"service_id": str(service_id(self.second))},
                content_type="application/json",
                REMOTE_ADDR=f"10.0.1.{number}",
                HTTP_USER_AGENT=BROWSER,
            )
            self.assertEqual(response.status_code, 204)
        self.assertEqual(QueryLog.objects.get(pk=log_id).click_count, 1)
        self.learn()
        self.assertEqual(names(EXAM)[:2], [self.second, self.first])

    def test_the_click_api_names_what_is_wrong_in_chinese(self):
        log_id = self.search(channel="api")
        url = f"/api/services/search/{log_id}/clicks"
        cases = [
            (url, b"not json", 400, "body"),
            (url, b'{"service_id": "12"}', 400, "service_id"),
            (
                "/api/services/search/999999/clicks",
                b'{"service_id": "%s"}' % str(service_id(self.first)).encode(),
                404,
                None,
            ),
            (url, b'{"service_id": "00000000-0000-0000-0000-000000000000"}', 404, None),
        ]
        for target, payload, status, parameter in cases:
            with self.subTest(target=target, payload=payload):
                response = self.client.post(target, payload, content_type="application/json")
                self.assertEqual(response.status_code, status)
                self.assertRegex(response.json()["detail"], "[\u4e00-\u9fff]")
                if parameter:
                    self.assertEqual(response.json()["errors"][0]["parameter"], parameter)
        self.assertEqual(QueryLog.objects.get(pk=log_id).click_count, 0)
        self.assertFalse(ResultVote.objects.exists())
        self.assertEqual(self.client.get(url).status_code, 405)

    def test_clicks_raise_the_opened_result_and_lower_the_skipped_one(self):
        learning()
        self.residents_open(self.second, 8)
        opened = ResultVote.objects.filter(service__name=self.second, query=EXAM)
        skipped = ResultVote.objects.filter(service__name=self.first, query=EXAM)
        self.assertEqual(sorted(opened.values_list("value", flat=True)), [1] * 8)
        self.assertEqual(sorted(skipped.values_list("value", flat=True)), [-1] * 8)
        self.assertFalse(ResultVote.objects.exclude(service__name__in=[self.second, self.first]))

        self.assertIn("条调整", self.learn())  # enqueued: run at once without a worker
        self.assertGreater(boost(EXAM, self.second), 0)
        self.assertLess(boost(EXAM, self.first), 0)
        self.assertEqual(names(EXAM)[:2], [self.second, self.first])

    def test_a_query_without_boosts_of_its_own_uses_its_words(self):
        learning()
        LearnedBoost.objects.create(
            key="体检", service_id=service_id(self.second), boost=0.2, visitors=5
        )
        words = analyse_query("自助 体检")
        self.assertEqual([group.word for group in words.groups], ["自助", "体检"])
        self.assertAlmostEqual(boosts_for(words)[str(service_id(self.second))], 0.1)
        LearnedBoost.objects.create(
            key="自助 体检", service_id=service_id(self.first), boost=0.05, visitors=5
        )
        forget_state()  # as a recompute does
        self.assertEqual(
            boosts_for(analyse_query("自助 体检")), {str(service_id(self.first)): 0.05}
        )

    def test_below_the_minimum_of_visitors_nothing_moves(self):
        learning(min_visitors=3)
        self.residents_open(self.second, 2)
        recompute_boosts()
        self.assertFalse(LearnedBoost.objects.exists())
        self.assertEqual(names(EXAM)[:2], [self.first, self.second])

    def test_one_address_is_one_voice_however_many_browsers(self):
        """Five residents at a lobby kiosk, or a script that changes its user agent: one
        address, one voice a day."""
        learning(min_visitors=3)
        for number in range(5):
            self.click(self.search(channel="kiosk"), self.second, "10.9.9.9")
            self.click(self.search(), self.second, "10.9.9.9", f"{BROWSER} build/{number}")
        votes = ResultVote.objects.filter(service__name=self.second)
        self.assertEqual(votes.count(), 6, "one vote per browser and hour")
        self.assertEqual(len({voice_of(vote.visitor) for vote in votes}), 1)
        recompute_boosts()
        self.assertFalse(LearnedBoost.objects.exists())

    def test_the_visitor_is_a_daily_pseudonym(self):
        with time_machine.travel(MOMENT, tick=False):
            self.click(self.search(), self.second, "10.0.0.1")
        with time_machine.travel(MOMENT + timedelta(days=1), tick=False):
            self.click(self.search(), self.second, "10.0.0.1")
        visitors = list(ResultVote.objects.filter(value=1).values_list("visitor", flat=True))
        self.assertEqual(len(set(visitors)), 2)
        for visitor in visitors:
            self.assertRegex(visitor, r"^[0-9a-f]{16}$")
            self.assertNotIn("10.0.0.1", visitor)

    def test_only_results_the_search_showed_recently_can_be_voted_for(self):
        learning()
        log_id = self.search()
        self.click(log_id, "房屋水电维修", "10.0.0.1")  # not among 体检's results
        self.click(
            log_id, self.second, "10.0.0.2", "Googlebot/2.1 (+http://www.google.com/bot.html)"
        )
        self.click(log_id, self.second, "10.0.0.3", agent="")
        self.assertFalse(ResultVote.objects.exists())
        with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
            self.click(log_id, self.second, "10.0.0.4")
        self.assertFalse(ResultVote.objects.exists())
        self.assertEqual(QueryLog.objects.get(pk=log_id).click_count, 4, "the demand list counts")

    def test_a_spamming_client_is_bounded(self):
        """1,000 clicks from one address with a new user agent each, over ten days, for a
        result low on the page: never more votes an hour than the budget, and no score
        moves by more than the cap."""
        learning(max_boost=0.3, min_visitors=3)

        def scores():
            result, _ = search_catalog({"q": EXAM, "page_size": 50}, log=False)
            return {hit.service.name: hit.score for hit in result.hits}

        before = scores()
        for day in range(10):
            with time_machine.travel(MOMENT + timedelta(days=day), tick=False):
                log_id = self.search()
                for number in range(100):
                    self.click(log_id, self.low, "10.6.6.6", f"Mozilla/5.0 spam/{day}.{number}")
                self.assertEqual(
                    ResultVote.objects.filter(hour=timezone.now()).count(),
                    VOTES_PER_ADDRESS_HOUR,
                )
        with time_machine.travel(MOMENT + timedelta(days=10), tick=False):
            recompute_boosts()
        boosts = list(LearnedBoost.objects.values_list("boost", flat=True))
        self.assertTrue(boosts)
        self.assertLessEqual(max(abs(value) for value in boosts), 0.3)
        self.assertEqual(max(LearnedBoost.objects.values_list("visitors", flat=True)), 10)
        self.assertLess(boost(EXAM, self.low), 0.3)
        self.assertGreater(boost(EXAM, self.low), 0.1, "ten days of one voice do count")
        after = scores()
        self.assertEqual(after.keys(), before.keys())
        for name, score in after.items():
            self.assertLessEqual(score, before[name] * 1.3 + 1e-9, name)
            self.assertGreaterEqual(score, before[name] * 0.7 - 1e-9, name)

    def test_votes_decay_by_half_after_the_half_life(self):
        learning(half_life_days=30, max_boost=0.3)
        with time_machine.travel(MOMENT, tick=False):
            self.residents_open(self.second, 4)
            recompute_boosts()
        fresh = math.atanh(boost(EXAM, self.second) / 0.3) * SCORE_SCALE
        self.assertAlmostEqual(fresh, 4.0)
        with time_machine.travel(MOMENT + timedelta(days=30), tick=False):
            recompute_boosts()
        halved = math.atanh(boost(EXAM, self.second) / 0.3) * SCORE_SCALE
        self.assertAlmostEqual(halved, 2.0)

    def test_old_votes_are_deleted(self):
        learning(half_life_days=1)
        with time_machine.travel(MOMENT, tick=False):
            self.residents_open(self.second, 3)
        with time_machine.travel(MOMENT + timedelta(days=9), tick=False):
            self.assertEqual(recompute_boosts()["pruned"], 6)
        self.assertFalse(ResultVote.objects.exists())

    def test_frozen_records_nothing_and_keeps_the_boosts(self):
        learning()
        self.residents_open(self.second, 8)
        recompute_boosts()
        kept = list(LearnedBoost.objects.values_list("key", "service_id", "boost", "updated_at"))
        votes = ResultVote.objects.count()
        learning(frozen=True)
        self.residents_open(self.first, 5, first=20)
        self.assertEqual(ResultVote.objects.count(), votes)
        self.assertIn("冻结", self.learn("--now"))
        self.assertEqual(
            list(LearnedBoost.objects.values_list("key", "service_id", "boost", "updated_at")),
            kept,
        )
        self.assertEqual(names(EXAM)[0], self.second, "frozen boosts still apply")

    def test_disabled_ranks_exactly_as_before(self):
        def ranking(text):
            result, _ = search_catalog({"q": text}, log=False)
            facets = {f: [(v.value, v.count) for v in vs] for f, vs in result.facets.items()}
            return result.total, [(h.service.name, h.score) for h in result.hits], facets

        searches = [EXAM, "老年", "助餐", "自助 体检"]
        before = [ranking(text) for text in searches]
        for key in (EXAM, "老年", "助餐", "自助"):
            for name in (self.second, self.low, "老年人助行接送", "老年助餐送餐上门"):
                LearnedBoost.objects.create(
                    key=key, service_id=service_id(name), boost=0.3, visitors=9
                )
        learning(enabled=False)
        self.assertEqual([ranking(text) for text in searches], before)
        learning(enabled=True)
        self.assertNotEqual([ranking(text) for text in searches], before)

    def test_a_boost_multiplies_the_relevance_score_in_either_order(self):
        for params in (
            {"q": "老年", "page_size": 50},
            {"q": "老年", "near": "HHD-CH", "minutes": "30", "sort": "distance", "page_size": 50},
        ):
            before, _ = search_catalog(params, log=False)
            scores = {hit.service.name: hit.score for hit in before.hits}
            raised, lowered = before.hits[-1].service, before.hits[0].service
            LearnedBoost.objects.create(key="老年", service=raised, boost=0.25, visitors=4)
            LearnedBoost.objects.create(key="老年", service=lowered, boost=-0.25, visitors=4)
            learning()
            after, _ = search_catalog(params, log=False)
            found = {hit.service.name: hit.score for hit in after.hits}
            self.assertAlmostEqual(found[raised.name], scores[raised.name] * 1.25)
            self.assertAlmostEqual(found[lowered.name], scores[lowered.name] * 0.75)
            others = set(scores) - {raised.name, lowered.name}
            self.assertEqual({name: found[name] for name in others}, {n: scores[n] for n in others})
            if "sort" in params:  # nearest first still; the score only breaks ties
                distances = [hit.distance_m for hit in after.hits]
                self.assertEqual(distances, sorted(distances))
            else:
                ranked = [hit.score for hit in after.hits]
                self.assertEqual(ranked, sorted(ranked, reverse=True))
            LearnedBoost.objects.all().delete()
            learning(enabled=False)

    def test_boosts_cost_no_extra_queries_per_result(self):
        learning()
        self.residents_open(self.second, 5)
        recompute_boosts()

        def count(text):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                result, _ = search_catalog({"q": text}, log=False)
            self.assertTrue(result.hits)
            return len(queries)

        # Two full first pages, one boosted (a short page is followed by the services like
        # its first result, which a boost may change).
        self.assertTrue(LearnedBoost.objects.filter(key=EXAM).exists())
        raised = search_catalog({"q": "老年"}, log=False)[0].hits[-1].service
        LearnedBoost.objects.create(key="老年", service=raised, boost=0.25, visitors=4)
        self.assertEqual(count("老年"), count("助餐"))  # boosted, not boosted


class ElasticsearchLearningTests(SimpleTestCase):
    """The cluster receives the same boosts as a function_score around the text query."""

    def test_boosts_multiply_the_scores_of_their_services(self):
        backend = offline_backend()
        plain = body(backend, query(EXAM))
        boosted = body(backend, query(EXAM), boosts={"b": -0.25, "a": 0.3})
        function_score = text_part(boosted)["function_score"]
        self.assertEqual(function_score["query"], text_part(plain))
        self.assertEqual(
            function_score["functions"],
            [
                {"filter": {"term": {"service_id": "a"}}, "weight": 1.3},
                {"filter": {"term": {"service_id": "b"}}, "weight": 0.75},
            ],
        )
        self.assertEqual(function_score["boost_mode"], "multiply")
        self.assertEqual(function_score["score_mode"], "first")
        self.assertEqual(plain["sort"], boosted["sort"])

    def test_without_boosts_the_request_is_unchanged(self):
        backend = offline_backend()
        self.assertEqual(body(backend, query(EXAM), boosts={}), body(backend, query(EXAM)))
        browse = body(backend, query(""), boosts={"a": 0.3})
        self.assertNotIn("function_score", str(browse), "nothing to score without words")
        relaxed = body(backend, query("自助 体检"), Mode.RELAXED, boosts={"a": 0.1})
        self.assertIn("function_score", text_part(relaxed))
