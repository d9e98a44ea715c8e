"""The admin side of 按期公开: the report of what each center owes (/admin/disclosures/
cadence/), the dashboard's 公开提醒 panel, and the 公开频次规则 snippets.

Everyone sees only the centers they may edit (district/permissions.py); superusers and
district editors see all. Default rules (no center) are changed by district editors only;
a center's own rules by that center's editors (who also need the Django permissions
disclosures.add/change/delete_cadencerule in their group to reach the snippets at all).
"""

from __future__ import annotations

from contextvars import ContextVar

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.dispatch import receiver
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page
from wagtail.signals import init_new_page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, EditView, SnippetViewSet

from disclosures.cadence import DUE_SOON_DAYS, boards_of, cadence_report, needs_attention
from disclosures.models import CadenceRule, DisclosureKind, DisclosurePage, Period, PeriodKind
from district.permissions import editable_center_ids, editable_centers, is_district_editor

REPORT_URL_NAME = "disclosures_cadence"


# -- whose centers ---------------------------------------------------------------------------


def centers_of(user):
    """The centers ``user`` may edit, in the tree's order (all for district editors)."""
    return editable_centers(user).order_by("path")


def may_see_cadence(user) -> bool:
    return user.is_authenticated and (is_district_editor(user) or bool(editable_center_ids(user)))


def add_disclosure_url(board, obligation=None) -> str:
    """The admin's form for a new disclosure on ``board``; for a periodic ``obligation``
    the form opens with its type and period filled in (see ``prefill_new_disclosure``)."""
    url = reverse("wagtailadmin_pages:add", args=("disclosures", "disclosurepage", board.pk))
    if obligation is None or obligation.period.kind == PeriodKind.MATTER:
        return url
    period = obligation.period
    query = {"kind": obligation.kind, "period_kind": period.kind, "period_year": period.year}
    if period.number:
        query["period_number"] = period.number
    return f"{url}?{urlencode(query)}"


# The add-page view runs the before_create_page hook (which sees the request) and then,
# for the empty form, sends init_new_page (which sees the new page): the hook notes the
# period asked for in the link, the signal fills it in. Every create request sets it anew.
_asked_period: ContextVar[dict | None] = ContextVar("disclosures_asked_period", default=None)


def _period_from(query) -> dict | None:
    kind, period_kind = query.get("kind"), query.get("period_kind")
    if kind not in DisclosureKind.values or period_kind not in PeriodKind.values:
        return None
    if period_kind == PeriodKind.MATTER:
        return None
    try:
        year = int(query.get("period_year", ""))
        number = int(query["period_number"]) if period_kind != PeriodKind.YEAR else None
    except (KeyError, ValueError):
        return None
    return {"kind": kind, "period_kind": period_kind, "period_year": year, "number": number}


@hooks.register("before_create_page")
def note_asked_period(request, parent_page, page_class):
    asked = _period_from(request.GET) if page_class is DisclosurePage else None
    _asked_period.set(asked)


@receiver(init_new_page)
def prefill_new_disclosure(sender, page, parent, **kwargs):
    asked = _asked_period.get()
    _asked_period.set(None)
    if asked is None or not isinstance(page, DisclosurePage):
        return
    period = Period(asked["period_kind"], asked["period_year"], asked["number"])
    page.kind = asked["kind"]
    page.period_kind, page.period_year, page.period_number = period.kind, period.year, period.number
    page.title = f"{period.label}{DisclosureKind(page.kind).label}"
    page.slug = f"{page.kind}-{period.key}".lower()


def add_board_url(center) -> str:
    return reverse("wagtailadmin_pages:add", args=("disclosures", "disclosureboardpage", center.pk))


def attention_by_street(user, today):
    """``[{"title": street, "centers": [{center, board, items, add_url, …}]}]``: what the
    user's centers owe that is overdue or due within DUE_SOON_DAYS, grouped by the page
    above each center (its street)."""
    centers = list(centers_of(user))
    boards = boards_of(centers)
    report = cadence_report(centers, today, boards=boards)
    steplen = Page.steplen
    parents = {
        page.path: page.title
        for page in Page.objects.filter(path__in={c.path[:-steplen] for c in centers})
    }
    groups: dict[str, dict] = {}
    for center, found in report:
        parent = center.path[:-steplen]
        group = groups.setdefault(parent, {"title": parents.get(parent, ""), "centers": []})
        items = needs_attention(found, today)
        group["centers"].append(
            {
                "center": center,
                "has_board": center.pk in boards,
                "items": [_row(item, today) for item in items],
                "overdue": sum(item.is_overdue for item in items),
                "add_board_url": add_board_url(center),
            }
        )
    return list(groups.values())


def _row(obligation, today) -> dict:
    """What the report shows of one obligation, with where to act on it."""
    if obligation.draft is not None:
        action_url = reverse("wagtailadmin_pages:edit", args=(obligation.draft.pk,))
        action_label = "编辑草稿"
    else:
        action_url = add_disclosure_url(obligation.board, obligation)
        action_label = "添加公开事项"
    if obligation.is_overdue:
        status_label = f"已逾期 {obligation.days_overdue(today)} 天"
    elif obligation.days_left(today) == 0:
        status_label = "今天到期"
    else:
        status_label = f"还有 {obligation.days_left(today)} 天"
    return {
        "obligation": obligation,
        "status_label": status_label,
        "action_url": action_url,
        "action_label": action_label,
    }


# -- the report ---------------------------------------------------------------------------


class CadenceReportView(WagtailAdminTemplateMixin, TemplateView):
    """按期公开: per center (by street) what is overdue and what falls due soon."""

    template_name = "disclosures/admin/cadence/report.html"
    header_icon = "date"
    page_title = "按期公开"

    def dispatch(self, request, *args, **kwargs):
        if not may_see_cadence(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        groups = attention_by_street(self.request.user, today)
        centers = [center for group in groups for center in group["centers"]]
        context.update(
            today=today,
            soon_days=DUE_SOON_DAYS,
            groups=groups,
            overdue_count=sum(center["overdue"] for center in centers),
            due_count=sum(len(center["items"]) - center["overdue"] for center in centers),
            rules_url=reverse(cadence_rule_viewset.get_url_name("list")),
        )
        return context


class CadenceMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_cadence(request.user)


@hooks.register("register_admin_menu_item")
def register_cadence_menu_item():
    return CadenceMenuItem(
        "按期公开", reverse(REPORT_URL_NAME), name="disclosures-cadence", icon_name="date",
        order=310,
    )  # fmt: skip


@hooks.register("register_admin_urls")
def register_cadence_urls():
    return [path("disclosures/cadence/", CadenceReportView.as_view(), name=REPORT_URL_NAME)]


# -- the dashboard ----------------------------------------------------------------------------


class DisclosureRemindersPanel(Component):
    """On the dashboard: how many of the editor's disclosures are overdue or due soon,
    and which are overdue."""

    name = "disclosure_reminders"
    order = 55
    template_name = "disclosures/admin/cadence/panel.html"

    def __init__(self, items, today):
        self.items = items
        self.today = today

    def get_context_data(self, parent_context=None):
        overdue = [row for row in self.items if row["obligation"].is_overdue]
        return {
            "overdue": overdue,
            "overdue_count": len(overdue),
            "due_count": len(self.items) - len(overdue),
            "soon_days": DUE_SOON_DAYS,
            "report_url": reverse(REPORT_URL_NAME),
        }


@hooks.register("construct_homepage_panels")
def add_disclosure_reminders_panel(request, panels):
    if not may_see_cadence(request.user):
        return
    today = timezone.localdate()
    items = [
        _row(obligation, today)
        for _center, found in cadence_report(centers_of(request.user), today)
        for obligation in needs_attention(found, today)
    ]
    panels.append(DisclosureRemindersPanel(items, today))


# -- the rules (snippets) --------------------------------------------------------------------


def may_edit_rule(user, rule) -> bool:
    """District editors change any rule; a center's editors only that center's rules."""
    if is_district_editor(user):
        return True
    return rule.center_id is not None and rule.center_id in editable_center_ids(user)


NO_DEFAULTS_FOR_CENTERS = "请选择服务中心：全区默认规则只能由区级编辑修改"


class CadenceRuleForm(WagtailAdminModelForm):
    """A center editor picks one of their own centers; only district editors may leave
    the center empty (a district default)."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.district = for_user is None or is_district_editor(for_user)
        if not self.district and "center" in self.fields:
            self.fields["center"].queryset = centers_of(for_user)
            self.fields["center"].required = True
            self.fields["center"].error_messages["required"] = NO_DEFAULTS_FOR_CENTERS
            self.fields["center"].help_text = "选择您负责的服务中心；全区默认规则由区级编辑修改"

    def clean_center(self):
        center = self.cleaned_data.get("center")
        if center is None and not self.district:
            raise forms.ValidationError(NO_DEFAULTS_FOR_CENTERS)
        return center


class RuleEditView(EditView):
    def get_object(self, queryset=None):
        rule = super().get_object(queryset)
        if not may_edit_rule(self.request.user, rule):
            raise PermissionDenied
        return rule


class RuleDeleteView(DeleteView):
    def get_object(self, queryset=None):
        rule = super().get_object(queryset)
        if not may_edit_rule(self.request.user, rule):
            raise PermissionDenied
        return rule


class CadenceRuleViewSet(SnippetViewSet):
    model = CadenceRule
    menu_label = "公开频次规则"
    menu_name = "disclosure-cadence-rules"
    icon = "time"
    add_to_admin_menu = False  # reached from the 按期公开 report
    list_display = ["__str__", "kind", "frequency", "due_day", "within_days", "active"]
    list_filter = ["kind", "frequency", "active"]
    ordering = ["center__path", "kind", "frequency"]
    edit_view_class = RuleEditView
    edit_handler = ObjectList(CadenceRule.panels, base_form_class=CadenceRuleForm)
    delete_view_class = RuleDeleteView

    def get_queryset(self, request):
        rules = CadenceRule.objects.select_related("center")
        if is_district_editor(request.user):
            return rules
        # The defaults stay visible (read-only) so editors know what they override.
        return rules.filter(
            Q(center__isnull=True) | Q(center_id__in=editable_center_ids(request.user))
        )


cadence_rule_viewset = CadenceRuleViewSet()
register_snippet(cadence_rule_viewset)
