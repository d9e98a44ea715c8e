"""The lobby screen's data and heartbeat, under /api/kiosks/<center code>/<slug>/.

``kiosk_data`` makes the one data document the screen shows (the screen page renders its
first state from it too): today's and tomorrow's sessions of the kiosk's center, the
week's highlights, the services open now there by the one clock, the center's latest
notices (urgent first) and its current honor board when the kiosk's slides show them, the
urgent notices in force (a red strip over every slide), and QR codes for their pages. The
screen refreshes it every minute with ``If-None-Match``; an unchanged document answers 304
with no body. The document is a fixed number of queries whatever the size of the programme,
the notices or the board.

The heartbeat is authenticated by the kiosk's own token (``Authorization: Kiosk <token>``),
so no screen can report for another; it uses no cookies, hence no CSRF check.
"""

import hashlib
import json
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.views.decorators.csrf import csrf_exempt

from activities.kiosk.qr import qr_svg
from activities.kiosk.slides import honor_slide, notice_slide, urgent_in_force, urgent_strip
from activities.models import Kiosk, Occurrence, OccurrenceStatus
from activities.models.kiosks import DEFAULT_SLIDES, SlideKind
from activities.pages import activity_url, activity_urls, local_midnight
from catalog.clock import clock_at, open_service_ids
from catalog.models import Service
from catalog.opening import LOCAL_TZ

# Days the week's highlights look ahead (from now), and how many they show at most.
WEEK_DAYS = 7
WEEK_HIGHLIGHTS = 12
# Services listed as open now at most (a slide's worth; the rest are in the service list).
SERVICES_SHOWN = 12
# The QR codes of one document take at most this many bytes (each is 1.5–2 KB): on a
# busy day the soonest sessions get theirs first, the later ones as earlier ones end.
QR_BUDGET = 18_000
STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "kiosk"

JSON_TYPE = "application/json"
AUTH_SCHEME = "Kiosk"


# -- the document ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def kiosk_version() -> str:
    """The version of the screen's assets (page scripts, styles, service worker): a hash
    of the files under activities/static/kiosk, so a deployment changes it by itself."""
    digest = hashlib.sha256()
    if STATIC_DIR.is_dir():
        for file in sorted(p for p in STATIC_DIR.rglob("*") if p.is_file()):
            digest.update(str(file.relative_to(STATIC_DIR)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def iso(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def hhmm(value) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def slides_of(kiosk) -> list[dict]:
    rows = [(slide.kind, slide.seconds) for slide in kiosk.slides.all()] or DEFAULT_SLIDES
    return [
        {"kind": kind, "title": str(SlideKind(kind).label), "seconds": seconds}
        for kind, seconds in rows
    ]


class QrCodes:
    """The document's ``qr`` map: one SVG per URL under a short key, shared by every item
    linking there, within ``QR_BUDGET`` bytes."""

    def __init__(self, budget: int = QR_BUDGET):
        self.codes: dict[str, str] = {}
        self.keys: dict[str, str] = {}
        self.left = budget

    def key(self, url: str | None) -> str | None:
        if not url:
            return None
        if url not in self.keys:
            svg = qr_svg(url)
            if len(svg) > self.left:
                return None
            key = f"q{len(self.keys) + 1}"
            self.keys[url] = key
            self.codes[key] = svg
            self.left -= len(svg)
        return self.keys[url]


def session(occurrence, url: str | None) -> dict:
    return {
        "id": occurrence.pk,
        "activity_id": occurrence.activity_id,
        "title": occurrence.activity.title,
        "starts_at": iso(occurrence.starts_at),
        "ends_at": iso(occurrence.ends_at),
        "all_day": occurrence.all_day,
        "room": occurrence.place_label,
        "status": occurrence.status,
        "reason": occurrence.reason,
        "url": url,
        "qr": None,
    }


def week_highlights(occurrences, moment: datetime) -> list:
    """The first coming session (not begun, not cancelled) of each activity, soonest first."""
    seen = set()
    chosen = []
    for occurrence in occurrences:
        if occurrence.starts_at <= moment or occurrence.status == OccurrenceStatus.CANCELLED:
            continue
        if occurrence.activity_id in seen:
            continue
        seen.add(occurrence.activity_id)
        chosen.append(occurrence)
        if len(chosen) == WEEK_HIGHLIGHTS:
            break
    return chosen


def services_open_now(center, clock) -> list[Service]:
    """The center's services open now by ``clock``, by name, at most ``SERVICES_SHOWN``.

    Judged as the open-now filter of lists and search judges them (``open_service_ids``
    at this center's place: its links here and this one place's hours, a fixed number of
    queries however many services the center offers), then the names of those shown.
    """
    location = getattr(center, "location", None)
    if location is None:
        return []
    services = Service.objects.at_center(center).order_by("name", "pk")
    shown = open_service_ids(services, clock, location.pk)[:SERVICES_SHOWN]
    if not shown:
        return []
    named = Service.objects.only("pk", "name").in_bulk(shown)
    return [named[pk] for pk in shown]


def kiosk_data(kiosk, request, now: datetime | None = None) -> dict:
    """The data document of ``kiosk`` at ``now`` (the current moment when None)."""
    from search.views import GuideLinks  # the one rule for where a service links

    moment = now or timezone.now()
    center = kiosk.center
    today = moment.astimezone(LOCAL_TZ).date()
    tomorrow = today + timedelta(days=1)
    start = local_midnight(today)
    tomorrow_start = local_midnight(tomorrow)
    after_tomorrow = local_midnight(tomorrow + timedelta(days=1))
    week_end = local_midnight(today + timedelta(days=WEEK_DAYS))

    occurrences = list(
        Occurrence.objects.filter(center=center)
        .between(start, week_end)
        .select_related("activity", "room")
        .order_by("starts_at", "activity__title", "pk")
    )
    prefixes = activity_urls([center], request)
    urls = {}
    for occurrence in occurrences:
        activity = occurrence.activity
        if activity.pk not in urls:
            relative = activity_url(prefixes, activity)
            urls[activity.pk] = request.build_absolute_uri(relative) if relative else None

    def sessions(chosen) -> list[dict]:
        return [session(o, urls[o.activity_id]) for o in chosen]

    today_sessions = sessions(o for o in occurrences if o.starts_at < tomorrow_start)
    tomorrow_sessions = sessions(
        o for o in occurrences if o.starts_at < after_tomorrow and o.ends_at > tomorrow_start
    )
    week_sessions = sessions(week_highlights(occurrences, moment))

    clock = clock_at(moment)
    guides = GuideLinks(request, center)
    services = [
        {"name": service.name, "url": request.build_absolute_uri(guides.url_for(service))}
        for service in services_open_now(center, clock)
    ]

    # Each slide links to the page that holds all of it: the programme sheet, the
    # center's service list, its notices or its honor board.
    programme = prefixes.get(center.pk)
    service_list = guides.center_list.get_url(request) if guides.center_list else None
    slide_pages = {
        SlideKind.TODAY: programme,
        SlideKind.TOMORROW: programme,
        SlideKind.WEEK: programme,
        SlideKind.SERVICES_OPEN: service_list,
    }
    slides = slides_of(kiosk)
    kinds = {slide["kind"] for slide in slides}
    notices, honors, points = [], [], None
    urgent = urgent_in_force(center, today)
    # The notices and the board are read only for a kiosk that shows them; a center with
    # none current drops the slide.
    if SlideKind.NOTICES in kinds:
        slide_pages[SlideKind.NOTICES], notices = notice_slide(center, today, request, urgent)
    if SlideKind.HONORS in kinds:
        slide_pages[SlideKind.HONORS], honors, points = honor_slide(center, today, request)
    shown = {SlideKind.NOTICES: notices, SlideKind.HONORS: honors or points}
    slides = [slide for slide in slides if shown.get(slide["kind"], True)]
    for slide in slides:
        page = slide_pages.get(slide["kind"])
        slide["url"] = request.build_absolute_uri(page) if page else None

    # QR codes in the order the screen needs them: the slides, what is on now and next,
    # the open services, the notices, the week, then tomorrow.
    codes = QrCodes()
    coming_today = [s for s in today_sessions if s["ends_at"] > iso(moment)]
    for item in (
        *slides,
        *coming_today,
        *services,
        *notices,
        *week_sessions,
        *tomorrow_sessions,
    ):
        item["qr"] = codes.key(item["url"])

    return {
        "version": kiosk_version(),
        "generated_at": iso(moment),
        "center": {"code": center.code, "title": center.title},
        "kiosk": {
            "name": kiosk.name,
            "orientation": kiosk.orientation,
            "dark_from": hhmm(kiosk.dark_from),
            "dark_until": hhmm(kiosk.dark_until),
            "touch": kiosk.touch,
            "slides": slides,
        },
        "today": today_sessions,
        "tomorrow": tomorrow_sessions,
        "week": week_sessions,
        "services_open": services,
        "notices": notices,
        "urgent": urgent_strip(urgent),
        "honors": honors,
        "ranking": points,
        "qr": codes.codes,
    }


def document_etag(document: dict) -> str:
    """A strong ETag of what the screen shows: the document without ``generated_at``."""
    content = {key: value for key, value in document.items() if key != "generated_at"}
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    return '"' + hashlib.sha256(encoded).hexdigest()[:32] + '"'


def compact_json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


# -- views -----------------------------------------------------------------------------


def error(status: int, detail: str, errors: list[tuple[str, str]] = (), *, key="field", **headers):
    """A JSON error: ``detail`` in Chinese, and each problem named by ``key`` (``parameter``
    for the URL's parts, as the catalog API does; ``field`` for the heartbeat's body)."""
    body = {"detail": detail}
    if errors:
        body["errors"] = [{key: name, "message": message} for name, message in errors]
    response = JsonResponse(
        body, status=status, content_type=JSON_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def find_kiosk(code: str, slug: str) -> Kiosk | None:
    return (
        Kiosk.objects.select_related("center")
        .prefetch_related("slides")
        .filter(center__code__iexact=code, center__live=True, slug=slug)
        .first()
    )


def not_found(code: str, slug: str):
    from district.models import CenterPage

    if not CenterPage.objects.live().filter(code__iexact=code).exists():
        problem = ("code", f"没有编码为“{code}”的服务中心。")
    else:
        problem = ("slug", f"该中心没有网址名为“{slug}”的大厅屏。")
    return error(404, problem[1], [problem], key="parameter")


def other_method(request, allowed: list[str]):
    """The answer to a method the route does not take: OPTIONS lists the others, anything
    else is 405 (an unsafe one too: CSRF does not come into it, nothing is changed)."""
    allowed = [*allowed, "OPTIONS"]
    if request.method == "OPTIONS":
        response = HttpResponse(status=200)
    else:
        response = error(405, f"不支持{request.method}请求，只接受{'、'.join(allowed)}。")
    response["Allow"] = ", ".join(allowed)
    return response


@csrf_exempt
def data(request, code: str, slug: str):
    if request.method not in ("GET", "HEAD"):
        return other_method(request, ["GET", "HEAD"])
    kiosk = find_kiosk(code, slug)
    if kiosk is None:
        return not_found(code, slug)
    document = kiosk_data(kiosk, request)
    etag = document_etag(document)
    unchanged = get_conditional_response(request, etag=etag)
    if unchanged is None:
        response = HttpResponse(compact_json(document), content_type=JSON_TYPE)
    else:
        response = unchanged
    response["ETag"] = etag
    # Always ask again (every minute): the ETag makes an unchanged answer cost nothing.
    response["Cache-Control"] = "no-cache"
    return response


# -- heartbeat -------------------------------------------------------------------------

HEARTBEAT_FIELDS = {
    "version": "页面版本",
    "screen": "屏幕尺寸",
    "online_since": "连续在线起",
    "last_data_at": "数据更新于",
}


def presented_token(request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != AUTH_SCHEME or not token.strip():
        return None
    return token.strip()


def read_moment(value, field: str, errors: list) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        errors.append(
            (field, f"{HEARTBEAT_FIELDS[field]}应为ISO 8601时间，如2026-12-06T10:00:00+08:00。")
        )
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment


def read_heartbeat(body: bytes) -> tuple[dict, list[tuple[str, str]]]:
    """The fields of a heartbeat, or the problems with it (field, Chinese message)."""
    try:
        report = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}, [("body", "请求正文不是有效的JSON。")]
    if not isinstance(report, dict):
        return {}, [("body", "请求正文应为JSON对象。")]
    errors = []
    unknown = sorted(set(report) - set(HEARTBEAT_FIELDS))
    for field in unknown:
        errors.append((field, "不认识这个字段。"))
    fields = {}
    for field, limit in (("version", 40), ("screen", 20)):
        value = report.get(field, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors.append((field, f"{HEARTBEAT_FIELDS[field]}应为文字。"))
        elif len(value) > limit:
            errors.append((field, f"{HEARTBEAT_FIELDS[field]}最多{limit}个字符。"))
        else:
            fields[field] = value
    screen = fields.get("screen", "")
    if screen and not _is_screen_size(screen):
        errors.append(("screen", "屏幕尺寸应写成宽x高，如1920x1080。"))
    for field in ("online_since", "last_data_at"):
        fields[field] = read_moment(report.get(field), field, errors)
    return fields, errors


def _is_screen_size(text: str) -> bool:
    width, separator, height = text.partition("x")
    return bool(separator) and width.isdigit() and height.isdigit() and len(text) <= 20


@csrf_exempt
def heartbeat(request, code: str, slug: str):
    if request.method != "POST":
        return other_method(request, ["POST"])
    kiosk = find_kiosk(code, slug)
    if kiosk is None:
        return not_found(code, slug)
    token = presented_token(request)
    if token is None:
        return error(
            401,
            "请提供这块大厅屏的令牌（Authorization: Kiosk <令牌>）。",
            [("Authorization", "缺少令牌。")],
            WWW_Authenticate=AUTH_SCHEME,
        )
    if not secrets.compare_digest(token.encode(), kiosk.token.encode()):
        return error(403, "令牌与这块大厅屏不符。", [("Authorization", "令牌不对。")])
    fields, errors = read_heartbeat(request.body)
    if errors:
        detail = "；".join(message for _, message in errors)
        return error(400, detail, errors)
    Kiosk.objects.filter(pk=kiosk.pk).update(
        last_seen_at=timezone.now(),
        reported_version=fields["version"],
        reported_screen=fields["screen"],
        online_since=fields["online_since"],
        last_data_at=fields["last_data_at"],
    )
    return HttpResponse(status=204)


# Any text matches, so that an unknown center or kiosk gets a 404 in Chinese JSON.
KIOSK_PATH = "<str:code>/<str:slug>/"

urlpatterns = [
    path(KIOSK_PATH + "data", data, name="data"),
    path(KIOSK_PATH + "heartbeat", heartbeat, name="heartbeat"),
]
