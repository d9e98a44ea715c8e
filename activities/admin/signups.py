"""The organisers' sign-up admin (活动报名), a menu item of its own.

An index of the sessions that take sign-ups (upcoming, and recently held for 签到), and
per session: the sign-ups with masked numbers and the waitlist order, attendance saved in
one POST once the session has started, cancelling a sign-up (the waitlist moves up), and
the Excel list, the only place numbers are shown in full. A center's editor manages the
sessions of the centers whose pages they may edit; a district editor all of them; anyone
else gets 403. The rules are ``activities.registration.service``'s.
"""

from datetime import timedelta
from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from activities.models import Occurrence, SignUp
from activities.registration import service
from activities.registration.admin_listing import sign_up_rows
from activities.registration.export import CONTENT_TYPE, export_file_name, sign_ups_workbook
from activities.scheduling import describe_span
from district.permissions import editable_center_ids, is_district_editor

#: The index lists sessions up to this far ahead, and those held this recently (签到).
DAYS_AHEAD = 30
DAYS_BACK = 14
TEMPLATES = "activities/registration/admin/"


def forbidden(request):
    """A 403 page in the admin (Wagtail itself would redirect to the dashboard)."""
    return TemplateResponse(
        request,
        TEMPLATES + "forbidden.html",
        {"page_title": "没有权限", "header_icon": "warning"},
        status=403,
    )


def answers_403(view):
    """Turns the PermissionDenied that ``view`` raises into the admin's 403 page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)

    return wrapped


def managed_occurrences(user):
    """The sessions taking sign-ups that ``user`` may manage (their centers' ones)."""
    occurrences = Occurrence.objects.filter(activity__signup_required=True)
    if is_district_editor(user):
        return occurrences
    return occurrences.filter(center_id__in=editable_center_ids(user))


def may_manage_sign_ups(user) -> bool:
    return is_district_editor(user) or bool(editable_center_ids(user))


def managed_occurrence(request, occurrence_id):
    """The session, or 404 when there is none taking sign-ups, 403 when it is another
    center's."""
    occurrence = get_object_or_404(
        Occurrence.objects.select_related("activity__room", "center").with_sign_up_counts(),
        pk=occurrence_id,
        activity__signup_required=True,
    )
    if not managed_occurrences(request.user).filter(pk=occurrence.pk).exists():
        raise PermissionDenied
    return occurrence


class SignUpIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = TEMPLATES + "index.html"
    page_title = "活动报名"
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not may_manage_sign_ups(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        now = timezone.now()
        occurrences = (
            managed_occurrences(self.request.user)
            .filter(ends_at__gt=now - timedelta(days=DAYS_BACK))
            .filter(starts_at__lt=now + timedelta(days=DAYS_AHEAD))
            .select_related("activity__room", "center")
            .with_sign_up_counts()
            .order_by("starts_at", "activity__title", "pk")
        )
        held, coming = [], []
        for occurrence in occurrences:
            occurrence.when = describe_span(occurrence)
            occurrence.admin_url = reverse("activities_sign_ups:occurrence", args=[occurrence.pk])
            (held if occurrence.starts_at <= now else coming).append(occurrence)
        return super().get_context_data(
            **kwargs,
            coming=coming,
            held=held[::-1],  # the most recent first
            days_ahead=DAYS_AHEAD,
            days_back=DAYS_BACK,
            several_centers=len({o.center_id for o in held + coming}) > 1,
        )


class OccurrenceSignUpsView(WagtailAdminTemplateMixin, TemplateView):
    """One session's sign-ups; POST saves attendance or cancels one sign-up."""

    template_name = TEMPLATES + "occurrence.html"
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        self.occurrence = managed_occurrence(request, kwargs["occurrence_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.occurrence.activity.title} 报名"

    def get_page_subtitle(self):
        return describe_span(self.occurrence)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("activities_sign_ups:index"), "label": "活动报名"},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        occurrence = self.occurrence
        rows = sign_up_rows(occurrence)
        return super().get_context_data(
            **kwargs,
            occurrence=occurrence,
            activity=occurrence.activity,
            when=describe_span(occurrence),
            rows=[row for row in rows if row.sign_up.status != "cancelled"],
            cancelled_rows=[row for row in rows if row.sign_up.status == "cancelled"],
            places_left=service.places_left(occurrence),
            has_started=occurrence.starts_at <= timezone.now(),
            export_url=reverse("activities_sign_ups:export", args=[occurrence.pk]),
            public_url=reverse("activities:sign_up", args=[occurrence.pk]),
        )

    def post(self, request, *args, **kwargs):
        if "cancel" in request.POST:
            self.cancel_sign_up(request.POST["cancel"])
        else:
            self.save_attendance(request.POST.getlist("attended"))
        return redirect(request.path)

    def cancel_sign_up(self, sign_up_id):
        sign_up = get_object_or_404(
            SignUp, pk=sign_up_id if sign_up_id.isdigit() else None, occurrence=self.occurrence
        )
        try:
            promoted = service.cancel(sign_up)
        except ValidationError as error:
            messages.error(self.request, error.messages[0])
            return
        text = f"已取消{sign_up.name}的报名。"
        if promoted:
            text += "候补转正：" + "、".join(row.name for row in promoted) + "。"
        messages.success(self.request, text)

    def save_attendance(self, values):
        try:
            attended = service.attendance(
                self.occurrence, [value for value in values if value.isdigit()]
            )
        except ValidationError as error:
            messages.error(self.request, error.messages[0])
            return
        messages.success(self.request, f"签到已保存：到场{len(attended)}人。")


def export_sign_ups(request, occurrence_id):
    occurrence = managed_occurrence(request, occurrence_id)
    content = sign_ups_workbook(occurrence, sign_up_rows(occurrence))
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, export_file_name(occurrence))
    return response


app_name = "activities_sign_ups"
urlpatterns = [
    path("", answers_403(SignUpIndexView.as_view()), name="index"),
    path(
        "<int:occurrence_id>/",
        answers_403(OccurrenceSignUpsView.as_view()),
        name="occurrence",
    ),
    path("<int:occurrence_id>/export/", answers_403(export_sign_ups), name="export"),
]


@hooks.register("register_admin_urls")
def register_sign_up_urls():
    return [path("activities/sign-ups/", include((urlpatterns, app_name), namespace=app_name))]


class SignUpMenuItem(MenuItem):
    def is_shown(self, request):
        return may_manage_sign_ups(request.user)


@hooks.register("register_activities_menu_item")
def register_sign_up_menu_item():
    return SignUpMenuItem(
        "活动报名",
        reverse("activities_sign_ups:index"),
        name="activity-sign-ups",
        icon_name="group",
        order=310,
    )
