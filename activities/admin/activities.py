"""The editors' admin of activities: the "活动与功能室" menu, the activity form and list,
the editable list of kinds, and a center's week as a calendar.

A center's editors list, create, edit and delete their own centers' activities (the
catalog's rule: the page permissions of ``district.permissions``); district editors see
all and keep the list of kinds. Saving goes through ``Activity.save``, so the one
scheduler refuses room clashes; the form shows its refusal and keeps what was typed.
Other admin modules add their menu items to the group with the hook
``register_activities_menu_item`` (a function returning a ``wagtail.admin.menu.MenuItem``).
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.admin import SimpleListFilter
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    get_form_for_model,
)
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register
from wagtail_modeladmin.views import CreateView, EditView

from activities.forms import (
    ActivityAdminForm,
    ActivityExceptionForm,
    editor_centers,
    may_manage_center,
)
from activities.models import Activity, ActivityKind, Occurrence, OccurrenceStatus
from activities.pages import schedule_words
from activities.scheduling import RoomClash, hours_warning_message
from catalog.opening import LOCAL_TZ, WEEKDAY_LABELS

MENU_HOOK = "register_activities_menu_item"


def admin_column(label):
    def decorate(method):
        method.short_description = label
        return method

    return decorate


def centers_of(user):
    """The centers ``user`` may plan activities for, by code."""
    from district.models import CenterPage

    centers = CenterPage.objects.order_by("code")
    is_district, center_ids = editor_centers(user)
    return centers if is_district else centers.filter(id__in=center_ids)


# -- permissions ---------------------------------------------------------------------------


class ActivityPermissionHelper(PermissionHelper):
    """A center's editors: their own centers' activities; district editors: all."""

    def user_can_create(self, user):
        is_district, center_ids = editor_centers(user)
        return super().user_can_create(user) and (is_district or bool(center_ids))

    def user_can_edit_obj(self, user, obj):
        return super().user_can_edit_obj(user, obj) and may_manage_center(user, obj.center_id)

    def user_can_delete_obj(self, user, obj):
        return super().user_can_delete_obj(user, obj) and may_manage_center(user, obj.center_id)

    def user_can_inspect_obj(self, user, obj):
        return super().user_can_inspect_obj(user, obj) and may_manage_center(user, obj.center_id)


class DistrictOnlyPermissionHelper(PermissionHelper):
    """Lists every center shares (the kinds of activity): the district keeps them."""

    def user_can_list(self, user):
        return super().user_can_list(user) and editor_centers(user)[0]

    def user_can_create(self, user):
        return super().user_can_create(user) and editor_centers(user)[0]

    def user_can_edit_obj(self, user, obj):
        return super().user_can_edit_obj(user, obj) and editor_centers(user)[0]

    def user_can_delete_obj(self, user, obj):
        return super().user_can_delete_obj(user, obj) and editor_centers(user)[0]


# -- the form ------------------------------------------------------------------------------


class ExceptionsPanel(InlinePanel):
    """The rows of 调整, built on ``ActivityExceptionForm`` (which takes its room choices
    from the activity's form)."""

    def get_form_options(self):
        options = super().get_form_options()
        child_options = self.child_edit_handler.get_form_options()
        deferred = child_options.get("defer_required_on_fields")
        options["formsets"][self.relation_name]["form"] = get_form_for_model(
            self.db_field.related_model,
            form_class=ActivityExceptionForm,
            **({"defer_required_on_fields": deferred} if deferred else {}),
        )
        return options


EXCEPTION_PANELS = [
    FieldRowPanel([FieldPanel("occurrence_date"), FieldPanel("action")]),
    FieldRowPanel(
        [FieldPanel("new_date"), FieldPanel("new_start_time"), FieldPanel("new_end_time")],
        heading=_("改到（改期时填写，不变的留空）"),
    ),
    FieldPanel("new_room"),
    FieldPanel("reason"),
]


class ActivityPanelsForm(ActivityAdminForm):
    """签到积分 may be left out or blank (older forms and scripts post without it): a new
    activity then earns none, an existing one keeps its points."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "points" in self.fields:
            self.fields["points"].required = False

    def clean_points(self):
        points = self.cleaned_data.get("points")
        return self.instance.points if points is None else points


ACTIVITY_PANELS = [
    MultiFieldPanel(
        [
            FieldPanel("title"),
            FieldRowPanel([FieldPanel("center", widget=forms.Select), FieldPanel("kind")]),
            FieldPanel("organizer"),
            FieldPanel("audiences", widget=forms.CheckboxSelectMultiple),
            FieldPanel("description"),
            FieldPanel("image"),
            FieldPanel("service"),
        ],
        heading=_("活动信息"),
    ),
    MultiFieldPanel(
        [
            FieldPanel("dtstart"),
            FieldPanel("all_day"),
            FieldRowPanel([FieldPanel("start_time"), FieldPanel("end_time")]),
            FieldPanel("freq", widget=forms.RadioSelect),
            FieldPanel("weekdays"),
            FieldPanel("monthly_by"),
            FieldRowPanel([FieldPanel("month_ordinals"), FieldPanel("month_weekday")]),
            FieldPanel("bymonthday"),
            FieldPanel("interval", help_text=_("每隔几天（周、月）一次；1 表示每天（周、月）都有")),
            FieldRowPanel(
                [
                    FieldPanel(
                        "until", help_text=_("截止日期和重复次数只填一个；都不填则一直重复")
                    ),
                    FieldPanel("count"),
                ]
            ),
            FieldPanel("skip_holidays"),
            FieldPanel("runs_on_makeup_workdays"),
        ],
        heading=_("时间与重复"),
    ),
    MultiFieldPanel(
        [FieldPanel("room"), FieldPanel("place_note")],
        heading=_("地点"),
        help_text=_("在本中心功能室举办的选择功能室（同一功能室不能同时安排两个活动）。"),
    ),
    MultiFieldPanel(
        [
            FieldRowPanel([FieldPanel("signup_required"), FieldPanel("capacity")]),
            FieldPanel("points"),
            FieldPanel("cost"),
            FieldRowPanel(
                [
                    FieldPanel("price"),
                    FieldPanel("price_unit"),
                    FieldPanel("market_reference_price"),
                ]
            ),
        ],
        heading=_("报名与收费"),
    ),
    ExceptionsPanel(
        "exceptions",
        panels=EXCEPTION_PANELS,
        heading=_("调整（取消或改期某一次）"),
        label=_("调整"),
    ),
]


class ActivityFormViewMixin:
    """Saving: a room clash found at the last moment is the form's error; a saved schedule
    with sessions outside the center's opening hours is saved, with a warning."""

    def form_valid(self, form):
        try:
            response = super().form_valid(form)
        except RoomClash:
            return self.form_invalid(form)
        warn_outside_hours(self.request, self.instance)
        return response


def warn_outside_hours(request, activity):
    """The upcoming sessions the scheduler found outside the center's opening hours."""
    outside = list(
        activity.occurrences.filter(outside_hours=True, ends_at__gte=timezone.now()).order_by(
            "starts_at"
        )
    )
    if outside:
        messages.warning(request, hours_warning_message(outside))


class ActivityCreateView(ActivityFormViewMixin, CreateView):
    pass


class ActivityEditView(ActivityFormViewMixin, EditView):
    pass


class CenterFilter(SimpleListFilter):
    title = _("所属中心")
    parameter_name = "center"

    def lookups(self, request, model_admin):
        return [(center.pk, center.title) for center in centers_of(request.user)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(center_id=self.value())
        return queryset


class ActivityAdmin(ModelAdmin):
    model = Activity
    menu_label = _("活动")
    menu_icon = "date"
    permission_helper_class = ActivityPermissionHelper
    create_view_class = ActivityCreateView
    edit_view_class = ActivityEditView
    index_template_name = "activities/admin/activity_index.html"
    create_template_name = "activities/admin/activity_create.html"
    edit_template_name = "activities/admin/activity_edit.html"
    list_display = ("title", "center", "kind", "room", "schedule", "next_session")
    list_filter = (CenterFilter, "kind", "freq")
    search_fields = ("title", "description")
    list_per_page = 50
    ordering = ["center__code", "title"]

    def get_edit_handler(self):
        return ObjectList(ACTIVITY_PANELS, base_form_class=ActivityPanelsForm).bind_to_model(
            Activity
        )

    def get_queryset(self, request):
        upcoming = (
            Occurrence.objects.filter(activity=OuterRef("pk"), ends_at__gte=timezone.now())
            .exclude(status=OccurrenceStatus.CANCELLED)
            .order_by("starts_at")
            .values("starts_at")[:1]
        )
        queryset = (
            super()
            .get_queryset(request)
            .select_related("center", "kind", "room")
            .annotate(next_starts_at=Subquery(upcoming))
        )
        is_district, center_ids = editor_centers(request.user)
        return queryset if is_district else queryset.filter(center_id__in=center_ids)

    @admin_column(_("时间安排"))
    def schedule(self, obj):
        return schedule_words(obj)

    @admin_column(_("下一次"))
    def next_session(self, obj):
        if obj.next_starts_at is None:
            return "—"
        start = obj.next_starts_at.astimezone(LOCAL_TZ)
        return f"{start:%Y-%m-%d}（{WEEKDAY_LABELS[start.weekday()]}）{start:%H:%M}"


class ActivityKindAdmin(ModelAdmin):
    model = ActivityKind
    menu_label = _("活动类型")
    menu_icon = "tag"
    permission_helper_class = DistrictOnlyPermissionHelper
    list_display = ("name", "sort_order")
    ordering = ["sort_order", "name"]


class CalendarMenuItem(MenuItem):
    def is_shown(self, request):
        return may_view_calendars(request.user)


class ActivitiesGroup(ModelAdminGroup):
    menu_label = _("活动与功能室")
    menu_icon = "date"
    menu_order = 210
    items = (ActivityAdmin, ActivityKindAdmin)

    def get_submenu_items(self):
        items = super().get_submenu_items()
        items.insert(
            1,
            CalendarMenuItem(
                _("活动日程表"),
                reverse("activities_calendar"),
                name="activities-calendar",
                icon_name="calendar-alt",
                order=self.get_menu_order() + 1,
            ),
        )
        for make_item in hooks.get_hooks(MENU_HOOK):
            items.append(make_item())
        return items


modeladmin_register(ActivitiesGroup)


# -- a center's week -----------------------------------------------------------------------


def may_view_calendars(user) -> bool:
    return user.has_perm("activities.change_activity") or user.has_perm("activities.view_activity")


def week_of(value: str | None) -> date:
    """The Monday of the week ``value`` (an ISO date) falls in; this week when missing."""
    try:
        day = date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


def overlapping_pairs(occurrences) -> dict[int, list]:
    """Occurrence id → the other occurrences holding its room at the same time. The
    scheduler refuses these; data written before it, or around it, may still hold them."""
    by_room = defaultdict(list)
    for occurrence in occurrences:
        if occurrence.room_id is not None and occurrence.status != OccurrenceStatus.CANCELLED:
            by_room[occurrence.room_id].append(occurrence)
    overlaps = defaultdict(list)
    for held in by_room.values():
        held.sort(key=lambda o: o.starts_at)
        running = []
        for occurrence in held:
            running = [other for other in running if other.ends_at > occurrence.starts_at]
            for other in running:
                overlaps[occurrence.pk].append(other)
                overlaps[other.pk].append(occurrence)
            running.append(occurrence)
    return overlaps


class CalendarView(WagtailAdminTemplateMixin, TemplateView):
    """A center's week: its rooms by day, every session with its state."""

    template_name = "activities/admin/calendar.html"
    header_icon = "date"

    def dispatch(self, request, center_id):
        from district.models import CenterPage

        if not may_view_calendars(request.user):
            raise PermissionDenied
        self.center = get_object_or_404(CenterPage, pk=center_id)
        if not may_manage_center(request.user, self.center.pk):
            raise PermissionDenied
        self.monday = week_of(request.GET.get("week"))
        return super().dispatch(request, center_id)

    def get_page_title(self):
        return f"活动日程表：{self.center.title}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("activities_activity_modeladmin_index"), "label": "活动"},
            {"url": "", "label": self.get_page_title()},
        ]

    @cached_property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=offset) for offset in range(7)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        start = datetime.combine(self.monday, time.min, tzinfo=LOCAL_TZ)
        occurrences = list(
            Occurrence.objects.filter(center=self.center)
            .between(start, start + timedelta(days=7))
            .select_related("activity", "room")
            .order_by("starts_at", "activity__title", "pk")
        )
        overlaps = overlapping_pairs(occurrences)
        rooms = list(self.center.rooms.all())
        known_rooms = {room.pk for room in rooms}
        cells = defaultdict(list)
        for occurrence in occurrences:
            day = occurrence.starts_at.astimezone(LOCAL_TZ).date()
            room_key = occurrence.room_id if occurrence.room_id in known_rooms else None
            cells[(room_key, day)].append(session_of(occurrence, overlaps.get(occurrence.pk)))
        rows = [(room, [cells[(room.pk, day)] for day in self.days]) for room in rooms]
        elsewhere = [cells[(None, day)] for day in self.days]
        if any(elsewhere):
            rows.append((None, elsewhere))
        today = timezone.localdate()
        context.update(
            center=self.center,
            days=[
                {"date": day, "weekday": WEEKDAY_LABELS[day.weekday()], "is_today": day == today}
                for day in self.days
            ],
            rows=rows,
            conflict_count=len(overlaps),
            centers=list(centers_of(self.request.user).only("pk", "title", "code")),
            week_label=f"{self.days[0]:%Y-%m-%d} 至 {self.days[-1]:%Y-%m-%d}",
            previous_week_url=self.week_url(self.monday - timedelta(days=7)),
            next_week_url=self.week_url(self.monday + timedelta(days=7)),
            this_week_url=self.week_url(week_of(None)),
            switch_url=reverse("activities_calendar"),
            monday=self.monday,
            add_url=reverse("activities_activity_modeladmin_create"),
        )
        return context

    def week_url(self, monday: date) -> str:
        url = reverse("activities_calendar_center", args=[self.center.pk])
        return f"{url}?{urlencode({'week': monday.isoformat()})}"


def session_of(occurrence, overlapping) -> dict:
    """What a calendar cell shows of one occurrence."""
    start = occurrence.starts_at.astimezone(LOCAL_TZ)
    end = occurrence.ends_at.astimezone(LOCAL_TZ)
    original = occurrence.recurrence_id.astimezone(LOCAL_TZ)
    moved_from = ""
    if occurrence.is_moved and original != start:
        moved_from = f"原定{original:%m-%d %H:%M}"
    return {
        "occurrence": occurrence,
        "title": occurrence.activity.title,
        "times": "全天" if occurrence.all_day else f"{start:%H:%M}–{end:%H:%M}",
        "status": occurrence.get_status_display(),
        "cancelled": occurrence.is_cancelled,
        "moved": occurrence.is_moved,
        "moved_from": moved_from,
        "outside_hours": occurrence.outside_hours,
        "conflicts_with": sorted({other.activity.title for other in overlapping or ()}),
        "edit_url": reverse("activities_activity_modeladmin_edit", args=[occurrence.activity_id]),
    }


def calendar_start(request):
    """The calendar of the center asked for (the switcher's ``?center=``), else the
    editor's first center."""
    if not may_view_calendars(request.user):
        raise PermissionDenied
    centers = centers_of(request.user)
    chosen = request.GET.get("center", "")
    center = centers.filter(pk=chosen).first() if chosen.isdigit() else centers.first()
    if center is None:
        raise Http404("没有可查看的服务中心")
    url = reverse("activities_calendar_center", args=[center.pk])
    week = request.GET.get("week")
    return redirect(f"{url}?{urlencode({'week': week})}" if week else url)


@hooks.register("register_admin_urls")
def register_calendar_urls():
    return [
        path("activities/calendar/", calendar_start, name="activities_calendar"),
        path(
            "activities/calendar/<int:center_id>/",
            CalendarView.as_view(),
            name="activities_calendar_center",
        ),
    ]
