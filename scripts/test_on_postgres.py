"""Run the test suite again on PostgreSQL (and Redis as the cache) when they are reachable.

Redis: TEST_REDIS_URL (default database 15 on 127.0.0.1:6379), which the tests flush.

DATABASE_URL, when it names PostgreSQL, is used as given; otherwise a server on
127.0.0.1:5432 is tried. With none reachable this prints one line and succeeds, so
a laptop without PostgreSQL still passes `make test`.
"""

import os
import socket
import subprocess
import sys
from urllib.parse import urlsplit

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
# The tests clear the cache between tests, so they get a Redis database of their own and
# never the REDIS_URL a developer may point at real data.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BENCHMARK_TESTS = "tests/benchmarks"


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def main() -> int:
    given = os.environ.get("DATABASE_URL", "")
    url = given if given.startswith(("postgres://", "postgresql://")) else LOCAL_POSTGRES
    if not reachable(url, 5432):
        print(
            f"PostgreSQL is not reachable at {urlsplit(url).netloc}: skipping the PostgreSQL run."
        )
        return 0
    env = {**os.environ, "DATABASE_URL": url}
    redis_url = TEST_REDIS_URL
    env["REDIS_URL"] = redis_url if reachable(redis_url, 6379) else ""
    print(
        f"Running the tests on PostgreSQL ({urlsplit(url).netloc})"
        + (f" with Redis ({urlsplit(redis_url).netloc}) as the cache" if env["REDIS_URL"] else "")
    )
    pytest = os.path.join(os.path.dirname(sys.executable), "pytest")
    args = sys.argv[1:]
    if not any(not arg.startswith("-") for arg in args):  # the whole suite
        # The benchmark scripts' tests build their own SQLite databases in child
        # processes, whatever the suite runs on: the SQLite run has already run them.
        print(f"Not repeated here: {BENCHMARK_TESTS}/ (they run on SQLite only).")
        args = [f"--ignore={BENCHMARK_TESTS}", *args]
    return subprocess.call([pytest, *args], env=env)


if __name__ == "__main__":
    sys.exit(main())
