"""Routes under /api/ (the site's urls.py includes this module there).

Wagtail's pages API (``jiamenkou.api``) is included by the site's urls.py next to this
module, outside its namespace, because Wagtail reverses its own un-namespaced URL names.
"""

from django.urls import path, re_path

from catalog.api import views

app_name = "catalog_api"

urlpatterns = [
    path("openapi.json", views.OpenApiView.as_view(), name="openapi"),
    path("hsds/services/", views.HsdsServiceListView.as_view(), name="hsds_service_list"),
    path(
        "hsds/services/<str:service_id>",
        views.HsdsServiceDetailView.as_view(),
        name="hsds_service_detail",
    ),
    path("services/", views.ServiceListView.as_view(), name="service_list"),
    path("services/<str:service_id>", views.ServiceDetailView.as_view(), name="service_detail"),
    # Anything else under /api/ answers in JSON rather than with the site's HTML 404 page.
    re_path(r"^(?P<unmatched>.*)$", views.api_not_found, name="not_found"),
]
