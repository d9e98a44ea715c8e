"""Run the whole test suite on SQLite and, at the same time, on PostgreSQL (`make test`).

The two runs are independent processes, so on a machine with two or more cores the
PostgreSQL run (scripts/test_on_postgres.py, which skips itself with one line when no
server is reachable) no longer waits for the SQLite one: `make test` takes about as long
as the slower of the two instead of their sum. Each run writes its output to a log of
its own, printed whole when that run ends, so the two never interleave; a line every few
minutes says how far each has got. The exit status is non-zero when either run fails.

Arguments are passed to both pytest runs (`scripts/test_all.py tests/catalog -x`); each
run lists its slowest tests (--durations), which is where CI time goes.
TEST_SEQUENTIAL=1 runs them one after the other, as before, for a one-core machine.

What the two runs could share is kept apart: each has its own pytest temporary folder
(--basetemp) and its own media folder (settings/test.py makes one per process); the
SQLite run has no Redis (REDIS_URL is emptied) and the PostgreSQL run's test database
and Redis database are its own; live servers and the chromium profiles are per process.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
HEARTBEAT_SECONDS = 180
PROGRESS = re.compile(rb"\[\s*(\d+)%\]")


class Run:
    def __init__(self, name: str, command: list[str], env: dict[str, str], workdir: Path):
        self.name = name
        self.log_path = workdir / f"{name}.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in finish()
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            process_group=0,  # stopped as a whole (with test_on_postgres.py's pytest)
        )
        self.returncode: int | None = None

    def progress(self) -> str:
        with open(self.log_path, "rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - 4096))
            found = PROGRESS.findall(log.read())
        return f"{found[-1].decode()}%" if found else "starting"

    def finish(self) -> None:
        self.returncode = self.process.returncode
        self.log.close()
        minutes = (time.monotonic() - self.started) / 60
        banner = f" {self.name}: exit status {self.returncode}, {minutes:.1f} min "
        print(f"\n{banner:=^88}", flush=True)
        with open(self.log_path, "rb") as log:
            sys.stdout.buffer.write(log.read())
        print(f"{' end of ' + self.name + ' ':=^88}\n", flush=True)


def main() -> int:
    args = ["--durations=25", *sys.argv[1:]]
    # CI cancelling the build (SIGTERM) stops both runs too, through the finally below.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    python = sys.executable
    pytest = str(Path(python).parent / "pytest")
    workdir = Path(tempfile.mkdtemp(prefix="jiamenkou-test-all-"))
    halves = [
        (
            "sqlite",
            [pytest, f"--basetemp={workdir / 'tmp-sqlite'}", *args],
            {**os.environ, "DATABASE_URL": "", "REDIS_URL": ""},
        ),
        (
            "postgresql",
            [
                python,
                str(PROJECT_ROOT / "scripts" / "test_on_postgres.py"),
                f"--basetemp={workdir / 'tmp-postgresql'}",
                *args,
            ],
            dict(os.environ),
        ),
    ]
    sequential = os.environ.get("TEST_SEQUENTIAL", "") not in ("", "0")
    print(
        f"Running the tests on SQLite and PostgreSQL {'in turn' if sequential else 'at once'};"
        f" logs in {workdir}",
        flush=True,
    )
    runs: list[Run] = []
    try:
        wait_for(runs, list(halves), sequential, workdir)
    finally:  # interrupted: stop whichever run is still going
        for run in runs:
            if run.process.poll() is None:
                os.killpg(run.process.pid, signal.SIGTERM)
                run.process.wait()
    for run in runs:
        print(f"{run.name}: {'passed' if run.returncode == 0 else 'FAILED'}")
        shutil.rmtree(workdir / f"tmp-{run.name}", ignore_errors=True)
    return 0 if all(run.returncode == 0 for run in runs) else 1


def wait_for(runs: list[Run], pending: list, sequential: bool, workdir: Path) -> None:
    last_beat = time.monotonic()
    while pending or any(run.returncode is None for run in runs):
        if pending and (not sequential or all(run.returncode is not None for run in runs)):
            runs.append(Run(*pending.pop(0), workdir=workdir))
        time.sleep(1)
        for run in runs:
            if run.returncode is None and run.process.poll() is not None:
                run.finish()
        if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
            last_beat = time.monotonic()
            running = [f"{run.name} {run.progress()}" for run in runs if run.returncode is None]
            if running:
                print("still running: " + ", ".join(running), flush=True)


if __name__ == "__main__":
    sys.exit(main())
