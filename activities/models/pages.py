"""活动节目单: the programme page of a center, or of a street's centers together.

A routable page placed under a CenterPage or a StreetPage (one per parent). It lists
occurrences, not activities: this week (``./``), next week (``./xiazhou/``), this month
(``./benyue/``), with ``?date=`` to move through weeks and months and filters by audience,
kind and room; ``./dayin/`` is the week as a one-page sheet for the door (rooms × days);
``./huodong/<id>/`` is one activity of the center. What each view shows is computed by
``activities.pages``; every view is a fixed number of queries.
"""

from datetime import timedelta

from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

ROUTE_OF_SPAN = {"week": "this_week", "next_week": "next_week", "month": "this_month"}


class ProgrammeSheetPage(RoutablePageMixin, Page):
    intro = models.TextField(
        _("简介"), blank=True, help_text=_("显示在节目单上方，如：欢迎居民参加，报名请到服务台")
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["district.CenterPage", "district.StreetPage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("活动节目单")
        verbose_name_plural = _("活动节目单")

    # -- what the page covers ----------------------------------------------------------

    def programme_scope(self):
        """(centers, street): the center this page is under (street None), or the live
        centers of the street it is under, street center first. Centers come with their
        place facts (address, phone)."""
        from district.models import CENTER_ORDER, CenterPage, with_places

        parent = self.get_parent()
        if parent.specific_class is CenterPage:
            return list(with_places(CenterPage.objects.filter(pk=parent.pk))), None
        centers = with_places(CenterPage.objects.child_of(parent).live().public()).order_by(
            *CENTER_ORDER
        )
        return list(centers), parent

    @classmethod
    def activity_route(cls, activity_id: int) -> str:
        """The activity page's path below a programme page's URL: huodong/12/."""
        return cls.get_resolver().reverse("activity", activity_id=activity_id)

    # -- routes ------------------------------------------------------------------------

    @path("")
    def this_week(self, request):
        return self.programme(request, "week")

    @path("xiazhou/")
    def next_week(self, request):
        return self.programme(request, "next_week")

    @path("benyue/")
    def this_month(self, request):
        return self.programme(request, "month")

    @path("dayin/")
    def print_week(self, request):
        return self.programme(request, "week", door_sheet=True)

    @path("huodong/<int:activity_id>/")
    def activity(self, request, activity_id):
        return self.activity_page(request, activity_id)

    # -- views -------------------------------------------------------------------------

    def programme(self, request, range_name: str, *, door_sheet: bool = False):
        from activities import pages
        from activities.models import Occurrence

        centers, street = self.programme_scope()
        current = pages.today()
        if range_name == "next_week":
            day, date_problem = current + timedelta(days=7), ""
        else:
            day, date_problem = pages.parse_day(request.GET.get("date"), current)
        span = pages.month_of(day) if range_name == "month" else pages.week_of(day)
        filters = pages.ProgrammeFilterForm(request.GET, centers=centers)
        occurrences = filters.apply(
            Occurrence.objects.filter(center__in=[center.pk for center in centers])
            .between(span.start, span.end)
            .for_listing()
        )
        urls = pages.activity_urls(centers, request)
        for center in centers:
            # A center without a programme of its own shows its activities on the street's.
            urls.setdefault(center.pk, self.get_url(request))
        days = pages.lines_by_day(
            occurrences,
            span,
            urls,
            titles={center.pk: center.title for center in centers},
            keep_empty_days=span.kind == "week",
        )
        base = self.get_url(request)
        filter_query = {
            name: str(value)
            for name, value in request.GET.items()
            if name in ("audience", "kind", "room") and value
        }
        route = "this_month" if span.kind == "month" else "this_week"

        def link(route_name, **query):
            merged = {**filter_query, **{k: v for k, v in query.items() if v}}
            suffix = self.reverse_subpage(route_name)
            return base + suffix + (f"?{urlencode(merged)}" if merged else "")

        this_week = pages.week_of(current)
        context = {
            "centers": centers,
            "street": street,
            "several_centers": len(centers) > 1,
            "span": span,
            "range_name": range_name,
            "days": days,
            "count": sum(len(day.lines) for day in days),
            "filters": filters,
            "problems": [problem for problem in [date_problem, *filters.problems] if problem],
            "feeds": pages.calendar_feeds(centers=centers if street is None else (), street=street),
            "tabs": [
                ("本周", link("this_week"), range_name == "week" and span == this_week),
                (
                    "下周",
                    link("next_week"),
                    span == pages.week_of(current + timedelta(days=7)),
                ),
                ("本月", link("this_month"), span == pages.month_of(current)),
            ],
            "previous_url": link(route, date=span.previous_day.isoformat()),
            "next_url": link(route, date=span.next_day.isoformat()),
            "previous_label": "上一周" if span.kind == "week" else "上个月",
            "next_label": "下一周" if span.kind == "week" else "下个月",
            "print_url": link("print_week", date=span.first.isoformat())
            if span.kind == "week"
            else link("print_week"),
            "list_url": link("this_week", date=span.first.isoformat()),
        }
        if door_sheet:
            context["grid"] = pages.door_grid(days, centers)
            return self.render(
                request,
                template="activities/programme_door_sheet.html",
                context_overrides=context,
            )
        return self.render(request, context_overrides=context)

    def activity_page(self, request, activity_id):
        from activities import pages
        from activities.models import Activity, OccurrenceStatus
        from activities.scheduling import plan_for
        from catalog.jsonld import json_ld_script

        centers, street = self.programme_scope()
        by_pk = {center.pk: center for center in centers}
        activity = (
            Activity.objects.select_related("kind", "organizer", "room", "image", "service")
            .prefetch_related("audiences")
            .filter(pk=activity_id, center__in=list(by_pk))
            .first()
        )
        if activity is None:
            raise Http404("没有找到这个活动")
        if street is not None:
            # A street's programme shows a center's activity where its center does.
            own_page = activity.get_url(request)
            if own_page:
                return redirect(own_page)
        activity.center = by_pk[activity.center_id]
        moment = pages.now()
        upcoming = list(
            activity.occurrences.filter(ends_at__gt=moment)
            .select_related("room")
            .with_sign_up_counts()
            .order_by("starts_at", "pk")[: pages.UPCOMING_ON_ACTIVITY_PAGE]
        )
        changes = list(
            activity.occurrences.filter(
                ends_at__gt=moment,
                status__in=[OccurrenceStatus.CANCELLED, OccurrenceStatus.MOVED],
            )
            .select_related("room")
            .order_by("recurrence_id")
        )
        for occurrence in [*upcoming, *changes]:
            occurrence.activity = activity
        today = pages.today()
        holiday_skips = [
            (day, name)
            for day, name in plan_for(activity, today=today).holiday_skips
            if day >= today
        ]
        url = request.build_absolute_uri(self.get_url(request) + self.activity_route(activity.pk))
        image = activity.image.get_rendition("fill-800x450") if activity.image else None
        image_url = request.build_absolute_uri(image.url) if image else ""
        sessions = [
            {
                "occurrence": occurrence,
                "when": pages.when_label(occurrence.starts_at, all_day=True),
                "time": pages.time_label(occurrence),
                "place": occurrence.place_label,
                "places": pages.places_label(occurrence, moment),
                "sign_up_url": pages.sign_up_url(occurrence)
                if activity.signup_required and not occurrence.is_cancelled
                else None,
                "moved_from": pages.when_label(occurrence.recurrence_id, occurrence.all_day)
                if occurrence.is_moved and occurrence.recurrence_id != occurrence.starts_at
                else "",
            }
            for occurrence in upcoming
        ]
        return self.render(
            request,
            template="activities/activity_page.html",
            context_overrides={
                "activity": activity,
                "center": activity.center,
                "image": image,
                "schedule": pages.schedule_words(activity),
                "audience": pages.audience_label(activity),
                "sessions": sessions,
                "changes": [
                    {
                        "occurrence": occurrence,
                        "was": pages.when_label(occurrence.recurrence_id, occurrence.all_day),
                        "now": pages.when_label(occurrence.starts_at, occurrence.all_day),
                        "place": occurrence.place_label,
                    }
                    for occurrence in changes
                ],
                "holiday_skips": [
                    (f"{pages.day_label(day)}（{pages.weekday_label(day)}）", name)
                    for day, name in holiday_skips
                ],
                "feeds": pages.calendar_feeds(activity=activity, centers=[activity.center]),
                "programme_url": self.get_url(request),
                "canonical_url": url,
                "json_ld": json_ld_script(
                    pages.activity_json_ld(activity, upcoming, url=url, image_url=image_url)
                ),
            },
        )
