"""Admin pages: download the template, export the catalog, upload a filled workbook."""

from pathlib import PurePath

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from catalog.excel.importer import import_workbook
from catalog.excel.problems import ExcelImportError
from catalog.excel.workbook import CONTENT_TYPE, build_workbook, service_queryset, workbook_bytes
from catalog.models import Service
from catalog.permissions import services_editable_by

CHANGE_PERMISSION = "catalog.change_service"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def may_use(user) -> bool:
    return user.has_perm(CHANGE_PERMISSION)


def editable_services(user):
    """What the user may edit (their own centers' services), as the admin listing shows."""
    return services_editable_by(user, Service.objects.all())


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Excel文件",
        help_text="请上传从本页下载的模板或导出文件（.xlsx），最大10MB。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() != ".xlsx":
            raise forms.ValidationError(
                "只能上传.xlsx格式的Excel文件；.xls或.csv文件请先在Excel中“另存为”.xlsx。"
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件超过10MB，请分批上传。")
        return upload


class ExcelPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_use(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)


class ExcelIndexView(ExcelPermissionMixin, WagtailAdminTemplateMixin, FormView):
    """The one page: two downloads and the upload form; an upload's problems are
    listed here, per row and column, and nothing is saved."""

    template_name = "catalog/excel/index.html"
    form_class = UploadForm
    page_title = "Excel导入导出"
    header_icon = "table"
    success_url = reverse_lazy("catalog_excel:index")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["service_count"] = editable_services(self.request.user).count()
        context["may_add"] = self.request.user.has_perm("catalog.add_service")
        context["template_url"] = reverse("catalog_excel:template")
        context["export_url"] = reverse("catalog_excel:export")
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            summary = import_workbook(upload, user=self.request.user)
        except ExcelImportError as error:
            return self.render_to_response(
                self.get_context_data(form=form, problems=error.problems, file_name=upload.name)
            )
        messages.success(self.request, f"导入成功（{upload.name}）：{summary}")
        return redirect(self.get_success_url())


def xlsx_response(workbook, file_name: str) -> HttpResponse:
    response = HttpResponse(workbook_bytes(workbook), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response


def download_template(request):
    if not may_use(request.user):
        return permission_denied(request)
    return xlsx_response(build_workbook(), "服务目录导入模板.xlsx")


def export_catalog(request):
    if not may_use(request.user):
        return permission_denied(request)
    services = service_queryset(editable_services(request.user))
    today = timezone.localdate().isoformat()
    return xlsx_response(build_workbook(services), f"服务目录-{today}.xlsx")
