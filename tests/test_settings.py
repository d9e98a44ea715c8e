"""Configuration comes from the environment; production refuses to start without a key."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def clean_env(**overrides) -> dict[str, str]:
    """This process's environment without the settings choice and the key, plus overrides.
    Nor the browser tests' lifting of Django's async guard, which a session-wide fixture
    leaves set for the tests after them (check --deploy rightly refuses it)."""
    dropped = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    keep = {k: v for k, v in os.environ.items() if k not in dropped}
    return {**keep, **overrides}


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
    )


SETUP = (
    "import sys; sys.path.insert(0, 'site'); import django; django.setup();"
    " from django.conf import settings;"
)


def test_production_refuses_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_ROOT,
        env=clean_env(DJANGO_ENV="production"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "必须设置环境变量 SECRET_KEY" in result.stderr


def test_production_starts_with_a_secret_key_and_serves_static_files_with_whitenoise():
    result = run_python(
        SETUP + "print(settings.DEBUG, settings.MIDDLEWARE[1])",
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="jiamenkou.settings.production",
        SECRET_KEY="a-real-secret-from-the-environment",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False whitenoise.middleware.WhiteNoiseMiddleware"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_serves_collected_static_files_through_whitenoise_in_production(tmp_path):
    production = clean_env(
        DJANGO_ENV="production",
        SECRET_KEY="gunicorn-static-check",
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=PROJECT_ROOT,
        env=production,
        capture_output=True,
        text=True,
    )
    assert collect.returncode == 0, collect.stderr
    hashed_css = next((tmp_path / "static" / "css").glob("site.*.css")).name
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "jiamenkou.wsgi"],
        cwd=PROJECT_ROOT,
        env=production,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/static/css/{hashed_css}"
        response = None
        deadline = time.monotonic() + 60  # a loaded machine boots the worker slowly
        while response is None and time.monotonic() < deadline:
            try:
                response = urllib.request.urlopen(url, timeout=5)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        assert response is not None, "gunicorn did not answer"
        assert response.status == 200
        assert "elderly-mode" in response.read().decode()
        assert "immutable" in response.headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_loads_the_same_application():
    gunicorn = Path(sys.executable).parent / "gunicorn"
    result = subprocess.run(
        [str(gunicorn), "--check-config", "jiamenkou.wsgi:application"],
        cwd=PROJECT_ROOT,
        env=clean_env(DJANGO_ENV="production", SECRET_KEY="gunicorn-check"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("preloaded", [True, False], ids=["preload_app", "no preload"])
def test_workers_get_the_search_dictionaries_loaded_by_the_master(tmp_path, preloaded):
    """gunicorn's pre_fork loads jieba, OpenCC and pypinyin before forking: a worker's
    first search must not load jieba's dictionary again (about a second each time a worker
    starts), and what was loaded is frozen out of the garbage collector's walks. Neither a
    master without Django loaded (GUNICORN_PRELOAD=0) nor a database not migrated yet (here
    an empty one) stops it: the synonym sets it also loads when it can
    (tests/search/test_lexicon.py) are then left to the first search."""
    code = (
        "import gc, runpy, sys; sys.path.insert(0, 'site');"
        + ("import jiamenkou.wsgi;" if preloaded else "")
        + "conf = runpy.run_path('gunicorn.conf.py');"
        "conf['pre_fork'](None, None);"
        "import jieba;"
        "jieba.Tokenizer.initialize = lambda *a, **k: sys.exit('dictionary loaded again');"
        "from search.analysis import analyse, fold;"
        "print(' '.join(analyse('我家水管漏了')), fold('醫保卡'), gc.get_freeze_count() > 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=clean_env(
            DJANGO_SETTINGS_MODULE="jiamenkou.settings.dev",
            DATABASE_URL=f"sqlite:///{tmp_path / 'not-migrated.sqlite3'}",
        ),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["我家", "水管", "漏", "了", "医保卡", "True"]


def test_embedded_defaults_without_any_environment():
    result = run_python(
        SETUP
        + "print(settings.DATABASES['default']['ENGINE']);"
        + "print(settings.CACHES['default']['BACKEND']);"
        + "print(settings.WAGTAILSEARCH_BACKENDS['default']['BACKEND']);"
        + "print(settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ);"
        + "print(settings.JIAMENKOU_SEARCH['BACKEND'])",
        DJANGO_SETTINGS_MODULE="jiamenkou.settings.dev",
        DATABASE_URL="",
        REDIS_URL="",
        ELASTICSEARCH_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:4] == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "wagtail.search.backends.database",
        "zh-hans Asia/Shanghai True",
    ]
    assert result.stdout.split("\n")[4] == "search.backends.database"


def test_services_are_chosen_by_environment_variables():
    result = run_python(
        SETUP
        + "print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']);"
        + "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION']);"
        + "print(settings.WAGTAILSEARCH_BACKENDS['default']['URLS']);"
        + "print(settings.ALLOWED_HOSTS, settings.MEDIA_ROOT);"
        + "print(settings.JIAMENKOU_SEARCH['BACKEND'], settings.JIAMENKOU_SEARCH['URLS']);"
        + "print(settings.DATABASES['default']['OPTIONS']['options'])",
        DJANGO_SETTINGS_MODULE="jiamenkou.settings.dev",
        DATABASE_URL="postgres://user@db.example:5432/jiamenkou",
        REDIS_URL="redis://cache.example:6379/1",
        ELASTICSEARCH_URL="http://search.example:9200",
        ALLOWED_HOSTS="www.example.gov.cn, example.gov.cn",
        MEDIA_ROOT="/srv/media",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "django.db.backends.postgresql jiamenkou"
    assert lines[1] == "jiamenkou.cache.ResilientRedisCache redis://cache.example:6379/1"
    assert lines[2] == "['http://search.example:9200']"
    assert lines[3] == "['www.example.gov.cn', 'example.gov.cn'] /srv/media"
    assert lines[4] == "search.backends.elasticsearch ['http://search.example:9200']"
    # The site search's GIN index is chosen on SSD-like costs (see settings/base.py).
    assert lines[5] == "-c random_page_cost=1.1"


def test_a_malformed_boolean_is_reported_in_chinese():
    result = run_python(
        SETUP,
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="jiamenkou.settings.production",
        SECRET_KEY="x",
        SESSION_COOKIE_SECURE="maybe",
    )
    assert result.returncode != 0
    assert "环境变量 SESSION_COOKIE_SECURE" in result.stderr


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: the Redis cache is not tested"
)
def test_the_cache_round_trips_through_redis():
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("jiamenkou-test-key", {"中心": "春华"}, 30)
    assert cache.get("jiamenkou-test-key") == {"中心": "春华"}
    cache.delete("jiamenkou-test-key")


def test_the_admin_speaks_chinese(client, django_user_model):
    page = client.get("/admin/login/").content.decode()
    assert 'lang="zh-hans"' in page
    assert "登录" in page
    django_user_model.objects.create_superuser("chief", password="pw-for-admin-test")
    client.login(username="chief", password="pw-for-admin-test")
    dashboard = client.get("/admin/").content.decode()
    assert "控制面板" in dashboard
    assert "海河东区 · 家门口" in dashboard


def test_mail_goes_through_the_smtp_server_named_in_the_environment():
    result = run_python(
        SETUP + "print(settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT,"
        " settings.EMAIL_USE_SSL, settings.EMAIL_USE_TLS, settings.DEFAULT_FROM_EMAIL)",
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="jiamenkou.settings.production",
        SECRET_KEY="a-real-secret-from-the-environment",
        EMAIL_HOST="smtp.example.cn",
        EMAIL_USE_SSL="1",
        DEFAULT_FROM_EMAIL="海棠苑社区 <gongkai@example.cn>",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.cn",
        "465",
        "True",
        "False",
        "海棠苑社区",
        "<gongkai@example.cn>",
    ]


def test_development_prints_mail_unless_a_server_is_named():
    printed = run_python(
        SETUP + "print(settings.EMAIL_BACKEND)", DJANGO_SETTINGS_MODULE="jiamenkou.settings.dev"
    )
    assert printed.stdout.strip() == "django.core.mail.backends.console.EmailBackend"
    sent = run_python(
        SETUP + "print(settings.EMAIL_BACKEND)",
        DJANGO_SETTINGS_MODULE="jiamenkou.settings.dev",
        EMAIL_HOST="smtp.example.cn",
    )
    assert sent.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"
