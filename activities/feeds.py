"""iCalendar feeds (RFC 5545) of the activities: a center's, a street's, one activity's.

Residents subscribe to them in their phone's calendar. Each activity is one master VEVENT
(UID ``activity-<uid>@jiamenkou``) carrying its rule as RRULE, so clients expand it as the
site does, and the occurrence rows say everything else:

- a date the rule gives that has no occurrence (a public holiday skipped) is an EXDATE;
- an occurrence the rule does not give (a make-up workday added, a session kept because
  people signed up for it) is an RDATE;
- a cancelled or moved occurrence is an override VEVENT with the same UID and its
  RECURRENCE-ID (the original start): cancelled ones stay visible, STATUS:CANCELLED with
  the reason, as RFC 5545 wants, moved ones with their new time, place and reason.

So the feed expands to exactly the occurrence rows (the programme's truth) up to
``Activity.scheduled_until``; an open-ended rule keeps its RRULE and clients continue it.

A center's or street's feed lists the activities with an occurrence ending in the last
``FEED_PAST_DAYS`` days or later: recent history stays in subscribers' calendars, old
activities drop out. Each feed is a fixed number of queries whatever the number of
activities or occurrences, and answers conditional GETs (ETag, Last-Modified) with 304.
"""

import hashlib
from datetime import UTC, date, datetime, timedelta

from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views import View
from icalendar import Calendar, Event, Timezone, vDuration, vRecur

from activities.models import Activity, Occurrence, OccurrenceStatus
from activities.pages import activity_url, activity_urls
from activities.recurrence import rrule_text, rule_dates, span_of
from catalog.opening import LOCAL_TZ

PRODID = "-//海河东区家门口//活动节目单//ZH"
TZID = "Asia/Shanghai"
# How far back a center's or street's feed reaches (see the module's docstring).
FEED_PAST_DAYS = 90
# Subscribed calendars poll; a quarter of an hour keeps them current without hammering us.
CACHE_SECONDS = 15 * 60
REFRESH_INTERVAL = timedelta(hours=6)
# China has kept UTC+8 without daylight saving since 1991: one STANDARD block suffices.
TIMEZONE_FROM = date(1992, 1, 1)


def event_uid(activity) -> str:
    return f"activity-{activity.uid}@jiamenkou"


def public_urls(activities, request):
    """activity → its absolute page URL on its center's programme, or None; for all the
    feed's activities at once (two queries, not two per activity)."""
    prefixes = activity_urls({activity.center_id for activity in activities}, request)

    def url_of(activity):
        url = activity_url(prefixes, activity)
        return request.build_absolute_uri(url) if url else None

    return url_of


def place_of(activity, occurrence=None) -> str:
    """The room (or the place note) of the activity, or of one occurrence moved elsewhere."""
    return occurrence.place_label if occurrence is not None else activity.place_label


def location_of(activity, occurrence=None) -> str:
    """中心名称 + 功能室 (or the place note): where the activity, or one occurrence, is."""
    return " ".join(filter(None, [activity.center.title, place_of(activity, occurrence)]))


def description_of(activity, notice: str = "") -> str:
    lines = [notice] if notice else []
    if activity.description:
        lines.append(activity.description)
    lines.append(f"费用：{activity.price_label}")
    if activity.signup_required:
        lines.append(f"需要报名，限{activity.capacity}人。")
    return "\n\n".join(lines)


def sequence_of(activity) -> int:
    # Grows with each save, as RFC 5545 wants of SEQUENCE; 0 for an activity never edited.
    return max(0, int((activity.updated_at - activity.created_at).total_seconds()))


def ical_moment(moment: datetime, all_day: bool):
    """A DATE for an all-day session, else a DATE-TIME with TZID=Asia/Shanghai."""
    local = moment.astimezone(LOCAL_TZ)
    return local.date() if all_day else local


def stamped(event: Event, activity) -> Event:
    event.add("uid", event_uid(activity))
    event.add("dtstamp", activity.updated_at.astimezone(UTC))
    event.add("last-modified", activity.updated_at.astimezone(UTC))
    event.add("sequence", sequence_of(activity))
    return event


def master_event(activity, occurrences: list, url: str | None) -> Event:
    event = stamped(Event(), activity)
    event.add("created", activity.created_at.astimezone(UTC))
    event.add("summary", activity.title)
    rule = rrule_text(activity)
    dates = rule_dates(activity, activity.scheduled_until or activity.dtstart) if rule else []
    # RFC 5545 counts DTSTART as a session (and as the first of a COUNT) even where the
    # rule does not fall; the site counts only the rule's dates, so the master starts on
    # the first of them (a Tuesday-and-Thursday class entered from a Monday).
    first_day = dates[0] if dates else activity.dtstart
    starts_at, ends_at = span_of(
        first_day, activity.start_time, activity.end_time, activity.all_day
    )
    event.add("dtstart", ical_moment(starts_at, activity.all_day))
    event.add("dtend", ical_moment(ends_at, activity.all_day))
    if rule:
        event.add("rrule", vRecur.from_ical(rule))
        given = {
            span_of(day, activity.start_time, activity.end_time, activity.all_day)[0]
            for day in dates
        }
    else:
        given = {starts_at}
    held = {occurrence.recurrence_id for occurrence in occurrences}
    skipped = sorted(given - held)
    added = sorted(held - given)
    if skipped:
        event.add("exdate", [ical_moment(moment, activity.all_day) for moment in skipped])
    if added:
        event.add("rdate", [ical_moment(moment, activity.all_day) for moment in added])
    event.add("location", location_of(activity))
    event.add("description", description_of(activity))
    event.add("categories", [activity.kind.name])
    if url:
        event.add("url", url)
    return event


def override_event(activity, occurrence, url: str | None) -> Event:
    """The RECURRENCE-ID override of a cancelled or moved occurrence."""
    event = stamped(Event(), activity)
    event.add("recurrence-id", ical_moment(occurrence.recurrence_id, activity.all_day))
    event.add("summary", summary_of(activity, occurrence))
    event.add("dtstart", ical_moment(occurrence.starts_at, occurrence.all_day))
    event.add("dtend", ical_moment(occurrence.ends_at, occurrence.all_day))
    if occurrence.status == OccurrenceStatus.CANCELLED:
        event.add("status", "CANCELLED")
        notice = "本场取消" + (f"：{occurrence.reason}" if occurrence.reason else "。")
    else:
        notice = "本场调整" + (f"：{occurrence.reason}" if occurrence.reason else "。")
    event.add("location", location_of(activity, occurrence))
    event.add("description", description_of(activity, notice))
    event.add("categories", [activity.kind.name])
    if url:
        event.add("url", url)
    return event


def summary_of(activity, occurrence) -> str:
    """Calendar apps differ in showing STATUS:CANCELLED, so a cancelled session says so."""
    if occurrence.status == OccurrenceStatus.CANCELLED:
        return f"【已取消】{activity.title}"
    return activity.title


def events_of(activity, url: str | None) -> list[Event]:
    occurrences = activity.feed_occurrences
    events = [master_event(activity, occurrences, url)]
    events += [
        override_event(activity, occurrence, url)
        for occurrence in occurrences
        if occurrence.status != OccurrenceStatus.SCHEDULED
    ]
    return events


def feed_activities(queryset):
    """``queryset`` with what the feed reads, in three queries whatever its size."""
    return (
        queryset.select_related("kind", "room", "center")
        .prefetch_related(
            Prefetch(
                "occurrences",
                queryset=Occurrence.objects.select_related("room").order_by("recurrence_id"),
                to_attr="feed_occurrences",
            )
        )
        .order_by("dtstart", "pk")
    )


def recent(queryset, now: datetime):
    """Activities with an occurrence ending in the last FEED_PAST_DAYS days or later."""
    cutoff = now - timedelta(days=FEED_PAST_DAYS)
    return queryset.filter(
        Exists(Occurrence.objects.filter(activity=OuterRef("pk"), ends_at__gte=cutoff))
    )


def calendar_of(name: str, description: str, activities, request) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("x-wr-caldesc", description)
    calendar.add("x-wr-timezone", TZID)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    calendar.add_component(Timezone.from_tzid(TZID, first_date=TIMEZONE_FROM))
    url_of = public_urls(activities, request)
    for activity in activities:
        for event in events_of(activity, url_of(activity)):
            calendar.add_component(event)
    return calendar


def calendar_response(request, calendar: Calendar, activities, filename: str) -> HttpResponse:
    """The feed, or 304 when the subscriber's copy (ETag / Last-Modified) is current."""
    body = calendar.to_ical()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    modified = max((a.updated_at for a in activities), default=None)
    last_modified = int(modified.timestamp()) if modified else None  # HTTP dates are whole seconds
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


class FeedView(View):
    http_method_names = ["get", "head", "options"]


class CenterFeedView(FeedView):
    """One center's programme: ``/huodong/ical/zhongxin/HHD-CH-01.ics``."""

    def get(self, request, code):
        from district.models import CenterPage

        center = CenterPage.objects.live().public().filter(code=code).first()
        if center is None:
            raise Http404("没有这个服务中心。")
        activities = list(
            feed_activities(recent(Activity.objects.filter(center=center), timezone.now()))
        )
        calendar = calendar_of(
            f"{center.title} 活动节目单",
            f"{center.title}的活动安排，取消和改期会及时更新。",
            activities,
            request,
        )
        return calendar_response(request, calendar, activities, f"huodong-{center.code}.ics")


class StreetFeedView(FeedView):
    """The programmes of a street's published centers: ``/huodong/ical/jiedao/12.ics``."""

    def get(self, request, street_id):
        from district.models import CenterPage, StreetPage

        street = StreetPage.objects.live().public().filter(pk=street_id).first()
        if street is None:
            raise Http404("没有这个街道。")
        centers = CenterPage.objects.child_of(street).live().public()
        activities = list(
            feed_activities(
                recent(Activity.objects.filter(center__in=centers.values("pk")), timezone.now())
            )
        )
        calendar = calendar_of(
            f"{street.title} 活动节目单",
            f"{street.title}各党群服务中心的活动安排。",
            activities,
            request,
        )
        return calendar_response(request, calendar, activities, f"huodong-jiedao-{street.pk}.ics")


class ActivityFeedView(FeedView):
    """One activity, every occurrence: ``/huodong/ical/huodong/<uid>.ics``."""

    def get(self, request, uid):
        from district.models import CenterPage

        live_centers = CenterPage.objects.live().public().values("pk")
        activity = (
            feed_activities(Activity.objects.filter(uid=uid, center__in=live_centers))
        ).first()
        if activity is None:
            raise Http404("没有这个活动。")
        calendar = calendar_of(
            f"{activity.title}（{activity.center.title}）",
            f"{activity.center.title}“{activity.title}”的全部场次。",
            [activity],
            request,
        )
        return calendar_response(request, calendar, [activity], f"huodong-{activity.uid}.ics")


urlpatterns = [
    path("ical/zhongxin/<str:code>.ics", CenterFeedView.as_view(), name="center_ical"),
    path("ical/jiedao/<int:street_id>.ics", StreetFeedView.as_view(), name="street_ical"),
    path("ical/huodong/<uuid:uid>.ics", ActivityFeedView.as_view(), name="activity_ical"),
]
