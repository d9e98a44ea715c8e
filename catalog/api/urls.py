"""Routes under /api/ (the site's urls.py includes this module there).

Wagtail's pages API (``jiamenkou.api``) is included by the site's urls.py next to this
module, outside its namespace, because Wagtail reverses its own un-namespaced URL names.
"""

from django.urls import include, path, re_path

from catalog.api import hsds_views, views


def both_slashes(route: str, view, name: str) -> list:
    """The route as Open Referral's document writes it (HSDS paths carry no trailing
    slash; its ``/`` is this API's root) and, named ``<name>_slash``, the other form, served
    alike rather than redirected: a client posting a search does not follow a redirect."""
    other = route[:-1] if route.endswith("/") else route + "/"
    return [
        path(route, view.as_view(), name=name),
        path(other, view.as_view(), name=f"{name}_slash"),
    ]


app_name = "catalog_api"

urlpatterns = [
    path("openapi.json", views.OpenApiView.as_view(), name="openapi"),
    *both_slashes("hsds/", hsds_views.HsdsRootView, "hsds_root"),
    *both_slashes("hsds/services", hsds_views.HsdsServiceListView, "hsds_service_list"),
    *both_slashes(
        "hsds/services/<str:id>", hsds_views.HsdsServiceDetailView, "hsds_service_detail"
    ),
    *both_slashes(
        "hsds/organizations", hsds_views.HsdsOrganizationListView, "hsds_organization_list"
    ),
    *both_slashes(
        "hsds/organizations/<str:id>",
        hsds_views.HsdsOrganizationDetailView,
        "hsds_organization_detail",
    ),
    *both_slashes("hsds/taxonomies", hsds_views.HsdsTaxonomyListView, "hsds_taxonomy_list"),
    *both_slashes(
        "hsds/taxonomies/<str:id>", hsds_views.HsdsTaxonomyDetailView, "hsds_taxonomy_detail"
    ),
    *both_slashes(
        "hsds/taxonomy_terms", hsds_views.HsdsTaxonomyTermListView, "hsds_taxonomy_term_list"
    ),
    *both_slashes(
        "hsds/taxonomy_terms/<str:id>",
        hsds_views.HsdsTaxonomyTermDetailView,
        "hsds_taxonomy_term_detail",
    ),
    *both_slashes(
        "hsds/service_at_locations",
        hsds_views.HsdsServiceAtLocationListView,
        "hsds_service_at_location_list",
    ),
    *both_slashes(
        "hsds/service_at_locations/<str:id>",
        hsds_views.HsdsServiceAtLocationDetailView,
        "hsds_service_at_location_detail",
    ),
    path("hsds/profile/", include("catalog.hsds.profile.urls")),
    path("services/", views.ServiceListView.as_view(), name="service_list"),
    path("services/<str:service_id>", views.ServiceDetailView.as_view(), name="service_detail"),
    # Anything else under /api/ answers in JSON rather than with the site's HTML 404 page.
    re_path(r"^(?P<unmatched>.*)$", views.api_not_found, name="not_found"),
]
