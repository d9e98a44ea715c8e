from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve as serve_file
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from district import views as district_views
from jiamenkou.api import pages_api_router
from jiamenkou.health import health
from search import api as search_api

urlpatterns = [
    path("health/", health, name="health"),  # load balancers and monitors (JSON)
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("elderly-mode/", district_views.toggle_elderly_mode, name="toggle_elderly_mode"),
    path("api/v2/", pages_api_router.urls),  # before api/, which answers all else in JSON
    path("api/services/search", search_api.ServiceSearchView.as_view(), name="service_search_api"),
    path(
        "api/services/search/<int:query_id>/clicks",
        search_api.SearchClickView.as_view(),
        name="service_search_click_api",
    ),
    path(
        "api/services/autocomplete",
        search_api.AutocompleteView.as_view(),
        name="service_autocomplete_api",
    ),
    path("api/activities/", include("activities.api.urls")),
    path("api/kiosks/", include("activities.kiosk.api_urls")),
    path("api/", include("catalog.api.urls")),
    path("huodong/", include("activities.urls")),
    path("kiosk/", include("activities.kiosk.urls")),
    path("gongkai/", include("disclosures.urls")),
    path("jifen/", include("honors.urls")),
    path("tongzhi/", include("district.urls")),
    path("sousuo/", include("search.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

if settings.SERVE_MEDIA_FILES:
    # Uploaded images and documents; a production front server usually takes this over.
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [
        re_path(
            rf"^{media_prefix}(?P<path>.*)$", serve_file, {"document_root": settings.MEDIA_ROOT}
        )
    ]

# Wagtail's page serving catches everything else, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]
