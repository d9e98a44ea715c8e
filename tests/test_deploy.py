"""The documented production configuration (deploy/production.env.example) passes
Django's deployment checks; media switch to S3-compatible storage by environment; behind
trusted proxies the client's address comes from X-Forwarded-For, and a spoofed entry
never wins.
"""

from __future__ import annotations

import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings

from jiamenkou.proxy import TrustedProxyMiddleware, client_address
from tests.test_settings import clean_env

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = PROJECT_ROOT / "deploy" / "production.env.example"
SETTINGS_DIR = PROJECT_ROOT / "site" / "jiamenkou" / "settings"


def example_variables() -> dict[str, str]:
    """The variables the example sets (commented-out lines left out), read as systemd
    and a shell read them."""
    variables = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, value = line.partition("=")
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", name), f"not KEY=value: {line!r}"
        variables[name] = " ".join(shlex.split(value))
    return variables


def production_env(**overrides) -> dict[str, str]:
    # The example's placeholder key fails check --deploy: a generated one, as documented.
    return clean_env(
        **{**example_variables(), "SECRET_KEY": secrets.token_urlsafe(64), **overrides}
    )


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )


def test_the_documented_production_environment_passes_check_deploy():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_every_variable_the_settings_read_is_documented():
    read = set()
    for module in SETTINGS_DIR.glob("*.py"):
        read |= set(
            re.findall(r"env_(?:str|bool|int|list)\(\s*[\"']([A-Z0-9_]+)", module.read_text())
        )
    documented = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    assert read - documented == set()


def test_production_defaults_to_https_behind_the_proxy_with_health_exempt():
    code = (
        "import sys; sys.path.insert(0, 'site'); import django; django.setup();"
        "from django.conf import settings as s;"
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.CSRF_TRUSTED_ORIGINS)"
    )
    env = production_env(DJANGO_SETTINGS_MODULE="jiamenkou.settings.production")
    result = run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "('HTTP_X_FORWARDED_PROTO', 'https') True ['^health/$'] 31536000 True True True True"
        " ['https://jiamenkou.example.gov.cn']"
    )
    # No proxy in front that sets the header: Django must not trust one.
    result = run(["-c", code], {**env, "SECURE_PROXY_SSL_HEADER": ""})
    assert result.stdout.startswith("None "), result.stderr
    result = run(["-c", code], {**env, "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO"})
    assert result.returncode != 0
    assert "环境变量 SECURE_PROXY_SSL_HEADER" in result.stderr


def test_health_answers_a_plain_http_probe_while_pages_redirect_to_https(tmp_path):
    code = (
        "import sys; sys.path.insert(0, 'site'); import django; django.setup();"
        "from django.test import Client; c = Client(HTTP_HOST='jiamenkou.example.gov.cn');"
        "page = c.get('/fuwu/?q=1');"
        "print(c.get('/health/').status_code, page.status_code, page['Location'])"
    )
    env = production_env(
        DJANGO_SETTINGS_MODULE="jiamenkou.settings.production",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        REDIS_URL="",
        ELASTICSEARCH_URL="",
    )
    result = run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    health, page, location = result.stdout.split()
    # /health/ answers (503 here: this empty database has no search table), not 301.
    assert health in {"200", "503"}
    assert (page, location) == ("301", "https://jiamenkou.example.gov.cn/fuwu/?q=1")


S3_CODE = (
    "import sys; sys.path.insert(0, 'site'); import django; django.setup();"
    "from django.core.files.storage import storages; m = storages['default'];"
    "print(type(m).__module__ + '.' + type(m).__name__);"
    "print(getattr(m, 'bucket_name', '-'), getattr(m, 'endpoint_url', '-'));"
    "print(m.url('images/hall.jpg'))"
)


def test_media_on_s3_compatible_storage_when_a_bucket_is_named():
    env = production_env(
        DJANGO_SETTINGS_MODULE="jiamenkou.settings.production",
        AWS_STORAGE_BUCKET_NAME="jiamenkou-media",
        AWS_S3_ENDPOINT_URL="https://minio.example.gov.cn:9000",
        AWS_S3_REGION_NAME="cn-north-1",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_ACCESS_KEY_ID="example-key",
        AWS_SECRET_ACCESS_KEY="example-secret",
    )
    result = run(["-c", S3_CODE], env)
    assert result.returncode == 0, result.stderr
    backend, place, url = result.stdout.splitlines()
    assert backend == "storages.backends.s3.S3Storage"
    assert place == "jiamenkou-media https://minio.example.gov.cn:9000"
    # A plain, lasting URL (no signature that would expire inside a cached page).
    assert url == "https://minio.example.gov.cn:9000/jiamenkou-media/images/hall.jpg"


def test_media_on_disk_without_a_bucket():
    env = production_env(
        DJANGO_SETTINGS_MODULE="jiamenkou.settings.production", MEDIA_ROOT="/srv/jiamenkou/media"
    )
    result = run(["-c", S3_CODE], env)
    assert result.returncode == 0, result.stderr
    backend, _, url = result.stdout.splitlines()
    assert backend == "django.core.files.storage.filesystem.FileSystemStorage"
    assert url == "/media/images/hall.jpg"


# -- the client's address behind proxies -------------------------------------------------------


@pytest.mark.parametrize(
    ("forwarded_for", "proxies", "expected"),
    [
        ("203.0.113.7", 1, "203.0.113.7"),  # nginx appended the client it saw
        ("6.6.6.6, 203.0.113.7", 1, "203.0.113.7"),  # a client's own claim never wins
        ("6.6.6.6, 203.0.113.7, 10.0.0.2", 2, "203.0.113.7"),  # load balancer + nginx
        ("203.0.113.7, 10.0.0.2", 3, "203.0.113.7"),  # fewer entries: the left-most
        ("2001:db8::7", 1, "2001:db8::7"),
        ("6.6.6.6, not-an-address", 1, None),  # nothing usable: REMOTE_ADDR stays
        ("", 1, None),
    ],
)
def test_the_client_address_is_the_outermost_trusted_proxys_entry(forwarded_for, proxies, expected):
    assert client_address(forwarded_for, proxies) == expected


def seen_address(forwarded_for: str) -> str:
    """REMOTE_ADDR as the views below the middleware see it, for a request from nginx."""
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)
    seen = {}

    def view(request):
        seen["address"] = request.META["REMOTE_ADDR"]

    TrustedProxyMiddleware(view)(request)
    return seen["address"]


def test_without_trusted_proxies_x_forwarded_for_is_ignored():
    assert seen_address("203.0.113.7") == "127.0.0.1"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_nginx_views_see_the_resident_not_nginx():
    assert seen_address("6.6.6.6, 203.0.113.7") == "203.0.113.7"
    assert seen_address("garbage") == "127.0.0.1"


def test_the_middleware_runs_before_anything_that_counts_by_address():
    from django.conf import settings

    order = settings.MIDDLEWARE
    proxy = order.index("jiamenkou.proxy.TrustedProxyMiddleware")
    counting = [name for name in order if "axes" in name or "ratelimit" in name.lower()]
    assert all(order.index(name) > proxy for name in counting)
    assert proxy <= 1  # right after SecurityMiddleware


# -- scheduled work on systemd timers -----------------------------------------------------------

SYSTEMD_DIR = PROJECT_ROOT / "deploy" / "systemd"
APP_DIR = "/srv/jiamenkou/app"


def unit_values(path: Path, key: str) -> list[str]:
    return [
        line.split("=", 1)[1]
        for line in path.read_text().splitlines()
        if line.startswith(f"{key}=")
    ]


def test_every_timer_starts_a_service_that_runs_with_the_sites_environment():
    timers = sorted(SYSTEMD_DIR.glob("*.timer"))
    assert len(timers) >= 7
    for timer in timers:
        service = timer.with_suffix(".service")
        assert service.exists(), f"{timer.name} has no {service.name}"
        assert unit_values(service, "EnvironmentFile") == ["/etc/jiamenkou/production.env"]
        assert unit_values(service, "WorkingDirectory") == [APP_DIR]
        assert unit_values(service, "User") == ["jiamenkou"]


def test_the_commands_the_timers_run_exist_and_accept_their_arguments():
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    run = []
    for service in sorted(SYSTEMD_DIR.glob("*.service")):
        for line in unit_values(service, "ExecStart"):
            words = shlex.split(line.replace("%%", "%"))
            if words[0] == "/bin/sh":  # sh -c '… manage.py …'
                # The shell's $(date +%F) stands for one argument (the day's folder).
                words = shlex.split(re.sub(r"\$\([^)]*\)", "2026-12-06", words[2]))[1:]
            if "manage.py" not in words:
                continue
            name, *arguments = words[words.index("manage.py") + 1 :]
            assert name in commands, f"{service.name}: no command {name}"
            command = load_command_class(commands[name], name)
            command.create_parser("manage.py", name).parse_args(arguments)
            run.append(name)
    for expected in (
        "publish_scheduled",
        "send_disclosure_reminders",
        "extend_activity_schedules",
        "catch_up_search_index",
        "rebuild_search_index",
        "learn_from_clicks",
        "backup",
        "clearsessions",
    ):
        assert expected in run


@pytest.mark.skipif(
    not Path("/usr/bin/systemd-analyze").exists(), reason="systemd-analyze is not installed"
)
def test_systemd_accepts_the_unit_files(tmp_path):
    # The units as installed, with this checkout standing in for /srv/jiamenkou/app.
    for unit in SYSTEMD_DIR.iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace(APP_DIR, str(PROJECT_ROOT)))
    result = subprocess.run(
        ["/usr/bin/systemd-analyze", "verify", "--man=no", *sorted(tmp_path.iterdir())],
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_nginx_lets_through_every_upload_the_site_accepts():
    """A file at the site's own limit, in its form, must reach the site (which explains a
    refusal in Chinese); nginx's bare 413 is only for what is far larger."""
    from django.conf import settings

    conf = (PROJECT_ROOT / "deploy" / "nginx" / "jiamenkou.conf").read_text()
    (megabytes,) = re.findall(r"client_max_body_size (\d+)m;", conf)
    largest = max(settings.WAGTAILDOCS_MAX_UPLOAD_SIZE, settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE)
    form_overhead = 1024 * 1024
    assert int(megabytes) * 1024 * 1024 >= largest + form_overhead
