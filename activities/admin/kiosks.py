"""The admin of lobby screens (大厅屏): each center's kiosks with their slides, the setup
page that carries a kiosk's secret token to its screen, and the fleet's health (a list by
center and a dashboard panel of the silent screens).

A center's editors manage their own centers' kiosks (the activities' permission rule,
``ActivityPermissionHelper``); district editors manage all. The token is shown only here,
in the setup link ``/kiosk/<code>/<slug>/?token=…`` that staff open once on the screen;
issuing a new one cuts off the screen holding the old one.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import CreateView, EditView

from activities.admin.activities import (
    MENU_HOOK,
    ActivityPermissionHelper,
    CenterFilter,
    admin_column,
    centers_of,
)
from activities.forms import editor_centers, may_manage_center
from activities.kiosk.health import (
    fleet_health,
    health_of,
    kiosks_for_health,
    local_time_label,
)
from activities.models.kiosks import DEFAULT_SLIDES, Kiosk, KioskSlide, new_kiosk_token
from catalog.clock import clock_at

SETUP_URL_NAME = "activities_kiosk_setup"
NEW_TOKEN_URL_NAME = "activities_kiosk_new_token"
HEALTH_URL_NAME = "activities_kiosk_health"


# -- where a screen lives ------------------------------------------------------------------


def screen_path(kiosk) -> str:
    """The public screen's path, ``/kiosk/<center code>/<slug>/``."""
    try:
        return reverse("kiosk:screen", args=[kiosk.center.code, kiosk.slug])
    except NoReverseMatch:  # the fixed path of the kiosk contract
        return f"/kiosk/{kiosk.center.code}/{kiosk.slug}/"


def setup_path(kiosk) -> str:
    """The screen's path carrying its token: opened once on the box, never published."""
    return f"{screen_path(kiosk)}?{urlencode({'token': kiosk.token})}"


def qr_svg(url: str, title: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=5, border=2, title=title)


def may_use_kiosks(user) -> bool:
    return any(user.has_perm(f"activities.{action}_kiosk") for action in ("change", "view"))


# -- the form ------------------------------------------------------------------------------


class KioskAdminForm(WagtailAdminModelForm):
    """The editor's own centers only; their only center is chosen for them."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and "center" in self.fields:
            centers = centers_of(for_user)
            self.fields["center"].queryset = centers
            self.fields["center"].widget = forms.Select(choices=self.fields["center"].choices)
            if not self.instance.center_id and len(centers) == 1:
                self.initial["center"] = centers[0].pk

    def clean_slug(self):
        return (self.cleaned_data.get("slug") or "").lower()


class KioskCreateView(CreateView):
    """A kiosk saved without slides gets the default rotation; then its setup page."""

    def form_valid(self, form):
        with transaction.atomic():
            self.instance = form.save()
            if not self.instance.slides.exists():
                KioskSlide.objects.bulk_create(
                    KioskSlide(kiosk=self.instance, kind=kind, seconds=seconds, sort_order=order)
                    for order, (kind, seconds) in enumerate(DEFAULT_SLIDES)
                )
        messages.success(
            self.request,
            f"已添加大厅屏“{self.instance.name}”。请在屏幕上打开下面的安装链接。",
        )
        return redirect(SETUP_URL_NAME, self.instance.pk)


class KioskEditView(EditView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["screen_url"] = self.request.build_absolute_uri(screen_path(self.instance))
        return context


class KioskAdmin(ModelAdmin):
    model = Kiosk
    menu_label = "大厅屏"
    menu_icon = "desktop"
    add_to_admin_menu = False  # in the 活动与功能室 group, through MENU_HOOK
    permission_helper_class = ActivityPermissionHelper
    create_view_class = KioskCreateView
    edit_view_class = KioskEditView
    edit_template_name = "activities/admin/kiosk_edit.html"
    list_display = (
        "name",
        "center",
        "place",
        "orientation",
        "last_seen",
        "status",
        "reported",
        "setup",
    )
    list_filter = (CenterFilter,)
    search_fields = ("name", "place")
    ordering = ["center__code", "name"]

    def get_edit_handler(self):
        return ObjectList(Kiosk.panels, base_form_class=KioskAdminForm).bind_to_model(Kiosk)

    def get_queryset(self, request):
        # One clock (one holiday query) for the rows of this listing.
        self.listing_clock = clock_at()
        queryset = kiosks_for_health(super().get_queryset(request))
        is_district, center_ids = editor_centers(request.user)
        return queryset if is_district else queryset.filter(center_id__in=center_ids)

    def health(self, obj):
        if not hasattr(obj, "_health"):
            obj._health = health_of(obj, getattr(self, "listing_clock", None) or clock_at())
        return obj._health

    @admin_column("最近心跳")
    def last_seen(self, obj):
        health = self.health(obj)
        return format_html(
            '<span title="{}">{}</span>', local_time_label(obj.last_seen_at), health.last_seen_label
        )

    @admin_column("状态")
    def status(self, obj):
        health = self.health(obj)
        classname = "w-status w-status--primary" if health.silent else "w-status"
        return format_html('<span class="{}">{}</span>', classname, health.label)

    @admin_column("页面版本 / 屏幕")
    def reported(self, obj):
        parts = [obj.reported_version, obj.reported_screen]
        return " / ".join(part for part in parts if part) or "—"

    @admin_column("安装")
    def setup(self, obj):
        return format_html(
            '<a href="{}">安装链接与二维码</a>', reverse(SETUP_URL_NAME, args=[obj.pk])
        )


kiosk_admin = KioskAdmin()
kiosk_admin.register_with_wagtail()


@hooks.register(MENU_HOOK)
def register_kiosk_menu_item():
    return kiosk_admin.get_menu_item(order=kiosk_admin.get_menu_order())


# -- setup: the screen's addresses and its token -------------------------------------------


def managed_kiosk(request, kiosk_id) -> Kiosk:
    kiosk = get_object_or_404(Kiosk.objects.select_related("center"), pk=kiosk_id)
    if not request.user.has_perm("activities.change_kiosk") or not may_manage_center(
        request.user, kiosk.center_id
    ):
        raise PermissionDenied
    return kiosk


class KioskSetupView(WagtailAdminTemplateMixin, TemplateView):
    """The screen's public address, its setup link (with the token) and that link's QR."""

    template_name = "activities/admin/kiosk_setup.html"
    header_icon = "desktop"

    def dispatch(self, request, kiosk_id):
        self.kiosk = managed_kiosk(request, kiosk_id)
        return super().dispatch(request, kiosk_id)

    def get_page_title(self):
        return f"安装大厅屏：{self.kiosk}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": kiosk_admin.url_helper.index_url, "label": "大厅屏"},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        setup_url = self.request.build_absolute_uri(setup_path(self.kiosk))
        context.update(
            kiosk=self.kiosk,
            screen_url=self.request.build_absolute_uri(screen_path(self.kiosk)),
            setup_url=setup_url,
            setup_qr=mark_safe(qr_svg(setup_url, "安装链接二维码")),
            health=health_of(self.kiosk, clock_at()),
            last_seen_at=local_time_label(self.kiosk.last_seen_at),
            edit_url=kiosk_admin.url_helper.get_action_url("edit", self.kiosk.pk),
            new_token_url=reverse(NEW_TOKEN_URL_NAME, args=[self.kiosk.pk]),
        )
        return context


@require_POST
def issue_new_token(request, kiosk_id):
    """A new token for the kiosk: the screen holding the old one can no longer report."""
    kiosk = managed_kiosk(request, kiosk_id)
    Kiosk.objects.filter(pk=kiosk.pk).update(token=new_kiosk_token())
    messages.success(request, "已生成新的安装链接，旧链接作废。请在屏幕上重新打开新链接。")
    return redirect(SETUP_URL_NAME, kiosk.pk)


# -- fleet health --------------------------------------------------------------------------


def kiosks_of(user):
    is_district, center_ids = editor_centers(user)
    kiosks = Kiosk.objects.all()
    return kiosks if is_district else kiosks.filter(center_id__in=center_ids)


class KioskHealthView(WagtailAdminTemplateMixin, TemplateView):
    """大厅屏运行状况: every kiosk of the editor's centers by center, silent ones marked."""

    template_name = "activities/admin/kiosk_health.html"
    header_icon = "desktop"
    page_title = "大厅屏运行状况"

    def dispatch(self, request):
        if not may_use_kiosks(request.user):
            raise PermissionDenied
        return super().dispatch(request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fleet = fleet_health(kiosks_of(self.request.user))
        groups = []
        for health in fleet:
            if not groups or groups[-1]["center"].pk != health.kiosk.center_id:
                groups.append({"center": health.kiosk.center, "kiosks": []})
            groups[-1]["kiosks"].append(health)
        context.update(
            groups=groups,
            silent_count=sum(health.silent for health in fleet),
            checked_at=local_time_label(timezone.now()),
            index_url=kiosk_admin.url_helper.index_url,
            may_edit=self.request.user.has_perm("activities.change_kiosk"),
        )
        return context


class KioskHealthMenuItem(MenuItem):
    def is_shown(self, request):
        return may_use_kiosks(request.user)


@hooks.register(MENU_HOOK)
def register_kiosk_health_menu_item():
    return KioskHealthMenuItem(
        "大厅屏运行状况",
        reverse(HEALTH_URL_NAME),
        name="activities-kiosk-health",
        icon_name="pick",
        order=kiosk_admin.get_menu_order() + 1,
    )


@hooks.register("register_admin_urls")
def register_kiosk_urls():
    return [
        path("activities/kiosks/health/", KioskHealthView.as_view(), name=HEALTH_URL_NAME),
        path(
            "activities/kiosks/<int:kiosk_id>/setup/",
            KioskSetupView.as_view(),
            name=SETUP_URL_NAME,
        ),
        path(
            "activities/kiosks/<int:kiosk_id>/new-token/",
            issue_new_token,
            name=NEW_TOKEN_URL_NAME,
        ),
    ]


class SilentKiosksPanel(Component):
    """On the dashboard: the screens of the editor's centers that have gone silent."""

    name = "silent_kiosks"
    order = 60
    template_name = "activities/admin/kiosk_silent_panel.html"

    def __init__(self, silent, may_edit):
        self.silent = silent
        self.may_edit = may_edit

    def get_context_data(self, parent_context=None):
        return {
            "silent": self.silent,
            "health_url": reverse(HEALTH_URL_NAME),
            "may_edit": self.may_edit,
        }


@hooks.register("construct_homepage_panels")
def add_silent_kiosks_panel(request, panels):
    if not may_use_kiosks(request.user):
        return
    silent = [health for health in fleet_health(kiosks_of(request.user)) if health.silent]
    if silent:
        panels.append(SilentKiosksPanel(silent, request.user.has_perm("activities.change_kiosk")))
