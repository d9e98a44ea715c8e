"""Admin wiring of the catalog: one "服务目录" menu group built with wagtail-modeladmin.

Center editors see and edit the services of their own centers (see catalog.permissions);
district editors see everything. Modules that register hooks of their own are imported
at the top.
"""

import uuid

from django.contrib import messages
from django.contrib.admin import SimpleListFilter
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register
from wagtail_modeladmin.views import CreateView, EditView, IndexView

from catalog.excel import hooks as excel_hooks  # noqa: F401
from catalog.forms import ServiceAdminForm
from catalog.models import (
    CatalogSettings,
    CorrectionReport,
    CorrectionStatus,
    Location,
    Organization,
    PublicHoliday,
    Service,
    TaxonomyTerm,
)
from catalog.models.locations import CENTER_CODE_IDENTIFIER_TYPE
from catalog.models.taxonomy import AUDIENCE_TAXONOMY, TOPIC_TAXONOMY
from catalog.permissions import can_edit_service, services_editable_by
from district.permissions import (
    editable_center_ids,
    editable_centers,
    is_district_editor,
    may_edit_center,
)
from jiamenkou.pagecache import content_changed
from jiamenkou.privacy import mask_personal_numbers


def admin_column(label):
    """Give a ModelAdmin method column a Chinese header."""

    def decorate(method):
        method.short_description = label
        return method

    return decorate


class TermFilter(SimpleListFilter):
    taxonomy_name = ""
    relation = ""

    def lookups(self, request, model_admin):
        return [(term.code, term.name) for term in TaxonomyTerm.objects.of(self.taxonomy_name)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.relation}__code": self.value()})
        return queryset


class TopicFilter(TermFilter):
    title = _("服务领域")
    parameter_name = "topic"
    taxonomy_name = TOPIC_TAXONOMY
    relation = "topics"


class AudienceFilter(TermFilter):
    title = _("服务对象")
    parameter_name = "audience"
    taxonomy_name = AUDIENCE_TAXONOMY
    relation = "audiences"


class CenterFilter(SimpleListFilter):
    title = _("服务中心")
    parameter_name = "center"

    def lookups(self, request, model_admin):
        centers = editable_centers(request.user).order_by("code")
        return [(center.code, center.title) for center in centers]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                service_at_locations__location__center__code=self.value()
            ).distinct()
        return queryset


class StaleFilter(SimpleListFilter):
    title = _("核实情况")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("1", _("待核实（超过有效期）")), ("0", _("有效期内"))]

    def queryset(self, request, queryset):
        days = CatalogSettings.load(request_or_site=request).stale_after_days
        stale = Service.objects.stale(days).values("pk")
        if self.value() == "1":
            return queryset.filter(pk__in=stale)
        if self.value() == "0":
            return queryset.exclude(pk__in=stale)
        return queryset


class ServicePermissionHelper(PermissionHelper):
    def user_can_create(self, user):
        return super().user_can_create(user) and (
            is_district_editor(user) or bool(editable_center_ids(user))
        )

    def user_can_edit_obj(self, user, obj):
        return super().user_can_edit_obj(user, obj) and can_edit_service(user, obj)

    def user_can_delete_obj(self, user, obj):
        return super().user_can_delete_obj(user, obj) and can_edit_service(user, obj)


class ServiceIndexView(IndexView):
    """The service list, with a checkbox per row for "mark as verified"."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["verify_url"] = reverse("catalog_mark_services_verified")
        return context


class ServiceAdmin(ModelAdmin):
    model = Service
    menu_label = _("服务事项")
    menu_icon = "list-ul"
    index_view_class = ServiceIndexView
    index_template_name = "catalog/admin/service_index.html"
    permission_helper_class = ServicePermissionHelper
    list_display = ("select_box", "name", "kind", "status", "centers", "verification")
    list_filter = ("kind", TopicFilter, AudienceFilter, CenterFilter, "status", StaleFilter)
    search_fields = ("name", "alternate_name", "keywords", "description")
    list_per_page = 50
    ordering = ["name"]

    def get_edit_handler(self):
        return ObjectList(Service.panels, base_form_class=ServiceAdminForm).bind_to_model(Service)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("service_at_locations__location")
        self._stale_after_days = CatalogSettings.load(request_or_site=request).stale_after_days
        return services_editable_by(request.user, queryset)

    @admin_column(_("选择"))
    def select_box(self, obj):
        return format_html(
            '<input type="checkbox" name="services" value="{}" form="bulk-verify" aria-label="选择{}">',
            obj.pk,
            obj.name,
        )

    @admin_column(_("服务中心"))
    def centers(self, obj):
        return format_html_join(
            "、", "{}", ((link.location.name,) for link in obj.service_at_locations.all())
        )

    @admin_column(_("核实情况"))
    def verification(self, obj):
        verified = obj.assured_date.isoformat() if obj.assured_date else "从未核实"
        if obj.is_stale(getattr(self, "_stale_after_days", 365)):
            return format_html('<span class="w-status w-status--label">待核实</span> {}', verified)
        return verified


class OrganizationAdmin(ModelAdmin):
    model = Organization
    menu_label = _("服务提供方")
    menu_icon = "group"
    list_display = ("name", "legal_status", "provider_type_label")
    search_fields = ("name", "alternate_name")

    @admin_column(_("类型"))
    def provider_type_label(self, obj):
        return obj.get_provider_type_display()


class LocationPermissionHelper(PermissionHelper):
    """A center's editors keep its place facts (the page's address, phones and hours);
    places that are no center's, and new ones, are the district's."""

    def user_can_edit_obj(self, user, obj):
        return super().user_can_edit_obj(user, obj) and may_edit_center(user, obj.center_id)

    def user_can_delete_obj(self, user, obj):
        return super().user_can_delete_obj(user, obj) and is_district_editor(user)

    def user_can_create(self, user):
        return super().user_can_create(user) and is_district_editor(user)


class LocationCreateView(CreateView):
    """``?center=<page id>`` (the center page's link) fills in the center, its name and
    code, so the new place is linked to the page it was started from."""

    def get_initial(self):
        initial = super().get_initial()
        from district.models import CenterPage

        center = CenterPage.objects.filter(pk=self.request.GET.get("center") or None).first()
        if center is not None:
            initial.update(
                center=center.pk,
                name=center.title,
                external_identifier=center.code,
                external_identifier_type=CENTER_CODE_IDENTIFIER_TYPE,
            )
        return initial


class LocationAdmin(ModelAdmin):
    model = Location
    menu_label = _("服务地点")
    menu_icon = "site"
    permission_helper_class = LocationPermissionHelper
    create_view_class = LocationCreateView
    list_display = ("name", "external_identifier", "center")
    search_fields = ("name", "external_identifier")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_district_editor(request.user):
            return queryset
        return queryset.filter(center__in=editable_center_ids(request.user))


class TaxonomyTermAdmin(ModelAdmin):
    model = TaxonomyTerm
    menu_label = _("分类词")
    menu_icon = "tag"
    list_display = ("name", "code", "taxonomy")
    list_filter = ("taxonomy",)
    search_fields = ("name", "code")


class CorrectionPermissionHelper(PermissionHelper):
    """A report (with the resident's contact) is read and handled by the editors of the
    center it was filed at; reports filed outside any center by district editors."""

    def user_can_create(self, user):
        return False  # residents file reports from the service pages

    def user_can_inspect_obj(self, user, obj):
        return super().user_can_inspect_obj(user, obj) and may_edit_center(user, obj.center_id)

    def user_can_edit_obj(self, user, obj):
        return super().user_can_edit_obj(user, obj) and may_edit_center(user, obj.center_id)

    def user_can_delete_obj(self, user, obj):
        return super().user_can_delete_obj(user, obj) and may_edit_center(user, obj.center_id)


class CorrectionEditView(EditView):
    """Handling a report records who closed it and when."""

    def form_valid(self, form):
        report = form.instance
        if report.status == CorrectionStatus.HANDLED and report.handled_at is None:
            report.handled_by = self.request.user
            report.handled_at = timezone.now()
        elif report.status == CorrectionStatus.OPEN:
            report.handled_by, report.handled_at = None, None
        return super().form_valid(form)


class CorrectionReportAdmin(ModelAdmin):
    model = CorrectionReport
    edit_view_class = CorrectionEditView
    menu_label = _("纠错反馈")
    menu_icon = "warning"
    permission_helper_class = CorrectionPermissionHelper
    list_display = ("service", "reason", "center", "created_at", "status", "masked_contact")
    list_filter = ("status", "reason", "center")
    search_fields = ("service__name", "details")
    inspect_view_enabled = True
    inspect_view_fields = [
        "service",
        "center",
        "reason",
        "details",
        "created_at",
        "status",
        "handling_note",
    ]

    def get_edit_handler(self):
        return ObjectList([FieldPanel("status"), FieldPanel("handling_note")]).bind_to_model(
            CorrectionReport
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("service", "center")
        if is_district_editor(request.user):
            return queryset
        return queryset.filter(center_id__in=editable_center_ids(request.user))

    @admin_column(_("联系方式"))
    def masked_contact(self, obj):
        return mask_personal_numbers(obj.contact)


class PublicHolidayAdmin(ModelAdmin):
    model = PublicHoliday
    menu_label = _("法定节假日")
    menu_icon = "date"
    list_display = ("date", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)
    ordering = ["date"]


class CatalogGroup(ModelAdminGroup):
    menu_label = _("服务目录")
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (
        ServiceAdmin,
        CorrectionReportAdmin,
        OrganizationAdmin,
        LocationAdmin,
        TaxonomyTermAdmin,
        PublicHolidayAdmin,
    )


modeladmin_register(CatalogGroup)


@require_POST
def mark_services_verified(request):
    """Bulk action: the selected services were checked today by this editor."""
    if not request.user.has_perm("catalog.change_service"):
        raise PermissionDenied
    ids = [value for value in request.POST.getlist("services") if _is_uuid(value)]
    selected = services_editable_by(request.user, Service.objects.filter(pk__in=ids))
    count = selected.update(
        assured_date=timezone.localdate(),
        assurer_email=request.user.email,
        last_modified=timezone.now(),
    )
    if count:
        content_changed()  # an update sends no row signals: the guides' dates changed
        messages.success(request, f"已将{count}项服务标记为今天核实。")
    else:
        messages.warning(request, "请先勾选要标记的服务。")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("catalog_service_modeladmin_index")
    return redirect(target)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@hooks.register("register_admin_urls")
def register_catalog_admin_urls():
    return [
        path(
            "catalog/services/verify/",
            mark_services_verified,
            name="catalog_mark_services_verified",
        )
    ]


class CatalogTasksPanel(Component):
    """On the dashboard: what needs an editor's attention in their part of the catalog."""

    name = "catalog_tasks"
    order = 50
    template_name = "catalog/admin/tasks_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        user = self.request.user
        days = CatalogSettings.load(request_or_site=self.request).stale_after_days
        stale = services_editable_by(user, Service.objects.stale(days)).count()
        reports = CorrectionReportAdmin().get_queryset(self.request).open().count()
        return {"stale": stale, "days": days, "reports": reports}


@hooks.register("construct_homepage_panels")
def add_catalog_tasks_panel(request, panels):
    if request.user.has_perm("catalog.change_service"):
        panels.append(CatalogTasksPanel(request))
