"""The profile's URLs. ``catalog/api/urls.py`` includes them under ``hsds/profile/`` in its
``catalog_api`` namespace, so the profile's canonical URI is /api/hsds/profile/ and, below
it as Open Referral's Profiles Reference lays out, ``profile/`` holds the modifications and
``schema/`` the merged schemas. No ``app_name``: the names join ``catalog_api``."""

from django.urls import path

from catalog.hsds.profile import views

urlpatterns = [
    path("", views.ProfilePageView.as_view(), name="hsds_profile"),
    path("README.md", views.ReadmeView.as_view(), name="hsds_profile_readme"),
    path("profile/<slug:name>.json", views.PatchView.as_view(), name="hsds_profile_patch"),
    path("profile/data/<slug:name>.json", views.DataView.as_view(), name="hsds_profile_data"),
    path("schema/<slug:name>.json", views.SchemaView.as_view(), name="hsds_profile_schema"),
]
