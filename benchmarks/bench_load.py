#!/usr/bin/env python3
"""Load benchmark: the site under 50 concurrent users, with and without the page cache.

    .venv/bin/python benchmarks/bench_load.py                    # SQLite, 10 s a URL
    .venv/bin/python benchmarks/bench_load.py --database postgresql --duration 5

It builds a throwaway site and serves it as production does, then loads it with wrk:

1. a database: a temporary SQLite file, or with ``--database postgresql`` the database
   ``bench_load_<pid>`` on ``--postgres-server`` (created here, dropped at the end);
   ``manage.py migrate`` and ``manage.py load_demo`` fill it with the demo district;
2. ``manage.py collectstatic`` into a temporary STATIC_ROOT (WhiteNoise serves it);
3. gunicorn with the project's gunicorn.conf.py, ``--workers`` (2) workers, on a free
   loopback port, DJANGO_ENV=production with a generated SECRET_KEY,
   ALLOWED_HOSTS=127.0.0.1, the cache in local memory (``--redis-url`` for Redis) and
   ``benchmarks/load_settings.py``: production settings plus ``benchmarks/load_site.py``,
   which adds a trivial view (``/__trivial__/``) and the search page without its rate
   limit (``/__search__/``: one address making 50 searches at once is what the limit is
   there to stop);
4. ``wrk -t2 -c50 -d<duration>s --latency`` on each URL in turn: the trivial view, a static
   file, the home page, a center page, the district and a center's service list, a
   service guide, a search, the programme and the kiosk data (JSON); once with the page
   cache on (``PAGE_CACHE_SECONDS``, default 60) and once, after restarting gunicorn, with
   it off (``PAGE_CACHE_SECONDS=0``). Each URL is requested once before its run, which
   must answer 200, and fills the cache when it is on; after its run the benchmark waits
   until gunicorn has served the requests wrk left queued, so that no URL pays for the
   one before it.

It prints a Markdown table: requests/s, p50 and p95 latency (from wrk's own histogram,
through a Lua ``done`` hook, since ``--latency`` prints no 95th percentile), errors and
non-2xx answers (with the statuses behind them, from gunicorn's access log), and each
page's throughput as a fraction of the trivial view's in the same run. gunicorn runs in its own process group and is stopped (TERM, then KILL) whatever
happens; the database and folders are removed.

Needs wrk (``apt-get install wrk``). Figures are for the README, never assertions; the
machine's load average is printed with them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CENTER = "/chunhua/haitangyuan/"
URLS = [
    ("trivial Django view", "/__trivial__/"),
    ("static file (WhiteNoise)", "/static/css/site.css"),
    ("home", "/"),
    ("center page", CENTER),
    ("district service list /fuwu/", "/fuwu/"),
    ("center service list", f"{CENTER}fuwu/"),
    ("service guide", None),  # the center list's first service, found after the load
    ("search", "/__search__/?q=%E8%80%81%E5%B9%B4%E8%AF%81"),  # 老年证
    ("programme (this week)", f"{CENTER}jiemudan/"),
    ("kiosk data (JSON)", "/api/kiosks/HHD-CH-01/dating/data"),
]
TIMEOUT = "10s"  # wrk gives up on a request after this long (counted as an error)
GUIDE_LINK = re.compile(r'class="service-item__name" href="([^"]+)"')
# wrk's Lua hook: its histogram's percentiles (microseconds) and the error counts.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH p50=%d p95=%d p99=%d requests=%d errors=%d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.requests, e.connect + e.read + e.write + e.timeout))
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--maintenance-db", default="postgres")
    parser.add_argument("--redis-url", default="", help="cache in Redis (default: local memory)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per URL")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--page-cache-seconds", type=int, default=60)
    parser.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    args = parser.parse_args()
    if not Path(args.wrk).exists():
        sys.exit("wrk is not installed (apt-get install wrk)")

    started = time.perf_counter()
    load_before = os.getloadavg()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    with tempfile.TemporaryDirectory(prefix="bench_load-") as folder, database(args) as url:
        folder = Path(folder)
        env = site_environment(args, url, folder)
        log(f"database {url}: migrate and load_demo")
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "load_demo", "--password", secrets.token_urlsafe(12))
        log("collectstatic")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        script = folder / "report.lua"
        script.write_text(WRK_SCRIPT)
        results = {}
        for label, seconds in (("on", args.page_cache_seconds), ("off", 0)):
            with gunicorn(args, {**env, "PAGE_CACHE_SECONDS": str(seconds)}, folder) as base:
                urls = resolve_urls(base)
                results[label] = {}
                for name, path in urls:
                    results[label][name] = run_wrk(
                        args, script, base + path, name, label, folder / "access.log"
                    )
                    drain(base)
    print_report(args, results, urls, time.perf_counter() - started, load_before)


# -- the site ---------------------------------------------------------------------------


@contextlib.contextmanager
def database(args):
    """A temporary SQLite file, or a PostgreSQL database created here and dropped after."""
    if args.database == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench_load-db-") as folder:
            yield f"sqlite:///{folder}/site.sqlite3"
        return
    import psycopg

    name = f"bench_load_{os.getpid()}"
    maintenance = f"{args.postgres_server}/{args.maintenance_db}"

    def admin(sql: str) -> None:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}"')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{args.postgres_server}/{name}"
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def site_environment(args, url: str, folder: Path) -> dict:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="benchmarks.load_settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=url,
        STATIC_ROOT=str(folder / "static"),
        MEDIA_ROOT=str(folder / "media"),
        SERVE_MEDIA_FILES="1",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "site")]),
        WEB_CONCURRENCY=str(args.workers),
        # One line a request to standard output is what production does; kept, and sent
        # to a file rather than the terminal.
        GUNICORN_ACCESS_LOG=str(folder / "access.log"),
        GUNICORN_ERROR_LOG=str(folder / "error.log"),
    )
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    return env


def manage(env: dict, *command: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(args, env: dict, folder: Path):
    """gunicorn on a free loopback port, in its own process group, stopped on the way out."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    gunicorn_bin = Path(PYTHON).with_name("gunicorn")
    log(f"gunicorn on {base}, page cache {env['PAGE_CACHE_SECONDS']} s")
    process = subprocess.Popen(
        [str(gunicorn_bin), "-c", str(ROOT / "gunicorn.conf.py"), "jiamenkou.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_up(base + "/__trivial__/", process, folder)
        yield base
    finally:
        stop(process)


def wait_until_up(url: str, process, folder: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = (folder / "error.log").read_text(errors="replace")[-3000:]
            sys.exit(f"gunicorn exited ({process.returncode}):\n{errors}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {url} within {seconds:.0f} s")


def stop(process) -> None:
    """TERM to gunicorn's process group (master and workers), KILL if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def resolve_urls(base: str) -> list[tuple[str, str]]:
    """The URLs, the guide found on the center's list; each must answer 200 (this first
    request also fills the page cache when it is on)."""
    urls = []
    for name, path in URLS:
        if path is None:
            listing = fetch(base + f"{CENTER}fuwu/")
            path = GUIDE_LINK.search(listing).group(1)
        fetch(base + path)
        urls.append((name, path))
    return urls


def drain(base: str) -> None:
    """Waits until gunicorn has answered what wrk left queued. When wrk stops, the
    requests its connections had sent are still in the listen queue, and each worker
    renders them (for nobody) before it accepts anything else: unless they are served
    first, a page slower than the queue is long would charge its backlog to the next URL
    (whose run could then finish no request at all). One request to the trivial view,
    queued behind them, answers when they are done."""
    started = time.monotonic()
    with urllib.request.urlopen(base + "/__trivial__/", timeout=600) as response:
        response.read()
    waited = time.monotonic() - started
    if waited > 1:
        log(f"waited {waited:.1f} s for the previous URL's queued requests")


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        if response.status != 200:
            sys.exit(f"GET {url}: HTTP {response.status}")
        return response.read().decode("utf-8", errors="replace")


# -- the load -------------------------------------------------------------------------------


def run_wrk(args, script: Path, url: str, name: str, label: str, access_log: Path) -> dict:
    log(f"wrk {name} (page cache {label}): {url}")
    start = access_log.stat().st_size if access_log.exists() else 0
    command = [
        args.wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "--timeout",
        TIMEOUT,
        "-s",
        str(script),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = parse_wrk(output)
    result["statuses"] = answered_statuses(access_log, start)
    return result


#: The status in gunicorn's access log line (gunicorn.conf.py: '"%(r)s" %(s)s …').
ACCESS_STATUS = re.compile(rb'" (\d{3}) ')


def answered_statuses(access_log: Path, start: int) -> dict[str, int]:
    """How many answers of each HTTP status gunicorn logged since byte ``start`` of its
    access log: what wrk's "non-2xx" count was made of."""
    if not access_log.exists():
        return {}
    with access_log.open("rb") as lines:
        lines.seek(start)
        found = (ACCESS_STATUS.search(line) for line in lines)
        statuses = [match.group(1).decode() for match in found if match]
    return {status: statuses.count(status) for status in sorted(set(statuses))}


def parse_wrk(output: str) -> dict:
    """Requests/s, non-2xx/3xx answers and the Lua hook's line of wrk's output."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)
    bench = re.search(r"BENCH (.+)", output)
    # Without a single answer wrk skips the Lua hook: only the timeouts are known.
    figures = dict(pair.split("=") for pair in bench.group(1).split()) if bench else {}
    figures.setdefault("errors", timeouts.group(1) if timeouts else 0)
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "p50": int(figures.get("p50", 0)) / 1000,
        "p95": int(figures.get("p95", 0)) / 1000,
        "p99": int(figures.get("p99", 0)) / 1000,
        "requests": int(figures.get("requests", 0)),
        "errors": int(figures.get("errors", 0)),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


# -- the report -----------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def figures(result: dict, trivial: float) -> str:
    """req/s, p50, p95 and × trivial cells; dashes when no request finished in time."""
    if not result["requests"]:
        return f"0 (none within {TIMEOUT}) | — | — | 0.00"
    return (
        f"{result['rps']:,.0f} | {result['p50']:.1f} | {result['p95']:.1f} "
        f"| {result['rps'] / trivial:.2f}"
    )


def print_report(args, results: dict, urls: list, seconds: float, load_before) -> None:
    import django

    trivial = {label: results[label]["trivial Django view"]["rps"] for label in results}
    cache = "Redis" if args.redis_url else "local memory (per worker)"
    print(f"\n### Load: {args.connections} concurrent connections, {args.database}\n")
    print(
        f"gunicorn {args.workers} sync workers (gunicorn.conf.py), production settings, "
        f"demo data (`load_demo`), cache in {cache}; `wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s` per URL on loopback, wrk on the same "
        f"{os.cpu_count()}-CPU machine; Django {django.get_version()}, Python "
        f"{sys.version.split()[0]}. Cache on: `PAGE_CACHE_SECONDS={args.page_cache_seconds}`; "
        "off: `PAGE_CACHE_SECONDS=0` (a separate gunicorn). × trivial: requests/s over the "
        "trivial view's in the same half of the run. Errors: socket errors (timeouts "
        f"after {TIMEOUT} included) and non-2xx answers.\n"
    )
    print(
        "| URL | cache on: req/s | p50 ms | p95 ms | × trivial | cache off: req/s | p50 ms "
        "| p95 ms | × trivial | errors on/off |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, path in urls:
        on, off = results["on"][name], results["off"][name]
        print(
            f"| {name} `{path}` | {figures(on, trivial['on'])} | {figures(off, trivial['off'])} "
            f"| {on['errors'] + on['non_2xx']}/{off['errors'] + off['non_2xx']} |"
        )
    problems = [
        f"{name} (cache {label}): "
        + ", ".join(f"{count:,} × {status}" for status, count in result["statuses"].items())
        + (f"; {result['errors']:,} socket errors or timeouts" if result["errors"] else "")
        for label in results
        for name, _path in urls
        if (result := results[label][name])["errors"] or result["non_2xx"]
    ]
    if problems:
        print("\nAnswers of the URLs with errors, by status (gunicorn's access log):\n")
        print("\n".join(f"- {problem}" for problem in problems))
    after = os.getloadavg()
    print(
        f"\nWhole run: {seconds / 60:.1f} min; load average {load_before[0]:.2f} before, "
        f"{after[0]:.2f} after (wrk and gunicorn share the {os.cpu_count()} CPUs)."
    )


if __name__ == "__main__":
    main()
