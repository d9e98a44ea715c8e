"""Wagtail's pages API (v2) for the district's pages: /api/v2/pages/.

The fields each page type exposes are its ``api_fields`` (site/district/models.py).
"""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

pages_api_router = WagtailAPIRouter("wagtailapi")
pages_api_router.register_endpoint("pages", PagesAPIViewSet)
