"""Running the search on an Elasticsearch cluster: index settings from the environment,
indexes behind aliases, a rebuild that residents do not notice, and the settings checks.

There is no cluster here: the requests go over HTTP to a small stand-in on this machine
that keeps indexes, aliases and documents as Elasticsearch does for these calls (create,
get, exists, delete, _aliases with add and remove_index, _bulk, _refresh, _count), and
records them. The same swap against a real cluster is in test_elasticsearch_live.py.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import subprocess
import sys
import threading
from io import StringIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.core.management import call_command
from django.test import TestCase, override_settings

from catalog.models import Organization, Service
from search.backends import get_search_backend
from search.backends.elasticsearch import (
    ElasticsearchUnavailable,
    SearchBackend,
    index_for,
    swap_actions,
)
from search.checks import elasticsearch_settings
from tests.test_settings import clean_env

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Cluster:
    """What the stand-in keeps: index name → {id: source}, alias → index names."""

    def __init__(self):
        self.indexes: dict[str, dict[str, dict]] = {}
        self.settings: dict[str, dict] = {}
        self.aliases: dict[str, set[str]] = {}
        self.requests: list[tuple[str, str, object]] = []
        self.lock = threading.Lock()

    def resolve(self, name: str) -> list[str]:
        if name in self.aliases:
            return sorted(self.aliases[name])
        return [name] if name in self.indexes else []

    def alias_of(self, alias: str) -> list[str]:
        return sorted(self.aliases.get(alias, ()))


def not_found(name: str) -> tuple[int, dict]:
    return 404, {"error": {"type": "index_not_found_exception", "index": name}, "status": 404}


class Handler(http.server.BaseHTTPRequestHandler):
    cluster: Cluster

    def log_message(self, *args):
        pass

    def answer(self, status: int, body: dict | None = None):
        data = json.dumps(body or {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(data) if self.command != "HEAD" else 0))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def handle_any(self):
        path = unquote(urlsplit(self.path).path).strip("/")
        raw = self.body()
        parts = path.split("/")
        cluster = self.cluster
        with cluster.lock:
            payload = raw.decode() if parts[-1] == "_bulk" else json.loads(raw or b"null")
            cluster.requests.append((self.command, path, payload))
            status, answer = self.route(cluster, parts, payload)
        self.answer(status, answer)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any

    def route(self, cluster: Cluster, parts: list[str], payload) -> tuple[int, dict]:
        method, first = self.command, parts[0]
        if first == "_aliases":
            return self.update_aliases(cluster, payload["actions"])
        if parts[-1] == "_bulk":
            return self.bulk(cluster, payload)
        names = first.split(",")
        if len(parts) == 2 and parts[1] == "_refresh":
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if len(parts) == 2 and parts[1] == "_count":
            found = cluster.resolve(first)
            if not found:
                return not_found(first)
            return 200, {"count": sum(len(cluster.indexes[n]) for n in found)}
        if method == "PUT":
            if first in cluster.indexes or first in cluster.aliases:
                return 400, {"error": {"type": "resource_already_exists_exception"}, "status": 400}
            cluster.indexes[first] = {}
            cluster.settings[first] = payload or {}
            return 200, {"acknowledged": True, "index": first}
        if method == "DELETE":
            for name in names:
                if name in cluster.aliases:
                    return 400, {"error": {"type": "illegal_argument_exception"}, "status": 400}
                if name not in cluster.indexes:
                    return not_found(name)
            for name in names:
                cluster.indexes.pop(name)
                for members in cluster.aliases.values():
                    members.discard(name)
            return 200, {"acknowledged": True}
        found = cluster.resolve(first)
        if not found:
            return not_found(first)
        if method == "HEAD":
            return 200, {}
        return 200, {name: {"aliases": {}, **cluster.settings[name]} for name in found}

    def update_aliases(self, cluster: Cluster, actions: list[dict]) -> tuple[int, dict]:
        # Atomic: checked first, then applied together.
        for action in actions:
            ((kind, spec),) = action.items()
            if spec["index"] not in cluster.indexes:
                return not_found(spec["index"])
        for action in actions:
            ((kind, spec),) = action.items()
            if kind == "remove_index":
                cluster.indexes.pop(spec["index"])
                for members in cluster.aliases.values():
                    members.discard(spec["index"])
        for action in actions:
            ((kind, spec),) = action.items()
            if kind == "add":
                cluster.aliases.setdefault(spec["alias"], set()).add(spec["index"])
        return 200, {"acknowledged": True}

    def bulk(self, cluster: Cluster, payload: str) -> tuple[int, dict]:
        lines = [json.loads(line) for line in payload.splitlines() if line.strip()]
        items = []
        while lines:
            ((kind, meta),) = lines.pop(0).items()
            targets = cluster.resolve(meta["_index"])
            if len(targets) != 1:
                return 400, {"error": {"type": "illegal_argument_exception"}, "status": 400}
            documents = cluster.indexes[targets[0]]
            if kind == "index":
                documents[meta["_id"]] = lines.pop(0)
                status = 201
            else:
                status = 200 if documents.pop(meta["_id"], None) is not None else 404
            items.append({kind: {"_index": targets[0], "_id": meta["_id"], "status": status}})
        return 200, {"took": 1, "errors": False, "items": items}


@contextlib.contextmanager
def stand_in_cluster():
    cluster = Cluster()
    handler = type("BoundHandler", (Handler,), {"cluster": cluster})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield cluster, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def search_settings(url: str, **params) -> dict:
    return {
        "BACKEND": "search.backends.elasticsearch",
        "URLS": [url],
        "INDEX_PREFIX": "haihedong",
        "MAX_RETRIES": 0,
        **params,
    }


# -- index settings ------------------------------------------------------------------------------


def test_the_index_body_carries_shards_and_replicas():
    body = index_for("service", "haihedong", replicas=1, shards=2).to_dict()
    assert body["settings"]["number_of_shards"] == 2
    assert body["settings"]["number_of_replicas"] == 1
    assert body["settings"]["analysis"]["analyzer"]["jiamenkou_tokens"]["tokenizer"] == "whitespace"
    assert body["mappings"]["properties"]["name_tokens"]["analyzer"] == "jiamenkou_tokens"


def test_prefix_replicas_and_shards_come_from_the_environment():
    code = (
        "import sys; sys.path.insert(0, 'site'); import django; django.setup();"
        "from django.conf import settings as s; from search.backends import get_search_backend;"
        "b = get_search_backend(); w = s.WAGTAILSEARCH_BACKENDS['default'];"
        "print(b.alias_name('service'), b.replicas, b.shards);"
        "print(w['INDEX_PREFIX'], w['ATOMIC_REBUILD'], w['INDEX_SETTINGS']['settings']['index'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=clean_env(
            DJANGO_SETTINGS_MODULE="jiamenkou.settings.dev",
            ELASTICSEARCH_URL="http://search.example:9200",
            ELASTICSEARCH_INDEX="haihedong",
            ELASTICSEARCH_REPLICAS="1",
            ELASTICSEARCH_SHARDS="2",
        ),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    ours, wagtails = result.stdout.splitlines()
    assert ours == "haihedong-services 1 2"
    # Wagtail's admin search: its own names on the cluster, rebuilt by alias swap too.
    assert wagtails == ("haihedong-wagtail- True {'number_of_replicas': 1, 'number_of_shards': 2}")


# -- aliases ---------------------------------------------------------------------------------------


def test_a_swap_adds_the_alias_and_deletes_the_old_indexes_in_one_request():
    assert swap_actions("hd-services", "hd-services-2", ["hd-services-1"]) == [
        {"add": {"index": "hd-services-2", "alias": "hd-services"}},
        {"remove_index": {"index": "hd-services-1"}},
    ]
    # An index from before aliases, named like the alias itself, is replaced by it.
    assert swap_actions("hd-services", "hd-services-2", ["hd-services"])[1] == {
        "remove_index": {"index": "hd-services"}
    }
    assert swap_actions("hd-services", "hd-services-2", []) == [
        {"add": {"index": "hd-services-2", "alias": "hd-services"}}
    ]


class AliasRebuildTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        provider = Organization.objects.create(name="海河东区民政局")
        cls.services = [
            Service.objects.create(name=name, description="服务说明", organization=provider)
            for name in ("老年证办理", "爱心义剪", "社区义诊")
        ]

    def setUp(self):
        self.cluster, url = self.enterContext(stand_in_cluster())
        self.enterContext(override_settings(JIAMENKOU_SEARCH=search_settings(url, REPLICAS=1)))
        self.backend = get_search_backend()

    def current(self, source="services") -> list[str]:
        return self.cluster.alias_of(f"haihedong-{source}")

    def test_the_first_write_creates_an_index_behind_the_alias(self):
        self.backend.index_services([self.services[0].pk])
        self.assertEqual(self.current(), ["haihedong-services-initial"])
        settings = self.cluster.settings["haihedong-services-initial"]["settings"]
        self.assertEqual(settings["number_of_replicas"], 1)
        self.assertEqual(self.backend.document_count(), 1)

    def test_searches_use_the_old_index_until_the_new_one_is_complete(self):
        self.backend.index_services([self.services[0].pk])
        (old,) = self.current()
        # Another process (a web worker) keeps counting through the alias meanwhile.
        elsewhere = SearchBackend(search_settings(self.backend.urls[0], REPLICAS=1))
        with self.backend.rebuilding() as new:
            self.backend.index_services([service.pk for service in self.services])
            self.assertEqual(elsewhere.document_count(), 1)
            self.assertEqual(self.current(), [old])
        self.assertEqual(self.current(), [new["service"]])
        self.assertEqual(elsewhere.document_count(), 3)
        self.assertNotIn(old, self.cluster.indexes)  # deleted with the swap
        (swap,) = [
            payload for method, path, payload in self.cluster.requests if path == "_aliases"
        ][-1:]
        self.assertIn({"remove_index": {"index": old}}, swap["actions"])
        self.assertIn(
            {"add": {"index": new["service"], "alias": "haihedong-services"}}, swap["actions"]
        )
        # All three sources swapped in the same atomic request.
        self.assertEqual(len([a for a in swap["actions"] if "add" in a]), 3)

    def test_a_failed_rebuild_leaves_the_current_index_and_deletes_the_new_one(self):
        self.backend.index_services([self.services[0].pk])
        before = self.current()
        with self.assertRaises(RuntimeError), self.backend.rebuilding() as new:
            self.backend.index_services([self.services[1].pk])
            raise RuntimeError("the database went away mid-rebuild")
        self.assertEqual(self.current(), before)
        self.assertFalse(set(new.values()) & set(self.cluster.indexes))
        self.assertEqual(self.backend.document_count(), 1)

    def test_an_index_from_before_aliases_is_replaced_by_the_alias(self):
        # What earlier versions created: concrete indexes under the names searches use.
        for source in ("services", "activities", "pages"):
            self.cluster.indexes[f"haihedong-{source}"] = {"old": {"title": "旧"}}
            self.cluster.settings[f"haihedong-{source}"] = {}
        call_command("rebuild_search_index", "--no-progress", stdout=StringIO())
        self.assertNotIn("haihedong-services", self.cluster.indexes)
        (current,) = self.current()
        self.assertRegex(current, r"^haihedong-services-\d{20}$")
        self.assertEqual(self.backend.document_count(), 3)

    def test_the_rebuild_command_swaps_and_reports(self):
        self.backend.index_services([self.services[0].pk])
        out = StringIO()
        call_command("rebuild_search_index", "--no-progress", stdout=out)
        self.assertIn("搜索索引已重建（elasticsearch）：3 项服务", out.getvalue())
        self.assertRegex(self.current()[0], r"^haihedong-services-\d{20}$")
        self.assertEqual(len(self.cluster.indexes), 3)  # services, activities, pages

    def test_an_unreachable_cluster_fails_the_rebuild_in_chinese(self):
        backend = SearchBackend(search_settings("http://127.0.0.1:9"))
        with (
            self.assertRaisesMessage(ElasticsearchUnavailable, "无法连接 Elasticsearch"),
            backend.rebuilding(),
        ):
            pass


class OutageTests(TestCase):
    """An edit saved while the cluster is unreachable stands; its index update, lost
    then, is made by the catch-up timer once the cluster answers again."""

    def test_a_service_saved_during_an_outage_is_indexed_by_the_catch_up(self):
        provider = Organization.objects.create(name="海河东区民政局")
        down = search_settings("http://127.0.0.1:9")  # nothing listens: refused at once
        with (
            override_settings(JIAMENKOU_SEARCH=down),
            self.assertLogs("search.signals", "ERROR"),
            self.captureOnCommitCallbacks(execute=True),
        ):
            service = Service.objects.create(name="助浴服务", organization=provider)
        self.assertTrue(Service.objects.filter(pk=service.pk).exists())

        cluster, url = self.enterContext(stand_in_cluster())
        with override_settings(JIAMENKOU_SEARCH=search_settings(url)):
            out = StringIO()
            call_command("catch_up_search_index", "--hours", "1", stdout=out)
            self.assertIn("1 项服务", out.getvalue())
            (index,) = cluster.alias_of("haihedong-services")
            self.assertEqual(cluster.indexes[index][str(service.pk)]["title"], "助浴服务")


# -- settings checks -------------------------------------------------------------------------------


def check_ids() -> list[str]:
    return [message.id for message in elasticsearch_settings()]


PRODUCTION_SEARCH = {
    "BACKEND": "search.backends.elasticsearch",
    "URLS": ["http://search.example:9200"],
    "INDEX_PREFIX": "jiamenkou-haihedong",
    "REPLICAS": 1,
}
WAGTAIL_SEARCH = {
    "default": {
        "BACKEND": "wagtail.search.backends.elasticsearch8",
        "URLS": ["http://search.example:9200"],
        "INDEX_PREFIX": "jiamenkou-haihedong-wagtail-",
    }
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"REPLICAS": 0}, ["search.W001"]),
        ({"INDEX_PREFIX": "jiamenkou"}, ["search.W002"]),
        ({"INDEX_PREFIX": "Haihedong"}, ["search.E001"]),
        ({"SHARDS": 0}, ["search.E002"]),
    ],
)
def test_production_settings_checks(changes, expected):
    with override_settings(
        DJANGO_ENV="production",
        JIAMENKOU_SEARCH={**PRODUCTION_SEARCH, **changes},
        WAGTAILSEARCH_BACKENDS=WAGTAIL_SEARCH,
    ):
        assert check_ids() == expected


def test_wagtails_admin_search_without_a_prefix_is_flagged_in_production():
    unprefixed = {"default": {**WAGTAIL_SEARCH["default"], "INDEX_PREFIX": ""}}
    with override_settings(
        DJANGO_ENV="production",
        JIAMENKOU_SEARCH=PRODUCTION_SEARCH,
        WAGTAILSEARCH_BACKENDS=unprefixed,
    ):
        assert check_ids() == ["search.W003"]


def test_development_and_the_database_backend_are_not_warned():
    with override_settings(
        DJANGO_ENV="development", JIAMENKOU_SEARCH={**PRODUCTION_SEARCH, "REPLICAS": 0}
    ):
        assert check_ids() == []
    with override_settings(
        DJANGO_ENV="production", JIAMENKOU_SEARCH={"BACKEND": "search.backends.database"}
    ):
        assert check_ids() == []


def test_manage_py_check_reports_the_warnings_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_ROOT,
        env=clean_env(
            DJANGO_ENV="production",
            SECRET_KEY="x" * 60,
            ELASTICSEARCH_URL="http://search.example:9200",
            ELASTICSEARCH_INDEX="",
            ELASTICSEARCH_REPLICAS="0",
        ),
        capture_output=True,
        text=True,
    )
    assert "search.W001" in result.stdout + result.stderr
    assert "search.W002" in result.stdout + result.stderr
