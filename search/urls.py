"""The residents' search pages, under /sousuo/."""

from django.urls import path

from search import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="district"),
    path("dianji/<int:log_id>/<uuid:service_id>/", views.click, name="click"),
    path("<str:center_code>/", views.search_page, name="center"),
]
