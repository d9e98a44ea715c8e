"""The kiosk screen pages: a center's list of screens (for the staff setting one up), the
full-screen page itself and the service worker that keeps it working offline.

The screen renders its first state here, from the same data document its script then
refreshes every minute (``activities.kiosk.data``), so it shows the programme before any
script runs; the script and the service worker take over from there.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from catalog.opening import LOCAL_TZ

#: The files the service worker pre-caches (the site uses system fonts: none to fetch).
KIOSK_ASSETS = ("kiosk/kiosk.css", "kiosk/kiosk.js")
SERVICE_WORKER_SOURCE = "kiosk/sw.js"
DEFAULT_REFRESH_SECONDS = 60
WEEKDAYS = "一二三四五六日"
#: How many sessions "正在进行" and "即将开始" show at once.
NOW_NEXT_LIMIT = 2


def chinese_date(day) -> str:
    """2026年12月7日 星期一"""
    return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"


def _find_center(code: str):
    from district.models import CenterPage

    center = CenterPage.objects.live().public().filter(code=code).first()
    if center is None:
        raise Http404("没有这个中心")
    return center


def _find_kiosk(code: str, slug: str):
    from activities.kiosk.data import find_kiosk

    kiosk = find_kiosk(code, slug)
    if kiosk is None:
        raise Http404("没有这块屏幕")
    return kiosk


def center_list(request, code: str):
    center = _find_center(code)
    kiosks = list(center.kiosks.order_by("name"))
    return render(
        request,
        "activities/kiosk/center_list.html",
        {"center": center, "kiosks": kiosks},
    )


def _refresh_seconds(request) -> int:
    """Seconds between data refreshes: 60, or ``?refresh=`` (tests, a screen being tried)."""
    try:
        seconds = int(request.GET.get("refresh", DEFAULT_REFRESH_SECONDS))
    except ValueError:
        return DEFAULT_REFRESH_SECONDS
    return min(max(seconds, 1), 3600)


def soon_label(starts: datetime, now: datetime) -> str:
    """还有15分钟 within the hour, else the day and time it starts."""
    if starts <= now:
        return ""
    minutes = -(-int((starts - now).total_seconds()) // 60)
    if minutes < 60:
        return f"还有{minutes}分钟"
    if starts.date() == now.date():
        return f"{starts:%H:%M} 开始"
    if (starts.date() - now.date()).days == 1:
        return f"明天 {starts:%H:%M} 开始"
    return f"{starts.month}月{starts.day}日 {starts:%H:%M} 开始"


def _with_qr(view: dict, codes: dict) -> dict:
    # The card around the code names it (扫码查看：…): the drawing itself is hidden.
    svg = codes.get(view.get("qr") or "", "").replace(' role="img"', ' aria-hidden="true"', 1)
    return {**view, "qr_svg": svg}


def _session_view(session: dict, now: datetime) -> dict:
    """What a session line shows, worded as the script words it."""
    starts = datetime.fromisoformat(session["starts_at"]).astimezone(LOCAL_TZ)
    ends = datetime.fromisoformat(session["ends_at"]).astimezone(LOCAL_TZ)
    return {
        **session,
        "time": "全天" if session.get("all_day") else f"{starts:%H:%M}–{ends:%H:%M}",
        "soon": soon_label(starts, now),
        "ends": ends,
        "starts": starts,
        "cancelled": session.get("status") == "cancelled",
    }


def first_state(data: dict, now: datetime) -> dict:
    """正在进行, 即将开始 and what is left of today's programme at ``now``."""
    codes = data.get("qr") or {}
    today = [_session_view(session, now) for session in data.get("today", [])]
    left = [view for view in today if view["ends"] > now]
    running = [
        view
        for view in left
        if not view["cancelled"] and view["starts"] <= now and not view["all_day"]
    ]
    upcoming = [view for view in left if not view["cancelled"] and view["starts"] > now]
    if not upcoming:
        upcoming = [
            _session_view(session, now)
            for session in data.get("tomorrow", [])
            if session.get("status") != "cancelled"
        ]
    return {
        "running": [_with_qr(view, codes) for view in running[:NOW_NEXT_LIMIT]],
        "upcoming": [_with_qr(view, codes) for view in upcoming[:NOW_NEXT_LIMIT]],
        "today": [view if view["cancelled"] else _with_qr(view, codes) for view in left],
    }


@never_cache
def screen(request, code: str, slug: str):
    from activities.kiosk.data import kiosk_data, kiosk_version

    kiosk = _find_kiosk(code, slug)
    data = kiosk_data(kiosk, request)
    now = timezone.localtime(timezone.now(), LOCAL_TZ)
    response = render(
        request,
        "activities/kiosk/screen.html",
        {
            "kiosk": kiosk,
            "center": kiosk.center,
            "data": data,
            "state": first_state(data, now),
            "today_label": chinese_date(now.date()),
            "clock": f"{now:%H:%M}",
            "config": {
                "dataUrl": reverse("kiosk_api:data", args=[code, slug]),
                "heartbeatUrl": reverse("kiosk_api:heartbeat", args=[code, slug]),
                "serviceWorkerUrl": reverse("kiosk:service_worker"),
                "scope": reverse("kiosk:service_worker").rsplit("/", 1)[0] + "/",
                "version": kiosk_version(),
                "refreshSeconds": _refresh_seconds(request),
            },
        },
    )
    # The setup link carries the kiosk's token once: no referrer may take it elsewhere.
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
def service_worker(request):
    """The service worker's script, served under /kiosk/ so its scope covers the screens,
    with the asset version and the URLs of the files it pre-caches written in."""
    from activities.kiosk.data import kiosk_version

    with open(finders.find(SERVICE_WORKER_SOURCE), encoding="utf-8") as source:
        script = source.read()
    script = script.replace('"__KIOSK_VERSION__"', json.dumps(kiosk_version())).replace(
        '["__KIOSK_ASSETS__"]', json.dumps([static(name) for name in KIOSK_ASSETS])
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("kiosk:service_worker").rsplit("/", 1)[0] + "/"
    return response


urlpatterns = [
    path("sw.js", service_worker, name="service_worker"),
    path("<str:code>/", center_list, name="center_list"),
    path("<str:code>/<slug:slug>/", screen, name="screen"),
]
