"""What the public programme pages (活动节目单) show, apart from the page model itself
(``activities.models.pages.ProgrammeSheetPage``): the week or month asked for, the filters,
one line per occurrence grouped by day, the door sheet's grid of rooms × days, an activity's
schedule in words and its schema.org ``Event`` JSON-LD.

Everything reads occurrences (``Occurrence.objects.for_listing()``), never expands rules:
the scheduler has written them. Each listing is a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from html import escape  # what django.utils.html.escape does, without its lazy-text wrapper
from operator import or_

from django import forms
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from catalog.opening import HOLIDAY, LOCAL_TZ, MAKEUP_WORKDAY, WEEKDAY_LABELS, describe_days

WEEK = "week"
NEXT_WEEK = "next_week"
MONTH = "month"
# How many coming occurrences an activity page lists (and describes in JSON-LD).
UPCOMING_ON_ACTIVITY_PAGE = 10
# How many coming sessions a service guide lists.
UPCOMING_ON_SERVICE_GUIDE = 5
# The furthest a resident can page back or forward (the schedule is expanded a year ahead).
FURTHEST_DAYS = 800


def now() -> datetime:
    """The current moment (a function, so tests can move it)."""
    return timezone.now()


def today() -> date:
    return now().astimezone(LOCAL_TZ).date()


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


# -- the span shown --------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """The days a programme shows, ``first`` to ``last`` inclusive (a week from Monday, or
    a calendar month), and the aware [start, end) that ``Occurrence.objects.between`` takes."""

    kind: str  # WEEK or MONTH
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1))

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def label(self) -> str:
        """2026年12月7日至13日, 2026年12月28日至2027年1月3日, 2026年12月."""
        if self.kind == MONTH:
            return f"{self.first.year}年{self.first.month}月"
        first, last = self.first, self.last
        if first.year != last.year:
            return f"{day_label(first, year=True)}至{day_label(last, year=True)}"
        if first.month != last.month:
            return f"{day_label(first, year=True)}至{day_label(last)}"
        return f"{day_label(first, year=True)}至{last.day}日"

    @property
    def previous_day(self) -> date:
        """The first day of the week or month before."""
        if self.kind == WEEK:
            return self.first - timedelta(days=7)
        return month_of(self.first - timedelta(days=1)).first

    @property
    def next_day(self) -> date:
        return self.last + timedelta(days=1)


def week_of(day: date) -> Span:
    monday = day - timedelta(days=day.weekday())
    return Span(WEEK, monday, monday + timedelta(days=6))


def month_of(day: date) -> Span:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Span(MONTH, first, following - timedelta(days=1))


def day_label(day: date, *, year: bool = False) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if year else f"{day.month}月{day.day}日"


def weekday_label(day: date) -> str:
    return WEEKDAY_LABELS[day.weekday()]


def parse_day(text: str | None, current: date) -> tuple[date, str]:
    """The ``?date=`` a resident (or a link) gave, or ``current`` and why it was not used."""
    if not text:
        return current, ""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return current, f"日期“{text[:20]}”看不懂（date 应写成 2026-12-08），下面显示的是本周。"
    if abs((day - current).days) > FURTHEST_DAYS:
        return current, "只能查看两年内的活动安排，下面显示的是本周。"
    return day, ""


# -- the filters -----------------------------------------------------------------------


class RoomChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, name_centers: bool = False, **kwargs):
        self.name_centers = name_centers
        super().__init__(*args, **kwargs)

    def label_from_instance(self, room):
        label = room.label
        return f"{room.center.title} · {label}" if self.name_centers else label


def unknown(what: str) -> dict:
    return {"invalid_choice": f"没有这个{what}，已显示全部。"}


class ProgrammeFilterForm(forms.Form):
    """活动对象, 活动类型 and 功能室 as GET parameters (audience=<term code>, kind=<id>,
    room=<id>): a plain form, so it works without JavaScript."""

    audience = forms.ModelChoiceField(
        label="活动对象",
        queryset=None,
        to_field_name="code",
        required=False,
        empty_label="全部",
        error_messages=unknown("活动对象"),
    )
    kind = forms.ModelChoiceField(
        label="活动类型",
        queryset=None,
        required=False,
        empty_label="全部",
        error_messages=unknown("活动类型"),
    )
    room = RoomChoiceField(
        label="功能室",
        queryset=None,
        required=False,
        empty_label="全部",
        error_messages=unknown("功能室"),
    )

    def __init__(self, data, *, centers, **kwargs):
        from activities.models import ActivityKind, Room
        from catalog.models import TaxonomyTerm
        from catalog.models.taxonomy import AUDIENCE_TAXONOMY

        # Only the filter parameters are bound: ?date= and others are not the form's.
        data = {name: data.get(name) for name in ("audience", "kind", "room") if data.get(name)}
        super().__init__(data, **kwargs)
        self.fields["audience"].queryset = TaxonomyTerm.objects.of(AUDIENCE_TAXONOMY).order_by(
            "sort_order", "name"
        )
        self.fields["kind"].queryset = ActivityKind.objects.all()
        self.fields["room"].queryset = (
            Room.objects.filter(center__in=[center.pk for center in centers])
            .select_related("center")
            .order_by("center__path", F("sort_order").asc(nulls_last=True), "pk")
        )
        self.fields["room"].name_centers = len(centers) > 1

    @property
    def chosen(self) -> dict:
        """The valid filters chosen; a value that is not one of the choices is dropped
        (its message shown) rather than emptying the programme."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    @property
    def problems(self) -> list[str]:
        return [message for errors in self.errors.values() for message in errors]

    def apply(self, occurrences):
        from activities.models import Activity

        chosen = self.chosen
        if "audience" in chosen:
            occurrences = occurrences.filter(
                activity__in=Activity.objects.filter(audiences=chosen["audience"]).values("pk")
            )
        if "kind" in chosen:
            occurrences = occurrences.filter(activity__kind=chosen["kind"])
        if "room" in chosen:
            occurrences = occurrences.filter(room=chosen["room"])
        return occurrences


# -- one line per occurrence -------------------------------------------------------------


def time_label(occurrence) -> str:
    if occurrence.all_day:
        return "全天"
    start = occurrence.starts_at.astimezone(LOCAL_TZ)
    end = occurrence.ends_at.astimezone(LOCAL_TZ)
    # Not strftime: a month's programme words 1,500 of these.
    return f"{start.hour:02}:{start.minute:02}–{end.hour:02}:{end.minute:02}"


def when_label(moment: datetime, all_day: bool = False) -> str:
    """12月8日（周二）09:00, or 12月8日（周二） for an all-day session."""
    local = moment.astimezone(LOCAL_TZ)
    text = f"{day_label(local.date())}（{weekday_label(local.date())}）"
    return text if all_day else f"{text}{local:%H:%M}"


def places_label(occurrence, moment: datetime) -> str:
    """余N个名额 / 已满，可候补 / 无需报名 (needs ``with_sign_up_counts``)."""
    activity = occurrence.activity
    if occurrence.is_cancelled:
        return ""
    if occurrence.ends_at <= moment:
        return "已结束"
    if not activity.signup_required:
        return "无需报名"
    if not activity.capacity:
        return "需报名"
    left = activity.capacity - occurrence.confirmed_count
    return f"余{left}个名额" if left > 0 else "已满，可候补"


# The places texts a line marks (programme-line__places--full, --ended).
PLACES_CLASSES = {"已满，可候补": "full", "已结束": "ended"}


def audience_label(activity) -> str:
    return "、".join(term.name for term in activity.audiences.all()) or "所有居民"


def change_label(occurrence, moved_from: str) -> str:
    """已取消：场地维修, 已改期（原定12月10日（周四）09:00）：老师出差, or ""."""
    reason = f"：{occurrence.reason}" if occurrence.reason else ""
    if occurrence.is_cancelled:
        return f"已取消{reason}"
    if occurrence.is_moved:
        return f"已改期{f'（原定{moved_from}）' if moved_from else ''}{reason}"
    return ""


@dataclass(slots=True)  # no __dict__ each: a month holds 1,500 of them
class Line:
    """An occurrence as a programme line shows it. Every text is worked out here, so that
    the templates only place them: a street's month can hold thousands of lines. It keeps
    what it needs of the occurrence, not the occurrence (``listed``)."""

    starts_at: datetime
    all_day: bool
    center_id: int
    room: object  # its Room, or None
    url: str | None
    title: str
    center: str  # the title of the occurrence's center
    time: str
    place: str
    organizer: str
    audience: str
    price: str
    places: str
    state: str = ""  # "cancelled", "moved" or ""
    change: str = ""
    moved_from: str = ""

    @property
    def when(self) -> str:
        """12月8日（周二）09:00 (where lines of several days are listed together)."""
        return when_label(self.starts_at, self.all_day)

    @property
    def places_class(self) -> str:
        return PLACES_CLASSES.get(self.places, "")

    @property
    def place_note(self) -> str:
        """The place when it is not one of the center's rooms (the door sheet's rows are
        rooms: a session elsewhere says where)."""
        return self.place if self.room is None else ""


@dataclass
class Day:
    day: date
    holiday: str  # 元旦, 调休上班, or ""
    lines: list[Line] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{day_label(self.day)} {weekday_label(self.day)}"

    @property
    def weekday(self) -> str:
        return weekday_label(self.day)

    @property
    def is_today(self) -> bool:
        return self.day == today()


def listed(occurrences):
    """The occurrences of ``occurrences`` (``Occurrence.objects.for_listing()``, filtered),
    one at a time, each with its activity and room. ``for_listing`` joins them to every
    row, which costs a model instance per row and per related object (a month can hold
    1,500 rows of a few dozen activities): here each activity and each room is loaded
    once, and the rows are read as plain tuples, each made an occurrence only when its
    turn comes, so that the garbage collector does not have to carry 1,500 of them.
    Four queries: the rows, their activities, the activities' audiences, the rooms."""
    from activities.models import Activity, Occurrence, Room

    names = [field.attname for field in Occurrence._meta.concrete_fields]
    rows = list(
        occurrences.select_related(None)
        .prefetch_related(None)
        .values_list(*names, "confirmed_count")
    )
    activity_at, room_at = names.index("activity_id"), names.index("room_id")
    activities = (
        Activity.objects.select_related("organizer")
        .prefetch_related("audiences")
        .in_bulk({row[activity_at] for row in rows})
    )
    rooms = Room.objects.in_bulk({row[room_at] for row in rows} - {None})
    activity_field = Occurrence._meta.get_field("activity")
    room_field = Occurrence._meta.get_field("room")
    for *values, confirmed_count in rows:
        occurrence = Occurrence.from_db(occurrences.db, names, values)
        occurrence.confirmed_count = confirmed_count
        activity_field.set_cached_value(occurrence, activities[occurrence.activity_id])
        room_field.set_cached_value(occurrence, rooms.get(occurrence.room_id))
        yield occurrence


def lines_of(occurrences, urls: dict, moment: datetime, titles: dict) -> list[Line]:
    """A line for each of ``occurrences`` (from ``listed``); what depends only on the
    activity is worked out once per activity. ``titles``: {center id: title}."""
    of_activity: dict[int, tuple] = {}
    lines = []
    for occurrence in occurrences:
        activity = occurrence.activity
        facts = of_activity.get(activity.pk)
        if facts is None:
            facts = of_activity[activity.pk] = (
                activity_url(urls, activity),
                activity.organizer.name if activity.organizer else "",
                audience_label(activity),
                activity.price_label,
            )
        url, organizer, audience, price = facts
        moved_from = ""
        if occurrence.is_moved and occurrence.recurrence_id != occurrence.starts_at:
            moved_from = when_label(occurrence.recurrence_id, occurrence.all_day)
        lines.append(
            Line(
                starts_at=occurrence.starts_at,
                all_day=occurrence.all_day,
                center_id=occurrence.center_id,
                room=occurrence.room,
                url=url,
                title=activity.title,
                center=titles.get(occurrence.center_id, ""),
                time=time_label(occurrence),
                place=occurrence.place_label,
                organizer=organizer,
                audience=audience,
                price=price,
                places=places_label(occurrence, moment),
                state="cancelled"
                if occurrence.is_cancelled
                else ("moved" if occurrence.is_moved else ""),
                change=change_label(occurrence, moved_from),
                moved_from=moved_from,
            )
        )
    return lines


def lines_html(lines, *, show_date: bool = False, several_centers: bool = False) -> str:
    """The ``<li class="programme-line">`` of each line, for a ``<ul class="programme-list">``
    (``includes/programme_lines.html``). Written here rather than as a template loop: the
    template engine spent some 100 ms on a month of 1,500 lines looking up and escaping
    their 15 texts, this takes a tenth of that. ``show_date``: each line names its day;
    ``several_centers``: each line names its center."""
    parts = []
    for line in lines:
        cancelled = line.state == "cancelled"
        title = escape(line.title)
        if line.url:
            title = f'<a href="{escape(line.url)}">{title}</a>'
        if cancelled:
            title = f"<s>{title}</s>"
        if several_centers:
            title += f' <span class="programme-line__center">{escape(line.center)}</span>'
        change = ""
        if line.change:
            moved = " programme-line__change--moved" if line.state == "moved" else ""
            change = f'<p class="programme-line__change{moved}">{escape(line.change)}</p>'
        places = ""
        if line.places:
            marked = f" programme-line__places--{line.places_class}" if line.places_class else ""
            places = f'<li class="programme-line__places{marked}">{escape(line.places)}</li>'
        parts.append(
            f'<li class="programme-line{f" programme-line--{line.state}" if line.state else ""}">'
            '<p class="programme-line__time">'
            + (
                f'<span class="programme-line__date">{escape(line.when)}</span>'
                if show_date
                else ""
            )
            + f"{escape(line.time)}</p>"
            '<div class="programme-line__body">'
            f'<p class="programme-line__title">{title}</p>{change}'
            '<ul class="programme-line__facts">'
            + (f"<li>地点：{escape(line.place)}</li>" if line.place else "")
            + (f"<li>主办：{escape(line.organizer)}</li>" if line.organizer else "")
            + f"<li>对象：{escape(line.audience)}</li>"
            f"<li>费用：{escape(line.price)}</li>"
            f"{places}</ul></div></li>"
        )
    return mark_safe("\n".join(parts))  # every text above is escaped


def day_name(calendar, day: date) -> str:
    kind = calendar.kind_of(day)
    if kind == HOLIDAY:
        return calendar.name_of(day) or "法定节假日"
    if kind == MAKEUP_WORKDAY:
        return "调休上班"
    return ""


def lines_by_day(
    occurrences, span: Span, urls: dict, *, titles: dict, keep_empty_days: bool
) -> list[Day]:
    """The span's days, each with its occurrences in time order (an occurrence that began
    before the span is listed on its first day). ``titles``: {center id: title} of the
    centers the occurrences may be at."""
    from catalog.models import PublicHoliday

    calendar = PublicHoliday.objects.calendar(span.first, span.last)
    days = {day: Day(day, day_name(calendar, day)) for day in span.days}
    for line in lines_of(listed(occurrences), urls, now(), titles):
        day = max(line.starts_at.astimezone(LOCAL_TZ).date(), span.first)
        days[day].lines.append(line)
    return [day for day in days.values() if day.lines or keep_empty_days]


@dataclass
class Today:
    """今天的活动 of a center: today's lines and the programme page they come from."""

    day: Day
    programme_url: str | None


def todays_programme(center, request=None) -> Today:
    from activities.models import Occurrence

    current = today()
    span = Span("day", current, current)
    urls = activity_urls([center], request)
    occurrences = (
        Occurrence.objects.filter(center=center).between(span.start, span.end).for_listing()
    )
    (day,) = lines_by_day(
        occurrences, span, urls, titles={center.pk: center.title}, keep_empty_days=True
    )
    return Today(day, urls.get(center.pk))


def service_sessions(service, request=None, limit: int = UPCOMING_ON_SERVICE_GUIDE) -> list:
    """The next sessions of the activities that deliver ``service`` (at live centers),
    for its guide: cancelled ones left out."""
    from activities.models import Occurrence, OccurrenceStatus
    from district.models import CenterPage

    moment = now()
    occurrences = list(
        listed(
            Occurrence.objects.filter(
                activity__service=service, center__live=True, ends_at__gt=moment
            )
            .exclude(status=OccurrenceStatus.CANCELLED)
            .for_listing()[:limit]
        )
    )
    center_ids = {occurrence.center_id for occurrence in occurrences}
    titles = dict(CenterPage.objects.filter(pk__in=center_ids).values_list("pk", "title"))
    return lines_of(occurrences, activity_urls(center_ids, request), moment, titles)


# -- the door sheet: rooms × days ------------------------------------------------------


@dataclass
class GridRow:
    label: str
    cells: list[list[Line]]


def door_grid(days: list[Day], centers: list) -> list[GridRow]:
    """One row per room (and one for elsewhere) that has something in the week, one cell
    per day: the weekly sheet posted at the door."""
    several = len(centers) > 1
    titles = {center.pk: center.title for center in centers}
    paths = {center.pk: center.path for center in centers}
    rows: dict[tuple, GridRow] = {}
    order: dict[tuple, tuple] = {}
    for column, day in enumerate(days):
        for line in day.lines:
            room = line.room
            key = (line.center_id, room.pk if room else None)
            if key not in rows:
                label = room.label if room is not None else "其他地点"
                if several:
                    label = f"{titles.get(line.center_id, '')} · {label}"
                rows[key] = GridRow(label, [[] for _ in days])
                order[key] = (
                    paths.get(line.center_id, ""),
                    room is None,
                    room is not None and room.sort_order is None,
                    (room.sort_order or 0) if room else 0,
                    room.pk if room else 0,
                )
            rows[key].cells[column].append(line)
    return [rows[key] for key in sorted(rows, key=order.__getitem__)]


# -- links -----------------------------------------------------------------------------


def programme_pages_of(centers) -> dict:
    """{center id: its live programme page}, in one query. ``centers``: center pages, or
    their ids (then one more query, for their places in the tree)."""
    from activities.models.pages import ProgrammeSheetPage
    from district.models import CenterPage

    centers = list(centers)
    if not centers:
        return {}
    if all(isinstance(center, CenterPage) for center in centers):
        paths = [(center.pk, center.path, center.depth) for center in centers]
    else:
        paths = list(
            CenterPage.objects.filter(pk__in=set(centers)).values_list("pk", "path", "depth")
        )
    by_path = {path: pk for pk, path, _depth in paths}
    pages = ProgrammeSheetPage.objects.live().public()
    if not by_path:
        return {}
    pages = pages.filter(
        reduce(or_, (Q(path__startswith=path, depth=depth + 1) for _pk, path, depth in paths))
    )
    steplen = ProgrammeSheetPage.steplen
    return {by_path[page.path[:-steplen]]: page for page in pages}


def activity_urls(centers, request=None) -> dict:
    """{center id: the URL prefix of its activity pages}, in one query given the center
    pages, two given their ids."""
    return {
        center_id: page.get_url(request) for center_id, page in programme_pages_of(centers).items()
    }


def activity_url(urls: dict, activity) -> str | None:
    from activities.models.pages import ProgrammeSheetPage

    prefix = urls.get(activity.center_id)
    if prefix is None:
        return None
    return prefix + ProgrammeSheetPage.activity_route(activity.pk)


def sign_up_url(occurrence) -> str:
    """Where a resident signs up for ``occurrence`` (activities.registration)."""
    return reverse("activities:sign_up", kwargs={"occurrence_id": occurrence.pk})


def calendar_feeds(*, centers=(), street=None, activity=None) -> list[tuple[str, str]]:
    """(title, URL) of the iCalendar feeds a page advertises (activities.feeds)."""
    feeds = []
    if activity is not None:
        feeds.append(
            (
                f"{activity.title}（日历订阅）",
                reverse("activities:activity_ical", kwargs={"uid": activity.uid}),
            )
        )
    if street is not None:
        feeds.append(
            (
                f"{street.title}全部中心的活动（日历订阅）",
                reverse("activities:street_ical", kwargs={"street_id": street.pk}),
            )
        )
    for center in centers:
        feeds.append(
            (
                f"{center.title}的活动（日历订阅）",
                reverse("activities:center_ical", kwargs={"code": center.code}),
            )
        )
    return feeds


# -- an activity in words ---------------------------------------------------------------


def schedule_words(activity) -> str:
    """每周二、周四 09:00–10:30（2026-12-08起，至2026-12-31）；法定节假日停开."""
    hours = (
        "全天"
        if activity.all_day
        else (
            f"{activity.start_time:%H:%M}–{activity.end_time:%H:%M}"
            if activity.start_time and activity.end_time
            else ""
        )
    )
    if not activity.freq:
        day = activity.dtstart
        return f"{day_label(day, year=True)}（{weekday_label(day)}）{hours}"
    if activity.freq == "DAILY":
        interval = activity.interval or 1
        days = "每天" if interval == 1 else f"每{interval}天"
    else:
        # catalog.opening words the days as it words opening hours.
        days = describe_days(activity).removesuffix(f"（{activity.dtstart.isoformat()}起）")
    bounds = [f"{activity.dtstart.isoformat()}起"]
    if activity.until:
        bounds.append(f"至{activity.until.isoformat()}")
    if activity.count:
        bounds.append(f"共{activity.count}次")
    text = f"{days} {hours}（{'，'.join(bounds)}）"
    if activity.skip_holidays:
        text += "；法定节假日停开"
        if activity.runs_on_makeup_workdays:
            text += "，调休上班日照常举办"
    return text


# -- schema.org ------------------------------------------------------------------------

EVENT_STATUS = {
    "scheduled": "https://schema.org/EventScheduled",
    "moved": "https://schema.org/EventRescheduled",
    "cancelled": "https://schema.org/EventCancelled",
}


def event_time(moment: datetime, all_day: bool) -> str:
    local = moment.astimezone(LOCAL_TZ)
    return local.date().isoformat() if all_day else local.isoformat()


def place_json_ld(center, place_label: str) -> dict:
    data = {"@type": "Place", "name": " ".join(filter(None, [center.title, place_label]))}
    location = center.place
    address = location.address if location is not None else None
    if address is not None:
        data["address"] = {
            "@type": "PostalAddress",
            "streetAddress": address.address_1
            + (f"（{address.address_2}）" if address.address_2 else ""),
            "addressLocality": address.region or address.city,
            "addressRegion": address.state_province,
            "postalCode": address.postal_code,
            "addressCountry": address.country or "CN",
        }
    if location is not None and location.has_coordinates:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(location.latitude),
            "longitude": float(location.longitude),
        }
    return data


def activity_json_ld(activity, occurrences, *, url: str, image_url: str = "") -> dict:
    """schema.org ``Event`` for each of ``occurrences`` (upcoming ones), in one graph."""
    center = activity.center
    organizer = (
        {"@type": "Organization", "name": activity.organizer.name}
        if activity.organizer
        else {"@type": "GovernmentOrganization", "name": center.title}
    )
    price = activity.price if activity.cost == "low_cost" and activity.price else 0
    events = []
    for occurrence in occurrences:
        event = {
            "@type": "Event",
            "name": activity.title,
            "startDate": event_time(occurrence.starts_at, occurrence.all_day),
            "endDate": event_time(
                occurrence.ends_at - timedelta(days=1)
                if occurrence.all_day
                else occurrence.ends_at,
                occurrence.all_day,
            ),
            "eventStatus": EVENT_STATUS[occurrence.status],
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "location": place_json_ld(center, occurrence.place_label),
            "organizer": organizer,
            "offers": {
                "@type": "Offer",
                "price": str(price),
                "priceCurrency": "CNY",
                "url": url,
            },
            "url": url,
        }
        if activity.description:
            event["description"] = activity.description
        if image_url:
            event["image"] = image_url
        if occurrence.is_moved:
            event["previousStartDate"] = event_time(occurrence.recurrence_id, occurrence.all_day)
        if occurrence.is_cancelled and occurrence.reason:
            event["description"] = f"已取消：{occurrence.reason}"
        events.append(event)
    return {"@context": "https://schema.org", "@graph": events}
