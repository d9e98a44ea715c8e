"""The editors' side of the committee's review (公开审核).

- 提交审核 on a disclosure whose center has no committee able to reach its quorum is
  turned into 保存草稿 with the reason (nothing typed is lost); otherwise the editor lands
  on the page's 审核链接 (/admin/disclosures/review/<page id>/) with the links the task
  just issued.
- 审核链接: each member (mobile masked), the link and its QR code while this editor's
  session holds it (links are shown only to who issued them: the database keeps the
  nonce's hash only), expiry, use and decision, 重新生成 per member or for all, and the
  printable QR slips. Reached from the page header's menu and from the 公开审核 menu item
  (disclosures in review at the centers the user may edit).
- 居务监督委员会 snippets: members and quorum per center, for that center's editors.
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import mark_safe
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import Button
from wagtail.models import TaskState
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, EditView, SnippetViewSet

from activities.kiosk.qr import qr_svg
from disclosures import review
from disclosures.models import (
    DisclosurePage,
    ReviewDecision,
    ReviewLink,
    SupervisionCommittee,
    SupervisionCommitteeTask,
)
from district.permissions import editable_center_ids, is_district_editor, may_edit_center
from jiamenkou.privacy import mask_personal_numbers

TEMPLATES = "disclosures/admin/review/"
SESSION_KEY = "disclosures_review_links"
STATUS_LABELS = {
    None: "未使用",
    review.USED: "已使用",
    review.EXPIRED: "已过期",
    review.SUPERSEDED: "已作废",
    review.NOT_IN_REVIEW: "审核已结束",
    review.NOT_A_MEMBER: "已不在任",
}


# -- what is in review -------------------------------------------------------------------


def committee_task_states():
    return TaskState.objects.filter(
        task__content_type__app_label="disclosures",
        task__content_type__model="supervisioncommitteetask",
    )


def current_task_state(page):
    """The page's committee task state in progress, or None."""
    return (
        committee_task_states()
        .filter(
            workflow_state__object_id=str(page.pk),
            workflow_state__base_content_type_id=page.get_base_content_type().pk,
            status=TaskState.STATUS_IN_PROGRESS,
        )
        .select_related("revision", "workflow_state")
        .first()
    )


def latest_task_state(page):
    return (
        committee_task_states()
        .filter(
            workflow_state__object_id=str(page.pk),
            workflow_state__base_content_type_id=page.get_base_content_type().pk,
        )
        .order_by("-started_at", "-pk")
        .first()
    )


def pages_in_review(user):
    """The disclosures waiting for their committee that ``user`` may edit."""
    ids = committee_task_states().filter(status=TaskState.STATUS_IN_PROGRESS)
    ids = ids.values_list("workflow_state__object_id", flat=True)
    pages = DisclosurePage.objects.filter(pk__in=[int(pk) for pk in ids]).order_by("path")
    return [page for page in pages if page.permissions_for_user(user).can_edit()]


def editable_disclosure(request, page_id) -> DisclosurePage:
    page = get_object_or_404(DisclosurePage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page


def uses_review(workflow) -> bool:
    return workflow is not None and any(
        isinstance(task.specific, SupervisionCommitteeTask) for task in workflow.tasks
    )


# -- the links an editor issued (kept in their session only) ------------------------------


def remember_links(request, task_state_id, issued) -> None:
    kept = request.session.get(SESSION_KEY, {})
    mine = kept.setdefault(str(task_state_id), {})
    for member, url in issued:
        mine[str(member.pk)] = url
    request.session[SESSION_KEY] = kept


def remembered_links(request, task_state_id) -> dict[int, str]:
    """member id → URL of the links this editor issued that can still be used."""
    urls = request.session.get(SESSION_KEY, {}).get(str(task_state_id), {})
    usable = {}
    for member_id, url in urls.items():
        found = review.verify(url.rstrip("/").rsplit("/", 1)[-1])
        if isinstance(found, ReviewLink):
            usable[int(member_id)] = url
    return usable


def link_id_of(url) -> int | None:
    try:
        return signing.loads(url.rstrip("/").rsplit("/", 1)[-1], salt=review.SALT)["l"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


def member_rows(request, page, task_state) -> list[dict]:
    committee = review.committee_of(page.center)
    if committee is None or task_state is None:
        return []
    fresh = remembered_links(request, task_state.pk) if task_state else {}
    decisions = {d.member_id: d for d in ReviewDecision.objects.filter(task_state=task_state)}
    rows = []
    for member in committee.members.order_by("sort_order", "pk"):
        link = task_state.review_links.filter(member=member).order_by("-pk").first()
        if link is None and not member.active:
            continue
        url = fresh.get(member.pk)
        absolute = request.build_absolute_uri(url) if url else ""
        label = f"{member.name}的审核链接二维码"
        rows.append(
            {
                "member": member,
                "mobile": mask_personal_numbers(member.mobile),
                "link": link,
                "status": STATUS_LABELS.get(review.link_problem(link), "") if link else "未生成",
                "decision": decisions.get(member.pk),
                "url": absolute,
                "qr": mark_safe(qr_svg(absolute, label)) if absolute else "",
            }
        )
    return rows


# -- views -------------------------------------------------------------------------------


class ReviewIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = TEMPLATES + "index.html"
    page_title = "公开审核"
    header_icon = "tasks"

    def get_context_data(self, **kwargs):
        rows = []
        for page in pages_in_review(self.request.user):
            task_state = current_task_state(page)
            committee = review.committee_of(page.center)
            rows.append(
                {
                    "page": page,
                    "center": page.center,
                    "submitted_at": task_state.started_at,
                    "approvals": review.approvals_of(task_state).count(),
                    "quorum": committee.quorum if committee else None,
                    "links_url": reverse("disclosures_review:links", args=[page.pk]),
                }
            )
        return super().get_context_data(**kwargs, rows=rows)


class ReviewLinksView(WagtailAdminTemplateMixin, TemplateView):
    """One disclosure's links; POST issues new ones (``member``: one member, else all)."""

    template_name = TEMPLATES + "links.html"
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        self.page = editable_disclosure(request, kwargs["page_id"])
        self.task_state = current_task_state(self.page)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return "审核链接"

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("disclosures_review:index"), "label": "公开审核"},
            {"url": "", "label": f"审核链接：{self.page.title}"},
        ]

    def get_context_data(self, **kwargs):
        page = self.page
        task_state = self.task_state or latest_task_state(page)
        committee = review.committee_of(page.center)
        rows = member_rows(self.request, page, task_state)
        return super().get_context_data(
            **kwargs,
            page=page,
            in_review=self.task_state is not None,
            task_state=task_state,
            committee=committee,
            problem=review.committee_problem(page.center),
            rows=rows,
            any_fresh=any(row["url"] for row in rows),
            approvals=review.approvals_of(task_state).count() if task_state else 0,
            edit_url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
            print_url=reverse("disclosures_review:slips", args=[page.pk]),
        )

    def post(self, request, *args, **kwargs):
        if self.task_state is None:
            messages.error(request, "这条公开事项不在审核中，不能生成审核链接。")
            return redirect(request.path)
        committee = review.committee_of(self.page.center)
        members = None
        if request.POST.get("member"):
            members = list(
                committee.active_members().filter(pk=request.POST["member"])
                if committee and request.POST["member"].isdigit()
                else []
            )
            if not members:
                raise Http404
        try:
            issued = review.issue_links(self.task_state, request.user, members=members)
        except review.ReviewRefused as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        remember_links(request, self.task_state.pk, issued)
        names = "、".join(member.name for member, _url in issued)
        messages.success(request, f"已为{names}生成新的审核链接，旧链接随即作废。")
        return redirect(request.path)


def slips_view(request, page_id):
    """The QR slips of the links this editor holds, one per member, to print and cut."""
    page = editable_disclosure(request, page_id)
    task_state = current_task_state(page)
    rows = [row for row in member_rows(request, page, task_state) if row["url"]]
    return TemplateResponse(
        request,
        TEMPLATES + "slips.html",
        {
            "page": page,
            "center": page.center,
            "rows": rows,
            "links_url": reverse("disclosures_review:links", args=[page.pk]),
        },
    )


app_name = "disclosures_review"
urlpatterns = [
    path("", ReviewIndexView.as_view(), name="index"),
    path("<int:page_id>/", ReviewLinksView.as_view(), name="links"),
    path("<int:page_id>/print/", slips_view, name="slips"),
]


@hooks.register("register_admin_urls")
def register_review_urls():
    from django.urls import include

    return [path("disclosures/review/", include((urlpatterns, app_name), namespace=app_name))]


class ReviewMenuItem(MenuItem):
    def is_shown(self, request):
        return is_district_editor(request.user) or bool(editable_center_ids(request.user))


@hooks.register("register_admin_menu_item")
def register_review_menu_item():
    return ReviewMenuItem(
        "公开审核",
        reverse("disclosures_review:index"),
        name="disclosures-review",
        icon_name="tasks",
        order=311,
    )


@hooks.register("register_page_header_buttons")
def review_links_button(page, user, view_name, next_url=None):
    if page.specific_class is DisclosurePage and page.permissions_for_user(user).can_edit():
        yield Button(
            "审核链接",
            reverse("disclosures_review:links", args=[page.pk]),
            icon_name="tasks",
            priority=80,
        )


# -- submitting ----------------------------------------------------------------------------


def refuse_submit_without_committee(request, center, workflow):
    """提交审核 becomes 保存草稿 with the reason when the center cannot review."""
    if request.method != "POST" or not request.POST.get("action-submit"):
        return
    if not uses_review(workflow):
        return
    problem = review.committee_problem(center)
    if problem:
        request.POST = request.POST.copy()
        del request.POST["action-submit"]
        messages.error(request, problem + "（内容已保存为草稿。）")


@hooks.register("before_edit_page")
def before_edit_disclosure(request, page):
    if isinstance(page.specific, DisclosurePage):
        refuse_submit_without_committee(request, page.specific.center, page.get_workflow())


@hooks.register("before_create_page")
def before_create_disclosure(request, parent_page, page_class):
    if page_class is DisclosurePage:
        center = parent_page.get_parent().specific
        refuse_submit_without_committee(request, center, parent_page.get_workflow())


def show_links_after_submit(request, page):
    """After 提交审核: the links page, holding the links the task has just issued."""
    if not isinstance(page.specific, DisclosurePage) or not request.POST.get("action-submit"):
        return None
    task_state = current_task_state(page)
    if task_state is None:
        return None
    issued = review.take_fresh_links(task_state.pk)
    if issued:
        remember_links(request, task_state.pk, issued)
    return redirect("disclosures_review:links", page.pk)


hooks.register("after_edit_page", show_links_after_submit)
hooks.register("after_create_page", show_links_after_submit)


# -- the committees ------------------------------------------------------------------------


def may_edit_committee(user, committee) -> bool:
    return may_edit_center(user, committee.center_id)


class CommitteeForm(WagtailAdminModelForm):
    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and not is_district_editor(for_user):
            from district.models import CenterPage

            self.fields["center"].queryset = CenterPage.objects.filter(
                id__in=editable_center_ids(for_user)
            ).order_by("path")


class CommitteeEditView(EditView):
    def get_object(self, queryset=None):
        committee = super().get_object(queryset)
        if not may_edit_committee(self.request.user, committee):
            raise PermissionDenied
        return committee


class CommitteeDeleteView(DeleteView):
    def get_object(self, queryset=None):
        committee = super().get_object(queryset)
        if not may_edit_committee(self.request.user, committee):
            raise PermissionDenied
        return committee


class SupervisionCommitteeViewSet(SnippetViewSet):
    model = SupervisionCommittee
    menu_label = "居务监督委员会"
    menu_name = "supervision-committees"
    icon = "group"
    add_to_admin_menu = True
    menu_order = 312
    base_url_path = "disclosures/committees"
    url_namespace = "disclosures_committees"
    list_display = [
        "center",
        "quorum",
        Column("members_in_office", label="在任委员"),
        "link_valid_days",
    ]
    ordering = ["center__path"]
    edit_view_class = CommitteeEditView
    delete_view_class = CommitteeDeleteView
    edit_handler = ObjectList(SupervisionCommittee.panels, base_form_class=CommitteeForm)

    def get_queryset(self, request):
        committees = SupervisionCommittee.objects.select_related("center").annotate(
            members_in_office=Count("members", filter=Q(members__active=True))
        )
        if is_district_editor(request.user):
            return committees
        return committees.filter(center_id__in=editable_center_ids(request.user))


register_snippet(SupervisionCommitteeViewSet())
