"""Admin wiring of search: one "搜索" menu group (wagtail-modeladmin) with the synonym sets
(同义词) and the demand list (需求清单).

Catalog editors (catalog.change_service) may use it. The district's editors (page
permission on the district home page, see district.permissions) edit the synonyms; a
center's editors see them, and see and mark the demand of their own centers only
(search.demand.DemandScope). A saved synonym set takes effect at the next search
(search.catalog reads the table for each query): nothing is reindexed.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.auth import permission_denied
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register
from wagtail_modeladmin.views import IndexView

from district.permissions import is_district_editor
from search.demand import (
    DEFAULT_PERIOD,
    PERIODS,
    DemandScope,
    demand_queryset,
    dress,
    is_catalog_editor,
    period_start,
)
from search.models import HandledDemand, QueryLog, SynonymSet, split_terms

DEMAND_PAGE_SIZE = 50


def admin_column(label):
    """Give a ModelAdmin method column a Chinese header."""

    def decorate(method):
        method.short_description = label
        return method

    return decorate


# -- 同义词 -------------------------------------------------------------------------------


def district_wide(user) -> bool:
    """district.permissions.is_district_editor, remembered for the request's user (the
    synonym list asks once per row)."""
    cached = getattr(user, "_search_district_editor", None)
    if cached is None:
        cached = user._search_district_editor = is_district_editor(user)
    return cached


class SynonymPermissionHelper(PermissionHelper):
    """Catalog editors see the sets; those of the whole district (page permission on the
    district home page) edit them. The sets' own model permissions, which the group
    registers, add to that: "view" lets someone see them, "add"/"change"/"delete" let an
    editor of the district home page do so without catalog permissions."""

    def user_can_list(self, user):
        return is_catalog_editor(user) or (user.is_active and self.user_has_any_permissions(user))

    def may(self, user, action) -> bool:
        if not user.is_active:
            return False
        permitted = is_catalog_editor(user) or self.user_has_specific_permission(
            user, self.get_perm_codename(action)
        )
        return permitted and district_wide(user)

    def user_can_create(self, user):
        return self.may(user, "add")

    def user_can_edit_obj(self, user, obj):
        return self.may(user, "change")

    def user_can_delete_obj(self, user, obj):
        return self.may(user, "delete")


def may_edit_synonyms(user) -> bool:
    return SynonymPermissionHelper(SynonymSet).user_can_create(user)


class SynonymSetForm(WagtailAdminModelForm):
    def clean_terms(self):
        terms = split_terms(self.cleaned_data.get("terms", ""))
        if len(terms) < 2:
            raise ValidationError(
                "请至少填写两个词，用逗号、顿号或换行分隔，例如：低保，最低生活保障。"
            )
        return "，".join(terms)


class SynonymIndexView(IndexView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_edit"] = self.permission_helper.user_can_create(self.request.user)
        return context


class SynonymSetAdmin(ModelAdmin):
    model = SynonymSet
    menu_label = _("同义词")
    menu_icon = "list-ul"
    index_view_class = SynonymIndexView
    index_template_name = "search/admin/synonym_index.html"
    permission_helper_class = SynonymPermissionHelper
    list_display = ("terms_list", "note", "updated_at")
    search_fields = ("terms", "note")
    list_per_page = 50
    ordering = ["terms"]

    def get_edit_handler(self):
        return ObjectList(SynonymSet.panels, base_form_class=SynonymSetForm).bind_to_model(
            SynonymSet
        )

    @admin_column(_("同义词"))
    def terms_list(self, obj):
        return "，".join(obj.term_list())


# -- 需求清单 -----------------------------------------------------------------------------


def demand_scope(request) -> DemandScope:
    """The request user's scope, worked out once per request."""
    if not hasattr(request, "_search_demand_scope"):
        request._search_demand_scope = DemandScope(request.user)
    return request._search_demand_scope


class DemandListView(WagtailAdminTemplateMixin, TemplateView):
    """Per center, what residents searched for and did not find (or did not open)."""

    template_name = "search/admin/demand_list.html"
    page_title = "需求清单"
    header_icon = "search"

    def dispatch(self, request, *args, **kwargs):
        if not demand_scope(request).may_view:
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def read_filters(self):
        params = self.request.GET
        try:
            days = int(params.get("days") or DEFAULT_PERIOD)
        except ValueError:
            days = DEFAULT_PERIOD
        if days not in PERIODS:
            days = DEFAULT_PERIOD
        center = (params.get("center") or "").strip()
        show_handled = params.get("handled") == "1"
        return days, center, show_handled

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = demand_scope(self.request)
        days, center, show_handled = self.read_filters()
        try:
            center_codes = scope.center_codes(center)
        except PermissionError:
            raise PermissionDenied from None
        rows = demand_queryset(
            since=period_start(days), center_codes=center_codes, show_handled=show_handled
        )
        paginator = Paginator(rows, DEMAND_PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("p"))
        context.update(
            {
                "lines": dress(page.object_list, scope),
                "page_obj": page,
                "paginator": paginator,
                "elided_page_range": paginator.get_elided_page_range(page.number),
                "periods": PERIODS,
                "days": days,
                "center": center,
                "center_choices": scope.choices(),
                "show_handled": show_handled,
                "handle_url": reverse("search_demand:handle"),
                "synonyms_url": reverse("search_synonymset_modeladmin_index"),
                "may_edit_synonyms": may_edit_synonyms(self.request.user),
            }
        )
        return context


@require_POST
def mark_demand_handled(request):
    """ "标记已处理": record (or renew) who dealt with a line, when, and how."""
    scope = demand_scope(request)
    center_code = request.POST.get("center_code", "").strip()
    query = request.POST.get("query", "").strip()
    if not scope.may_view or not scope.allows(center_code):
        raise PermissionDenied
    if not query or not QueryLog.objects.filter(center_code=center_code, query=query).exists():
        messages.error(request, "没有找到这条搜索记录，未标记。")
    else:
        HandledDemand.objects.update_or_create(
            center_code=center_code,
            query=query,
            defaults={
                "handled_at": timezone.now(),
                "handled_by": request.user,
                "note": request.POST.get("note", "").strip()[:200],
            },
        )
        messages.success(
            request, f"已将“{query}”标记为已处理；居民以后再搜索这个词时，它会重新出现在清单中。"
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("search_demand:index")
    return redirect(target)


demand_urls = [
    path("", DemandListView.as_view(), name="index"),
    path("handle/", mark_demand_handled, name="handle"),
]


@hooks.register("register_admin_urls")
def register_search_admin_urls():
    return [
        path("search/demand/", include((demand_urls, "search_demand"), namespace="search_demand"))
    ]


class DemandMenuItem(MenuItem):
    def is_shown(self, request):
        return demand_scope(request).may_view


# -- the menu group -----------------------------------------------------------------------


class SearchGroup(ModelAdminGroup):
    menu_label = _("搜索")
    menu_icon = "search"
    menu_order = 210  # after the 服务目录 group (200) and Excel导入导出 (201)
    items = (SynonymSetAdmin,)

    def get_submenu_items(self):
        items = super().get_submenu_items()
        items.append(
            DemandMenuItem(
                "需求清单",
                reverse("search_demand:index"),
                name="search-demand",
                icon_name="help",
                order=len(items) + 1,
            )
        )
        return items


modeladmin_register(SearchGroup)
