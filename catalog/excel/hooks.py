"""Wagtail admin hooks for the Excel template, export and upload.

Imported by catalog/wagtail_hooks.py, which Wagtail loads; the menu item sits next to
the 服务目录 group and shows only to users who may change services.
"""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from catalog.excel import views

app_name = "catalog_excel"
urlpatterns = [
    path("", views.ExcelIndexView.as_view(), name="index"),
    path("template/", views.download_template, name="template"),
    path("export/", views.export_catalog, name="export"),
]


class ExcelMenuItem(MenuItem):
    def is_shown(self, request):
        return views.may_use(request.user)


@hooks.register("register_admin_urls")
def register_excel_urls():
    return [path("catalog/excel/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_excel_menu_item():
    return ExcelMenuItem(
        "Excel导入导出",
        reverse("catalog_excel:index"),
        name="catalog-excel",
        icon_name="table",
        order=201,  # right after the 服务目录 group (200)
    )
