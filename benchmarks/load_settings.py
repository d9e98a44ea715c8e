"""Settings for benchmarks/bench_load.py only: production settings, plus the benchmark's
URLconf (a trivial view to compare pages against). Never used by the site itself."""

from jiamenkou.settings.production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.load_site"
