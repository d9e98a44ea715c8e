"""The programme sheet in Excel, in the admin: download the template or the editor's
centers' activities, upload a filled sheet (all or nothing; problems per row and column)."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import include, path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from activities import excel
from catalog.excel.problems import ExcelImportError
from catalog.excel.views import UploadForm
from catalog.excel.workbook import CONTENT_TYPE
from district.permissions import editable_center_ids

app_name = "activities_excel"
CHANGE_PERMISSION = "activities.change_activity"


def programme_center_ids(user) -> set[int]:
    """The centers whose programme ``user`` may import and export (none without the
    permission to change activities)."""
    return editable_center_ids(user) if user.has_perm(CHANGE_PERMISSION) else set()


class ProgrammeExcelView(WagtailAdminTemplateMixin, FormView):
    template_name = "activities/admin/excel.html"
    form_class = UploadForm
    page_title = "活动节目单Excel导入导出"
    header_icon = "table"
    success_url = reverse_lazy("activities_excel:index")

    def dispatch(self, request, *args, **kwargs):
        self.center_ids = programme_center_ids(request.user)
        if not self.center_ids:
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["activity_count"] = excel.export_queryset(self.center_ids).count()
        context["template_url"] = reverse("activities_excel:template")
        context["export_url"] = reverse("activities_excel:export")
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            summary = excel.import_programme(upload, center_ids=self.center_ids)
        except ExcelImportError as error:
            return self.render_to_response(
                self.get_context_data(form=form, problems=error.problems, file_name=upload.name)
            )
        messages.success(self.request, f"导入成功（{upload.name}）：{summary}")
        return redirect(self.get_success_url())


def xlsx_response(workbook, file_name: str) -> HttpResponse:
    response = HttpResponse(excel.workbook_bytes(workbook), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response


def download_template(request):
    if not programme_center_ids(request.user):
        return permission_denied(request)
    return xlsx_response(excel.build_workbook(), "活动节目单导入模板.xlsx")


def export_programme(request):
    center_ids = programme_center_ids(request.user)
    if not center_ids:
        return permission_denied(request)
    today = timezone.localdate().isoformat()
    activities = excel.export_queryset(center_ids)
    return xlsx_response(excel.build_workbook(activities), f"活动节目单-{today}.xlsx")


urlpatterns = [
    path("", ProgrammeExcelView.as_view(), name="index"),
    path("template/", download_template, name="template"),
    path("export/", export_programme, name="export"),
]


class ProgrammeExcelMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(programme_center_ids(request.user))


@hooks.register("register_admin_urls")
def register_programme_excel_urls():
    return [path("activities/excel/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_activities_menu_item")
def register_programme_excel_menu_item():
    return ProgrammeExcelMenuItem(
        "节目单Excel导入",
        reverse("activities_excel:index"),
        name="activities-excel",
        icon_name="table",
        order=303,
    )
