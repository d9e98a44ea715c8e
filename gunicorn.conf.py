"""gunicorn reads this from the project root: ``gunicorn jiamenkou.wsgi``.

Every value can be changed from the environment (deploy/production.env.example) without
editing this file: GUNICORN_BIND, WEB_CONCURRENCY, GUNICORN_TIMEOUT,
GUNICORN_GRACEFUL_TIMEOUT, GUNICORN_MAX_REQUESTS, GUNICORN_PRELOAD. The access log goes
to standard output (the journal under systemd), one line a request, with the address
nginx forwarded.
"""

import gc
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


pythonpath = "site"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# About two synchronous workers per core: each serves one request at a time, and a page
# spends part of its time waiting on PostgreSQL, Redis or Elasticsearch.
workers = _int("WEB_CONCURRENCY", 2)
# A request still running after this many seconds is killed (its worker restarted):
# longer than the slowest legitimate page (an export), shorter than nginx's proxy timeout.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On reload or stop, workers finish the requests they have for this long.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Workers are replaced after this many requests (plus up to 10 % at random, so they do
# not all restart at once): slow memory growth never adds up.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# Load Django once in the master and fork the workers from it: they share the code's
# memory pages (pre_fork below) and a broken release fails at start, not in every
# worker. With preload, `systemctl reload` (HUP) keeps the old code: restart to upgrade.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() not in {"0", "false", "no"}
# nginx on this machine may tell gunicorn which requests came over HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# The client as nginx saw it (X-Forwarded-For), then the socket peer, the request, the
# status, bytes, time in microseconds, referrer and browser.
access_log_format = (
    '%({x-forwarded-for}i)s %(h)s [%(t)s] "%(r)s" %(s)s %(B)s %(D)sus "%(f)s" "%(a)s"'
)


def pre_fork(server, worker):
    """Before each fork, in the master (with preload_app Django is loaded there):

    - close any database connection the master opened, so no worker inherits its socket;
    - load the search's dictionaries (jieba, OpenCC, pypinyin) and, when Django is loaded,
      the synonym sets with their pinyin, once, so that no worker's first search loads them
      and all workers share them;
    - move everything loaded so far into the garbage collector's permanent generation
      (``gc.freeze``): the collector in a worker then never touches, and so never
      copies, the memory pages those objects share with the master.
    """
    from django.apps import apps
    from django.db import connections

    from search.analysis import load_analysers

    load_analysers()
    if apps.ready:  # preload_app (the default); the models cannot be read otherwise
        from search.synonyms import warm_synonyms

        warm_synonyms()
    for connection in connections.all(initialized_only=True):
        connection.close()
    gc.freeze()
