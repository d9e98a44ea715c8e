"""The nginx site file of the repository (deploy/nginx/jiamenkou.conf), run as it is in
front of the site.

The file is rendered for a temporary root (the listening ports, the upstream, the static
and media roots and a self-signed certificate substituted; each must be found, so the
test follows the file), and the Debian nginx runs it in the foreground with its own
prefix, pid and logs, proxying to Django served on another port of this machine
(pytest-django's live server, with the test database). The test client plays the load
balancer: it sends X-Forwarded-For itself, so the site trusts two proxies.

Skipped, saying why, when nginx or openssl is not installed (``apt-get install nginx``).
"""

from __future__ import annotations

import contextlib
import http.client
import http.cookies
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SITE_FILE = PROJECT_ROOT / "deploy" / "nginx" / "jiamenkou.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
OPENSSL = shutil.which("openssl")
HOST = "jiamenkou.example.gov.cn"
#: The address the load balancer (this test) reports, and one a client tried to slip in.
RESIDENT, SPOOFED = "198.51.100.9", "6.6.6.6"
#: The live server's thread uses the test database; nothing is kept between tests.
pytestmark = pytest.mark.django_db(transaction=True)

if NGINX is None or OPENSSL is None:
    reason = "nginx 未安装（apt-get install nginx）" if NGINX is None else "openssl 未安装"
    print(f"tests/test_nginx.py skipped: {reason}")
    pytest.skip(f"{reason}：跳过 nginx 站点配置测试", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def render_site(upstream: str, ports: dict[str, int], root: Path, cert: Path, key: Path) -> str:
    """The site file with this machine's ports and paths; every replaced text must be
    there (a renamed path in the file fails here, not silently)."""
    text = SITE_FILE.read_text()
    replacements = {
        "server 127.0.0.1:8000": f"server {upstream}",
        "listen 80;": f"listen 127.0.0.1:{ports['http']};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{ports['https']} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "root /srv/jiamenkou;": f"root {root};",
        "root /var/www/letsencrypt;": f"root {root / 'letsencrypt'};",
        f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(cert),
        f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(key),
        "/var/log/nginx/": f"{root}/",
    }
    for old, new in replacements.items():
        assert old in text, f"{old!r} is no longer in {SITE_FILE.name}"
        text = text.replace(old, new)
    return text


def main_config(prefix: Path, site: Path) -> str:
    """What /etc/nginx/nginx.conf provides on Debian, with everything inside ``prefix``."""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
error_log {prefix / "error.log"} warn;
pid {prefix / "nginx.pid"};
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix / "access.log"};
{temp}
    include {site};
}}
"""


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx stopped: {log.read_text() if log.exists() else ''}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    pytest.fail("nginx did not listen within 10 s")


@pytest.fixture
def nginx(live_server, tmp_path, settings):
    """nginx in front of the live server; yields the request helper."""
    settings.TRUSTED_PROXY_COUNT = 2  # the load balancer (this test) and nginx
    settings.ALLOWED_HOSTS = [HOST]  # as in production: only the site's name
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    root, prefix = tmp_path / "srv", tmp_path / "nginx"
    for folder in (root / "static" / "css", root / "media" / "images", prefix):
        folder.mkdir(parents=True)
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", f"/CN={HOST}"],
        check=True,
        capture_output=True,
    )
    ports = {"http": free_port(), "https": free_port()}
    site = prefix / "jiamenkou.conf"
    site.write_text(render_site(urlsplit(live_server.url).netloc, ports, root, cert, key))
    config = prefix / "nginx.conf"
    config.write_text(main_config(prefix, site))
    command = [NGINX, "-p", str(prefix), "-c", str(config)]
    tested = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stderr
    process = subprocess.Popen(
        [*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for_port(ports["https"], process, prefix / "error.log")
        yield Front(ports, root)
    finally:
        process.terminate()
        process.wait(timeout=10)


class Front:
    """Requests to nginx as the load balancer sends them (its own X-Forwarded-For)."""

    def __init__(self, ports: dict[str, int], root: Path):
        self.ports, self.root = ports, root
        self.tls = ssl.create_default_context()
        self.tls.check_hostname = False
        self.tls.verify_mode = ssl.CERT_NONE

    def connection(self, secure: bool = True) -> http.client.HTTPConnection:
        if secure:
            return http.client.HTTPSConnection(
                "127.0.0.1", self.ports["https"], context=self.tls, timeout=20
            )
        return http.client.HTTPConnection("127.0.0.1", self.ports["http"], timeout=20)

    def request(self, method, path, body=None, headers=None, secure=True):
        connection = self.connection(secure)
        sent = {"Host": HOST, "X-Forwarded-For": f"{SPOOFED}, {RESIDENT}", **(headers or {})}
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        response.content = response.read()
        connection.close()
        return response


def test_static_files_are_served_by_nginx_with_long_cache_headers(nginx):
    # Files only nginx's root has: Django would answer 404 for them.
    (nginx.root / "static" / "css" / "site.0123456789ab.css").write_text("/* nginx */")
    (nginx.root / "static" / "robots-note.txt").write_text("nginx")
    hashed = nginx.request("GET", "/static/css/site.0123456789ab.css")
    assert (hashed.status, hashed.content) == (200, b"/* nginx */")
    assert hashed.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert hashed.getheader("Content-Type") == "text/css"
    plain = nginx.request("GET", "/static/robots-note.txt")
    assert (plain.status, plain.getheader("Cache-Control")) == (200, "public, max-age=3600")
    (nginx.root / "media" / "images" / "hall.txt").write_text("an upload")
    media = nginx.request("GET", "/media/images/hall.txt")
    assert (media.status, media.content) == (200, b"an upload")
    assert "sandbox" in media.getheader("Content-Security-Policy")


def test_pages_are_proxied_with_the_host_and_https_django_sees(nginx):
    response = nginx.request("GET", "/api/hsds/")
    assert response.status == 200
    links = json.loads(response.content)
    # Built by Django from the request: the host the resident asked for, over HTTPS.
    assert links["openapi_url"].startswith(f"https://{HOST}/api/")
    plain = nginx.request("GET", "/fuwu/", secure=False)
    assert plain.status == 301
    assert plain.getheader("Location") == f"https://{HOST}/fuwu/"


def test_django_counts_sign_ins_by_the_resident_address_not_a_spoofed_one(nginx):
    login = nginx.request("GET", "/admin/login/")
    assert login.status == 200
    cookies = http.cookies.SimpleCookie()
    for header in login.msg.get_all("Set-Cookie"):
        cookies.load(header)
    token = cookies["csrftoken"].value
    cookie = f"csrftoken={token}"
    refused = nginx.request(
        "POST",
        "/admin/login/",
        body=f"username=editor&password=wrong-password&csrfmiddlewaretoken={token}",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Referer": f"https://{HOST}/admin/login/",
        },
    )
    assert refused.status == 200  # the form again, with its error
    # The lockout counts this address: the one the load balancer reported, neither the
    # client's own claim (left-most) nor nginx's 127.0.0.1.
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [RESIDENT]


def test_an_upload_far_over_the_sites_limits_is_refused_by_nginx(nginx):
    connection = nginx.connection()
    connection.putrequest("POST", "/admin/images/multiple/add/", skip_host=True)
    connection.putheader("Host", HOST)
    connection.putheader("Content-Type", "application/octet-stream")
    connection.putheader("Content-Length", str(26 * 1024 * 1024))
    connection.endheaders()
    with contextlib.suppress(OSError):  # nginx may stop reading once it has answered
        connection.send(b"\0" * 65536)
    response = connection.getresponse()
    assert response.status == 413
    assert b"nginx" in response.read()  # nginx's own page: Django never saw it
    connection.close()


def test_health_answers_over_plain_http_and_https(nginx):
    # A load balancer probing over plain HTTP by address: no redirect, and nginx names the
    # site to Django (ALLOWED_HOSTS has only the name).
    probe = nginx.request("GET", "/health/", headers={"Host": "10.0.0.5"}, secure=False)
    assert probe.status == 200, probe.content
    assert json.loads(probe.content)["status"] == "ok"
    monitor = nginx.request("GET", "/health/")
    assert monitor.status == 200, monitor.content
    assert json.loads(monitor.content)["status"] == "ok"
