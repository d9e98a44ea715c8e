"""Public URLs of disclosures that are not pages of the tree: the committee's review page
(reached by a signed link) and the boards' Atom feeds."""

from django.urls import path

from disclosures import feeds
from disclosures.views.review import review_view

app_name = "disclosures"

urlpatterns = [
    path("shenhe/<str:token>/", review_view, name="review"),
    *feeds.urlpatterns,
]
