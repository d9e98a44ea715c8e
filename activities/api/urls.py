"""Routes under /api/activities/ (the site's urls.py includes this module there); anything
else under it falls through to the JSON 404 of catalog.api.urls."""

from django.urls import path

from activities.api import views

app_name = "activities_api"

urlpatterns = [
    path("occurrences", views.OccurrenceListView.as_view(), name="occurrence_list"),
    # The slashed spelling answers the same (the rest of /api/ lists with a slash).
    path("occurrences/", views.OccurrenceListView.as_view(), name="occurrence_list_slashed"),
    path("bookings", views.BookingView.as_view(), name="booking"),
]
