"""Admin wiring of search: one "搜索" menu group (wagtail-modeladmin) with the synonym sets
(同义词) and the demand list (需求清单).

Catalog editors (catalog.change_service) may use it. The district's editors (page
permission on the district home page, see district.permissions) edit the synonyms; a
center's editors see them, and see and mark the demand of their own centers only
(search.demand.DemandScope). A saved synonym set takes effect at the next search
(search.catalog reads the table for each query): nothing is reindexed.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
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

from catalog.models import Service, TaxonomyTerm
from catalog.models.taxonomy import TOPIC_TAXONOMY
from catalog.permissions import services_editable_by
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
from search.demand_actions import (
    DemandActionForm,
    candidate_services,
    preview,
    save_action,
    suggested_terms,
)
from search.demand_report import DEFAULT_MONTHS, MONTH_CHOICES, demand_report
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
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "topic" in self.fields:  # a need lands on a topic, not on a kind or an audience
            self.fields["topic"].queryset = TaxonomyTerm.objects.of(TOPIC_TAXONOMY)

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
    list_display = ("terms_list", "topic", "source", "note", "updated_at")
    list_filter = ("topic",)
    list_select_related = ("topic",)
    search_fields = ("terms", "note", "source")
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
                "act_url": reverse("search_demand:act"),
                "report_url": reverse("search_demand:report"),
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
            # A line first handled here was dealt with outside the search (a new service…);
            # renewing the note of one closed with keywords keeps what was done.
            create_defaults={
                "handled_at": timezone.now(),
                "handled_by": request.user,
                "note": request.POST.get("note", "").strip()[:200],
                "action": HandledDemand.Action.OTHER,
            },
        )
        messages.success(
            request, f"已将“{query}”标记为已处理；居民以后再搜索这个词时，它会重新出现在清单中。"
        )
    return redirect(safe_next(request, request.POST.get("next", "")))


def uuids(values) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found


def safe_next(request, target: str) -> str:
    """``target`` when it is a URL of this site, else the demand list."""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return reverse("search_demand:index")
    return target


class DemandActionView(WagtailAdminTemplateMixin, TemplateView):
    """One line of the demand list closed in one step: the query's words as keywords of
    services, or as a synonym set, with a preview (search.demand_actions)."""

    template_name = "search/admin/demand_action.html"
    page_title = "处理搜索需求"
    header_icon = "search"

    def dispatch(self, request, *args, **kwargs):
        scope = demand_scope(request)
        if not scope.may_view:
            return permission_denied(request)
        source = request.POST if request.method == "POST" else request.GET
        self.center_code = source.get("center_code", "").strip()
        self.query = source.get("query", "").strip()
        if not scope.allows(self.center_code):
            raise PermissionDenied
        logs = QueryLog.objects.filter(center_code=self.center_code, query=self.query)
        self.stats = logs.aggregate(
            searches=Count("pk"), zero_results=Count("pk", filter=Q(result_count=0))
        )
        if not self.query or not self.stats["searches"]:
            raise Http404("没有这条搜索记录")
        self.next_url = safe_next(request, source.get("next", ""))
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"“{self.query}”"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("search_demand:index"), "label": "需求清单"},
            {"url": "", "label": self.page_title},
        ]

    def make_form(self, data=None):
        initial = {
            "action": DemandActionForm.KEYWORDS,
            "terms": "，".join(suggested_terms(self.query)),
        }
        return DemandActionForm(
            data,
            initial=initial,
            user=self.request.user,
            may_make_synonyms=may_edit_synonyms(self.request.user),
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        intent = request.POST.get("intent", "preview")
        if intent == "find":  # a name search: the form as typed, not yet checked
            return self.render_to_response(self.get_context_data(form=form, checked=False))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        where = {"query": self.query, "center_code": self.center_code, "user": request.user}
        if intent != "save":
            label = demand_scope(request).label(self.center_code)
            shown = preview(form, **where, center_label=label)
            return self.render_to_response(self.get_context_data(form=form, preview=shown))
        _, changed = save_action(form, **where)
        messages.success(request, self.saved_message(form, changed))
        return redirect(self.next_url)

    def saved_message(self, form, changed) -> str:
        data = form.cleaned_data
        words = "”“".join(data["terms"])
        if data["action"] == DemandActionForm.SYNONYMS:
            synonyms = "，".join(form.synonym_terms())
            return f"已新建同义词组“{synonyms}”，并将“{self.query}”标记为已处理。"
        names = "”“".join(service.name for service in data["services"])
        if not changed:
            return f"“{words}”已经是“{names}”的关键词；已将“{self.query}”标记为已处理。"
        return f"已将“{words}”加为“{names}”的关键词，并将“{self.query}”标记为已处理。"

    def get_context_data(self, form, checked=True, preview=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        typed = form.data if form.is_bound else {}
        terms_text = typed.get("terms") if form.is_bound else form.initial["terms"]
        name_search = typed.get("service_search", "")
        selected = set(typed.getlist("services")) if form.is_bound else set()
        candidates = candidate_services(user, split_terms(terms_text or ""), name_search)
        # What was ticked stays on the list (and ticked), whatever the new search finds.
        listed = {str(service.pk) for service in candidates}
        ticked = [
            service
            for service in services_editable_by(
                user, Service.objects.filter(pk__in=uuids(selected))
            )
            if str(service.pk) not in listed
        ]
        context.update(
            {
                "form": form,
                "errors": form.errors if (form.is_bound and checked) else {},
                "action": typed.get("action") if form.is_bound else form.initial["action"],
                "terms_text": terms_text,
                "name_search": name_search,
                "candidates": [*ticked, *candidates],
                "selected": selected,
                "preview": preview,
                "query": self.query,
                "center_code": self.center_code,
                "center_label": demand_scope(self.request).label(self.center_code),
                "stats": self.stats,
                "next_url": self.next_url,
                "may_make_synonyms": form.may_make_synonyms,
            }
        )
        return context


class DemandReportView(WagtailAdminTemplateMixin, TemplateView):
    """处理情况月报: per center and month, the lines closed and the no-result rate."""

    template_name = "search/admin/demand_report.html"
    page_title = "处理情况月报"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not demand_scope(request).may_view:
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("search_demand:index"), "label": "需求清单"},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = demand_scope(self.request)
        center = (self.request.GET.get("center") or "").strip()
        try:
            months = int(self.request.GET.get("months") or DEFAULT_MONTHS)
        except ValueError:
            months = DEFAULT_MONTHS
        if months not in MONTH_CHOICES:
            months = DEFAULT_MONTHS
        try:
            center_codes = scope.center_codes(center)
        except PermissionError:
            raise PermissionDenied from None
        context.update(
            {
                "rows": demand_report(center_codes=center_codes, months=months, scope=scope),
                "center": center,
                "center_choices": scope.choices(),
                "months": months,
                "month_choices": MONTH_CHOICES,
                "demand_url": reverse("search_demand:index"),
            }
        )
        return context


demand_urls = [
    path("", DemandListView.as_view(), name="index"),
    path("handle/", mark_demand_handled, name="handle"),
    path("act/", DemandActionView.as_view(), name="act"),
    path("report/", DemandReportView.as_view(), name="report"),
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
        items.append(
            DemandMenuItem(
                "需求处理月报",
                reverse("search_demand:report"),
                name="search-demand-report",
                icon_name="doc-full",
                order=len(items) + 1,
            )
        )
        return items


modeladmin_register(SearchGroup)
