"""The Elasticsearch backend without a cluster: its mapping, the requests it composes, how
it reads answers, and that nothing touches the network before a request is executed.

Answers are played back by a stand-in client registered under the backend's connection
alias; the live contract against a real cluster is in test_elasticsearch_live.py.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from datetime import datetime
from types import SimpleNamespace
from unittest import mock

import pytest
from django.utils import timezone
from elasticsearch.dsl import connections

from catalog.clock import clock_at, open_service_ids
from catalog.models import Location, Service
from search.analysis import analyse_query, synonym_index
from search.backends.base import indexable_services
from search.backends.elasticsearch import (
    FACET_SIZE,
    MAX_OPEN_CANDIDATES,
    ElasticsearchUnavailable,
    SearchBackend,
    document_source,
    page_mapping,
    service_mapping,
)
from search.documents import Document
from search.query import FACETS, CatalogQuery, Circle, Mode, groups_for, haversine_m
from tests.search.base import DemoCatalogTestCase

TOKEN_FIELDS = ("name_tokens", "keyword_tokens", "body_tokens", "pinyin_tokens")
WEIGHTS = {"name_tokens": 10.0, "keyword_tokens": 6.0, "body_tokens": 1.0, "pinyin_tokens": 6.0}
VISIBLE = {"terms": {"status": ["active", "temporarily closed", "inactive"]}}
#: Nothing listens on the discard port: connecting is refused at once.
UNREACHABLE = "http://127.0.0.1:9"


def offline_backend(**params) -> SearchBackend:
    """A backend whose cluster does not exist."""
    return SearchBackend(
        {"URLS": [UNREACHABLE], "INDEX_PREFIX": "jmk-test", "MAX_RETRIES": 0, **params}
    )


def query(text: str = "", synonyms=None, **kwargs) -> CatalogQuery:
    return CatalogQuery(analyse_query(text, synonym_index(synonyms or [])), **kwargs)


def body(backend: SearchBackend, catalog_query: CatalogQuery, mode=Mode.STRICT, **kwargs) -> dict:
    return backend.build_service_search(catalog_query, mode, **kwargs).to_dict()


def token_clause(token: str) -> dict:
    """One query token in any of the four token fields, with SQLite's bm25 weights."""
    return {
        "bool": {
            "should": [
                {"term": {field: {"value": token, "boost": WEIGHTS[field]}}}
                for field in TOKEN_FIELDS
            ],
            "minimum_should_match": 1,
        }
    }


def any_of(*alternatives: dict) -> dict:
    return {"bool": {"should": list(alternatives), "minimum_should_match": 1}}


def text_part(request: dict) -> dict:
    """The scored part of a service request (the filters sit beside it)."""
    return request["query"]["bool"]["must"][0]


# -- mapping and documents --------------------------------------------------------------------


def test_service_mapping_indexes_pre_analysed_tokens_with_a_whitespace_analyzer():
    mapping = service_mapping()
    analyzers = mapping["settings"]["analysis"]["analyzer"]
    assert analyzers == {
        "jiamenkou_tokens": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]}
    }
    properties = mapping["mappings"]["properties"]
    for field in TOKEN_FIELDS:
        assert properties[field] == {"type": "text", "analyzer": "jiamenkou_tokens"}
    for field in ("service_id", "title", *FACETS, "status"):
        assert properties[field] == {"type": "keyword"}, field
    assert properties["location"] == {"type": "geo_point"}
    # One shard: term statistics are global, as they are in the database's FTS table.
    assert mapping["settings"]["number_of_shards"] == 1


def test_page_mapping_keys_pages_by_integer_id():
    properties = page_mapping()["mappings"]["properties"]
    assert properties["page_id"] == {"type": "integer"}
    assert properties["title"] == {"type": "keyword"}
    assert properties["name_tokens"]["analyzer"] == "jiamenkou_tokens"
    assert "location" not in properties


def test_index_names_follow_the_prefix():
    backend = offline_backend(INDEX_PREFIX="district7")
    assert backend.index_name("service") == "district7-services"
    assert backend.index_name("page") == "district7-pages"
    assert backend.indexes["service"].to_dict()["mappings"] == service_mapping()["mappings"]


def test_document_source_joins_tokens_and_keeps_points_and_facets():
    document = Document(
        source="service",
        key="5b0f3f38-0000-4000-8000-000000000001",
        title="老年证办理",
        name_tokens=["老年", "老年证", "办理"],
        keyword_tokens=["敬老"],
        body_tokens=[],
        pinyin_tokens=["laonianzheng", "lnz"],
        facets={"kind": ["government"], "topic": ["elderly_care"], "center": [], "cost": ["free"]},
        points=[(39.125, 117.2398), (39.13, 117.25)],
    )
    source = document_source(document)
    assert source["service_id"] == document.key
    assert source["title"] == "老年证办理"
    assert source["name_tokens"] == "老年 老年证 办理"
    assert source["pinyin_tokens"] == "laonianzheng lnz"
    assert source["kind"] == ["government"]
    assert source["topic"] == ["elderly_care"]
    assert source["location"] == [
        {"lat": 39.125, "lon": 117.2398},
        {"lat": 39.13, "lon": 117.25},
    ]
    # An empty list is left out rather than indexed as an empty term.
    assert "center" not in source
    assert source["body_tokens"] == ""


def test_page_document_source():
    document = Document("page", "42", "停水通知", ["停水", "通知"], [], ["明天"], ["tingshui"])
    document.facets = {"type": ["noticepage"]}
    source = document_source(document)
    assert source == {
        "page_id": 42,
        "title": "停水通知",
        "name_tokens": "停水 通知",
        "keyword_tokens": "",
        "body_tokens": "明天",
        "pinyin_tokens": "tingshui",
        "type": ["noticepage"],
    }


# -- matching ---------------------------------------------------------------------------------


def test_strict_query_requires_every_group_through_any_synonym():
    backend = offline_backend()
    request = body(backend, query("修水管", [["修", "维修", "修理"], ["水管", "管道"]]))
    assert text_part(request) == {
        "bool": {
            "must": [
                any_of(token_clause("修"), token_clause("维修"), token_clause("修理")),
                any_of(token_clause("水管"), token_clause("管道")),
            ]
        }
    }
    # Only services still visible, however stale the index.
    assert request["query"]["bool"]["filter"] == [VISIBLE]
    assert request["sort"] == [{"_score": {"order": "desc"}}, {"service_id": {"order": "asc"}}]


def test_a_synonym_of_several_words_needs_all_of_them():
    backend = offline_backend()
    request = body(backend, query("低保", [["低保", "最低生活保障"]]))
    assert text_part(request) == {
        "bool": {
            "must": [
                any_of(
                    token_clause("低保"),
                    {
                        "bool": {
                            "must": [
                                token_clause("最低"),
                                token_clause("生活"),
                                token_clause("保障"),
                            ]
                        }
                    },
                )
            ]
        }
    }


def test_pinyin_initials_match_as_a_word_or_as_a_pinyin_prefix():
    backend = offline_backend()
    request = body(backend, query("yz"))
    assert text_part(request) == {
        "bool": {
            "must": [
                any_of(
                    token_clause("yz"),
                    {"prefix": {"pinyin_tokens": {"value": "yz", "boost": 6.0}}},
                )
            ]
        }
    }


def test_relaxed_mode_needs_any_one_group():
    backend = offline_backend()
    request = body(backend, query("孩子放学没人管"), Mode.RELAXED)
    assert text_part(request) == {
        "bool": {
            "should": [
                any_of(token_clause("孩子")),
                any_of(token_clause("放学")),
                # A word no synonym set holds also matches the words inside it.
                any_of(token_clause("没人管"), token_clause("没人")),
            ],
            "minimum_should_match": 1,
        }
    }


@pytest.mark.parametrize("mode", [mode for mode in Mode if mode is not Mode.RELAXED])
def test_every_other_mode_requires_all_its_groups(mode):
    catalog_query = query("孩子放学没人管")
    text = text_part(body(offline_backend(), catalog_query, mode))
    assert list(text["bool"]) == ["must"]
    assert len(text["bool"]["must"]) == len(groups_for(catalog_query.analysed, mode))


def leaves(clause: dict) -> list[tuple[str, str, str, float]]:
    """(query type, field, value, boost) of every term and prefix inside ``clause``."""
    if "bool" in clause:
        children = [c for key in ("must", "should") for c in clause["bool"].get(key, [])]
        return [leaf for child in children for leaf in leaves(child)]
    ((kind, condition),) = clause.items()
    ((field, spec),) = condition.items()
    return [(kind, field, spec["value"], spec["boost"])]


def test_homophone_mode_matches_the_sound_against_pinyin_only():
    catalog_query = query("老年正")
    groups = groups_for(catalog_query.analysed, Mode.HOMOPHONE)
    text = text_part(body(offline_backend(), catalog_query, Mode.HOMOPHONE))
    assert len(text["bool"]["must"]) == len(groups)
    found = leaves(text)
    # Only the pinyin field, at its weight, with the sounds the analyser heard.
    assert {(kind, field, boost) for kind, field, _, boost in found} == {
        ("term", "pinyin_tokens", 6.0)
    }
    sounds = {token for group in groups for alt in group.alternatives for token in alt.tokens}
    assert {value for _, _, value, _ in found} == sounds
    assert "laonian" in "".join(sounds)


def test_no_text_lists_every_visible_service_by_name():
    backend = offline_backend()
    request = body(backend, query(""))
    # No scored part: only the visibility filter, sorted by name then id.
    assert request["query"] == {"bool": {"filter": [VISIBLE]}}
    assert request["sort"] == [{"title": {"order": "asc"}}, {"service_id": {"order": "asc"}}]


# -- filters, facets, circles, pages ------------------------------------------------------------


def test_chosen_facets_filter_the_hits_and_count_each_facet_under_the_others():
    backend = offline_backend()
    chosen = {"kind": "government", "topic": "elderly_care"}
    request = body(backend, query("老年证", filters=chosen))
    # The hits: both choices (a post filter, so the aggregations do not see it).
    post = request["post_filter"]["bool"]["must"]
    assert {"terms": {"kind": ["government"]}} in post
    assert {"terms": {"topic": ["elderly_care"]}} in post
    assert len(post) == 2
    aggs = request["aggs"]
    assert set(aggs) == {f"_filter_{facet}" for facet in FACETS}
    for facet in FACETS:
        assert aggs[f"_filter_{facet}"]["aggs"][facet] == {
            "terms": {"field": facet, "size": FACET_SIZE}
        }
    # kind is counted under the chosen topic only, topic under the chosen kind only.
    assert aggs["_filter_kind"]["filter"] == {"terms": {"topic": ["elderly_care"]}}
    assert aggs["_filter_topic"]["filter"] == {"terms": {"kind": ["government"]}}
    # The others under both.
    audience_filter = aggs["_filter_audience"]["filter"]["bool"]["must"]
    assert {"terms": {"kind": ["government"]}} in audience_filter
    assert {"terms": {"topic": ["elderly_care"]}} in audience_filter


def test_no_choice_counts_every_facet_over_all_matches():
    request = body(offline_backend(), query("老年证"))
    assert "post_filter" not in request
    assert request["aggs"]["_filter_center"]["filter"] == {"match_all": {}}


def test_unknown_facet_is_refused_as_by_the_database_backend():
    with pytest.raises(ValueError, match="unknown facet"):
        body(offline_backend(), query("老年证", filters={"colour": "red"}))


def test_circle_keeps_services_with_a_center_inside_and_sorts_by_distance():
    backend = offline_backend()
    circle = Circle(39.125, 117.2398, 15)
    request = body(backend, query("义诊", circle=circle, sort="distance"))
    assert {
        "geo_distance": {"distance": "1200m", "location": {"lat": 39.125, "lon": 117.2398}}
    } in request["query"]["bool"]["filter"]
    assert request["sort"] == [
        {
            "_geo_distance": {
                "location": {"lat": 39.125, "lon": 117.2398},
                "order": "asc",
                "unit": "m",
                "mode": "min",
                "distance_type": "arc",
                "ignore_unmapped": True,
            }
        },
        {"_score": {"order": "desc"}},
        {"service_id": {"order": "asc"}},
    ]
    # The points come back so that distances can be shown.
    assert request["_source"] == ["service_id", "location"]


def test_circle_with_relevance_sort_filters_but_ranks_by_score():
    request = body(offline_backend(), query("义诊", circle=Circle(39.125, 117.2398, 5)))
    assert request["query"]["bool"]["filter"][1]["geo_distance"]["distance"] == "400m"
    assert request["sort"][0] == {"_score": {"order": "desc"}}


def test_pagination_and_exact_totals():
    request = body(offline_backend(), query("老年证", page=3, page_size=20))
    assert (request["from"], request["size"]) == (40, 20)
    assert request["track_total_hits"] is True


def test_page_search():
    backend = offline_backend(INDEX_PREFIX="p")
    search = backend.build_page_search(query("停水"), Mode.STRICT, 5)
    assert search._index == ["p-pages"]
    request = search.to_dict()
    assert request["query"] == {"bool": {"must": [any_of(token_clause("停水"))]}}
    assert request["size"] == 5
    assert request["sort"] == [{"_score": {"order": "desc"}}, {"page_id": {"order": "asc"}}]
    assert backend.build_page_search(query(""), Mode.STRICT, 5) is None


def test_autocomplete_requests():
    backend = offline_backend()
    chinese = backend.build_autocomplete_search("老年", 8).to_dict()
    assert chinese["query"] == {
        "wildcard": {"title": {"value": "*老年*", "case_insensitive": True}}
    }
    assert chinese["size"] == 40  # ranked afterwards: names starting with the prefix first
    escaped = backend.build_autocomplete_search("老*年?", 8).to_dict()
    assert escaped["query"]["wildcard"]["title"]["value"] == "*老\\*年\\?*"
    latin = backend.build_autocomplete_search("YZ", 8).to_dict()
    assert latin["query"] == {"prefix": {"pinyin_tokens": {"value": "yz", "boost": 6.0}}}
    assert latin["size"] == 8
    assert backend.build_autocomplete_search(" ,. ", 8) is None


# -- the network --------------------------------------------------------------------------------


def test_nothing_connects_until_a_request_is_executed():
    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was opened")

    with (
        mock.patch.object(socket.socket, "connect", refuse),
        mock.patch.object(socket, "create_connection", refuse),
    ):
        backend = offline_backend(URLS=["http://elastic:secret@127.0.0.1:9"])
        circle = Circle(39.125, 117.2398, 15)
        catalog_query = query("修水管", filters={"kind": "government"}, circle=circle)
        for mode in Mode:
            body(backend, catalog_query, mode, open_ids=["x"])
            backend.build_open_candidates_search(catalog_query, mode).to_dict()
            backend.build_page_search(catalog_query, mode, 5).to_dict()
        backend.build_autocomplete_search("老年", 5).to_dict()
        backend.client  # noqa: B018 — creating the client sends nothing either
        service_mapping()

    with pytest.raises(ElasticsearchUnavailable) as raised:
        backend.search_services(query("老年证"), Mode.STRICT)
    message = str(raised.value)
    assert message.startswith("无法连接 Elasticsearch（http://127.0.0.1:9）")
    assert "secret" not in message  # credentials in the URL are not shown


@pytest.mark.parametrize(
    "call",
    [
        lambda backend: backend.document_count(),
        lambda backend: backend.clear(),
        lambda backend: backend.autocomplete("yz", 5),
        lambda backend: backend.search_pages(query("停水"), Mode.STRICT, 5),
    ],
)
def test_every_request_reports_an_unreachable_cluster_in_chinese(call):
    with pytest.raises(ElasticsearchUnavailable, match="无法连接 Elasticsearch"):
        call(offline_backend())


# -- reading answers (a stand-in client) ----------------------------------------------------------


class PlaybackClient:
    """Answers ``search`` with the given bodies in turn and keeps the requests."""

    def __init__(self, *answers: dict):
        self.answers = list(answers)
        self.requests: list[dict] = []

    def search(self, index, body, **params):
        self.requests.append({"index": index, "body": body})
        return SimpleNamespace(body=self.answers.pop(0))


@contextlib.contextmanager
def playback(backend: SearchBackend, *answers: dict) -> Iterator[PlaybackClient]:
    """``backend`` talks to a :class:`PlaybackClient` inside the block (connections are
    process-wide: the stand-in is removed afterwards)."""
    client = PlaybackClient(*answers)
    connections.add_connection(backend.alias, client)
    try:
        yield client
    finally:
        connections.remove_connection(backend.alias)


def answer(hits: list[dict], total: int | None = None, buckets: dict | None = None) -> dict:
    aggregations = {
        f"_filter_{facet}": {
            "doc_count": 0,
            facet: {
                "buckets": [
                    {"key": k, "doc_count": n} for k, n in (buckets or {}).get(facet, {}).items()
                ]
            },
        }
        for facet in FACETS
    }
    return {
        "took": 1,
        "timed_out": False,
        "hits": {
            "total": {"value": len(hits) if total is None else total, "relation": "eq"},
            "hits": hits,
        },
        "aggregations": aggregations,
    }


def search_answer(hits: list[dict]) -> dict:
    return {"hits": {"total": {"value": len(hits), "relation": "eq"}, "hits": hits}}


def test_results_hits_total_facets_and_distances():
    backend = offline_backend()
    circle = Circle(39.125, 117.2398, 15)
    near, far = (39.126, 117.2398), (39.13, 117.25)
    points = [{"lat": far[0], "lon": far[1]}, {"lat": near[0], "lon": near[1]}]
    reply = answer(
        [
            {"_id": "a", "_score": 3.5, "_source": {"service_id": "a", "location": points}},
            {"_id": "b", "_score": None, "_source": {"service_id": "b"}, "sort": [700.4, 1.0, "b"]},
        ],
        total=12,
        buckets={"kind": {"government": 9, "market": 3}, "center": {"HHD-CH": 12}},
    )
    with playback(backend, reply) as client:
        results = backend.search_services(
            query("义诊", circle=circle, sort="distance"), Mode.STRICT
        )
    assert client.requests[0]["index"] == ["jmk-test-services"]
    assert results.total == 12
    assert [hit.service_id for hit in results.hits] == ["a", "b"]
    assert results.hits[0].score == 3.5
    # The nearest center, measured as the database backend measures it.
    assert results.hits[0].distance_m == round(haversine_m(39.125, 117.2398, *near))
    # No points in the answer: the sort value stands in.
    assert results.hits[1].distance_m == 700
    assert results.hits[1].score == 0.0
    assert results.facets["kind"] == {"government": 9, "market": 3}
    assert results.facets["center"] == {"HHD-CH": 12}
    assert results.facets["topic"] == {}


def test_pages_and_autocomplete_answers():
    backend = offline_backend()
    pages = search_answer(
        [
            {"_id": "7", "_score": 2.0, "_source": {"page_id": 7}},
            {"_id": "3", "_score": 1.0, "_source": {"page_id": 3}},
        ]
    )
    names = search_answer(
        [
            {"_id": "x", "_source": {"service_id": "x", "title": "办理老年证"}},
            {"_id": "y", "_source": {"service_id": "y", "title": "老年证办理及年审"}},
            {"_id": "z", "_source": {"service_id": "z", "title": "老年证"}},
        ]
    )
    with playback(backend, pages, names):
        assert backend.search_pages(query("停水"), Mode.STRICT, 5) == [7, 3]
        # Names starting with the prefix first, shorter first, as in the database backend.
        assert backend.autocomplete("老年", 2) == ["z", "y"]


MOMENT = timezone.make_aware(datetime(2025, 6, 11, 10, 0))  # a Wednesday morning


class OpenNowTests(DemoCatalogTestCase):
    """Open now: the matched ids are judged in Python, then the search filters by them."""

    def test_open_now_filters_by_the_services_open_at_the_moment(self):
        government = indexable_services().filter(kind="government")
        ids = [str(pk) for pk in government.values_list("pk", flat=True)]
        expected = sorted(str(pk) for pk in open_service_ids(government, clock_at(MOMENT)))
        self.assertTrue(0 < len(expected) < len(ids), "the moment should tell services apart")

        backend = offline_backend()
        candidates = search_answer([{"_id": pk} for pk in ids])
        page = answer(
            [{"_id": pk, "_score": 1.0, "_source": {"service_id": pk}} for pk in expected[:10]],
            total=len(expected),
        )
        catalog_query = query("", open_now=True, moment=MOMENT, filters={"kind": "government"})
        with playback(backend, candidates, page) as client:
            results = backend.search_services(catalog_query, Mode.STRICT)

        first, second = (request["body"] for request in client.requests)
        # Every match is a candidate, whatever facet is chosen (as in the database backend):
        # the other kinds are still counted, open now.
        self.assertEqual(first["size"], MAX_OPEN_CANDIDATES)
        self.assertIs(first["_source"], False)
        self.assertNotIn("kind", json.dumps(first["query"]))
        # The search itself keeps only the open ones, for the hits and the counts alike.
        restriction = second["query"]["bool"]["filter"][-1]
        self.assertEqual(sorted(restriction["terms"]["service_id"]), expected)
        self.assertEqual(second["post_filter"], {"terms": {"kind": ["government"]}})
        self.assertEqual(results.total, len(expected))

    def test_open_now_at_a_chosen_center_is_judged_there(self):
        location = Location.objects.exclude(external_identifier="").order_by("pk").first()
        catalog_query = query(
            "", open_now=True, moment=MOMENT, filters={"center": location.external_identifier}
        )
        ids = [str(pk) for pk in Service.objects.values_list("pk", flat=True)]
        backend = offline_backend()
        with (
            playback(backend, search_answer([{"_id": pk} for pk in ids])),
            mock.patch("search.opening.open_service_ids", wraps=open_service_ids) as judged,
        ):
            backend.open_ids(catalog_query, Mode.STRICT)
        services, clock, where = judged.call_args.args
        self.assertEqual(clock.moment, MOMENT)
        self.assertEqual(where, location.pk)
        # Only services residents may see are judged.
        self.assertEqual(
            set(services.values_list("pk", flat=True)),
            set(indexable_services().values_list("pk", flat=True)),
        )


def test_the_page_alone_is_ranked_as_the_faceted_page_without_counting():
    # Related services and the demand list's preview show a page, no total, no facets.
    backend = offline_backend()
    chosen = {"kind": "government"}
    catalog_query = query("老年 证", filters=chosen, page=2, page_size=5)
    faceted = body(backend, catalog_query, Mode.RELAXED)
    alone = backend.build_service_page_search(catalog_query, Mode.RELAXED).to_dict()
    assert "aggs" not in alone and "post_filter" not in alone
    assert alone["track_total_hits"] is False
    # The same scored text and order, the chosen facet as a filter beside the others.
    assert text_part(alone) == text_part(faceted)
    assert alone["sort"] == faceted["sort"]
    assert alone["query"]["bool"]["filter"] == [VISIBLE, {"terms": {"kind": ["government"]}}]
    assert (alone["from"], alone["size"]) == (5, 5)


def test_the_page_alone_reads_its_hits_from_the_answer():
    backend = offline_backend()
    reply = search_answer(
        [
            {"_id": "a", "_score": 2.0, "_source": {"service_id": "a"}},
            {"_id": "b", "_score": 1.5, "_source": {"service_id": "b"}},
        ]
    )
    with playback(backend, reply) as client:
        hits = backend.search_service_page(query("老年证"), Mode.RELAXED)
    assert [(hit.service_id, hit.score) for hit in hits] == [("a", 2.0), ("b", 1.5)]
    assert "aggs" not in client.requests[0]["body"]
