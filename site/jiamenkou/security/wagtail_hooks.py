"""Admin wiring: the log report with centers replaces Wagtail's 站点历史 in 报表."""

from django.urls import include, path
from wagtail import hooks
from wagtail.admin.wagtail_hooks import SiteHistoryReportMenuItem

from jiamenkou.security import views

urlpatterns = [
    path("", views.CenterLogView.as_view(), name="log"),
    path("results/", views.CenterLogView.as_view(results_only=True), name="log_results"),
]


@hooks.register("register_admin_urls")
def register_log_urls():
    return [path("reports/center-log/", include((urlpatterns, "jiamenkou_security")))]


@hooks.register("register_reports_menu_item")
def register_log_menu_item():
    # Shown to the same editors as Wagtail's report; entries are those Wagtail lets them see.
    return SiteHistoryReportMenuItem(
        "操作日志", views.LOG_URL, name="center-log", icon_name="history", order=1000
    )


@hooks.register("construct_reports_menu")
def hide_site_history(request, menu_items):
    # The report above is Wagtail's with the center added: one log in the menu, not two.
    menu_items[:] = [item for item in menu_items if item.name != "site-history"]
