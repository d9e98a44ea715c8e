"""The URLconf of benchmarks/bench_load.py (benchmarks/load_settings.py): the site's own
URLs, plus two that exist only in the benchmark.

- ``/__trivial__/``: a view that returns two bytes through the whole middleware stack,
  the floor every page is compared with;
- ``/__search__/``: the residents' search page without its rate limit (120 searches a
  minute from one address, jiamenkou/security/ratelimit.py), which the load generator,
  one address on loopback, would hit within a second.
"""

import inspect

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from jiamenkou.urls import urlpatterns as site_urlpatterns
from search.views import search_page


def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")


# search_page is require_GET(rate_limit(SEARCH)(view)): its own __wrapped__ is the
# rate-limited function, which answered 429 to all but 120 requests a minute per worker.
# The innermost view, GET only again.
search_without_limit = require_GET(inspect.unwrap(search_page))

urlpatterns = [
    path("__trivial__/", trivial),
    path("__search__/", search_without_limit),
    *site_urlpatterns,
]
