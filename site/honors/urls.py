"""Public URLs of honors outside the page tree: residents' own points look-up."""

from django.urls import path

from honors.views import lookup

app_name = "honors"

urlpatterns = [
    path("chaxun/", lookup.lookup_view, name="lookup"),
    path("chaxun/wode/", lookup.result_view, name="lookup_result"),
]
