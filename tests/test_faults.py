"""The site when a service it depends on goes away: /health/ says which; a database that
cannot be reached gives a 503 in Chinese (JSON under /api/) and the site recovers on the
next request; Redis down costs only speed; Elasticsearch down leaves residents a polite
page and editors able to save.

Outages are made at the boundary with the outside, never by replacing our own code:

- Redis and Elasticsearch: clients pointed at a closed port of this machine (connecting is
  refused at once), as when the server has stopped; with REDIS_URL, also a TCP forwarder
  to the real Redis that is stopped and started again; an HTTP server on this machine
  that answers Elasticsearch's cluster health as a yellow or red cluster would.
- The database: the driver's own OperationalError (psycopg's or sqlite3's) raised where
  the cursor would send a statement, through Django's error wrapping, as when the server
  has gone or the connection was cut (Django then marks the connection as failed, as for
  a real error). Each test runs in a transaction that must still roll back, so the
  statements of its savepoints are let through. On PostgreSQL a further test cuts the
  real connection (pg_terminate_backend), then makes the server refuse connections to
  the database (ALLOW_CONNECTIONS false) and allow them again, serving requests through
  Django's WSGI handler, which opens and closes connections as in production.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import socket
import threading
import wsgiref.util
from unittest import skipUnless
from urllib.parse import urlsplit

import psycopg
import psycopg.sql
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, transaction
from django.test import Client, TestCase, TransactionTestCase, override_settings

from catalog.models import Organization, Service
from jiamenkou.cache import ResilientRedisCache, forget_outages
from tests.district.builders import (
    build_center,
    build_home,
    build_notice,
    build_notice_index,
    build_street,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def closed_port() -> int:
    """A port of this machine nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


#: Redis that has stopped, behind the site's resilient cache.
REDIS_DOWN = {
    "default": {
        "BACKEND": "jiamenkou.cache.ResilientRedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        "KEY_PREFIX": "jiamenkou",
    }
}
#: An Elasticsearch cluster that has stopped (no retries: the refusal is final).
ELASTICSEARCH_DOWN = {
    "BACKEND": "search.backends.elasticsearch",
    "URLS": [f"http://127.0.0.1:{closed_port()}"],
    "MAX_RETRIES": 0,
}


@contextlib.contextmanager
def elasticsearch_answering(cluster_status: str):
    """An HTTP server on this machine answering Elasticsearch's cluster health request
    as a cluster in ``cluster_status`` would; yields the search settings for it."""

    class ClusterHealth(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            found = self.path.startswith("/_cluster/health")
            body = json.dumps({"cluster_name": "test", "status": cluster_status}).encode()
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ClusterHealth)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield {**ELASTICSEARCH_DOWN, "URLS": [f"http://127.0.0.1:{server.server_port}"]}
    finally:
        server.shutdown()
        server.server_close()


#: Statements of the test's own transaction, which must still roll back at its end.
SAVEPOINT_STATEMENT = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b")


@contextlib.contextmanager
def database_gone():
    """Every statement the site sends fails as when the database server has gone."""

    def server_gone(execute, sql, params, many, context):
        if SAVEPOINT_STATEMENT.match(sql):
            return execute(sql, params, many, context)
        # Raised by the driver's class, through Django's wrapping, as a real failure is.
        with connection.wrap_database_errors:
            raise connection.Database.OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(server_gone):
        yield


def health(client):
    response = client.get("/health/")
    return response.status_code, response.json()


class FaultsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = build_home()
        street = build_street(cls.home)
        cls.center = build_center(street, code="HHD-T-01", title="海棠苑社区党群服务中心")

    def setUp(self):
        forget_outages()
        self.addCleanup(forget_outages)


class HealthTests(FaultsTestCase):
    def test_all_up_is_200_with_each_check_and_its_time(self):
        status, body = health(self.client)
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "ok")
        self.assertEqual(set(body["checks"]), {"database", "cache", "search"})
        for name, check in body["checks"].items():
            self.assertIs(check["ok"], True, name)
            self.assertIsInstance(check["ms"], float)
        self.assertEqual(body["checks"]["search"]["backend"], "database")

    def test_never_cached_and_needs_no_login(self):
        response = self.client.get("/health/")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertNotIn("sessionid", response.cookies)

    def test_cache_down_is_503_naming_the_cache(self):
        with override_settings(CACHES=REDIS_DOWN):
            status, body = health(self.client)
        self.assertEqual(status, 503)
        self.assertEqual(body["status"], "down")
        self.assertIs(body["checks"]["cache"]["ok"], False)
        self.assertEqual(body["checks"]["cache"]["error"], "ConnectionError")
        self.assertIs(body["checks"]["database"]["ok"], True)
        self.assertIs(body["checks"]["search"]["ok"], True)

    def test_database_down_is_503_naming_the_database_and_its_search_table(self):
        with database_gone():
            status, body = health(self.client)
        self.assertEqual(status, 503)
        self.assertIs(body["checks"]["database"]["ok"], False)
        self.assertEqual(body["checks"]["database"]["error"], "OperationalError")
        self.assertIs(body["checks"]["search"]["ok"], False)  # the search table is in it
        self.assertIs(body["checks"]["cache"]["ok"], True)
        # Back up: the next check passes.
        self.assertEqual(health(self.client)[0], 200)

    def test_elasticsearch_up_is_asked_for_its_cluster_health(self):
        with (
            elasticsearch_answering("yellow") as search,  # a replica unassigned: still up
            self.settings(JIAMENKOU_SEARCH=search),
        ):
            status, body = health(self.client)
        self.assertEqual(status, 200)
        self.assertEqual(
            {key: body["checks"]["search"][key] for key in ("ok", "backend", "cluster")},
            {"ok": True, "backend": "elasticsearch", "cluster": "yellow"},
        )

    def test_a_red_elasticsearch_cluster_is_down(self):
        with elasticsearch_answering("red") as search, self.settings(JIAMENKOU_SEARCH=search):
            status, body = health(self.client)
        self.assertEqual(status, 503)
        self.assertEqual(body["checks"]["search"]["error"], "CheckFailed")

    def test_elasticsearch_down_is_503_naming_search(self):
        with self.settings(JIAMENKOU_SEARCH=ELASTICSEARCH_DOWN):
            status, body = health(self.client)
        self.assertEqual(status, 503)
        self.assertIs(body["checks"]["search"]["ok"], False)
        self.assertEqual(body["checks"]["search"]["error"], "ConnectionError")
        self.assertIs(body["checks"]["database"]["ok"], True)


class DatabaseDownTests(FaultsTestCase):
    def assert_apology_page(self, response):
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "30")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertTrue(response["Content-Type"].startswith("text/html"))
        page = response.content.decode()
        self.assertIn("<h1>服务暂时不可用</h1>", page)
        self.assertIn("请过几分钟再刷新本页", page)
        self.assertNotIn("Traceback", page)
        self.assertNotIn("OperationalError", page)

    def assert_api_apology(self, response):
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "30")
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(set(response.json()), {"detail"})
        self.assertRegex(response.json()["detail"], CHINESE)

    def test_a_page_gets_the_chinese_503_page_and_recovers_on_the_next_request(self):
        center_url = self.center.url
        with database_gone(), self.assertLogs("jiamenkou.faults", "ERROR") as logs:
            self.assert_apology_page(self.client.get(center_url))
            self.assert_apology_page(self.client.get("/"))
        self.assertIn("Database unavailable", logs.output[0])
        self.assertContains(self.client.get(center_url), "海棠苑社区党群服务中心")
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_an_editor_in_the_admin_gets_the_same_page(self):
        editor = self._create_editor()
        self.client.force_login(editor)
        with database_gone(), self.assertLogs("jiamenkou.faults", "ERROR"):
            self.assert_apology_page(self.client.get("/admin/"))
        self.assertEqual(self.client.get("/admin/").status_code, 200)  # still logged in

    def test_the_json_api_answers_503_in_its_error_shape(self):
        with database_gone(), self.assertLogs("jiamenkou.faults", "ERROR"):
            self.assert_api_apology(self.client.get("/api/services/"))
            self.assert_api_apology(self.client.get("/api/v2/pages/"))
        self.assertEqual(self.client.get("/api/services/").status_code, 200)
        self.assertEqual(self.client.get("/api/v2/pages/").status_code, 200)

    def test_a_failure_in_a_middleware_below_is_caught_too(self):
        # /api/'s catch-all answers 404 without the database; Wagtail's redirect
        # middleware then looks the path up in it. (Django turns a middleware's exception
        # into a response before ours sees it; the test client would raise it again.)
        client = Client(raise_request_exception=False)
        with database_gone(), self.assertLogs("jiamenkou.faults", "ERROR"):
            self.assert_api_apology(client.get("/api/no-such-thing"))
        self.assertEqual(client.get("/api/no-such-thing").status_code, 404)

    @staticmethod
    def _create_editor():
        from django.contrib.auth import get_user_model

        return get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")


@skipUnless(connection.vendor == "postgresql", "stops a PostgreSQL database taking connections")
class DatabaseServerTests(TransactionTestCase):
    """The real server goes away and comes back; requests are served through Django's
    WSGI handler, which opens and closes connections as in production."""

    def setUp(self):
        self.home = build_home()
        self.handler = WSGIHandler()

    def serve(self, path: str) -> tuple[str, bytes]:
        environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "HTTP_HOST": "localhost"}
        wsgiref.util.setup_testing_defaults(environ)
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"] = status

        response = self.handler(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()  # request_finished: Django drops a failed connection here
        return answer["status"], body

    def as_administrator(self, sql: str, params=()):
        """``sql`` run on another connection, to the server's maintenance database."""
        settings = connection.settings_dict
        with psycopg.connect(
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            user=settings["USER"] or None,
            password=settings["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        ) as other:
            other.execute(sql, params)

    def allow_connections(self, allowed: bool):
        name = psycopg.sql.Identifier(connection.settings_dict["NAME"])
        self.as_administrator(
            psycopg.sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
                name, psycopg.sql.Literal(allowed)
            )
        )

    def cut_the_sites_connection(self):
        connection.ensure_connection()  # the connection the next request will find
        pid = connection.connection.info.backend_pid
        self.as_administrator("SELECT pg_terminate_backend(%s)", [pid])

    def test_a_cut_connection_is_replaced_before_the_request_uses_it(self):
        self.assertTrue(self.serve("/")[0].startswith("200"))
        self.cut_the_sites_connection()  # a restart, a fail-over, an idle timeout
        # CONN_HEALTH_CHECKS: Django finds the connection dead and opens another.
        self.assertTrue(self.serve("/")[0].startswith("200"))

    def test_503_while_the_database_refuses_connections_then_recovery(self):
        self.assertTrue(self.serve("/")[0].startswith("200"))
        self.addCleanup(self.allow_connections, True)
        self.allow_connections(False)
        self.cut_the_sites_connection()
        with self.assertLogs("jiamenkou.faults", "ERROR"):
            for _request in range(2):
                status, body = self.serve("/")
                self.assertTrue(status.startswith("503"), status)
                self.assertIn("服务暂时不可用", body.decode())
        self.allow_connections(True)
        self.assertTrue(self.serve("/")[0].startswith("200"))


@override_settings(CACHES=REDIS_DOWN)
class RedisDownTests(FaultsTestCase):
    def test_pages_render_without_the_cache(self):
        with self.assertLogs("jiamenkou.cache", "WARNING") as logs:
            self.assertEqual(self.client.get("/").status_code, 200)
            self.assertContains(self.client.get(self.center.url), "海棠苑社区党群服务中心")
        # Logged once per outage, not once per cache call.
        self.assertEqual(len(logs.output), 1)

    def test_reads_miss_and_writes_do_nothing(self):
        cache = caches["default"]
        self.assertIsInstance(cache, ResilientRedisCache)
        with self.assertLogs("jiamenkou.cache", "WARNING"):
            cache.set("key", "value")
            self.assertIsNone(cache.get("key"))
            self.assertEqual(cache.get("key", "default"), "default")
            self.assertIs(cache.add("key", "value"), False)
            self.assertEqual(cache.get_many(["key"]), {})
            self.assertEqual(cache.set_many({"key": "value"}), ["key"])
            # A counter behaves as a missing key: the sign-up throttle counts nothing.
            with self.assertRaises(ValueError):
                cache.incr("key")

    def test_a_resident_can_sign_up_for_nothing_less_than_usual(self):
        from activities.registration.throttle import check_sign_up_rate

        with self.assertLogs("jiamenkou.cache", "WARNING"):
            for _attempt in range(10):  # over the limit of 5 an hour: fails open
                check_sign_up_rate("13800138000", "127.0.0.1")

    def test_no_text_message_is_sent_without_its_limit(self):
        # Text messages cost money: the points look-up's SMS limit fails closed.
        from honors.lookup import SMS_UNAVAILABLE, TooManyCodes, check_sms_rate

        with (
            self.assertLogs("jiamenkou.cache", "WARNING"),
            self.assertRaisesMessage(TooManyCodes, SMS_UNAVAILABLE),
        ):
            check_sms_rate("13800138000")


class Forwarder:
    """A TCP port of this machine that forwards to ``target`` while started: stopping it
    closes the port and every connection through it, as when a server goes away."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = closed_port()
        self.sockets: list[socket.socket] = []
        self.running = False

    def start(self):
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.05)
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self):
        self.running = False
        for sock in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets.clear()

    def _accept(self):
        while self.running:
            try:
                client, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)


@skipUnless(os.environ.get("REDIS_URL"), "REDIS_URL is not set: needs a real Redis")
class RedisBackTests(FaultsTestCase):
    """Redis that comes back after writes to it failed may hold stale entries (a page
    published meanwhile, a session ended): the first call that reaches it empties it."""

    def test_entries_written_before_an_outage_are_gone_after_it(self):
        url = urlsplit(os.environ["REDIS_URL"])
        forwarder = Forwarder((url.hostname, url.port or 6379))
        forwarder.start()
        self.addCleanup(forwarder.stop)
        params = {"KEY_PREFIX": "jiamenkou-test-faults"}
        site = ResilientRedisCache(f"redis://127.0.0.1:{forwarder.port}{url.path}", params)
        direct = ResilientRedisCache(os.environ["REDIS_URL"], params)
        site.set("page", "before the outage")
        self.assertEqual(direct.get("page"), "before the outage")

        forwarder.stop()
        with self.assertLogs("jiamenkou.cache", "WARNING"):
            site.delete("page")  # the invalidation of a page edited meanwhile: lost
            self.assertIsNone(site.get("page"))
        self.assertEqual(direct.get("page"), "before the outage")  # stale in Redis

        forwarder.start()
        # The load balancer's next health check reaches Redis first (it ignores the
        # pause after an error that other calls observe).
        with self.assertLogs("jiamenkou.cache", "WARNING") as logs:
            site.probe("health:test", "up")
        self.assertIn("emptied it, 1 writes having failed", logs.output[0])
        self.assertIsNone(direct.get("page"))
        site.set("page", "after the outage")
        self.assertEqual(site.get("page"), "after the outage")
        direct.clear()


class ElasticsearchDownTests(FaultsTestCase):
    def test_residents_get_the_polite_search_page(self):
        with (
            self.settings(JIAMENKOU_SEARCH=ELASTICSEARCH_DOWN),
            self.assertLogs("search.views", "ERROR"),
        ):
            response = self.client.get("/sousuo/", {"q": "老年证"})
        self.assertContains(response, "搜索暂时不可用", status_code=503)
        self.assertNotContains(response, "Traceback", status_code=503)

    def test_the_search_api_answers_503_without_naming_the_cluster(self):
        with (
            self.settings(JIAMENKOU_SEARCH=ELASTICSEARCH_DOWN),
            self.assertLogs("search.api", "ERROR"),
        ):
            response = self.client.get("/api/services/search", {"q": "老年证"})
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["detail"], "搜索暂时不可用，请稍后再试。")
        self.assertNotIn("127.0.0.1", response.content.decode())

    def test_an_editor_can_still_save_a_service(self):
        provider = Organization.objects.create(name="海河东区民政局")
        with (
            self.settings(JIAMENKOU_SEARCH=ELASTICSEARCH_DOWN),
            self.assertLogs("search.signals", "ERROR") as logs,
            self.captureOnCommitCallbacks(execute=True),
            transaction.atomic(),
        ):
            service = Service.objects.create(
                name="爱心义剪", description="每月一次", organization=provider
            )
            service.description = "每月第一个周六"
            service.save()
        self.assertIn("Could not update the search index", logs.output[0])
        service.refresh_from_db()
        self.assertEqual(service.description, "每月第一个周六")

    def test_an_editor_can_still_publish_a_notice(self):
        notice = build_notice(build_notice_index(self.center))
        notice.title = "停水通知"
        wagtail_down = {
            "default": {
                "BACKEND": "wagtail.search.backends.elasticsearch8",
                "URLS": ELASTICSEARCH_DOWN["URLS"],
                "INDEX": "jiamenkou-test-faults",
                "OPTIONS": {"max_retries": 0},
            }
        }
        with (
            self.settings(JIAMENKOU_SEARCH=ELASTICSEARCH_DOWN, WAGTAILSEARCH_BACKENDS=wagtail_down),
            self.assertLogs("search.signals", "ERROR") as logs,
            self.assertLogs("modelsearch.index", "ERROR"),  # Wagtail's own index: the same
            self.captureOnCommitCallbacks(execute=True),
        ):
            notice.save_revision().publish()
        self.assertIn("Could not update the search index", logs.output[0])
        notice.refresh_from_db()
        self.assertEqual((notice.title, notice.live), ("停水通知", True))
